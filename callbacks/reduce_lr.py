"""ReduceLROnPlateau from scratch: cut the learning rate when the monitored metric stalls.

The class session plan names Keras' ``ReduceLROnPlateau(monitor="val_loss", factor=0.5,
patience=3)`` among the convergence tools. The rule at the end of each epoch (Keras 3.15's):

    if cooldown_left > 0:  cooldown_left ← cooldown_left − 1;  wait ← 0
    if improved(current, best):     best ← current;  wait ← 0
    elif cooldown_left == 0:
        wait ← wait + 1
        if wait >= patience and η > min_lr:
            η ← max(η · factor, min_lr);  cooldown_left ← cooldown;  wait ← 0

(η > min_lr is compared in float32, the precision of the optimizer's rate, as Keras does.)

**On a schedule.** Keras' own callback raises ``TypeError`` when the optimizer's
``learning_rate`` is a ``LearningRateSchedule``, because a schedule has no value to
overwrite. This one wraps the schedule instead, in ``on_train_begin``:

    η_t = m · schedule(t),   m a variable that starts at 1

(``ScaledSchedule`` below; registered, so a saved model reloads it). A reduction then
scales the multiplier, m ← m · η_new / η_old, so the schedule keeps its shape and every
later step uses the reduced rate. ``min_lr`` bounds the cuts this callback makes; the
schedule's own decay may still go lower. If ``model.fit`` had already compiled its step
with the bare schedule, the callback asks Keras to compile it again
(``model.make_train_function(force=True)``) so that the step reads the multiplier.
The multiplier belongs to the optimizer, like a reduced constant rate: a second run keeps it.
"""

import keras
import numpy as np

from callbacks import learning_rate as learning_rate_module
from callbacks import monitor as monitor_module
from custom import arguments, keras_internals


class ReduceLROnPlateau(monitor_module.MonitorCallback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    Args:
        monitor: the metric to watch. Default "val_loss". With mode "auto", a name
            whose direction cannot be told (e.g. a typo) raises ValueError at the end
            of the first epoch.
        factor: the multiplier of each cut, 0 < factor < 1. Default 0.1.
        patience: epochs without improvement before a cut, an integer >= 0. Default 10.
        verbose: 1 reports each cut, 0 is silent. Default 0. The messages go to the
            screen, or to Python logging when Keras' interactive logging is off.
        mode: "auto", "min" or "max" (see ``callbacks.monitor``). Default "auto".
        min_delta: an improvement must beat the best by more than this, >= 0. Default 1e-4.
        cooldown: epochs after a cut during which nothing is counted, an integer >= 0.
            Default 0.
        min_lr: the rate is never cut below this, >= 0. Default 0.

    Example:
        >>> reduce = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3)
        >>> history = model.fit(x, y, validation_data=(x_val, y_val), callbacks=[reduce])
        >>> history.history["learning_rate"]   # the rate used in each epoch
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor=monitor, mode=mode, min_delta=min_delta)
        self.factor = arguments.number("factor", factor, above=0, below=1.0)
        self.patience = arguments.number("patience", patience, minimum=0, integer=True)
        self.verbose = arguments.number("verbose", verbose, minimum=0, integer=True)
        self.cooldown = arguments.number("cooldown", cooldown, minimum=0, integer=True)
        self.min_lr = arguments.number("min_lr", min_lr, minimum=0.0)
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.wait = 0
        self.cooldown_counter = 0
        self._wrap_schedule()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        current = self.monitored_value(logs)  # Also logs the rate used in this epoch.
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch):
        """η ← max(η · factor, min_lr); False when η is already at min_lr."""
        optimizer = self.model.optimizer
        old_rate = learning_rate_module.current_learning_rate(optimizer)
        if not old_rate > np.float32(self.min_lr):
            return False
        new_rate = max(old_rate * self.factor, self.min_lr)
        schedule = _schedule_of(optimizer)
        if isinstance(schedule, ScaledSchedule):
            # m ← m · η_new / η_old
            schedule.multiplier.assign(schedule.multiplier * (new_rate / old_rate))
        else:
            optimizer.learning_rate = new_rate
        if self.verbose > 0:
            self.print_message(
                f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_rate}.")
        return True

    def _wrap_schedule(self):
        optimizer = getattr(self.model, "optimizer", None)
        schedule = _schedule_of(optimizer)
        if schedule is None or isinstance(schedule, ScaledSchedule):
            return
        optimizer.learning_rate = ScaledSchedule(schedule)
        if getattr(self.model, "train_function", None) is not None:
            # model.fit's step was traced with the bare schedule: trace it again.
            self.model.make_train_function(force=True)

    def get_config(self):
        return {"monitor": self.monitor, "factor": self.factor, "patience": self.patience,
                "verbose": self.verbose, "mode": self.mode, "min_delta": self.min_delta,
                "cooldown": self.cooldown, "min_lr": self.min_lr}


def _schedule_of(optimizer):
    """The optimizer's LearningRateSchedule, or None for a constant rate.

    Keras keeps the schedule (or the rate's variable) where only
    ``custom.keras_internals.learning_rate_of`` reads it; the public ``learning_rate``
    property returns only its current value.
    """
    rate = keras_internals.learning_rate_of(optimizer)
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
        return rate
    return None


@keras.saving.register_keras_serializable(package="callbacks")
class ScaledSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """η_t = m · schedule(t): a schedule whose output is scaled by a multiplier variable m.

    Args:
        schedule: the ``LearningRateSchedule`` to scale.
        multiplier: the starting value of m, > 0. Default 1.0.

    Example:
        >>> scaled = ScaledSchedule(keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.5))
        >>> scaled.multiplier.assign(0.5)   # every step from now on uses half the rate
    """

    def __init__(self, schedule, multiplier=1.0):
        if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError(f"schedule must be a LearningRateSchedule, got {schedule!r}")
        multiplier = arguments.number("multiplier", multiplier, above=0)
        self.schedule = schedule
        self.multiplier = keras.Variable(multiplier, dtype="float32", trainable=False,
                                         name="learning_rate_multiplier")

    def __call__(self, step):
        base_rate = keras.ops.cast(self.schedule(step), "float32")
        return self.multiplier * base_rate  # η_t = m · schedule(t)

    def get_config(self):
        return {"schedule": keras.optimizers.schedules.serialize(self.schedule),
                "multiplier": float(keras.ops.convert_to_numpy(self.multiplier))}

    @classmethod
    def from_config(cls, config):
        schedule = keras.optimizers.schedules.deserialize(config["schedule"])
        return cls(schedule, multiplier=config["multiplier"])
