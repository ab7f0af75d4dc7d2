"""The range test as a callback (``LRFinder``) and as one call (``find_learning_rate``).

The sweep, the smoothing, the stopping rule and the restoration are described in
``callbacks/lr_finder/__init__.py``.
"""

import math
import warnings

import keras
import numpy as np

from callbacks.lr_finder.result import SUGGESTIONS, LRFinderResult
from custom import arguments, keras_internals, model_state


def _check_sweep(start, end, steps, smoothing, divergence):
    start = arguments.number("start", start, above=0)
    arguments.number("end", end, above=start)
    arguments.number("steps", steps, minimum=2, integer=True)
    arguments.number("smoothing", smoothing, minimum=0, below=1)
    arguments.number("divergence", divergence, above=1)


class _SweepRate(keras.optimizers.schedules.LearningRateSchedule):
    """Stands in for an optimizer's own schedule during the sweep: returns a variable."""

    def __init__(self, variable):
        self.variable = variable

    def __call__(self, step):
        return self.variable

    def get_config(self):
        return {}


class LRFinder(keras.callbacks.Callback):
    """The range test inside a ``fit`` that you control; read ``finder.result`` afterwards.

    Give ``fit`` at least ``steps`` batches in all (epochs × batches per epoch); the
    callback stops training after ``steps`` batches, or earlier when the loss diverges.
    Before each batch it calls ``model.reset_metrics()``, so that ``logs["loss"]`` is
    that batch's own loss rather than the running mean over the epoch (as ``model.fit``
    reports it), and it sets the learning rate for that batch.

    ``custom.training.fit_with_tape`` reports the model's own loss tracker, so it needs
    nothing more. A loop that keeps its own running mean and ignores
    ``model.reset_metrics()`` needs ``running_mean=True``: the batch
    loss is then recovered from the running means m_b of batches b = 0, 1, … of an
    epoch as L_b = (b + 1)·m_b − b·m_(b−1), which is exact when the epoch's batches
    all have the same size (choose a batch size that divides the data).

    Args:
        start, end: the first and last learning rate, 0 < start < end. Defaults 1e-7, 10.
        steps: how many batches the sweep takes, ≥ 2. Default 100.
        smoothing: β of the moving average, in [0, 1). Default 0.98.
        divergence: stop when the smoothed loss exceeds this × its minimum, > 1. Default 4.
        method: the default suggestion, one of ``SUGGESTIONS``. Default "steepest".
        running_mean: whether ``logs["loss"]`` is the epoch's running mean (see above).
            Default False.

    Example:
        >>> finder = callbacks.LRFinder(steps=50)
        >>> model.fit(x, y, epochs=5, callbacks=[finder], verbose=0)
        >>> finder.result.suggestion
    """

    def __init__(self, start=1e-7, end=10.0, steps=100, smoothing=0.98, divergence=4.0,
                 method="steepest", running_mean=False):
        super().__init__()
        _check_sweep(start, end, steps, smoothing, divergence)
        if method not in SUGGESTIONS:
            raise ValueError(f"method must be one of {', '.join(SUGGESTIONS)}, got {method!r}")
        self.start, self.end, self.steps = float(start), float(end), steps
        self.smoothing, self.divergence, self.method = smoothing, divergence, method
        self.running_mean = bool(running_mean)
        # TODO: self.schedule = the array of η_i = start · (end/start)^(i/(steps − 1)), i < steps.
        # BEGIN SOLUTION lr_finder
        # η_i = start · (end/start)^(i/(steps − 1))
        self.schedule = start * (end / start) ** (np.arange(steps) / (steps - 1))
        # END SOLUTION
        self.result = None

    def on_train_begin(self, logs=None):
        model, optimizer = self.model, self.model.optimizer
        if optimizer is None:
            raise ValueError("LRFinder needs a compiled model (model.optimizer is None)")
        if not model.built:
            raise ValueError("LRFinder needs a built model, to save its weights first: start it "
                             "with keras.Input(shape=...) or call it on one batch before fit")
        self._saved = model_state.snapshot(model)   # Builds the optimizer if fit has not.
        # The rate as Keras keeps it: a Variable, or a schedule/callable.
        self._original_rate = keras_internals.learning_rate_of(optimizer)
        self._swapped = not isinstance(self._original_rate, keras.Variable)
        if self._swapped:
            self._rate_variable = keras.Variable(self.start, dtype=keras.backend.floatx(),
                                                 trainable=False, name="lr_finder_rate")
            optimizer.learning_rate = _SweepRate(self._rate_variable)
            model.make_train_function(force=True)   # The traced step read the old schedule.
        self._rates, self._losses, self._smoothed = [], [], []
        self._average, self._best = 0.0, math.inf
        self._previous_mean = 0.0
        self._stop_reason = None
        self._restored = False

    def _set_rate(self, rate):
        if self._swapped:
            self._rate_variable.assign(rate)
        else:
            self.model.optimizer.learning_rate = rate

    def on_train_batch_begin(self, batch, logs=None):
        if len(self._losses) >= self.steps or self._stop_reason:
            self.model.stop_training = True   # A loop that ignored the request to stop.
            return
        self._set_rate(self.schedule[len(self._losses)])
        self.model.reset_metrics()   # So that logs["loss"] is this batch's loss alone.

    def on_train_batch_end(self, batch, logs=None):
        i = len(self._losses)
        if i >= self.steps or self._stop_reason:
            return
        if "loss" not in (logs or {}):
            raise ValueError(f"LRFinder needs logs['loss'] after each batch; the training loop "
                             f"gave only: {sorted(logs or {})}")
        loss = float(keras.ops.convert_to_numpy(logs["loss"]))
        if self.running_mean:
            # batch counts from 0 in each epoch: L_b = (b + 1)·m_b − b·m_(b−1)
            mean = loss
            loss = (batch + 1) * mean - batch * (self._previous_mean if batch else 0.0)
            self._previous_mean = mean
        self._rates.append(float(self.schedule[i]))
        self._losses.append(loss)
        # TODO: β = self.smoothing; self._average = β·a + (1−β)·loss; smoothed = a_i/(1−β^(i+1))
        # BEGIN SOLUTION lr_finder
        self._average = self.smoothing * self._average + (1 - self.smoothing) * loss  # a_i
        smoothed = self._average / (1 - self.smoothing ** (i + 1))  # a_i / (1 − β^(i+1))
        # END SOLUTION
        self._smoothed.append(smoothed)
        if not math.isfinite(smoothed):
            self._stop_reason = f"loss became {loss} at step {i} (rate {self.schedule[i]:.3g})"
        elif smoothed > self.divergence * self._best:
            self._stop_reason = (f"smoothed loss exceeded {self.divergence:g}× its minimum at "
                                 f"step {i} (rate {self.schedule[i]:.3g})")
        elif i + 1 < self.steps:
            self._best = min(self._best, smoothed)
            return
        else:
            self._stop_reason = f"finished all {self.steps} steps"
        self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.restore()
        if self._stop_reason is None:
            self._stop_reason = (f"training ended after {len(self._losses)} of {self.steps} "
                                 f"steps; give fit more epochs or batches")
            warnings.warn(f"LRFinder: {self._stop_reason}", stacklevel=2)
        self.result = LRFinderResult(self._rates, self._losses, self._smoothed,
                                     self._stop_reason, self.method)

    def restore(self):
        """Put back the weights, the optimizer's variables and its learning rate (once)."""
        if self._restored:
            return
        model, optimizer = self.model, self.model.optimizer
        if self._swapped:
            optimizer.learning_rate = self._original_rate
            model.make_train_function(force=True)
        model_state.restore(model, self._saved)
        self._restored = True


def find_learning_rate(model, x, y=None, batch_size=32, start=1e-7, end=10.0, steps=100, *,
                       method="steepest", smoothing=0.98, divergence=4.0, shuffle=True):
    """Run the range test on a compiled ``model`` and return an ``LRFinderResult``.

    The model and its optimizer are left exactly as they were, whatever happens.

    Args:
        model: a compiled ``keras.Model``.
        x, y: arrays (samples first), or a batched ``tf.data.Dataset`` as ``x`` with y=None.
        batch_size: samples per batch for arrays, ≥ 1. Default 32.
        start, end, steps, method, smoothing, divergence: as for ``LRFinder``.
        shuffle: reshuffle arrays each pass over the data. Default True.

    Example:
        >>> result = callbacks.find_learning_rate(model, x_train, y_train)
        >>> result.suggestion, result.suggest("valley")
        >>> result.plot()
    """
    if getattr(model, "optimizer", None) is None:
        raise ValueError("model must be compiled (model.compile(optimizer=..., loss=...)) "
                         "before the learning-rate range test")
    arguments.number("batch_size", batch_size, minimum=1, integer=True)
    is_dataset = hasattr(x, "repeat") and hasattr(x, "element_spec")   # a tf.data.Dataset
    if not is_dataset and len(x) == 0:
        raise ValueError("x must hold at least one sample, got an empty array")
    finder = LRFinder(start, end, steps, smoothing, divergence, method)
    if is_dataset:
        if y is not None:
            raise ValueError("y must be None when x is a tf.data.Dataset")
        if not model.built:
            model(keras.utils.unpack_x_y_sample_weight(next(iter(x)))[0])   # build the weights
        fit_arguments = dict(x=x.repeat(), epochs=1, steps_per_epoch=steps, shuffle=False)
    else:
        if not model.built:
            model(x[:batch_size])   # Build the weights now, so that they can be saved.
        batches_per_epoch = math.ceil(len(x) / batch_size)
        fit_arguments = dict(x=x, y=y, batch_size=batch_size, shuffle=shuffle,
                             epochs=math.ceil(steps / batches_per_epoch))
    try:
        model.fit(callbacks=[finder], verbose=0, **fit_arguments)
    finally:
        if hasattr(finder, "_saved"):
            finder.restore()
    return finder.result
