# ASSIGNMENTS: INSTRUCTOR ONLY (it names the cause of each run of the debugging lab)
"""The debugging lab's broken runs get the verdicts its lesson is built around, and the fixes
repair them. One quick-mode run (default seed 0, seeded, so the labels are stable) is shared
by every test; the labels are read back from the CSVs the lab wrote, through ``classify``.

The run is a subprocess, so that its captured output is what a class sees on the screen:
no Keras warnings, no TensorFlow retracing warnings, no negative share of the way up. It is
the session fixture ``debugging_as_the_class_runs_it`` (tests/conftest.py), which
tests/test_labs.py checks too, so the lab runs once for both.

The reasons behind each expected label, with the margins measured when the cases were chosen
(quick mode, seed 0), are in the comments; ``labs/helpers/debugging_cases.py`` has the recipes.
"""

import json
import math
import re
import string
import sys

import pytest

from callbacks.diagnostics import classify
from labs.helpers import debugging_cases, debugging_recipes as recipes

BROKEN = {
    "A": "UNDERFITTING",  # Raw inputs (std up to ~600): epoch 1's loss ~3650, then flat at
                          # chance; the loss never rises again, so it is no blow-up.
    "B": "UNDERFITTING",  # Shuffled labels: training accuracy ~58 %, 17 % of the way up.
    "C": "DIVERGING",     # η = 1.5 > 1 on a standardised line fit: inf by epoch 5.
    "D": "UNDERFITTING",  # Logits into a probability loss: ~24 % accuracy on 10 classes.
    "E": "UNDERFITTING",  # L2 λ = 1: epoch 1 is mostly penalty (13× the end); the loss
                          # falls every epoch to ln 2 and stays there, at chance.
    "F": "UNDERFITTING",  # A line on two rings: accuracy at chance.
    "G": "UNDERFITTING",  # The rate is 0 from the second epoch: stuck at chance (49.3 %,
                          # 0.7 points under it).
}
FIXED = {
    "A": "STILL_IMPROVING",  # Plain SGD at 0.01 on standardised inputs: ~3 % better per epoch.
    "B": "CONVERGED", "C": "CONVERGED", "D": "CONVERGED", "E": "CONVERGED",
    "F": "CONVERGED", "G": "CONVERGED",
}


@pytest.fixture(scope="module")
def run(debugging_as_the_class_runs_it):
    """The run tests/test_labs.py also checks (tests/conftest.py makes it once)."""
    finished = debugging_as_the_class_runs_it
    assert finished.status == 0, finished.stderr[-2000:]
    outcomes = json.loads((finished.out / "outcomes.json").read_text(encoding="utf-8"))
    return finished.out, outcomes, finished.output


def label(out, name, num_classes):
    return classify(out / f"run_{name}.csv", num_classes=num_classes).label


@pytest.mark.slow
def test_each_broken_run_gets_its_verdict_and_its_fix_the_healthy_one(run):
    out, outcomes, _ = run
    runs = debugging_cases.runs(None)
    assert sorted(BROKEN) == [run.letter for run in runs]
    for case in runs:
        classes = outcomes["records"][f"verdict {case.letter}"]["num_classes"]
        assert label(out, case.letter, classes) == BROKEN[case.letter], case.cause
        assert label(out, f"{case.letter}_fixed", classes) == FIXED[case.letter], case.cause
    assert outcomes["predictions"]["1"]["numbers"]["labels"] == BROKEN
    assert outcomes["predictions"]["3"]["numbers"]["fixed_labels"] == FIXED


@pytest.mark.slow
def test_the_output_shows_no_warnings_and_no_negative_share_of_the_way_up(run):
    _, _, output = run
    assert "shuffle=True" not in output                 # Keras' UserWarning on a dataset.
    assert "UserWarning" not in output
    assert "retracing" not in output                    # TensorFlow's, one predict per model.
    assert "of the way" in output                       # The sentence is there, …
    assert not re.search(r"-\d+% of the way", output)   # … never with a negative share.
    assert "points below chance" in output              # Run G sits just under chance.


@pytest.mark.slow
def test_one_batch_tells_shuffled_labels_from_too_little_capacity(run):
    _, outcomes, _ = run
    numbers = outcomes["predictions"]["2"]["numbers"]
    batch_test = numbers["batch_test"]
    assert batch_test["B"]["batch accuracy"] >= 0.9      # Random labels can be memorised …
    assert batch_test["B"]["validation accuracy"] < 0.65  # … and teach nothing: chance is 0.5.
    assert batch_test["F"]["batch accuracy"] < 0.9       # A line cannot fit the rings at all.
    assert numbers["fitted"] == ["B"]


@pytest.mark.slow
def test_the_vital_signs_point_at_their_causes(run):
    _, outcomes, _ = run
    signs = outcomes["records"]["vital signs"]
    assert signs["Run A"]["largest feature std"] > 100     # Raw measurements …
    assert signs["Run A"]["dead ReLU share"] >= 0.5        # … whose first steps killed units.
    assert signs["Run D"]["output min"] < 0 or signs["Run D"]["output max"] > 1  # Logits.
    assert signs["Run F"]["parameters"] == 3              # w₁, w₂ and b: a line.
    assert signs["Run G"]["last learning rate"] == 0
    assert outcomes["failed_checks"] == []


@pytest.mark.slow
def test_the_strong_penalty_is_underfitting_at_chance_with_the_loss_at_ln_2(run):
    """Run E's loss starts far above a coin toss's ln 2 because it includes the penalty,
    then falls every epoch to ln 2: a loss that never rose is not DIVERGING."""
    _, outcomes, _ = run
    penalty = outcomes["records"]["strong penalty"]
    coin_toss = math.log(2.0)
    assert penalty["letter"] == "E"
    assert penalty["first_loss"] > 5 * coin_toss          # Epoch 1 is mostly penalty, …
    assert penalty["rose_by"] <= 0.01                     # … the loss never rises again …
    assert abs(penalty["last_loss"] / coin_toss - 1.0) < 0.01   # … and ends at ln 2, …
    assert abs(outcomes["records"]["vital signs"]["Run E"]["train accuracy"] - 0.5) < 0.05
    assert penalty["label"] == "UNDERFITTING"             # … at chance: underfitting.


def test_each_fix_changes_exactly_what_its_cause_broke():
    causes = [cause.cause for cause in debugging_cases.CAUSES]
    assert len(set(causes)) == len(causes) == 7
    for cause in debugging_cases.CAUSES:
        broken, fixed = cause.recipe(fixed=False), cause.recipe(fixed=True)
        assert {key for key in broken if broken[key] != fixed[key]} == set(cause.fix)
        assert set(cause.broken) == set(cause.fix)


def test_the_candidates_hold_every_cause_and_at_least_three_that_no_run_has():
    candidates = recipes.CANDIDATES
    causes = {cause.cause for cause in debugging_cases.CAUSES}
    assert list(candidates) == sorted(candidates) and len(set(candidates)) == len(candidates)
    assert causes <= set(candidates)
    assert len(set(candidates) - causes) >= 3
    assert recipes.STRONG_PENALTY in causes


def test_a_seed_deals_the_letters_and_the_instructor_keeps_a_fixed_order():
    fixed = debugging_cases.key(None)
    assert list(fixed.values()) == [cause.cause for cause in debugging_cases.CAUSES]
    assert list(fixed) == list(string.ascii_uppercase[:7])
    dealt = {seed: debugging_cases.key(seed) for seed in range(6)}
    for key in dealt.values():
        assert list(key) == list(fixed) and sorted(key.values()) == sorted(fixed.values())
    assert len({tuple(key.values()) for key in dealt.values()}) > 1    # Seeds differ, …
    assert debugging_cases.key(3) == debugging_cases.key(3)          # … each one stable.
    assert any(key != fixed for key in dealt.values())
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="seed must be None or an integer >= 0"):
            debugging_cases.order(bad)


def test_a_packed_runs_file_gives_back_the_runs_it_was_packed_from(tmp_path):
    runs = debugging_cases.runs(5)
    path = tmp_path / "runs.txt"
    path.write_text(recipes.pack(runs), encoding="utf-8")
    assert recipes.load_runs(path) == runs
    text = path.read_text(encoding="utf-8")
    for case in runs:                                  # Packed: no cause reads in it.
        assert case.cause not in text and case.fix_text not in text
    assert recipes.load_runs(tmp_path / "absent.txt") is None   # The instructor's.
    path.write_text("# header\nnot base64 at all!\n", encoding="utf-8")
    with pytest.raises(ValueError, match="is damaged"):
        recipes.load_runs(path)


def test_the_key_prints_for_a_seed_and_refuses_anything_else(capsys):
    from labs import __main__ as front_door

    assert front_door.main(["debugging", "--key", "--seed", "4"]) == 0
    printed = capsys.readouterr().out
    for case in debugging_cases.runs(4):
        assert f"Run {case.letter}: {case.cause}." in printed
    assert front_door.main(["debugging", "--key", "--seed", "x"]) == 2
    assert "--seed N" in capsys.readouterr().err


def test_without_the_instructors_module_the_key_is_refused_in_one_line(capsys, monkeypatch):
    import labs.helpers
    from labs import __main__ as front_door

    monkeypatch.delattr(labs.helpers, "debugging_cases")              # As in a student edition:
    monkeypatch.setitem(sys.modules, "labs.helpers.debugging_cases", None)   # no such module.
    assert front_door.main(["debugging", "--key"]) == 2
    assert capsys.readouterr().err.strip() == (
        "python -m labs: error: the debugging lab's key is in the instructor's edition only")


def test_the_one_batch_test_on_the_runs_model_matches_a_freshly_built_one(tmp_path):
    """The one-batch test sets the run's own model back to its untrained state instead of
    building a new one (its traced functions serve again): the numbers must be a new model's,
    and the run's trained model must come back as it was."""
    import types

    import numpy as np

    from labs.helpers import debugging_report as report

    lab = types.SimpleNamespace(seed=3, n_samples=80, epochs=2, batch_size=16,
                                path=lambda name: tmp_path / name,
                                fit_callbacks=lambda label, callbacks=None: list(callbacks or []))
    case = next(run for run in debugging_cases.runs(None) if run.cause == "labels shuffled")
    trained = report.train(lab, case, fixed=False, live_title="B", verbose=False)
    weights = [weight.numpy() for weight in trained["model"].weights]
    steps = (case.broken, 8, 30, lab.epochs, lab.batch_size, lab.seed)
    reused = report.fit_one_batch(steps[0], trained, *steps[1:])
    fresh = report.fit_one_batch(steps[0], {**trained, "recipe": None}, *steps[1:])
    assert reused == fresh
    assert 0.0 <= reused["batch accuracy"] <= 1.0
    for before, after in zip(weights, trained["model"].weights):
        np.testing.assert_array_equal(before, after.numpy())
