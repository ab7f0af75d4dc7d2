"""fit vs GradientTape: the same seeded model trained by model.fit and by a hand-written loop.

What you learn: what ``model.fit`` does at every step (forward pass under a
``tf.GradientTape``, loss, gradients, ``optimizer.apply_gradients``, running means of
the metrics, callbacks), by reading the one manual loop ``custom.training.fit_with_tape``
and checking that it gives the same weights and the same per-epoch numbers as ``fit``.
You also see why the loop is compiled with ``tf.function``: run eagerly, it is several
times slower.

Follows: seed 004 (the Keras map: "Gradients / Backprop: tf.GradientTape, .gradient(),
.apply_gradients()") and seed 000, section 5 (the full training loop).
Run time: about 8 s on 2 CPU cores (about 6 s with --quick), start-up included.
"""

# %% [markdown]
# # fit vs GradientTape
#
# Seed 004 writes the heart of training in four lines:
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
# with `custom.training.fit_with_tape`, and check that the two agree to 1e-5.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

import callbacks
import custom.optimizers
import datasets
from custom import training
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("fit_vs_tape", {
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

# %% [markdown]
# ## The data and one set of starting weights
#
# Both runs must start from the same weights and see the batches in the same order.
# We build the network once, clone it, and copy the weights across. `model.fit`
# shuffles arrays in its own way, so both runs use `shuffle=False` here; with a
# `tf.data.Dataset` that is not reshuffled, the two loops also see the same batches.

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=lab.noise, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.25, seed=lab.seed)
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
    model.compile(optimizer=custom.optimizers.get(lab.optimizer, implementation=lab.impl,
                                                  learning_rate=lab.learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
print(f"train {x_train.shape}, validation {x_val.shape}, optimizer {lab.optimizer} ({lab.impl})")

# %% [markdown]
# ## Training both ways
#
# `fit_with_tape` takes the same arguments as `fit`. Its training step, in
# `custom/training.py`, is the seed's four lines plus three things that `fit` also does:
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

# %%
# Both runs draw their curves live, so both pay the same small cost for it.
live = callbacks.LivePlot(title="model.fit and fit_with_tape")
started = time.perf_counter()
history_fit = model_fit.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=lab.epochs,
                            batch_size=lab.batch_size, shuffle=False, verbose=0,
                            callbacks=[live.run("model.fit")])
seconds_fit = time.perf_counter() - started

started = time.perf_counter()
history_tape = training.fit_with_tape(model_tape, x_train, y_train,
                                      validation_data=(x_val, y_val), epochs=lab.epochs,
                                      batch_size=lab.batch_size, shuffle=False, verbose=0,
                                      callbacks=[live.run("fit_with_tape")])
seconds_tape = time.perf_counter() - started

# %% [markdown]
# ## Do they agree?
#
# The largest difference between any two weights should be below 1e-5, and each
# epoch's loss and accuracy should match to about seven digits (float32 rounding).

# %%
weight_difference = max(float(np.max(np.abs(a - b)))
                        for a, b in zip(model_fit.get_weights(), model_tape.get_weights()))
same_keys = sorted(history_fit.history) == sorted(history_tape.history)
print(f"\nlargest weight difference after {lab.epochs} epochs: {weight_difference:.2e} "
      f"({'agree' if weight_difference < 1e-5 else 'DISAGREE'} to 1e-5)")
print(f"History keys: fit {sorted(history_fit.history)}, tape {sorted(history_tape.history)}"
      f" ({'same' if same_keys else 'DIFFERENT'})")

columns = ["loss", "val_loss", "accuracy", "val_accuracy"]
rows = []
print(f"\n{'epoch':>5} " + " ".join(f"{'fit ' + c:>16} {'tape ' + c:>17}" for c in columns))
for epoch in range(lab.epochs):
    row = [epoch + 1]
    for column in columns:
        row += [history_fit.history[column][epoch], history_tape.history[column][epoch]]
    rows.append(row)
    print(f"{epoch + 1:>5} " + " ".join(f"{value:>16.7f}" if i % 2 == 0 else f"{value:>17.7f}"
                                        for i, value in enumerate(row[1:])))
header = "epoch," + ",".join(f"fit_{c},tape_{c}" for c in columns)
np.savetxt(lab.path("fit_vs_tape.csv"), np.array(rows), delimiter=",", header=header,
           comments="", fmt="%.8g")
print(f"\nwall time: model.fit {seconds_fit:.2f} s, fit_with_tape {seconds_tape:.2f} s "
      "(each includes tracing its step once)")

# %% [markdown]
# ## Why compile the loop?
#
# Without `tf.function`, Python runs every operation of every step one at a time
# ("eager" mode). It is the same arithmetic, so the result is the same, but each
# operation pays Python's overhead. `fit_with_tape(..., eager=True)` exists only so
# that you can step through the loop with a debugger. `benchmarks/fit_with_tape.py`
# measures the ratio properly; here we time a couple of epochs of each.

# %%
def seconds_per_epoch(eager, epochs=3):
    """Train a fresh copy for ``epochs``; the median time of the epochs after the first."""
    model = keras.models.clone_model(model_fit)
    model.compile(optimizer=custom.optimizers.get(lab.optimizer, implementation=lab.impl,
                                                  learning_rate=lab.learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])
    stamps = []  # perf_counter at every epoch's beginning and end.
    clock = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: stamps.append(time.perf_counter()),
        on_epoch_end=lambda epoch, logs: stamps.append(time.perf_counter()))
    training.fit_with_tape(model, x_train, y_train, batch_size=lab.batch_size, epochs=epochs,
                           verbose=0, eager=eager, callbacks=[clock])
    durations = np.diff(stamps)[::2]  # end − begin of each epoch
    return float(np.median(durations[1:]))  # The first epoch also traces the step.


compiled_seconds, eager_seconds = seconds_per_epoch(eager=False), seconds_per_epoch(eager=True)
print(f"one epoch: compiled {compiled_seconds * 1000:.0f} ms, eager {eager_seconds * 1000:.0f} ms "
      f"({eager_seconds / compiled_seconds:.1f}x slower)")

# %% [markdown]
# ## The two runs, drawn on top of each other
#
# If the loops agree, each dashed curve hides the solid curve under it. The right
# panel shows the per-epoch difference of the training loss, at the scale of float32
# rounding (about 1e-7) or exactly zero.

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
right.axhline(1e-5, color="red", linestyle=":", label="tolerance 1e-5")
right.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("absolute difference")
right.set_title(f"largest weight difference {weight_difference:.1e}")
right.legend()
lab.save_figure(figure, "fit_vs_tape.png")
lab.finish()
