"""Shared test set-up: a headless matplotlib, a quiet TensorFlow on two logical CPUs, and how
tests share workers.

The suite runs on one worker per core (pytest-xdist, ``-n auto --dist loadscope`` in
pytest.ini). A module- or class-scoped fixture is built once per worker that runs one of
its module's tests; for an expensive one (a whole lab run, a student edition) that would
be paid on every worker. So the tests of a module that defines such a fixture are one
unit of work, sent to one worker; the tests of every other module are independent and
are spread one by one (each lab run of ``test_labs.py`` on whichever worker is free).
A test that uses a run made for another module's tests (``JOINS``) goes with that module,
and the two tests that read one lab's run at tests/test_labs.py's settings go together
(``AT_TEST_LABS_SETTINGS``), so each run is made once. The modules that hold a slow test
are handed out first (``slow_first``), so that the workers do not end on one long test
each, one after the other.
"""

import gc
import os
import pathlib
import re

import pytest

from labs.machinery import catalog

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
# A fixture that outlives one test and is built per worker: @pytest.fixture(scope="module"),
# or "class". (Session fixtures are built once per worker whatever the grouping.)
SHARED_SCOPE = re.compile(r"""scope\s*=\s*["'](module|class)["']""")


def shares_a_fixture(module_path):
    """True when the test module at ``module_path`` (relative to the repository) defines a
    module- or class-scoped fixture, read from its source."""
    path = ROOT / module_path
    return path.is_file() and bool(SHARED_SCOPE.search(path.read_text(encoding="utf-8")))


# Tests that use a run another module's tests are built on (a session fixture below): each is
# sent with that module, so that the run is made once, on one worker.
AS_THE_CLASS_RUNS_IT = ("tests/test_labs.py::"
                       "test_lab_in_quick_mode_as_the_class_runs_it_says_what_its_numbers_say")
JOINS = {
    f"{AS_THE_CLASS_RUNS_IT}[debugging]": "tests/test_debugging_lab.py",
    # The student edition's run of every lab that uses a task (twin_labs_in_the_adam_edition).
    f"{AS_THE_CLASS_RUNS_IT}[early_stopping]": "tests/test_editions.py",
    f"{AS_THE_CLASS_RUNS_IT}[schedules]": "tests/test_editions.py",
    # The tour in quick mode with --tensorboard (tour_as_the_class_runs_it).
    "tests/test_tensorboard.py::test_a_lab_run_with_the_flag_leaves_a_run_folder_per_fit":
        "tests/test_tour.py",
    # The instructor's side of the tour with every task answered is that run too.
    "tests/test_editions.py::"
    "test_with_every_task_answered_the_labs_print_the_instructors_numbers": "tests/test_tour.py",
}
# The modules whose tests read the one kernel session (one_kernel_session): one unit.
KERNEL_SESSION_MODULES = ("tests/test_notebooks.py", "tests/test_predictions.py",
                          "tests/test_sessions.py")
# The two tests that read one lab's run at tests/test_labs.py's settings
# (labs_at_test_labs_settings): they go together, one unit per lab.
AT_TEST_LABS_SETTINGS = re.compile(
    r"tests/(?:test_labs\.py::"
    r"test_lab_runs_in_quick_mode_and_its_statements_agree_with_its_numbers"
    r"|test_withheld_answers\.py::"
    r"test_run_all_without_predictions_prints_no_answer_before_its_reveal)\[(\w+)\]")


def work_unit(nodeid):
    """The unit of work a test is sent in: the module it joins (JOINS), the lab whose run at
    tests/test_labs.py's settings it reads (AT_TEST_LABS_SETTINGS), the modules that read the
    one kernel session (KERNEL_SESSION_MODULES), its module if the module shares a fixture,
    else the test alone."""
    if nodeid in JOINS:
        return JOINS[nodeid]
    lab = AT_TEST_LABS_SETTINGS.fullmatch(nodeid)
    if lab:
        return f"{lab.group(1)} at tests/test_labs.py's settings"
    module_path = nodeid.split("::")[0]
    if module_path in KERNEL_SESSION_MODULES:
        return "the one kernel session"
    return module_path if shares_a_fixture(module_path) else nodeid


@pytest.fixture(scope="session")
def debugging_as_the_class_runs_it(tmp_path_factory):
    """The debugging lab in quick mode at its default seed, in a fresh process as a class runs
    it (``tests/_lab_run.py``), every warning shown once: tests/test_debugging_lab.py reads
    its verdicts and its screen, tests/test_labs.py its statements and figures (30 s or more
    of lab time, made once)."""
    from tests import _lab_run

    environment = {**os.environ, "PYTHONWARNINGS": "default"}  # Show every warning once.
    return _lab_run.run("debugging", ["--quick"], tmp_path_factory.mktemp("debugging_class"),
                        env=environment)


@pytest.fixture(scope="session")
def adam_edition(tmp_path_factory):
    """A student edition with adam handed out and every other task held (tests/test_editions.py)."""
    from assignments import release

    edition = tmp_path_factory.mktemp("adam") / "edition"
    release.release(edition, tasks=["adam"], allow_dirty=True)
    return edition


@pytest.fixture(scope="session")
def twin_labs_in_the_adam_edition(adam_edition, tmp_path_factory):
    """The tour and every lab that uses a task, run in ``adam_edition`` before the student
    writes anything, in one process (``tests/_lab_run.before_any_task_is_written``), then
    the check of adam in it: tests/test_editions.py reads that each runs and what the check
    says, tests/test_labs.py the statements and figures of the two it runs as the class does
    (made once for both)."""
    from tests import _lab_run

    return _lab_run.before_any_task_is_written(adam_edition, tmp_path_factory.mktemp("twin_labs"),
                                               check="adam")


@pytest.fixture(scope="session")
def labs_at_test_labs_settings(tmp_path_factory):
    """``run(name)``: lab ``name`` in quick mode at tests/test_labs.py's seed and flags with
    ``--reveal answered`` (``tests/_lab_run.at_test_labs_settings``), made on the first call
    and kept: tests/test_labs.py checks its statements and figures, and
    tests/test_withheld_answers.py what it printed before each reveal."""
    from tests import _lab_run

    runs = {}

    def run(name):
        if name not in runs:
            runs[name] = _lab_run.at_test_labs_settings(name, tmp_path_factory.mktemp(name))
        return runs[name]

    return run


@pytest.fixture(scope="session")
def tour_as_the_class_runs_it(tmp_path_factory):
    """The tour in quick mode at its default seed and flags (adam), in this process, with
    ``--tensorboard``: tests/test_tour.py reads its outcomes and CSVs (in ``out``),
    tests/test_tensorboard.py its run folders (in ``logs``), tests/test_editions.py its
    outcomes as the instructor's, beside a student edition's run with the same ``flags``;
    made once for all three."""
    from tests import _lab_run

    folder = tmp_path_factory.mktemp("tour")
    flags = ["--quick", "--tensorboard", str(folder / "logs")]
    run = _lab_run.in_process("tour", flags, folder)
    run.logs, run.flags = folder / "logs", flags
    return run


@pytest.fixture(scope="session")
def one_kernel_session(tmp_path_factory):
    """The notebooks of tests/test_notebooks.py, tests/test_predictions.py and
    tests/test_sessions.py, run one part after the other in one real kernel
    (``tests/_kernel_session.py``): one kernel start for the three."""
    from tests import _kernel_session

    return _kernel_session.run(tmp_path_factory.mktemp("one_kernel_session"))


# The logical CPU devices TensorFlow starts with where tests run: the most any lab splits the
# CPU into (catalog.LOGICAL_CPUS; 2, data_parallel's replicas). TensorFlow allows the split
# only before it starts its devices; with it, the two-replica tests and the data_parallel lab
# run their replicas in the test's own process instead of in a fresh Python that imports
# TensorFlow again (about 7 s of CPU each). An op placed on no device still runs on /cpu:0,
# so no other test's numbers change.
LOGICAL_CPUS = max(catalog.LOGICAL_CPUS.values())


def pytest_configure(config):
    """Import TensorFlow quietly, with ``LOGICAL_CPUS`` CPU devices, where tests run: in each
    xdist worker, or in the one process of ``-n 0``. The xdist controller only hands out
    tests, and its import (5-10 s on 2 cores) would delay every worker's start."""
    controller = config.getoption("numprocesses", None) and not hasattr(config, "workerinput")
    if not controller:
        from custom import quiet_import

        quiet_import.import_tensorflow_quietly(LOGICAL_CPUS)


def pytest_collection_finish(session):
    """Freeze what collection left alive (TensorFlow, Keras, the test modules: some 400 000
    objects) where tests run, so that no later garbage collection walks it again. Without
    it, ``keras.backend.clear_session``'s collection took 0.3 s a test on a fresh worker and
    39 s once late in a run; the layers and training tests took 27.6 s instead of 14.6 s."""
    controller = (session.config.getoption("numprocesses", None)
                  and not hasattr(session.config, "workerinput"))
    if not controller:
        gc.collect()
        gc.freeze()


def slow_first(items):
    """The tests in the order they are handed out: the modules that hold a test marked slow
    first, then the others; each module's tests keep their order, and the modules theirs.
    The two workers start on the long runs and fill the end with short tests, rather than
    one of them running a long one alone at the end."""
    def module(item):
        return item.nodeid.split("::")[0]

    slow = {module(item) for item in items if item.get_closest_marker("slow") is not None}
    return sorted(items, key=lambda item: module(item) not in slow)


def pytest_collection_modifyitems(config, items):
    items[:] = slow_first(items)


@pytest.hookimpl(optionalhook=True)  # A hook of pytest-xdist: unknown without it.
def pytest_xdist_make_scheduler(config, log):
    """With --dist loadscope: group by ``work_unit`` instead of by module for every test."""
    if config.getvalue("dist") != "loadscope":
        return None  # Any other --dist: xdist's own scheduler.
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):  # xdist's documented point to override.
            return work_unit(nodeid)

    return SharedFixtureScheduling(config, log)


# A task held back from a student edition raises "HELD <task>: …" where its code was
# (markers.parse_held reads it); its tests are not the student's to pass, so they are
# reported as skipped, not failed.


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    from assignments import markers

    held = markers.parse_held(call.excinfo.value) if call.excinfo is not None else None
    if report.failed and held is not None:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0,
                           f"Skipped: task {held!r} is not part of this edition")
