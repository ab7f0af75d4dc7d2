"""Drive any optimizer on a two-variable toy function, and the chapters' toy functions.

The toy-function demos use the *same* optimizer classes as model training, acting on
one ``tf.Variable`` of shape (2,). There is no second NumPy copy of the update maths.

    path = follow(custom.optimizers.get("adam", learning_rate=0.01), rosenbrock,
                  start=(-1.5, 2.0), steps=500)        # (501, 2): every point visited
    losses = rosenbrock(path)                          # (501,)
"""

import numpy as np
import tensorflow as tf


def ravine(point, steepness=10.0):
    """f(x, y) = x² + steepness·y²; minimum 0 at (0, 0).

    The elongated valley of "Learning Algorithms". ``point`` has shape (..., 2): one
    point, or a batch of them (a whole path).
    """
    return point[..., 0] ** 2 + steepness * point[..., 1] ** 2


def steep_ravine(point):
    """f(x, y) = x² + 100·y² ("Learning Algorithms", exercise 3)."""
    return ravine(point, steepness=100.0)


def rosenbrock(point):
    """f(x, y) = (1 − x)² + 100·(y − x²)² ("The Learning Problem"); minimum 0 at (1, 1)."""
    x, y = point[..., 0], point[..., 1]
    return (1.0 - x) ** 2 + 100.0 * (y - x ** 2) ** 2


def follow(optimizer, function, start, steps, dtype="float64"):
    """Take ``steps`` optimizer steps on ``function`` from ``start``; return the path.

    Args:
        optimizer: a fresh Keras optimizer (custom or built-in). It is built on
            the point and its state advances; do not reuse it for another run.
        function: maps a tensor of shape (2,) to a scalar, differentiable by
            ``tf.GradientTape`` (``ravine``, ``rosenbrock``, ...).
        start: the first point, two numbers.
        steps: the number of steps, an int ≥ 1.
        dtype: of the point; float64 by default so that a path is not blurred by
            rounding, float32 for the precision that model training uses.

    Returns:
        NumPy array (steps + 1, 2): the start and every point after it.
    """
    return follow_together({"path": optimizer}, function, start, steps, dtype)["path"]


def follow_together(optimizers, function, start, steps, dtype="float64"):
    """``follow`` for several optimizers at once, each with its own point, in one graph.

    One traced graph for all of them is several times cheaper than one each.

    Args:
        optimizers: name → fresh optimizer.
        function, start, steps, dtype: as for ``follow``.

    Returns:
        name → NumPy array (steps + 1, 2).
    """
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    start = np.asarray(start, dtype=dtype)
    if start.shape != (2,):
        raise ValueError(f"start must be two numbers, got shape {start.shape}")
    points = {name: tf.Variable(start) for name in optimizers}  # each (2,)
    for name, optimizer in optimizers.items():
        optimizer.build([points[name]])

    names = list(optimizers)

    @tf.function
    def run():
        # A tuple reassigned whole each step, so that autograph carries it through the loop.
        paths = tuple(tf.TensorArray(points[name].dtype, size=steps + 1)
                      .write(0, points[name].read_value()) for name in names)
        for index in tf.range(steps):
            written = []
            for name, path in zip(names, paths):
                point = points[name]
                with tf.GradientTape() as tape:
                    loss = function(point)
                optimizers[name].apply([tape.gradient(loss, point)], [point])
                written.append(path.write(index + 1, point.read_value()))
            paths = tuple(written)
        return [path.stack() for path in paths]  # each (steps + 1, 2)

    # Each call traces a new graph on purpose (one per set of optimizers), which
    # TensorFlow would otherwise flag as accidental retracing after a few calls.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        return {name: path.numpy() for name, path in zip(names, run())}
    finally:
        logger.setLevel(level)
