"""The optional figure of ``DiagnosticsLogger`` and the CLI: curves, label and key epochs."""

import numpy as np

from callbacks.diagnostics import history as history_module


def draw(ax, history, diagnosis, title=None):
    """Draw train and validation loss on ``ax``, mark the key epochs, title it with the label.

    Args:
        ax: a matplotlib Axes.
        history: anything ``classify`` accepts.
        diagnosis: the ``Diagnosis`` of that history.
        title: a prefix for the title (the label is always shown).
    """
    columns = history_module.read_history(history)
    epochs = np.arange(1, len(columns["loss"]) + 1)
    ax.plot(epochs, columns["loss"], label="train loss")
    if "val_loss" in columns and np.isfinite(columns["val_loss"]).any():
        ax.plot(epochs, columns["val_loss"], "--", label="val loss")
    finite = np.concatenate([values[np.isfinite(values)] for name, values in columns.items()
                             if name in ("loss", "val_loss")])
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")  # Divergence spans decades; a log axis keeps the start visible.
    bad = np.flatnonzero(~np.isfinite(columns["loss"]))
    if bad.size:  # NaN and inf cannot be drawn: say where the curve stops.
        ax.text(0.5, 0.5, f"loss is {columns['loss'][bad[0]]} from epoch {bad[0] + 1}",
                transform=ax.transAxes, ha="center", va="center", color="red")
    for (name, epoch), color in zip(diagnosis.key_epochs.items(), ("red", "green", "purple")):
        ax.axvline(epoch, color=color, linestyle=":", label=f"{name} (epoch {epoch})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(f"{title + ': ' if title else ''}{diagnosis.label}", fontsize=10)
    ax.legend(fontsize=8)


def save(history, diagnosis, path):
    """Save the figure of ``draw`` as a PNG at ``path`` (headless) and return the path."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6.4, 4.0))
    draw(ax, history, diagnosis)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
