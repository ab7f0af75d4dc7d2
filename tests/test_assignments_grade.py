# ASSIGNMENTS: INSTRUCTOR ONLY (its submissions are the reference and mutants of it)
"""Grading a class: each kind of submission gets the points it deserves, and none stops the batch.

Five students hand in Adam: a correct folder, a wrong zip (no bias correction), a file
that does not import, garbage, and a task notebook. Each runs in its own sandbox with a time
limit, and the batch must finish. A submission that hangs is stopped at the time limit (the
shortest the grader takes, 1 s: its task, gradient_check, needs no TensorFlow). One that
prints without end is one of tests/test_grading_attacks.py's class (``print_forever``),
where it costs no TensorFlow start-up.
"""

import csv
import json
import time
import zipfile

import pytest

from assignments import grade, markers, submissions
from assignments import tasks as task_table

ADAM = "custom/optimizers/adam.py"
TIMEOUT = 40.0


def reference_adam():
    text = (grade.release_module.REPOSITORY / ADAM).read_text(encoding="utf-8")
    return markers.student_text(text, ADAM, set())   # What a student who got it right hands in.


def write(folder, text):
    path = folder / ADAM
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    right = reference_adam()
    wrong = right.replace("learning_rate * keras.ops.sqrt(1.0 - beta_2_power) / "
                          "(1.0 - beta_1_power)", "learning_rate")
    assert wrong != right
    write(submissions / "alice", right)
    with zipfile.ZipFile(submissions / "bob.zip", "w") as archive:
        archive.writestr(f"bob/{ADAM}", wrong)
    write(submissions / "carol", right.replace("class Adam(", "class Adam((("))
    (submissions / "frank.zip").write_bytes(b"this is not a zip file")
    notebook = {"cells": [{"cell_type": "markdown", "source": "# Adam"},
                          {"cell_type": "code", "source": f"%%writefile {ADAM}\n{right}"}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (submissions / "grace.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    out = tmp_path_factory.mktemp("results")
    started = time.perf_counter()
    graded = grade.grade(submissions, out, tasks=["adam"], timeout=TIMEOUT, jobs=2)
    return grade.read_rows(out / "grades.csv"), out, time.perf_counter() - started


def score(rows, student):
    mine = [row for row in rows if row["student"] == student]
    return sum(row["points"] for row in mine), sum(row["max_points"] for row in mine)


@pytest.mark.slow
def test_each_submission_gets_the_points_it_deserves(graded):
    rows, _, elapsed = graded
    full = task_table.TASKS["adam"].points
    assert score(rows, "alice") == (full, full)
    assert score(rows, "grace") == (full, full)
    bob, _ = score(rows, "bob")
    assert 0 < bob < full
    bob_feedback = " ".join(row["feedback"] for row in rows if row["student"] == "bob")
    assert "likely cause: missing bias correction" in bob_feedback
    for student, reason in (("carol", "SyntaxError"), ("frank", "cannot read")):
        assert score(rows, student) == (0, full), student
        feedback = {row["feedback"] for row in rows if row["student"] == student}
        assert any(reason in text for text in feedback), (student, feedback)
    # Five students, two at a time.
    assert elapsed < 4 * TIMEOUT


@pytest.mark.slow
def test_grades_csv_and_gradescope_results_are_written(graded):
    rows, out, _ = graded
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0]) == list(grade.CSV_COLUMNS)
    assert len(table) == len(rows) == 5 * (len(task_table.TASKS["adam"].public)
                                           + len(task_table.TASKS["adam"].hidden))
    result = json.loads((out / "alice" / "results.json").read_text(encoding="utf-8"))
    assert result["score"] == task_table.TASKS["adam"].points
    assert result["stdout_visibility"] == "hidden"
    assert {"name", "number", "score", "max_score", "status", "output", "visibility"} \
        <= set(result["tests"][0])
    hidden = [test for test in result["tests"] if "hidden" in test["name"]]
    assert hidden and {test["visibility"] for test in hidden} == {"after_published"}
    assert {test["status"] for test in result["tests"]} == {"passed"}


def test_a_missing_folder_or_unknown_task_is_a_clear_error(tmp_path):
    with pytest.raises(grade.GradeError, match="no submissions folder"):
        grade.grade(tmp_path / "nowhere", tmp_path / "out")
    with pytest.raises(grade.GradeError, match="unknown task"):
        grade.grade(tmp_path, tmp_path / "out", tasks=["adamw"])


def test_only_the_tasks_files_are_taken_from_a_submission(tmp_path):
    (tmp_path / "mallory" / "assignments").mkdir(parents=True)
    (tmp_path / "mallory" / "assignments" / "checking.py").write_text("# score everything 100")
    with pytest.raises(submissions.SubmissionError, match=f"no {ADAM} in the submission"):
        submissions.read(("folder", tmp_path / "mallory"), [ADAM])


def test_a_submission_that_hangs_is_stopped_at_the_time_limit(tmp_path):
    reference = (grade.release_module.REPOSITORY / "custom/gradient_check.py").read_text()
    target = tmp_path / "subs" / "dave" / "custom" / "gradient_check.py"
    target.parent.mkdir(parents=True)
    target.write_text("import time\ntime.sleep(600)\n" + reference)
    started = time.perf_counter()
    graded = grade.grade(tmp_path / "subs", tmp_path / "out", ["gradient_check"], timeout=1)
    assert time.perf_counter() - started < 60
    checks = graded["dave"][0].checks
    assert sum(check.points for check in checks) == 0
    assert all("time limit of 1 s" in check.feedback for check in checks)
