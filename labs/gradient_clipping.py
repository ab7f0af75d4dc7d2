"""Gradient clipping: an exploding network rescued by clipping by value, norm and global norm.

What you learn: why a deep network with a learning rate a little too high blows
up within a few steps; how clipping by value, by norm and by global norm cap the
step (written from scratch in ``custom/clipping.py``); that they give exactly
what Keras' ``clipvalue``, ``clipnorm`` and ``global_clipnorm`` give; and how to
read a plot of gradient norms.

Follows: seed 000 ("Chapter 3: Learning Algorithms"), exercise 6.
Run time: about 6 s on 2 CPU cores (about 6 s with --quick), start-up included.
"""

# %% [markdown]
# # Gradient clipping
#
# A gradient step is w ← w − η·g. When g is a thousand times larger than usual,
# one step throws the weights somewhere the network has never been, the next
# gradient there is larger still, and within a handful of steps the loss is
# infinite. Deep stacks of layers make this likely, because the backward pass
# multiplies one factor per layer; a learning rate on the high side does the rest.
#
# Clipping caps g before the step, with a threshold c:
#
# | kind | rule | Keras argument |
# |---|---|---|
# | by value | g ← min(max(g, −c), c), element by element | `clipvalue=c` |
# | by norm | g_i ← g_i · c / max(‖g_i‖, c), each variable on its own | `clipnorm=c` |
# | by global norm | g_i ← g_i · c / max(‖G‖, c), ‖G‖ = √(Σ‖g_i‖²) | `global_clipnorm=c` |
#
# The seed's exercise 6 asks to "scale gradients if the *total* norm exceeds a
# threshold": that is Keras' `global_clipnorm`. Keras' `clipnorm` is per variable.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas
import tensorflow as tf

import callbacks
import datasets
from custom import clipping, losses, numpy_training
from custom.numpy_net import Network
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("gradient_clipping", {
    "n_samples": param(512, minimum=20),    # Enough points to draw y = sin(3x) + 0.3x² clearly.
    "depth": param(6, minimum=1),           # Six hidden ReLU layers: deep
                                            # enough for the product to explode.
    "width": param(32, minimum=1),          # Units per hidden layer.
    "learning_rate": param(0.1, above=0),   # Too high for this network
                                            # without clipping; 0.01 is safe.
    "clip_threshold": param(1.0, above=0),  # c, for all three kinds of clipping.
    "epochs": param(20, minimum=1),         # 320 steps; the clipped runs have settled by then.
    "batch_size": param(32, minimum=1),
}, quick={"n_samples": 256, "epochs": 8})  # Full run: 512 samples, 20 epochs.

# %% [markdown]
# ## The three rules on one small example
#
# Two variables with gradients (3) and (4): each has its own norm 3 and 4, and
# together their global norm is √(3² + 4²) = 5. With c = 1, by value and by norm
# both cut each to 1, which turns the direction (3, 4) into (1, 1); by global norm
# divides both by 5 and keeps the direction: (0.6, 0.8).

# %%
example = [np.array([3.0]), np.array([4.0])]
print(f"{'rule':<20} {'g_1':>6} {'g_2':>6}")
for rule in ("clip_by_value", "clip_by_norm", "clip_by_global_norm"):
    clipped = getattr(clipping, rule)(example, 1.0)
    print(f"{rule:<20} {clipped[0][0]:>6.2f} {clipped[1][0]:>6.2f}")

# %% [markdown]
# ## The data and the network
#
# A 1-D regression, y = sin(3x) + 0.3x² + noise, fitted by a 1-32-…-32-1 ReLU
# network from `custom.numpy_net` (He initialisation, backward pass by hand).
# The loss is the mean squared error; its floor is the noise variance, 0.01.

# %%
x, y = datasets.nonlinear_regression(n_samples=lab.n_samples, noise=0.1, seed=lab.seed)
layer_sizes = [1] + [lab.width] * lab.depth + [1]
print(f"data x {x.shape}, y {y.shape}; network {layer_sizes}")

# %% [markdown]
# ## Our clipping equals Keras' clipping
#
# A Keras twin of the network gets the same starting weights. On one batch we
# take the gradients with `tf.GradientTape`, then compare two SGD steps: Keras'
# SGD built with `clipvalue`, `clipnorm` or `global_clipnorm`, and a plain SGD
# applied to gradients clipped by `custom.clipping`. The weights after the step
# should agree to float32 round-off (about 1e-7).

# %%
def keras_twin(network):
    """A Keras model with the NumPy network's layers and weights (float32)."""
    model = keras.Sequential([keras.Input((layer_sizes[0],))]
                             + [keras.layers.Dense(units, activation="relu")
                                for units in layer_sizes[1:-1]]
                             + [keras.layers.Dense(layer_sizes[-1])])
    model.set_weights(network.get_weights())
    return model


def step_with(model, optimizer, x_batch, y_batch, clip=None):
    """One SGD step on the batch; ``clip`` = our clipping's keyword, applied before it."""
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(keras.ops.square(model(x_batch) - y_batch))
    gradients = tape.gradient(loss, model.trainable_variables)
    if clip is not None:
        gradients = clipping.clip_gradients(gradients, **clip)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))


start = Network(layer_sizes, output="linear", seed=lab.seed)
x_batch, y_batch = x[:lab.batch_size], y[:lab.batch_size]   # (batch, 1) each
print(f"\n{'Keras argument':<16} {'largest |weight difference|':>28}")
for argument in ("clipvalue", "clipnorm", "global_clipnorm"):
    clip = {argument: lab.clip_threshold}
    theirs, ours = keras_twin(start), keras_twin(start)
    step_with(theirs, keras.optimizers.SGD(lab.learning_rate, **clip), x_batch, y_batch)
    step_with(ours, keras.optimizers.SGD(lab.learning_rate), x_batch, y_batch, clip=clip)
    difference = max(np.abs(a - b).max() for a, b in zip(theirs.get_weights(), ours.get_weights()))
    print(f"{argument:<16} {difference:>28.2e}")
    if difference > 1e-5:
        raise RuntimeError(f"custom clipping differs from Keras' {argument} by {difference:.2e}")

# %% [markdown]
# ## Training with and without clipping
#
# The loop is the seed's: forward, backward, update, over shuffled mini-batches,
# one epoch at a time with `custom.numpy_training.train_epoch`. One line is new
# there: with `clip`, the gradients pass through `clipping.clip_gradients`
# between backward and update. It records each batch's loss and the global norm
# ‖G‖ *before* clipping at every step, and stops a run once its outputs are no
# longer finite numbers. The run without clipping at a ten times smaller
# learning rate is the safe reference.

# %%
def train(learning_rate, clip=None):
    """Train a fresh network with NumPy; return per-step losses, norms and the network."""
    network = Network(layer_sizes, output="linear", seed=lab.seed)   # Same start every run.
    order = np.random.default_rng(lab.seed)                          # Same batches every run.
    step_losses, step_norms = [], []
    for epoch in range(lab.epochs):
        result = numpy_training.train_epoch(network, x, y, lab.batch_size, learning_rate,
                                            seed=order, clip=clip, gradient_norms=True)
        step_losses += result.step_losses                            # each batch's MSE
        step_norms += result.gradient_norms                          # ‖G‖ before clipping
        if result.diverged:
            return step_losses, step_norms, None                     # It has blown up.
    return step_losses, step_norms, network


runs = {
    f"no clipping, lr {lab.learning_rate:g}": (lab.learning_rate, None),
    f"no clipping, lr {lab.learning_rate / 10:g}": (lab.learning_rate / 10, None),
    f"by value {lab.clip_threshold:g}": (lab.learning_rate, {"clipvalue": lab.clip_threshold}),
    f"by norm {lab.clip_threshold:g}": (lab.learning_rate, {"clipnorm": lab.clip_threshold}),
    f"by global norm {lab.clip_threshold:g}":
        (lab.learning_rate, {"global_clipnorm": lab.clip_threshold}),
}
with np.errstate(over="ignore", invalid="ignore"):   # The unclipped run overflows on purpose.
    results = {name: train(*settings) for name, settings in runs.items()}

print(f"\n{'run':<26} {'steps':>5} {'final loss':>10} {'largest ‖G‖':>12} {'steps ‖G‖ > c':>13}")
table = []
for name, (step_losses, step_norms, network) in results.items():
    final = losses.mean_squared_error(y, network.predict(x)) if network else float("inf")
    above_threshold = np.mean(np.array(step_norms) > lab.clip_threshold)  # share of steps
    table.append((name, len(step_losses), final, max(step_norms), above_threshold))
    print(f"{name:<26} {len(step_losses):>5} {final:>10.4f} {max(step_norms):>12.3g} "
          f"{above_threshold:>13.0%}")
pandas.DataFrame(table, columns=["run", "steps", "final_loss", "largest_norm",
                                 "share_of_steps_above_threshold"]
                 ).to_csv(lab.path("gradient_clipping.csv"), index=False)

# %% [markdown]
# ## Reading the figure
#
# On the left, the unclipped run at the high learning rate leaves the plot within
# a few steps; each clipped run trains at that same rate. On the right, ‖G‖ starts
# far above the threshold c (the dotted line) for every run: a network that
# has not learned anything yet has large gradients. Clipping keeps the *steps*
# small until the gradients themselves come down. A run whose norm stays far
# above c for its whole life is one whose learning rate is simply too high.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
for name, (step_losses, step_norms, network) in results.items():
    style = "--" if "no clip" in name else "-"
    left.plot(np.arange(1, len(step_losses) + 1), step_losses, style, label=name, linewidth=1)
    right.plot(np.arange(1, len(step_norms) + 1), step_norms, style, label=name, linewidth=1)
right.axhline(lab.clip_threshold, color="black", linestyle=":", label=f"threshold c = "
              f"{lab.clip_threshold:g}")
for axes, title, label in ((left, "training loss per step", "mean squared error (log scale)"),
                           (right, "gradient norm ‖G‖ before clipping", "‖G‖ (log scale)")):
    axes.set_yscale("log")
    axes.set_xlabel("step (one mini-batch)")
    axes.set_ylabel(label)
    axes.set_title(title)
    axes.legend(fontsize=8, loc="lower left")
# The run that blows up reaches 1e80 and beyond; the plots stop at 1e3 and 1e4 so
# that the other runs stay readable, and a note gives its largest values.
left.set_ylim(1e-3, 1e3)
right.set_ylim(1e-3, 1e4)
for name, (step_losses, step_norms, network) in results.items():
    if network is None:
        right.text(0.15, 0.92, f"← {name}: ‖G‖ reaches {max(step_norms):.0e} by step "
                   f"{len(step_norms)}", transform=right.transAxes, fontsize=8)
lab.save_figure(figure, "gradient_clipping.png")

# %% [markdown]
# ## In Keras it is one argument
#
# The same rescue in a `model.fit`: the Keras twin at the high learning rate,
# without and with `global_clipnorm`. `TerminateOnNaN` stops the run that blows up.

# %%
print(f"\n{'model.fit with SGD':<32} {'epochs run':>10} {'final loss':>10}")
live = callbacks.LivePlot(title="model.fit with and without clipping")  # While it trains.
for name, clip in (("no clipping", {}), (f"global_clipnorm={lab.clip_threshold:g}",
                                         {"global_clipnorm": lab.clip_threshold})):
    keras.utils.set_random_seed(lab.seed)
    model = keras_twin(start)
    model.compile(optimizer=keras.optimizers.SGD(lab.learning_rate, **clip), loss="mse")
    history = model.fit(x, y, batch_size=lab.batch_size, epochs=lab.epochs, verbose=0,
                        callbacks=[keras.callbacks.TerminateOnNaN(), live.run(name)])
    print(f"{name:<32} {len(history.history['loss']):>10} {history.history['loss'][-1]:>10.4g}")

lab.finish()
