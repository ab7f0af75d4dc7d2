"""Gradient clipping: an exploding network rescued by clipping by value, norm and global norm.

What you learn: why a deep network with a learning rate a little too high can
blow up within a few steps; how clipping by value, by norm and by global norm cap the
step (written from scratch in ``custom/clipping.py``); that they give exactly
what Keras' ``clipvalue``, ``clipnorm`` and ``global_clipnorm`` give; and how to
read a plot of gradient norms.

Follows: "Chapter 3: Learning Algorithms", exercise 6.
Run time: about 8 s on 2 CPU cores (about 7 s with --quick), start-up included.
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
# Exercise 6 of "Learning Algorithms" asks to "scale gradients if the *total* norm exceeds
# a threshold": that is Keras' `global_clipnorm`. Keras' `clipnorm` is per variable.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas
import tensorflow as tf

import callbacks
import datasets
from custom import numpy_training
from labs.machinery import runtime, twins
from labs.machinery.runtime import param

lab = runtime.start("gradient_clipping", {
    "n_samples": param(512, minimum=20),    # Enough points to draw y = sin(3x) + 0.3x² clearly.
    "depth": param(6, minimum=1),           # Six hidden ReLU layers: deep
                                            # enough for the product to explode.
    "width": param(32, minimum=1),          # Units per hidden layer.
    "learning_rate": param(0.1, above=0),   # High for a network this deep: the
                                            # rate at which clipping is put to work.
    "clip_threshold": param(1.0, above=0),  # c, for all three kinds of clipping.
    "epochs": param(20, minimum=1),         # 16 batches of 32 per epoch: 320 steps in all.
    "batch_size": param(32, minimum=1),
}, quick={"n_samples": 256, "epochs": 8})  # Full run: 512 samples, 20 epochs.

# The lesson's fixed values: edit them here (they are not flags).
WORKED_GRADIENTS, WORKED_C = (3.0, 4.0), 1.0   # The first section's example, and its c.
WORKED_ANSWERS = {"clip_by_value": (1.0, 1.0), "clip_by_norm": (1.0, 1.0),  # The text's
                  "clip_by_global_norm": (0.6, 0.8)}                        # answers.
NOISE = 0.1               # The noise's standard deviation: the MSE's floor is 0.1² = 0.01.
KERAS_TOLERANCE = 1e-5    # Our clipping against Keras' after one SGD step: float32 round-off.
# custom.clipping, custom.losses and custom.numpy_net, or their twins until the tasks are written.
clipping, losses, Network = twins.clipping(), twins.losses(), twins.network

# %% [markdown]
# ## The three rules on one small example
#
# Two variables with gradients (3) and (4): each has its own norm 3 and 4, and
# together their global norm is √(3² + 4²) = 5. With c = 1, by value and by norm
# both cut each to 1, which turns the direction (3, 4) into (1, 1); by global norm
# divides both by 5 and keeps the direction: (0.6, 0.8).

# %%
example = [np.array([gradient]) for gradient in WORKED_GRADIENTS]   # two variables, (1,) each
print(f"{'rule':<20} {'g_1':>6} {'g_2':>6}")
for rule, expected in WORKED_ANSWERS.items():
    clipped = getattr(clipping, rule)(example, WORKED_C)
    print(f"{rule:<20} {clipped[0][0]:>6.2f} {clipped[1][0]:>6.2f}")
    lab.check(np.allclose([clipped[0][0], clipped[1][0]], expected),
              f"{rule} on {WORKED_GRADIENTS} with c = {WORKED_C:g} does not give {expected}")

# %% [markdown]
# ## The data and the network
#
# A 1-D regression, y = sin(3x) + 0.3x² + noise, fitted by a 1-32-…-32-1 ReLU
# network from `custom.numpy_net` (He initialisation, backward pass by hand).
# The loss is the mean squared error; its floor is the noise variance, 0.01.

# %%
x, y = datasets.nonlinear_regression(n_samples=lab.n_samples, noise=NOISE, seed=lab.seed)
layer_sizes = [1] + [lab.width] * lab.depth + [1]
print(f"data x {x.shape}, y {y.shape}; network {layer_sizes}")

# %% [markdown]
# ## Our clipping equals Keras' clipping
#
# A Keras twin of the network gets the same starting weights. On one batch we
# take the gradients with `tf.GradientTape`, then compare two SGD steps: Keras'
# SGD built with `clipvalue`, `clipnorm` or `global_clipnorm`, and a plain SGD
# applied to gradients clipped by `custom.clipping`. The weights after the step
# should agree to float32 round-off (about 1e-7); the lab checks that they do.

# %%
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
for argument in ("clipvalue", "clipnorm", "global_clipnorm"):
    clip = {argument: lab.clip_threshold}
    theirs, ours = start.keras_twin("float32"), start.keras_twin("float32")
    step_with(theirs, keras.optimizers.SGD(lab.learning_rate, **clip), x_batch, y_batch)
    step_with(ours, keras.optimizers.SGD(lab.learning_rate), x_batch, y_batch, clip=clip)
    difference = max(np.abs(a - b).max() for a, b in zip(theirs.get_weights(), ours.get_weights()))
    lab.agreement(f"keras_{argument}", f"Our clipping and Keras' {argument}, weights after "
                  "one step", difference, KERAS_TOLERANCE)

# %% [markdown]
# ## Training with and without clipping
#
# The loop is that of "Learning Algorithms": forward, backward, update, over shuffled
# mini-batches, one epoch at a time with `custom.numpy_training.train_epoch`. One line
# is new there: with `clip`, the gradients pass through `clipping.clip_gradients`
# between backward and update. It records each batch's loss and the global norm ‖G‖
# *before* clipping at every step, and stops a run once its outputs are no longer finite
# numbers. The run without clipping at a ten times smaller learning rate is the usual
# cure without clipping, for reference.

# %% [markdown] tags=["prediction"]
# **Predict 1.** Without clipping, at the high learning rate, will the run survive all its
# steps? If it blows up, after how many steps?
# - (a) it survives all its steps
# - (b) it blows up within the steps of its first epoch
# - (c) it blows up after its first epoch

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b" or "c"

# %% [markdown] tags=["prediction"]
# **Predict 2.** At that same high rate, which of the three clipped runs will end with the
# lowest loss, and will it beat the unclipped run at a ten times smaller rate?
# - (a) by value, and it beats the smaller rate
# - (b) by value, but it does not beat the smaller rate
# - (c) by norm, and it beats the smaller rate
# - (d) by norm, but it does not beat the smaller rate
# - (e) by global norm, and it beats the smaller rate
# - (f) by global norm, but it does not beat the smaller rate

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %%
def train(learning_rate, clip=None):
    """Train a fresh network with NumPy; return per-step losses, norms and the network."""
    network = Network(layer_sizes, output="linear", seed=lab.seed)   # Same start every run.
    order = np.random.default_rng(lab.seed)                          # Same batches every run.
    step_losses, step_norms = [], []
    for epoch in range(lab.epochs):
        result = numpy_training.train_epoch(network, x, y, lab.batch_size, learning_rate,
                                            seed=order, clip=clip, gradient_norms=True,
                                            clipping=clipping)
        step_losses += result.step_losses                            # each batch's MSE
        step_norms += result.gradient_norms                          # ‖G‖ before clipping
        if result.diverged:
            return step_losses, step_norms, None                     # It has blown up.
    if not np.all(np.isfinite(network.predict(x))):                  # Its last step did.
        return step_losses, step_norms, None
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

runs_shown = lab.shows(1) and lab.shows(2)   # The table answers both predictions.
if runs_shown:
    print(f"\n{'run':<26} {'steps':>5} {'final loss':>10} {'largest ‖G‖':>12} "
          f"{'steps ‖G‖ > c':>13}")
table = []
for name, (step_losses, step_norms, network) in results.items():
    final = losses.mean_squared_error(y, network.predict(x)) if network else float("inf")
    above_threshold = np.mean(np.array(step_norms) > lab.clip_threshold)  # share of steps
    table.append((name, len(step_losses), final, max(step_norms), above_threshold))
    if runs_shown:
        print(f"{name:<26} {len(step_losses):>5} {final:>10.4f} {max(step_norms):>12.3g} "
              f"{above_threshold:>13.0%}")
pandas.DataFrame(table, columns=["run", "steps", "final_loss", "largest_norm",
                                 "share_of_steps_above_threshold"]
                 ).to_csv(lab.path("gradient_clipping.csv"), index=False)

steps_per_epoch = -(-len(x) // lab.batch_size)          # ⌈n / batch size⌉
planned = lab.epochs * steps_per_epoch
final_losses = {name: final for name, _, final, _, _ in table}
steps_run = {name: steps for name, steps, _, _, _ in table}
high, low, *clipped = runs                              # the run names, in the table's order
survived = bool(np.isfinite(final_losses[high]))
lab.reveal(1, f"it {'survived' if survived else 'blew up'}: {steps_run[high]} of {planned} "
              f"steps, ‖G‖ reaching {max(results[high][1]):.3g}"
              + ("" if survived else " before its outputs stopped being finite numbers"),
           answer="a" if survived else "b" if steps_run[high] <= steps_per_epoch else "c",
           survived=survived, steps=steps_run[high], planned_steps=planned,
           steps_per_epoch=steps_per_epoch,
           final_loss=final_losses[high], norms=results[high][1])
best_clipped = min(clipped, key=final_losses.get)
rescued = {name: bool(np.isfinite(final_losses[name]) and steps_run[name] == planned)
           for name in clipped}
beats = bool(final_losses[best_clipped] < final_losses[low])   # the ten times smaller rate
rule = clipped.index(best_clipped)                  # 0 by value, 1 by norm, 2 by global norm
lab.reveal(2, f"{best_clipped} ends lowest ({final_losses[best_clipped]:.4f}), "
              f"{'below' if beats else 'not below'} "
              f"the reference run '{low}' ({final_losses[low]:.4f}); "
              f"{sum(rescued.values())} of {len(clipped)} clipped runs trained all {planned} "
              f"steps to a finite loss",
           answer=("a", "b", "c", "d", "e", "f")[2 * rule + (0 if beats else 1)],
           best_clipped=best_clipped, final_losses=final_losses, reference=low,
           rescued=rescued, steps=steps_run, planned_steps=planned)

# %% [markdown]
# ## Reading the figure
#
# On the left, the training loss per step; each clipped run trains at the same high rate
# as the dashed unclipped one. On the right, the gradient norm ‖G‖ before clipping, with
# the threshold c as a dotted line: the line under the figure gives how far above c the
# first step's norm is. A network that has not learned anything yet often has large
# gradients; clipping keeps the *steps* small until the gradients themselves come down.
# A run whose norm stays far above c for its whole life is one whose learning rate is
# simply too high, and the last column of the table (the share of steps with ‖G‖ > c)
# says how much of its life each run spent clipped.

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
# A run that blows up can reach 1e80 and beyond; the plots stop at 1e3 and 1e4 so
# that the other runs stay readable, and a note gives its largest values.
left.set_ylim(1e-3, 1e3)
right.set_ylim(1e-3, 1e4)
for name, (step_losses, step_norms, network) in results.items():
    if network is None:
        right.text(0.15, 0.92, f"← {name}: ‖G‖ reaches {max(step_norms):.0e} by step "
                   f"{len(step_norms)}", transform=right.transAxes, fontsize=8)
lab.save_figure(figure, "gradient_clipping.png", show=runs_shown)
first_norms = {name: step_norms[0] for name, (_, step_norms, _) in results.items()}
print(f"First step: ‖G‖ = {first_norms[high]:.3g}, {first_norms[high] / lab.clip_threshold:.3g}× "
      f"the threshold c = {lab.clip_threshold:g}.")
lab.record("first_step", norms=first_norms, threshold=lab.clip_threshold)

# %% [markdown]
# ## In Keras it is one argument
#
# The same comparison in a `model.fit`: the Keras twin at the high learning rate,
# without and with `global_clipnorm`. `TerminateOnNaN` stops a run as soon as its loss
# is NaN or infinite.

# %% [markdown] tags=["prediction"]
# **Predict 3.** Under `model.fit` with Keras' own SGD (its own batches, in its own order),
# which of the two runs will complete all `epochs` epochs with a finite loss?
# - (a) both
# - (b) only the run with `global_clipnorm`
# - (c) only the run without clipping
# - (d) neither

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c" or "d"

# %%
fit_shown = lab.shows(3)    # The table answers Predict 3: shown once it is predicted.
if fit_shown:
    print(f"\n{'model.fit with SGD':<32} {'epochs run':>10} {'final loss':>10}")
fit_runs = {}
live = callbacks.LivePlot(title="model.fit with and without clipping")  # While it trains.
for name, clip in (("no clipping", {}), (f"global_clipnorm={lab.clip_threshold:g}",
                                         {"global_clipnorm": lab.clip_threshold})):
    keras.utils.set_random_seed(lab.seed)
    model = start.keras_twin("float32")
    model.compile(optimizer=keras.optimizers.SGD(lab.learning_rate, **clip), loss="mse")
    history = model.fit(x, y, batch_size=lab.batch_size, epochs=lab.epochs, verbose=0,
                        callbacks=lab.fit_callbacks(name, [keras.callbacks.TerminateOnNaN(),
                                                           live.run(name)]))
    if fit_shown:
        print(f"{name:<32} {len(history.history['loss']):>10} "
              f"{history.history['loss'][-1]:>10.4g}")
    fit_runs[name] = history.history["loss"]
epochs_run = {name: len(losses_per_epoch) for name, losses_per_epoch in fit_runs.items()}
finite = {name: bool(np.isfinite(losses_per_epoch[-1]))
          for name, losses_per_epoch in fit_runs.items()}
completed = [epochs_run[name] == lab.epochs and finite[name] for name in fit_runs]
lab.reveal(3, "; ".join(f"{name}: {epochs_run[name]} of {lab.epochs} epochs, final loss "
                        f"{fit_runs[name][-1]:.4g}" + ("" if finite[name] else " (not finite)")
                        for name in fit_runs),
           answer={(True, True): "a", (False, True): "b", (True, False): "c",
                   (False, False): "d"}[tuple(completed)],        # (unclipped, clipped)
           epochs_run=epochs_run, finite=finite, losses=fit_runs, epochs=lab.epochs)
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name: `clip_threshold = 10` is `--clip-threshold 10`) and run the lab again.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** On the small example with gradients (3) and (4), work out by hand
# what each rule gives for c = 4 and for c = 10, then change the `1.0` in the example cell
# and check.

# %% [markdown] tags=["answer"]
# **Answer 1.** For c = 4: by value leaves both (neither element exceeds 4); by norm leaves
# both (each variable's norm, 3 and 4, is at most 4); by global norm scales both by
# 4 / 5 = 0.8, to (2.4, 3.2), because the global norm √(3² + 4²) = 5 is above 4. For c = 10
# nothing changes under any rule: every norm is below the threshold, so the factor
# c / max(‖g‖, c) is 1. Clipping only ever acts on gradients larger than c.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Write the two rules of the chapter yourself in NumPy:
# `clip_by_value(gradients, c)` and `clip_by_global_norm(gradients, c)` for a list of
# arrays, and check them against `custom.clipping` on random arrays with
# `np.testing.assert_allclose`. *Syllabus: Learning Algorithms, exercise 6.*

# %% [markdown] tags=["answer"]
# **Answer 2.** One version:
#
# ```python
# def my_clip_by_value(gradients, c):
#     return [np.minimum(np.maximum(g, -c), c) for g in gradients]      # min(max(g, −c), c)
#
# def my_clip_by_global_norm(gradients, c):
#     total = np.sqrt(sum(np.sum(g ** 2) for g in gradients))            # ‖G‖ = √(Σ‖g_i‖²)
#     return [g * c / max(total, c) for g in gradients]                  # g_i · c / max(‖G‖, c)
#
# rng = np.random.default_rng(0)
# gradients = [rng.normal(size=(3, 4)) * 5, rng.normal(size=4)]
# for mine, theirs in ((my_clip_by_value, clipping.clip_by_value),
#                      (my_clip_by_global_norm, clipping.clip_by_global_norm)):
#     for a, b in zip(mine(gradients, 1.0), theirs(gradients, 1.0)):
#         np.testing.assert_allclose(a, b, rtol=1e-12)
# ```
#
# The global norm is computed once over every tensor, not per tensor: computing it per
# tensor gives Keras' `clipnorm` instead, a different rule.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Set `depth = 2` (`--depth 2`). Does the unclipped run at the
# high learning rate still blow up? Read Prediction 1's line and explain with the
# backward pass.

# %% [markdown] tags=["answer"]
# **Answer 3.** The backward pass multiplies the error signal by one weight matrix (and one
# ReLU mask) per layer, so the size of the first layers' gradients grows roughly like a
# product of one factor per layer. With two hidden layers there are far fewer factors,
# the gradients start smaller and one step at the same rate moves the weights less, so
# the run is much less likely to blow up; whether it does at this rate is what the lab
# measures. Compare the first step's ‖G‖, printed under the figure, with the default depth's.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Set `learning_rate = 1.0` (`--learning-rate 1.0`). With clipping by
# global norm at c = 1, how far can one step move the weights at most? Does clipping still
# rescue the run, and what does "rescue" mean if it does not blow up but does not learn?

# %% [markdown] tags=["answer"]
# **Answer 4.** With global clipping, the step η·g has norm at most η·c = 1 for the whole
# vector of weights, whatever the gradient; so the weights can never jump to infinity in
# one step, and the loss stays finite for far longer. But a bounded step is not a good
# step: a step of length 1 in a network whose weights have norms of a few units can still
# throw the fit away at every update, and the loss may stay high or jump around. Read
# Prediction 2's line: a run counts as trained to a finite loss there, yet its final loss
# may be far above the reference's. Clipping is a guard against rare huge gradients, not
# a cure for a learning rate that is too high on every step (look at the share of steps
# with ‖G‖ > c).

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** In which real training setups would you clip, by which rule,
# and how would you choose c? Use the gradient-norm plot: what would you log during a long
# run to tell whether clipping is doing its job or hiding a problem?

# %% [markdown] tags=["answer"]
# **Answer 5.** Clipping is common where rare, very large gradients are expected: recurrent
# networks over long sequences, and large transformers, which are usually trained with
# clipping by global norm at about 1. Global norm is the usual choice because it keeps the
# direction of the whole gradient. A sensible c sits a little above the typical norm of a
# healthy run, found by logging ‖G‖ for a while without clipping, so that it bites only on
# the outliers. During a long run, log ‖G‖ before clipping and the share of steps that were
# clipped: if most steps are clipped, the learning rate is too high or something upstream
# (unscaled inputs, a bad initialisation) is wrong, and clipping is hiding it.
