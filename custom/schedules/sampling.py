"""Reading a schedule out: sample it for a plot, or drive it once per epoch."""

import keras
import numpy as np

from custom.schedules import _base


def sample(schedule, steps):
    """The schedule's values at each step, as a float64 NumPy array, ready to plot.

    Works for any ``LearningRateSchedule`` (ours or Keras') and any callable of the step.

    Args:
        schedule: the schedule to read.
        steps: an int n (the steps 0, 1, …, n − 1) or a sequence of steps.

    Example:
        >>> import custom.schedules
        >>> schedule = custom.schedules.StepDecay(0.1, drop=0.5, steps_per_drop=20)
        >>> custom.schedules.sample(schedule, [0, 20, 40]).round(4).tolist()
        [0.1, 0.05, 0.025]
    """
    if np.isscalar(steps):
        if int(steps) != steps or steps < 1:
            raise ValueError(f"steps must be a whole number >= 1 or a sequence, got {steps!r}")
        steps = range(int(steps))
    steps = np.asarray(steps, dtype=np.int64)
    if isinstance(schedule, _base.Schedule):
        # Our formulas are element-wise (keras.ops only), so one call reads every step.
        return keras.ops.convert_to_numpy(schedule(steps)).astype(np.float64)
    # Other schedules (Keras' CosineDecay uses ops.cond) are read one step at a time.
    return np.array([float(keras.ops.convert_to_numpy(schedule(step))) for step in steps])


def per_epoch_callback(schedule, verbose=0):
    """A ``keras.callbacks.LearningRateScheduler`` that sets the rate to ``schedule(epoch)``.

    The other way to go per epoch is to build the schedule with ``steps_per_epoch``
    and pass it to the optimizer itself. This callback instead needs an optimizer
    built with a float rate (Keras cannot set the rate of an optimizer that owns a
    schedule), and it is what Keras users of ``step_decay(epoch)`` from
    "The Learning Problem" know.
    """
    def rate_at(epoch, current_rate):
        return float(keras.ops.convert_to_numpy(schedule(epoch)))

    return keras.callbacks.LearningRateScheduler(rate_at, verbose=verbose)
