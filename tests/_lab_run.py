"""Run one lab in a fresh process, as a class runs it (``python -m labs NAME FLAGS``), and keep
what tests/test_labs.py checks of an in-process run: the exit status, and for each figure
saved to a file, whether it draws something and has a title (``tests/_figures.py``).

Tests that need a lab's output as the screen shows it (no warnings, no retracing) and its
numbers share one such run: ``run`` starts it, ``python -m tests._lab_run FACTS NAME
FLAGS...`` is the process, which writes the figures' facts to the file FACTS.
"""

import json
import pathlib
import subprocess
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parents[1]


class _Patch:
    """The one method of pytest's monkeypatch that ``_figures.record_saved`` calls; the
    process ends after the lab, so nothing is undone."""

    @staticmethod
    def setattr(target, name, value):
        setattr(target, name, value)


def run(name, flags, folder, env=None, timeout=600):
    """Run lab ``name`` with ``flags`` in a fresh process (its figures and outcomes go to
    ``folder``/``name`` through ``--out``). Returns status, output (stdout then stderr), out
    (the folder) and figures: [(file name, draws something, has a title)]."""
    out, facts = folder / name, folder / f"{name}_figures.json"
    finished = subprocess.run(
        [sys.executable, "-m", "tests._lab_run", str(facts), name, *flags, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    figures = ([tuple(fact) for fact in json.loads(facts.read_text(encoding="utf-8"))]
               if facts.exists() else [])
    return types.SimpleNamespace(status=finished.returncode, stdout=finished.stdout,
                                 stderr=finished.stderr, output=finished.stdout + finished.stderr,
                                 out=out, figures=figures)


def main(facts, argv):
    from labs import __main__ as front_door
    from tests import _figures

    saved = _figures.record_saved(_Patch())
    status = front_door.main(argv)
    pathlib.Path(facts).write_text(json.dumps(_figures.facts(saved)), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
