"""The maths of the ``curvature`` and ``nesterov`` labs, in a module of its own, for the tests.

    quadratic_matrix, quadratic      J(θ) = ½θᵀAθ with chosen eigenvalues, turned by an angle
    stability_limit, optimal_rate    2/λ_max and 2/(λ_min + λ_max), from numpy.linalg.eigvalsh
    momentum_limit, nesterov_limit   the same limit for classic and Nesterov momentum
    saddle, plateau                  a saddle point between two minima; a saturated sigmoid
    gradients, hessian               ∇J and ∇²J by tf.GradientTape, for points in NumPy
    nesterov_look_ahead              the textbook form of Nesterov momentum, in NumPy
    step_factors, distance_ratio     what one step did to each eigen-component; ‖θ_T‖/‖θ₀‖

The optimizers that the lab runs are ``custom.optimizers.SGD`` on a ``tf.Variable``
(``custom.optimizers.trajectories``); the look-ahead form is the one piece written here in
NumPy, because it is the form Keras does *not* use. ``tests/test_curvature.py`` checks it
against ``keras.optimizers.SGD(nesterov=True)`` step by step.

Every function accepts one point of shape (2,) or a batch (..., 2), as a NumPy array or a
TensorFlow tensor, so the same formula draws contours, measures a path and is differentiated.
"""

import math

import keras
import numpy as np
import tensorflow as tf

SADDLE_POINT = (0.0, 0.0)
SADDLE_MINIMUM = -0.25          # J at the two minima (0, ±1) of ``saddle``.
PLATEAU_TARGET = 0.9            # What the sigmoid neuron of ``plateau`` is asked to output.


def quadratic_matrix(smallest_eigenvalue, largest_eigenvalue, angle):
    """A = R·diag(λ_min, λ_max)·Rᵀ, a symmetric 2×2 matrix whose eigenvectors are turned by
    ``angle`` radians from the axes.

    Raises:
        ValueError: unless 0 < smallest_eigenvalue <= largest_eigenvalue.
    """
    if not 0 < smallest_eigenvalue <= largest_eigenvalue:
        raise ValueError("eigenvalues must satisfy 0 < smallest_eigenvalue <= largest_eigenvalue, "
                         f"got {smallest_eigenvalue!r} and {largest_eigenvalue!r}")
    rotation = np.array([[math.cos(angle), -math.sin(angle)],
                         [math.sin(angle), math.cos(angle)]])
    return rotation @ np.diag([smallest_eigenvalue, largest_eigenvalue]) @ rotation.T


def quadratic(matrix):
    """The function J(θ) = ½θᵀAθ of a symmetric 2×2 ``matrix`` A; its gradient is Aθ."""
    a, b, c = float(matrix[0, 0]), float(matrix[0, 1]), float(matrix[1, 1])

    def function(point):
        x, y = point[..., 0], point[..., 1]
        return 0.5 * (a * x**2 + 2 * b * x * y + c * y**2)     # ½θᵀAθ

    return function


def _eigenvalues(matrix):
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    if not np.allclose(matrix, matrix.T):
        raise ValueError("matrix must be symmetric (a Hessian is)")
    return np.linalg.eigvalsh(matrix)                         # ascending


def stability_limit(matrix):
    """2/λ_max: gradient descent on ½θᵀAθ converges for 0 < η < 2/λ_max and diverges above.

    Along eigenvector i each step multiplies θ's component by (1 − ηλᵢ), and
    |1 − ηλ_max| < 1 exactly when η < 2/λ_max.

    Raises:
        ValueError: when the matrix is not symmetric or its largest eigenvalue is not positive.
    """
    largest = _eigenvalues(matrix)[-1]
    if not largest > 0:
        raise ValueError(f"the largest eigenvalue must be positive, got {largest!r}")
    return 2.0 / largest


def optimal_rate(matrix):
    """2/(λ_min + λ_max): the η that makes the slowest factor max|1 − ηλᵢ| smallest, where
    it equals (κ − 1)/(κ + 1) with κ = λ_max/λ_min.

    Raises:
        ValueError: when the matrix is not symmetric or not positive definite.
    """
    smallest, largest = _eigenvalues(matrix)[[0, -1]]
    if not smallest > 0:
        raise ValueError(f"the matrix must be positive definite, smallest eigenvalue {smallest!r}")
    return 2.0 / (smallest + largest)


def _check_curvature_and_momentum(largest_eigenvalue, momentum):
    if not largest_eigenvalue > 0:
        raise ValueError(f"largest_eigenvalue must be > 0, got {largest_eigenvalue!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")


def momentum_limit(largest_eigenvalue, momentum):
    """2(1 + μ)/λ_max: classic momentum converges on a quadratic for η below this.

    Along an eigenvector, θ_(t+1) = (1 + μ − ηλ)θ_t − μθ_(t−1); both roots of
    z² − (1 + μ − ηλ)z + μ lie inside the unit circle exactly when 0 < ηλ < 2(1 + μ).
    """
    _check_curvature_and_momentum(largest_eigenvalue, momentum)
    return 2 * (1 + momentum) / largest_eigenvalue


def nesterov_limit(largest_eigenvalue, momentum):
    """2(1 + μ)/((1 + 2μ)λ_max): Nesterov momentum converges on a quadratic for η below this.

    Along an eigenvector, with a = 1 − ηλ, θ_(t+1) = a(1 + μ)θ_t − aμθ_(t−1); the roots of
    z² − a(1 + μ)z + aμ stay inside the unit circle exactly when a > −1/(1 + 2μ).
    """
    _check_curvature_and_momentum(largest_eigenvalue, momentum)
    return 2 * (1 + momentum) / ((1 + 2 * momentum) * largest_eigenvalue)


def saddle(point):
    """J(x, y) = x² + ¼y⁴ − ½y²: a saddle at (0, 0) with J = 0, minima at (0, ±1) with J = −¼.

    Its Hessian is diag(2, 3y² − 1): at the saddle it curves up along x (λ = 2) and down
    along y (λ = −1), so the line y = 0 flows into the saddle and everything else leaves it.
    """
    x, y = point[..., 0], point[..., 1]
    return x**2 + 0.25 * y**4 - 0.5 * y**2


def plateau(point):
    """J(w, b) = (σ(w + b) − 0.9)²: one sigmoid neuron, input 1, asked to output 0.9.

    Where w + b is very negative the sigmoid is saturated: σ′ ≈ σ ≈ e^(w+b), so ∇J is
    tiny although J ≈ 0.81 is far from its minimum 0 (on the line w + b = ln 9).
    """
    return (keras.ops.sigmoid(point[..., 0] + point[..., 1]) - PLATEAU_TARGET) ** 2


def gradients(function, points):
    """∇J at each point, by ``tf.GradientTape`` in float64: (..., 2) NumPy in, (..., 2) out.

    J of one point depends on that point only, so the gradient of the sum over the batch
    is every point's own gradient.
    """
    points = tf.constant(np.asarray(points, dtype=np.float64))
    with tf.GradientTape() as tape:
        tape.watch(points)
        total = tf.reduce_sum(function(points))
    return tape.gradient(total, points).numpy()


def hessian(function, point):
    """∇²J at one point (2,), by two nested ``tf.GradientTape``s in float64: a (2, 2) array."""
    point = tf.constant(np.asarray(point, dtype=np.float64))
    if point.shape != (2,):
        raise ValueError(f"point must have shape (2,), got {tuple(point.shape)}")
    with tf.GradientTape(persistent=True) as outer:        # persistent: one pass per row
        outer.watch(point)
        with tf.GradientTape() as inner:
            inner.watch(point)
            value = function(point)
        gradient = inner.gradient(value, point)                # ∇J, (2,)
    # Without pfor: for a 2×2 Hessian a plain loop is cheaper than tracing a vectorised one.
    rows = outer.jacobian(gradient, point, experimental_use_pfor=False)     # ∂(∇J)/∂θ, (2, 2)
    del outer
    return rows.numpy()


def nesterov_look_ahead(gradient, start, learning_rate, momentum, steps):
    """Nesterov momentum as the textbook writes it: the gradient at the look-ahead point.

        v ← μ·v + η·∇J(θ − μ·v)       (feel the slope where the velocity is taking you)
        θ ← θ − v

    Args:
        gradient: maps a NumPy point (d,) to ∇J there, (d,).
        start: θ₀, d numbers; the velocity starts at 0.
        learning_rate: η > 0. momentum: μ in [0, 1). steps: an int >= 1.

    Returns:
        ``(thetas, velocities)``, each (steps + 1, d): θ_t and v_t for t = 0 … steps.
    """
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    theta = np.array(start, dtype=np.float64)
    velocity = np.zeros_like(theta)
    thetas, velocities = [theta], [velocity]
    for _ in range(int(steps)):
        look_ahead = theta - momentum * velocity                             # θ − μ·v
        velocity = momentum * velocity + learning_rate * gradient(look_ahead)  # v ← μv + η∇J
        theta = theta - velocity                                             # θ ← θ − v
        thetas.append(theta)
        velocities.append(velocity)
    return np.array(thetas), np.array(velocities)


def first_step(condition):
    """The first index where the boolean sequence ``condition`` holds, or None if it never does."""
    where = np.flatnonzero(np.asarray(condition, dtype=bool))
    return int(where[0]) if where.size else None


def step_factors(path, eigenvectors):
    """c_(t+1)/c_t for each component c = θ·q of a path along the columns q of ``eigenvectors``.

    Args:
        path: (T + 1, d) points θ_t. eigenvectors: (d, d), one eigenvector per column.

    Returns:
        (T, d) ratios, NaN where one does not count: where c_t is rounding noise beside the
        other components (below 1e-6 of ‖c_t‖), or c_(t+1) overflowed or underflowed.
    """
    path, eigenvectors = np.asarray(path, dtype=np.float64), np.asarray(eigenvectors)
    if path.ndim != 2 or eigenvectors.shape != (path.shape[1], path.shape[1]):
        raise ValueError(f"path must be (T + 1, d) and eigenvectors (d, d), got {path.shape} "
                         f"and {eigenvectors.shape}")
    with np.errstate(over="ignore", invalid="ignore"):     # a long diverging run overflows
        components = path @ eigenvectors                   # (T + 1, d)
        previous, following = components[:-1], components[1:]
        usable = ((np.abs(previous) > 1e-6 * np.linalg.norm(previous, axis=1, keepdims=True))
                  & np.isfinite(following) & (np.abs(following) > 1e-200))
        return np.where(usable, following / np.where(usable, previous, 1), np.nan)


def distance_ratio(path):
    """‖θ_T‖/‖θ₀‖ of a path (T + 1, d) towards a minimum at 0; inf once it overflowed."""
    path = np.asarray(path, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = float(np.linalg.norm(path[-1]) / np.linalg.norm(path[0]))
    return ratio if np.isfinite(ratio) else float("inf")
