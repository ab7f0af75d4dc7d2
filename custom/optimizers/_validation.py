"""The optimizers' arguments, checked by ``custom/arguments.py``: each raises ValueError
naming the argument and its range.

These run in ``__init__``, in plain Python, before any TensorFlow work, so a bad
value fails at once with a sentence a student can act on.
"""

import numbers

import keras

from custom import arguments


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


def unit_interval(name, value, include_one=False):
    """A decay coefficient in [0, 1), or in [0, 1] with ``include_one``, returned as a float.

    rho, beta_1 and beta_2 must stay below 1 (at 1 a running average never moves
    from 0); a momentum of 1 is allowed where Keras allows it (``SGD``, ``RMSprop``).
    """
    if include_one:
        return arguments.number(name, value, minimum=0, maximum=1)
    return arguments.number(name, value, minimum=0, below=1)


def non_negative(name, value):
    """A small constant such as epsilon: a finite number ≥ 0, returned as a float."""
    return arguments.number(name, value, minimum=0)
