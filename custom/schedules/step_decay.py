"""Step decay: multiply the rate by ``drop`` every ``steps_per_drop`` steps."""

import keras

from custom.schedules import _base


@keras.saving.register_keras_serializable(package="custom")
class StepDecay(_base.Schedule):
    """η(t) = η₀ · drop^⌊t / steps_per_drop⌋

    The ``step_decay(epoch, initial_lr=0.1, drop=0.5, epochs_drop=20)`` of
    "The Learning Problem": the rate halves every 20 epochs. Keras has the same curve as
    ``keras.optimizers.schedules.ExponentialDecay(η₀, decay_steps=steps_per_drop,
    decay_rate=drop, staircase=True)``.

    Args:
        initial_learning_rate: η₀ ≥ 0, the rate for the first ``steps_per_drop`` steps.
            Default 0.1.
        drop: the factor applied at each drop, in (0, 1]. Default 0.5.
        steps_per_drop: how many steps (or epochs, see ``steps_per_epoch``) between
            drops, a whole number ≥ 1. Default 20.
        steps_per_epoch: None to count optimizer steps, or batches per epoch to count
            epochs (see ``custom/schedules/_base.py``).

    Example:
        >>> schedule = StepDecay(0.1, drop=0.5, steps_per_drop=20)
        >>> [round(float(schedule(t)), 4) for t in (0, 19, 20, 40)]
        [0.1, 0.1, 0.05, 0.025]
    """

    def __init__(self, initial_learning_rate=0.1, drop=0.5, steps_per_drop=20,
                 steps_per_epoch=None):
        super().__init__(steps_per_epoch)
        self.initial_learning_rate = _base.check_rate("initial_learning_rate",
                                                      initial_learning_rate)
        self.drop = _base.check_rate("drop", drop, allow_zero=False)
        if self.drop > 1:
            raise ValueError(f"drop must be in (0, 1], got {drop!r}")
        self.steps_per_drop = _base.check_steps("steps_per_drop", steps_per_drop)

    def rate(self, t):
        # TODO: η(t) = η₀·drop^⌊t / steps_per_drop⌋, with keras.ops (t is a float64 tensor).
        # BEGIN SOLUTION schedules
        drops_so_far = keras.ops.floor(t / self.steps_per_drop)  # ⌊t / steps_per_drop⌋
        return self.initial_learning_rate * keras.ops.power(self.drop, drops_so_far)
        # END SOLUTION

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "drop": self.drop,
                "steps_per_drop": self.steps_per_drop, **super().get_config()}
