"""Early stopping and ReduceLROnPlateau: rescue an overfitting run and a stalled one.

What you learn: how ``EarlyStopping`` watches the validation loss, stops after
``patience`` epochs without improvement and puts back the best epoch's weights; how
``ReduceLROnPlateau`` cuts the learning rate when the loss stalls. The built-in Keras
callbacks and the from-scratch ones in ``callbacks/`` run side by side, under
``model.fit`` and under the hand-written loop ``fit_with_tape``, and stop at the same
epoch with the same rates. You also see a case Keras' callback cannot handle (a
learning-rate schedule) and how ours handles it.

Follows: "Learning Algorithms", exercise 5 ("Early Stopping": monitor val loss, patience,
restore the best weights) and the session plan (its Keras map: EarlyStopping,
ReduceLROnPlateau).
Run time: about 26 s on 2 CPU cores (about 15 s with --quick), start-up included.
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
from custom import model_state, training
from labs.helpers import early_stopping as report
from labs.machinery import runtime, twins
from labs.machinery.runtime import param

lab = runtime.start("early_stopping", {
    "n_samples": param(120, minimum=20),           # Few, noisy samples and a big
                                                   # network: it will overfit.
    "noise": param(0.35, minimum=0),               # Heavy overlap between the two moons.
    "hidden_units": param(64, minimum=1),          # Two hidden layers of 64: far more
                                                   # capacity than 60 points need.
    "learning_rate": param(0.003, above=0),        # Adam at a modest rate, so the
                                                   # overfitting unfolds over epochs.
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

# The lesson's fixed values: edit them here (they are not flags).
VALIDATION_SHARE = 0.5      # Part 1: half the points validate (60 and 60 by default).
BATCH_SIZE = 30             # Part 1: two batches per epoch.
RESTORED_RTOL, RESTORED_ATOL = 1e-4, 1e-6   # Restored weights' val loss against the
                                            # kept epoch's logged one: float32 round-off.
PLATEAU_FEATURES = 8        # Part 2: y = x·w + b + noise on 8 features,
PLATEAU_NOISE = 1.0         # and noise of standard deviation 1: the validation MSE's floor.
PLATEAU_VALIDATION = 0.25   # Part 2: 192 train and 64 validation samples by default.
PLATEAU_BATCH_SIZE = 16     # Part 2: 12 batches of 16 per epoch.
DECAY_EVERY, DECAY_RATE = 10, 0.8   # The schedule: η·0.8 every 10 epochs, in steps.
RATE_RTOL, LOSS_RTOL = 1e-6, 1e-5   # Keras' ReduceLROnPlateau against ours under fit.

# %% [markdown]
# ## Part 1: overfitting, and early stopping
#
# Half of the noisy two-moons points (`n_samples`, 120 by default) train a 2-64-64-1
# network; the other half validate it. Every run starts from the same weights and sees the
# batches in the same order (`shuffle=False`), so the runs differ only in their callbacks
# and their loop.

# %% [markdown] tags=["prediction"]
# **Predict 1.** With `patience` epochs of patience, the early-stopping runs stop
# `patience` epochs after their best validation epoch, unless that falls after the last
# epoch (`max_epochs`), and keep the weights of their best epoch. Will they stop before the
# last epoch, and will the weights they keep have a lower validation loss than the full
# run's final weights?
# - (a) they stop early, and their weights have the lower validation loss
# - (b) they stop early, but their weights' validation loss is not lower
# - (c) they train to the last epoch, and their weights have the lower validation loss
# - (d) they train to the last epoch, and their weights' validation loss is not lower

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c" or "d"

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=lab.noise, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, VALIDATION_SHARE,
                                                                  seed=lab.seed)
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
    # The optimizer's slots (Adam's moments) now: made inside fit's first step instead,
    # they would make TensorFlow trace that step twice (the same training, only slower).
    copy.optimizer.build(copy.trainable_variables)
    return copy


def train(model, loop, batches, **arguments):
    """Train with ``model.fit`` (loop "fit") or with ``fit_with_tape``; return the history dict."""
    if loop == "fit":
        return model.fit(batches, **arguments).history
    return training.fit_with_tape(model, batches, **arguments).history


def in_order(x, y, batch_size):
    """The samples in their order, in batches of ``batch_size``, as a tf.data pipeline: the
    batches fit would cut from the arrays, at far less cost per epoch than arrays."""
    return datasets.make_dataset(x, y, batch_size, shuffle=False)


runs = {  # name → (loop, early-stopping callback or None)
    "no early stopping": ("fit", None),
    "keras EarlyStopping, fit": ("fit", keras.callbacks.EarlyStopping),
    "our EarlyStopping, fit": ("fit", twins.early_stopping_class()),
    "our EarlyStopping, fit_with_tape": ("tape", twins.early_stopping_class()),
}
live = callbacks.LivePlot(title="early stopping")  # Curves while they train.
results = {}
# Metric objects, not the name "accuracy", which Keras resolves inside the first traced
# step, making a variable there: TensorFlow would trace that step twice.
fit_model = fresh(classifier, keras.optimizers.Adam(lab.learning_rate), "binary_crossentropy",
                  [keras.metrics.BinaryAccuracy(name="accuracy")])
fit_start = model_state.snapshot(fit_model)
for name, (loop, callback_class) in runs.items():
    if loop == "fit":   # One compiled model for the model.fit runs, rewound for each.
        model = fit_model
        model_state.restore(model, fit_start)
    else:
        model = fresh(classifier, keras.optimizers.Adam(lab.learning_rate),
                      "binary_crossentropy", [keras.metrics.BinaryAccuracy(name="accuracy")])
    stopper = None if callback_class is None else callback_class(
        monitor="val_loss", patience=lab.patience, restore_best_weights=True)
    run_callbacks = [live.run(name)] if stopper is None else [stopper, live.run(name)]
    validation = in_order(x_val, y_val, BATCH_SIZE)
    arguments = dict(validation_data=validation, epochs=lab.max_epochs, shuffle=False, verbose=0,
                     callbacks=lab.fit_callbacks(name, run_callbacks))
    history = train(model, loop, in_order(x_train, y_train, BATCH_SIZE), **arguments)
    # With the restored weights, in fit's batches of BATCH_SIZE (the same shapes: no new trace).
    val_loss, val_accuracy = model.evaluate(validation, verbose=0)
    results[name] = {"history": history, "stopper": stopper, "val_loss": val_loss,
                     "val_accuracy": val_accuracy}

# %% [markdown]
# The table lists, for each run, how many epochs it trained, the epoch whose weights it
# ended with, and the validation loss and accuracy of those weights. The three runs
# with early stopping apply the same rule to the same numbers, so they must agree: the
# lab checks that they stopped at the same epoch, kept the same one, and that the
# restored weights give back the validation loss of that epoch.

# %%
stopping_shown = lab.shows(1)   # The table answers Predict 1: shown once it is predicted.
table = report.stopping_table(results, lab.path("early_stopping_runs.csv"), stopping_shown)

stopped = {name: (epochs_run, kept) for name, epochs_run, kept, _, _ in table[1:]}
lab.check(len(set(stopped.values())) == 1,
          f"the early-stopping runs disagree on (epochs run, epoch kept): {stopped}")
keras_run = results["keras EarlyStopping, fit"]
keras_epochs_run, keras_kept = stopped["keras EarlyStopping, fit"]
best_logged = keras_run["history"]["val_loss"][keras_kept - 1]  # val loss of the kept epoch
lab.check(np.isclose(keras_run["val_loss"], best_logged, rtol=RESTORED_RTOL, atol=RESTORED_ATOL),
          f"the restored weights give val loss {keras_run['val_loss']:.6f}, "
          f"not the kept epoch's {best_logged:.6f}")
full_run = results["no early stopping"]
sentence, answer, lowered = report.stopping_statement(keras_run, keras_epochs_run, keras_kept,
                                                       full_run, lab.max_epochs)
lab.reveal(1, sentence, answer=answer, epochs_run=keras_epochs_run, epoch_kept=keras_kept,
           patience=lab.patience, max_epochs=lab.max_epochs,
           val_losses=keras_run["history"]["val_loss"], stopped_val_loss=keras_run["val_loss"], full_val_loss=full_run["val_loss"],
           lowered=lowered, runs=stopped)

# %% [markdown]
# Early stopping watched the validation *loss*. The accuracy need not follow it: the
# loss also counts how confident each prediction is, the accuracy only which side of
# 0.5 it falls on. Here is what the restored weights score on both, beside the full run.

# %%
text, numbers = report.accuracy_statement(keras_run, full_run, len(y_val))
print(text)   # With a second paragraph where loss and accuracy pick different weights.
lab.record("loss and accuracy", **numbers)

# %% [markdown]
# In the figure, look at the full run's two curves: where the validation loss bottoms
# out and climbs while the training loss keeps falling, the network is overfitting. Each
# early-stopping run draws a vertical line where it stopped and a star at the epoch it
# restored. The lines below give the numbers behind the curves.

# %%
full = results["no early stopping"]["history"]
lowest = int(np.argmin(full["val_loss"]))                 # 0-based epoch of the lowest val loss
if stopping_shown:
    print(f"The full run's validation loss was lowest at epoch {lowest + 1} "
          f"({full['val_loss'][lowest]:.4f}) and ended at {full['val_loss'][-1]:.4f}; its "
          f"training loss went from {full['loss'][lowest]:.4f} to {full['loss'][-1]:.4f} over "
          "the same epochs.")
lab.record("full_run", lowest_epoch=lowest + 1, val_losses=full["val_loss"], losses=full["loss"])
figure, axis = plt.subplots(figsize=(8, 4.6))
report.draw_stopping(axis, results, lab.patience)
lab.save_figure(figure, "early_stopping.png", show=stopping_shown)

# %% [markdown]
# ## Part 2: a plateau, and ReduceLROnPlateau
#
# Plain SGD with a large rate (`plateau_learning_rate`, 0.2 by default) fits
# y = x·w + b + noise on 8 features. Each batch pulls the weights towards its own
# least-squares solution, and with a large step they keep circling round the minimum
# instead of settling: the validation MSE stalls above the best it could reach, and below
# that lies the noise floor (1.0, the variance of the noise the data is drawn with). A
# smaller step makes the circle smaller. Four runs start from the same weights: no
# callback, Keras' `ReduceLROnPlateau`, ours under `model.fit`, and ours under
# `fit_with_tape` on a learning-rate *schedule*. Each callback writes the rate of every
# epoch into the History as `learning_rate`, which the right-hand panel draws.

# %% [markdown] tags=["prediction"]
# **Predict 2.** The run without a callback keeps its rate for all `plateau_epochs`
# epochs. How many times will `ReduceLROnPlateau` (factor `factor`, patience
# `plateau_patience`) cut the rate, and will its final validation MSE end below the
# uncut run's?
# - (a) never
# - (b) once or twice, and it ends lower
# - (c) once or twice, and it does not end lower
# - (d) three times or more, and it ends lower
# - (e) three times or more, and it does not end lower

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
x, y = datasets.linear_regression(n_samples=lab.plateau_samples, n_features=PLATEAU_FEATURES,
                                  noise=PLATEAU_NOISE, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, PLATEAU_VALIDATION,
                                                              seed=lab.seed)
regressor = keras.Sequential([keras.Input(shape=(PLATEAU_FEATURES,)),
                              keras.layers.Dense(1)])                    # ŷ = x·w + b
reduce_arguments = dict(monitor="val_loss", factor=lab.factor, patience=lab.plateau_patience,
                        min_lr=lab.min_lr)
# A staircase decay, η_t = η_0 · 0.8^⌊t / s⌋ with s the steps of 10 epochs (12 batches of
# 16 per epoch by default, so s = 120). Keras' own callback cannot cut it.
steps_per_epoch = -(-len(x_train) // PLATEAU_BATCH_SIZE)        # ⌈n_train / batch size⌉
schedule = keras.optimizers.schedules.ExponentialDecay(
    lab.plateau_learning_rate, DECAY_EVERY * steps_per_epoch, DECAY_RATE, staircase=True)
plateau_runs = {
    "no callback": ("fit", None, lab.plateau_learning_rate),
    "keras ReduceLROnPlateau, fit": ("fit", keras.callbacks.ReduceLROnPlateau,
                                     lab.plateau_learning_rate),
    "our ReduceLROnPlateau, fit": ("fit", callbacks.ReduceLROnPlateau, lab.plateau_learning_rate),
    "ours on a schedule, fit_with_tape": ("tape", callbacks.ReduceLROnPlateau, schedule),
}
live = callbacks.LivePlot(title="ReduceLROnPlateau")
plateau = {}
fit_model = fresh(regressor, keras.optimizers.SGD(lab.plateau_learning_rate), "mse")
fit_start = model_state.snapshot(fit_model)
for name, (loop, callback_class, rate) in plateau_runs.items():
    if loop == "fit":   # The same rate for each: one compiled model, rewound for each.
        model = fit_model
        model_state.restore(model, fit_start)
    else:
        model = fresh(regressor, keras.optimizers.SGD(rate), "mse")
    reducer = None if callback_class is None else callback_class(**reduce_arguments)
    run_callbacks = [live.run(name)] if reducer is None else [reducer, live.run(name)]
    arguments = dict(validation_data=in_order(x_val, y_val, PLATEAU_BATCH_SIZE),
                     epochs=lab.plateau_epochs, shuffle=False, verbose=0,
                     callbacks=lab.fit_callbacks(name, run_callbacks))
    plateau[name] = train(model, loop, in_order(x_train, y_train, PLATEAU_BATCH_SIZE),
                          **arguments)

# %% [markdown]
# Keras' callback on the same schedule: it raises at its first cut, because a schedule
# has no single value to overwrite. Ours multiplies the schedule's output instead,
# η_t = m · schedule(t), and cuts m (see `callbacks/reduce_lr.py`).

# %%
keras_on_schedule = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0)
keras_on_schedule.set_model(fresh(regressor, keras.optimizers.SGD(schedule), "mse"))
keras_raised = report.keras_cuts_a_schedule(keras_on_schedule)
lab.record("keras_on_schedule", raised=keras_raised)
lab.check(keras_raised, "Keras' ReduceLROnPlateau cut a schedule, which the text says it cannot")

cuts_shown = lab.shows(2)    # The table answers Predict 2: shown once it is predicted.
report.plateau_table(plateau, lab.plateau_learning_rate, lab.path("plateau_history.csv"),
                     cuts_shown)

keras_history = plateau["keras ReduceLROnPlateau, fit"]
our_history = plateau["our ReduceLROnPlateau, fit"]
lab.check(np.allclose(keras_history["learning_rate"], our_history["learning_rate"],
                      rtol=RATE_RTOL)
          and np.allclose(keras_history["val_loss"], our_history["val_loss"], rtol=LOSS_RTOL),
          "Keras' ReduceLROnPlateau and ours cut the rate differently under model.fit")
sentence, answer, numbers = report.cuts_statement(keras_history, plateau["no callback"])
lab.reveal(2, sentence, answer=answer, **numbers)
uncut = plateau["no callback"]["val_loss"]
print(f"Without a callback the validation MSE was at best {min(uncut):.4f} and ended at "
      f"{uncut[-1]:.4f}; the noise alone costs {PLATEAU_NOISE ** 2:.1f} on average.")
lab.record("no_callback", val_losses=uncut)

# %%
figure_plateau, (loss_axes, rate_axes) = plt.subplots(1, 2, figsize=(12, 4.4))
report.draw_plateau(loss_axes, rate_axes, plateau, lab.plateau_learning_rate, lab.factor,
                    lab.plateau_patience)
lab.save_figure(figure_plateau, "reduce_lr_on_plateau.png", show=cuts_shown)   # Its cuts.
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name: `patience = 2` is `--patience 2`) and run the lab again, or edit the cell named.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Set `patience = 2` (`--patience 2`). Before you run, find the
# full run's lowest validation epoch in the figure and say at which epoch the early-stopping
# runs will stop now. Then check the table.

# %% [markdown] tags=["answer"]
# **Answer 1.** The runs stop `patience` epochs after the last epoch that beat the best
# validation loss so far, so the "epochs" column should read the "weights of epoch" column
# plus 2 (unless that is past `max_epochs`). With less patience the run may stop at an
# early dip of a bumpy validation curve, before the curve's true minimum: then the kept
# epoch is earlier and its validation loss higher than with the default patience. Prediction
# 1's line prints both epochs, so you can check the rule on your own run.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** In the Part 1 training cell, change `restore_best_weights=True`
# to `False`. Which numbers of the table change, which stay, and why?

# %% [markdown] tags=["answer"]
# **Answer 2.** The "epochs" column stays: when to stop depends only on the validation
# losses, not on which weights are kept at the end. The validation loss and accuracy of the
# early-stopping runs change to those of their *last* epoch, `patience` epochs after the
# best one, which are never better than the best (the best is the minimum over those
# epochs). The "weights of epoch" column then misleads, since it prints `best_epoch + 1`:
# without restoring, the model holds the weights of the stopping epoch. The lab's check
# that the restored weights give back the kept epoch's validation loss fails, and says so.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Write early stopping yourself as a function of a list:
# `stopping_epoch(val_losses, patience)` returns the number of epochs trained and the
# (1-based) epoch whose weights are kept. Apply it to the full run's
# `results["no early stopping"]["history"]["val_loss"]` and compare with the table.
# *Syllabus: Learning Algorithms, exercise 5.*

# %% [markdown] tags=["answer"]
# **Answer 3.** One version, the rule of `callbacks/early_stopping.py` without the extras:
#
# ```python
# def stopping_epoch(val_losses, patience):
#     best, best_epoch, wait = float("inf"), 0, 0
#     for epoch, loss in enumerate(val_losses):
#         wait += 1
#         if loss < best:                      # an improvement: remember it, reset the wait
#             best, best_epoch, wait = loss, epoch, 0
#         elif wait >= patience and epoch > 0:
#             return epoch + 1, best_epoch + 1  # stop after this epoch
#     return len(val_losses), best_epoch + 1
# ```
#
# It gives the table's two numbers because every run starts from the same weights and sees
# the same batches, so until it stops, an early-stopping run's curve is the full run's.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Set `factor = 0.5` and `plateau_patience = 1`. Predict whether
# `ReduceLROnPlateau` will cut more or less often and whether the final validation MSE will
# be lower, then run. What goes wrong if `min_lr` is 0 and the cuts never stop?

# %% [markdown] tags=["answer"]
# **Answer 4.** With patience 1 any epoch that fails to improve by `min_delta` (1e-4) brings
# a cut, so the rate falls sooner and more often, by half each time instead of to 30 %.
# Prediction 2's line counts the cuts. Smaller steps shrink the circle the weights draw
# round the minimum, which lowers the stalled MSE, but a rate cut too soon and too far
# also slows the approach, so the final MSE can end higher than with fewer, later cuts;
# compare the two runs' lines. Without a floor (`min_lr = 0`) the rate keeps halving on
# every flat epoch until the steps are too small to change the weights at all: the run
# looks converged only because it can no longer move.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Put both callbacks in one run of Part 2: an `EarlyStopping`
# and a `ReduceLROnPlateau` in the same `run_callbacks` list. Which one needs the larger
# patience, and what happens if you get it the wrong way round? Try both orders of size.

# %% [markdown] tags=["answer"]
# **Answer 5.** Early stopping's patience should be clearly larger than ReduceLROnPlateau's
# (for example 10 against 3), so that after a stall the rate is cut and the loss gets a
# chance to fall again before the run is stopped. With early stopping's patience equal to
# or smaller than the reducer's, the run stops at the first plateau before any cut happens,
# and the reducer never acts. Note also that the two default to different `min_delta`
# (0 for EarlyStopping, 1e-4 for ReduceLROnPlateau), so a tiny improvement can reset one
# callback's wait but not the other's.
