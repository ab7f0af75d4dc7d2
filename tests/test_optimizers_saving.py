"""Custom optimizers inside model.fit: save → load_model → continue, and MirroredStrategy over
the two logical CPUs the test process starts TensorFlow with (tests/conftest.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import custom.optimizers
from labs.helpers import data_parallel

RATES = {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "ema_momentum": 0.05,
         "rmsprop": 0.005, "adam": 0.01}


def data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 5)).astype(np.float32)  # (samples, features)
    y = (x @ rng.normal(size=(5, 1)) + 0.1 * rng.normal(size=(64, 1))).astype(np.float32)
    return x, y


def compiled_model(name):
    """The same initial weights every call; a decaying schedule so that the step count matters."""
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1)])
    schedule = keras.optimizers.schedules.ExponentialDecay(RATES[name], decay_steps=4,
                                                           decay_rate=0.8)
    model.compile(optimizer=custom.optimizers.get(name, learning_rate=schedule, clipnorm=1.0),
                  loss="mse")
    return model


def largest_gap(first, second):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(first, second))


@pytest.mark.slow
@pytest.mark.parametrize("name", custom.optimizers.names())
def test_save_load_continue_equals_uninterrupted_training(name, tmp_path):
    x, y = data()
    fit = {"batch_size": 16, "shuffle": False, "verbose": 0}
    model = compiled_model(name)
    model.fit(x, y, epochs=2, **fit)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored.optimizer) is type(model.optimizer)
    assert restored.optimizer.get_config() == model.optimizer.get_config()
    assert int(restored.optimizer.iterations.numpy()) == 8
    for saved, loaded in zip(model.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(saved), np.asarray(loaded))

    # The original model trains on as if nothing happened; the restored one must match it.
    model.fit(x, y, epochs=2, **fit)
    restored.fit(x, y, epochs=2, **fit)
    assert largest_gap(restored.get_weights(), model.get_weights()) <= 1e-6
    assert int(restored.optimizer.iterations.numpy()) == 16


def train_in(strategy, name):
    """Four steps of one epoch with optimizer ``name``, the model built in ``strategy``'s scope:
    the weights and the optimizer's step count."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype(np.float32)  # (samples, features)
    y = (x @ rng.normal(size=(5, 1))).astype(np.float32)  # (samples, 1)
    keras.utils.set_random_seed(3)
    with strategy.scope():
        model = keras.Sequential([keras.Input(shape=(5,)),
                                  keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=custom.optimizers.get(name, learning_rate=0.01), loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)  # 4 steps
    return model.get_weights(), int(model.optimizer.iterations.numpy())


@pytest.mark.slow
@pytest.mark.parametrize("name", custom.optimizers.names())
def test_mirrored_strategy_on_two_cpus_equals_one_device(name):
    # The test process starts TensorFlow with two logical CPUs (tests/conftest.py).
    assert len(tf.config.list_logical_devices("CPU")) >= 2, "TensorFlow started with one CPU"
    mirrored = data_parallel.two_cpu_strategy()   # The process's one: see its docstring.
    assert mirrored.num_replicas_in_sync == 2
    single, single_steps = train_in(tf.distribute.get_strategy(), name)
    distributed, distributed_steps = train_in(mirrored, name)
    assert distributed_steps == single_steps == 4
    # Two replicas sum half-batch gradients in another order: rounding only.
    gap = largest_gap(single, distributed)
    assert gap <= 1e-6, f"{name}: mirrored training differs by {gap:.2e}"
