"""What every schedule here shares: argument checks, and the step → t conversion.

A schedule is called by the optimizer with its step counter, ``optimizer.iterations``.
Each formula is written in terms of ``t``:

* ``t = step`` by default, so the rate changes after every batch;
* ``t = ⌊step / steps_per_epoch⌋`` when ``steps_per_epoch`` is given, so ``t`` counts
  finished epochs and the rate stays constant within an epoch, as in the plots of
  "The Learning Problem".
"""

import math

import keras


def check_rate(name, value, allow_zero=True):
    """Return ``value`` as a float, or raise ``ValueError`` if it is not a finite rate ≥ 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    lowest = "0" if allow_zero else "0 (exclusive)"
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        raise ValueError(f"{name} must be a finite number >= {lowest}, got {value!r}")
    return number


def check_steps(name, value, allow_zero=False):
    """Return ``value`` as an int, or raise ``ValueError`` if it is not a positive whole number."""
    lowest = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value \
            or int(value) != value or value < lowest:
        raise ValueError(f"{name} must be a whole number >= {lowest}, got {value!r}")
    return int(value)


class Schedule(keras.optimizers.schedules.LearningRateSchedule):
    """Base class: stores ``steps_per_epoch`` and turns the optimizer's step into ``t``.

    The formula is evaluated in float64 and rounded once to ``keras.backend.floatx()``
    at the end. In float32 the cosines' (1 + cos(πt/T)) loses most of its digits near
    t = T (Keras' CosineDecay is off by up to 1e-4 relative there); this way every
    value is the exact formula rounded to float32.

    Subclasses implement ``rate(t)`` with ``keras.ops`` only (no Python ``if`` on
    tensors), so that the schedule is safe inside a traced ``tf.function``, and
    ``get_config`` returning their own arguments plus ``super().get_config()``.

    Args:
        steps_per_epoch: None (default) for a per-step schedule, or the number of
            batches in an epoch, to make ``t`` count epochs.
    """

    def __init__(self, steps_per_epoch=None):
        if steps_per_epoch is not None:
            steps_per_epoch = check_steps("steps_per_epoch", steps_per_epoch)
        self.steps_per_epoch = steps_per_epoch

    def __call__(self, step):
        return keras.ops.cast(self.rate(self.time(step)), keras.backend.floatx())

    def time(self, step):
        """t as a float64 tensor: the step, or the number of finished epochs."""
        t = keras.ops.cast(step, "float64")
        if self.steps_per_epoch is not None:
            t = keras.ops.floor(t / self.steps_per_epoch)  # t = ⌊step / steps_per_epoch⌋
        return t

    def rate(self, t):
        raise NotImplementedError(f"{type(self).__name__} must implement rate(t)")

    def get_config(self):
        return {"steps_per_epoch": self.steps_per_epoch}
