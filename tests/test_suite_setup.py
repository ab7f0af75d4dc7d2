"""The suite's own set-up (tests/conftest.py): the tests of a module that shares an expensive
fixture run on one xdist worker, so the fixture is built once; other tests spread out."""

import pathlib
import warnings

import pytest

import conftest

BUILT = []


@pytest.fixture(scope="module")
def shared():
    BUILT.append(1)
    return object()


def test_the_tests_of_a_module_with_a_shared_fixture_are_one_unit_of_work(request):
    here = request.node.nodeid.split("::")[0]
    assert conftest.shares_a_fixture(here)
    assert conftest.work_unit(f"{here}::test_one") == conftest.work_unit(f"{here}::test_two[1]")
    assert conftest.work_unit(f"{here}::test_one") == here


def test_the_tests_of_other_modules_are_spread_one_by_one():
    assert not conftest.shares_a_fixture("tests/test_labs.py")  # Each lab run stands alone.
    nodeid = "tests/test_labs.py::test_lab_runs_in_quick_mode[tour]"
    assert conftest.work_unit(nodeid) == nodeid


@pytest.mark.parametrize("source, shares", [
    ('@pytest.fixture(scope="module")\ndef run(): ...', True),
    ("@pytest.fixture(scope = 'class')\ndef run(): ...", True),
    ('@pytest.fixture(scope="session")\ndef run(): ...', False),  # Per worker anyway.
    ("@pytest.fixture\ndef run(tmp_path): ...", False),
], ids=["module", "class", "session", "function"])
def test_a_shared_fixture_is_found_in_the_source(source, shares, tmp_path, monkeypatch):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(conftest, "ROOT", tmp_path)
    assert conftest.shares_a_fixture("tests/test_x.py") is shares


def test_a_test_that_uses_another_modules_run_is_sent_with_that_module():
    """tests/test_labs.py's second-seed debugging run is the run test_debugging_lab.py shares
    (tests/conftest.py: debugging_as_the_class_runs_it), so it goes to that module's worker;
    its early_stopping and schedules checks read test_editions.py's run, so they go to that
    module's worker, and test_tensorboard.py's lab run is test_tour.py's."""
    from tests import _lab_run, test_labs

    for nodeid, module in conftest.JOINS.items():
        path, test = nodeid.split("::")
        function = test.split("[")[0]
        assert (ROOT / path).is_file() and (ROOT / module).is_file(), nodeid
        assert f"def {function}(" in (ROOT / path).read_text(encoding="utf-8"), nodeid
        assert conftest.shares_a_fixture(module)         # Its own tests are one unit, …
        assert conftest.work_unit(nodeid) == conftest.work_unit(f"{module}::test_x") == module
    joined = {nodeid.split("[")[1].rstrip("]") for nodeid in conftest.JOINS
              if nodeid.startswith("tests/test_labs.py::")}
    assert joined == set(test_labs.SHARED_CLASS_RUNS) | set(_lab_run.AS_THE_CLASS_RUNS_THEM)
    assert joined <= set(test_labs.SECOND_SEED_LABS)
    other = "tests/test_labs.py::test_lab_in_quick_mode_as_the_class_runs_it_says_what_its_" \
            "numbers_say[lr_finder]"
    assert conftest.work_unit(other) == other            # … the other runs still stand alone.


def test_the_two_tests_that_read_one_labs_run_at_test_labs_settings_are_one_unit():
    """tests/test_labs.py and tests/test_withheld_answers.py read one run per lab
    (tests/conftest.py: labs_at_test_labs_settings): one unit per lab, apart from the others."""
    labs = ("tests/test_labs.py::"
            "test_lab_runs_in_quick_mode_and_its_statements_agree_with_its_numbers")
    withheld = ("tests/test_withheld_answers.py::"
                "test_run_all_without_predictions_prints_no_answer_before_its_reveal")
    assert conftest.work_unit(f"{labs}[tour]") == conftest.work_unit(f"{withheld}[tour]")
    assert conftest.work_unit(f"{labs}[tour]") != conftest.work_unit(f"{labs}[nesterov]")
    assert conftest.work_unit(f"{labs}[tour]") not in (f"{labs}[tour]", "tests/test_labs.py")


class _Item:
    def __init__(self, nodeid, slow):
        self.nodeid, self.slow = nodeid, slow

    def get_closest_marker(self, name):
        return object() if name == "slow" and self.slow else None


def test_modules_with_slow_tests_are_handed_out_first_each_in_its_own_order():
    items = [_Item("a.py::one", False), _Item("b.py::one", False), _Item("b.py::two", True),
             _Item("c.py::one", False), _Item("d.py::one", True), _Item("d.py::two", False)]
    assert [item.nodeid for item in conftest.slow_first(items)] == [
        "b.py::one", "b.py::two", "d.py::one", "d.py::two", "a.py::one", "c.py::one"]


def test_this_session_collected_the_modules_with_slow_tests_first(request):
    modules = [item.nodeid.split("::")[0] for item in request.session.items]
    slow = {item.nodeid.split("::")[0] for item in request.session.items
            if item.get_closest_marker("slow") is not None}
    first = [module in slow for module in dict.fromkeys(modules)]
    assert first == sorted(first, reverse=True)
    assert modules == sorted(modules, key=modules.index)   # No module's tests split up.


def test_the_group_shares_one_build_of_the_fixture(shared):
    assert len(BUILT) == 1  # Every test of this module ran in this worker, on one build.


def test_the_modules_that_share_a_fixture_are_found():
    tests = pathlib.Path(conftest.__file__).parent
    found = {path.name for path in tests.glob("test_*.py")
             if conftest.shares_a_fixture(f"tests/{path.name}")}
    assert {"test_debugging_lab.py", "test_suite_setup.py"} <= found


@pytest.mark.parametrize("module, shown", [
    ("google.protobuf.internal.builder", False), ("jupyter_client.session", False),
    ("tensorflow.python.framework", False), ("keras.src.backend", False),
    ("callbacks.live_plot", True), ("custom.training", True), ("labs.machinery.runtime", True),
    ("test_suite_setup", True),
])
def test_pytest_ini_hides_third_party_deprecations_and_shows_ours(module, shown):
    """Run under pytest.ini's filters, which pytest applies around every test."""
    with warnings.catch_warnings(record=True) as caught:  # Keeps the filters, records.
        warnings.warn_explicit("this API is going away", DeprecationWarning, "somewhere.py",
                               1, module=module)
        warnings.warn_explicit("this API will go away", PendingDeprecationWarning,
                               "somewhere.py", 2, module=module)
    assert len(caught) == (2 if shown else 0), [str(warning.message) for warning in caught]


class _Config:
    """The two things conftest.pytest_configure reads of a pytest config."""

    def __init__(self, numprocesses, worker):
        self.numprocesses = numprocesses
        if worker:
            self.workerinput = {"workerid": "gw0"}

    def getoption(self, name, default=None):
        return self.numprocesses if name == "numprocesses" else default


@pytest.mark.parametrize("numprocesses, worker, imports", [
    (2, False, False),    # The xdist controller: hands out tests, needs no TensorFlow.
    (2, True, True),      # A worker runs tests.
    (0, False, True),     # -n 0: one process runs everything.
    (None, False, True),  # Without pytest-xdist.
])
def test_tensorflow_is_imported_where_tests_run(numprocesses, worker, imports, monkeypatch):
    from custom import quiet_import

    calls = []
    monkeypatch.setattr(quiet_import, "import_tensorflow_quietly", calls.append)
    conftest.pytest_configure(_Config(numprocesses, worker))
    # With the logical CPUs of the lab that splits the most (data_parallel's two replicas).
    assert calls == ([conftest.LOGICAL_CPUS] if imports else [])
    assert conftest.LOGICAL_CPUS == 2


ROOT = pathlib.Path(__file__).resolve().parents[1]


def lower_bounds(path):
    """{package: lowest version} of a requirements file's ``>=`` and ``==`` lines."""
    bounds = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#")[0].strip()
        for operator in (">=", "=="):
            if operator in requirement:
                name, rest = requirement.split(operator, 1)
                bounds[name.strip().lower()] = rest.split(",")[0].strip()
    return bounds


def test_the_ci_tests_the_lowest_versions_requirements_allow():
    allowed = lower_bounds(ROOT / "requirements.txt")
    tested = lower_bounds(ROOT / ".ci" / "lowest-versions.txt")
    assert {"tensorflow", "keras", "numpy"} <= set(tested)
    for name, version in tested.items():
        # requirements.txt may write 2.18 for 2.18.0; the pinned version is its release.
        assert version.startswith(allowed[name]) and set(
            version[len(allowed[name]):].replace(".", "")) <= {"0"}, (name, version, allowed[name])
    core = [line for line in (ROOT / ".ci" / "core-tests.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert core and all((ROOT / path).is_file() for path in core)
    assert "core-tests.txt" in (ROOT / ".ci" / "run").read_text()
