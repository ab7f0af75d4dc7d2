"""custom.gradient_check: central differences are right on known functions, the checker passes
a correct backward pass (relative error < 1e-5) and flags a broken one (error > 1e-2)."""

import numpy as np
import pytest

import datasets
from custom import gradient_check
from custom.numpy_net import Network


def test_numerical_gradient_of_a_known_function():
    # L(θ) = Σ θ³, so ∂L/∂θ = 3θ²; central differences are exact up to h² = 1e-10 (times 1).
    theta = np.array([[0.5, -1.0], [2.0, 0.1]])
    numerical = gradient_check.numerical_gradient(lambda: float(np.sum(theta**3)), theta)
    np.testing.assert_allclose(numerical, 3 * theta**2, atol=1e-8)


def test_numerical_gradient_restores_every_parameter_exactly():
    theta = np.random.default_rng(0).standard_normal(7)
    saved = theta.copy()
    gradient_check.numerical_gradient(lambda: float(np.sum(np.sin(theta))), theta)
    np.testing.assert_array_equal(theta, saved)


def test_relative_error_edge_cases():
    assert gradient_check.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gradient_check.relative_error(np.ones(3), np.zeros(3)) == pytest.approx(1.0)
    assert gradient_check.relative_error(np.ones(3), np.ones(3) * (1 + 1e-9)) < 1e-9


def seed_001_batch():
    # The batch of seed 001's gradient-checking example.
    return np.array([[0.5, 0.3], [0.8, 0.1]]), np.array([[1.0], [0.0]])


@pytest.mark.parametrize("sizes, output, data", [
    ([2, 3, 1], "sigmoid", "seed_001"),
    ([2, 4, 1], "sigmoid", "xor"),
    ([4, 16, 8, 3], "softmax", "random"),
])
def test_correct_backward_pass_passes(sizes, output, data):
    if data == "seed_001":
        x, y = seed_001_batch()
    elif data == "xor":
        x, y = datasets.xor()
        x = x.astype(float) + 0.01      # off ReLU kinks: z = 0 exactly would make h straddle it
    else:
        rng = np.random.default_rng(0)
        x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    network = Network(sizes, output=output, seed=42)
    report = gradient_check.check_network(network, x, y)
    assert report.passed, report.table()
    assert max(report.errors) < 1e-5
    assert report.names[:2] == ["W1", "b1"]


def test_broken_backward_pass_is_flagged():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    network = Network([4, 16, 8, 3], seed=42)
    report = gradient_check.check_network(
        network, x, y, backward=gradient_check.backward_without_relu_derivative)
    assert not report.passed
    errors = dict(zip(report.names, report.errors))
    assert errors["W1"] > 1e-2 and errors["W2"] > 1e-2
    assert errors["W3"] < 1e-5       # the output layer's gradient does not use a ReLU derivative


def test_check_rejects_float32_and_mismatched_shapes():
    theta = np.ones(3, dtype=np.float32)
    with pytest.raises(ValueError, match="float64"):
        gradient_check.numerical_gradient(lambda: 0.0, theta)
    with pytest.raises(ValueError, match="gradient shape"):
        gradient_check.check(lambda: 0.0, [np.ones(3)], [np.ones(4)])
    with pytest.raises(ValueError, match="step must be positive"):
        gradient_check.numerical_gradient(lambda: 0.0, np.ones(3), step=0.0)


@pytest.mark.parametrize("hidden_activation", ["leaky_relu", "sigmoid", "swish", "gelu"])
def test_every_hidden_activation_and_the_linear_output_pass_the_check(hidden_activation):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 3))
    classifier = Network([3, 5, 4, 3], output="softmax", hidden_activation=hidden_activation)
    assert gradient_check.check_network(classifier, x, rng.integers(0, 3, 6)).passed
    regressor = Network([3, 5, 2], output="linear", hidden_activation=hidden_activation)
    report = gradient_check.check_network(regressor, x, rng.standard_normal((6, 2)))
    assert report.passed, report.table()
