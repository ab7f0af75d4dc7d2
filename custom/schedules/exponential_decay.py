"""Exponential decay in the continuous form of "The Learning Problem", η₀·e^(−k·t)."""

import keras

from custom.schedules import _base


@keras.saving.register_keras_serializable(package="custom")
class ExponentialDecay(_base.Schedule):
    """η(t) = η₀ · e^(−k·t), with k = ``decay_rate``

    The ``exponential_decay(epoch, initial_lr=0.1, decay_rate=0.05)`` of
    "The Learning Problem".

    How it differs from ``keras.optimizers.schedules.ExponentialDecay``: Keras writes
    η₀ · r^(t / decay_steps), where ``decay_rate`` r is the *factor kept* after each
    ``decay_steps`` steps (0.96 means "keep 96 %"). Here ``decay_rate`` k is a
    *continuous rate* (0.05 means "lose about 5 % per step"). The two curves are the
    same when r = e^(−k·decay_steps), for example Keras' ``ExponentialDecay(0.1,
    decay_steps=1, decay_rate=math.exp(-0.05))``. Passing the chapter's 0.05 to Keras as
    r instead would keep only 5 % of the rate after every ``decay_steps``.

    Args:
        initial_learning_rate: η₀ ≥ 0. Default 0.1.
        decay_rate: k ≥ 0, per step (or per epoch, see ``steps_per_epoch``). Default 0.05.
        steps_per_epoch: None to count optimizer steps, or batches per epoch to count epochs.

    Example:
        >>> schedule = ExponentialDecay(0.1, decay_rate=0.05)
        >>> round(float(schedule(20)), 5)  # 0.1 · e^(−1)
        0.03679
    """

    def __init__(self, initial_learning_rate=0.1, decay_rate=0.05, steps_per_epoch=None):
        super().__init__(steps_per_epoch)
        self.initial_learning_rate = _base.check_rate("initial_learning_rate",
                                                      initial_learning_rate)
        self.decay_rate = _base.check_rate("decay_rate", decay_rate)

    def rate(self, t):
        # TODO: η(t) = η₀·e^(−k·t), with keras.ops (t is a float64 tensor).
        # BEGIN SOLUTION schedules
        # η₀·e^(−k·t)
        return self.initial_learning_rate * keras.ops.exp(-self.decay_rate * t)
        # END SOLUTION

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_rate": self.decay_rate, **super().get_config()}
