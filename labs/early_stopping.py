"""Early stopping and ReduceLROnPlateau: rescue an overfitting run and a stalled one.

What you learn: how ``EarlyStopping`` watches the validation loss, stops after
``patience`` epochs without improvement and puts back the best epoch's weights; how
``ReduceLROnPlateau`` cuts the learning rate when the loss stalls. The built-in Keras
callbacks and the from-scratch ones in ``callbacks/`` run side by side, under
``model.fit`` and under the hand-written loop ``fit_with_tape``, and stop at the same
epoch with the same rates. You also see a case Keras' callback cannot handle (a
learning-rate schedule) and how ours handles it.

Follows: seed 000, exercise 5 ("Early Stopping": monitor val loss, patience, restore
the best weights) and seed 004 (the Keras map: EarlyStopping, ReduceLROnPlateau).
Run time: about 19 s on 2 CPU cores (about 12 s with --quick), start-up included.
"""

# %% [markdown]
# # Early stopping and ReduceLROnPlateau
#
# Two ways a training run goes wrong, and the callback that rescues each:
#
# * **Overfitting.** The training loss keeps falling while the validation loss turns
#   back up. *Early stopping* remembers the best validation loss so far and stops once
#   `patience` epochs have passed without beating it; with `restore_best_weights` the
#   model ends with the weights of that best epoch, not the last one.
# * **A plateau.** The learning rate is too large to settle into the minimum, so the
#   loss stalls above the best it could reach. *ReduceLROnPlateau* multiplies the rate
#   by `factor` after `patience` epochs without improvement, and the loss falls again.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import callbacks
import datasets
from custom import training
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("early_stopping", {
    "n_samples": param(120, minimum=20),           # Few, noisy samples and a big
                                                   # network: it will overfit.
    "noise": param(0.35, minimum=0),               # Heavy overlap between the two moons.
    "hidden_units": param(64, minimum=1),          # Two hidden layers of 64: far more
                                                   # capacity than 60 points need.
    "learning_rate": param(0.003, above=0),        # Adam; the validation loss
                                                   # is lowest around epoch 9.
    "max_epochs": param(60, minimum=1),            # The run without early
                                                   # stopping goes all the way.
    "patience": param(10, minimum=0),              # Keras' examples use 5-10;
                                                   # 10 rides out small bumps.
    "plateau_samples": param(256, minimum=20),     # Linear regression, 8 features:
                                                   # 192 train = 12 batches of 16.
    "plateau_learning_rate": param(0.2, above=0),  # Plain SGD: too large a step to
                                                   # settle, so the loss stalls.
    "plateau_epochs": param(40, minimum=1),        # Long enough for three or four cuts.
    "factor": param(0.3, above=0, below=1),        # Each cut keeps 30 % of the rate.
    "plateau_patience": param(3, minimum=0),       # Epochs without improvement before a cut.
    "min_lr": param(1e-4, minimum=0),              # The rate never goes below this.
}, quick={"max_epochs": 14, "patience": 3, "plateau_epochs": 10})
# Quick mode: 14 and 10 epochs, patience 3 (full: 60 and 40 epochs, patience 10).

# %% [markdown]
# ## Part 1: overfitting, and early stopping
#
# Half of 120 noisy two-moons points train a 2-64-64-1 network; the other half
# validate it. Every run starts from the same weights and sees the batches in the same
# order (`shuffle=False`), so the runs differ only in their callbacks and their loop.

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=lab.noise, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.5, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)  # (60, 2) each

classifier = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])


def fresh(model, optimizer, loss, metrics=()):
    """A copy of ``model`` with its starting weights, compiled with a new ``optimizer``."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return copy


def train(model, loop, x, y, **arguments):
    """Train with ``model.fit`` (loop "fit") or with ``fit_with_tape``; return the history dict."""
    if loop == "fit":
        return model.fit(x, y, **arguments).history
    return training.fit_with_tape(model, x, y, **arguments).history


runs = {  # name → (loop, early-stopping callback or None)
    "no early stopping": ("fit", None),
    "keras EarlyStopping, fit": ("fit", keras.callbacks.EarlyStopping),
    "our EarlyStopping, fit": ("fit", callbacks.EarlyStopping),
    "our EarlyStopping, fit_with_tape": ("tape", callbacks.EarlyStopping),
}
live = callbacks.LivePlot(title="early stopping")  # Curves while they train.
results = {}
for name, (loop, callback_class) in runs.items():
    model = fresh(classifier, keras.optimizers.Adam(lab.learning_rate), "binary_crossentropy",
                  ["accuracy"])
    stopper = None if callback_class is None else callback_class(
        monitor="val_loss", patience=lab.patience, restore_best_weights=True)
    run_callbacks = [live.run(name)] if stopper is None else [stopper, live.run(name)]
    arguments = dict(validation_data=(x_val, y_val), epochs=lab.max_epochs, batch_size=30,
                     shuffle=False, verbose=0, callbacks=run_callbacks)
    history = train(model, loop, x_train, y_train, **arguments)
    val_loss, val_accuracy = model.evaluate(x_val, y_val, verbose=0)  # With restored weights.
    results[name] = {"history": history, "stopper": stopper, "val_loss": val_loss,
                     "val_accuracy": val_accuracy}

# %% [markdown]
# The table lists, for each run, how many epochs it trained, the epoch whose weights it
# ended with, and the validation loss and accuracy of those weights. The three runs
# with early stopping should agree exactly: same rule, same numbers.

# %%
print(f"\n{'run':<34} {'epochs':>6} {'weights of epoch':>16} {'val loss':>9} {'val acc':>8}")
table = []
for name, result in results.items():
    epochs_run = len(result["history"]["loss"])
    stopper = result["stopper"]
    kept = epochs_run if stopper is None else stopper.best_epoch + 1
    table.append((name, epochs_run, kept, result["val_loss"], result["val_accuracy"]))
    print(f"{name:<34} {epochs_run:>6} {kept:>16} {result['val_loss']:>9.4f} "
          f"{result['val_accuracy']:>8.1%}")
with open(lab.path("early_stopping_runs.csv"), "w", encoding="utf-8") as file:
    file.write("run,epochs_run,weights_of_epoch,val_loss,val_accuracy\n")
    file.writelines(f"{row[0]},{row[1]},{row[2]},{row[3]:.6f},{row[4]:.6f}\n" for row in table)

# %% [markdown]
# In the figure, the full run's validation loss falls, bottoms out and climbs while
# its training loss keeps falling: that gap is overfitting. Each early-stopping run
# draws a vertical line where it stopped and a star at the epoch it restored.

# %%
figure, axis = plt.subplots(figsize=(8, 4.6))
full = results["no early stopping"]["history"]
epochs = np.arange(1, len(full["loss"]) + 1)
axis.plot(epochs, full["loss"], color="gray", label="train loss, no early stopping")
axis.plot(epochs, full["val_loss"], color="black", label="val loss, no early stopping")
styles = [("tab:blue", "-", 7, 20), ("tab:orange", "--", 5, 14), ("tab:green", ":", 3, 8)]
for (name, result), (color, line, width, size) in zip(list(results.items())[1:], styles):
    history, stopper = result["history"], result["stopper"]
    stop = len(history["val_loss"])
    axis.plot(np.arange(1, stop + 1), history["val_loss"], line, color=color, linewidth=width,
                 alpha=0.6, label=f"val loss, {name}")
    axis.axvline(stop, color=color, linestyle=line, alpha=0.7)
    axis.plot(stopper.best_epoch + 1, history["val_loss"][stopper.best_epoch], "*",
                 color=color, markersize=size)
axis.set_xlabel("epoch")
axis.set_ylabel("binary cross-entropy")
axis.set_title(f"early stopping, patience {lab.patience}: line = stop, star = restored")
axis.legend(fontsize=8)
lab.save_figure(figure, "early_stopping.png")

# %% [markdown]
# ## Part 2: a plateau, and ReduceLROnPlateau
#
# Plain SGD with a rate of 0.2 fits y = x·w + b + noise on 8 features. Each batch pulls
# the weights towards its own least-squares solution, and with a step this large they
# circle round the minimum for ever: the validation MSE stalls above the noise floor
# (1.0, the variance of the noise). A smaller step makes the circle smaller. Four runs
# start from the same weights: no callback, Keras' `ReduceLROnPlateau`, ours under
# `model.fit`, and ours under `fit_with_tape` on a learning-rate *schedule*. Each
# callback writes the rate of every epoch into the
# History as `learning_rate`, which the right-hand panel draws.

# %%
x, y = datasets.linear_regression(n_samples=lab.plateau_samples, n_features=8, noise=1.0,
                                  seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.25, seed=lab.seed)
regressor = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])  # ŷ = x·w + b
reduce_arguments = dict(monitor="val_loss", factor=lab.factor, patience=lab.plateau_patience,
                        min_lr=lab.min_lr)
# A staircase decay, η_t = 0.2 · 0.8^⌊t / 120⌋ (0.8 every 10 epochs of 12 steps).
# Keras' own callback cannot cut it.
schedule = keras.optimizers.schedules.ExponentialDecay(lab.plateau_learning_rate, 120, 0.8,
                                                       staircase=True)
plateau_runs = {
    "no callback": ("fit", None, lab.plateau_learning_rate),
    "keras ReduceLROnPlateau, fit": ("fit", keras.callbacks.ReduceLROnPlateau,
                                     lab.plateau_learning_rate),
    "our ReduceLROnPlateau, fit": ("fit", callbacks.ReduceLROnPlateau, lab.plateau_learning_rate),
    "ours on a schedule, fit_with_tape": ("tape", callbacks.ReduceLROnPlateau, schedule),
}
live = callbacks.LivePlot(title="ReduceLROnPlateau")
plateau = {}
for name, (loop, callback_class, rate) in plateau_runs.items():
    model = fresh(regressor, keras.optimizers.SGD(rate), "mse")
    reducer = None if callback_class is None else callback_class(**reduce_arguments)
    run_callbacks = [live.run(name)] if reducer is None else [reducer, live.run(name)]
    arguments = dict(validation_data=(x_val, y_val), epochs=lab.plateau_epochs, batch_size=16,
                     shuffle=False, verbose=0, callbacks=run_callbacks)
    plateau[name] = train(model, loop, x_train, y_train, **arguments)

# %% [markdown]
# Keras' callback on the same schedule: it raises at its first cut, because a schedule
# has no single value to overwrite. Ours multiplies the schedule's output instead,
# η_t = m · schedule(t), and cuts m (see `callbacks/reduce_lr.py`).

# %%
keras_on_schedule = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0)
keras_on_schedule.set_model(fresh(regressor, keras.optimizers.SGD(schedule), "mse"))
keras_on_schedule.on_train_begin()
try:
    for epoch in range(2):  # The same value twice: no improvement, so it tries to cut.
        keras_on_schedule.on_epoch_end(epoch, {"val_loss": 1.0})
    print("Keras' ReduceLROnPlateau cut the schedule")
except TypeError as error:
    print(f"Keras' ReduceLROnPlateau on a schedule: TypeError: {str(error)[:90]}...")

print(f"\n{'run':<36} {'final val loss':>14} {'best val loss':>14} {'final rate':>11}")
for name, history in plateau.items():
    final_rate = history.get("learning_rate", [lab.plateau_learning_rate])[-1]
    print(f"{name:<36} {history['val_loss'][-1]:>14.4f} {min(history['val_loss']):>14.4f} "
          f"{final_rate:>11.2e}")
columns = [(f"{name}: {key}", history[key]) for name, history in plateau.items()
           for key in ("val_loss", "learning_rate") if key in history]
np.savetxt(lab.path("plateau_history.csv"), np.array([values for _, values in columns]).T,
           delimiter=",", header=",".join(label for label, _ in columns), comments="")

# %%
figure_plateau, (loss_axes, rate_axes) = plt.subplots(1, 2, figsize=(12, 4.4))
plateau_styles = [("black", "-", 2), ("tab:blue", "-", 6), ("tab:orange", "--", 3),
                  ("tab:green", ":", 2)]
for (name, history), (color, line, width) in zip(plateau.items(), plateau_styles):
    epochs = np.arange(1, len(history["val_loss"]) + 1)
    loss_axes.plot(epochs, history["val_loss"], line, color=color, linewidth=width, alpha=0.7,
                   label=name)
    rates = history.get("learning_rate", [lab.plateau_learning_rate] * len(epochs))
    rate_axes.plot(epochs, rates, line, color=color, linewidth=width, alpha=0.7, label=name)
loss_axes.set_xlabel("epoch")
loss_axes.set_ylabel("validation MSE")
loss_axes.set_title("a plateau, and what cutting the rate does")
loss_axes.legend(fontsize=8)
rate_axes.set_yscale("log")
rate_axes.set_xlabel("epoch")
rate_axes.set_ylabel("learning rate (log scale)")
rate_axes.set_title(f"learning rate: factor {lab.factor}, patience {lab.plateau_patience}")
rate_axes.legend(fontsize=8)

lab.save_figure(figure_plateau, "reduce_lr_on_plateau.png")
lab.finish()
