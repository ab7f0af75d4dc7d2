"""labs/helpers/activations_dead.py: dead units counted by a rule written here, the kernel
gradients against GradientTape on a hand-set network, training that cannot move a network
whose every hidden unit is dead, and the sentence, summary and figure built from the numbers."""

import keras
import numpy as np
import pytest

from labs.helpers import activations_dead as dead

X = np.random.default_rng(1).normal(size=(64, 2)).astype("float32")
Y = (X[:, 0] * X[:, 1] > 0).astype("float32")


def test_dead_fraction_counts_units_at_or_below_zero_on_every_sample():
    model, probe = dead.deep_network("relu", depth=3, width=8, bias=0.0, seed=0)
    outputs = [keras.ops.convert_to_numpy(layer) for layer in probe(X)]
    expected = [np.mean([np.all(layer[:, unit] <= 0) for unit in range(8)]) for layer in outputs]
    np.testing.assert_allclose(dead.dead_fraction(probe, X), expected)
    _, all_dead = dead.deep_network("relu", depth=2, width=8, bias=-100.0, seed=0)
    np.testing.assert_array_equal(dead.dead_fraction(all_dead, X), [1.0, 1.0])


def test_a_network_of_dead_relus_gets_no_gradient_and_never_changes():
    model, _ = dead.deep_network("relu", depth=2, width=8, bias=-100.0, seed=0)
    norms = dead.kernel_gradient_norms(model, X, Y)
    assert len(norms) == 3 and np.all(norms[:2] == 0.0)
    history, changes = dead.train_full_batch(model, X, Y, epochs=5, learning_rate=0.01)
    assert len(history["loss"]) == len(history["accuracy"]) == 5
    assert changes[:2] == [0.0, 0.0]          # no gradient reaches the hidden kernels
    summary = dead.summarise({"ReLU": (None, None, norms, history)}, {"ReLU": changes[:2]},
                             guessing=float(np.log(2.0)), moved_by=0.01)
    assert summary["ReLU"]["frozen_layers"] == [1, 2]
    assert summary["ReLU"]["moved"] == (abs(history["loss"][-1] - np.log(2.0)) > 0.01)
    sentence = dead.told("ReLU", summary["ReLU"], 0.01)
    assert "hidden layers [1, 2] never changed" in sentence


@pytest.mark.parametrize("moved, words", [(True, "moved away from"),
                                          (False, "still within 0.01 of")])
def test_told_states_what_the_numbers_say(moved, words):
    facts = {"first_loss": 0.7, "last_loss": 0.3, "accuracy": 0.9, "moved": moved,
             "frozen_layers": []}
    assert dead.told("X", facts, 0.01) == (f"X: loss 0.700 → 0.300, {words} log 2, accuracy 90%, "
                                           "every hidden layer changed")


def test_the_figure_draws_the_dead_shares_and_the_losses():
    history = {"loss": [0.7, 0.5, 0.4], "accuracy": [0.5, 0.6, 0.7]}
    results = {"ReLU": (np.array([0.5, 1.0]), np.array([0.25, 1.0]), None, history)}
    summary = {"ReLU": {"last_loss": 0.4}}
    figure = dead.figure(results, summary, depth=2, epochs=3, bias=-1.0, guessing=0.693)
    left, right = figure.axes
    np.testing.assert_array_equal(left.lines[0].get_ydata(), [0.5, 1.0])
    np.testing.assert_array_equal(left.lines[1].get_ydata(), [0.25, 1.0])
    np.testing.assert_array_equal(right.lines[0].get_ydata(), history["loss"])
    assert right.get_title() == "loss: ReLU 0.400"
