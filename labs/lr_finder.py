"""Learning-rate finder: the LR range test picks a rate, and training shows whether it was right.

What you learn: Leslie Smith's range test (2017), the seed's "learning rate finder".
The rate grows exponentially every batch while the loss of each batch is recorded;
the loss first stays flat (rate too small), then falls (good rates), then explodes
(too large). You read a rate off that curve three ways (steepest descent, fastai's
valley, the minimum / 10), check that the test left the model untouched, and then
train with the suggestion, with 10× it and with 1/100 of it.

Follows: seed 001 (the learning rate finder and its rules of thumb), seed 000
(exercise 2: "Learning Rate Finder"), seed 004 (the LR range test in the session plan).
Run time: about 7 s on 2 CPU cores (about 6 s with --quick), start-up included.
"""

# %% [markdown]
# # The learning-rate finder
#
# Guessing a learning rate wastes runs: too small and nothing happens, too large
# and the loss explodes. The range test spends a few hundred batches to *measure*
# where the good rates are. The hyperparameters come first, each with its reason.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import callbacks
import custom.optimizers
import datasets
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("lr_finder", {
    # Plain SGD, as in the seeds' learning-rate chapters; try adam.
    "optimizer": param("sgd", choices=custom.optimizers.names()),
    # Our from-scratch SGD (--impl keras for the built-in).
    "impl": param("custom", choices=("custom", "keras")),
    "start": param(1e-6, above=0),                  # Far below any useful rate:
                                                    # the loss must start flat.
    "end": param(10.0, above=0),                    # Far above: the loss must
                                                    # explode before the end.
    "steps": param(100, minimum=2),                 # Batches in the sweep: 100 as in
                                                    # fastai, 7 decades in 100 steps.
    "epochs": param(30, minimum=1),                 # For the three training runs afterwards.
    "n_samples": param(900, minimum=20),            # Three spiral arms; enough
                                                    # batches for the sweep to flow.
    "batch_size": param(32, minimum=1),
    "hidden_units": param(32, minimum=1),
}, quick={"steps": 60, "epochs": 8, "n_samples": 300})   # Full run: 100 steps, 30 epochs.
lab.require(lab.end > lab.start, f"end ({lab.end}) must be above start ({lab.start})")

# %% [markdown]
# ## The data and the model
#
# Spirals need a hidden layer or two and a sensible rate, so the range test has
# something to find. The model is compiled as usual: the range test needs a
# compiled model, because it uses the model's own optimizer and loss.

# %%
x, y = datasets.spirals(n_samples=lab.n_samples, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.25, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)


def build_model(learning_rate):
    """The 2-32-32-3 network with the lab's optimizer at ``learning_rate``."""
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(lab.hidden_units, activation="relu"),
        keras.layers.Dense(lab.hidden_units, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=custom.optimizers.get(lab.optimizer, implementation=lab.impl,
                                                  learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


model = build_model(1e-3)
initial_weights = [weight.copy() for weight in model.get_weights()]
print(f"train {x_train.shape}, validation {x_val.shape}; optimizer {lab.optimizer} "
      f"({lab.impl})")

# %% [markdown]
# ## The range test
#
# `callbacks.find_learning_rate` sweeps η_i = start·(end/start)^(i/(steps−1)),
# one batch per rate, and records each batch's own loss (not the running mean
# over the epoch that Keras prints). Single batches are noisy, so it also keeps a
# bias-corrected moving average, a_i = β·a_(i−1) + (1−β)·L_i and
# smoothed_i = a_i/(1 − β^(i+1)) with β = 0.98, and stops once the smoothed loss
# passes 4× its best or the loss is NaN. Afterwards the weights and the optimizer's
# state are put back exactly, so the test costs nothing but time.

# %%
result = callbacks.find_learning_rate(model, x_train, y_train, batch_size=lab.batch_size,
                                      start=lab.start, end=lab.end, steps=lab.steps)
untouched = all(np.array_equal(before, after)
                for before, after in zip(initial_weights, model.get_weights()))
print(f"{len(result.losses)} batches; stopped because: {result.stop_reason}")
print(f"weights restored bit for bit: {untouched}; "
      f"optimizer steps afterwards: {int(model.optimizer.iterations.numpy())}")
suggestions = {method: result.suggest(method) for method in ("steepest", "valley",
                                                                "minimum/10")}
print(pd.Series(suggestions, name="suggested learning rate").to_string(float_format="%.3g"))
pd.DataFrame({"learning_rate": result.learning_rates, "loss": result.losses,
              "smoothed_loss": result.smoothed_losses}).to_csv(lab.path("range_test.csv"),
                                                               index=False)

# %% [markdown]
# ## Reading the curve
#
# Three rules read a rate off the smoothed curve. *Steepest* takes the rate where
# the loss falls fastest against log(η), the seed's "where loss was decreasing
# fastest". *Minimum / 10* is the seed's rule of thumb: a tenth of the rate at
# the lowest loss, safely below the cliff. *Valley* (fastai's default) takes the
# middle of the longest stretch where the loss keeps falling. They usually agree
# within a factor of a few, which is all the precision a learning rate needs.

# %%
figure, ax = plt.subplots(figsize=(8, 4.8))
result.plot(ax, title=f"range test: {lab.optimizer} on spirals")
for (method, rate), color in zip(list(suggestions.items())[1:], ["green", "purple"]):
    ax.axvline(rate, color=color, linestyle=":", label=f"{method}: {rate:.2g}")
ax.legend()
lab.save_figure(figure, "range_test.png")

# %% [markdown]
# ## Does the suggestion train well?
#
# The proof is in training. From the same initial weights, we train with the
# suggested rate, with 10× it and with 1/100 of it. The test suggests a rate on
# the steep part of the curve; 10× sits near the cliff, and 1/100 back on the
# flat part, where the loss barely moves.

# %%
suggested = result.suggestion
candidates = {"suggestion / 100": suggested / 100, "suggestion": suggested,
              "suggestion × 10": suggested * 10}
train_batches = datasets.make_dataset(x_train, y_train, lab.batch_size, seed=lab.seed)
live = callbacks.LivePlot(title="three rates from the range test")  # Curves while training.
histories, rows = {}, []
for name, learning_rate in candidates.items():
    run = build_model(float(learning_rate))
    run.set_weights(initial_weights)
    history = run.fit(train_batches, epochs=lab.epochs, shuffle=False, verbose=0,
                      callbacks=[live.run(name)])
    histories[name] = history.history
    probabilities = run(x_val)                                   # (n_val, 3)
    rows.append({"run": name, "learning rate": learning_rate,
                 "final train loss": history.history["loss"][-1],
                 "val accuracy": float(np.mean(np.argmax(probabilities, axis=1) == y_val))})
results = pd.DataFrame(rows).set_index("run")
results.to_csv(lab.path("training.csv"))
print(results.to_string(float_format="%.4g"))

# %% [markdown]
# With plain SGD the suggestion ends lowest. 1/100 of it is safe but slow: after
# the same number of epochs its loss is still high. 10× it lies past the cliff of
# the range test, and training goes nowhere. The test gives you the order of
# magnitude, which is what guessing gets wrong.
#
# A caveat you can see with `--optimizer adam` (in a notebook's parameters cell,
# `optimizer = "adam"`). The network keeps learning during
# the sweep, so by the time the sweep reaches the large rates it has already been
# warmed up by the small ones. Adam's steepest point then sits close to the cliff,
# and training *from scratch* at that rate can stall. That is why the seed's rule
# of thumb takes a tenth of the rate at the minimum, and why it pays to compare the
# three suggestions: when they disagree by 10×, choose the smaller, or warm up
# (see the `schedules` lab).

# %%
figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(12, 4.4))
for name, history in histories.items():
    label = f"{name} (η = {candidates[name]:.2g})"
    epochs_axis = np.arange(1, len(history["loss"]) + 1)
    loss_axis.plot(epochs_axis, history["loss"], label=label)
    accuracy_axis.plot(epochs_axis, history["accuracy"], label=label)
loss_axis.set_yscale("log")
for axis, label in [(loss_axis, "training loss (log scale)"),
                    (accuracy_axis, "training accuracy")]:
    axis.set_xlabel("epoch")
    axis.set_ylabel(label)
    axis.set_title(f"{label.split(' (')[0]} at three learning rates")
    axis.grid(True, alpha=0.3)
    axis.legend()
lab.save_figure(figure, "training.png")
lab.finish()
