"""The figures of the ``schedules`` lab and the callback that records the rate fit used.

The lab keeps its schedules, runs, predictions and text; this module draws them.
"""

import keras
import numpy as np

import callbacks


class RecordRate(keras.callbacks.Callback):
    """The learning rate at the start of each epoch, in ``rates``."""

    def on_train_begin(self, logs=None):
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(callbacks.current_learning_rate(self.model.optimizer))


def colors_for(names):
    """name → matplotlib colour: black for the constant rate, C0, C1, … for the others."""
    return {"constant": "black", **{name: f"C{index}" for index, name in enumerate(names)}}


def draw_schedules(left, right, epoch_axis, curves, exponential_curves):
    """Left: the schedules' rates per epoch. Right: the readings of exponential decay (log)."""
    colors = colors_for(curves)
    for name, values in curves.items():
        left.plot(epoch_axis, values, linewidth=2, color=colors[name], label=name)
    left.set_xlabel("epoch")
    left.set_ylabel("learning rate")
    left.set_title("Common learning-rate schedules (\"The Learning Problem\")")
    left.legend()
    for (name, values), style in zip(exponential_curves.items(), ["-", "--", ":", "-."]):
        right.plot(epoch_axis, values, style, linewidth=2, label=name)
    right.set_yscale("log")
    right.set_xlabel("step (here: epoch)")
    right.set_ylabel("learning rate (log scale)")
    right.set_title("one exponential decay, three readings of decay_rate")
    right.legend(fontsize=8)
    for axis in (left, right):
        axis.grid(True, alpha=0.3)


def draw_training(axes, used_rates, histories):
    """Three panels per run: the rate fit used, training loss (log), training accuracy."""
    rates_axis, loss_axis, accuracy_axis = axes
    colors = colors_for([name for name in histories if name != "constant"])
    for name, history in histories.items():
        epochs_axis = np.arange(1, len(history["loss"]) + 1)
        style = dict(color=colors[name], linestyle="--" if name == "constant" else "-",
                     label=name)
        rates_axis.plot(epochs_axis, used_rates[name], **style)
        loss_axis.plot(epochs_axis, history["loss"], **style)
        accuracy_axis.plot(epochs_axis, history["accuracy"], **style)
    for axis, label, title in [(rates_axis, "learning rate used", "the rate fit used"),
                               (loss_axis, "training loss", "training loss (log scale)"),
                               (accuracy_axis, "training accuracy", "training accuracy")]:
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    loss_axis.set_yscale("log")
