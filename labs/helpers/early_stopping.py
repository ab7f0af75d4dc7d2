"""What the ``early_stopping`` lab measures, prints and draws, so that the lab keeps the lesson.

The lab keeps its data, models, runs, predictions and text; this module tabulates the
runs, builds the sentences that state an outcome from the run's numbers, and draws the
two figures.
"""

import numpy as np


def stopping_table(results, path, show):
    """One row per Part 1 run: (name, epochs run, epoch whose weights it kept, val loss,
    val accuracy). Writes them to the CSV ``path`` and prints them when ``show``."""
    if show:
        print(f"\n{'run':<34} {'epochs':>6} {'weights of epoch':>16} {'val loss':>9} "
              f"{'val acc':>8}")
    table = []
    for name, result in results.items():
        epochs_run = len(result["history"]["loss"])
        stopper = result["stopper"]
        kept = epochs_run if stopper is None else stopper.best_epoch + 1
        table.append((name, epochs_run, kept, result["val_loss"], result["val_accuracy"]))
        if show:
            print(f"{name:<34} {epochs_run:>6} {kept:>16} {result['val_loss']:>9.4f} "
                  f"{result['val_accuracy']:>8.1%}")
    with open(path, "w", encoding="utf-8") as file:
        file.write("run,epochs_run,weights_of_epoch,val_loss,val_accuracy\n")
        file.writelines(f"{row[0]},{row[1]},{row[2]},{row[3]:.6f},{row[4]:.6f}\n"
                        for row in table)
    return table


def stopping_statement(stopped_run, epochs_run, kept, full_run, max_epochs):
    """Predict 1's sentence and answer: did the runs stop early, and do the kept weights
    have a lower validation loss than the full run's final ones."""
    gain = full_run["val_loss"] - stopped_run["val_loss"]   # > 0: the restored weights win
    sentence = (f"the early-stopping runs trained {epochs_run} of {max_epochs} epochs and kept "
                f"the weights of epoch {kept} (val loss {stopped_run['val_loss']:.4f}); the "
                f"full run ended at val loss {full_run['val_loss']:.4f}, so early stopping "
                f"{'lowered' if gain > 0 else 'did not lower'} it by {abs(gain):.4f}")
    answer = {(True, True): "a", (True, False): "b", (False, True): "c",
              (False, False): "d"}[epochs_run < max_epochs, bool(gain > 0)]
    return sentence, answer, bool(gain > 0)


def accuracy_statement(stopped_run, full_run, validation_samples):
    """The lines comparing the restored weights' validation accuracy and loss with the full
    run's, and the numbers behind them (``disagree``: loss and accuracy pick differently)."""
    gain = full_run["val_loss"] - stopped_run["val_loss"]
    accuracy_gain = stopped_run["val_accuracy"] - full_run["val_accuracy"]
    samples_apart = round(abs(accuracy_gain) * validation_samples)
    disagree = (gain > 0 and accuracy_gain < 0) or (gain < 0 and accuracy_gain > 0)
    text = (f"Validation accuracy: {stopped_run['val_accuracy']:.1%} with the restored "
            f"weights, {full_run['val_accuracy']:.1%} for the full run ({samples_apart} of "
            f"{validation_samples} validation samples apart); validation loss "
            f"{stopped_run['val_loss']:.4f} against {full_run['val_loss']:.4f}.")
    if disagree:
        better, worse = ("lower", "worse") if gain > 0 else ("higher", "better")
        text += (f"\nThe two measures disagree: the restored weights have the {better} "
                 f"validation loss and the {worse} accuracy. Which weights are better depends "
                 f"on what you need: calibrated probabilities (the loss) or right answers (the "
                 f"accuracy); monitor='val_accuracy' would have chosen by the accuracy.")
    return text, dict(stopped_val_loss=stopped_run["val_loss"],
                      full_val_loss=full_run["val_loss"],
                      stopped_val_accuracy=stopped_run["val_accuracy"],
                      full_val_accuracy=full_run["val_accuracy"],
                      validation_samples=validation_samples, samples_apart=samples_apart,
                      disagree=bool(disagree))


def draw_stopping(axis, results, patience):
    """The full run's train and val loss; each early-stopping run's val loss, a vertical
    line where it stopped and a star at the epoch whose weights it restored."""
    full = results["no early stopping"]["history"]
    epochs = np.arange(1, len(full["loss"]) + 1)
    axis.plot(epochs, full["loss"], color="gray", label="train loss, no early stopping")
    axis.plot(epochs, full["val_loss"], color="black", label="val loss, no early stopping")
    styles = [("tab:blue", "-", 7, 20), ("tab:orange", "--", 5, 14), ("tab:green", ":", 3, 8)]
    for (name, result), (color, line, width, size) in zip(list(results.items())[1:], styles):
        history, stopper = result["history"], result["stopper"]
        stop = len(history["val_loss"])
        axis.plot(np.arange(1, stop + 1), history["val_loss"], line, color=color,
                  linewidth=width, alpha=0.6, label=f"val loss, {name}")
        axis.axvline(stop, color=color, linestyle=line, alpha=0.7)
        axis.plot(stopper.best_epoch + 1, history["val_loss"][stopper.best_epoch], "*",
                  color=color, markersize=size)
    axis.set_xlabel("epoch")
    axis.set_ylabel("binary cross-entropy")
    axis.set_title(f"early stopping, patience {patience}: line = stop, star = restored")
    axis.legend(fontsize=8)


def keras_cuts_a_schedule(callback):
    """Drive Keras' ``ReduceLROnPlateau`` (patience 0, its model on a schedule) through two
    epochs of one value, so that it tries to cut; return whether it raised ``TypeError``."""
    callback.on_train_begin()
    try:
        for epoch in range(2):  # The same value twice: no improvement, so it tries to cut.
            callback.on_epoch_end(epoch, {"val_loss": 1.0})
    except TypeError as error:
        print(f"Keras' ReduceLROnPlateau on a schedule: TypeError: {str(error)[:90]}...")
        return True
    print("Keras' ReduceLROnPlateau cut the schedule")
    return False


def plateau_table(plateau, constant_rate, path, show):
    """Each Part 2 run's final and best val loss and final rate, printed when ``show``;
    every run's val loss and rate per epoch written to the CSV ``path``."""
    if show:
        print(f"\n{'run':<36} {'final val loss':>14} {'best val loss':>14} {'final rate':>11}")
        for name, history in plateau.items():
            final_rate = history.get("learning_rate", [constant_rate])[-1]
            print(f"{name:<36} {history['val_loss'][-1]:>14.4f} "
                  f"{min(history['val_loss']):>14.4f} {final_rate:>11.2e}")
    columns = [(f"{name}: {key}", history[key]) for name, history in plateau.items()
               for key in ("val_loss", "learning_rate") if key in history]
    np.savetxt(path, np.array([values for _, values in columns]).T, delimiter=",",
               header=",".join(label for label, _ in columns), comments="")


def cuts_statement(cut_history, uncut_history):
    """Predict 2's sentence, answer and numbers: how often ReduceLROnPlateau cut the rate,
    and whether its final validation MSE ends below the uncut run's."""
    rates = np.array(cut_history["learning_rate"])
    cuts = int(np.sum(rates[1:] < rates[:-1]))   # epochs whose rate is below the last one's
    cut_final, uncut_final = cut_history["val_loss"][-1], uncut_history["val_loss"][-1]
    lower = bool(cut_final < uncut_final)
    answer = "a" if cuts == 0 else ("b" if lower else "c") if cuts <= 2 else (
        "d" if lower else "e")
    sentence = (f"ReduceLROnPlateau cut the rate {cuts} time(s), from {rates[0]:.3g} to "
                f"{rates[-1]:.3g}; its final validation MSE is {cut_final:.4f} against "
                f"{uncut_final:.4f} without the callback, {'lower' if lower else 'not lower'}")
    return sentence, answer, dict(cuts=cuts, rates=rates, cut_final=cut_final,
                                  uncut_final=uncut_final, lower=lower)


def draw_plateau(loss_axes, rate_axes, plateau, constant_rate, factor, patience):
    """Left, each run's validation MSE per epoch; right, its learning rate (log scale)."""
    styles = [("black", "-", 2), ("tab:blue", "-", 6), ("tab:orange", "--", 3),
              ("tab:green", ":", 2)]
    for (name, history), (color, line, width) in zip(plateau.items(), styles):
        epochs = np.arange(1, len(history["val_loss"]) + 1)
        loss_axes.plot(epochs, history["val_loss"], line, color=color, linewidth=width,
                       alpha=0.7, label=name)
        rates = history.get("learning_rate", [constant_rate] * len(epochs))
        rate_axes.plot(epochs, rates, line, color=color, linewidth=width, alpha=0.7, label=name)
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("validation MSE")
    loss_axes.set_title("a plateau, and what cutting the rate does")
    loss_axes.legend(fontsize=8)
    rate_axes.set_yscale("log")
    rate_axes.set_xlabel("epoch")
    rate_axes.set_ylabel("learning rate (log scale)")
    rate_axes.set_title(f"learning rate: factor {factor}, patience {patience}")
    rate_axes.legend(fontsize=8)
