"""The curvature lab's maths (``labs/helpers/curvature.py``) against trusted references: eigenvalues
from ``numpy.linalg``, Keras' own SGD on a ``tf.Variable`` step by step, closed forms of
gradient descent on a quadratic, finite differences, and the saddle's known geometry."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import custom.optimizers
from custom.optimizers import trajectories
from labs.helpers import curvature


@pytest.mark.parametrize("smallest, largest, angle", [(1.0, 10.0, 0.3), (0.5, 0.5, 2.0),
                                                      (2.0, 200.0, -1.1)])
def test_the_limit_and_the_optimal_rate_come_from_the_chosen_eigenvalues(smallest, largest, angle):
    matrix = curvature.quadratic_matrix(smallest, largest, angle)
    np.testing.assert_allclose(np.linalg.eigvalsh(matrix), [smallest, largest], rtol=1e-12)
    assert math.isclose(curvature.stability_limit(matrix), 2 / largest, rel_tol=1e-12)
    assert math.isclose(curvature.optimal_rate(matrix), 2 / (smallest + largest), rel_tol=1e-12)
    point = np.array([0.7, -1.3])
    assert math.isclose(curvature.quadratic(matrix)(point), 0.5 * point @ matrix @ point,
                        rel_tol=1e-12)


def test_keras_descent_on_the_quadratic_is_the_closed_form_and_flips_at_the_limit():
    """θ_t = (I − ηA)ᵗθ₀, by keras.optimizers.SGD on a tf.Variable: the steepest component
    shrinks by |1 − ηλ_max| just below 2/λ_max and grows by it just above."""
    matrix = curvature.quadratic_matrix(1.0, 10.0, 0.4)
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    limit = curvature.stability_limit(matrix)
    start = np.array([0.6, 0.8])
    # η exactly representable in float32, because Keras keeps η in a float32 variable.
    rates = {"below": float(np.float32(0.98 * limit)), "above": float(np.float32(1.02 * limit))}
    paths = trajectories.follow_together(
        {name: keras.optimizers.SGD(rate) for name, rate in rates.items()},
        curvature.quadratic(matrix), start, 30)
    for name, rate in rates.items():
        step = np.eye(2) - rate * matrix
        expected = np.array([np.linalg.matrix_power(step, t) @ start for t in range(31)])
        np.testing.assert_allclose(paths[name], expected, rtol=1e-10, atol=1e-12)
        steepest = paths[name] @ eigenvectors[:, 1]
        np.testing.assert_allclose(steepest[1:] / steepest[:-1], 1 - rate * eigenvalues[1],
                                   rtol=1e-9)
    assert abs(1 - rates["below"] * eigenvalues[1]) < 1 < abs(1 - rates["above"] * eigenvalues[1])


@pytest.mark.parametrize("learning_rate, momentum", [(0.0625, 0.875), (0.004, 0.9)])
def test_the_look_ahead_form_is_keras_nesterov_after_the_change_of_variables(learning_rate,
                                                                            momentum):
    """Step by step, Keras' weights are θ − μ·v of the look-ahead form and its slot is −v.

    Keras rounds η and μ to float32 even for float64 weights, so the look-ahead form is run
    with the same rounded numbers (exact ones for the first case)."""
    matrix = curvature.quadratic_matrix(2.0, 50.0, 0.7)
    rate_as_kept, momentum_as_kept = float(np.float32(learning_rate)), float(np.float32(momentum))
    thetas, velocities = curvature.nesterov_look_ahead(
        lambda theta: matrix @ theta, [1.0, -2.0], rate_as_kept, momentum_as_kept, 12)
    weights = tf.Variable([1.0, -2.0], dtype=tf.float64)
    optimizer = keras.optimizers.SGD(learning_rate, momentum=momentum, nesterov=True)
    optimizer.build([weights])
    differences = [0.0]
    for step in range(1, 13):
        optimizer.apply([tf.linalg.matvec(tf.constant(matrix), weights)], [weights])
        look_ahead = thetas[step] - momentum_as_kept * velocities[step]      # w = θ − μ·v
        np.testing.assert_allclose(weights.numpy(), look_ahead, rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(optimizer.momentums[0].numpy(), -velocities[step],
                                   rtol=1e-13, atol=1e-14)
        differences.append(np.max(np.abs(weights.numpy() - thetas[step])))
    assert max(differences) > 1e-3           # Without the change of variables they differ.


def test_custom_nesterov_is_the_look_ahead_form_after_the_change_of_variables():
    thetas, velocities = curvature.nesterov_look_ahead(
        lambda point: np.array([2 * point[0], 200 * point[1]]), (10.0, 1.0),
        float(np.float32(0.002)), 0.9, 200)
    path = trajectories.follow(custom.optimizers.SGD(0.002, momentum=0.9, nesterov=True),
                               trajectories.steep_ravine, (10.0, 1.0), 200)
    np.testing.assert_allclose(path, thetas - 0.9 * velocities, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_momentum_limits_separate_converging_from_diverging_runs(nesterov):
    """Just below its limit each method's f shrinks; just above, it grows (x² + 100y²)."""
    momentum = 0.9
    limit = (curvature.nesterov_limit if nesterov else curvature.momentum_limit)(200.0,
                                                                                   momentum)
    fractions = {"below": 0.97, "above": 1.03}
    paths = trajectories.follow_together(
        {name: custom.optimizers.SGD(fraction * limit, momentum=momentum, nesterov=nesterov)
         for name, fraction in fractions.items()},
        trajectories.steep_ravine, (10.0, 1.0), 1500)
    start_value = trajectories.steep_ravine(np.array([10.0, 1.0]))
    with np.errstate(over="ignore"):              # the diverging run may overflow to inf
        ended = {name: trajectories.steep_ravine(path[-1]) for name, path in paths.items()}
    assert ended["below"] < 1e-3 * start_value
    assert ended["above"] > 1e3 * start_value


@pytest.mark.parametrize("function, point", [
    (curvature.saddle, (0.3, -0.7)), (curvature.saddle, (1.0, 1e-6)),
    (curvature.plateau, (-4.0, -4.0)), (curvature.plateau, (0.5, 0.2))])
def test_gradients_and_hessians_match_central_differences(function, point):
    point = np.array(point)
    step = 1e-5
    basis = np.eye(2) * step

    def value(at):
        return float(np.asarray(function(at)))

    numerical = np.array([(value(point + e) - value(point - e)) / (2 * step) for e in basis])
    np.testing.assert_allclose(curvature.gradients(function, point), numerical, rtol=1e-6,
                               atol=1e-10)
    numerical_hessian = np.array([(curvature.gradients(function, point + e)
                                   - curvature.gradients(function, point - e)) / (2 * step)
                                  for e in basis])
    np.testing.assert_allclose(curvature.hessian(function, point), numerical_hessian,
                               rtol=1e-5, atol=1e-9)


def test_the_saddle_pulls_in_along_x_and_pushes_out_along_y():
    np.testing.assert_allclose(curvature.hessian(curvature.saddle, (0.0, 0.0)),
                               np.diag([2.0, -1.0]), atol=1e-15)
    for minimum in ((0.0, 1.0), (0.0, -1.0)):
        assert curvature.saddle(np.array(minimum)) == curvature.SADDLE_MINIMUM
        np.testing.assert_allclose(curvature.gradients(curvature.saddle, minimum), 0, atol=1e-15)
    paths = trajectories.follow_together(
        {"off": custom.optimizers.SGD(0.125),
         "momentum": custom.optimizers.SGD(0.125, momentum=0.9)},
        curvature.saddle, (1.0, 1e-6), 300)
    on_the_line = trajectories.follow(custom.optimizers.SGD(0.125), curvature.saddle, (1.0, 0.0),
                                      300)
    off = paths["off"]
    # η = 0.125 is exact in float32, where Keras keeps it.
    np.testing.assert_allclose(off[1:20, 0] / off[:19, 0], 0.75, rtol=1e-12)  # x ← (1 − 2η)x
    np.testing.assert_allclose(off[1:20, 1] / off[:19, 1], 1.125, rtol=1e-9)  # y ← (1 + η)y
    norms = np.linalg.norm(curvature.gradients(curvature.saddle, off), axis=1)
    valley = {name: curvature.first_step(curvature.saddle(path) < 0.99 * -0.25)
              for name, path in paths.items()}
    lowest = int(np.argmin(norms[:valley["off"]]))
    assert 0 < lowest < valley["off"] and norms[lowest] < 1e-3 < norms[valley["off"]]
    assert valley["momentum"] < valley["off"]
    # On the line, descent never leaves: it converges to the saddle, J = 0, not −¼.
    assert np.all(on_the_line[:, 1] == 0) and abs(on_the_line[-1, 0]) < 1e-12
    assert abs(curvature.saddle(on_the_line[-1])) < 1e-12      # J ≈ 0, the saddle, not −¼


def test_the_plateau_is_flat_far_from_its_minimum():
    start = np.array([-4.0, -4.0])
    assert float(curvature.plateau(start)) > 0.8
    assert np.linalg.norm(curvature.gradients(curvature.plateau, start)) < 1e-3
    assert np.linalg.eigvalsh(curvature.hessian(curvature.plateau, start))[0] < 0
    on_the_minimum = np.array([math.log(9) / 2, math.log(9) / 2])
    assert float(curvature.plateau(on_the_minimum)) < 1e-30
    np.testing.assert_allclose(curvature.gradients(curvature.plateau, on_the_minimum), 0,
                               atol=1e-15)


def test_step_factors_are_the_closed_form_factors_and_skip_what_does_not_count():
    """On θ_t = (I − ηA)ᵗθ₀ each component's ratio is 1 − ηλᵢ exactly (a rule written here);
    a component that is 0 and a step that overflowed give NaN, not a number."""
    matrix = curvature.quadratic_matrix(1.0, 10.0, 0.4)
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    step = np.eye(2) - 0.15 * matrix
    path = np.array([np.linalg.matrix_power(step, t) @ np.array([0.6, 0.8]) for t in range(21)])
    np.testing.assert_allclose(curvature.step_factors(path, eigenvectors),
                               np.tile(1 - 0.15 * eigenvalues, (20, 1)), rtol=1e-9)
    along_one = np.outer([1.0, -2.0, 4.0, np.inf], eigenvectors[:, 1])  # c_min = 0 throughout
    factors = curvature.step_factors(along_one, eigenvectors)
    assert np.isnan(factors[:, 0]).all()
    np.testing.assert_allclose(factors[:2, 1], [-2.0, -2.0])
    assert np.isnan(factors[2, 1])                                       # overflowed
    assert curvature.distance_ratio(path) == pytest.approx(
        np.linalg.norm(path[-1]) / np.linalg.norm(path[0]), rel=1e-12)
    assert curvature.distance_ratio(along_one) == float("inf")


def test_first_step_finds_the_first_true_or_none():
    assert curvature.first_step([False, False, True, True]) == 2
    assert curvature.first_step(np.array([3.0, 1.0]) < 2) == 1
    assert curvature.first_step([False, False]) is None


@pytest.mark.parametrize("call, message", [
    (lambda: curvature.quadratic_matrix(0.0, 1.0, 0.0), "0 < smallest_eigenvalue"),
    (lambda: curvature.quadratic_matrix(2.0, 1.0, 0.0), "<= largest_eigenvalue"),
    (lambda: curvature.stability_limit(np.array([[1.0, 2.0], [0.0, 1.0]])), "symmetric"),
    (lambda: curvature.stability_limit(np.diag([-1.0, -2.0])), "must be positive"),
    (lambda: curvature.optimal_rate(np.diag([-1.0, 2.0])), "positive definite"),
    (lambda: curvature.momentum_limit(200.0, 1.0), r"momentum must be in \[0, 1\)"),
    (lambda: curvature.nesterov_limit(0.0, 0.9), "largest_eigenvalue must be > 0"),
    (lambda: curvature.nesterov_look_ahead(np.negative, [1.0], 0.0, 0.9, 3),
     "learning_rate must be > 0"),
    (lambda: curvature.nesterov_look_ahead(np.negative, [1.0], 0.1, 0.9, 0),
     "steps must be an integer >= 1"),
    (lambda: curvature.hessian(curvature.saddle, [1.0, 2.0, 3.0]), r"shape \(2,\)"),
    (lambda: curvature.step_factors(np.zeros((5, 2)), np.eye(3)), "eigenvectors \\(d, d\\)"),
])
def test_bad_input_is_refused_with_a_sentence_naming_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()
