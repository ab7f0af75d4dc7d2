"""The tour: one short run through the whole module, from data to a diagnosed learning curve.

What you learn: how the pieces of this module fit together. A from-scratch
optimizer is trained side by side with its Keras twin, first with ``model.fit``
and then with the hand-written ``tf.GradientTape`` loop, under a warm-up +
cosine learning-rate schedule, with early stopping and a diagnostics CSV whose
verdict says what to try next. The tests check that the three runs agree.

Follows: seed 000 ("Chapter 3: Learning Algorithms"), sections 1, 3 and 5, and
seed 001's schedules.
Run time: about 11 s on 2 CPU cores (about 8 s with --quick), start-up included.
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

from labs import _plots, _runtime  # Import labs first: it makes sure `datasets` is ours.
from labs._runtime import param
import callbacks
import callbacks.diagnostics
import custom.optimizers
import custom.schedules
import custom.training
import datasets

lab = _runtime.start("tour", {
    "n_samples": param(600, minimum=20),            # Two moons is easy to see and
                                                    # hard for a straight line.
    "noise": param(0.2, minimum=0),                 # Enough overlap that 100 % validation
                                                    # accuracy is out of reach.
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
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.25, seed=lab.seed)
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

# %%
template = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
initial_weights = template.get_weights()

RUNS = (("keras + fit", "keras", "fit"), ("custom + fit", "custom", "fit"),
        ("custom + tape", "custom", "tape"))
live = callbacks.LivePlot(title="three runs")  # The curves while they train.
histories, models, stoppers = {}, {}, {}
for label, implementation, loop in RUNS:
    model = keras.models.clone_model(template)
    model.set_weights(initial_weights)
    schedule = custom.schedules.WarmupCosine(
        lab.learning_rate, warmup_steps=lab.warmup_epochs * steps_per_epoch,
        total_steps=lab.epochs * steps_per_epoch)
    optimizer = custom.optimizers.get(lab.optimizer, implementation=implementation,
                                      learning_rate=schedule)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    stopper = callbacks.EarlyStopping(patience=lab.patience, min_delta=1e-4,
                                      restore_best_weights=True)
    logger = callbacks.DiagnosticsLogger(lab.path(f"diagnostics_{implementation}_{loop}.csv"),
                                         verbose=0)
    if loop == "fit":
        history = model.fit(batches(), epochs=lab.epochs, validation_data=(x_val, y_val),
                            callbacks=[stopper, logger, live.run(label)], shuffle=False,
                            verbose=0)
    else:
        history = custom.training.fit_with_tape(model, batches(), epochs=lab.epochs,
                                                validation_data=(x_val, y_val),
                                                callbacks=[stopper, logger, live.run(label)],
                                                verbose=0)
    histories[label], models[label], stoppers[label] = history.history, model, stopper


# %% [markdown]
# ## Do the three runs agree?
#
# They should, to float32 round-off: the from-scratch optimizer computes the
# same update as the built-in, and the tape loop runs the same steps as `fit`.

# %%
def largest_difference(first, second):
    return max(float(np.max(np.abs(a - b)))
               for a, b in zip(models[first].get_weights(), models[second].get_weights()))


print(f"\n{'run':<14} {'epochs':>6} {'best':>5} {'val_loss':>9} {'val_acc':>8}")
for label, history in histories.items():
    best = stoppers[label].best_epoch
    print(f"{label:<14} {len(history['loss']):>6} {best + 1:>5} "
          f"{history['val_loss'][best]:>9.4f} {history['val_accuracy'][best]:>8.1%}")
print(f"\nmax |Δw|, keras vs custom optimizer (both model.fit): "
      f"{largest_difference('keras + fit', 'custom + fit'):.2e}")
print(f"max |Δw|, model.fit vs fit_with_tape (custom optimizer): "
      f"{largest_difference('custom + fit', 'custom + tape'):.2e}")

# %% [markdown]
# ## What the diagnostics say
#
# `callbacks.diagnostics.classify` reads the CSV the logger wrote and gives a
# label, the evidence behind it and advice. Try `--learning-rate 5` or
# `--hidden-units 1` (in a notebook's parameters cell, `learning_rate = 5` or
# `hidden_units = 1`) to see other verdicts.

# %%
verdict = callbacks.diagnostics.classify(lab.path("diagnostics_custom_tape.csv"))
print(f"\n{verdict.label}: {verdict.reason}\n  advice: {verdict.advice}")

# %% [markdown]
# ## The figures
#
# Left: the validation loss of the three runs lies on one curve. Middle: the
# learning rate each epoch ended with, warm-up then cosine. Right: the decision
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
_plots.decision_boundary(right, lambda points: final_model.predict(points, verbose=0),
                         x_val, y_val, title=f"{verdict.label}: validation accuracy "
                         f"{tape_history['val_accuracy'][stoppers['custom + tape'].best_epoch]:.1%}")
lab.save_figure(figure, "tour.png")
lab.finish()
