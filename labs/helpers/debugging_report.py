"""How the ``debugging`` lab trains each run and what it shows: vital signs, the one-batch test,
the figures.

Nothing here names a cause: the runs are in ``debugging_recipes.py``.
"""

import math

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import callbacks
import datasets
from callbacks.diagnostics import plot
from custom import model_state
from labs.helpers import debugging_recipes as recipes

# How each run's data is announced: what a team would know about its own data.
DATA_NAMES = {
    "circles": "two noisy rings, 2 features, 2 classes",
    "digits": "8×8 handwritten digits, 64 features, 10 classes",
    "breast_cancer_balanced": "breast-cancer measurements, 30 features, 2 classes",
    "linear_regression": "a noisy straight line, 1 feature, regression",
}

VALIDATION_BATCH = 1024   # Validation runs in batches of this many: one for every data set.


def train(lab, run, fixed, live_title, verbose):
    """Train ``run``'s broken (or fixed) recipe with ``lab``'s seed, epochs and batch size,
    logged by ``DiagnosticsLogger`` to ``run_<letter>[_fixed].csv`` and drawn by ``LivePlot``;
    the verdict and the running label are printed only when ``verbose``.

    Returns:
        {"model", "csv", "diagnosis", "num_classes", "data": (x_train, y_train, x_val, y_val)}.
    """
    recipe = run.recipe(fixed)
    keras.utils.set_random_seed(lab.seed)
    (x_train, y_train), (x_val, y_val), num_classes = recipes.load_data(
        recipe, lab.n_samples, lab.seed)
    steps = recipes.steps_per_epoch(len(x_train), lab.batch_size)
    model = recipes.build_model(recipe, x_train.shape[1], num_classes, lab.epochs, steps)
    start = model_state.snapshot(model)   # Untrained: the one-batch test starts from it again.
    csv_path = lab.path(f"run_{run.letter}{'_fixed' if fixed else ''}.csv")
    logger = callbacks.DiagnosticsLogger(csv_path, num_classes=num_classes, verbose=verbose)
    live = callbacks.LivePlot(title=live_title, num_classes=num_classes,  # Curves, running label.
                              diagnosis=verbose)
    model.fit(datasets.make_dataset(x_train, y_train, lab.batch_size, seed=lab.seed),
              validation_data=datasets.make_dataset(x_val, y_val, VALIDATION_BATCH,
                                                    shuffle=False),
              epochs=lab.epochs, verbose=0, shuffle=False,  # The dataset shuffles itself.
              callbacks=lab.fit_callbacks(f"run {run.letter}{' fixed' if fixed else ''}",
                                          [logger, live]))
    return {"model": model, "csv": csv_path, "diagnosis": logger.diagnosis,
            "num_classes": num_classes, "data": (x_train, y_train, x_val, y_val),
            "recipe": recipe, "start": start}


def last_row(csv_path):
    return pd.read_csv(csv_path).iloc[-1]


def classified_columns(csv_path, num_classes):
    """The columns ``classify`` reads, as lists, with ``num_classes``: enough to re-classify."""
    frame = pd.read_csv(csv_path)
    columns = {name: frame[name].astype(float).tolist()
               for name in ("loss", "val_loss", "accuracy", "val_accuracy") if name in frame}
    return {"columns": columns, "num_classes": num_classes}


def vital_signs(run):
    """The first things to check on a failed run, measured on the trained model."""
    x_train, _, x_val, _ = run["data"]
    # A direct call, not ``predict``: one ``predict`` per model traces a new tf.function
    # each time, and after five models TensorFlow warns about retracing.
    outputs = np.asarray(run["model"](x_val, training=False))  # (samples, outputs)
    weights = [np.asarray(weight) for weight in run["model"].trainable_weights]
    row = last_row(run["csv"])
    # A dead ReLU unit outputs 0 for every training sample, so it passes no gradient back.
    hidden, dead, units = x_train, 0, 0
    for layer in run["model"].layers[:-1]:
        hidden = np.asarray(layer(hidden))  # (samples, units)
        dead += int(np.sum(np.all(hidden <= 0, axis=0)))
        units += hidden.shape[1]
    return {
        "largest feature std": float(np.std(x_train, axis=0).max()),  # 1 if standardised.
        "output min": float(np.min(outputs)),
        "output max": float(np.max(outputs)),
        "‖W‖": math.sqrt(sum(float(np.sum(weight.astype(np.float64) ** 2))
                             for weight in weights)),
        "parameters": int(run["model"].count_params()),
        "dead ReLU share": dead / units if units else float("nan"),
        "last learning rate": float(row["learning_rate"]),
        "train accuracy": float(row.get("accuracy", np.nan)),
        "val accuracy": float(row.get("val_accuracy", np.nan)),
    }


def fit_one_batch(recipe, run, size, steps, epochs, batch_size, seed, callbacks=None):
    """Train ``recipe`` afresh on the first ``size`` training samples for ``steps`` steps.

    The model and optimizer are built exactly as for the full run (same schedule), so the
    only difference is the data: one batch, seen ``steps`` times. ``callbacks`` go to
    its fit (the lab's ``lab.fit_callbacks(...)``).

    Where ``recipe`` is the one ``run`` was trained with, its model is set back to the
    untrained weights and optimizer state it started from (the same seed builds the same
    ones), trained, and given its trained state back afterwards: the same fresh start,
    without tracing its train and test functions again. Any other recipe gets a new model.

    Returns:
        ``{"batch accuracy": …, "validation accuracy": …}`` after those steps.
    """
    x_train, y_train, x_val, y_val = run["data"]
    x_batch, y_batch = x_train[:size], y_train[:size]
    if recipe == run.get("recipe"):
        model, trained = run["model"], model_state.snapshot(run["model"])
        model_state.restore(model, run["start"])
    else:
        keras.utils.set_random_seed(seed)
        model, trained = recipes.build_model(
            recipe, x_train.shape[1], run["num_classes"], epochs,
            recipes.steps_per_epoch(len(x_train), batch_size), steps_per_execution=steps), None
    try:
        # The batch repeated ``steps`` times, as one epoch: one step per copy, without the
        # cost of starting an epoch per step; a dataset like the run's, so its traced loop
        # serves.
        model.fit(datasets.make_dataset(np.tile(x_batch, (steps, 1)), np.tile(y_batch, steps),
                                        len(x_batch), shuffle=False),
                  epochs=1, verbose=0, shuffle=False, callbacks=callbacks)  # Fixed order.
        batch_accuracy, val_accuracy = (
            model.evaluate(datasets.make_dataset(x, y, VALIDATION_BATCH, shuffle=False),
                           verbose=0, return_dict=True)["accuracy"]
            for x, y in ((x_batch, y_batch), (x_val, y_val)))
    finally:   # The run's model gets its trained state back, whatever happened.
        if trained is not None:
            model_state.restore(model, trained)
    return {"batch accuracy": float(batch_accuracy), "validation accuracy": float(val_accuracy)}


def before_and_after(broken, fixed):
    """One row per run: label, validation loss and accuracy, broken and fixed."""
    rows = []
    for letter in broken:
        before, after = last_row(broken[letter]["csv"]), last_row(fixed[letter]["csv"])
        rows.append({
            "run": letter,
            "broken_label": broken[letter]["diagnosis"].label,
            "fixed_label": fixed[letter]["diagnosis"].label,
            "broken_val_loss": float(before["val_loss"]),
            "fixed_val_loss": float(after["val_loss"]),
            "broken_val_accuracy": float(before.get("val_accuracy", np.nan)),
            "fixed_val_accuracy": float(after.get("val_accuracy", np.nan)),
        })
    return pd.DataFrame(rows)


def _grid(count, title_lines):
    """A figure with two runs per row, two panels per run; unused panels hidden.

    The spacing is fixed, room for the suptitle and for panel titles of ``title_lines``
    lines, instead of ``tight_layout``, which measures every label first: a third pass over
    the figure on top of the two of a tight-bbox save.
    """
    rows = math.ceil(count / 2)
    height = 3.3 * rows
    figure, axes = plt.subplots(rows, 4, figsize=(16, height))
    figure.subplots_adjust(left=0.05, right=0.99, bottom=0.6 / height,
                           top=1 - (0.45 + 0.2 * title_lines) / height,
                           wspace=0.27, hspace=0.2 + 0.12 * title_lines)
    axes = np.atleast_2d(axes)
    for ax in axes.ravel()[2 * count:]:
        ax.set_visible(False)
    return figure, axes.ravel()


def curves_grid(runs):
    """For each ``(title, csv, diagnosis)``: the loss (with label) and the accuracy."""
    figure, axes = _grid(len(runs), title_lines=1)
    for index, (title, csv_path, diagnosis) in enumerate(runs):
        plot.draw(axes[2 * index], csv_path, diagnosis, title=title)
        ax = axes[2 * index + 1]
        frame = pd.read_csv(csv_path)
        if "accuracy" in frame:
            epochs = np.arange(1, len(frame) + 1)
            ax.plot(epochs, frame["accuracy"], label="train accuracy")
            ax.plot(epochs, frame["val_accuracy"], "--", label="val accuracy")
            ax.set_ylim(-0.02, 1.02)
            ax.legend(fontsize=8)
        else:
            ax.text(0.5, 0.5, "regression: no accuracy", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.set_title(f"{title}: accuracy", fontsize=10)
    figure.suptitle("The broken runs: loss (titled with the verdict) and accuracy")
    return figure


def loss_grid(panels):
    """Each ``(title, csv, diagnosis)`` as a loss panel titled with its label."""
    figure, axes = _grid(math.ceil(len(panels) / 2), title_lines=2)
    for ax, (title, csv_path, diagnosis) in zip(axes, panels):
        plot.draw(ax, csv_path, diagnosis, title=title)
    figure.suptitle("Each broken run (left) beside its repair (right)")
    return figure
