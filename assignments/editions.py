"""Which state each task is in, in the edition this code runs from: written, unwritten or held.

A release (``assignments/release.py``) leaves a stub where a task's code was: ``raise
NotImplementedError("TODO <task>: …")`` for a task handed out to students, ``raise
NotImplementedError("HELD <task>: …")`` for a task held back. A task is *unwritten*
while any of its stubs is still in the code, *held* while a held stub is, and
*written* otherwise (the reference edition, a published task, or a student's code).
The answer comes from the text of the files alone, before any of their code runs: the
labs ask here, once, which implementation to use, and never find out halfway through a
lesson by catching an error.
"""

import pathlib

from assignments import markers

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
# The folders whose files hold the tasks' regions (and so, in a release, their stubs).
FOLDERS = ("custom", "callbacks", "labs")
STATES = ("written", "unwritten", "held")

_cache = {}   # path → (modification time, size, that file's stub states)


def _file_states(path):
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is None or cached[0] != key:
        cached = (key, markers.stub_states(path.read_text(encoding="utf-8")))
        _cache[path] = cached
    return cached[1]


def stub_states(root=REPOSITORY):
    """task → "unwritten" or "held" for every task that still has a stub under ``root``.

    A file a student rewrote (a notebook's ``%%writefile``) is read again: the answer
    follows the files as they are now.
    """
    states = {}
    for folder in FOLDERS:
        for path in sorted((pathlib.Path(root) / folder).rglob("*.py")):
            for task, found in _file_states(path).items():
                if states.get(task) != "held":   # One held stub makes the task held.
                    states[task] = found
    return states


def state(task, root=REPOSITORY):
    """"written", "unwritten" (a stub with its TODO is left) or "held" (not in this edition)."""
    return stub_states(root).get(task, "written")
