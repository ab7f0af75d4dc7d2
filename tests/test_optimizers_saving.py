"""Custom optimizers inside model.fit: save → load_model → continue, and MirroredStrategy."""

import json
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

import custom.optimizers

HERE = pathlib.Path(__file__).resolve().parent
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


@pytest.mark.slow
def test_mirrored_strategy_on_two_cpus_equals_one_device():
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    finished = subprocess.run([sys.executable, str(HERE / "_optimizers_mirrored.py")],
                              capture_output=True, text=True, timeout=300, env=environment)
    assert finished.returncode == 0, finished.stderr[-2000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert sorted(report["gaps"]) == sorted(custom.optimizers.names())
    for name, gap in report["gaps"].items():
        # Two replicas sum half-batch gradients in another order: rounding only.
        assert gap <= 1e-6, f"{name}: mirrored training differs by {gap:.2e}"
