"""The figures of the ``schedules`` lab, the callback that records the rate fit used, and
the sentences that state Predicts 1, 3 and 4's outcomes from the run's numbers.

The lab keeps its schedules, runs, predictions and text; this module draws them and
builds the sentences.
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


def halfway_statement(curves, halfway, epochs):
    """Predict 1's sentence, answer and numbers: which schedule gives the largest rate at
    epoch ``halfway`` (several letters where they tie)."""
    rates = {name: float(values[halfway]) for name, values in curves.items()}
    largest, smallest = max(rates, key=rates.get), min(rates, key=rates.get)
    largest_schedules = [name for name, value in rates.items() if value == rates[largest]]
    sentence = (f"at t = {halfway} (epochs count from 0, T = {epochs}), {largest} gives the "
                f"largest rate ({rates[largest]:.3g}) and {smallest} the smallest "
                f"({rates[smallest]:.3g}); "
                + ", ".join(f"{name} {rate:.3g}" for name, rate in rates.items()) + ".")
    answer = tuple("abcde"[list(curves).index(name)] for name in largest_schedules)
    return sentence, answer, dict(rates=rates, halfway=halfway, largest=largest,
                                  smallest=smallest, largest_schedules=largest_schedules)


def finite_or_inf(value):
    """A run that diverged (NaN or inf) counts as inf, so it ranks last."""
    return float(value) if np.isfinite(value) else float("inf")


def training_statement(histories, last_fifth, choices):
    """Predict 3's sentence, answer and numbers: which run ends with the lowest training
    loss, and each run's end noise (largest / smallest loss over its last epochs).

    ``choices`` lists the runs in the order of the question's letters.
    """
    final_losses = {name: finite_or_inf(history["loss"][-1])
                    for name, history in histories.items()}
    end_noise = {name: finite_or_inf(max(history["loss"][-last_fifth:])
                                     / min(history["loss"][-last_fifth:]))
                 for name, history in histories.items()}
    ranking = sorted(final_losses, key=final_losses.get)
    noisiest = max(end_noise, key=end_noise.get)
    lowest_runs = [name for name in ranking if final_losses[name] == final_losses[ranking[0]]]
    sentence = (f"{ranking[0]} ends lowest (training loss {final_losses[ranking[0]]:.4f}); "
                f"{'the constant rate' if noisiest == 'constant' else noisiest} has the largest "
                f"end noise ({end_noise[noisiest]:.2f}× over the last {last_fifth} epochs); the "
                f"constant rate ranks {ranking.index('constant') + 1} of {len(ranking)} (loss "
                f"{final_losses['constant']:.4f}, end noise {end_noise['constant']:.2f}×). "
                f"From lowest: {', '.join(ranking)}.")
    answer = tuple("abcdef"[list(choices).index(name)] for name in lowest_runs)
    return sentence, answer, dict(lowest_runs=lowest_runs, final_losses=final_losses,
                                  end_noise=end_noise, ranking=ranking, noisiest=noisiest,
                                  last_fifth=last_fifth,
                                  constant_rank=ranking.index("constant") + 1)


def validation_statement(results, lowest_train):
    """Predict 4's sentence, answer and numbers: does the run with the lowest training loss
    (``lowest_train``) also have the lowest validation loss (``results``: one row a run)."""
    val_losses = {name: finite_or_inf(loss) for name, loss in results["val loss"].items()}
    lowest_val = min(val_losses, key=val_losses.get)
    accuracy = results["val accuracy"]
    sentence = (f"the lowest validation loss is {lowest_val}'s ({val_losses[lowest_val]:.4f}) "
                f"and the lowest training loss {lowest_train}'s, so "
                + ("yes." if lowest_val == lowest_train else
                   f"no: {lowest_train}'s validation loss is {val_losses[lowest_train]:.4f}.")
                + (f" Every run reaches {accuracy.max():.1%} validation accuracy."
                   if accuracy.min() == accuracy.max() else
                   f" Validation accuracy ranges from {accuracy.min():.1%} to "
                   f"{accuracy.max():.1%}."))
    return sentence, "a" if lowest_val == lowest_train else "b", dict(
        val_losses=val_losses, lowest_val=lowest_val, lowest_train=lowest_train,
        same=lowest_val == lowest_train, val_accuracy_range=[accuracy.min(), accuracy.max()])
