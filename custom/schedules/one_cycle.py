"""Smith's 1cycle: warm up to a maximum rate, then anneal far below where it started."""

import keras

from custom.schedules import _base


def _cosine_between(start, end, fraction):
    """start at fraction 0, end at fraction 1, along half a cosine wave.

    That half wave, end + (start − end)·(1 + cos(π·fraction)) / 2, is the cosine annealing
    that the schedules assignment asks students to write, so 1cycle borrows Keras' own
    ``CosineDecay`` for it (from ``start``, decaying to ``alpha = end / start`` of it over
    one step) rather than ship the answer. A start of 0 runs the same wave backwards.
    """
    if start == 0:
        return _cosine_between(end, start, 1.0 - fraction) if end != 0 else 0.0 * fraction
    wave = keras.optimizers.schedules.CosineDecay(start, decay_steps=1, alpha=end / start)
    return wave(fraction)


@keras.saving.register_keras_serializable(package="custom")
class OneCycle(_base.Schedule):
    """Leslie Smith's 1cycle policy (2018), with cosine phases as in fastai and PyTorch.

        η_start = η_max / start_divisor,  η_end = η_start / final_divisor,  W = round(f·T)
        η(t) = η_max  + (η_start − η_max)·(1 + cos(π·t/W)) / 2               for t ≤ W
        η(t) = η_end  + (η_max − η_end)·(1 + cos(π·(t − W)/(T − W))) / 2     for W < t ≤ T
        η(t) = η_end                                                          for t > T

    The rate climbs from η_max/25 to η_max over the first 30 % of training, then falls
    to η_max/250 000, far below where it started. PyTorch's ``OneCycleLR`` ends its
    two phases one step earlier (at f·T − 1 and T − 1); otherwise the curve is the same.

    Momentum cycles the other way (high while the rate is low): ``momentum(step)``
    gives β from ``max_momentum`` down to ``base_momentum`` at W and back. Keras'
    built-in optimizers hold momentum as a Python float that is baked into the traced
    training step, so this value is for plotting and for optimizers that read it each
    step; the schedule itself only sets the learning rate.

    Args:
        max_learning_rate: η_max > 0, e.g. the LR finder's suggestion × 10. Default 0.1.
        total_steps: T, a whole number ≥ 2. Default 100.
        warmup_fraction: f in (0, 1), the share of T spent warming up. Default 0.3.
        start_divisor: η_max / η_start, ≥ 1. Default 25.
        final_divisor: η_start / η_end, ≥ 1. Default 1e4.
        max_momentum, base_momentum: the momentum cycle's ends, 0 ≤ base ≤ max < 1.
            Defaults 0.95 and 0.85.
        steps_per_epoch: None to count optimizer steps, or batches per epoch to count epochs.

    Example:
        >>> schedule = OneCycle(0.1, total_steps=100)
        >>> [round(float(schedule(t)), 6) for t in (0, 30, 100)]
        [0.004, 0.1, 0.0]
    """

    def __init__(self, max_learning_rate=0.1, total_steps=100, warmup_fraction=0.3,
                 start_divisor=25.0, final_divisor=1e4, max_momentum=0.95,
                 base_momentum=0.85, steps_per_epoch=None):
        super().__init__(steps_per_epoch)
        self.max_learning_rate = _base.check_rate("max_learning_rate", max_learning_rate,
                                                  allow_zero=False)
        self.total_steps = _base.check_steps("total_steps", total_steps)
        if self.total_steps < 2:
            raise ValueError(f"total_steps must be >= 2, got {total_steps!r}")
        self.warmup_fraction = _base.check_rate("warmup_fraction", warmup_fraction)
        self.warmup_steps = round(self.warmup_fraction * self.total_steps)
        if not 0 < self.warmup_steps < self.total_steps:
            raise ValueError(f"warmup_fraction must leave at least one step for each phase "
                             f"of total_steps={self.total_steps}, got {warmup_fraction!r}")
        for name, value in (("start_divisor", start_divisor), ("final_divisor", final_divisor)):
            if not _base.check_rate(name, value) >= 1:
                raise ValueError(f"{name} must be >= 1, got {value!r}")
        self.start_divisor = float(start_divisor)
        self.final_divisor = float(final_divisor)
        self.base_momentum = _base.check_rate("base_momentum", base_momentum)
        self.max_momentum = _base.check_rate("max_momentum", max_momentum)
        if not self.base_momentum <= self.max_momentum < 1:
            raise ValueError(f"momentum must satisfy 0 <= base_momentum <= max_momentum < 1, "
                             f"got base_momentum={base_momentum!r}, "
                             f"max_momentum={max_momentum!r}")
        self.start_learning_rate = self.max_learning_rate / self.start_divisor
        self.end_learning_rate = self.start_learning_rate / self.final_divisor

    def _phases(self, t, start, peak, end):
        """The two cosine phases start → peak (t ≤ W) and peak → end (W < t ≤ T)."""
        warmup_steps, total_steps = self.warmup_steps, self.total_steps
        rising = keras.ops.clip(t / warmup_steps, 0.0, 1.0)
        falling = keras.ops.clip((t - warmup_steps) / (total_steps - warmup_steps), 0.0, 1.0)
        return keras.ops.where(t <= warmup_steps, _cosine_between(start, peak, rising),
                               _cosine_between(peak, end, falling))

    def rate(self, t):
        return self._phases(t, self.start_learning_rate, self.max_learning_rate,
                            self.end_learning_rate)

    def momentum(self, step):
        """β at ``step``: max_momentum → base_momentum at W → max_momentum at T."""
        beta = self._phases(self.time(step), self.max_momentum, self.base_momentum,
                            self.max_momentum)
        return keras.ops.cast(beta, keras.backend.floatx())

    def get_config(self):
        return {"max_learning_rate": self.max_learning_rate, "total_steps": self.total_steps,
                "warmup_fraction": self.warmup_fraction, "start_divisor": self.start_divisor,
                "final_divisor": self.final_divisor, "max_momentum": self.max_momentum,
                "base_momentum": self.base_momentum, **super().get_config()}
