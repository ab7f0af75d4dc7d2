"""``python -m assignments grade SUBMISSIONS --out RESULTS``: grade a class, public and hidden.

A submission is one entry of SUBMISSIONS, named after the student:

* a folder holding the files the student changed, at their repository paths
  (``alice/custom/optimizers/adam.py``);
* a ``.zip`` of such a folder (a top-level folder inside it is fine);
* a ``.ipynb``: the task notebook, whose ``%%writefile PATH`` cells hold the files.

Only the files of the graded tasks are taken from a submission; anything else in it is
ignored. For each student and task, the files are laid over a clean student edition
(built once, with this reference edition's ``assignments`` package, which holds the
hidden checks and the models of known mistakes), and the task is checked in a
subprocess of its own, with a time limit and a cap on what it may print. A submission
that cannot be read, fails to import, raises, hangs or prints without end gets zero
for the affected checks, with the reason; the batch goes on.

Writes RESULTS/grades.csv (student, task, check, points, max_points, feedback) and
RESULTS/<student>/results.json in Gradescope's autograder format.
"""

import concurrent.futures
import csv
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile

from assignments import release as release_module
from assignments import tasks as task_table

OUTPUT_LIMIT = 1_000_000   # bytes a check may print before it is stopped
CSV_COLUMNS = ("student", "task", "check", "points", "max_points", "feedback")


class GradeError(ValueError):
    """The batch cannot start (a missing folder, an unknown task)."""


def submissions(folder):
    """(student, path) for every submission in ``folder``, sorted by student."""
    entries = []
    for path in sorted(pathlib.Path(folder).iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir() or path.suffix in (".zip", ".ipynb"):
            entries.append((path.stem if path.is_file() else path.name, path))
    return entries


def submitted_files(path, wanted):
    """The submitted text of each wanted repository path: {path: text}, and problems found.

    Raises nothing: an unreadable submission gives ({}, [reason]).
    """
    try:
        if path.is_dir():
            found = {str(file.relative_to(path)): file.read_bytes()
                     for file in path.rglob("*") if file.is_file()}
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                found = {name: archive.read(name) for name in archive.namelist()
                         if not name.endswith("/")}
        else:
            found = _notebook_files(path)
    except (OSError, zipfile.BadZipFile, ValueError, KeyError) as error:
        return {}, [f"cannot read the submission {path.name}: {error}"]
    files, problems = {}, []
    for target in wanted:
        matches = [name for name in found
                   if name == target or name.endswith("/" + target)]
        if not matches:
            problems.append(f"no {target} in the submission")
            continue
        try:
            files[target] = found[matches[0]].decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{target} is not UTF-8 text")
    return files, problems


def _notebook_files(path):
    """{path: bytes} from a task notebook's ``%%writefile PATH`` cells."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    files = {}
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        first, _, body = source.partition("\n")
        if cell.get("cell_type") == "code" and first.startswith("%%writefile "):
            files[first.split(maxsplit=1)[1].strip()] = body.encode("utf-8")
    return files


def _run_limited(command, cwd, timeout):
    """Run ``command``; stop it at ``timeout`` seconds or after OUTPUT_LIMIT bytes of output.

    Returns (exit code or None, reason or None, the output's last lines).
    """
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": ""})
    received, tail, flooded = [0], [b""], threading.Event()

    def read():
        for chunk in iter(lambda: process.stdout.read(65536), b""):
            received[0] += len(chunk)
            tail[0] = (tail[0] + chunk)[-4000:]
            if received[0] > OUTPUT_LIMIT:
                flooded.set()
                process.kill()
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=timeout)
        reason = None
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        code, reason = None, f"stopped after the time limit of {timeout:g} s (a hang or an " \
                             "endless loop?)"
    reader.join(timeout=5)
    if flooded.is_set():
        code, reason = None, f"stopped after printing more than {OUTPUT_LIMIT:,} bytes"
    return code, reason, tail[0].decode(errors="replace")


def _zero(task, reason):
    """Every check of ``task`` (public and hidden) at 0 points, with ``reason``."""
    definition = task_table.TASKS[task]
    return [{"task": task, "check": check.name, "points": 0.0, "max_points": check.points,
             "feedback": reason}
            for check in definition.public + definition.hidden]


def grade_one(student, path, tasks, edition, work, timeout):
    """The rows of one student: every check of every task."""
    rows = []
    for task in tasks:
        files, problems = submitted_files(path, task_table.TASKS[task].files)
        if problems:
            rows += _zero(task, "; ".join(problems))
            continue
        folder = pathlib.Path(work) / f"{student}-{task}"
        shutil.copytree(edition, folder)
        for target, text in files.items():
            (folder / target).write_text(text, encoding="utf-8")
        result_file = folder / "result.json"
        code, reason, tail = _run_limited(
            [sys.executable, "-m", "assignments", "check", task, "--hidden",
             "--result-file", str(result_file)], folder, timeout)
        if reason is None and not result_file.exists():
            last = tail.strip().splitlines()[-1] if tail.strip() else f"exit status {code}"
            reason = f"the check did not finish: {last}"
        if reason is not None:
            rows += _zero(task, reason)
        else:
            result = json.loads(result_file.read_text(encoding="utf-8"))
            rows += [{"task": task, "check": test["name"].split(": ", 1)[1],
                      "points": test["score"], "max_points": test["max_score"],
                      "feedback": test["output"]} for test in result["tests"]]
        shutil.rmtree(folder, ignore_errors=True)
    return [{"student": student, **row} for row in rows]


def grade(submissions_dir, out_dir, tasks=None, timeout=300.0, jobs=None):
    """Grade every submission in ``submissions_dir``; write the CSV and the results files.

    Returns:
        the rows written to grades.csv.
    """
    folder = pathlib.Path(submissions_dir)
    if not folder.is_dir():
        raise GradeError(f"no submissions folder {str(folder)!r}")
    tasks = release_module.check_tasks(tasks or list(task_table.TASKS))
    if not timeout > 0:
        raise GradeError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    entries = submissions(folder)
    rows = []
    with tempfile.TemporaryDirectory(prefix="grading-") as work:
        edition = pathlib.Path(work) / "edition"
        release_module.release(edition, tasks)
        # The reference assignments package: it holds the hidden checks and the models.
        shutil.rmtree(edition / "assignments")
        shutil.copytree(release_module.REPOSITORY / "assignments", edition / "assignments",
                        ignore=shutil.ignore_patterns("__pycache__"))
        workers = jobs or min(len(entries), os.cpu_count() or 1) or 1
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            for student_rows in pool.map(
                    lambda entry: grade_one(entry[0], entry[1], tasks, edition, work, timeout),
                    entries):
                rows += student_rows
    _write(out, rows)
    return rows


def _write(out, rows):
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    for student in sorted({row["student"] for row in rows}):
        mine = [row for row in rows if row["student"] == student]
        result = {
            "score": round(sum(row["points"] for row in mine), 6),
            "max_score": sum(row["max_points"] for row in mine),
            "tests": [{"name": f"{row['task']}: {row['check']}", "score": row["points"],
                       "max_score": row["max_points"], "output": row["feedback"]}
                      for row in mine],
        }
        (out / student).mkdir(exist_ok=True)
        (out / student / "results.json").write_text(json.dumps(result, indent=2),
                                                    encoding="utf-8")


def summary(rows):
    """One line per student: their score out of the maximum."""
    lines = []
    for student in sorted({row["student"] for row in rows}):
        mine = [row for row in rows if row["student"] == student]
        lines.append(f"{student:<20} {sum(row['points'] for row in mine):6.1f} / "
                     f"{sum(row['max_points'] for row in mine):g}")
    return "\n".join(lines)

