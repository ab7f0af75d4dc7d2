"""Argument checks shared by the optimizers: each raises ValueError naming the argument and range.

These run in ``__init__``, in plain Python, before any TensorFlow work, so a bad
value fails at once with a sentence a student can act on.
"""

import math
import numbers

import keras


def learning_rate(value):
    """A number ≥ 0 (returned as a float), a ``LearningRateSchedule``, or a callable.

    Keras' base class insists on a Python float, so an int such as ``1`` is
    converted here rather than rejected.
    """
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule) or callable(value):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"learning_rate must be a number >= 0, a LearningRateSchedule or a "
                         f"callable, got {value!r}")
    return non_negative("learning_rate", value)


def unit_interval(name, value):
    """A decay coefficient (momentum, rho, beta_1, beta_2) in [0, 1), returned as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    value = float(value)
    if not 0.0 <= value < 1.0:  # Also false for NaN.
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return value


def non_negative(name, value):
    """A small constant such as epsilon: a finite number ≥ 0, returned as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value
