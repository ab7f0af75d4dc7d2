"""``python -m assignments grade SUBMISSIONS --out RESULTS``: grade a class, public and hidden.

The student is treated as an adversary. For each student and task:

1. the task's files are read from the submission without trusting it
   (``assignments/submissions.py``: sizes, paths and links checked, only the task's files);
2. they are laid over a fresh copy of the student edition, and the student's code runs
   in a sandbox of its own (``assignments/sandbox.py``: no network, no other files, limits
   on memory, CPU, processes, files and output, nothing left running afterwards), where
   ``python -m assignments.worker`` turns each check's inputs into the student's raw numbers;
3. this process, the trusted side, reads those numbers once, computes the expected values
   with the trusted twins and the catalogue of known mistakes, and gives every score.

The reference, the hidden checks and the expected values never enter the student's process,
and nothing it prints or writes can set a score. A submission that cannot be read, fails to
import, raises, hangs, floods its output or exhausts a limit gets zero for what it did not
answer, with the reason; the batch goes on.

Writes, in RESULTS:

* ``grades.csv``: one row per student, task and check (long form);
* ``scores.csv``: one row per student: the total and one column per task (what an LMS imports);
* ``<student>/results.json``: Gradescope's autograder format, hidden checks
  ``after_published``.

``--students alice bob`` regrades those students and keeps everyone else's rows.
Where no sandbox can be made, grading refuses unless ``trust=True`` (``--trust-submissions``);
then every result says it was graded without a sandbox.
"""

import ast
import concurrent.futures
import csv
import json
import os
import pathlib
import pickle
import shutil
import sys
import tempfile

from assignments import catalogue, checking, sandbox, submissions
from assignments import release as release_module
from assignments import tasks as task_table

CSV_COLUMNS = ("student", "task", "check", "points", "max_points", "passed", "hidden",
               "sandbox", "feedback")
UNSANDBOXED = "graded without a sandbox (--trust-submissions)"


class GradeError(ValueError):
    """The batch cannot start (a missing folder, an unknown task, no sandbox)."""


def check_tasks(names):
    """The task names, or GradeError naming the unknown one and listing the tasks."""
    return task_table.known(names, GradeError)


# ---------------------------------------------------------------- the trusted side's checks

def checks_of(task):
    """(key, check, hidden) for every check of ``task``, public then hidden."""
    definition = task_table.TASKS[task]
    listed = [(check, False) for check in definition.public]
    listed += [(check, True) for check in definition.hidden]
    return [(str(index), check, hidden) for index, (check, hidden) in enumerate(listed)]


def request(task):
    """What the student's process is sent: the subject, the files, each check's inputs."""
    definition = task_table.TASKS[task]
    return {"subject": definition.subject, "files": list(definition.files),
            "checks": [(key, check.produce_path, check.options)
                       for key, check, _ in checks_of(task)]}


class Judge:
    """The expected values and catalogues of a batch's checks, computed once, on demand."""

    def __init__(self):
        self._expected = {}

    def expectation(self, task, key, check):
        if (task, key) not in self._expected:
            self._expected[task, key] = (check.expect(**check.kwargs()),
                                         catalogue.for_check(task, check))
        return self._expected[task, key]

    def task_result(self, task, answer, refused=None):
        """The TaskResult of one student's answer (``answer_of``'s dict), scored here."""
        results = []
        for key, check, hidden in checks_of(task):
            outcome = self._outcome(task, key, check, hidden, answer, refused)
            results.append(checking.result_of(check, outcome, hidden))
        return checking.TaskResult(task, results)

    def _outcome(self, task, key, check, hidden, answer, refused):
        if refused:
            return checking.Outcome(False, refused)
        if answer.get("stopped"):
            return checking.Outcome(False, answer["stopped"])
        if answer.get("import_error"):
            return checking.Outcome(False, f"could not import {task_table.TASKS[task].subject}: "
                                           f"{answer['import_error']}")
        entry = answer.get("outputs", {}).get(key)
        if not isinstance(entry, dict):
            return checking.Outcome(False, "your code gave no answer for this check")
        if "error" in entry:
            return checking.Outcome(False, str(entry["error"])[:checking.MESSAGE_LIMIT + 200])
        try:
            got = checking.Outputs.decode(entry)
        except (ValueError, TypeError) as error:
            return checking.Outcome(False, f"your code's answer is not a set of numbers: {error}")
        expectation, candidates = self.expectation(task, key, check)
        try:
            return checking.judge(expectation, got, candidates, hidden)
        except Exception as error:   # Numbers of an unexpected shape or kind.
            return checking.Outcome(False, "your code's numbers could not be compared with the "
                                           f"expected ones ({type(error).__name__}: "
                                           f"{str(error)[:200]})")


def answer_of(finished, limits):
    """The student's answer from a sandboxed run: a dict, never an exception."""
    if finished.reason:
        return {"stopped": finished.reason}
    try:
        answer = json.loads(finished.channel.decode("utf-8"))
        if not isinstance(answer, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError):
        last = (finished.printed.strip().splitlines() or [f"exit status {finished.code}"])[-1]
        return {"stopped": f"the check did not finish: {last[:300]}"}
    memory = f"stopped: used more than {limits.memory_bytes / (1 << 30):g} GiB of memory"
    if answer.get("import_error") == "memory":
        return {"stopped": memory}
    for entry in (answer.get("outputs") or {}).values():
        if isinstance(entry, dict) and entry.get("kind") == "memory":
            entry["error"] = memory
    return answer


# Keras' own optimizers: an optimizer task that names one is handing the step to the twin.
BUILTIN_OPTIMIZERS = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                      "Nadam", "Ftrl", "Lion", "Lamb", "Muon", "LossScaleOptimizer"}
OPTIMIZER_TASKS = {"sgd_momentum", "nesterov", "ema_momentum", "rmsprop", "adam"}


def twin_uses(text):
    """The built-in optimizers a file's code names (``keras.optimizers.Adam``, an import of
    one, TensorFlow's raw ``ResourceApply…`` kernels); read from the text, not run."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []   # Its import fails in the sandbox and says why.
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = ast.unparse(node.value)
            if (node.attr in BUILTIN_OPTIMIZERS and "optimizers" in owner) \
                    or node.attr.startswith("ResourceApply") or owner.endswith("training_ops"):
                used.append(f"{owner}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and "optimizers" in (node.module or ""):
            used += [alias.name for alias in node.names if alias.name in BUILTIN_OPTIMIZERS]
    return used


def refusal(task, files):
    """The reason an optimizer submission is refused before it runs, or None."""
    if task not in OPTIMIZER_TASKS:
        return None
    for path, text in files.items():
        used = twin_uses(text)
        if used:
            return (f"refused: {path} uses Keras' own {used[0]}; compute the update yourself "
                    "instead of calling a built-in optimizer")
    return None


# ---------------------------------------------------------------- running the students

def prepare_edition(folder, tasks):
    """The student edition that every submission is laid over (tracked files only)."""
    release_module.release(folder, tasks, allow_dirty=True,
                           publish=release_module.solved_others(tasks))
    sandbox.readable(folder)
    return folder


def run_student(task, files, edition, work, limits, how):
    """One student's code for one task, in a fresh copy of the edition: the sandbox's Finished."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix=f"{task}-", dir=work))
    try:
        copy = folder / "edition"
        shutil.copytree(edition, copy, symlinks=False)
        for target, text in files.items():
            (copy / target).write_text(text, encoding="utf-8")
        sandbox.readable(copy)
        return sandbox.run([sys.executable, "-m", "assignments.worker"], copy,
                           pickle.dumps(request(task)), limits, how)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def grade(submissions_dir, out_dir, tasks=None, timeout=300.0, jobs=None, students=None,
          trust=False, limits=None):
    """Grade the submissions in ``submissions_dir``; write the CSVs and the results files.

    Args:
        submissions_dir: the class's submissions (see ``assignments/submissions.py``).
        out_dir: where grades.csv, scores.csv and <student>/results.json go.
        tasks: the tasks to grade (default all).
        timeout: seconds per student and task.
        jobs: submissions graded at once (default one per CPU core).
        students: regrade only these students, keeping everyone else's rows.
        trust: grade without a sandbox where none can be made.
        limits: a ``sandbox.Limits`` (its wall_seconds is replaced by ``timeout``).

    Returns:
        {student: [TaskResult, ...]} of the students graded now.

    Raises:
        GradeError: the batch cannot start; the message names the problem.
    """
    folder = pathlib.Path(submissions_dir)
    if not folder.is_dir():
        raise GradeError(f"no submissions folder {str(folder)!r}")
    tasks = check_tasks(tasks or list(task_table.TASKS))
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise GradeError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    limits = limits or sandbox.Limits()
    limits = sandbox.Limits(**{**limits.__dict__, "wall_seconds": float(timeout),
                               "cpu_seconds": max(limits.cpu_seconds, int(timeout) + 1)})
    how = "bubblewrap"
    missing = sandbox.unavailable()
    if missing is not None:
        if not trust:
            raise GradeError(f"cannot isolate the submissions: {missing}; pass "
                             "--trust-submissions to grade without a sandbox")
        how = "none"
    wanted_names = {pathlib.PurePosixPath(path).name
                    for task in tasks for path in task_table.TASKS[task].files}
    found, unknown = submissions.find(folder, wanted_names)
    if not found:
        extra = f" (found {', '.join(unknown[:3])})" if unknown else ""
        raise GradeError(f"no submissions in {str(folder)!r}{extra}; expected "
                         f"{submissions.LAYOUTS}")
    if students:
        absent = [student for student in students if student not in found]
        if absent:
            raise GradeError(f"no submission from {absent[0]!r} in {str(folder)!r}")
        found = {student: found[student] for student in students}
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    judge, graded = Judge(), {}
    with tempfile.TemporaryDirectory(prefix="grading-") as work:
        os.chmod(work, 0o755)
        edition = prepare_edition(pathlib.Path(work) / "edition", tasks)
        jobs = jobs or min(len(found) * len(tasks), os.cpu_count() or 1)
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            pending = []
            for student, source in sorted(found.items()):
                for task in tasks:
                    try:
                        files = submissions.read(source, task_table.TASKS[task].files)
                    except submissions.SubmissionError as error:
                        pending.append((student, task, None, str(error)))
                        continue
                    refused = refusal(task, files)
                    future = None if refused else pool.submit(
                        run_student, task, files, edition, work, limits, how)
                    pending.append((student, task, future, refused))
            for student, task, future, refused in pending:
                answer = {} if future is None else answer_of(_finished(future), limits)
                result = judge.task_result(task, answer, refused)
                if how == "none":
                    result = marked_unsandboxed(result)
                graded.setdefault(student, []).append(result)
    write(out, graded, how)
    return graded


def _finished(future):
    try:
        return future.result()
    except Exception as error:   # The grader's own failure for one submission: a zero, noted.
        return sandbox.Finished(None, b"", "", f"the grader could not run this submission "
                                               f"({type(error).__name__}: {error})", 0.0)


def marked_unsandboxed(result):
    for check in result.checks:
        check.feedback = f"{check.feedback}\n({UNSANDBOXED})"
    return result


# ---------------------------------------------------------------- the gradebook

def rows_of(student, results, isolation):
    return [{"student": student, "task": result.task, "check": check.name,
             "points": check.points, "max_points": check.max_points,
             "passed": int(check.passed), "hidden": int(check.hidden), "sandbox": isolation,
             "feedback": check.feedback}
            for result in results for check in result.checks]


def read_rows(path):
    """The rows of an existing grades.csv, or [] when there is none."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["points"], row["max_points"] = float(row["points"]), float(row["max_points"])
    return rows


def write(out, graded, isolation):
    """grades.csv and scores.csv (everyone's rows, the regraded ones replaced) and the
    regraded students' results.json; each file is written whole, then moved into place."""
    rows = [row for row in read_rows(out / "grades.csv") if row["student"] not in graded]
    for student, results in graded.items():
        rows += rows_of(student, results, isolation)
    rows.sort(key=lambda row: row["student"])
    _replace(out / "grades.csv", lambda handle: _write_csv(handle, CSV_COLUMNS, rows))
    tasks = list(dict.fromkeys(row["task"] for row in rows))
    scores = []
    for student in dict.fromkeys(row["student"] for row in rows):
        mine = [row for row in rows if row["student"] == student]
        line = {"student": student, "total": round(sum(row["points"] for row in mine), 6)}
        for task in tasks:
            line[task] = round(sum(row["points"] for row in mine if row["task"] == task), 6)
        scores.append(line)
    _replace(out / "scores.csv",
             lambda handle: _write_csv(handle, ("student", "total", *tasks), scores))
    for student, results in graded.items():
        (out / student).mkdir(exist_ok=True)
        document = gradescope_results(results, isolation)
        _replace(out / student / "results.json",
                 lambda handle, document=document: json.dump(document, handle, indent=2))


def gradescope_results(results, isolation, seconds=None):
    """One student's results.json as Gradescope documents it: the trusted TaskResults."""
    tests, number = [], 1
    for result in results:
        part = result.gradescope(first_number=number)
        tests += part["tests"]
        number += len(part["tests"])
    output = ("Each check names the first step where your numbers leave the expected ones, "
              "and the likely mistake.")
    if isolation == "none":
        output += f"\n{UNSANDBOXED}."
    elif isolation == "unprivileged":
        output += "\nGraded as an unprivileged user in this container (no namespaces)."
    document = {"score": round(sum(result.score for result in results), 6),
                "output": output, "stdout_visibility": "hidden", "tests": tests}
    if seconds is not None:
        document["execution_time"] = round(seconds, 3)
    return document


def _write_csv(handle, columns, rows):
    writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)


def _replace(path, write_to):
    """Write a file through a temporary one in the same folder, then rename it into place."""
    handle = tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, newline="",
                                         encoding="utf-8", suffix=".part")
    try:
        with handle:
            write_to(handle)
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise


def summary(graded):
    """One line per student graded: their score out of the maximum."""
    lines = []
    for student, results in sorted(graded.items()):
        score = sum(result.score for result in results)
        lines.append(f"{student:<20} {score:6.1f} / {sum(r.max_score for r in results):g}")
    return "\n".join(lines)
