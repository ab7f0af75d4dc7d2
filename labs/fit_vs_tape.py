"""fit vs GradientTape: the same seeded model trained by model.fit and by a hand-written loop.

What you learn: what ``model.fit`` does at every step (forward pass under a
``tf.GradientTape``, loss, gradients, ``optimizer.apply_gradients``, running means of
the metrics, callbacks), by reading the one manual loop ``custom.training.fit_with_tape``
and comparing its weights and per-epoch numbers with those of ``fit``.
You also see why the loop is compiled with ``tf.function``: the lab times an epoch
run eagerly against the same epoch compiled.

Follows: the session plan (its Keras map: "Gradients / Backprop: tf.GradientTape,
.gradient(), .apply_gradients()") and "Learning Algorithms", section 5 (the full training
loop).
Run time: about 13 s on 2 CPU cores (about 9 s with --quick), start-up included.
"""

# %% [markdown]
# # fit vs GradientTape
#
# The class session plan writes the heart of training in four lines:
#
# ```python
# with tf.GradientTape() as tape:
#     y_pred = model(x)
#     loss = loss_fn(y_true, y_pred)
# grads = tape.gradient(loss, model.trainable_variables)
# optimizer.apply_gradients(zip(grads, model.trainable_variables))
# ```
#
# `model.fit` runs exactly these lines for every batch, plus the bookkeeping around
# them. In this lab we train one seeded network twice, once with `model.fit` and once
# with `custom.training.fit_with_tape`, and compare the two runs weight by weight and
# epoch by epoch.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import callbacks
import custom.optimizers
import datasets
from custom import training
from labs.machinery import runtime, twins
from labs.machinery.runtime import param

lab = runtime.start("fit_vs_tape", {
    "n_samples": param(640, minimum=20),            # Two moons, 480 to train: 15 full
                                                    # batches of 32, no short last batch.
    "noise": param(0.25, minimum=0),                # Some overlap, so the loss
                                                    # does not fall to zero.
    "hidden_units": param(32, minimum=1),           # One hidden ReLU layer.
    "epochs": param(20, minimum=1),                 # Enough for the curves to flatten.
    "batch_size": param(32, minimum=1),             # Keras' default batch size.
    "learning_rate": param(0.01, above=0),          # A rate at which both Adam and
                                                    # momentum SGD train in a few epochs.
    # Any name of custom.optimizers.names(); both loops get the same one.
    "optimizer": param("adam", choices=custom.optimizers.names()),
    # "custom": our from-scratch optimizer; "keras": the built-in.
    "impl": param("custom", choices=("custom", "keras")),
}, quick={"n_samples": 256, "epochs": 3})  # Quick mode: 256 samples and 3 epochs (full: 640, 20).

# The lesson's fixed values: edit them here (they are not flags).
VALIDATION_SHARE = 0.25   # A quarter of the moons validate.
TOLERANCE = 1e-5          # float32 rounding, summed over a few hundred steps, stays far below.
TIMED_EPOCHS = 3          # Epochs per timing run: the first traces, the others are timed.

# %% [markdown]
# ## The data and one set of starting weights
#
# Both runs must start from the same weights and see the batches in the same order.
# We build the network once, clone it, and copy the weights across. `model.fit`
# shuffles arrays in its own way, so both runs use `shuffle=False` here; with a
# `tf.data.Dataset` that is not reshuffled, the two loops also see the same batches.

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=lab.noise, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, VALIDATION_SHARE, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)  # (n, 2) each

model_fit = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model_tape = keras.models.clone_model(model_fit)
model_tape.set_weights(model_fit.get_weights())
for model in (model_fit, model_tape):  # Each model gets its own optimizer: optimizers keep state.
    model.compile(optimizer=twins.optimizer(lab.optimizer, implementation=lab.impl,
                                             learning_rate=lab.learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
print(f"train {x_train.shape}, validation {x_val.shape}, optimizer {lab.optimizer} ({lab.impl})")

# %% [markdown]
# ## Training both ways
#
# `fit_with_tape` takes the same arguments as `fit`. Its training step, in
# `custom/training.py`, is these four lines plus three things that `fit` also does:
#
# ```python
# def train_step(batch):
#     x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(batch)
#     with tf.GradientTape() as tape:
#         y_pred = model(x, training=True)             # ŷ = f(x; θ); dropout is on
#         loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=True)
#                                                      # L = loss(y, ŷ) + Σ penalties
#     gradients = tape.gradient(loss, model.trainable_variables)          # g = ∂L/∂θ
#     model.optimizer.apply_gradients(zip(gradients, model.trainable_variables))
#     loss_tracker.update_state(loss, sample_weight=batch_size)
#     return model.compute_metrics(x, y, y_pred) | {"loss": loss_tracker.result()}
# ```
#
# * `training=True` switches dropout and batch normalization to training mode.
# * `model.compute_loss` adds the regularization penalties to the compiled loss.
# * The "loss" that Keras prints is a running mean over the epoch's samples, not the
#   last batch's loss: a short last batch counts in proportion to its size.
#
# Around the step, the loop calls the callbacks through `keras.callbacks.CallbackList`
# (`on_epoch_begin`, `on_train_batch_end`, ..., `on_epoch_end`), runs a validation pass
# without a tape, stops when a callback sets `model.stop_training`, and returns the
# `History`. The step is compiled once with `tf.function`, as `fit` compiles its own.

# %% [markdown] tags=["prediction"]
# **Predict 1.** Both loops start from the same weights, see the same batches in the same
# order and use the same kind of optimizer. Which run ends with the lower validation loss
# after the last epoch?
# - (a) `model.fit`
# - (b) `fit_with_tape`
# - (c) neither: they end level, within 1e-5

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b" or "c"

# %%
# Both runs draw their curves live, so both pay the same small cost for it.
live = callbacks.LivePlot(title="model.fit and fit_with_tape")
started = time.perf_counter()
history_fit = model_fit.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=lab.epochs,
                            batch_size=lab.batch_size, shuffle=False, verbose=0,
                            callbacks=lab.fit_callbacks("model.fit", [live.run("model.fit")]))
seconds_fit = time.perf_counter() - started

started = time.perf_counter()
history_tape = training.fit_with_tape(model_tape, x_train, y_train,
                                      validation_data=(x_val, y_val), epochs=lab.epochs,
                                      batch_size=lab.batch_size, shuffle=False, verbose=0,
                                      callbacks=lab.fit_callbacks("fit_with_tape",
                                                                  [live.run("fit_with_tape")]))
seconds_tape = time.perf_counter() - started

# %% [markdown]
# ## Do they agree?
#
# The largest difference between any two weights should be below 1e-5, and each
# epoch's loss and accuracy should match to the same tolerance (float32 keeps about
# seven digits). Each of the three is a check: if one fails, the lab says so and ends with
# status 1 (in a notebook, its last cell raises `LabCheckFailed`).

# %%
weight_difference = max(float(np.max(np.abs(a - b)))
                        for a, b in zip(model_fit.get_weights(), model_tape.get_weights()))
same_keys = sorted(history_fit.history) == sorted(history_tape.history)
weights_agree = weight_difference < TOLERANCE
# What the comparison prints answers Predict 1, so it prints after the reveal.
comparison = [f"\nlargest weight difference after {lab.epochs} epochs: {weight_difference:.2e} "
              f"({'agree' if weights_agree else 'DISAGREE'} to {TOLERANCE:g})",
              f"History keys: fit {sorted(history_fit.history)}, tape "
              f"{sorted(history_tape.history)} ({'same' if same_keys else 'DIFFERENT'})"]
lab.check(weights_agree, f"model.fit and fit_with_tape end {weight_difference:.2e} apart "
                         f"in some weight, more than {TOLERANCE:g}")
lab.check(same_keys, "model.fit and fit_with_tape return different History keys")

columns = ["loss", "val_loss", "accuracy", "val_accuracy"]
rows = []
comparison.append(f"\n{'epoch':>5} " + " ".join(f"{'fit ' + c:>16} {'tape ' + c:>17}"
                                                for c in columns))
for epoch in range(lab.epochs):
    row = [epoch + 1]
    for column in columns:
        row += [history_fit.history[column][epoch], history_tape.history[column][epoch]]
    rows.append(row)
    comparison.append(f"{epoch + 1:>5} " + " ".join(
        f"{value:>16.7f}" if i % 2 == 0 else f"{value:>17.7f}" for i, value in enumerate(row[1:])))
header = "epoch," + ",".join(f"fit_{c},tape_{c}" for c in columns)
np.savetxt(lab.path("fit_vs_tape.csv"), np.array(rows), delimiter=",", header=header,
           comments="", fmt="%.8g")
metric_difference = max((float(np.max(np.abs(np.subtract(history_fit.history[column],
                                                          history_tape.history[column]))))
                          for column in columns if column in history_tape.history), default=0.0)
metrics_agree = metric_difference < TOLERANCE
comparison.append(f"\nlargest per-epoch metric difference: {metric_difference:.2e} "
                  f"({'agree' if metrics_agree else 'DISAGREE'} to {TOLERANCE:g})")
lab.check(metrics_agree, f"the per-epoch metrics of model.fit and fit_with_tape differ by "
                         f"{metric_difference:.2e}, more than {TOLERANCE:g}")
print(f"wall time: model.fit {seconds_fit:.2f} s, fit_with_tape {seconds_tape:.2f} s "
      "(each includes tracing its step once)")
if weight_difference == 0:
    closeness = "exactly 0: both loops did the same float32 operations in the same order"
elif weights_agree:
    closeness = f"{weight_difference:.1e}, float32 rounding, below the tolerance {TOLERANCE:g}"
else:
    closeness = f"{weight_difference:.1e}, above the tolerance {TOLERANCE:g}: the loops DISAGREE"
final_validation = {"model.fit": history_fit.history["val_loss"][-1],
                    "fit_with_tape": history_tape.history["val_loss"][-1]}
validation_gap = final_validation["model.fit"] - final_validation["fit_with_tape"]
comparison_shown = lab.reveal(
    1, f"the final validation losses are {final_validation['model.fit']:.7f} (model.fit) "
       f"and {final_validation['fit_with_tape']:.7f} (fit_with_tape); after "
       f"{lab.epochs} epochs the largest weight difference is {closeness}; "
       f"the per-epoch metrics differ by at most {metric_difference:.1e}.",
    answer="c" if abs(validation_gap) < TOLERANCE else "a" if validation_gap < 0 else "b",
    final_validation=final_validation, validation_gap=validation_gap,
    weight_difference=weight_difference, metric_difference=metric_difference,
    agreement_tolerance=TOLERANCE, weights_agree=weights_agree,
    metrics_agree=metrics_agree, same_keys=same_keys)
if comparison_shown:
    print("\n".join(comparison))

# %% [markdown]
# ## Why compile the loop?
#
# Without `tf.function`, Python runs every operation of every step one at a time
# ("eager" mode). It is the same arithmetic, so the result is the same, but each
# operation pays Python's overhead. `fit_with_tape(..., eager=True)` exists only so
# that you can step through the loop with a debugger. `benchmarks/fit_with_tape.py`
# measures the ratio properly; here we time a couple of epochs of each.

# %% [markdown] tags=["prediction"]
# **Predict 2.** One epoch of the same training, run eagerly (each operation dispatched
# from Python) instead of compiled: how does its time compare?
# - (a) about as fast (less than 2 times slower)
# - (b) 2 to 5 times slower
# - (c) more than 5 times slower

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b" or "c"

# %%
def seconds_per_epoch(eager, epochs=TIMED_EPOCHS):
    """Train a fresh copy for ``epochs``; the median time of the epochs after the first."""
    model = keras.models.clone_model(model_fit)
    model.compile(optimizer=twins.optimizer(lab.optimizer, implementation=lab.impl,
                                             learning_rate=lab.learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    stamps = []  # perf_counter at every epoch's beginning and end.
    clock = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: stamps.append(time.perf_counter()),
        on_epoch_end=lambda epoch, logs: stamps.append(time.perf_counter()))
    training.fit_with_tape(model, x_train, y_train, batch_size=lab.batch_size, epochs=epochs,
                           verbose=0, eager=eager,
                           callbacks=lab.fit_callbacks("eager" if eager else "compiled", [clock]))
    durations = np.diff(stamps)[::2]  # end − begin of each epoch
    return float(np.median(durations[1:]))  # The first epoch also traces the step.


compiled_seconds, eager_seconds = seconds_per_epoch(eager=False), seconds_per_epoch(eager=True)
slowdown = eager_seconds / compiled_seconds   # How many compiled epochs fit in one eager epoch.
if slowdown < 2:
    band, band_choice = "about as fast as compiled (less than 2 times slower)", "a"
elif slowdown <= 5:
    band, band_choice = "2 to 5 times slower than compiled", "b"
else:
    band, band_choice = "more than 5 times slower than compiled", "c"
lab.reveal(2, f"one epoch of {lab.batch_size}-sample batches took "
              f"{compiled_seconds * 1000:.0f} ms compiled and {eager_seconds * 1000:.0f} ms "
              f"eager: {slowdown:.1f} times the compiled time, {band}. Both times change "
              "with the machine's load: rerun to see how much.",
           answer=band_choice, compiled_seconds=compiled_seconds, eager_seconds=eager_seconds,
           slowdown=slowdown, band=band)

# %% [markdown]
# ## The two runs, drawn on top of each other
#
# Where the loops agree, each dashed curve hides the solid curve under it. The right
# panel shows the per-epoch difference of the training loss against the tolerance 1e-5;
# a difference of exactly 0 is drawn at 1e-12, so that the log scale can show it.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
epochs = np.arange(1, lab.epochs + 1)
for key, color in (("loss", "tab:blue"), ("val_loss", "tab:orange")):
    left.plot(epochs, history_fit.history[key], color=color, linewidth=3, alpha=0.5,
              label=f"model.fit {key}")
    left.plot(epochs, history_tape.history[key], "--", color="black" if key == "loss" else "red",
              label=f"fit_with_tape {key}")
left.set_xlabel("epoch")
left.set_ylabel("binary cross-entropy")
left.set_title("the same training, two loops")
left.legend()
difference = np.abs(np.array(history_fit.history["loss"]) - np.array(history_tape.history["loss"]))
right.plot(epochs, difference + 1e-12, "o-", label="|fit loss − tape loss| + 1e-12")
right.axhline(TOLERANCE, color="red", linestyle=":", label=f"tolerance {TOLERANCE:g}")
right.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("absolute difference")
right.set_title(f"largest weight difference {weight_difference:.1e}")
right.legend()
lab.save_figure(figure, "fit_vs_tape.png")
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (on the command line, the flag of the
# same name: `optimizer = "momentum"` is `--optimizer momentum`), or a line of the lab,
# and run it again.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Train with another optimizer and the other implementation:
# `optimizer = "momentum"` and `impl = "keras"` (`--optimizer momentum --impl keras`).
# Do the two loops still agree? Which line of `fit_with_tape` makes the answer independent
# of the optimizer?

# %% [markdown] tags=["answer"]
# **Answer 1.** They still agree, and the lab's checks say so (a disagreement would end the
# run with status 1). Both loops hand the same gradients to the same kind of optimizer
# through `model.optimizer.apply_gradients(...)`; neither loop knows the update rule, so
# whatever it is, the two runs apply it to the same numbers in the same order.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Set `shuffle=True` in both training calls of the "Training both
# ways" cell. Predict before running: do the weights still agree to 1e-5? Then run, and
# explain what the lab's checks report.

# %% [markdown] tags=["answer"]
# **Answer 2.** They no longer agree, and the lab exits with status 1: `model.fit`
# shuffles the arrays with its own random order, `fit_with_tape` with `tf.data`'s
# full-buffer shuffle (its docstring in `custom/training.py` says so), so from the first
# epoch the two see different batches and take different steps. Each loop is still a
# correct training loop: the agreement the lab checks needs the same batches in the same
# order, which is why the lab passes `shuffle=False`.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Backprop by hand beside autograd. For a sigmoid output with
# binary cross-entropy, the chain rule gives ∂L/∂z = (ŷ − y)/n for each of the n samples'
# output logits z, so ∂L/∂b = mean(ŷ − y) for the output bias b. Add a cell that computes
# this from `model_fit(x_train)` in NumPy and compares it with
# `tape.gradient(loss, model_fit.layers[-1].bias)`.
# *Syllabus: Session plan, backprop and autograd.*

# %% [markdown] tags=["answer"]
# **Answer 3.** The two agree to float32 rounding (about 1e-7), which shows that
# `GradientTape` applies the same chain rule, one recorded operation at a time:
#
# ```python
# import tensorflow as tf
# with tf.GradientTape() as tape:
#     probabilities = model_fit(x_train)                           # ŷ, (n, 1)
#     loss = keras.ops.mean(keras.losses.binary_crossentropy(y_train.reshape(-1, 1),
#                                                            probabilities))
# by_tape = tape.gradient(loss, model_fit.layers[-1].bias).numpy()
# by_hand = np.mean(probabilities.numpy().ravel() - y_train)      # ∂L/∂b = mean(ŷ − y)
# print(by_tape, by_hand, abs(by_tape[0] - by_hand))
# ```
#
# The σ′ = ŷ(1 − ŷ) of the sigmoid cancels the 1/(ŷ(1 − ŷ)) of the cross-entropy's
# derivative, which is why the logit's gradient is simply ŷ − y. Keras clips ŷ to
# [1e-7, 1 − 1e-7] inside the loss, so a sample predicted with near certainty would break
# the formula; with seed 0 in full mode every ŷ lies between 5e-5 and 0.9997, and by hand
# and by tape differ by about 1e-9.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Give the hidden layer an L2 penalty,
# `kernel_regularizer=keras.regularizers.L2(0.01)`, and run: do the loops agree? Then, in
# `custom/training.py`'s training step, replace `model.compute_loss(...)` by the plain
# `keras.losses.BinaryCrossentropy()(y, y_pred)` and run again. Which of the lab's checks
# fail, and why? Put `compute_loss` back afterwards.

# %% [markdown] tags=["answer"]
# **Answer 4.** With the penalty alone the loops still agree: `model.compute_loss` adds
# the penalty λ·ΣW² to the compiled loss in both. With the plain loss, the tape's loop
# drops the penalty: its gradients lack the 2λW term, so its weights decay less and drift
# away from `fit`'s, and its "loss" column leaves the penalty out. In quick mode with seed
# 0 the weights end 0.22 apart and the first epoch's loss reads 0.690 against `fit`'s
# 0.729; both the weight check and the metric check fail and the lab exits with status 1.
# Without the regularizer the plain loss changes nothing, which is how such a bug hides
# until someone adds a penalty. A hand-written loop should ask the model for its loss.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Measure the eager slowdown of Predict 2 at other batch
# sizes, `batch_size = 8` and `batch_size = 128` (`--batch-size 8`), and with a wider
# network, `hidden_units = 512`. When does compiling matter most, and why? Check your
# reasoning against `benchmarks/fit_with_tape.py`.

# %% [markdown] tags=["answer"]
# **Answer 5.** Expect the ratio to be largest when each step does little arithmetic:
# eager mode pays Python's dispatch cost for every operation of every step, compiled mode
# pays it once when it traces the step. A small batch means many cheap steps per epoch, so
# both the epoch time and its overhead grow together; a wide layer or a large batch adds
# arithmetic that both modes pay alike, which pulls the ratio towards 1. The numbers
# depend on the machine and its load; compare ratios within one run, as the benchmark does.
