# ASSIGNMENTS: INSTRUCTOR ONLY (it copies the tasks' solutions back into a student edition)
"""Every lab runs in every edition: released editions run the labs on the tasks' twins, and
with the tasks answered they print the instructor's numbers.

One edition is released for the test session (``adam_edition``, tests/conftest.py), with
adam handed out and every other task held; the tests run labs in it (or in a copy) as a
student would, in subprocesses, in quick mode with flags that keep them small. Labs that run
in the same folder run one after another in one subprocess through the front door
(``_lab_run.labs_in_one_process``), as ``python -m labs --all`` runs them, so TensorFlow is
imported once per folder rather than once per lab; each lab's exit status, printed lines and
figures are reported separately. The instructor's side of a comparison is this repository,
whose labs run in the test's own process (``_lab_run.in_process``), TensorFlow being
imported there already; the tour's is the run tests/test_tour.py reads
(``tour_as_the_class_runs_it``, tests/conftest.py, which sends that test with that
module's), and the student's tour runs with its flags. The run of every lab before any task
is written also serves tests/test_labs.py's checks of early_stopping and schedules as the
class runs them, and its process checks adam after the labs.
"""

import json
import shutil
import subprocess
import sys

import pytest

from assignments import editions, markers, release
from assignments import tasks as task_table
from tests import _lab_run
from tests._lab_run import TWIN_LABS

REPOSITORY = release.REPOSITORY
# Lab → flags that keep it short, for the runs with every task answered. The tour uses
# adam, schedules and early_stopping, and runs with tour_as_the_class_runs_it's flags
# (quick mode, --tensorboard); gradient_clipping uses gradient_clipping, losses and backprop.
SHORT = {"gradient_clipping": ["--epochs", "2"]}


def start(folder, *command):
    return subprocess.Popen([sys.executable, *command], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=_lab_run.edition_environment())


def finish(process, timeout=300):
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run(folder, *command):
    return finish(start(folder, *command))


@pytest.fixture(scope="module")
def before_any_task_is_written(twin_labs_in_the_adam_edition):
    """The tour and every lab of TWIN_LABS, run in the adam edition before the student writes
    anything, in one process (``_lab_run.before_any_task_is_written``), then the check of
    adam there: tests/test_labs.py checks two of the labs as the class runs them, so
    tests/conftest.py makes it once for both."""
    return twin_labs_in_the_adam_edition


@pytest.mark.slow
def test_an_edition_with_adam_handed_out_runs_the_tour_on_the_twins(adam_edition,
                                                                    before_any_task_is_written):
    edition = adam_edition
    assert editions.stub_states(edition)["adam"] == "unwritten"
    finished, ran = before_any_task_is_written.finished, before_any_task_is_written.labs
    status, lines = ran["tour"]
    assert status == "0", finished.stderr[-3000:]
    assert "adam: using keras.optimizers.Adam until the task is written" in lines
    assert ("schedules: using keras.optimizers.schedules.CosineDecay (the task is not part of "
            "this edition)") in lines
    assert ("early_stopping: using keras.callbacks.EarlyStopping (the task is not part of this "
            "edition)") in lines
    assert sum("using" in line for line in lines) == 3     # One line per task, once.
    commands = {"list": ("-m", "assignments", "list"),   # Three commands side by side.
                "export": ("-c", "from labs.machinery import notebooks; print(*sorted(path.stem "
                                 "for path in notebooks.export_tasks('task_notebooks')))"),
                "held": ("-m", "assignments", "check", "losses")}
    started = {key: start(edition, *command) for key, command in commands.items()}
    listed, exported, held = (finish(started[key]) for key in commands)
    # The check of adam ran in the labs' process after them (the command line's main).
    todo_status, todo_lines = ran["check:adam"]
    listed = listed.stdout.splitlines()
    held_tasks = [line.split()[0] for line in listed
                  if line.endswith("(held: not part of this edition)")]
    assert held_tasks == [name for name in task_table.TASKS if name != "adam"]
    assert exported.stdout.split() == ["adam"], exported.stderr[-2000:]   # No held task's.
    assert todo_status == "1" and any("TODO adam" in line for line in todo_lines), (
        finished.stderr[-3000:])
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
def test_with_every_task_answered_the_labs_print_the_instructors_numbers(
        adam_edition, tour_as_the_class_runs_it, tmp_path):
    edition = shutil.copytree(adam_edition, tmp_path / "edition")
    assert set(editions.stub_states(edition)) == set(task_table.TASKS)
    answer_every_task(edition)   # The handed-out task, and the held ones too.
    assert editions.stub_states(edition) == {}
    # The student's labs run one after another in one process in the edition; the
    # instructor's, this repository's, in this process (TensorFlow is imported here already),
    # with the same flags: the tour's run is the one tests/test_tour.py reads, with its flags
    # (its TensorBoard folder aside: the student's goes to tmp_path); gradient_clipping runs
    # meanwhile.
    tour = tour_as_the_class_runs_it
    flags = {"tour": [str(tmp_path / "logs") if flag == str(tour.logs) else flag
                      for flag in tour.flags],
             **{name: ["--quick", *short] for name, short in SHORT.items()}}
    assert "--tensorboard" in flags["tour"] and str(tour.logs) not in flags["tour"]
    process = _lab_run.labs_in_one_process(edition, [
        (name, [*flags[name], "--out", str(tmp_path / "student" / name)]) for name in flags],
        _lab_run.edition_environment())
    try:
        instructor = {"tour": tour, **{name: _lab_run.in_process(name, flags[name],
                                                                 tmp_path / "instructor")
                                       for name in SHORT}}
    finally:
        finished = finish(process, timeout=600)
    student = _lab_run.each_lab(finished)
    assert finished.returncode == 0, finished.stderr[-2000:]
    for name in flags:
        assert student[name][0] == "0" and instructor[name].status == 0, (
            name, finished.stderr[-2000:])
        assert not any(" until the task is written" in line for line in student[name][1])
        assert outcomes(tmp_path / "student" / name) == outcomes(instructor[name].out)
        assert outcomes(tmp_path / "student" / name)["predictions"], name
    assert " until the task is written" not in finished.stdout


@pytest.mark.slow
def test_the_editions_own_tests_fail_an_unwritten_task_and_skip_a_held_one(adam_edition):
    """The student edition's test suite reports the tests of a handed-out task that is not
    written yet (adam) as failed, with its TODO, and a held task's (losses) as skipped, not
    failed (tests/conftest.py); one run of both."""
    result = run(adam_edition, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-rs",
                 "tests/test_tasks.py", "tests/test_losses.py", "-k", "adam or losses")
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in summary and "skipped" in summary and "error" not in summary, summary
    assert "TODO adam" in result.stdout
    assert "task 'losses' is not part of this edition" in result.stdout


@pytest.mark.slow
def test_every_lab_that_uses_a_task_runs_before_the_student_writes_anything(
        before_any_task_is_written):
    # One process, as python -m labs --all runs them, to import TensorFlow once.
    finished, ran = before_any_task_is_written.finished, before_any_task_is_written.labs
    statuses = {name: ran[name][0] if name in ran else "never started" for name in TWIN_LABS}
    assert statuses == {name: "0" for name in TWIN_LABS}, finished.stderr[-3000:]
    assert finished.returncode == 0 and "Traceback" not in finished.stderr
    assert any("adam: using keras.optimizers.Adam until the task is written" in ran[name][1]
               for name in TWIN_LABS)   # Not only in the tour, which ran first.
    # TensorFlow started with one CPU, as in a notebook: data_parallel's two replicas ran in a
    # fresh Python (the suite's one run of that path; the test workers have two CPUs).
    assert ("TensorFlow has already started its devices in this process: the two-replica runs "
            "go to a fresh Python process.") in ran["data_parallel"][1]
