# ASSIGNMENTS: INSTRUCTOR ONLY (it copies the tasks' solutions back into a student edition)
"""Every lab runs in every edition: released editions run the labs on the tasks' twins, and
with the tasks answered they print the instructor's numbers.

One edition is released for the module, with adam handed out and every other task held;
the tests run labs in it (or in a copy) as a student would, in subprocesses, in quick mode
with a few flags that keep them short.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from assignments import editions, markers, release
from assignments import tasks as task_table

REPOSITORY = release.REPOSITORY
# Lab → flags that keep it short. The tour uses adam, schedules and early_stopping;
# gradient_clipping uses gradient_clipping, losses and backprop.
SHORT = {"tour": ["--epochs", "3", "--warmup-epochs", "1"],
         "gradient_clipping": ["--epochs", "2"]}


@pytest.fixture(scope="module")
def adam_edition(tmp_path_factory):
    edition = tmp_path_factory.mktemp("adam") / "edition"
    release.release(edition, tasks=["adam"], allow_dirty=True)
    return edition


def start(folder, *command):
    environment = {**os.environ, "PYTHONPATH": "", "LABS_QUICK": "1"}
    return subprocess.Popen([sys.executable, *command], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment)


def finish(process, timeout=300):
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run(folder, *command):
    return finish(start(folder, *command))


@pytest.mark.slow
def test_an_edition_with_adam_handed_out_runs_the_tour_on_the_twins(adam_edition):
    edition = adam_edition
    assert editions.stub_states(edition)["adam"] == "unwritten"
    tour = run(edition, "-m", "labs", *SHORT["tour"])
    assert tour.returncode == 0, tour.stderr[-3000:]
    lines = tour.stdout.splitlines()
    assert "adam: using keras.optimizers.Adam until the task is written" in lines
    assert ("schedules: using keras.optimizers.schedules.CosineDecay (the task is not part of "
            "this edition)") in lines
    assert ("early_stopping: using keras.callbacks.EarlyStopping (the task is not part of this "
            "edition)") in lines
    assert sum("using" in line for line in lines) == 3     # One line per task, once.
    listed = run(edition, "-m", "assignments", "list").stdout.splitlines()
    held = [line.split()[0] for line in listed if line.endswith("(held: not part of this edition)")]
    assert held == [name for name in task_table.TASKS if name != "adam"]
    exported = run(edition, "-c", "from labs.machinery import notebooks; print(*sorted(path.stem for "
                                  "path in notebooks.export_tasks('task_notebooks')))")
    assert exported.stdout.split() == ["adam"], exported.stderr[-2000:]   # No held task's.
    todo = run(edition, "-m", "assignments", "check", "adam")
    assert todo.returncode == 1 and "TODO adam" in todo.stdout
    held = run(edition, "-m", "assignments", "check", "losses")
    assert held.returncode == 2
    assert held.stderr.strip().splitlines()[-1] == (
        "python -m assignments: error: task 'losses' is not part of this edition (it is held: "
        "its code is absent and the labs use its trusted twin)")


def answer_every_task(edition):
    """Copy each task's reference code back into the student edition, as a class that
    answered everything correctly would."""
    for path in release.repository_files():
        if not path.endswith(".py"):
            continue
        text = (REPOSITORY / path).read_text(encoding="utf-8")
        if (markers.is_instructor_only(text)
                or not any(region.task in task_table.TASKS
                           for region in markers.regions(text, path))):
            continue
        (edition / path).write_text(markers.student_text(text, path, set()), encoding="utf-8")


def outcomes(folder):
    recorded = json.loads((folder / "outcomes.json").read_text(encoding="utf-8"))
    return {key: recorded[key] for key in ("predictions", "records", "failed_checks")}


@pytest.mark.slow
def test_with_every_task_answered_the_labs_print_the_instructors_numbers(adam_edition,
                                                                        tmp_path):
    edition = shutil.copytree(adam_edition, tmp_path / "edition")
    assert set(editions.stub_states(edition)) == set(task_table.TASKS)
    answer_every_task(edition)   # The handed-out task, and the held ones too.
    assert editions.stub_states(edition) == {}
    runs = {}
    for name, flags in SHORT.items():   # The two editions of one lab run side by side.
        student, instructor = (start(folder, "-m", "labs", name, *flags, "--out",
                                     str(tmp_path / side / name))
                               for side, folder in (("student", edition),
                                                    ("instructor", REPOSITORY)))
        runs[name] = (finish(student), finish(instructor))
    for name, (student, instructor) in runs.items():
        assert student.returncode == instructor.returncode == 0, student.stderr[-2000:]
        assert " until the task is written" not in student.stdout
        assert outcomes(tmp_path / "student" / name) == outcomes(tmp_path / "instructor" / name)
        assert outcomes(tmp_path / "student" / name)["predictions"], name


@pytest.mark.slow
def test_the_editions_own_tests_skip_a_held_task(adam_edition):
    """The student edition's test suite reports a held task's tests as skipped, not failed
    (tests/conftest.py); a handed-out task's still fail (test_assignments_release.py)."""
    result = run(adam_edition, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-rs",
                 "tests/test_losses.py")
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout[-2000:]
    assert "skipped" in summary and "failed" not in summary, summary
    assert "task 'losses' is not part of this edition" in result.stdout


# The labs that pick a task's code or its twin (labs/machinery/twins.py), besides the tour above.
TWIN_LABS = ("curvature", "nesterov", "fit_vs_tape", "lr_finder", "optimizers", "schedules",
             "data_parallel", "loss_functions", "backprop", "minibatch", "training_loop",
             "xor_keras", "gradient_clipping", "early_stopping", "normalization",
             "regularization")


@pytest.mark.slow
def test_every_lab_that_uses_a_task_runs_before_the_student_writes_anything(adam_edition,
                                                                            tmp_path):
    # One process, as python -m labs --all runs them, to import TensorFlow once.
    script = ("import sys, keras\nfrom labs import __main__ as front_door\nfailed = []\n"
              f"for name in {TWIN_LABS!r}:\n"
              f"    status = front_door.run_lab(name, ['--quick', '--out', "
              f"{str(tmp_path)!r} + '/' + name])\n"
              "    keras.backend.clear_session()\n"
              "    print(f'LAB {name} {status}', flush=True)\n"
              "    failed += [name] if status else []\n"
              "sys.exit(1 if failed else 0)\n")
    finished = finish(start(adam_edition, "-c", script), timeout=900)
    statuses = dict(line.split()[1:] for line in finished.stdout.splitlines()
                    if line.startswith("LAB "))
    assert statuses == {name: "0" for name in TWIN_LABS}, finished.stderr[-3000:]
    assert finished.returncode == 0 and "Traceback" not in finished.stderr
    assert "adam: using keras.optimizers.Adam until the task is written" in finished.stdout
