"""Optimizers from scratch: momentum, RMSprop and Adam as real Keras optimizers.

What you learn: how momentum, Nesterov, RMSprop and Adam move on the seeds' toy
functions (a ravine, a steeper ravine, Rosenbrock's banana); that the from-scratch
classes in ``custom/optimizers/`` train a network exactly as Keras' built-ins do;
and the two places where the seeds' formulas and Keras part ways: momentum under a
learning-rate schedule, and where Adam adds its ε.

Follows: seed 000 ("Chapter 3: Learning Algorithms", §3.3 and exercise 3) and
seed 001 ("The Learning Problem", "Optimizers: Beyond Basic SGD").
Run time: about 25 s on 2 CPU cores (about 8 s with --quick), start-up included.
"""

# %% [markdown]
# # Optimizers from scratch
#
# Every optimizer in this lab is a class in `custom/optimizers/`, a real
# `keras.optimizers.Optimizer` whose `update_step` you can read line by line next
# to its equations. The same classes drive a single point across a toy function
# and train a network with `model.fit`; there is no second copy of the maths.
# `custom.optimizers.get(name, implementation="keras")` gives the Keras built-in
# with the same arguments, so we can put the two side by side.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import callbacks
import custom.optimizers
import datasets
from custom.optimizers import trajectories
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("optimizers", {
    "ravine_steps": param(100, minimum=1),       # Seed 000 takes 50 steps on x² + 10y²;
                                                 # 100 shows the slow ones settle.
    "rosenbrock_steps": param(500, minimum=1),   # Seed 001's n_steps on Rosenbrock.
    "momentum": param(0.9, minimum=0, below=1),  # β (EMA form) and γ (classic form):
                                                 # the seeds' "typically 0.9".
    "n_samples": param(600, minimum=20),         # Two moons for part (b): small
                                                 # enough to train in seconds.
    "hidden_units": param(16, minimum=1),        # One hidden layer, as in the tour.
    "epochs": param(30, minimum=1),              # The loss curves have flattened by then.
    "batch_size": param(32, minimum=1),
    "adam_epsilon": param(0.1, above=0),         # A large ε, so that where Adam
                                                 # adds it shows on the curves.
    "run_eagerly": param(False),                 # model.fit traces a graph (full: False).
                                                 # Quick mode's few full-batch steps run
                                                 # eagerly: cheaper than tracing 14 graphs.
}, quick={"rosenbrock_steps": 200, "n_samples": 200, "epochs": 3,  # full: 500, 600, 30
          "batch_size": 256, "run_eagerly": True})                 # full: 32, False

# %% [markdown]
# ## (a) Paths on the seeds' toy functions
#
# Three problems. The ravine f = x² + 10y² from (10, 1) is seed 000's: it is ten
# times steeper across (y) than along (x), so plain gradient descent zig-zags
# across and crawls along. x² + 100y² (seed 000, exercise 3) makes that a
# hundred times. Rosenbrock's f = (1 − x)² + 100(y − x²)² from (−1.5, 2.0) is
# seed 001's: a curved, flat-bottomed valley with its minimum at (1, 1).
#
# Each optimizer gets a learning rate that suits it; the seeds' own values where
# they give one. The classic momentum form v ← γv + ηg takes a rate ten times
# smaller than the EMA form v ← βv + (1−β)g: with a constant η the two are the
# same optimizer once η_classic = η_EMA·(1 − β), and on the plots their paths
# lie on top of each other.

# %%
PROBLEMS = {  # name → (function, start, steps)
    "x² + 10y²": (trajectories.ravine, (10.0, 1.0), lab.ravine_steps),
    "x² + 100y²": (trajectories.steep_ravine, (10.0, 1.0), lab.ravine_steps),
    "Rosenbrock": (trajectories.rosenbrock, (-1.5, 2.0), lab.rosenbrock_steps),
}
MINIMA = {"x² + 10y²": (0.0, 0.0), "x² + 100y²": (0.0, 0.0), "Rosenbrock": (1.0, 1.0)}
LEARNING_RATES = {  # problem → optimizer name → η
    "x² + 10y²": {"sgd": 0.05, "ema_momentum": 0.05, "momentum": 0.005,  # seed 000: 0.05
                  "nesterov": 0.005, "rmsprop": 0.1, "adam": 0.5},
    "x² + 100y²": {"sgd": 0.009, "ema_momentum": 0.02, "momentum": 0.002,  # GD needs η < 0.01
                   "nesterov": 0.002, "rmsprop": 0.1, "adam": 0.5},
    "Rosenbrock": {"sgd": 0.0005, "ema_momentum": 0.01, "momentum": 0.001,  # seed 001's values
                   "nesterov": 0.001, "rmsprop": 0.01, "adam": 0.01},  # for momentum, RMSprop, Adam
}
LABELS = {"sgd": "GD", "ema_momentum": "momentum (EMA, seed 000)",
          "momentum": "momentum (classic, seed 001)", "nesterov": "Nesterov",
          "rmsprop": "RMSprop", "adam": "Adam (textbook ε)"}


def make_optimizer(name, learning_rate):
    """The from-scratch optimizer; Adam with the seeds' ε, as seed 001 writes it."""
    if name == "adam":
        return custom.optimizers.get(name, learning_rate=learning_rate, epsilon=1e-8,
                                     textbook_epsilon=True)
    if name in ("ema_momentum", "momentum", "nesterov"):
        return custom.optimizers.get(name, learning_rate=learning_rate, momentum=lab.momentum)
    return custom.optimizers.get(name, learning_rate=learning_rate)


# One graph per problem runs all six optimizers side by side, each on its own point.
paths = {problem: trajectories.follow_together(
    {name: make_optimizer(name, rate) for name, rate in LEARNING_RATES[problem].items()},
    function, start, steps) for problem, (function, start, steps) in PROBLEMS.items()}

print(f"{'final loss':<30}" + "".join(f"{problem:>14}" for problem in PROBLEMS))
for name in LABELS:
    losses = [float(PROBLEMS[problem][0](paths[problem][name][-1])) for problem in PROBLEMS]
    print(f"{LABELS[name]:<30}" + "".join(f"{loss:>14.3g}" for loss in losses))

# %%
figure, axes = plt.subplots(1, 3, figsize=(17, 5))
for ax, (problem, (function, start, steps)) in zip(axes, PROBLEMS.items()):
    every_point = np.concatenate(list(paths[problem].values()))
    every_point = every_point[np.all(np.isfinite(every_point), axis=1)]
    low, high = every_point.min(axis=0), every_point.max(axis=0)
    margin = 0.1 * (high - low) + 0.1
    grid_x, grid_y = np.meshgrid(np.linspace(low[0] - margin[0], high[0] + margin[0], 200),
                                 np.linspace(low[1] - margin[1], high[1] + margin[1], 200))
    heights = function(np.stack([grid_x, grid_y], axis=-1))  # (200, 200)
    ax.contour(grid_x, grid_y, np.log10(heights + 1e-3), levels=20, cmap="Greys", alpha=0.6)
    for name, path in paths[problem].items():
        style = "--" if name == "momentum" else "-"  # it lies exactly on the EMA path
        marker = "." if steps <= 100 else None  # one dot per step, where they can be told apart
        ax.plot(path[:, 0], path[:, 1], style, marker=marker, markersize=2, linewidth=1.2,
                label=LABELS[name])
    ax.plot(*start, "k*", markersize=12, label="start")
    ax.plot(*MINIMA[problem], "kx", markersize=10, markeredgewidth=2, label="minimum")
    ax.set_title(f"{problem}: {steps} steps")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
axes[0].legend(fontsize=8, loc="upper left")
lab.save_figure(figure, "paths.png")

figure, axes = plt.subplots(1, 3, figsize=(17, 4))
for ax, (problem, (function, _, _)) in zip(axes, PROBLEMS.items()):
    for name, path in paths[problem].items():
        ax.semilogy(function(path), label=LABELS[name])
    ax.set_title(f"{problem}: loss per step")
    ax.set_xlabel("step")
    ax.set_ylabel("f (log scale)")
axes[0].legend(fontsize=8)
lab.save_figure(figure, "path_losses.png")

# %% [markdown]
# What to read from the paths. Gradient descent zig-zags across the ravine and
# crawls along it. Momentum averages the zig-zag away and keeps the along-ravine
# speed; Nesterov, which takes its step from the look-ahead point, overshoots
# less. RMSprop divides by the gradient's own size, so its steps are about η
# long in every direction, however steep the slope: it walks towards the
# minimum at a steady η = 0.1 per step (100 steps barely cover the 10 units)
# and jitters across the ravine by about η. Adam adds momentum to that. On Rosenbrock with seed 001's η = 0.01,
# Adam is *not* the fastest after 500 steps: the seed's "Adam typically
# converges fastest" depends on η.
#
# ## (b) The same classes in `model.fit`, next to their Keras twins
#
# Now each from-scratch optimizer trains a 2-16-1 network on two moons, and so
# does its Keras twin, from the same initial weights and on the same batches.
# While they train, `callbacks.LivePlot` draws every run's loss on shared axes (in
# a terminal, it prints one line per epoch instead).

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=0.2, seed=lab.seed)
(x_train, y_train), _ = datasets.train_val_split(x, y, 0.25, seed=lab.seed)
x_train = datasets.Standardizer().fit(x_train).transform(x_train)  # (n, 2)


def train(optimizer, live_run):
    """Fit a fresh 2-16-1 network, always from the same initial weights; return it and its losses.

    ``live_run`` is the run's callback on a ``callbacks.LivePlot``, which draws the curves
    while the network trains (one line per epoch in a terminal).
    """
    keras.utils.set_random_seed(lab.seed)
    model = keras.Sequential([keras.Input(shape=(2,)),
                              keras.layers.Dense(lab.hidden_units, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", run_eagerly=lab.run_eagerly)
    history = model.fit(x_train, y_train, epochs=lab.epochs, batch_size=lab.batch_size,
                        shuffle=False, verbose=0, callbacks=[live_run])
    return model, history.history["loss"]


TWIN_RATES = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.005, "adam": 0.01}
live = callbacks.LivePlot(title="custom and Keras optimizers on two moons")
curves, gaps = {}, {}
for name, rate in TWIN_RATES.items():
    ours, curves[name, "custom"] = train(custom.optimizers.get(name, learning_rate=rate),
                                         live.run(f"{name} custom"))
    theirs, curves[name, "keras"] = train(custom.optimizers.get(name, implementation="keras",
                                                                learning_rate=rate),
                                          live.run(f"{name} keras"))
    gaps[name] = max(float(np.max(np.abs(a - b)))
                     for a, b in zip(ours.get_weights(), theirs.get_weights()))

print(f"\n{'optimizer':<10} {'η':>6} {'final loss (custom)':>20} {'(keras)':>9} "
      f"{'max |Δ weight|':>15}")
for name, rate in TWIN_RATES.items():
    print(f"{name:<10} {rate:>6} {curves[name, 'custom'][-1]:>20.5f} "
          f"{curves[name, 'keras'][-1]:>9.5f} {gaps[name]:>15.1e}")

# %%
figure, ax = plt.subplots(figsize=(8, 5))
epochs = np.arange(1, lab.epochs + 1)
for name in TWIN_RATES:
    line, = ax.plot(epochs, curves[name, "custom"], linewidth=3, alpha=0.5,
                    label=f"{name} (custom)")
    ax.plot(epochs, curves[name, "keras"], "o", markersize=3, color=line.get_color(),
            label=f"{name} (keras)")
ax.set_title("custom (thick lines) and Keras (dots) coincide")
ax.set_xlabel("epoch")
ax.set_ylabel("training binary cross-entropy")
ax.legend(fontsize=8, ncol=2)
lab.save_figure(figure, "twins.png")

# %% [markdown]
# ## Where the seeds and Keras part ways
#
# **Momentum under a schedule.** Keras' SGD is seed 001's classic form:
# v ← γv + ηg, w ← w − v (Keras stores −v, which changes nothing). Seed 000's
# EMA form is v ← βv + (1−β)g, w ← w − ηv. With a constant η they are the same
# optimizer (η_classic = η_EMA·(1−β)). When a schedule cuts η, the EMA form cuts
# the *whole* step at once, while the classic velocity still carries steps taken
# at the old η and fades over about 1/(1−γ) = 10 steps. Below, η drops tenfold
# halfway through training.
#
# **Adam's ε.** Seed 001 divides by √v̂ + ε. Keras folds the bias correction
# into the step size and divides by √v + ε, which is the textbook rule with ε
# replaced by ε/√(1−β₂ᵗ): about 32·ε at the first step for β₂ = 0.999, tending
# to ε later. With the tiny default ε the difference is invisible; with
# ε = 0.1 it shows.

# %%
steps_per_epoch = int(np.ceil(len(x_train) / lab.batch_size))
drop_at = steps_per_epoch * (lab.epochs // 2)


def dropping(rate):
    """η, then η/10 from halfway through training."""
    return keras.optimizers.schedules.PiecewiseConstantDecay([drop_at], [rate, rate / 10])


ema_rate = 0.5
live = callbacks.LivePlot(title="where the seeds and Keras part ways")
_, ema_curve = train(custom.optimizers.EMAMomentum(dropping(ema_rate), momentum=lab.momentum),
                     live.run("EMA momentum"))
_, classic_curve = train(custom.optimizers.get("momentum", implementation="keras",
                                               learning_rate=dropping(ema_rate * (1 - lab.momentum)),
                                               momentum=lab.momentum),
                         live.run("classic momentum"))
_, adam_textbook = train(custom.optimizers.Adam(0.01, epsilon=lab.adam_epsilon,
                                                textbook_epsilon=True), live.run("Adam textbook ε"))
_, adam_keras = train(custom.optimizers.get("adam", implementation="keras", learning_rate=0.01,
                                            epsilon=lab.adam_epsilon), live.run("Adam Keras ε"))
print(f"\nmomentum, η dropped at epoch {lab.epochs // 2}: final loss EMA form "
      f"{ema_curve[-1]:.5f}, classic (Keras) form {classic_curve[-1]:.5f}")
print(f"Adam, ε = {lab.adam_epsilon}: final loss textbook ε {adam_textbook[-1]:.5f}, "
      f"Keras ε {adam_keras[-1]:.5f}")

# %%
figure, (left, middle, right) = plt.subplots(1, 3, figsize=(17, 4.5))
left.plot(epochs, ema_curve, label=f"EMA form, η = {ema_rate} → {ema_rate / 10}")
left.plot(epochs, classic_curve, "--", label="classic form (Keras), η·(1−β)")
left.axvline(lab.epochs // 2 + 0.5, color="grey", linestyle=":", label="η drops tenfold")
left.set_title("momentum: same optimizer until η changes")
left.set_xlabel("epoch")
left.set_ylabel("training binary cross-entropy")
left.legend(fontsize=8)

step = np.arange(1, 2001)
middle.loglog(step, np.full(step.shape, lab.adam_epsilon), label="textbook: ε")
middle.loglog(step, lab.adam_epsilon / np.sqrt(1 - 0.999 ** step), label="Keras: ε / √(1−β₂ᵗ)")
middle.set_title("Adam: the ε added to √v̂")
middle.set_xlabel("step t")
middle.set_ylabel("effective ε")
middle.legend(fontsize=8)

right.plot(epochs, adam_textbook, label="textbook ε (seed 001)")
right.plot(epochs, adam_keras, "--", label="Keras ε")
right.set_title(f"Adam with ε = {lab.adam_epsilon}, η = 0.01")
right.set_xlabel("epoch")
right.set_ylabel("training binary cross-entropy")
right.legend(fontsize=8)
lab.save_figure(figure, "part_ways.png")

# %% [markdown]
# The left panel: identical curves until the drop, then the EMA form slows at
# once while the classic form coasts on its velocity. The right panel: Keras'
# larger early ε makes its first steps smaller, so it starts slower. Neither is
# a bug; they are two definitions, and a lab that says "momentum" or "Adam"
# should say which one it means. Swap any lab's optimizer with
# `--optimizer NAME --impl custom|keras` (in a notebook's parameters cell,
# `optimizer = "NAME"` and `impl = "keras"`).

# %%
lab.finish()
