"""Checks of the gradient_clipping task (Learning Algorithms, exercise 6), against TensorFlow.

``custom.clipping``'s functions against ``tf.norm``, ``tf.linalg.global_norm``,
``tf.clip_by_value``, ``tf.clip_by_norm`` and ``tf.clip_by_global_norm``, on NumPy arrays
and on tensors, with a ``None`` gradient in the list and thresholds that leave some
gradients inside the limit (they must pass as they are); by global norm, an overflowed
(inf) gradient makes every gradient NaN, as in TensorFlow. Float32 round-off: rtol 1e-5,
atol 1e-6.
"""

import numpy as np

from assignments import checking, lazy

# Imported when a check first runs, so that the task table loads without them (lazy.py).
keras = lazy.module("keras")
tf = lazy.module("tensorflow")

CLIPPING_TOLERANCE = checking.Tolerance(rtol=1e-5, atol=1e-6)    # float32 round-off

# The gradients of one case: a kernel, a variable without a gradient (None), a bias, a kernel.
SHAPES = ((4, 3), None, (3,), (3, 2))
CLIPPERS = ("clip_by_value", "clip_by_norm", "clip_by_global_norm")


def clipping_case(kind, scale, threshold, seed, poisoned=False):
    """One case of the clipping checks: "numpy" arrays or "tensor"s, elements N(0, scale²),
    the threshold c, the seed, and whether one element of g0 is +inf (an overflow)."""
    return (kind, float(scale), float(threshold), int(seed), bool(poisoned))


def gradients_of(case):
    """The case's gradients: float32 N(0, scale²) arrays, or tf tensors for kind "tensor"."""
    kind, scale, _, seed, poisoned = case
    rng = np.random.default_rng(seed)
    arrays = [None if shape is None else (scale * rng.standard_normal(shape)).astype(np.float32)
              for shape in SHAPES]
    if poisoned:
        arrays[0][0, 0] = np.inf
    if kind == "numpy":
        return arrays
    return [None if array is None else tf.constant(array) for array in arrays]


def describe_clipping_case(case):
    kind, scale, threshold, seed, poisoned = case
    what = "NumPy arrays" if kind == "numpy" else "tf tensors"
    overflow = ", and g0[0, 0] = inf" if poisoned else ""
    return (f"{what} of shapes {', '.join(str(shape) for shape in SHAPES)} (g1 is None), "
            f"elements N(0, {scale:g}²) (seed {seed}){overflow}, threshold c = {threshold:g}")


def gradient_slots(label, gradients):
    """Named arrays of one clipped list: ``<label>g<i>``, and ``g1 is None`` (1 or 0)."""
    name = label.rstrip(": ") or "the function"
    if not isinstance(gradients, (list, tuple)) or len(gradients) != len(SHAPES):
        raise ValueError(f"{name} must return a list of {len(SHAPES)} gradients, one per "
                         f"gradient given (None stays None), got {gradients!r:.80}")
    slots = {}
    for i, (shape, gradient) in enumerate(zip(SHAPES, gradients)):
        if shape is None:
            slots[f"{label}g{i} is None"] = np.array(float(gradient is None))
        elif gradient is None:
            slots[f"{label}g{i}"] = np.full(shape, np.nan)
        else:
            slots[f"{label}g{i}"] = np.asarray(keras.ops.convert_to_numpy(gradient), dtype=float)
    return slots


def clipping_results(functions, part, case):
    """The named arrays of one case for ``part``; ``functions`` maps a name to a callable.

    Both the student's module and the twins (``TWINS``) are run through this, so the two
    are compared name by name.
    """
    gradients = gradients_of(case)
    threshold = case[2]
    if part == "clipping_norms":
        present = [(i, gradient) for i, gradient in enumerate(gradients) if gradient is not None]
        arrays = {f"‖g{i}‖": keras.ops.convert_to_numpy(functions["norm"](gradient))
                  for i, gradient in present}
        arrays["‖G‖"] = keras.ops.convert_to_numpy(functions["global_norm"](gradients))
        return arrays
    if part == "clipping_traced":
        traced = tf.function(lambda tensors: [functions[name](tensors, threshold)
                                              for name in CLIPPERS])
        logger, arrays = tf.get_logger(), {}
        level = logger.level
        logger.setLevel("ERROR")   # A fresh trace per case is the point: no retracing warning.
        try:
            clipped_lists = traced(gradients)
        finally:
            logger.setLevel(level)
        for name, clipped in zip(CLIPPERS, clipped_lists):
            arrays.update(gradient_slots(f"{name}: ", clipped))
        return arrays
    return gradient_slots("", functions[part](gradients, threshold))


def _tensors(gradients):
    return [None if gradient is None else tf.convert_to_tensor(gradient) for gradient in gradients]


# TensorFlow's own functions, called as the student's are (NumPy arrays become tensors).
TWINS = {
    "norm": lambda gradient: tf.norm(tf.convert_to_tensor(gradient)),
    "global_norm": lambda gradients: tf.linalg.global_norm(_tensors(gradients)),
    "clip_by_value": lambda gradients, c: [None if g is None else tf.clip_by_value(g, -c, c)
                                           for g in _tensors(gradients)],
    "clip_by_norm": lambda gradients, c: [None if g is None else tf.clip_by_norm(g, c)
                                          for g in _tensors(gradients)],
    "clip_by_global_norm": lambda gradients, c: tf.clip_by_global_norm(_tensors(gradients),
                                                                       c)[0],
}
TWIN_NAMES = {"clipping_norms": "tf.norm and tf.linalg.global_norm",
              "clip_by_value": "tf.clip_by_value", "clip_by_norm": "tf.clip_by_norm",
              "clip_by_global_norm": "tf.clip_by_global_norm",
              "clipping_traced": "tf.clip_by_value, tf.clip_by_norm and tf.clip_by_global_norm"}


def produced(subject, part, cases):
    """The student's ``custom.clipping`` on every case: named arrays with the case first."""
    functions = {name: getattr(subject, name) for name in ("norm", "global_norm", *CLIPPERS)}
    return checking.stack_cases([clipping_results(functions, part, case) for case in cases])


def expected(part, cases):
    """TensorFlow's functions on the same cases."""
    inside = ", inside a tf.function" if part == "clipping_traced" else ""
    return checking.Expectation(
        checking.stack_cases([clipping_results(TWINS, part, case) for case in cases]),
        TWIN_NAMES[part], CLIPPING_TOLERANCE,
        [describe_clipping_case(case) + inside for case in cases])
