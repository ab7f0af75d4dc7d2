"""The figure that ``callbacks.LivePlot`` redraws: the loss beside one metric, several runs.

Each run has one colour, its training curve solid and its validation curve dashed. The
lines are made once and afterwards only given new data, because clearing and rebuilding
the axes on every draw would cost more than drawing them.
"""

import io

import numpy as np


class LiveFigure:
    """One matplotlib ``Figure`` (outside pyplot), rendered to PNG bytes on demand."""

    def __init__(self):
        self.figure = None   # Made at the first render.
        self.names = None    # The metrics it shows: ["loss"] or ["loss", metric].
        self.lines = {}      # (metric, run name, column) → its Line2D.

    def render(self, runs, names, title):
        """PNG bytes of ``runs`` (objects with ``name``, ``epochs``, ``total``, ``columns``
        and ``column(name)``) on one axes per metric in ``names``, under ``title``."""
        if self.figure is None or self.names != names:
            self._new_figure(names)
        total = max((run.total or run.epochs for run in runs), default=1)
        for axes, name in zip(self.figure.axes, names):
            for index, run in enumerate(runs):
                self._update_lines(axes, run, name, f"C{index % 10}")
            labelled = [line for line in axes.lines if not line.get_label().startswith("_")]
            legend = axes.get_legend()
            if labelled and (legend is None or len(legend.get_texts()) != len(labelled)):
                axes.legend(fontsize="small")  # Only when a run joins: legends are slow.
            axes.relim()
            axes.autoscale_view(scalex=False)
            axes.set_xlim(1, max(total, 2))
        loss_axes = self.figure.axes[0]
        # A loss that falls 10× or more reads better on a log scale.
        scale = "log" if _spans_a_decade(loss_axes) else "linear"
        if loss_axes.get_yscale() != scale:
            loss_axes.set_yscale(scale)
        self.figure.suptitle(title, fontsize="medium")
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def _new_figure(self, names):
        from matplotlib import figure as figure_module

        # A Figure outside pyplot: the inline backend never shows it a second time.
        # Wide enough for the title, which names the run, its epoch and its diagnosis.
        width = 9.0 if len(names) == 2 else 7.0
        self.figure = figure_module.Figure(figsize=(width, 3.4), dpi=80)
        self.figure.subplots(1, len(names), squeeze=False)
        # Fixed margins: tight_layout on every draw would double its cost.
        self.figure.subplots_adjust(left=0.8 / width, right=0.98, bottom=0.15, top=0.80,
                                    wspace=0.25)
        for axes, name in zip(self.figure.axes, names):
            axes.set_xlabel("epoch")
            axes.set_ylabel(name)
            axes.set_title(f"{name} per epoch (dashed: validation)")
        self.names = names
        self.lines = {}

    def _update_lines(self, axes, run, name, colour):
        """Training solid, validation dashed, in the run's colour; the legend names the runs."""
        epochs = np.arange(1, run.epochs + 1)
        for column, style, label in ((name, "-", run.name or "train"),
                                     (f"val_{name}", "--", "_" if run.name else "validation")):
            if column not in run.columns:
                continue
            key = (name, run.name, column)
            if key not in self.lines:  # Labels starting with "_" stay out of the legend.
                self.lines[key], = axes.plot([], [], style, label=label)
            self.lines[key].set_data(epochs, run.column(column))
            self.lines[key].set_color(colour)


def _spans_a_decade(axes):
    """True when every drawn value is positive and the largest is 10× the smallest or more."""
    values = np.concatenate([np.asarray(line.get_ydata(), dtype=np.float64)
                             for line in axes.lines] or [np.empty(0)])
    values = values[np.isfinite(values)]
    return bool(values.size) and values.min() > 0 and values.max() >= 10 * values.min()
