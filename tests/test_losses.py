"""custom.losses against keras.losses, on the seeds' examples and on random batches.

Keras computes in float32, so the comparisons with Keras allow a relative error of 1e-6;
comparisons with exact values (−log 0.6) allow 1e-12.
"""

import keras
import numpy as np
import pytest

from custom import losses

KERAS_RTOL = 1e-6


def keras_value(loss, y_true, y_pred):
    return float(keras.ops.convert_to_numpy(loss(np.asarray(y_true, "float32"),
                                                 np.asarray(y_pred, "float32"))))


def test_seed_002_worked_cross_entropy_numbers():
    target = [0, 0, 1, 0]
    good = losses.categorical_crossentropy(target, [0.1, 0.2, 0.6, 0.1])
    poor = losses.categorical_crossentropy(target, [0.8, 0.1, 0.05, 0.05])
    assert good == pytest.approx(-np.log(0.6), rel=1e-12)
    assert poor == pytest.approx(-np.log(0.05), rel=1e-12)
    assert round(good, 2) == 0.51          # the seed's "≈ 0.51"
    assert round(poor, 1) == 3.0           # the seed's "≈ 3.0"
    keras_loss = keras.losses.CategoricalCrossentropy()
    assert good == pytest.approx(keras_value(keras_loss, [target], [[0.1, 0.2, 0.6, 0.1]]),
                                 rel=KERAS_RTOL)


def test_seed_001_mse_good_and_poor_pairs():
    y_true = [3.0, 5.0, 7.0, 9.0]
    poor = losses.mean_squared_error(y_true, [2.0, 4.0, 8.0, 11.0])
    good = losses.mean_squared_error(y_true, [3.1, 4.9, 7.1, 8.9])
    assert poor == pytest.approx(1.75, rel=1e-12)
    assert good == pytest.approx(0.01, rel=1e-9)
    keras_loss = keras.losses.MeanSquaredError()
    assert poor == pytest.approx(keras_value(keras_loss, y_true, [2.0, 4.0, 8.0, 11.0]),
                                 rel=KERAS_RTOL)
    assert good == pytest.approx(keras_value(keras_loss, y_true, [3.1, 4.9, 7.1, 8.9]),
                                 rel=1e-5)


@pytest.mark.parametrize("y_pred, expected", [
    # seed 001's poor predictions: −mean(log .4, log .3, log .3, log .5, log .4)
    ([0.4, 0.7, 0.3, 0.5, 0.6], -np.mean(np.log([0.4, 0.3, 0.3, 0.5, 0.4]))),
    # seed 001's good predictions: −mean(log .9, log .9, log .8, log .95, log .95)
    ([0.9, 0.1, 0.8, 0.95, 0.05], -np.mean(np.log([0.9, 0.9, 0.8, 0.95, 0.95]))),
])
def test_seed_001_binary_cross_entropy_pairs(y_pred, expected):
    y_true = [1, 0, 1, 1, 0]
    ours = losses.binary_crossentropy(y_true, y_pred)
    assert ours == pytest.approx(expected, rel=1e-12)
    twin = keras_value(keras.losses.BinaryCrossentropy(), y_true, y_pred)
    assert ours == pytest.approx(twin, rel=KERAS_RTOL)


def test_seed_001_categorical_pairs_against_keras():
    target = [[0.0, 0.0, 1.0]]
    for prediction, expected in (([0.4, 0.4, 0.2], -np.log(0.2)), ([0.05, 0.05, 0.9], -np.log(0.9))):
        ours = losses.categorical_crossentropy(target, [prediction])
        assert ours == pytest.approx(expected, rel=1e-12)
        twin = keras_value(keras.losses.CategoricalCrossentropy(), target, [prediction])
        assert ours == pytest.approx(twin, rel=KERAS_RTOL)


def test_random_batches_match_keras_with_and_without_logits():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(32, 5))
    labels = rng.integers(0, 5, size=32)
    one_hot = np.eye(5)[labels]
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    cases = [
        (losses.categorical_crossentropy(one_hot, logits, from_logits=True),
         keras_value(keras.losses.CategoricalCrossentropy(from_logits=True), one_hot, logits)),
        (losses.categorical_crossentropy(one_hot, probabilities, epsilon=losses.KERAS_EPSILON),
         keras_value(keras.losses.CategoricalCrossentropy(), one_hot, probabilities)),
        (losses.sparse_categorical_crossentropy(labels, logits, from_logits=True),
         keras_value(keras.losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits)),
        (losses.binary_crossentropy(one_hot, logits, from_logits=True),
         keras_value(keras.losses.BinaryCrossentropy(from_logits=True), one_hot, logits)),
        (losses.binary_crossentropy(one_hot, probabilities, epsilon=losses.KERAS_EPSILON),
         keras_value(keras.losses.BinaryCrossentropy(), one_hot, probabilities)),
        (losses.mean_squared_error(one_hot, probabilities),
         keras_value(keras.losses.MeanSquaredError(), one_hot, probabilities)),
    ]
    for ours, twin in cases:
        assert ours == pytest.approx(twin, rel=1e-5)


def test_clipping_epsilon_seed_versus_keras():
    # A confident, completely wrong prediction: p(target) = 0.
    y_true, y_pred = [[0.0, 1.0]], [[1.0, 0.0]]
    assert losses.categorical_crossentropy(y_true, y_pred) == pytest.approx(-np.log(1e-15))
    keras_twin = keras_value(keras.losses.CategoricalCrossentropy(), y_true, y_pred)
    assert keras_twin == pytest.approx(-np.log(1e-7), rel=1e-5)
    ours_keras_epsilon = losses.categorical_crossentropy(y_true, y_pred,
                                                         epsilon=losses.KERAS_EPSILON)
    assert ours_keras_epsilon == pytest.approx(keras_twin, rel=1e-5)


def test_renormalize_reproduces_keras_on_rows_that_do_not_sum_to_one():
    y_true, y_pred = [[0.0, 0.0, 1.0]], [[0.5, 0.5, 0.5]]   # e.g. three sigmoids, not a softmax
    assert losses.categorical_crossentropy(y_true, y_pred) == pytest.approx(np.log(2))
    keras_twin = keras_value(keras.losses.CategoricalCrossentropy(), y_true, y_pred)
    ours = losses.categorical_crossentropy(y_true, y_pred, renormalize=True)
    assert ours == pytest.approx(keras_twin, rel=1e-6)
    assert ours == pytest.approx(np.log(3))


def test_from_logits_is_finite_and_exact_for_huge_logits():
    assert losses.categorical_crossentropy([[0, 0, 1]], [[1000.0, 0.0, -1000.0]],
                                           from_logits=True) == pytest.approx(2000.0)
    assert losses.binary_crossentropy([1.0], [-800.0], from_logits=True) == pytest.approx(800.0)
    assert losses.binary_crossentropy([0.0], [800.0], from_logits=True) == pytest.approx(800.0)


@pytest.mark.parametrize("call, message", [
    (lambda: losses.mean_squared_error([1.0, 2.0], [1.0]), "same shape"),
    (lambda: losses.binary_crossentropy([1.0], [float("nan")]), "NaN"),
    (lambda: losses.binary_crossentropy([1.0], [0.5], epsilon=0.0), "epsilon"),
    (lambda: losses.categorical_crossentropy([[0, 1]], [[2.0, -1.0]]), "from_logits=True"),
    (lambda: losses.sparse_categorical_crossentropy([3], [[0.5, 0.5]]), r"\[0, 1\]"),
])
def test_bad_input_gives_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
