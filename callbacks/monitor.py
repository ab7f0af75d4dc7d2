"""The shared "best value so far of a monitored metric" base of EarlyStopping and ReduceLROnPlateau.

An epoch *improves* on the best value so far when, for the direction of the metric,

    mode "min":  current < best − min_delta      (a loss should fall)
    mode "max":  current > best + min_delta      (an accuracy should rise)

and the first monitored value always improves on "nothing yet" (best = None).
A NaN never improves on anything. "auto" picks "min" for a name ending in "loss" and
otherwise asks the model's metric of that name which way it points (Keras metrics
carry a direction, "up" for accuracy, AUC and F1, "down" for errors). As in Keras,
the direction is settled at the first epoch's end, and a monitor whose direction
cannot be told (a misspelled name, a value no metric of the model logs) raises
``ValueError`` there, listing the keys that are in the logs, rather than training on
unwatched. With mode "min" or "max" a missing monitor only warns, every epoch.

A metric may log a one-element array rather than a number (``keras.metrics.F1Score``
logs one F1 per class, so one value for a single output); it is read as that number.
An array of several values (one per class) cannot be ranked and raises ``ValueError``.

Messages for ``verbose=1`` go through Keras' own message function, as Keras' callbacks'
do: to the screen, or to Python logging after ``keras.config.disable_interactive_logging()``.

Differences from Keras' ``keras.callbacks.MonitorCallback`` (Keras 3.15):
  * Keras lets a NaN as the *first* monitored value become the best, after which no
    value ever improves on it; here a NaN never counts, so training can still recover.
  * An unknown ``mode`` or a negative ``min_delta`` raise ``ValueError`` here; Keras
    warns and falls back to "auto", and takes ``abs(min_delta)``.
  * The direction is worked out again at the first epoch of every run, never mutating
    ``min_delta`` (Keras flips its sign in place). A name ending in "_loss" (one output's
    loss in a multi-output model) is "min" here; Keras raises for it in "auto" mode.
  * ``best`` is a float, also for a one-element array; a longer array raises
    ``ValueError`` here, where Keras fails with NumPy's "truth value is ambiguous".

Every subclass also writes the optimizer's effective learning rate into the epoch's
logs as ``learning_rate`` (unless a callback earlier in the list already did), so
that it reaches History and CSV loggers for any optimizer, constant or scheduled.
Loggers see it when they come *after* this callback in the callbacks list.
"""

import math
import warnings

import keras
import numpy as np

from callbacks import learning_rate as learning_rate_module
from custom import arguments, keras_internals

MODES = ("auto", "min", "max")


class MonitorCallback(keras.callbacks.Callback):
    """Track the best value of ``monitor`` and say whether an epoch improved on it.

    Subclasses call ``monitored_value(logs)`` and ``is_improvement(current, reference)``
    from ``on_epoch_end``, and call ``super().on_train_begin()`` to reset.

    Args:
        monitor: the key of the logs to watch, e.g. "val_loss" (default) or "val_accuracy".
        mode: "auto" (default), "min" or "max"; see the module docstring.
        min_delta: how much better than the best a value must be to count, >= 0. Default 0.

    Example:
        >>> class PrintBest(MonitorCallback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         current = self.monitored_value(logs)
        ...         if current is not None and self.is_improvement(current, self.best):
        ...             self.best = current
    """

    def __init__(self, monitor="val_loss", mode="auto", min_delta=0.0):
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"monitor must be the name of a logged metric, got {monitor!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.monitor = monitor
        self.mode = mode
        self.min_delta = arguments.number("min_delta", min_delta, minimum=0.0)
        self.best = None
        self.direction = None  # "min" or "max", resolved at the first monitored epoch.

    def on_train_begin(self, logs=None):
        """Forget everything from a previous run, so one instance can be reused."""
        self.best = None
        self.direction = None

    @property
    def monitor_op(self):
        """Keras' name for the direction: ``keras.ops.less`` ("min"), ``keras.ops.greater``
        ("max"), or None before the first epoch. Kept so that code written for Keras'
        callbacks can read it; the comparisons here use ``direction``."""
        if self.direction is None:
            return None
        return keras.ops.less if self.direction == "min" else keras.ops.greater

    def monitored_value(self, logs):
        """The monitored metric as a float, after logging the learning rate; None if absent.

        The first call settles the direction, and raises ValueError when "auto" cannot.
        """
        logs = {} if logs is None else logs
        self.log_learning_rate(logs)
        if self.direction is None:
            self.direction = self._resolve_direction(logs)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"{type(self).__name__} is conditioned on metric '{self.monitor}', "
                          f"which is not in the logs. Available keys: {', '.join(sorted(logs))}",
                          stacklevel=3)
            return None
        return self._as_number(current)

    def print_message(self, message):
        """Show a ``verbose`` message the way Keras' callbacks do (screen or logging)."""
        keras_internals.print_message(message)

    def _as_number(self, current):
        """A logged value as a float: a number, or an array holding exactly one number."""
        values = np.asarray(current)
        if values.size != 1:
            raise ValueError(f"{type(self).__name__} monitors '{self.monitor}', which logs "
                             f"{values.size} values (shape {values.shape}), not one number; "
                             "monitor a single number, e.g. F1Score(average='macro')")
        return float(values.reshape(()))

    def is_improvement(self, current, reference):
        """True when ``current`` beats ``reference`` by more than ``min_delta``."""
        if math.isnan(current):
            return False  # A NaN is never better than anything.
        if reference is None:
            return True   # The first value is the best so far.
        if self.direction == "min":
            return current + self.min_delta < reference  # current < best − min_delta
        return current - self.min_delta > reference      # current > best + min_delta

    def log_learning_rate(self, logs):
        """Put the optimizer's effective learning rate into ``logs`` as "learning_rate"."""
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and "learning_rate" not in logs:
            logs["learning_rate"] = learning_rate_module.current_learning_rate(optimizer)

    def _resolve_direction(self, logs):
        if self.mode != "auto":
            return self.mode
        name = self.monitor.removeprefix("val_")
        if name == "loss" or name.endswith("_loss"):
            return "min"
        for metric in _all_metrics(self.model):
            # Keras metrics declare which way is better: "up" (accuracy) or "down" (error).
            direction = keras_internals.metric_direction(metric)
            if metric.name == name and direction in ("up", "down"):
                return "max" if direction == "up" else "min"
        cannot_tell = (f"{type(self).__name__} cannot tell whether '{self.monitor}' should be "
                       "minimized or maximized")
        if self.monitor not in logs:
            raise ValueError(f"{cannot_tell}: it is not in the logs (available keys: "
                             f"{', '.join(sorted(logs))}); check the name, or pass mode='min' "
                             "or mode='max'")
        raise ValueError(f"{cannot_tell}; pass mode='min' or mode='max'")


def _all_metrics(model):
    """The model's metrics, with the ones compiled together (CompileMetrics) unpacked."""
    found = []
    for metric in getattr(model, "metrics", []):
        found.append(metric)
        found.extend(getattr(metric, "metrics", []))
    return found
