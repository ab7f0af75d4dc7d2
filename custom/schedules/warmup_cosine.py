"""Linear warm-up from 0 to a peak, then cosine annealing down to a final rate."""

import math

import keras

from custom.schedules import _base


@keras.saving.register_keras_serializable(package="custom")
class WarmupCosine(_base.Schedule):
    """Linear warm-up for W steps, then a cosine from the peak to η_final at step T.

        η(t) = η_peak · t / W                                           for t < W
        η(t) = η_final + (η_peak − η_final) · (1 + cos(π·(t − W)/(T − W))) / 2   for W ≤ t ≤ T
        η(t) = η_final                                                  for t > T

    The ``warmup_cosine(epoch, initial_lr=0.1, warmup_epochs=10, total_epochs=100)`` of
    "The Learning Problem" is the case η_final = 0. Keras has the same curve as
    ``keras.optimizers.schedules.CosineDecay(0.0, decay_steps=T − W,
    alpha=η_final/η_peak, warmup_target=η_peak, warmup_steps=W)``: its
    ``initial_learning_rate`` is where the warm-up *starts*, and its ``decay_steps``
    counts the steps *after* the warm-up, not the total.

    Args:
        peak_learning_rate: η_peak ≥ 0, reached at the end of the warm-up. Default 0.1.
        warmup_steps: W, a whole number in [0, T). Default 10.
        total_steps: T, a whole number ≥ 1: where the cosine reaches η_final. Default 100.
        final_learning_rate: η_final, in [0, η_peak]. Default 0.0.
        steps_per_epoch: None to count optimizer steps, or batches per epoch to count epochs.

    Example:
        >>> schedule = WarmupCosine(0.1, warmup_steps=10, total_steps=100)
        >>> [round(float(schedule(t)), 6) for t in (0, 5, 10, 100)]
        [0.0, 0.05, 0.1, 0.0]
    """

    def __init__(self, peak_learning_rate=0.1, warmup_steps=10, total_steps=100,
                 final_learning_rate=0.0, steps_per_epoch=None):
        super().__init__(steps_per_epoch)
        self.peak_learning_rate = _base.check_rate("peak_learning_rate", peak_learning_rate)
        self.total_steps = _base.check_steps("total_steps", total_steps)
        self.warmup_steps = _base.check_steps("warmup_steps", warmup_steps, allow_zero=True)
        if self.warmup_steps >= self.total_steps:
            raise ValueError(f"warmup_steps must be in [0, total_steps={self.total_steps}), "
                             f"got {warmup_steps!r}")
        self.final_learning_rate = _base.check_rate("final_learning_rate",
                                                    final_learning_rate)
        if self.final_learning_rate > self.peak_learning_rate:
            raise ValueError(f"final_learning_rate must be in [0, peak_learning_rate="
                             f"{self.peak_learning_rate}], got {final_learning_rate!r}")

    def rate(self, t):
        # TODO: warm-up η_peak·t/W for t < W, then a cosine from η_peak to η_final at T.
        # BEGIN SOLUTION schedules
        warmup = self.peak_learning_rate * t / max(self.warmup_steps, 1)   # η_peak·t/W
        decay_steps = self.total_steps - self.warmup_steps                  # T − W
        progress = keras.ops.clip((t - self.warmup_steps) / decay_steps, 0.0, 1.0)
        cosine = (1.0 + keras.ops.cos(math.pi * progress)) / 2.0            # 1 → 0
        span = self.peak_learning_rate - self.final_learning_rate
        annealed = self.final_learning_rate + span * cosine
        return keras.ops.where(t < self.warmup_steps, warmup, annealed)
        # END SOLUTION

    def get_config(self):
        return {"peak_learning_rate": self.peak_learning_rate,
                "warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "final_learning_rate": self.final_learning_rate, **super().get_config()}
