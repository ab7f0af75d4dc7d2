"""The tour: one short run through the whole module, from data to a diagnosed learning curve.

What you learn: how the pieces of this module fit together. A from-scratch
optimizer is trained side by side with its Keras twin, first with ``model.fit``
and then with the hand-written ``tf.GradientTape`` loop, under a warm-up +
cosine learning-rate schedule, with early stopping and a diagnostics CSV whose
verdict says what to try next. The tests check that the three runs agree.

Follows: "Chapter 3: Learning Algorithms", sections 1, 3 and 5, and the schedules of
"The Learning Problem".
Run time: about 13 s on 2 CPU cores (about 10 s with --quick), start-up included.
"""

# %% [markdown]
# # The tour
#
# Every lab in this module starts the same way: one block of hyperparameters,
# each with its reason. Flags override them (`python -m labs tour --epochs 5`;
# in a notebook, `epochs = 5` in the parameters cell at the top), and quick mode
# (`--quick`, or `LABS_QUICK=1`) shrinks them for tests. `--optimizer`
# (`optimizer = "sgd"`) picks the optimizer (`python -m labs --list` names the labs;
# `sgd`, `momentum`, `nesterov`, `rmsprop` and `adam` have Keras twins).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from labs.machinery import plots, runtime, twins  # Imports labs first: `datasets` is ours.
from labs.machinery.runtime import param
import callbacks
import callbacks.diagnostics
import custom.optimizers
import custom.training
import datasets

lab = runtime.start("tour", {
    "n_samples": param(600, minimum=20),            # Two moons is easy to see and
                                                    # hard for a straight line.
    "noise": param(0.2, minimum=0),                 # Enough overlap that the two
                                                    # moons touch.
    "hidden_units": param(16, minimum=1),           # One hidden layer of 16 ReLU
                                                    # units bends the boundary enough.
    "epochs": param(40, minimum=1),                 # The schedule anneals to zero
                                                    # by then; --quick uses 8.
    "batch_size": param(32, minimum=1),
    # Any name with a Keras twin: sgd, momentum, nesterov, rmsprop.
    "optimizer": param("adam", choices=custom.optimizers.names("keras")),
    "learning_rate": param(0.05, above=0),          # The schedule's peak.
    "warmup_epochs": param(3, minimum=0),           # Linear warm-up from 0, then cosine down to 0.
    "patience": param(5, minimum=0),                # Early stopping waits this many
                                                    # epochs without improvement.
}, quick={"n_samples": 200, "epochs": 8, "warmup_epochs": 1})
# Two runs of the same maths agree when their weights differ by less than this:
WEIGHT_TOLERANCE = 1e-5   # float32 rounding (about 1e-7), grown over a few hundred steps.
VALIDATION_SHARE = 0.25   # Held out for validation (the text says 25 %).
MIN_DELTA = 1e-4          # Early stopping counts a smaller gain in val_loss as none.

# %% [markdown]
# ## The data
#
# `datasets.two_moons` is deterministic for a given seed. We hold out 25 % for
# validation and standardise with statistics of the training part only, so that
# nothing about the validation set leaks into training. The split has already
# shuffled the samples once; every run then sees them in that same order, batch
# by batch. (A pipeline that reshuffles every epoch would not do for an exact
# comparison: `model.fit` draws a fresh order more often than a plain loop over
# the dataset does, so the two loops would see different batches.)

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=lab.noise, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, VALIDATION_SHARE, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
print(f"train {x_train.shape}, validation {x_val.shape}")  # (n, 2) each
steps_per_epoch = int(np.ceil(len(x_train) / lab.batch_size))


def batches():
    """The training batches, in the same order for every run and every epoch."""
    return datasets.make_dataset(x_train, y_train, lab.batch_size, shuffle=False)


# %% [markdown]
# ## Three runs from the same starting weights
#
# The model is 2-16-1: one ReLU hidden layer and a sigmoid output that gives
# P(class 1), trained on binary cross-entropy. It is built once, and every run
# starts from a copy of the same initial weights. The three runs differ only in
# *who* does the work:
#
# | run | optimizer | loop |
# |---|---|---|
# | `keras + fit` | `keras.optimizers.*`, the built-in | `model.fit` |
# | `custom + fit` | `custom.optimizers.*`, written from scratch | `model.fit` |
# | `custom + tape` | the same from-scratch class | `custom.training.fit_with_tape` |
#
# Each uses the same schedule, `custom.schedules.WarmupCosine`, and two
# callbacks: our `EarlyStopping` (which also writes the learning rate into the
# logs) and the `DiagnosticsLogger`, which writes one CSV row per epoch.

# %% [markdown] tags=["prediction"]
# **Predict 1.** The three runs start from the same weights and see the same batches in
# the same order; each has its own early stopping, with the same patience. At which epochs
# will they stop?
# - (a) all three at the same epoch
# - (b) two of them at one epoch, the third at another
# - (c) each at an epoch of its own

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b" or "c"

# %%
template = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
initial_weights = template.get_weights()

RUNS = (("keras + fit", "keras", "fit"), ("custom + fit", "custom", "fit"),
        ("custom + tape", "custom", "tape"))
# The curves while they train; their running label waits for Predict 2 (the runs agree, so
# the first run's label is the tape run's).
live = callbacks.LivePlot(title="three runs", diagnosis=lab.shows(2))


def shown(label):
    """The live view of run ``label``: every run in a notebook's figure, and the first run
    only in a terminal, whose per-epoch lines would repeat the same numbers three times."""
    return [live.run(label)] if lab.notebook or label == RUNS[0][0] else []


histories, models, stoppers = {}, {}, {}
for label, implementation, loop in RUNS:
    model = keras.models.clone_model(template)
    model.set_weights(initial_weights)
    schedule = twins.schedule(
        "WarmupCosine", lab.learning_rate, warmup_steps=lab.warmup_epochs * steps_per_epoch,
        total_steps=lab.epochs * steps_per_epoch)
    optimizer = twins.optimizer(lab.optimizer, implementation=implementation,
                                 learning_rate=schedule)
    model.compile(optimizer=optimizer, loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    # The optimizer's slots now, and a metric object, not the name "accuracy" (which Keras
    # resolves to a new metric there): made inside the first training step, either would
    # make TensorFlow trace that step twice (the same training, only slower).
    model.optimizer.build(model.trainable_variables)
    stopper = twins.early_stopping_class()(patience=lab.patience, min_delta=MIN_DELTA,
                                            restore_best_weights=True)
    logger = callbacks.DiagnosticsLogger(lab.path(f"diagnostics_{implementation}_{loop}.csv"),
                                         verbose=0)
    # With --tensorboard, the run's TensorBoard callback joins them (one run folder each).
    run_callbacks = lab.fit_callbacks(label, [stopper, logger, *shown(label)])
    if loop == "fit":
        history = model.fit(batches(), epochs=lab.epochs, validation_data=(x_val, y_val),
                            callbacks=run_callbacks, shuffle=False, verbose=0)
    else:
        history = custom.training.fit_with_tape(model, batches(), epochs=lab.epochs,
                                                validation_data=(x_val, y_val),
                                                callbacks=run_callbacks, verbose=0)
    histories[label], models[label], stoppers[label] = history.history, model, stopper


# %% [markdown]
# ## Do the three runs agree?
#
# They should, to float32 round-off: the from-scratch optimizer computes the
# same update as the built-in, and the tape loop runs the same steps as `fit`. The lab
# fails if they differ by more than `WEIGHT_TOLERANCE`.

# %%

def largest_difference(first, second):
    return max(float(np.max(np.abs(a - b)))
               for a, b in zip(models[first].get_weights(), models[second].get_weights()))


differences = {"keras vs custom optimizer": largest_difference("keras + fit", "custom + fit"),
               "model.fit vs fit_with_tape": largest_difference("custom + fit", "custom + tape")}
epochs_run = {label: len(history["loss"]) for label, history in histories.items()}
agree = max(differences.values()) <= WEIGHT_TOLERANCE
apart = lambda difference: "identical" if difference == 0 else f"{difference:.1e} apart"
stopping_epochs = len(set(epochs_run.values()))     # 1: all together, 3: each its own.
stopping_shown = lab.reveal(
    1, "the runs stopped after " + ", ".join(f"{epochs} epochs ({label})"
                                             for label, epochs in epochs_run.items())
    + f". Final weights: Keras vs from-scratch optimizer "
    f"{apart(differences['keras vs custom optimizer'])}; fit vs tape "
    f"{apart(differences['model.fit vs fit_with_tape'])} "
    f"({'within' if agree else 'NOT within'} the tolerance {WEIGHT_TOLERANCE:g})",
    answer="abc"[stopping_epochs - 1], differences=differences,
    weight_tolerance=WEIGHT_TOLERANCE, agree=agree, epochs_run=epochs_run)
if stopping_shown:   # The table names the epochs, so it waits for the prediction too.
    print(f"\n{'run':<14} {'epochs':>6} {'best':>5} {'val_loss':>9} {'val_acc':>8}")
    for label, history in histories.items():
        best = stoppers[label].best_epoch
        print(f"{label:<14} {len(history['loss']):>6} {best + 1:>5} "
              f"{history['val_loss'][best]:>9.4f} {history['val_accuracy'][best]:>8.1%}")
    print(f"\nmax |Δw|, keras vs custom optimizer (both model.fit): "
          f"{differences['keras vs custom optimizer']:.2e}")
    print(f"max |Δw|, model.fit vs fit_with_tape (custom optimizer): "
          f"{differences['model.fit vs fit_with_tape']:.2e}")
lab.check(agree, f"the three runs' weights differ by up to {max(differences.values()):.1e}")

# %% [markdown]
# ## What the diagnostics say
#
# `callbacks.diagnostics.classify` reads the CSV the logger wrote and gives a
# label, the evidence behind it and advice. Try `--learning-rate 5` or
# `--hidden-units 1` (in a notebook's parameters cell, `learning_rate = 5` or
# `hidden_units = 1`) to see other verdicts.

# %% [markdown] tags=["prediction"]
# **Predict 2.** Look at the curves above (and the table, once Predict 1 is revealed): the
# epochs each run took before early stopping, and its best validation loss. Which label
# will the diagnostics give the tape run?
# - (a) CONVERGED
# - (b) STILL_IMPROVING
# - (c) OVERFITTING
# - (d) UNDERFITTING
# - (e) OSCILLATING
# - (f) DIVERGING

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %%
verdict = callbacks.diagnostics.classify(lab.path("diagnostics_custom_tape.csv"))
label_choices = dict(zip(("CONVERGED", "STILL_IMPROVING", "OVERFITTING", "UNDERFITTING",
                         "OSCILLATING", "DIVERGING"), "abcdef"))
label_shown = lab.reveal(
    2, f"the tape run is labelled {verdict.label}; the evidence and advice:",
    answer=label_choices[verdict.label], label=verdict.label, label_choices=label_choices,
    columns=callbacks.diagnostics.read_history(lab.path("diagnostics_custom_tape.csv")))
if label_shown:    # Not before the student's prediction: the evidence names the label.
    print(f"{verdict.label}: {verdict.reason}\n  advice: {verdict.advice}")

# %% [markdown]
# ## The figures
#
# Left: the validation loss of the three runs, which should lie on one curve. Middle:
# the learning rate each epoch ended with, warm-up then cosine. Right: the decision
# boundary of the restored best weights.

# %%
figure, (left, middle, right) = plt.subplots(1, 3, figsize=(16, 4.2))
for (label, history), style in zip(histories.items(), ("-", "--", ":")):
    epochs = np.arange(1, len(history["val_loss"]) + 1)
    left.plot(epochs, history["val_loss"], style, linewidth=2, label=label)
left.set(xlabel="epoch", ylabel="validation loss", title="three runs, one curve")
left.legend()
tape_history = histories["custom + tape"]
middle.plot(np.arange(1, len(tape_history["learning_rate"]) + 1), tape_history["learning_rate"],
            marker="o", label="WarmupCosine")
middle.set(xlabel="epoch", ylabel="learning rate at epoch end",
           title="the schedule: warm-up, then cosine")
middle.legend()
final_model = models["custom + tape"]
named = verdict.label if label_shown else "tape run"   # The label only once it is revealed.
best_accuracy = tape_history["val_accuracy"][stoppers["custom + tape"].best_epoch]
plots.decision_boundary(right, lambda points: final_model.predict(points, verbose=0),
                         x_val, y_val, title=f"{named}: validation accuracy {best_accuracy:.1%}")
lab.save_figure(figure, "tour.png")

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (or pass its flag) and run again.
# Answers are in the instructor's edition.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Set `optimizer = "sgd"` in the parameters cell
# (`--optimizer sgd`). Do the three runs still agree? Does the verdict change? The
# `optimizers` lab shows each optimizer's path side by side.

# %% [markdown] tags=["answer"]
# **Answer 1.** Measured in full mode with seed 0: the three runs still agree exactly
# (max |Δw| = 0 for both pairs), because agreement depends on the update rule being the
# same, not on which rule it is. Plain SGD at the same peak rate learns more slowly than
# Adam: all 40 epochs, best validation loss 0.2345 and accuracy 92.0 % at epoch 37, against
# Adam's 0.0472 and 98.0 % at epoch 33. The verdict is still CONVERGED: the schedule
# anneals the rate to zero, so the curve flattens whether or not the model is done; the
# evidence line gives the training accuracy (85.8 %) that says it is not.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Set `learning_rate = 5` in the parameters cell
# (`--learning-rate 5`), then put it back and set `hidden_units = 1` (`--hidden-units 1`).
# Before each run, predict the diagnostics' label; afterwards, read its evidence and
# advice. The `diagnostics` lab shows every label on purpose-built runs.

# %% [markdown] tags=["answer"]
# **Answer 2.** Measured in full mode with seed 0. `learning_rate = 5`: early stopping ends the
# runs after 6 epochs with the best validation loss at epoch 1 (0.2342), and the label is
# UNDERFITTING: the training loss ends at 128 % of ln 2, worse than a uniform guess,
# because steps that large throw the weights about instead of descending. `hidden_units = 1`:
# 35 epochs, best validation loss 0.2301 and accuracy 92.0 % at epoch 30, and the label
# is CONVERGED, with a training accuracy of 85.8 %. One ReLU unit can only draw a straight
# boundary (the right panel), and the curves have flattened at what a line can do: a
# label describes the curves, so read its evidence and advice ("change the model") too.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (open-ended).** Make the runs disagree on purpose: in the training cell,
# give the tape run batches that are reshuffled every epoch
# (`datasets.make_dataset(x_train, y_train, lab.batch_size, shuffle=True)`). Predict how
# large max |Δw| becomes and whether the validation loss changes as much, then explain.
# The `fit_vs_tape` lab takes the comparison of the two loops further.

# %% [markdown] tags=["answer"]
# **Answer 3.** Measured in full mode with seed 0: max |Δw| between `fit` and the tape
# run becomes 2.5, far above 1e-5, so the lab's check fails and it exits with status 1,
# as it should: the runs no longer take the same steps. The tape run sees its batches in
# another order every epoch, so it follows another path: early stopping ends it after 22
# epochs (best at epoch 17) instead of 38 (best at 33). Its best validation loss, 0.0500
# against 0.0472, and accuracy, 98.7 % against 98.0 %, change far less: both paths descend
# the same loss on the same data. Agreement to rounding shows that two implementations
# compute the same steps; similar final losses cannot show that, which is why the tour
# compares weights.
