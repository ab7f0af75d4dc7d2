"""``LivePlot``: learning curves that grow while the network trains, so no cell sits silent.

In a notebook (Jupyter, Colab) one figure, the loss on the left and a metric on the
right, is redrawn in place: it is shown once with ``display(..., display_id=True)`` and
each later draw goes through ``handle.update(...)``, so the cell keeps one picture
instead of collecting one per epoch, and text the cell printed stays where it is. Once
a run has ``DIAGNOSIS_AFTER`` epochs, the title carries its running label from
``callbacks.diagnostics.classify`` (STILL_IMPROVING, OVERFITTING, …), with chance taken
as 1/K as ``DiagnosticsLogger`` takes it (``num_classes``, else the model's output
layer), so that the label after the last epoch is the logger's verdict. In a terminal
it prints one compact line per epoch instead.

One ``LivePlot`` can hold several runs on shared axes, so a lab can compare optimizers
or schedules side by side: ``live.run(name)`` returns the callback for one run, in one
colour (training solid, validation dashed). Passed to ``fit`` itself, a ``LivePlot`` is
one unnamed run that starts afresh on every ``fit``. It works the same under
``model.fit`` and ``custom.training.fit_with_tape``, which run callbacks the same way.

A draw costs about 0.1 s, more than a whole epoch of a small network, so redraws are
throttled: at most one every ``min_interval`` seconds (0.5 s), and only while a run's
drawing so far, plus room for its final draw, stays within ``max_share`` (5 %) of the
time since it started. Every run ends with a final draw, so a fit of a few
seconds is drawn once, at its end, and a long one every few seconds.
``benchmarks/live_plot.py`` measures the cost.

Why not livelossplot (0.6.1, a well-kept package): its notebook output clears the whole
cell (``clear_output``) and shows a new figure on every epoch, which would wipe the
tables a lab prints in the same cell; it has no throttle, so a fast epoch pays a full
redraw; one ``PlotLosses`` is one run; and it brings Bokeh. What is needed here, one
display handle, a throttle, named runs and the diagnosis, fits in this file and in
``live_figure.py``, which draws the figure.

Example:
    >>> live = callbacks.LivePlot(metric="accuracy")
    >>> for name in ("sgd", "adam"):
    ...     model = make_model(name)
    ...     model.fit(x, y, validation_data=(x_val, y_val), epochs=20, verbose=0,
    ...               callbacks=[live.run(name)])
"""

import math
import sys
import time
import warnings

import keras
import numpy as np

from callbacks import diagnostics, live_figure
from callbacks.diagnostics import chance
from custom import arguments

# Below five epochs the classifier can tell little apart (overfitting needs a best epoch
# and a few after it), so the title shows no label before then.
DIAGNOSIS_AFTER = 5
# A first guess at the seconds one draw takes on 2 cores, until a draw has been timed.
DRAW_GUESS = 0.1


class LivePlot(keras.callbacks.Callback):
    """Redraw the learning curves after every epoch in a notebook; print a line in a terminal.

    Args:
        metric: the metric drawn beside the loss (``"accuracy"``, ``"mae"``, …), or None
            (default) for the first metric the run logs other than the loss.
        mode: ``"auto"`` (default: notebook inside a Jupyter or Colab kernel, else
            terminal), ``"notebook"`` or ``"terminal"``.
        min_interval: seconds between two redraws at least, >= 0. Default 0.5.
        max_share: the largest share of a run's time spent drawing it, keeping room for
            its final draw, in (0, 1]; 1 turns the budget off. Default 0.05.
        title: words before the running label in the figure's title. Default
            "learning curves".
        num_classes: K for a classifier, so the label takes chance as 1/K, or None
            (default: from each run's model output layer, if it tells).
        stream: where terminal lines go. Default ``sys.stdout`` at print time.
        diagnosis: whether the title and the terminal lines carry the running label.
            Default True; False for a lab that asks for the label before it reveals it.

    Example:
        >>> model.fit(x, y, epochs=30, verbose=0, callbacks=[callbacks.LivePlot()])
    """

    def __init__(self, metric=None, mode="auto", min_interval=0.5, max_share=0.05,
                 title="learning curves", stream=None, num_classes=None, diagnosis=True):
        super().__init__()
        if metric is not None and (not isinstance(metric, str) or not metric):
            raise ValueError(f"metric must be a metric name or None, got {metric!r}")
        arguments.choice("mode", mode, ("auto", "notebook", "terminal"))
        min_interval = arguments.number("min_interval", min_interval, minimum=0)  # seconds
        max_share = arguments.number("max_share", max_share, above=0, maximum=1)
        if num_classes is not None:
            chance.number_of_classes({}, num_classes)  # Raises ValueError if invalid.
        self.metric = metric
        self.mode = ("notebook" if in_notebook() else "terminal") if mode == "auto" else mode
        self.min_interval = float(min_interval)
        self.max_share = float(max_share)
        self.title = str(title)
        self.stream = stream
        self.num_classes = num_classes
        self.diagnosis = bool(diagnosis)
        self.runs = {}             # Run name → _Run, in the order they started.
        self.draws = 0             # Figures rendered, for the benchmark and the tests.
        self._handle = None        # The IPython display handle, made at the first draw.
        self._figure = live_figure.LiveFigure()
        self._next_draw = 0.0      # time.perf_counter() before which no redraw happens.
        self._last_cost = DRAW_GUESS  # Seconds the last draw took.
        self._warned = set()

    def run(self, name):
        """The callback for one named run, drawn on this plot's axes beside the others.

        Args:
            name: the run's name in the legend and at the start of terminal lines; a
                name used before starts that run again from epoch 1.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        return _RunCallback(self, name.strip())

    # Passed to fit itself, the LivePlot is one unnamed run that starts afresh.

    def on_train_begin(self, logs=None):
        self.runs = {}
        self._figure = live_figure.LiveFigure()  # Fresh axes, shown in the same place.
        self._start("", self.params, self.model)

    def on_epoch_end(self, epoch, logs=None):
        self._record("", epoch, logs)

    def on_train_end(self, logs=None):
        self._finish("")

    # What every run does.

    def _start(self, name, params, model):
        self.runs.pop(name, None)  # A name used again starts again, last in the legend.
        now = time.perf_counter()
        self.runs[name] = _Run(name, (params or {}).get("epochs"), now,
                               self.num_classes or chance.classes_of(model))
        # The first picture of a run also waits min_interval: a fit shorter than that is
        # drawn once, at its end.
        self._next_draw = max(self._next_draw, now + self.min_interval)

    def _record(self, name, epoch, logs):
        run = self.runs[name]
        run.add(logs or {})
        if self.mode == "terminal":
            self._print_line(run)
        elif self._may_draw(run, time.perf_counter()):
            self._draw(current=run)

    def _may_draw(self, run, now):
        """At most one draw per min_interval, and drawing within max_share of the run's time.

        The budget keeps room for this draw and the run's final one, each costing about
        as much as the last draw did: drawing + 2·cost ≤ max_share · elapsed.
        """
        if now < self._next_draw:
            return False
        budget = self.max_share * (now - run.started)
        return self.max_share >= 1 or run.drawing + 2 * self._last_cost <= budget

    def _finish(self, name):
        run = self.runs.get(name)
        if run is not None and run.epochs > run.drawn and self.mode == "notebook":
            self._draw(current=run)  # The final picture, whatever the throttle says.

    # Terminal: one line per epoch.

    def _print_line(self, run):
        metric = self._metric_of(run)
        width = len(str(run.total)) if run.total else 3
        parts = [f"{run.name:<10}" if run.name else "",
                 f"epoch {run.epochs:>{width}}" + (f"/{run.total}" if run.total else ""),
                 _pair(run, "loss")]
        if metric is not None:
            parts.append(_pair(run, metric))
        label = self._label(run)
        if label:
            parts.append(label)
        print("  " + "  ".join(part for part in parts if part),
              file=self.stream or sys.stdout, flush=True)

    # Notebook: one figure, shown once and updated in place.

    def _draw(self, current):
        started = time.perf_counter()
        png = self._render(current)
        from IPython import display as ipython_display

        image = ipython_display.Image(data=png, format="png")
        if self._handle is None:
            self._handle = ipython_display.display(image, display_id=True)
        else:
            self._handle.update(image)
        self.draws += 1
        current.drawn = current.epochs
        finished = time.perf_counter()
        self._last_cost = finished - started
        current.drawing += self._last_cost
        self._next_draw = finished + self.min_interval

    def _render(self, current):
        """The figure as PNG bytes, with the current run's progress and label in its title."""
        metric = self._metric_of(current)
        label = self._label(current)
        where = f"{current.name}, " if current.name else ""
        progress = f"epoch {current.epochs}" + (f"/{current.total}" if current.total else "")
        title = f"{self.title} ({where}{progress})" + (f"  diagnosis: {label}" if label else "")
        return self._figure.render(list(self.runs.values()),
                                   ["loss", *([metric] if metric else [])], title)

    # Shared by both modes.

    def _metric_of(self, run):
        if self.metric is not None:
            if self.metric not in run.columns and self.metric not in self._warned:
                self._warned.add(self.metric)
                available = ", ".join(sorted(run.columns)) or "none"
                warnings.warn(f"LivePlot: metric {self.metric!r} is not in the logs "
                              f"(available: {available}); only the loss is drawn", stacklevel=2)
            return self.metric if self.metric in run.columns else None
        for name in run.columns:
            if name != "loss" and not name.startswith("val_") and name != "learning_rate":
                return name
        return None

    def _label(self, run):
        """``classify``'s running label for ``run``, or "" before ``DIAGNOSIS_AFTER`` epochs."""
        if not self.diagnosis or run.epochs < DIAGNOSIS_AFTER or "loss" not in run.columns:
            return ""
        history = {name: run.column(name) for name in run.columns}
        try:
            return diagnostics.classify(history, num_classes=run.classes).label
        except ValueError as error:  # HistoryError: shown in the figure and warned once.
            if "classify" not in self._warned:
                self._warned.add("classify")
                warnings.warn(f"LivePlot: no diagnosis for run {run.name!r}: {error}",
                              stacklevel=2)
            return "no diagnosis"


class _RunCallback(keras.callbacks.Callback):
    """What ``LivePlot.run(name)`` returns: the Keras callback of one named run."""

    def __init__(self, plot, name):
        super().__init__()
        self.plot = plot
        self.name = name

    def on_train_begin(self, logs=None):
        self.plot._start(self.name, self.params, self.model)

    def on_epoch_end(self, epoch, logs=None):
        self.plot._record(self.name, epoch, logs)

    def on_train_end(self, logs=None):
        self.plot._finish(self.name)


class _Run:
    """The per-epoch values of one run; a metric missing from an epoch is NaN."""

    def __init__(self, name, total, started, classes):
        self.name = name
        self.total = total
        self.classes = classes  # K, or None when neither the caller nor the model tells.
        self.started = started  # time.perf_counter() at on_train_begin.
        self.drawing = 0.0      # Seconds spent drawing this run.
        self.columns = {}  # Name → list of floats, all as long as epochs.
        self.epochs = 0
        self.drawn = 0     # Epochs shown in the last picture drawn for this run.

    def add(self, logs):
        for name, value in logs.items():
            if name not in self.columns:
                self.columns[name] = [math.nan] * self.epochs
            self.columns[name].append(_as_float(value))
        self.epochs += 1
        for values in self.columns.values():
            if len(values) < self.epochs:
                values.append(math.nan)

    def column(self, name):
        return np.asarray(self.columns[name], dtype=np.float64)


def _pair(run, name):
    """``loss 0.4123 / 0.4501`` (training / validation), or the training value alone."""
    text = f"{name} {_number(run.columns[name][-1])}" if name in run.columns else ""
    if f"val_{name}" in run.columns:
        text += f" / {_number(run.columns[f'val_{name}'][-1])}"
    return text


def _number(value):
    """Four decimals in the usual range, so that the columns line up; powers of ten outside."""
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4f}" if value == 0 or 1e-3 <= abs(value) < 1e4 else f"{value:.3e}"


def _as_float(value):
    """A float from a Python number, a NumPy scalar or a scalar tensor (fit_with_tape's logs)."""
    try:
        return float(np.asarray(value))
    except (TypeError, ValueError):
        return math.nan


def in_notebook():
    """True inside a Jupyter or Colab kernel: an IPython shell with a kernel. A terminal
    IPython has a shell but no kernel, and plain Python has neither."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None

