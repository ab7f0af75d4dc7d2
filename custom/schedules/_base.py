"""What every schedule here shares: argument checks, and the step → t conversion.

A schedule is called by the optimizer with its step counter, ``optimizer.iterations``.
Each formula is written in terms of ``t``:

* ``t = step`` by default, so the rate changes after every batch;
* ``t = ⌊step / steps_per_epoch⌋`` when ``steps_per_epoch`` is given, so ``t`` counts
  finished epochs and the rate stays constant within an epoch, as in the plots of
  "The Learning Problem".
"""

import keras

from custom import arguments


def check_rate(name, value, allow_zero=True):
    """``value`` as a float, or ``ValueError`` if it is not a finite rate ≥ 0 (> 0 without
    ``allow_zero``)."""
    if allow_zero:
        return arguments.number(name, value, minimum=0)
    return arguments.number(name, value, above=0)


def check_steps(name, value, allow_zero=False):
    """``value`` as an int, or ``ValueError`` if it is not an integer ≥ 1 (≥ 0 with
    ``allow_zero``)."""
    return arguments.number(name, value, minimum=0 if allow_zero else 1, integer=True)


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
