"""labs/helpers/activations.py: slopes by GradientTape against the formulas, the saturation edges
against their closed forms, and the per-layer gradient norms against finite differences."""

import math

import keras
import numpy as np
import pytest

from custom import activations
from labs.helpers import activations as saturation

GRID = np.linspace(-8.0, 8.0, 1601)        # step 0.01, as in the lab


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_slopes_by_gradient_tape_are_the_formulas_and_bounded(name):
    values, slopes = saturation.slopes(keras.activations.get(name), GRID)
    function, derivative = activations.get(name)
    np.testing.assert_allclose(values, function(GRID), rtol=1e-12, atol=1e-12)
    away_from_kink = np.abs(GRID) > 1e-9
    np.testing.assert_allclose(slopes[away_from_kink], derivative(GRID)[away_from_kink],
                               rtol=1e-10, atol=1e-12)
    bound = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}[name]   # σ′ ≤ ¼, tanh′ ≤ 1, ReLU′ ≤ 1
    assert slopes.max() <= bound + 1e-15
    assert slopes.max() == pytest.approx(bound, abs=1e-12)


def test_saturation_edges_are_where_the_slope_falls_to_one_percent():
    root = math.sqrt(1 - 4 * 0.0025)            # σ(1 − σ) = 0.0025  ⇔  σ = (1 ± root)/2
    sigmoid_edge = math.log((1 + root) / (1 - root))                 # ≈ 5.986
    tanh_edge = math.atanh(math.sqrt(0.99))                          # 1 − tanh² = 0.01, ≈ 2.993
    for name, exact in (("sigmoid", sigmoid_edge), ("tanh", tanh_edge)):
        _, slopes = saturation.slopes(keras.activations.get(name), GRID)
        edge = saturation.saturation_edge(GRID, slopes)
        assert exact - 0.01 < edge <= exact          # the last grid point still at ≥ 1 %
    assert tanh_edge == pytest.approx(sigmoid_edge / 2, rel=1e-12)   # tanh′(z) = 4σ′(2z)


def test_saturation_edge_refuses_a_fraction_outside_0_1():
    with pytest.raises(ValueError, match="fraction must be in"):
        saturation.saturation_edge(GRID, GRID, fraction=1.5)


def test_deep_stack_checks_its_arguments_and_scales_the_same_weights():
    with pytest.raises(ValueError, match="depth and width"):
        saturation.deep_stack("tanh", 0, 4)
    with pytest.raises(ValueError, match="weight_scale"):
        saturation.deep_stack("tanh", 2, 4, weight_scale=0)
    default, _ = saturation.deep_stack("tanh", 3, 4, seed=1)
    larger, _ = saturation.deep_stack("tanh", 3, 4, weight_scale=4.0, seed=1)
    for small_layer, large_layer in zip(default.layers[1:-1:2], larger.layers[1:-1:2]):
        np.testing.assert_allclose(large_layer.kernel.numpy(), 4.0 * small_layer.kernel.numpy(),
                                   rtol=1e-6)


def test_layer_gradient_norms_match_central_differences_in_float64():
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")      # A policy set earlier would win over floatx.
    try:
        rng = np.random.default_rng(0)
        x, y = rng.standard_normal((16, 2)), rng.integers(0, 2, 16)
        model, probe = saturation.deep_stack("sigmoid", 3, 4, weight_scale=2.0, seed=0)
        assert model.layers[1].kernel.dtype == "float64"
        norms = saturation.hidden_kernel_gradient_norms(model, x, y)

        def loss():
            predictions = keras.ops.convert_to_numpy(model(x)).ravel()
            return -np.mean(y * np.log(predictions) + (1 - y) * np.log(1 - predictions))

        step = 1e-6
        hidden = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)][:-1]
        for layer, norm in zip(hidden, norms):
            kernel = layer.kernel.numpy()
            gradient = np.zeros_like(kernel)
            for index in np.ndindex(kernel.shape):        # ∂L/∂W ≈ (L(W+h) − L(W−h)) / 2h
                for sign in (1, -1):
                    shifted = kernel.copy()
                    shifted[index] += sign * step
                    layer.kernel.assign(shifted)
                    gradient[index] += sign * loss() / (2 * step)
            layer.kernel.assign(kernel)
            assert norm == pytest.approx(np.linalg.norm(gradient), rel=1e-6)
        assert norms[0] < norms[-1]                # the sigmoid stack's gradient shrinks

        mean_slopes, saturated = saturation.layer_slopes(probe, x, activations.sigmoid_derivative)
        for z, mean_slope in zip(probe(x), mean_slopes):
            z = keras.ops.convert_to_numpy(z)                         # (16, 4)
            _, by_tape = saturation.slopes(keras.activations.sigmoid, z)
            assert mean_slope == pytest.approx(by_tape.mean(), rel=1e-12)
        assert np.all((0 <= saturated) & (saturated <= 1))
    finally:
        keras.config.set_floatx("float32")
        keras.config.set_dtype_policy("float32")


def test_compare_with_formulas_reports_a_wrong_twin_and_agrees_with_the_right_one():
    z_values = np.linspace(-4.0, 4.0, 81)
    functions = {"ReLU": (keras.activations.relu, "relu", {}),
                 "wrong": (keras.activations.relu, "tanh", {})}   # Keras' ReLU against tanh
    curves, errors, rows = saturation.compare_with_formulas(functions, z_values)
    assert errors["ReLU"][0] < 1e-12 and errors["ReLU"][1] < 1e-12
    assert errors["wrong"][0] == pytest.approx(np.abs(np.maximum(z_values, 0)
                                                      - np.tanh(z_values)).max())
    np.testing.assert_array_equal(curves["ReLU"][1], (z_values > 0).astype(float))
    assert len(rows) == 3 and rows[1].split()[-2:] == ["0.0000", "1.0000"]   # g′(−3), g′(1)
    figure = saturation.plot_activations(z_values, curves)
    np.testing.assert_array_equal(figure.axes[1].lines[0].get_ydata(), curves["ReLU"][1])
    assert [axis.get_title() for axis in figure.axes] == ["activations (keras.activations)",
                                                          "derivatives (tf.GradientTape)"]


def test_measure_stack_holds_one_value_per_hidden_layer_and_relu_slopes_are_shares():
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    found = saturation.measure_stack(("sigmoid", "ReLU"), x, y, depth=3, width=4,
                                     weight_scale=1.0, seed=0)
    for name, measured in found.items():
        assert len(measured["norms"]) == len(measured["mean_slopes"]) == 3
    assert np.all(found["sigmoid"]["mean_slopes"] <= 0.25)
    assert np.all((0 <= found["ReLU"]["mean_slopes"]) & (found["ReLU"]["mean_slopes"] <= 1))
