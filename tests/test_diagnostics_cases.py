"""Regression tests of classify: each failure mode once seen, on a real Keras run.

The runs are in tests/fixtures/diagnostics/cases (made by generate_cases.py).
Each one's expected label comes from evidence the CSV does not hold: training
continued unlogged and a hidden test set was scored (cases.csv says what).
"""

import pathlib

import numpy as np
import pandas as pd
import pytest

from callbacks import diagnostics
from callbacks.diagnostics import chance, classifier, trends, unstable

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "diagnostics"
CASES = pd.read_csv(FIXTURES / "cases" / "cases.csv").set_index("case")


def case(name):
    return FIXTURES / "cases" / f"{name}.csv"


def test_every_case_has_a_confirmed_label():
    assert set(CASES["expected"]) <= set(diagnostics.LABELS), CASES["expected"].to_dict()


def test_a_memorised_regression_that_wobbles_at_1e_minus_10_is_not_diverging():
    """Linear model, noiseless data, Adam: the loss falls from ~4 to ~1e-10 and wobbles 10×.

    Relative rules alone read the wobble as "12× its best"; the floor (a blow-up must
    reach 10 % of epoch 1's loss) keeps it out of DIVERGING.
    """
    history = diagnostics.read_history(case("memorised_regression"))
    late, best = history["loss"][-10:].max(), history["loss"].min()
    assert late / best > unstable.BLOW_UP_OVER_BEST  # The trap is really there.
    diagnosis = diagnostics.classify(case("memorised_regression"))
    assert diagnosis.label == CASES.loc["memorised_regression", "expected"], diagnosis.reason


@pytest.mark.parametrize("num_classes", [None, 10])
def test_a_ten_class_run_with_a_high_first_epoch_is_not_a_spike_or_a_coin_flip(num_classes):
    """Unscaled inputs give epoch 1 a loss ~10× the final one; accuracy then climbs to ~51 %."""
    history = diagnostics.read_history(case("ten_class_unscaled"))
    assert history["loss"][0] > 3 * history["loss"][-1]  # What the old spike rule read.
    assert 0.45 < history["accuracy"][-1] < 0.55          # What the old rule called a coin flip.
    diagnosis = diagnostics.classify(case("ten_class_unscaled"), num_classes=num_classes)
    assert diagnosis.label == CASES.loc["ten_class_unscaled", "expected"], diagnosis.reason
    assert "coin flip" not in diagnosis.reason


@pytest.mark.parametrize("num_classes", [None, 10])
def test_a_ten_class_run_at_its_noise_floor_is_converged(num_classes):
    """Digits with 60 % of labels random: a linear model settles at ~43 %, its noise floor.

    The loss keeps most of epoch 1's value, which the old rule read as too little capacity.
    """
    history = diagnostics.read_history(case("ten_class_noise_floor"))
    assert history["loss"][-1] / history["loss"][0] > 0.6
    diagnosis = diagnostics.classify(case("ten_class_noise_floor"), num_classes=num_classes)
    assert diagnosis.label == CASES.loc["ten_class_noise_floor", "expected"], diagnosis.reason
    if num_classes:
        assert "chance 10.0%" in diagnosis.reason
    else:
        assert "chance unknown" in diagnosis.reason


def test_chance_is_one_over_k_and_unknown_without_k():
    assert chance.number_of_classes({"loss": [1.0]}, 10) == 10
    assert chance.number_of_classes({"loss": [1.0], "binary_accuracy": [0.5]}) == 2
    assert chance.number_of_classes({"loss": [1.0]}) is None
    assert chance.lift(0.1, 10) == pytest.approx(0.0) and chance.lift(1.0, 10) == 1.0
    assert chance.lift(0.52, 10) == pytest.approx(0.4667, abs=1e-4)


@pytest.mark.parametrize("bad", [1, 0, 2.5, True, "10"])
def test_num_classes_is_validated(bad):
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        diagnostics.classify({"loss": [1.0, 0.5, 0.4]}, num_classes=bad)


@pytest.mark.parametrize("run", ["early-digits_noisy-seed0", "early_cnn-digits_noisy-seed0",
                                 "early_linear-blobs10-seed0"])
def test_a_many_class_run_still_climbing_is_still_improving(run):
    """Real fixture runs (8 epochs of SGD): accuracy climbs 2-3 points an epoch on 10 classes.

    Near ln K the loss falls only ~1 % an epoch, so a loss-only pace rule called them flat
    and, with 60 % of the loss left, UNDERFITTING. Continuing lowered their validation loss
    by ≥ 10 % (labels.csv), so STILL_IMPROVING is right.
    """
    labels = pd.read_csv(FIXTURES / "labels.csv").set_index("run")
    assert labels.loc[run, "label"] == "STILL_IMPROVING" and labels.loc[run, "confirmed"]
    diagnosis = diagnostics.classify(FIXTURES / "runs" / f"{run}.csv", num_classes=10)
    assert diagnosis.label == "STILL_IMPROVING", diagnosis.reason


def test_a_validation_loss_that_bounces_is_oscillating_not_overfitting():
    """SGD at 0.5 with momentum on two moons: the training loss is smooth, validation bounces.

    The training-curve rule cannot see it; the validation curve shows jumps with no
    steady rise, and the continuation confirmed it kept bouncing without a trend.
    """
    diagnosis = diagnostics.classify(case("bouncing_validation"))
    assert diagnosis.label == CASES.loc["bouncing_validation", "expected"] == "OSCILLATING"
    assert "validation loss rose by more than 10 %" in diagnosis.reason
    history = diagnostics.read_history(case("bouncing_validation"))
    train_only = {"loss": history["loss"], "accuracy": history["accuracy"]}
    assert diagnostics.classify(train_only).label != "OSCILLATING"  # Seen only on validation.


def test_a_short_run_whose_validation_loss_turns_up_is_overfitting():
    """Eight epochs of a 3×256 net on 40 samples: validation falls to epoch 4, then climbs 50 %.

    The first epochs fall fast, so the whole-run scatter of the steps (the old steadiness
    test) was as large as the late rise and the run was called CONVERGED. The hidden test
    loss confirms the rise and keeps climbing when training continues (cases.csv).
    """
    history = diagnostics.read_history(case("short_overfitting"))
    assert len(history["loss"]) == 8
    late_rise = history["val_loss"][-3:].min() / history["val_loss"].min() - 1.0
    assert late_rise > 0.15  # The trap is really there: a late rise after a fast early fall.
    diagnosis = diagnostics.classify(case("short_overfitting"))
    assert diagnosis.label == CASES.loc["short_overfitting", "expected"] == "OVERFITTING", \
        diagnosis.reason
    assert diagnosis.key_epochs == {"best validation": 4}


def test_a_jittery_validation_rise_while_training_falls_is_overfitting_not_oscillating():
    """The confirmed OVERFITTING fixture run that the second edition read as OSCILLATING.

    Its validation loss jitters by ±15 % an epoch, so the rise from its best is only about
    twice that noise; but over the second half the training loss falls steadily while the
    validation loss does not, and the gap between them widens (t > 2). A rate too high
    to learn does not let the training loss fall steadily.
    """
    run = "huge_model_little_data-nonlinear_regression-seed2"
    labels = pd.read_csv(FIXTURES / "labels.csv").set_index("run")
    assert labels.loc[run, "label"] == "OVERFITTING" and labels.loc[run, "confirmed"]
    path = FIXTURES / "runs" / f"{run}.csv"
    assert unstable.oscillating_validation(classifier._Curves(
        diagnostics.read_history(path), None)) is not None  # Rule 4 alone would say OSCILLATING.
    diagnosis = diagnostics.classify(path)
    assert diagnosis.label == "OVERFITTING", diagnosis.reason
    assert "gap to the training loss widens" in diagnosis.reason


def test_a_ratio_rising_below_the_training_loss_is_not_a_widening_gap():
    """A real run (a small ReLU net on two rings, Adam, cosine schedule: the debugging
    lab's repaired strong-penalty run) whose validation loss, always below the training loss, ends
    21 % above its best at 100 % validation accuracy. log(val / train) trends up (t > 2)
    because the two losses draw together; the overfitting rule's "widening gap" once read
    that as overfitting, with a reason that said the gap widened. A gap widens only when
    the validation loss is above the training loss.
    """
    history = diagnostics.read_history(case("validation_below_training"))
    val, train = history["val_loss"], history["loss"]
    assert (val[-3:] < train[-3:]).all()        # The trap: validation below training, …
    assert val[-3:].min() / val.min() - 1.0 > classifier.OVERFIT_RISE   # … a rise ≥ 15 %, …
    half = len(val) // 2
    assert trends.trend_t(np.log(val[half:]) - np.log(train[half:])) > classifier.GAP_TREND_T
    diagnosis = diagnostics.classify(case("validation_below_training"), num_classes=2)
    assert diagnosis.label != "OVERFITTING", diagnosis.reason
    assert "widens" not in diagnosis.reason


def test_a_loss_that_never_rises_is_not_diverging_however_high_it_starts():
    """A real run, the debugging lab's strong-penalty run (quick mode, seed 0): a 16-16
    ReLU net on two rings with an L2 penalty λ = 1 on every hidden kernel. The loss Keras reports includes
    the penalty, so epoch 1's is 13× the cross-entropy of a coin toss, ln 2; the penalty
    then flattens the network and the loss falls every epoch to ln 2, at chance. The spike
    rule (a first epoch 3× the end, then chance accuracy) once read that as DIVERGING.
    """
    history = diagnostics.read_history(case("strong_penalty"))
    loss = history["loss"].tolist()
    assert loss[0] > unstable.SPIKE_OVER_END * loss[-1]           # The trap: a "spike" …
    assert abs(history["accuracy"][-1] - 0.5) < 0.02              # … then chance accuracy.
    # The rule, written here: no epoch more than 1 % above the lowest loss before it.
    assert all(loss[t] <= 1.01 * min(loss[:t]) for t in range(1, len(loss)))
    assert abs(np.median(loss[-3:]) / np.log(2.0) - 1.0) < 0.01  # It rests at ln 2.
    for num_classes in (None, 2):
        diagnosis = diagnostics.classify(case("strong_penalty"), num_classes=num_classes)
        assert diagnosis.label == "UNDERFITTING", diagnosis.reason
    # The same curve with one real rise late in the run (20 % above its best) is judged
    # by the old rules again: a spike, then chance.
    risen = {**{name: values.tolist() for name, values in history.items()}}
    risen["loss"] = loss[:-2] + [1.2 * loss[-3], loss[-1]]
    assert diagnostics.classify(risen, num_classes=2).label == "DIVERGING"


def test_rise_over_best_so_far_against_the_rule_by_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(200):
        values = rng.uniform(0.1, 10.0, size=int(rng.integers(2, 12))).tolist()
        expected = max(values[t] / min(values[:t]) - 1.0 for t in range(1, len(values)))
        assert trends.rise_over_best_so_far(values) == pytest.approx(expected, rel=1e-12)
    assert trends.rise_over_best_so_far([3.0, 2.0, 1.0]) == pytest.approx(-1 / 3)  # Never rose.
    assert trends.rise_over_best_so_far([1.0, 0.0, 1e-9]) == float("inf")  # Above a best of 0.
    assert trends.rise_over_best_so_far([1.0]) == float("-inf")  # One epoch: nothing to rise.


@pytest.mark.parametrize("num_classes", [None, 2])
def test_a_short_run_whose_validation_loss_ends_far_above_its_best_is_overfitting(num_classes):
    """Eight epochs, a 3×256 ReLU net on 60 two-moons samples: the validation loss halves in
    two epochs, then ends 43 % above its best while the training loss keeps falling. The
    hidden test loss confirms it (cases.csv). The fast fall filled the whole run's step
    noise, so the rise was read as noise and the run as CONVERGED; on a run of 8-12 epochs
    the noise is read from the epochs since the best.
    """
    history = diagnostics.read_history(case("short_late_rise"))
    val = history["val_loss"]
    best = int(np.argmin(val))
    rise = np.median(val[-3:]) / val[best] - 1.0
    assert len(val) == 8 and best == 2 and rise > 0.4
    assert val[1] < 0.6 * val[0]  # The fast early fall.
    # Step noise as std(Δ² log L) / √3, written here: the whole run's hides the rise …
    noise = lambda values: np.std(np.diff(np.log(values), 2)) / np.sqrt(3.0)  # noqa: E731
    assert np.log1p(rise) < classifier.OVERFIT_OVER_NOISE * noise(val)
    # … the epochs since the best show it.
    assert np.log1p(rise) > classifier.OVERFIT_OVER_NOISE * noise(val[best:])
    diagnosis = diagnostics.classify(case("short_late_rise"), num_classes=num_classes)
    assert diagnosis.label == CASES.loc["short_late_rise", "expected"] == "OVERFITTING", \
        diagnosis.reason
    assert diagnosis.key_epochs == {"best validation": best + 1}


def test_an_accuracy_below_its_start_is_said_to_be_below_never_a_negative_share_of_the_way():
    below_chance = [0.50, 0.49, 0.493, 0.493, 0.493, 0.493]   # Chance on 2 classes is 50 %.
    flagged, sentence = chance.low_accuracy(below_chance, 2, 0.3)
    assert flagged and "0.7 points below chance" in sentence
    flagged, sentence = chance.low_accuracy([0.5, 0.4, 0.4, 0.4, 0.4, 0.4], None, 0.3)
    assert flagged and "10.0 points below its first epoch's 50.0%" in sentence
    for accuracies, classes in ((below_chance, 2), ([0.5, 0.4, 0.4, 0.4, 0.4], None)):
        assert "-" not in chance.low_accuracy(accuracies, classes, 0.3)[1]
    assert "20% of the way from chance to 100 %" in chance.low_accuracy([0.6] * 6, 2, 0.3)[1]
