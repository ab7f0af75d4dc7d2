"""custom.layers.BatchNormalization against keras.layers.BatchNormalization.

The same inputs and the same four weights (γ, β, moving mean, moving variance) go into
both; outputs and every weight after the call must agree to float32 round-off: in
training and inference mode, after training under ``model.fit`` and under
``fit_with_tape``, and after a save and load of the whole model.
"""

import keras
import numpy as np
import pytest

import custom.layers
from custom import model_state, training
from custom.layers import BatchNormalization

# Float32 round-off: one normalization is within a few ulps (≈ 5e-7 on values of order 1);
# after 3 epochs of Adam the weights of the two models stay within 1e-5 of each other.
CALL_TOLERANCE = 1e-5
TRAINED_TOLERANCE = 1e-5


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    yield
    keras.backend.clear_session()


def random_weights(rng, features):
    """γ, β, a moving mean and a positive moving variance, as Keras orders them."""
    return [rng.normal(size=features).astype("float32"),
            rng.normal(size=features).astype("float32"),
            rng.normal(size=features).astype("float32"),
            rng.uniform(0.5, 2.0, size=features).astype("float32")]


def pair(momentum=0.9, epsilon=1e-3, shape=(None, 5), seed=0):
    """Ours and Keras' layer, built for ``shape``, holding the same random weights."""
    ours = BatchNormalization(momentum=momentum, epsilon=epsilon)
    theirs = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon)
    weights = random_weights(np.random.default_rng(seed), shape[-1])
    for layer in (ours, theirs):
        layer.build(shape)
        layer.set_weights(weights)
    return ours, theirs


def largest_difference(first, second):
    return max(float(np.abs(np.asarray(a) - np.asarray(b)).max()) for a, b in zip(first, second))


@pytest.mark.parametrize("training_mode", [True, False])
@pytest.mark.parametrize("shape, momentum, epsilon", [((16, 5), 0.9, 1e-3),
                                                      ((4, 6, 3), 0.99, 1e-5),
                                                      ((2, 5), 0.5, 0.1)])
def test_one_call_equals_keras_in_both_modes(shape, momentum, epsilon, training_mode):
    ours, theirs = pair(momentum, epsilon, (None, *shape[1:]))
    x = np.random.default_rng(1).normal(2.0, 3.0, size=shape).astype("float32")
    for _ in range(3):   # Three calls: in training mode the moving averages move each time.
        got, expected = ours(x, training=training_mode), theirs(x, training=training_mode)
        assert largest_difference([got], [expected]) <= CALL_TOLERANCE
        assert largest_difference(ours.get_weights(), theirs.get_weights()) <= CALL_TOLERANCE


def test_training_mode_uses_the_batch_and_the_biased_variance_by_hand():
    """The rule of the docstring, written out in NumPy: a known case outside both layers."""
    ours, _ = pair(momentum=0.8, epsilon=0.01)
    gamma, beta, moving_mean, moving_variance = ours.get_weights()
    x = np.random.default_rng(2).normal(size=(7, 5)).astype("float32")
    mean, variance = x.mean(axis=0), x.var(axis=0)           # np.var divides by m
    expected = gamma * (x - mean) / np.sqrt(variance + 0.01) + beta
    np.testing.assert_allclose(ours(x, training=True), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.moving_mean, 0.8 * moving_mean + 0.2 * mean, rtol=1e-5)
    np.testing.assert_allclose(ours.moving_variance, 0.8 * moving_variance + 0.2 * variance,
                               rtol=1e-5)
    inference = gamma * (x - ours.moving_mean) / np.sqrt(ours.moving_variance + 0.01) + beta
    np.testing.assert_allclose(ours(x, training=False), inference, rtol=1e-5, atol=1e-5)


def test_a_frozen_layer_runs_in_inference_mode_as_keras_does():
    ours, theirs = pair()
    ours.trainable = theirs.trainable = False
    x = np.random.default_rng(3).normal(size=(8, 5)).astype("float32")
    before = ours.get_weights()
    assert largest_difference([ours(x, training=True)], [theirs(x, training=True)]) \
        <= CALL_TOLERANCE
    assert largest_difference(ours.get_weights(), before) == 0.0


def model_with(implementation, seed=3):
    """A seeded 6-16-BN-ReLU-16-BN-ReLU-1 regression network with the chosen batch norm."""
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(6,))]
    for _ in range(2):
        layers += [keras.layers.Dense(16, use_bias=False),
                   custom.layers.get("batch_normalization", implementation, momentum=0.9),
                   keras.layers.Activation("relu")]
    model = keras.Sequential(layers + [keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def regression_data(seed=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(96, 6)).astype("float32")                          # (samples, 6)
    y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype("float32")        # (samples, 1)
    return x, y


@pytest.fixture(scope="module")
def started():
    """``start()``: the two seeded networks of ``model_with``, ours and Keras', compiled once
    for the module and put back to their first weights and a fresh Adam on every call
    (custom.model_state), so that each loop traces their steps once; and those weights."""
    models = {implementation: model_with(implementation) for implementation in ("custom", "keras")}
    starts = {name: model_state.snapshot(model) for name, model in models.items()}

    def start():
        for name, model in models.items():
            model_state.restore(model, starts[name])
        return models

    start.weights = {name: state[0] for name, state in starts.items()}
    return start


@pytest.mark.parametrize("loop", ["fit", "fit_with_tape"])
def test_trained_inside_a_loop_it_ends_on_keras_weights_and_predictions(started, loop):
    x, y = regression_data()
    models = started()
    for model in models.values():
        if loop == "fit":
            model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        else:
            training.fit_with_tape(model, x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    ours, theirs = models["custom"], models["keras"]
    assert isinstance(ours.layers[1], BatchNormalization)
    assert isinstance(theirs.layers[1], keras.layers.BatchNormalization)
    moved = largest_difference(ours.get_weights(), started.weights["keras"])
    assert moved > 100 * TRAINED_TOLERANCE                 # Training did change the weights,
    assert largest_difference(ours.get_weights(), theirs.get_weights()) <= TRAINED_TOLERANCE
    assert largest_difference([ours.predict(x, verbose=0)], [theirs.predict(x, verbose=0)]) \
        <= TRAINED_TOLERANCE


def test_save_and_load_keeps_the_class_the_config_and_the_moving_statistics(started,
                                                                           tmp_path):
    x, y = regression_data()
    model = started()["custom"]
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    layer = loaded.layers[1]
    assert type(layer) is BatchNormalization
    assert layer.momentum == 0.9 and layer.epsilon == 1e-3
    assert largest_difference(loaded.get_weights(), model.get_weights()) == 0.0
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    # The loaded layer keeps training as the Keras twin does from the same weights.
    twin = model_with("keras")
    twin.set_weights(loaded.get_weights())
    hidden = np.random.default_rng(5).normal(size=(16, 16)).astype("float32")   # (batch, 16)
    assert largest_difference([layer(hidden, training=True)],
                              [twin.layers[1](hidden, training=True)]) <= CALL_TOLERANCE
    assert largest_difference(layer.get_weights(), twin.layers[1].get_weights()) \
        <= CALL_TOLERANCE


def test_config_round_trip_and_keras_reads_ours():
    layer = BatchNormalization(momentum=0.95, epsilon=1e-4, name="bn")
    copy = BatchNormalization.from_config(layer.get_config())
    assert (copy.momentum, copy.epsilon, copy.name) == (0.95, 1e-4, "bn")
    serialized = keras.saving.serialize_keras_object(layer)
    assert type(keras.saving.deserialize_keras_object(serialized)) is BatchNormalization
    twin = keras.layers.BatchNormalization.from_config(layer.get_config())
    assert (twin.momentum, twin.epsilon) == (0.95, 1e-4)


@pytest.mark.parametrize("arguments, message", [
    ({"momentum": 1.0}, r"momentum must be a finite number >= 0 and < 1"),
    ({"momentum": -0.1}, r"momentum must be a finite number >= 0 and < 1"),
    ({"momentum": "high"}, "momentum must be a finite number"),
    ({"epsilon": 0.0}, "epsilon must be a finite number > 0"),
    ({"epsilon": -1e-3}, "epsilon must be a finite number >= 0"),
    ({"epsilon": float("nan")}, "epsilon must be a finite number"),
])
def test_bad_arguments_are_refused_with_one_line_naming_them(arguments, message):
    for implementation in ("custom", "keras"):
        with pytest.raises(ValueError, match=message):
            custom.layers.get("batch_normalization", implementation, **arguments)


def test_get_refuses_an_unknown_name_or_implementation():
    with pytest.raises(ValueError, match="unknown layer 'layer_norm'; choose from: "
                                         "batch_normalization"):
        custom.layers.get("layer_norm")
    with pytest.raises(ValueError, match="implementation must be one of custom, keras"):
        custom.layers.get("batch_normalization", implementation="torch")
