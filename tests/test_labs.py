"""Every lab runs end to end in quick mode, with a seed that is not the default and one
flag changed, writes its figures under --out, and tells the truth about its own numbers.

What a lab states (which rate won, whether two runs agree, …) is recorded beside the numbers
it was built from in ``outcomes.json`` (``lab.reveal`` and ``lab.record``). For each lab,
``tests/lab_outcomes/NAME.py`` names the flag to change (``FLAGS``) and checks the
statements against the numbers (``check(outcomes)``): the computed values, not the wording.
The run predicts nothing and withholds every reveal (``--reveal answered``, as "Run all" in a
student notebook does); the answers are recorded all the same, and
tests/test_withheld_answers.py reads the same run (the session fixture
``labs_at_test_labs_settings``, tests/conftest.py) for what it printed before each reveal.
"""

import json

import keras
import pytest

from labs import __main__ as front_door
from labs.machinery import catalog, classroom
from tests import _figures
from tests._lab_run import AS_THE_CLASS_RUNS_THEM, SEED, outcome_check

# Quick mode is what the class plans run: with the default seed and no flag changed, the
# labs whose quick-mode text depends on the data are checked a second time. Every lab a
# second time would add about 200 s of lab time (README's table; the sum of its quick-mode
# times), far more than a minute, so only these: their statements name a winner, a
# stopping epoch or a verdict read from curves that a seed can change. The labs whose
# text is fixed by construction (tables of formulas, exact agreements) are left out.
SECOND_SEED = 0
SECOND_SEED_LABS = ["lr_finder", "early_stopping", "schedules", "diagnostics", "debugging"]


def flags_applied(flags, hyperparameters):
    """Each ``--name value`` of ``flags`` that sets one value, and the value the lab ran with."""
    pairs = []
    for at, flag in enumerate(flags):
        following = flags[at + 1:at + 3]
        if not flag.startswith("--") or not following or following[0].startswith("--"):
            continue
        if len(following) == 2 and not following[1].startswith("--"):
            continue   # A flag with several values (a list): compared by its own check.
        pairs.append((flag, following[0], hyperparameters[flag[2:].replace("-", "_")]))
    return pairs


def test_flags_applied_reads_single_values_and_skips_lists_and_switches():
    hyperparameters = {"optimizer": "adam", "patience": 2, "batch_sizes": [1, 16],
                       "multi_worker": True, "factor": 0.5}
    flags = ["--optimizer", "adam", "--batch-sizes", "1", "16", "--multi-worker",
             "--patience", "2", "--factor", "0.5"]
    assert flags_applied(flags, hyperparameters) == [
        ("--optimizer", "adam", "adam"), ("--patience", "2", 2), ("--factor", "0.5", 0.5)]


def same_value(given, used):
    if isinstance(used, bool) or not isinstance(used, (int, float)):
        return str(used) == given
    return float(given) == used


@pytest.mark.slow
@pytest.mark.parametrize("name", catalog.names())
def test_lab_runs_in_quick_mode_and_its_statements_agree_with_its_numbers(
        name, labs_at_test_labs_settings):
    checks = outcome_check(name)
    assert checks.FLAGS, f"{name}: change at least one flag"
    run = labs_at_test_labs_settings(name)
    outcomes = check_run(name, SEED, checks, run.status, run.out, run.figures)
    for flag, given, used in flags_applied(checks.FLAGS, outcomes["hyperparameters"]):
        assert same_value(given, used), f"{name}: {flag} {given} ran as {used!r}"
    for prediction in outcomes["predictions"].values():   # --reveal answered, none predicted.
        assert prediction["predicted"] is None and prediction["shown"] is False


# Second-seed runs that another module also makes, exactly so (quick mode, seed 0, no flag):
# the lab → the session fixture (tests/conftest.py) that runs it once, in a fresh process, as
# the class does, for both. tests/conftest.py sends such a test with that module's tests.
SHARED_CLASS_RUNS = {"debugging": "debugging_as_the_class_runs_it"}
# AS_THE_CLASS_RUNS_THEM (early_stopping, schedules) are read from the student edition's run
# of every lab before any task is written (``twin_labs_in_the_adam_edition``; quick mode,
# seed 0, no flag, in one fresh process), where they run on the tasks' trusted twins, which
# equal the tasks' code to float precision: the claim holds where students run them.


@pytest.mark.slow
@pytest.mark.parametrize("name", SECOND_SEED_LABS)
def test_lab_in_quick_mode_as_the_class_runs_it_says_what_its_numbers_say(name, tmp_path,
                                                                         monkeypatch, request):
    if name in SHARED_CLASS_RUNS:
        run = request.getfixturevalue(SHARED_CLASS_RUNS[name])
        assert run.status == 0, run.stderr[-2000:]
        check_run(name, SECOND_SEED, outcome_check(name), run.status, run.out, run.figures)
        return
    if name in AS_THE_CLASS_RUNS_THEM:
        edition = request.getfixturevalue("twin_labs_in_the_adam_edition")
        status, _ = edition.labs.get(name, ("never started", []))
        assert status == "0", edition.finished.stderr[-2000:]
        check_run(name, SECOND_SEED, outcome_check(name), 0, edition.folder / name,
                  edition.figures(name))
        return
    run_and_check(name, SECOND_SEED, outcome_check(name), [], tmp_path, monkeypatch)


def run_and_check(name, seed, checks, flags, tmp_path, monkeypatch):
    """Run the lab in quick mode with ``seed`` and ``flags``; check its figures and statements."""
    saved = _figures.record_saved(monkeypatch)
    out = tmp_path / name
    status = front_door.run_lab(name, ["--quick", "--seed", str(seed), *flags,
                                       "--out", str(out)])
    keras.backend.clear_session()
    return check_run(name, seed, checks, status, out, _figures.facts(saved))


def check_run(name, seed, checks, status, out, figure_facts):
    """Check a finished run: its exit status, the figures in ``out`` against ``figure_facts``
    (``_figures.facts``: what each saved figure draws), and its statements."""
    assert status == 0
    figures = sorted(out.glob("*.png"))
    assert figures, f"{name} wrote no figure to {out}"
    assert {path for path, _, _ in figure_facts} == {figure.name for figure in figures}
    for path, draws, titled in figure_facts:  # What is drawn: data in a panel, and a title.
        assert draws, f"{path} draws nothing"
        assert titled, f"{path} has no title"

    outcomes = json.loads((out / "outcomes.json").read_text(encoding="utf-8"))
    assert outcomes["failed_checks"] == []
    assert outcomes["hyperparameters"]["seed"] == seed
    asked = classroom.predictions(classroom.lab_source(name))
    assert sorted(outcomes["predictions"], key=int) == [str(number) for number in asked]
    checks.check(outcomes)
    assert_a_wrong_answer_key_is_caught(name, checks, outcomes)
    return outcomes


def assert_a_wrong_answer_key_is_caught(name, checks, outcomes):
    """The outcome check derives each answer key from the numbers, not from the lab's own
    verdict: a lab that printed any other choice as the answer would fail it."""
    for number, prediction in outcomes["predictions"].items():
        answer, choices = prediction.get("answer"), prediction.get("choices") or {}
        if not isinstance(answer, str) or len(choices) < 2:
            continue   # Numeric questions, or several right letters: checked by value.
        wrong = next(letter for letter in sorted(choices) if letter != answer)
        corrupted = json.loads(json.dumps(outcomes))
        corrupted["predictions"][number]["answer"] = wrong
        with pytest.raises(AssertionError):
            checks.check(corrupted)


def test_run_all_reports_a_failing_lab(monkeypatch, capsys):
    calls = []

    def fake_run(name, flags):
        calls.append((name, flags))
        if name == "tour":
            raise RuntimeError("boom")
        return 0

    monkeypatch.setattr(front_door, "run_lab", fake_run)
    monkeypatch.setattr(keras.backend, "clear_session", lambda: None)  # Nothing to clear here.
    assert front_door.run_all(["--out", "somewhere"]) == 1
    assert calls[0] == ("tour", ["--out", "somewhere/tour"])
    assert "FAILED" in capsys.readouterr().out
