"""XOR with Keras: the 2-4-1 network trained with model.fit to 100 %, beside the NumPy version.

What you learn: how the hand-written network of the backprop lab maps onto
Keras layers (``Dense(4, "relu")``, ``Dense(1, "sigmoid")``, binary
cross-entropy, plain SGD); that ``model.fit`` with the same starting weights
and the same full batch follows the same path, step for step; and how to read
the decision boundary that a hidden layer draws where no straight line can.

Follows: seed 000 ("Chapter 3: Learning Algorithms"), exercise 7; seed 001 (2-layer
XOR backprop); seed 004 (its Keras XOR, "Final accuracy on XOR: 1.0").
Run time: about 6 s on 2 CPU cores (about 6 s with --quick), start-up included.
"""

# %% [markdown]
# # XOR with Keras
#
# XOR outputs 1 when exactly one input is 1. The points (0, 1) and (1, 0) sit on
# one diagonal of the square and (0, 0) and (1, 1) on the other, so no straight
# line separates the classes: a network needs a hidden layer. Seed 001 trains a
# 2-4-1 network (4 ReLU units, a sigmoid output) by hand: 1000 full-batch
# gradient-descent steps, learning rate 0.5, initial weights from N(0, 0.5²).
# Here we train that network twice: with the NumPy network from
# `custom.numpy_net` (the backprop lab's version), and with Keras' `model.fit`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas

import callbacks
import datasets
from custom.numpy_net import Network
from labs import _plots, _runtime
from labs._runtime import param

lab = _runtime.start("xor_keras", {
    "hidden_units": param(4, minimum=1),       # Seed 001's 2-4-1 network.
    "steps": param(1000, minimum=1),           # Seed 001's 1000 full-batch gradient-descent steps.
    "learning_rate": param(0.5, above=0),      # Seed 001's rate.
    "weight_scale": param(0.5, above=0),       # Seed 001's N(0, 0.5²) initial weights.
    "restarts": param(10, minimum=1),          # Seeds to try until the NumPy run reaches 100 %.
    "steps_per_epoch": param(100, minimum=1),  # Full-batch steps that model.fit
                                               # groups into one "epoch".
}, quick={"steps": 500})      # Full run: 1000 steps.
# The runtime has checked every value's range; this pair is checked together.
lab.require(lab.steps % lab.steps_per_epoch == 0, f"steps ({lab.steps}) must be a multiple "
            f"of steps_per_epoch ({lab.steps_per_epoch})")

# %% [markdown]
# ## The NumPy version
#
# The loop of the backprop lab: forward, backward, θ ← θ − η·∇θ on all four
# points at once. With only four ReLU units some starting weights get stuck at
# 75 % (a unit that starts switched off for the points it would need never
# learns), so we try seeds in turn until one reaches 100 %, and keep its
# *initial* weights for Keras.

# %%
x, labels = datasets.xor()                          # x (4, 2), labels (4,) in {0, 1}
y = labels.reshape(-1, 1).astype("float32")         # (4, 1) for binary cross-entropy
sizes = [2, lab.hidden_units, 1]

for seed in range(lab.seed, lab.seed + lab.restarts):
    numpy_network = Network(sizes, output="sigmoid", seed=seed, weight_scale=lab.weight_scale)
    initial_weights = numpy_network.get_weights()
    numpy_losses = []
    for step in range(lab.steps):
        numpy_losses.append(numpy_network.loss(x, y))                            # forward
        numpy_network.update(numpy_network.backward(y), lab.learning_rate)     # backward, step
    numpy_accuracy = np.mean((numpy_network.predict(x) > 0.5) == y)
    print(f"seed {seed}: NumPy accuracy {numpy_accuracy:.0%}, final loss {numpy_losses[-1]:.4f}")
    if numpy_accuracy == 1.0:
        break
else:
    raise RuntimeError(f"no seed in {lab.seed}…{lab.seed + lab.restarts - 1} reached 100 %; "
                       f"try more --restarts or --hidden-units 8 (in a notebook's "
                       "parameters cell: restarts, hidden_units = 8)")

# %% [markdown]
# ## The same network in Keras
#
# | NumPy (`custom.numpy_net`) | Keras |
# |---|---|
# | `DenseLayer(2, 4, "relu")`: W (2, 4), b (4,) | `Dense(4, activation="relu")`: (2, 4), (4,) |
# | `DenseLayer(4, 1, "sigmoid")` | `Dense(1, activation="sigmoid")` |
# | binary cross-entropy, mean over the batch | `loss="binary_crossentropy"` |
# | θ ← θ − η·∇θ | `keras.optimizers.SGD(learning_rate=η)` |
#
# The shapes match, so `model.set_weights(initial_weights)` starts Keras where
# NumPy started. A full batch is all four points: `batch_size=4`. One Keras
# epoch of four samples would mean one `fit` epoch per step, and `fit` pays a
# fixed cost per epoch; so we stack the truth table `steps_per_epoch` times,
# keep the order (`shuffle=False`), and every batch is still exactly the four
# points. Each Keras "epoch" is then `steps_per_epoch` full-batch steps.

# %%
keras.utils.set_random_seed(lab.seed)
model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.set_weights(initial_weights)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=lab.learning_rate),
              loss="binary_crossentropy", metrics=["accuracy"])
x_stacked = np.tile(x, (lab.steps_per_epoch, 1))    # (4·steps_per_epoch, 2)
y_stacked = np.tile(y, (lab.steps_per_epoch, 1))    # (4·steps_per_epoch, 1)
history = model.fit(x_stacked, y_stacked, batch_size=len(x), shuffle=False,
                    epochs=lab.steps // lab.steps_per_epoch, verbose=0,
                    callbacks=[callbacks.LivePlot(title="XOR with model.fit")])  # Live curves.
keras_probabilities = model.predict(x, verbose=0)                       # (4, 1)
keras_accuracy = np.mean((keras_probabilities > 0.5) == y)

# %% [markdown]
# ## Side by side
#
# The table gives P(class 1) for each input from both networks. They started
# from the same weights and took the same steps, so they should agree to
# float32 round-off (Keras computes in float32, NumPy in float64).

# %%
numpy_probabilities = numpy_network.predict(x)
table = pandas.DataFrame({"x1": x[:, 0].astype(int), "x2": x[:, 1].astype(int),
                          "target": labels,
                          "numpy_probability": numpy_probabilities.ravel(),
                          "keras_probability": keras_probabilities.ravel()})
table.to_csv(lab.path("xor_keras.csv"), index=False)
print(table.to_string(index=False, float_format=lambda value: f"{value:.5f}"))
weight_gap = max(np.abs(ours - theirs).max()
                 for ours, theirs in zip(numpy_network.get_weights(), model.get_weights()))
print(f"\naccuracy: NumPy {numpy_accuracy:.0%}, Keras {keras_accuracy:.0%}; "
      f"largest weight difference after {lab.steps} steps: {weight_gap:.1e}")

# %% [markdown]
# ## The figure
#
# Left: the loss per step by hand, and Keras' loss averaged over each of its
# "epochs" of `steps_per_epoch` steps, drawn at the middle of the block. Middle and
# right: the decision boundaries. Each ReLU unit draws one straight line; the
# output combines them into a band that holds (0, 1) and (1, 0) and leaves
# (0, 0) and (1, 1) outside.

# %%
figure, (curves, numpy_panel, keras_panel) = plt.subplots(1, 3, figsize=(16, 4.4))
curves.semilogy(np.arange(1, lab.steps + 1), numpy_losses, label="NumPy by hand, per step")
block_middles = (np.arange(len(history.history["loss"])) + 0.5) * lab.steps_per_epoch
curves.semilogy(block_middles, history.history["loss"], "o",
                label=f"Keras model.fit, mean of {lab.steps_per_epoch} steps")
curves.set_xlabel("full-batch step")
curves.set_ylabel("binary cross-entropy (log scale)")
curves.set_title(f"XOR, 2-{lab.hidden_units}-1, η = {lab.learning_rate:g}")
curves.legend()
_plots.decision_boundary(numpy_panel, numpy_network.predict, x, labels,
                         title=f"NumPy by hand: accuracy {numpy_accuracy:.0%}")
_plots.decision_boundary(keras_panel, lambda points: model.predict(points, verbose=0), x,
                         labels, title=f"Keras model.fit: accuracy {keras_accuracy:.0%}")
lab.save_figure(figure, "xor_keras.png")
lab.finish()
