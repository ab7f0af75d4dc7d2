"""Gradient health: the probe against tf.GradientTape, the findings on labelled real runs."""

import pathlib

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from callbacks import diagnostics
from callbacks.diagnostics import findings, gradients

CASES = pathlib.Path(__file__).resolve().parent / "fixtures" / "diagnostics" / "cases"
GRADIENT_CASES = pd.read_csv(CASES / "gradient_cases.csv")


def small_model():
    """Dense(6, relu) → Dense(3, softmax), L2 on the first kernel, half the hidden units dead."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)),
        keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    kernel, bias = model.layers[0].get_weights()
    bias[:3] = -100.0  # Units 0-2 output 0 for every input of the probe: dead.
    model.layers[0].set_weights([kernel, bias])
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 4)).astype("float32")
    y = rng.integers(0, 3, 32)
    return model, x, y


def test_probe_matches_an_independent_gradient_tape():
    model, x, y = small_model()
    before = [weight.copy() for weight in model.get_weights()]
    measured = gradients.Probe(model, x, y).measure()
    # Trusted: keras' own loss object and regularization, differentiated by tf.GradientTape.
    with tf.GradientTape(persistent=True) as tape:
        loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x)) + tf.add_n(model.losses)
    layer_gradients = [tape.gradient(loss, layer.trainable_weights) for layer in model.layers]
    norms = [np.sqrt(sum(np.sum(g.numpy() ** 2) for g in group)) for group in layer_gradients]
    weights = [np.sqrt(sum(np.sum(w.numpy() ** 2) for w in layer.trainable_weights))
               for layer in model.layers]
    np.testing.assert_allclose(measured["grad_norm"], np.sqrt(np.sum(np.square(norms))),
                               rtol=1e-5)
    for position, layer in enumerate(model.layers):
        np.testing.assert_allclose(measured[f"grad_ratio/{position:02d}_{layer.name}"],
                                   norms[position] / weights[position], rtol=1e-5)
    hidden = np.maximum(x @ model.layers[0].get_weights()[0] + model.layers[0].get_weights()[1],
                        0.0)  # (batch, 6)
    dead = np.mean(np.all(hidden <= 0.0, axis=0))
    assert dead == 0.5 and measured[f"dead/00_{model.layers[0].name}"] == dead
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)  # The probe reads the model, never changes it.


def test_a_second_model_of_the_same_architecture_reuses_the_trace_with_its_own_weights():
    first, x, y = small_model()
    gradients.Probe(first, x, y).measure()
    keras.utils.set_random_seed(5)  # Other starting weights, other layer names.
    second = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)),
        keras.layers.Dense(3, activation="softmax")])
    second.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    probe = gradients.Probe(second, x, y)
    assert probe._pass is gradients.Probe(first, x, y)._pass  # One trace for both.
    measured = probe.measure()
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy()(y, second(x)) + tf.add_n(second.losses)
    expected = np.sqrt(sum(np.sum(g.numpy() ** 2)
                           for g in tape.gradient(loss, second.trainable_weights)))
    np.testing.assert_allclose(measured["grad_norm"], expected, rtol=1e-5)
    assert f"grad_ratio/00_{second.layers[0].name}" in measured


def test_the_probe_reads_the_weights_as_they_are_at_each_call():
    model, x, y = small_model()
    probe = gradients.Probe(model, x, y)
    before = probe.measure()["grad_norm"]
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)  # The optimizer moves the weights.
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x)) + tf.add_n(model.losses)
    expected = np.sqrt(sum(np.sum(g.numpy() ** 2)
                           for g in tape.gradient(loss, model.trainable_weights)))
    after = probe.measure()["grad_norm"]
    assert abs(after - before) > 1e-3 * before  # The weights did move …
    np.testing.assert_allclose(after, expected, rtol=1e-5)  # … and the probe saw them.


def test_binary_targets_of_shape_batch_are_not_broadcast():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((16, 3)).astype("float32"), rng.integers(0, 2, 16)
    measured = gradients.Probe(model, x, y).measure()["grad_norm"]
    with tf.GradientTape() as tape:
        loss = keras.losses.BinaryCrossentropy()(y[:, None].astype("float32"), model(x))
    expected = np.sqrt(sum(np.sum(g.numpy() ** 2)
                           for g in tape.gradient(loss, model.trainable_weights)))
    np.testing.assert_allclose(measured, expected, rtol=1e-5)


def test_logger_writes_gradient_columns_and_num_classes(tmp_path):
    model, x, y = small_model()
    path = tmp_path / "run.csv"
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[
        diagnostics.DiagnosticsLogger(path, gradients=True, probe=(x, y), verbose=False)])
    frame = pd.read_csv(path)
    assert {"grad_norm", f"dead/00_{model.layers[0].name}"} <= set(frame.columns)
    assert list(frame["num_classes"]) == [3, 3, 3]  # From the 3-unit softmax output.
    assert np.isfinite(frame["grad_norm"]).all() and (frame["grad_norm"] > 0).all()


@pytest.mark.parametrize("arguments, message", [
    ({"gradients": True}, "probe=\\(x, y\\)"),
    ({"gradients": "yes"}, "gradients must be True or False"),
    ({"num_classes": 1}, "num_classes must be an integer >= 2"),
])
def test_bad_gradient_arguments_name_themselves(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        diagnostics.DiagnosticsLogger(tmp_path / "run.csv", **arguments)


@pytest.mark.parametrize("case", GRADIENT_CASES["case"])
def test_each_labelled_case_gets_its_finding_and_healthy_runs_none(case):
    expected = GRADIENT_CASES.set_index("case").loc[case, "expected"]
    diagnosis = diagnostics.classify(CASES / f"gradients-{case}.csv")
    found = [name for name, _, _ in diagnosis.findings]
    assert found == ([] if expected == "none" else expected.split("; ")), diagnosis


def test_a_real_run_whose_gradient_norm_grows_100_times_without_nan_is_exploding():
    """Full-batch descent at 0.5 on a six-layer tanh net: ‖g‖ grows ~30× an epoch, finite.

    It is the "grew ≥ 100×" rule that fires, not the NaN one; the same net at a tenth
    of the rate (calm_tanh) gets no finding.
    """
    history = diagnostics.read_history(CASES / "gradients-exploding_growth.csv")
    norm = history["grad_norm"]
    assert np.isfinite(norm).all() and np.median(norm[-3:]) >= findings.EXPLODING_GROWTH * norm[0]
    diagnosis = diagnostics.classify(history)
    evidence = dict((name, sentence) for name, sentence, _ in diagnosis.findings)
    assert evidence["exploding gradients"].startswith("the gradient norm grew from "), evidence
    calm = diagnostics.read_history(CASES / "gradients-calm_tanh.csv")["grad_norm"]
    assert np.median(calm[-3:]) < calm[0]  # At the lower rate the norm shrinks as it learns.


def test_findings_thresholds_on_hand_made_columns():
    healthy = {"loss": np.ones(5), "grad_norm": np.array([1.0, 0.8, 0.7, 0.6, 0.6]),
               "grad_ratio/00_a": np.full(5, 1e-3), "grad_ratio/01_b": np.full(5, 1e-2),
               "dead/00_a": np.full(5, 0.49)}
    assert findings.find(healthy) == []
    vanishing = dict(healthy, **{"grad_ratio/00_a": np.full(5, 1e-4)})  # 1 % of the last.
    assert [name for name, _, _ in findings.find(vanishing)] == ["vanishing gradients"]
    growing = dict(healthy, grad_norm=np.array([1.0, 10.0, 100.0, 100.0, 100.0]))
    assert [name for name, _, _ in findings.find(growing)] == ["exploding gradients"]
    dead = dict(healthy, **{"dead/00_a": np.full(5, 0.5)})
    assert [name for name, _, _ in findings.find(dead)] == ["dead units"]
