"""The lessons' helpers that turn a run's numbers into a statement (a sentence, its answer
key and the numbers behind it) or that measure what a statement is about: each on hand-made
numbers whose answer is known, or against a trusted twin (Keras' regularizers and
constraints, tf.GradientTape)."""

import keras
import numpy as np
import pandas as pd
import pytest

from labs.helpers import diagnostics as diagnostics_report
from labs.helpers import early_stopping as early_stopping_report
from labs.helpers import lr_finder_report, normalization as normalization_report
from labs.helpers import regularization_report, schedules as schedules_report
from labs.machinery import twins


# early_stopping

def test_stopping_statement_letters_follow_early_and_lower():
    stopped, full = {"val_loss": 0.30}, {"val_loss": 0.40}
    assert early_stopping_report.stopping_statement(stopped, 12, 9, full, 14)[1:] == ("a", True)
    assert early_stopping_report.stopping_statement(full, 12, 9, stopped, 14)[1:] == ("b", False)
    assert early_stopping_report.stopping_statement(stopped, 14, 9, full, 14)[1:] == ("c", True)
    sentence, answer, lowered = early_stopping_report.stopping_statement(full, 14, 9, full, 14)
    assert (answer, lowered) == ("d", False) and "did not lower it by 0.0000" in sentence


@pytest.mark.parametrize("rates, cut_loss, answer, cuts", [
    ([0.2, 0.2, 0.2], 0.9, "a", 0), ([0.2, 0.06, 0.06], 0.9, "b", 1),
    ([0.2, 0.06, 0.018], 1.5, "c", 2), ([0.2, 0.06, 0.018, 0.0054], 0.9, "d", 3),
    ([0.2, 0.06, 0.018, 0.0054], 1.5, "e", 3)])
def test_cuts_statement_counts_the_cuts_and_compares_the_final_losses(rates, cut_loss, answer,
                                                                    cuts):
    cut = {"learning_rate": rates, "val_loss": [2.0] * (len(rates) - 1) + [cut_loss]}
    uncut = {"val_loss": [2.0] * (len(rates) - 1) + [1.0]}
    sentence, letter, numbers = early_stopping_report.cuts_statement(cut, uncut)
    assert (letter, numbers["cuts"]) == (answer, cuts)
    assert f"cut the rate {cuts} time(s)" in sentence


def test_accuracy_statement_says_when_loss_and_accuracy_disagree():
    stopped = {"val_loss": 0.39, "val_accuracy": 0.85}
    full = {"val_loss": 0.41, "val_accuracy": 0.8667}
    text, numbers = early_stopping_report.accuracy_statement(stopped, full, 60)
    assert numbers["disagree"] is True and numbers["samples_apart"] == 1
    assert "The two measures disagree" in text
    text, numbers = early_stopping_report.accuracy_statement(stopped, {**full, "val_accuracy":
                                                                       0.80}, 60)
    assert numbers["disagree"] is False and "disagree" not in text


# lr_finder

@pytest.mark.parametrize("suggestions, answer", [
    ({"steepest": 0.1, "valley": 0.05, "minimum/10": 0.04}, "a"),
    ({"steepest": 0.04, "valley": 0.1, "minimum/10": 0.05}, "b"),
    ({"steepest": 2.0, "valley": 0.04, "minimum/10": 0.2}, "d"),
    ({"steepest": 0.01, "valley": 0.04, "minimum/10": 0.2}, "f")])
def test_agreement_statement_reads_agreement_and_the_largest_rule(suggestions, answer):
    sentence, letter, numbers = lr_finder_report.agreement_statement(suggestions, 3.0)
    assert letter == answer
    assert numbers["agree"] == (max(suggestions.values()) / min(suggestions.values()) <= 3.0)
    assert numbers["largest"] in sentence


def test_chosen_rule_takes_the_smallest_suggestion_only_when_the_rules_disagree_tenfold(capsys):
    apart = {"steepest": 2.0, "valley": 0.04, "minimum/10": 0.2}
    assert lr_finder_report.chosen_rule(apart, 10.0, shown=True) == ("valley", 50.0)
    assert "at least 10×" in capsys.readouterr().out
    close = {"steepest": 0.2, "valley": 0.04, "minimum/10": 0.1}
    assert lr_finder_report.chosen_rule(close, 10.0, shown=False)[0] == "steepest"
    assert "once Predict 1 is revealed" in capsys.readouterr().out


def test_training_statement_gives_every_letter_of_a_tie():
    candidates = {"suggestion / 100": 1e-4, "suggestion": 1e-2, "suggestion × 10": 0.1}
    places = dict.fromkeys(candidates, "on the fall")
    losses = {"suggestion / 100": 1.1, "suggestion": 0.5, "suggestion × 10": 0.5}
    _, answer, best = lr_finder_report.training_statement(losses, candidates, places)
    assert answer == ("b", "c") and best == "suggestion"


# normalization

def test_layer_differences_are_zero_for_twins_and_show_a_different_momentum():
    batch = np.random.default_rng(0).normal(3.0, 2.0, (8, 5)).astype("float32")
    start = [np.ones(5, "float32"), np.zeros(5, "float32"), np.zeros(5, "float32"),
             np.ones(5, "float32")]
    layers = [keras.layers.BatchNormalization(momentum=momentum) for momentum in (0.9, 0.9, 0.5)]
    for layer in layers:
        layer.build((None, 5))
    assert normalization_report.layer_differences(layers[0], layers[1], batch, start,
                                                  training=True) == (0.0, 0.0)
    output_gap, weight_gap = normalization_report.layer_differences(layers[0], layers[2], batch,
                                                                    start, training=True)
    assert output_gap == 0.0 and weight_gap > 0.1    # Same output, other moving averages.


def test_backward_against_tape_is_round_off_for_the_written_numpy_batchnorm():
    if not twins.written("batchnorm"):
        pytest.skip("the batchnorm task is not written in this edition")
    rng = np.random.default_rng(1)
    batch = rng.normal(3.0, 2.0, (16, 6))
    gaps = normalization_report.backward_against_tape(batch, rng.normal(size=(16, 6)),
                                                      rng.normal(size=6), rng.normal(size=6),
                                                      0.9, 1e-3)
    assert set(gaps) == {"dx", "dγ", "dβ"} and max(gaps.values()) < 1e-9


def test_sweep_statement_counts_the_rates_each_network_trains_at():
    sweep = {("none", 0.1): {"verdict": "stalls"}, ("none", 1.0): {"verdict": "diverges"},
             ("batch", 0.1): {"verdict": "trains"}, ("batch", 1.0): {"verdict": "trains"}}
    for run in sweep.values():
        run.update(initial_loss=2.3, losses=[1.0])
    sentence, answer, numbers = normalization_report.sweep_statement(sweep, [0.1, 1.0])
    assert answer == "b" and numbers["summary"]["batch"]["trains"] == [0.1, 1.0]
    assert "without normalization: trains at none, stalls at 0.1, diverges at 1" in sentence


# regularization

def test_penalty_by_hand_and_largest_norm_match_keras_regularizer_and_constraint():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    for strength, penalty, regularizer in ((0.01, np.abs, keras.regularizers.L1(0.01)),
                                           (0.01, np.square, keras.regularizers.L2(0.01))):
        by_keras = sum(float(regularizer(layer.kernel)) for layer in model.layers)
        assert regularization_report.penalty_by_hand(model, strength, penalty) == pytest.approx(
            by_keras, rel=1e-6)
    capped = keras.constraints.MaxNorm(0.5)
    for layer in model.layers:
        layer.kernel.assign(capped(layer.kernel))
    assert regularization_report.largest_incoming_norm(model) == pytest.approx(0.5, rel=1e-5)


def test_winner_statement_gives_every_letter_of_a_tie_and_the_plain_models_rise():
    curves = {"none": [0.5, 0.4, 0.45], "l1": [0.5, 0.42, 0.42], "l2": [0.5, 0.41, 0.42],
              "dropout": [0.5, 0.43, 0.44], "max_norm": [0.5, 0.44, 0.46]}
    histories = {kind: {"val_cross_entropy": curve} for kind, curve in curves.items()}
    sentence, answer, numbers = regularization_report.winner_statement(histories)
    assert answer == ("b", "c") and numbers["plain_best_epoch"] == 2
    assert numbers["plain_rise"] == pytest.approx(0.05) and "ended 0.050 above it" in sentence


@pytest.mark.parametrize("norms, losses, answer", [
    ((1.0, 2.0), (0.4, 0.5), "a"), ((1.0, 2.0), (0.5, 0.4), "b"),
    ((2.0, 1.0), (0.4, 0.5), "c"), ((2.0, 1.0), (0.5, 0.4), "d")])
def test_adam_statement_letters(norms, losses, answer):
    # (AdamW's, Adam + L2's) norm and loss.
    norm_of = {"Adam, no penalty": 3.0, "AdamW(2λ)": norms[0], "Adam + L2(λ)": norms[1]}
    val_of = {"Adam, no penalty": 0.6, "AdamW(2λ)": losses[0], "Adam + L2(λ)": losses[1]}
    assert regularization_report.adam_statement(norm_of, val_of)[1] == answer


# schedules

def test_halfway_statement_gives_every_letter_of_a_tie():
    curves = {"step decay": [0.1, 0.05], "exponential decay": [0.1, 0.02],
              "cosine annealing": [0.1, 0.05], "warm-up + cosine": [0.0, 0.04],
              "1cycle": [0.004, 0.01]}
    sentence, answer, numbers = schedules_report.halfway_statement(curves, 1, 2)
    assert answer == ("a", "c") and numbers["smallest"] == "1cycle"


def test_training_and_validation_statements_rank_a_diverged_run_last():
    histories = {"constant": {"loss": [1.0, 0.5, 0.6]}, "step decay": {"loss": [1.0, 0.4, 0.3]},
                 "1cycle": {"loss": [1.0, float("nan"), float("nan")]}}
    sentence, answer, numbers = schedules_report.training_statement(
        histories, 2, choices=["constant", "step decay", "1cycle"])
    assert numbers["ranking"] == ["step decay", "constant", "1cycle"] and answer == ("b",)
    assert numbers["end_noise"]["constant"] == pytest.approx(1.2)
    results = pd.DataFrame({"val loss": [0.7, 0.5, float("nan")],
                            "val accuracy": [0.8, 0.9, 0.3]},
                           index=["constant", "step decay", "1cycle"])
    _, answer, numbers = schedules_report.validation_statement(results, "step decay")
    assert answer == "a" and numbers["lowest_val"] == "step decay"
    _, answer, _ = schedules_report.validation_statement(results, "constant")
    assert answer == "b"


# diagnostics

def test_labels_and_rules_statements_count_the_runs():
    intended = {"a": "CONVERGED", "b": "OVERFITTING", "c": "UNDERFITTING",
                "d": "DIVERGING", "e": "OSCILLATING", "f": "STILL_IMPROVING"}
    labels = {**intended, "e": "CONVERGED", "f": "UNDERFITTING"}
    sentence, answer, as_intended = diagnostics_report.labels_statement(labels, intended)
    assert answer == "c" and as_intended == ["a", "b", "c", "d"] and "not e, f" in sentence
    sentence, answer, differ = diagnostics_report.rules_statement(labels, {**labels,
                                                                            "a": "UNDERFITTING"})
    assert (answer, differ) == ("b", ["a"])
    assert diagnostics_report.rules_statement(labels, labels)[1] == "a"


def test_climbs_find_the_best_epoch_and_the_rise_after_it(capsys):
    histories = {kind: {"val_cross_entropy": [0.5, 0.4, 0.45]} for kind in
                 regularization_report.KINDS}
    found = regularization_report.climbs(histories, show=False)
    assert found["l2"]["best_epoch"] == 2 and found["l2"]["climb"] == pytest.approx(0.05)
    assert capsys.readouterr().out == ""
    regularization_report.climbs(histories, show=True)
    assert "best validation cross-entropy 0.400 at epoch 2, then +0.050" in capsys.readouterr().out
