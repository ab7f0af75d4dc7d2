"""``LivePlot``: learning curves that grow while the network trains, so no cell sits silent.

In a notebook (Jupyter, Colab) one figure, the loss on the left and a metric on the
right, is redrawn in place: it is shown once with ``display(..., display_id=True)`` and
each later draw goes through ``handle.update(...)``, so the cell keeps one picture
instead of collecting one per epoch, and text the cell printed stays where it is. Once
a run has ``DIAGNOSIS_AFTER`` epochs, the title carries its running label from
``callbacks.diagnostics.classify`` (STILL_IMPROVING, OVERFITTING, …). In a terminal it
prints one compact line per epoch instead.

One ``LivePlot`` can hold several runs on shared axes, so a lab can compare optimizers
or schedules side by side: ``live.run(name)`` returns the callback for one run, in one
colour (training solid, validation dashed). Passed to ``fit`` itself, a ``LivePlot`` is
one unnamed run that starts afresh on every ``fit``. It works the same under
``model.fit`` and ``custom.training.fit_with_tape``, which run callbacks the same way.

Drawing costs tens of milliseconds, more than a whole epoch of a small network, so
redraws are throttled: at most one every ``min_interval`` seconds (0.5 s), and further
apart when a draw is slow, so that drawing takes at most ``max_share`` (5 %) of the
time; every run ends with a final draw. ``benchmarks/live_plot.py`` measures the cost.

Why not livelossplot (0.6.1, a well-kept package): its notebook output clears the whole
cell (``clear_output``) and shows a new figure on every epoch, which would wipe the
tables a lab prints in the same cell; it has no throttle, so a fast epoch pays a full
redraw; one ``PlotLosses`` is one run; and it brings Bokeh. What is needed here, one
display handle, a throttle, named runs and the diagnosis, fits in this file.

Example:
    >>> live = callbacks.LivePlot(metric="accuracy")
    >>> for name in ("sgd", "adam"):
    ...     model = make_model(name)
    ...     model.fit(x, y, validation_data=(x_val, y_val), epochs=20, verbose=0,
    ...               callbacks=[live.run(name)])
"""

import io
import math
import sys
import time
import warnings

import keras
import numpy as np

from callbacks import diagnostics

# Below five epochs the classifier can tell little apart (overfitting needs a best epoch
# and a few after it), so the title shows no label before then.
DIAGNOSIS_AFTER = 5


class LivePlot(keras.callbacks.Callback):
    """Redraw the learning curves after every epoch in a notebook; print a line in a terminal.

    Args:
        metric: the metric drawn beside the loss (``"accuracy"``, ``"mae"``, …), or None
            (default) for the first metric the run logs other than the loss.
        mode: ``"auto"`` (default: notebook inside a Jupyter or Colab kernel, else
            terminal), ``"notebook"`` or ``"terminal"``.
        min_interval: seconds between two redraws at least, >= 0. Default 0.5.
        max_share: the largest share of the time spent drawing, in (0, 1]. Default 0.05.
        title: words before the running label in the figure's title. Default
            "learning curves".
        stream: where terminal lines go. Default ``sys.stdout`` at print time.

    Example:
        >>> model.fit(x, y, epochs=30, verbose=0, callbacks=[callbacks.LivePlot()])
    """

    def __init__(self, metric=None, mode="auto", min_interval=0.5, max_share=0.05,
                 title="learning curves", stream=None):
        super().__init__()
        if metric is not None and (not isinstance(metric, str) or not metric):
            raise ValueError(f"metric must be a metric name or None, got {metric!r}")
        if mode not in ("auto", "notebook", "terminal"):
            raise ValueError(f"mode must be 'auto', 'notebook' or 'terminal', got {mode!r}")
        if not isinstance(min_interval, (int, float)) or not 0 <= min_interval < math.inf:
            raise ValueError(f"min_interval must be a number of seconds >= 0, got {min_interval!r}")
        if not isinstance(max_share, (int, float)) or not 0 < max_share <= 1:
            raise ValueError(f"max_share must be in (0, 1], got {max_share!r}")
        self.metric = metric
        self.mode = _notebook_or_terminal() if mode == "auto" else mode
        self.min_interval = float(min_interval)
        self.max_share = float(max_share)
        self.title = str(title)
        self.stream = stream
        self.runs = {}             # Run name → _Run, in the order they started.
        self.draws = 0             # Figures rendered, for the benchmark and the tests.
        self._handle = None        # The IPython display handle, made at the first draw.
        self._figure = None        # The matplotlib Figure, made at the first draw.
        self._names = None         # The metrics it shows: ["loss"] or ["loss", metric].
        self._lines = {}
        self._next_draw = 0.0      # time.perf_counter() before which no redraw happens.
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
        self._figure = None  # Fresh axes; the picture stays in the same place.
        self._start("", self.params)

    def on_epoch_end(self, epoch, logs=None):
        self._record("", epoch, logs)

    def on_train_end(self, logs=None):
        self._finish("")

    # What every run does.

    def _start(self, name, params):
        self.runs.pop(name, None)  # A name used again starts again, last in the legend.
        self.runs[name] = _Run(name, (params or {}).get("epochs"))
        # The first picture of a run also waits min_interval: a fit shorter than that is
        # drawn once, at its end.
        self._next_draw = max(self._next_draw, time.perf_counter() + self.min_interval)

    def _record(self, name, epoch, logs):
        run = self.runs[name]
        run.add(logs or {})
        if self.mode == "terminal":
            self._print_line(run)
        elif time.perf_counter() >= self._next_draw:
            self._draw(current=run)

    def _finish(self, name):
        run = self.runs.get(name)
        if run is not None and run.epochs > run.drawn and self.mode == "notebook":
            self._draw(current=run)  # The final picture, whatever the throttle says.

    # Terminal: one line per epoch.

    def _print_line(self, run):
        metric = self._metric_of(run)
        width = len(str(run.total)) if run.total else 3
        parts = [f"{run.name:<10} " if run.name else "",
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
        # Wait at least min_interval, and long enough that this draw's cost stays within
        # max_share of the time: cost / (cost + wait) <= max_share.
        cost = finished - started
        self._next_draw = finished + max(self.min_interval, cost / self.max_share - cost)

    def _render(self, current):
        """The figure as PNG bytes: loss on the left, the metric (if any) on the right.

        The lines are made once and then only given new data: clearing and rebuilding
        the axes on every draw would cost more than drawing them.
        """
        metric = self._metric_of(current)
        names = ["loss", *([metric] if metric else [])]
        if self._figure is None or self._names != names:
            self._new_figure(names)
        total = max((run.total or run.epochs for run in self.runs.values()), default=1)
        for axes, name in zip(self._figure.axes, names):
            for index, run in enumerate(self.runs.values()):
                self._update_lines(axes, run, name, f"C{index % 10}")
            labelled = [line for line in axes.lines if not line.get_label().startswith("_")]
            legend = axes.get_legend()
            if labelled and (legend is None or len(legend.get_texts()) != len(labelled)):
                axes.legend(fontsize="small")  # Only when a run joins: legends are slow.
            axes.relim()
            axes.autoscale_view(scalex=False)
            axes.set_xlim(1, max(total, 2))
        loss_axes = self._figure.axes[0]
        # A loss that falls 10× or more reads better on a log scale.
        scale = "log" if _spans_a_decade(loss_axes) else "linear"
        if loss_axes.get_yscale() != scale:
            loss_axes.set_yscale(scale)
        label = self._label(current)
        where = f"{current.name}, " if current.name else ""
        progress = f"epoch {current.epochs}" + (f"/{current.total}" if current.total else "")
        self._figure.suptitle(f"{self.title} ({where}{progress})"
                              + (f"  diagnosis: {label}" if label else ""))
        buffer = io.BytesIO()
        self._figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def _new_figure(self, names):
        from matplotlib import figure as figure_module

        # A Figure outside pyplot: the inline backend never shows it a second time.
        self._figure = figure_module.Figure(figsize=(4.5 * len(names), 3.4), dpi=80)
        self._figure.subplots(1, len(names), squeeze=False)
        # Fixed margins: tight_layout on every draw would double its cost.
        self._figure.subplots_adjust(left=0.18 / len(names), right=0.98, bottom=0.15,
                                     top=0.80, wspace=0.25)
        for axes, name in zip(self._figure.axes, names):
            axes.set_xlabel("epoch")
            axes.set_ylabel(name)
            axes.set_title(f"{name} per epoch (dashed: validation)")
        self._names = names
        self._lines = {}  # (metric, run, column) → its Line2D.

    def _update_lines(self, axes, run, name, colour):
        """Training solid, validation dashed, one colour per run; the legend names the runs."""
        epochs = np.arange(1, run.epochs + 1)
        for column, style, label in ((name, "-", run.name or "train"),
                                     (f"val_{name}", "--", "_" if run.name else "validation")):
            if column not in run.columns:
                continue
            key = (name, run.name, column)
            if key not in self._lines:  # Labels starting with "_" stay out of the legend.
                self._lines[key], = axes.plot([], [], style, label=label)
            self._lines[key].set_data(epochs, run.column(column))
            self._lines[key].set_color(colour)

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
        if run.epochs < DIAGNOSIS_AFTER or "loss" not in run.columns:
            return ""
        history = {name: run.column(name) for name in run.columns}
        try:
            return diagnostics.classify(history).label
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
        self.plot._start(self.name, self.params)

    def on_epoch_end(self, epoch, logs=None):
        self.plot._record(self.name, epoch, logs)

    def on_train_end(self, logs=None):
        self.plot._finish(self.name)


class _Run:
    """The per-epoch values of one run; a metric missing from an epoch is NaN."""

    def __init__(self, name, total):
        self.name = name
        self.total = total
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


def _spans_a_decade(axes):
    """True when every drawn value is positive and the largest is 10× the smallest or more."""
    values = np.concatenate([np.asarray(line.get_ydata(), dtype=np.float64)
                             for line in axes.lines] or [np.empty(0)])
    values = values[np.isfinite(values)]
    return bool(values.size) and values.min() > 0 and values.max() >= 10 * values.min()


def _notebook_or_terminal():
    """"notebook" inside a Jupyter or Colab kernel (not a terminal IPython), else "terminal"."""
    if "ipykernel" not in sys.modules:
        return "terminal"
    try:
        from IPython import get_ipython
    except ImportError:
        return "terminal"
    return "notebook" if getattr(get_ipython(), "kernel", None) is not None else "terminal"
