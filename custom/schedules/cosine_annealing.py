"""Cosine annealing: half a cosine wave from the initial rate down to a final rate."""

import math

import keras

from custom.schedules import _base


@keras.saving.register_keras_serializable(package="custom")
class CosineAnnealing(_base.Schedule):
    """η(t) = η_final + (η₀ − η_final) · (1 + cos(π·t/T)) / 2 for t ≤ T, then η_final

    The ``cosine_annealing(epoch, initial_lr=0.1, T_max=100)`` of "The Learning Problem"
    is the case η_final = 0. The chapter's function keeps following the cosine after T
    (the rate climbs back up); this one, like Keras, holds η_final after T. It equals
    ``keras.optimizers.schedules.CosineDecay(η₀, decay_steps=T, alpha=η_final/η₀)``.

    Args:
        initial_learning_rate: η₀ ≥ 0. Default 0.1.
        decay_steps: T, a whole number ≥ 1. Default 100.
        final_learning_rate: η_final, in [0, η₀]. Default 0.0.
        steps_per_epoch: None to count optimizer steps, or batches per epoch to count epochs.

    Example:
        >>> schedule = CosineAnnealing(0.1, decay_steps=100)
        >>> round(float(schedule(50)), 6)  # halfway: (1 + cos(π/2)) / 2 = 0.5 of η₀
        0.05
    """

    def __init__(self, initial_learning_rate=0.1, decay_steps=100, final_learning_rate=0.0,
                 steps_per_epoch=None):
        super().__init__(steps_per_epoch)
        self.initial_learning_rate = _base.check_rate("initial_learning_rate",
                                                      initial_learning_rate)
        self.decay_steps = _base.check_steps("decay_steps", decay_steps)
        self.final_learning_rate = _base.check_rate("final_learning_rate",
                                                    final_learning_rate)
        if self.final_learning_rate > self.initial_learning_rate:
            raise ValueError(f"final_learning_rate must be in [0, initial_learning_rate="
                             f"{self.initial_learning_rate}], got {final_learning_rate!r}")

    def rate(self, t):
        # TODO: η(t) = η_f + (η₀ − η_f)·(1 + cos(π·t/T))/2 up to T, then η_f (keras.ops only).
        # BEGIN SOLUTION schedules
        t = keras.ops.minimum(t, self.decay_steps)                       # hold η_final after T
        cosine = (1.0 + keras.ops.cos(math.pi * t / self.decay_steps)) / 2.0  # 1 → 0
        span = self.initial_learning_rate - self.final_learning_rate
        return self.final_learning_rate + span * cosine   # η_final + (η₀ − η_final)·cosine
        # END SOLUTION

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps,
                "final_learning_rate": self.final_learning_rate, **super().get_config()}
