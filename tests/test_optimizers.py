"""The from-scratch optimizers against the Keras built-ins, step by step, and the registry.

Parity: at least 200 steps on a random problem, each optimizer and its Keras twin
acting on their own copies of the same tf.Variables, max |difference| ≤ 1e-6.
"""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import custom.optimizers

STEPS = 200
TOLERANCE = 1e-6


def _schedule():
    # A decaying rate, so that any mix-up of which step's rate is used shows up.
    return keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=20, decay_rate=0.7)


def twin_trajectories(name, steps=STEPS, seed=0, **kwargs):
    """Train the custom optimizer and its Keras twin on one random problem, side by side.

    The problem is a tanh regression on fresh random batches, so gradients depend
    on the weights and differ from step to step. Returns the largest |difference|
    of any variable after any step, and the final (custom, keras) variables.
    """
    rng = np.random.default_rng(seed)
    initial = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]  # (features, outputs), (outputs,)
    inputs = rng.normal(size=(steps, 8, 4)).astype(np.float32)  # (steps, batch, features)
    targets = rng.normal(size=(steps, 8, 3)).astype(np.float32)  # (steps, batch, outputs)
    optimizers = [custom.optimizers.get(name, implementation=implementation, **kwargs)
                  for implementation in ("custom", "keras")]
    variables = [[tf.Variable(value.astype(np.float32)) for value in initial] for _ in range(2)]

    for optimizer, own_variables in zip(optimizers, variables):
        optimizer.build(own_variables)

    @tf.function
    def train(inputs, targets):
        # The whole run is one graph; the largest |difference| is tracked step by step.
        largest = tf.constant(0.0)
        for index in tf.range(steps):
            for optimizer, (weights, bias) in zip(optimizers, variables):
                with tf.GradientTape() as tape:
                    prediction = tf.tanh(inputs[index] @ weights + bias)  # (batch, outputs)
                    loss = tf.reduce_mean(tf.square(prediction - targets[index]))
                gradients = tape.gradient(loss, [weights, bias])
                optimizer.apply_gradients(zip(gradients, [weights, bias]))
            for ours, theirs in zip(*variables):
                largest = tf.maximum(largest, tf.reduce_max(tf.abs(ours - theirs)))
        return largest

    largest = float(train(tf.constant(inputs), tf.constant(targets)))
    return largest, variables


PARITY_SETTINGS = [
    ("sgd", {"learning_rate": 0.1}),
    ("sgd", {"learning_rate": _schedule, "clipnorm": 0.5}),
    ("momentum", {"learning_rate": 0.05}),
    ("momentum", {"learning_rate": 0.02, "momentum": 0.5, "clipvalue": 0.1}),
    ("momentum", {"learning_rate": _schedule, "global_clipnorm": 0.3}),
    ("nesterov", {"learning_rate": 0.05}),
    ("nesterov", {"learning_rate": _schedule, "momentum": 0.8, "clipnorm": 0.2}),
    ("nesterov", {"learning_rate": 0.1, "momentum": 0.0}),  # plain descent, as in Keras
    ("momentum", {"learning_rate": 0.001, "momentum": 1.0}),  # a velocity that never decays
    ("rmsprop", {}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.5, "epsilon": 1e-3, "clipvalue": 0.05}),
    ("rmsprop", {"learning_rate": _schedule, "global_clipnorm": 0.5}),
    ("rmsprop", {"learning_rate": 0.01, "centered": True}),
    ("rmsprop", {"learning_rate": _schedule, "rho": 0.8, "centered": True, "clipnorm": 0.2}),
    ("rmsprop", {"learning_rate": 0.005, "momentum": 0.9}),
    ("rmsprop", {"learning_rate": _schedule, "momentum": 0.5, "clipvalue": 0.05}),
    ("rmsprop", {"learning_rate": 0.005, "momentum": 0.9, "centered": True, "epsilon": 1e-3}),
    ("rmsprop", {"learning_rate": _schedule, "momentum": 0.8, "centered": True,
                 "global_clipnorm": 0.3}),
    ("adam", {}),
    ("adam", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-4}),
    ("adam", {"learning_rate": _schedule, "clipnorm": 0.1}),
    ("adam", {"learning_rate": 0.02, "global_clipnorm": 0.05}),
    ("adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("adam", {"learning_rate": _schedule, "amsgrad": True, "beta_2": 0.9, "clipnorm": 0.1}),
    ("adam", {"learning_rate": 0.02, "amsgrad": True, "epsilon": 1e-4, "clipvalue": 0.05}),
    # The base class's own arguments act on the new variants exactly as on Keras' twins.
    ("rmsprop", {"learning_rate": 0.005, "momentum": 0.9, "centered": True,
                 "weight_decay": 0.01, "gradient_accumulation_steps": 2}),
    ("adam", {"learning_rate": 0.01, "amsgrad": True, "weight_decay": 0.01, "use_ema": True}),
]


@pytest.mark.parametrize("name, settings", PARITY_SETTINGS,
                         ids=[f"{name}-{index}" for index, (name, _) in
                              enumerate(PARITY_SETTINGS)])
def test_matches_keras_step_by_step(name, settings):
    # A schedule object holds no state, but build a fresh one per optimizer anyway.
    kwargs = {key: value() if callable(value) else value for key, value in settings.items()}
    largest, (ours, theirs) = twin_trajectories(name, **kwargs)
    assert largest <= TOLERANCE, f"{name} {settings}: max |difference| {largest:.2e}"
    # The weights really moved, so the comparison is not between two frozen copies.
    assert np.max(np.abs(ours[0].numpy() - twin_initial_weights())) > 1e-2


def twin_initial_weights():
    return np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)


def test_matches_keras_under_a_project_schedule():
    schedules = pytest.importorskip("custom.schedules")
    for name in ("momentum", "adam"):
        largest, _ = twin_trajectories(
            name, learning_rate=schedules.StepDecay(0.05, drop=0.5, steps_per_drop=40))
        assert largest <= TOLERANCE, f"{name}: max |difference| {largest:.2e}"


def test_apply_on_a_bare_variable_and_with_keras_variables():
    """The toy-function demos drive an optimizer with a single tf.Variable, eagerly."""
    for implementation in ("custom", "keras"):
        point = tf.Variable([10.0, 1.0])
        optimizer = custom.optimizers.get("momentum", implementation=implementation,
                                          learning_rate=0.01)
        for _ in range(3):
            with tf.GradientTape() as tape:
                loss = point[0] ** 2 + 10.0 * point[1] ** 2  # the seeds' ravine
            optimizer.apply([tape.gradient(loss, point)], [point])
        if implementation == "custom":
            ours = point.numpy()
        else:
            np.testing.assert_allclose(ours, point.numpy(), rtol=0, atol=TOLERANCE)
    assert int(optimizer.iterations.numpy()) == 3


# --- Argument validation and the registry -------------------------------------------------

@pytest.mark.parametrize("name, arguments, message", [
    ("sgd", {"learning_rate": -0.1}, "learning_rate must be a finite number >= 0"),
    ("sgd", {"learning_rate": float("nan")}, "learning_rate must be a finite number >= 0"),
    ("sgd", {"learning_rate": "fast"}, "learning_rate must be a number >= 0"),
    ("momentum", {"momentum": 1.5}, "momentum must be a finite number >= 0 and <= 1"),
    ("momentum", {"momentum": -0.1}, "momentum must be a finite number >= 0 and <= 1"),
    ("nesterov", {"momentum": float("nan")}, "momentum must be a finite number >= 0 and <= 1"),
    ("ema_momentum", {"momentum": 1.0}, "momentum must be a finite number >= 0 and < 1"),
    ("ema_momentum", {"momentum": 1.5}, "momentum must be a finite number >= 0 and < 1"),
    ("rmsprop", {"rho": 1.0}, "rho must be a finite number >= 0 and < 1"),
    ("rmsprop", {"epsilon": -1e-7}, "epsilon must be a finite number >= 0"),
    ("rmsprop", {"momentum": 1.01}, "momentum must be a finite number >= 0 and <= 1"),
    ("rmsprop", {"momentum": "high"}, "momentum must be a finite number >= 0 and <= 1"),
    ("rmsprop", {"centered": 1}, "centered must be True or False"),
    ("adam", {"beta_1": 1.0}, "beta_1 must be a finite number >= 0 and < 1"),
    ("adam", {"beta_2": -0.5}, "beta_2 must be a finite number >= 0 and < 1"),
    ("adam", {"epsilon": -1.0}, "epsilon must be a finite number >= 0"),
    ("adam", {"amsgrad": None}, "amsgrad must be True or False"),
    ("adam", {"textbook_epsilon": "yes"}, "textbook_epsilon must be True or False"),
])
def test_custom_optimizers_reject_bad_arguments(name, arguments, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        custom.optimizers.get(name, **arguments)


@pytest.mark.parametrize("name, arguments, message", [
    ("momentum", {"momentum": 1.5}, "momentum must be a finite number >= 0 and <= 1"),
    ("rmsprop", {"momentum": -0.5}, "momentum must be a finite number >= 0 and <= 1"),
    ("rmsprop", {"rho": 2.0}, "rho must be a finite number >= 0 and < 1"),
    ("rmsprop", {"centered": "yes"}, "centered must be True or False"),
    ("adam", {"learning_rate": -1.0}, "learning_rate must be a finite number >= 0"),
])
def test_keras_twins_get_the_same_checks(name, arguments, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        custom.optimizers.get(name, implementation="keras", **arguments)


def test_registry_names_and_defaults():
    assert custom.optimizers.names() == ["sgd", "momentum", "nesterov", "ema_momentum",
                                         "rmsprop", "adam"]
    assert "ema_momentum" not in custom.optimizers.names("keras")
    for implementation in ("custom", "keras"):
        for name in custom.optimizers.names(implementation):
            first = custom.optimizers.get(name, implementation=implementation)
            second = custom.optimizers.get(name, implementation=implementation)
            assert isinstance(first, keras.optimizers.Optimizer)
            assert first is not second  # fresh each call: optimizers hold state
    momentum = custom.optimizers.get("momentum").get_config()
    nesterov = custom.optimizers.get("nesterov", implementation="keras").get_config()
    assert (momentum["momentum"], momentum["nesterov"]) == (0.9, False)
    assert (nesterov["momentum"], nesterov["nesterov"]) == (0.9, True)
    assert type(custom.optimizers.get("ADAM")) is custom.optimizers.Adam
    assert type(custom.optimizers.get("adam", implementation="keras")) is keras.optimizers.Adam
    # Ints are accepted where Keras itself insists on floats.
    assert custom.optimizers.get("momentum", implementation="keras", learning_rate=1,
                                 momentum=0).get_config()["momentum"] == 0.0


@pytest.mark.parametrize("call, message", [
    (lambda: custom.optimizers.get("adagrad"), "unknown optimizer 'adagrad'; choose from: sgd, "
                                              "momentum, nesterov, ema_momentum, rmsprop, adam"),
    (lambda: custom.optimizers.get("sgd", implementation="torch"),
     "implementation must be one of custom, keras"),
    (lambda: custom.optimizers.get("ema_momentum", implementation="keras"),
     "choose from: sgd, momentum, nesterov, rmsprop, adam"),
    (lambda: custom.optimizers.get("adam", implementation="keras", textbook_epsilon=True),
     "no textbook_epsilon=True form"),
    (lambda: custom.optimizers.get("nesterov", nesterov=False), "always has nesterov=True"),
])
def test_registry_errors_name_what_is_valid(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_classes_are_registered_for_serialization():
    for cls in (custom.optimizers.SGD, custom.optimizers.EMAMomentum, custom.optimizers.RMSprop,
                custom.optimizers.Adam):
        name = keras.saving.get_registered_name(cls)
        assert name == f"custom>{cls.__name__}"
        assert keras.saving.get_registered_object(name) is cls
        optimizer = cls(learning_rate=0.5)
        clone = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
        assert type(clone) is cls and clone.get_config() == optimizer.get_config()
