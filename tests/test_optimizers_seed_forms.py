# ASSIGNMENTS: INSTRUCTOR ONLY (it copies the solutions' maths as NumPy references)
"""The seeds' own formulas, in NumPy, against the Keras optimizers that implement them.

Each reference below is the seed's loop, copied in its own form (seed 000's EMA
momentum, seed 001's classic momentum, RMSprop and Adam on Rosenbrock), in float64.
The optimizers run on a float64 tf.Variable through ``trajectories.follow``. The
learning rate lives in a float32 variable inside every Keras optimizer, so the
references use η rounded to float32; everything else agrees to rounding (rtol 1e-9).
"""

import keras
import numpy as np
import pytest

import custom.optimizers
from custom.optimizers import trajectories

RTOL, ATOL = 1e-9, 1e-12


def as_float32(value):
    """η as the optimizer's float32 learning-rate variable holds it."""
    return float(np.float32(value))


def ravine_gradient(point, steepness=10.0):
    return np.array([2.0 * point[0], 2.0 * steepness * point[1]])


def rosenbrock_gradient(point):  # seed 001's rosenbrock_grad
    dx = -2 * (1 - point[0]) + 200 * (point[1] - point[0] ** 2) * (-2 * point[0])
    dy = 200 * (point[1] - point[0] ** 2)
    return np.array([dx, dy])


def reference_path(step, gradient, start, steps):
    """Run ``point = step(point, gradient(point), t)`` for t = 1..steps, keeping every point."""
    point = np.array(start, dtype=np.float64)
    path = [point.copy()]
    for t in range(1, steps + 1):
        point = step(point, gradient(point), t)
        path.append(point.copy())
    return np.array(path)


def seed_000_ema_momentum(learning_rate, momentum):
    """seed 000, §3.3: v = momentum·v + (1 − momentum)·g; x -= lr·v (η may vary with t)."""
    state = {"velocity": 0.0}
    rate = learning_rate if callable(learning_rate) else (lambda t: learning_rate)

    def step(point, gradient, t):
        state["velocity"] = momentum * state["velocity"] + (1 - momentum) * gradient
        return point - rate(t) * state["velocity"]
    return step, state


def seed_001_momentum(learning_rate, momentum, nesterov=False):
    """seed 001's SGDMomentum.step: velocity = momentum·velocity + lr·grad; w − velocity.

    With ``nesterov`` the step is taken from the look-ahead: w − (momentum·velocity + lr·grad).
    """
    state = {"velocity": 0.0}
    rate = learning_rate if callable(learning_rate) else (lambda t: learning_rate)

    def step(point, gradient, t):
        state["velocity"] = momentum * state["velocity"] + rate(t) * gradient
        if nesterov:
            return point - (momentum * state["velocity"] + rate(t) * gradient)
        return point - state["velocity"]
    return step, state


def seed_001_rmsprop(learning_rate, rho, epsilon):
    """seed 001's RMSprop *equation*, ε inside the root: s = ρs + (1−ρ)g²; w − η·g/√(s + ε)."""
    state = {"s": 0.0}

    def step(point, gradient, t):
        state["s"] = rho * state["s"] + (1 - rho) * gradient ** 2
        return point - learning_rate * gradient / np.sqrt(state["s"] + epsilon)
    return step


def seed_001_adam(learning_rate, beta_1, beta_2, epsilon, keras_epsilon=False):
    """seed 001's Adam.step. With ``keras_epsilon`` ε becomes ε/√(1−β₂ᵗ), Keras' effective ε."""
    state = {"m": 0.0, "v": 0.0}

    def step(point, gradient, t):
        state["m"] = beta_1 * state["m"] + (1 - beta_1) * gradient
        state["v"] = beta_2 * state["v"] + (1 - beta_2) * gradient ** 2
        m_hat = state["m"] / (1 - beta_1 ** t)
        v_hat = state["v"] / (1 - beta_2 ** t)
        effective_epsilon = epsilon / np.sqrt(1 - beta_2 ** t) if keras_epsilon else epsilon
        return point - learning_rate * m_hat / (np.sqrt(v_hat) + effective_epsilon)
    return step


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_ema_momentum_is_seed_000_on_the_ravine(momentum):
    """seed 000's optimize_comparison: x² + 10y² from (10, 1), lr 0.05, 50 steps."""
    optimizer = custom.optimizers.EMAMomentum(learning_rate=0.05, momentum=momentum)
    path = trajectories.follow(optimizer, trajectories.ravine, (10.0, 1.0), 50)
    step, state = seed_000_ema_momentum(as_float32(0.05), momentum)
    expected = reference_path(step, ravine_gradient, (10.0, 1.0), 50)
    np.testing.assert_allclose(path, expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(optimizer.velocities[0].numpy(), state["velocity"], rtol=RTOL)


def test_classic_momentum_is_seed_001_on_rosenbrock():
    """seed 001: SGDMomentum(lr=0.001, momentum=0.9) from (−1.5, 2.0), 500 steps."""
    optimizer = custom.optimizers.get("momentum", learning_rate=0.001, momentum=0.9)
    path = trajectories.follow(optimizer, trajectories.rosenbrock, (-1.5, 2.0), 500)
    step, state = seed_001_momentum(as_float32(0.001), 0.9)
    expected = reference_path(step, rosenbrock_gradient, (-1.5, 2.0), 500)
    np.testing.assert_allclose(path, expected, rtol=RTOL, atol=ATOL)
    # The velocity slot holds the seed's v itself (Keras' holds −v).
    np.testing.assert_allclose(optimizer.velocities[0].numpy(), state["velocity"], rtol=RTOL)


def test_nesterov_on_seed_000_exercise_3():
    """x² + 100y² (seed 000, exercise 3), Nesterov momentum in the seed's sign convention."""
    optimizer = custom.optimizers.get("nesterov", learning_rate=0.004)
    path = trajectories.follow(optimizer, trajectories.steep_ravine, (10.0, 1.0), 100)
    step, _ = seed_001_momentum(as_float32(0.004), 0.9, nesterov=True)
    expected = reference_path(step, lambda p: ravine_gradient(p, 100.0), (10.0, 1.0), 100)
    np.testing.assert_allclose(path, expected, rtol=RTOL, atol=ATOL)


def test_rmsprop_is_seed_001_equation_on_rosenbrock():
    optimizer = custom.optimizers.RMSprop(learning_rate=0.01, rho=0.9, epsilon=1e-8)
    path = trajectories.follow(optimizer, trajectories.rosenbrock, (-1.5, 2.0), 500)
    expected = reference_path(seed_001_rmsprop(as_float32(0.01), 0.9, 1e-8),
                              rosenbrock_gradient, (-1.5, 2.0), 500)
    np.testing.assert_allclose(path, expected, rtol=RTOL, atol=ATOL)


def test_textbook_adam_is_seed_001_on_rosenbrock():
    optimizer = custom.optimizers.Adam(learning_rate=0.01, epsilon=1e-8, textbook_epsilon=True)
    path = trajectories.follow(optimizer, trajectories.rosenbrock, (-1.5, 2.0), 500)
    expected = reference_path(seed_001_adam(as_float32(0.01), 0.9, 0.999, 1e-8),
                              rosenbrock_gradient, (-1.5, 2.0), 500)
    np.testing.assert_allclose(path, expected, rtol=RTOL, atol=ATOL)


def test_keras_adam_is_the_seed_formula_with_epsilon_over_root_of_bias():
    """The docstring's claim: Keras' form is the textbook one with ε → ε/√(1−β₂ᵗ).

    A large ε (0.1) on the ravine makes the two placements visibly different.
    """
    paths = {}
    for textbook in (False, True):
        optimizer = custom.optimizers.Adam(learning_rate=0.1, epsilon=0.1,
                                           textbook_epsilon=textbook)
        paths[textbook] = trajectories.follow(optimizer, trajectories.ravine, (10.0, 1.0), 100)
    expected = reference_path(seed_001_adam(as_float32(0.1), 0.9, 0.999, 0.1, keras_epsilon=True),
                              ravine_gradient, (10.0, 1.0), 100)
    np.testing.assert_allclose(paths[False], expected, rtol=RTOL, atol=ATOL)
    assert np.max(np.abs(paths[False] - paths[True])) > 1e-2
    # And it is Keras' Adam. Compared in float32: for a float64 variable Keras rounds β₁
    # and β₂ to float32 first (ops.cast of a Python float), which ours does not.
    ours, theirs = (trajectories.follow(optimizer, trajectories.ravine, (10.0, 1.0), 100,
                                        dtype="float32")
                    for optimizer in (custom.optimizers.Adam(learning_rate=0.1, epsilon=0.1),
                                      keras.optimizers.Adam(learning_rate=0.1, epsilon=0.1)))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_momentum_forms_agree_at_a_constant_rate_and_part_under_a_schedule():
    """EMAMomentum(η, β) = SGD(η·(1−β), β) while η is constant, but not once η changes.

    The schedule halves η after 20 steps. The EMA form damps its whole velocity at
    once; the classic form keeps the steps it took at the old η. Both follow their
    seed formula with η_t, step for step.
    """
    boundaries, rates = [20], [0.05, 0.025]
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, rates)
    scaled = keras.optimizers.schedules.PiecewiseConstantDecay(boundaries,
                                                               [r * 0.1 for r in rates])

    def rate(values):  # η_t for t = 1, 2, …: the schedule reads iterations = t − 1
        return lambda t: as_float32(values[0] if t - 1 <= boundaries[0] else values[1])

    start, steps = (10.0, 1.0), 60
    ema = trajectories.follow(custom.optimizers.EMAMomentum(schedule, 0.9), trajectories.ravine,
                              start, steps)
    classic = trajectories.follow(custom.optimizers.SGD(scaled, 0.9), trajectories.ravine,
                                  start, steps)
    ema_step, _ = seed_000_ema_momentum(rate(rates), 0.9)
    classic_step, _ = seed_001_momentum(rate([r * 0.1 for r in rates]), 0.9)
    np.testing.assert_allclose(ema, reference_path(ema_step, ravine_gradient, start, steps),
                               rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(classic,
                               reference_path(classic_step, ravine_gradient, start, steps),
                               rtol=RTOL, atol=ATOL)
    # Identical before the drop (up to rounding of η·(1−β)), different after it.
    np.testing.assert_allclose(ema[:21], classic[:21], rtol=1e-6, atol=1e-9)
    assert np.max(np.abs(ema[21:] - classic[21:])) > 1e-2


def test_follow_rejects_bad_arguments():
    optimizer = custom.optimizers.get("sgd")
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        trajectories.follow(optimizer, trajectories.ravine, (1.0, 1.0), 0)
    with pytest.raises(ValueError, match="start must be two numbers"):
        trajectories.follow(optimizer, trajectories.ravine, (1.0, 1.0, 1.0), 5)


def test_follow_together_equals_one_at_a_time():
    """The lab runs six optimizers in one graph; each path must be the one it gets alone."""
    rates = {"momentum": 0.001, "adam": 0.01}
    together = trajectories.follow_together(
        {name: custom.optimizers.get(name, learning_rate=rate) for name, rate in rates.items()},
        trajectories.rosenbrock, (-1.5, 2.0), 100)
    for name, rate in rates.items():
        alone = trajectories.follow(custom.optimizers.get(name, learning_rate=rate),
                                    trajectories.rosenbrock, (-1.5, 2.0), 100)
        np.testing.assert_array_equal(together[name], alone)
