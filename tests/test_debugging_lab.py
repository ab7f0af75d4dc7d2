"""The debugging lab's broken runs get the verdicts its lesson is built around, and the fixes
repair them. One quick-mode run (default seed 0, seeded, so the labels are stable) is shared
by every test; the labels are read back from the CSVs the lab wrote, through ``classify``.

The reasons behind each expected label, with the margins measured when the cases were chosen
(quick mode, seed 0), are in the comments; ``labs/_debugging_cases.py`` has the recipes.
"""

import json
import math

import keras
import pytest

from callbacks.diagnostics import classify
from labs import __main__ as front_door
from labs import _debugging_cases

BROKEN = {
    "A": "UNDERFITTING",  # Raw inputs (std up to ~600): epoch 1's loss ~3650, then flat at
                          # chance; the loss never rises again, so it is no blow-up.
    "B": "UNDERFITTING",  # Shuffled labels: training accuracy ~58 %, 17 % of the way up.
    "C": "DIVERGING",     # η = 1.5 > 1 on a standardised line fit: inf by epoch 5.
    "D": "UNDERFITTING",  # Logits into a probability loss: ~24 % accuracy on 10 classes.
    "E": "UNDERFITTING",  # L2 λ = 1: epoch 1 is mostly penalty (13× the end); the loss
                          # falls every epoch to ln 2 and stays there, at chance.
    "F": "UNDERFITTING",  # A line on two rings: accuracy at chance.
    "G": "UNDERFITTING",  # The rate is 0 from the second epoch: stuck at chance.
}
FIXED = {
    "A": "STILL_IMPROVING",  # Plain SGD at 0.01 on standardised inputs: ~3 % better per epoch.
    "B": "CONVERGED", "C": "CONVERGED", "D": "CONVERGED", "E": "CONVERGED",
    "F": "CONVERGED", "G": "CONVERGED",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("debugging")
    status = front_door.run_lab("debugging", ["--quick", "--out", str(out)])
    keras.backend.clear_session()
    assert status == 0
    return out, json.loads((out / "outcomes.json").read_text(encoding="utf-8"))


def label(out, name, num_classes):
    return classify(out / f"run_{name}.csv", num_classes=num_classes).label


@pytest.mark.slow
def test_each_broken_run_gets_its_verdict_and_its_fix_the_healthy_one(run):
    out, outcomes = run
    assert sorted(BROKEN) == [case.letter for case in _debugging_cases.CASES]
    for case in _debugging_cases.CASES:
        classes = outcomes["records"][f"verdict {case.letter}"]["num_classes"]
        assert label(out, case.letter, classes) == BROKEN[case.letter], case.cause
        assert label(out, f"{case.letter}_fixed", classes) == FIXED[case.letter], case.cause
    assert outcomes["predictions"]["1"]["numbers"]["labels"] == BROKEN
    assert outcomes["predictions"]["3"]["numbers"]["fixed_labels"] == FIXED


@pytest.mark.slow
def test_one_batch_tells_shuffled_labels_from_too_little_capacity(run):
    _, outcomes = run
    numbers = outcomes["predictions"]["2"]["numbers"]
    batch_test = numbers["batch_test"]
    assert batch_test["B"]["batch accuracy"] >= 0.9      # Random labels can be memorised …
    assert batch_test["B"]["validation accuracy"] < 0.65  # … and teach nothing: chance is 0.5.
    assert batch_test["F"]["batch accuracy"] < 0.9       # A line cannot fit the rings at all.
    assert numbers["fitted"] == ["B"]


@pytest.mark.slow
def test_the_vital_signs_point_at_their_causes(run):
    _, outcomes = run
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
    _, outcomes = run
    penalty = outcomes["records"]["strong penalty"]
    coin_toss = math.log(2.0)
    assert penalty["first_loss"] > 5 * coin_toss          # Epoch 1 is mostly penalty, …
    assert penalty["rose_by"] <= 0.01                     # … the loss never rises again …
    assert abs(penalty["last_loss"] / coin_toss - 1.0) < 0.01   # … and ends at ln 2, …
    assert abs(outcomes["records"]["vital signs"]["Run E"]["train accuracy"] - 0.5) < 0.05
    assert penalty["label"] == "UNDERFITTING"             # … at chance: underfitting.


def test_each_fix_changes_exactly_what_its_cause_broke():
    causes = [case.cause for case in _debugging_cases.CASES]
    assert len(set(causes)) == len(causes) == 7
    for case in _debugging_cases.CASES:
        broken, fixed = case.recipe(fixed=False), case.recipe(fixed=True)
        assert {key for key in broken if broken[key] != fixed[key]} == set(case.fix)
        assert set(case.broken) == set(case.fix)
