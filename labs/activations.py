"""Activations and their derivatives: ReLU, Leaky ReLU, Swish, GELU, saturation, dead ReLUs.

What you learn: the shape of four activations and of their derivatives, which
``tf.GradientTape`` computes from the function alone (and which match the formulas in
``custom/activations.py``); how sigmoid and tanh saturate (σ′ ≤ 0.25, tanh′ ≤ 1, both
near 0 for large |z|) and what that does to the gradient of each layer of a deep stack,
beside ReLU; why a derivative that is exactly 0 for negative inputs can switch off whole
layers of a deep ReLU network started with a large negative bias; and whether Leaky
ReLU's small slope lets the same network recover.

Follows: the class session plan (week 3: activations as gatekeepers and their
derivatives) and "Learning Algorithms" (the ReLU derivative in the backward pass).
Run time: about 12 s on 2 CPU cores (about 13 s with --quick), start-up included.
"""

# %% [markdown]
# # Activations and their derivatives
#
# An activation decides how much of a unit's input z passes on. During backprop, its
# derivative g′(z) multiplies every gradient that flows back through the unit: where
# g′(z) = 0, nothing flows and the weights feeding the unit cannot learn.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import datasets
from custom import activations
from labs.machinery import runtime
from labs.helpers import activations as saturation
from labs.helpers import activations_dead as dead
from labs.machinery.runtime import param

lab = runtime.start("activations", {
    # The session plan's example slope for negative inputs (Keras' default is 0.2).
    "leaky_slope": param(0.1, minimum=0, maximum=1),
    "depth": param(6, minimum=1),                   # Hidden layers in the dead-ReLU
                                                    # network: deep enough to die.
    "width": param(32, minimum=1),                  # Units per hidden layer (both deep nets).
    "stack_depth": param(10, minimum=2),            # Hidden layers in the saturation stack:
                                                    # deep enough for slopes to compound.
    "large_weight_scale": param(4.0, above=0),      # The stack again, weights this many
                                                    # times Keras' default: large |z|.
    "negative_bias": param(-1.0),                   # Every hidden bias starts here,
                                                    # pushing units below zero.
    "n_samples": param(256, minimum=8),             # Two moons, trained full batch.
    "epochs": param(150, minimum=1),                # Full-batch Adam steps; Leaky
                                                    # ReLU has recovered by then.
    "learning_rate": param(0.01, above=0),          # Adam.
}, quick={"epochs": 60})       # Full run: 150 epochs.
GUESSING = float(np.log(2.0))      # the loss of predicting 50/50 on every sample
MOVED = 0.01                       # "moved away" from log 2: by more than this
FORMULA_TOLERANCE = 1e-6           # Keras against custom.activations' formulas (float32 ops)
SLOPE_TOLERANCE = 1e-7             # GradientTape against the formulas, on a float64 grid
PEAK_TOLERANCE = 1e-12             # The measured peak slopes against σ′(0) = ¼, tanh′(0) = 1

# %% [markdown]
# ## 1. Four activations and their derivatives
#
# | name | g(z) | g′(z) |
# |---|---|---|
# | ReLU | max(0, z) | 1 if z > 0, else 0 |
# | Leaky ReLU | z if z > 0, else α·z | 1 if z > 0, else α |
# | Swish (Keras: `silu`) | z·σ(z) | σ(z) + z·σ(z)·(1 − σ(z)) |
# | GELU | z·Φ(z) | Φ(z) + z·φ(z) |
#
# Φ and φ are the standard normal distribution and density. We take Keras' functions,
# let `GradientTape` differentiate them, and compare both with the formulas above, written
# in NumPy in `custom/activations.py`.

# %% [markdown] tags=["prediction"]
# **Predict 1.** At z = −3, a unit well below zero, which of the four activations have a
# negative slope g′(−3), so that they pass the gradient back with its sign flipped?
# - (a) none of them
# - (b) Leaky ReLU only
# - (c) Swish only
# - (d) GELU only
# - (e) Swish and GELU
# - (f) another set of them

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %%
z_values = np.linspace(-4.0, 4.0, 801)   # float64; 0 itself is a grid point (ReLU's kink)
keras_functions = {
    "ReLU": (keras.activations.relu, "relu", {}),
    f"Leaky ReLU (α = {lab.leaky_slope})": (
        lambda z: keras.activations.leaky_relu(z, negative_slope=lab.leaky_slope),
        "leaky_relu", {"negative_slope": lab.leaky_slope}),
    "Swish": (keras.activations.silu, "swish", {}),
    "GELU": (lambda z: keras.activations.gelu(z, approximate=False), "gelu", {}),
}
curves, errors, table = saturation.compare_with_formulas(keras_functions, z_values)
for name, (value_error, slope_error) in errors.items():
    lab.check(value_error < FORMULA_TOLERANCE and slope_error < FORMULA_TOLERANCE,
              f"{name}: Keras and custom.activations differ by {value_error:.1e} (values), "
              f"{slope_error:.1e} (slopes)")
approximation = np.abs(keras.activations.gelu(z_values, approximate=True).numpy()
                       - curves["GELU"][0]).max()
print(f"GELU's tanh approximation (approximate=True) differs from the exact form by at most "
      f"{approximation:.1e}")
minus_three = int(np.argmin(np.abs(z_values + 3)))              # the grid point z = −3
slopes_at_minus_three = {name: float(derivative[minus_three])
                         for name, (_, derivative) in curves.items()}
largest = max(slopes_at_minus_three.values())
widest = [name for name, slope in slopes_at_minus_three.items() if slope == largest]
negative = [name for name, slope in slopes_at_minus_three.items() if slope < 0]
negatives = ", ".join(f"{name} {slopes_at_minus_three[name]:.4f}" for name in negative)
leaky_name = list(keras_functions)[1]
negative_sets = {(): "a", (leaky_name,): "b", ("Swish",): "c", ("GELU",): "d",
                 ("Swish", "GELU"): "e"}                    # any other set: (f)
slopes_shown = lab.reveal(
    1, f"at z = −3 the largest slope is {largest:.4f}, from {' and '.join(widest)}; "
       + (f"negative: {negatives}." if negative else "none is negative."),
    answer=negative_sets.get(tuple(negative), "f"),
    slopes=slopes_at_minus_three, largest=widest, negative=negative)
if slopes_shown:
    print("\n".join(table))
lowest = {name: (float(values.min()), float(z_values[np.argmin(values)]))
          for name, (values, _) in curves.items() if name in ("Swish", "GELU")}
print("lowest values: " + ", ".join(f"{name} {value:.3f} at z = {at_z:.2f}"
                                    for name, (value, at_z) in lowest.items()))
relu_slope_at_zero = float(curves["ReLU"][1][np.argmin(np.abs(z_values))])
print(f"ReLU's slope at z = 0, by GradientTape: {relu_slope_at_zero:g}")
lab.record("smooth_dips", lowest=lowest, relu_slope_at_zero=relu_slope_at_zero)

# %% [markdown]
# ReLU's slope is exactly 0 for every negative input: a *switch*. Leaky ReLU keeps a
# trickle α. Swish and GELU are smooth; they dip slightly below 0 (the lowest values are
# printed above), and for moderately negative inputs their slope is small, even negative,
# but not zero. At z = 0 ReLU has a kink; the slope printed above is the one TensorFlow
# uses there, and `custom.activations` uses 0 as well.

# %%
lab.save_figure(saturation.plot_activations(z_values, curves), "activations.png")

# %% [markdown]
# ## 2. Saturation: sigmoid and tanh beside ReLU
#
# | name | g(z) | g′(z) | largest slope |
# |---|---|---|---|
# | sigmoid | σ(z) = 1 / (1 + e^(−z)) | σ(z)·(1 − σ(z)) | 1/4, at z = 0 (σ = ½) |
# | tanh | 2σ(2z) − 1 | 1 − tanh²(z) = 4·σ′(2z) | 1, at z = 0 |
# | ReLU | max(0, z) | 1 if z > 0, else 0 | 1, for every z > 0 |
#
# Sigmoid and tanh flatten out on both sides: for a large |z| the output hardly changes,
# so the slope is nearly 0 and the unit is *saturated*. We call a unit saturated where its
# slope is below 1 % of its largest slope, and find on a grid where that starts.

# %%
wide_z = np.linspace(-8.0, 8.0, 1601)                 # float64, step 0.01, 0 on the grid
saturating = {"sigmoid": keras.activations.sigmoid, "tanh": keras.activations.tanh,
              "ReLU": keras.activations.relu}
wide_slopes, edges = {}, {}
for name, function in saturating.items():
    _, wide_slopes[name] = saturation.slopes(function, wide_z)          # by GradientTape
    ours = activations.get(name.lower())[1](wide_z)                      # custom/activations.py
    lab.check(np.abs(wide_slopes[name] - ours)[np.abs(wide_z) > 1e-9].max() < SLOPE_TOLERANCE,
              f"{name}: GradientTape's slope and custom.activations' formula differ")
for name in ("sigmoid", "tanh"):
    edges[name] = saturation.saturation_edge(wide_z, wide_slopes[name])
    print(f"{name:<8} largest slope {wide_slopes[name].max():.4f} at z = "
          f"{wide_z[np.argmax(wide_slopes[name])]:+.2f}; "
          f"below 1 % of it for |z| > {edges[name]:.2f}")
peaks = {name: float(wide_slopes[name].max()) for name in ("sigmoid", "tanh")}
lab.record("saturation", peaks=peaks, edges=edges, below_fraction=saturation.SATURATED_BELOW)
lab.check(abs(peaks["sigmoid"] - 0.25) < PEAK_TOLERANCE
          and abs(peaks["tanh"] - 1.0) < PEAK_TOLERANCE,
          f"the measured peaks {peaks} are not σ′(0) = 0.25 and tanh′(0) = 1")

# %% [markdown]
# ### Slopes multiply through depth
#
# Backprop carries the gradient from the output down, layer by layer:
# ∂L/∂a_{l−1} = W_l · (g′(z_l) ⊙ ∂L/∂a_l). Every layer multiplies it by its slopes and its
# weights. With σ′ ≤ 1/4, a sigmoid layer can only shrink it unless its weights are large,
# and `stack_depth` layers compound the shrinking. We build one stack of `stack_depth`
# hidden layers per activation, all starting from the same weights (Keras' default, Glorot
# uniform), and measure with `GradientTape` the gradient of each layer's kernel on the
# two moons, before any training.

# %% [markdown] tags=["prediction"]
# **Predict 2.** In each stack, divide the first hidden layer's gradient norm ‖∂L/∂W₁‖ by
# the last hidden layer's. Which activation gives the smallest ratio, the strongest
# vanishing?
# - (a) sigmoid
# - (b) tanh
# - (c) ReLU

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b" or "c"

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=0.2, seed=lab.seed)
x = datasets.Standardizer().fit(x).transform(x)      # (n_samples, 2)
default_stack = saturation.measure_stack(saturating, x, y, lab.stack_depth, lab.width, 1.0,
                                         lab.seed)
ratios = {name: float(measured["norms"][0] / measured["norms"][-1])
          for name, measured in default_stack.items()}
smallest = min(ratios, key=ratios.get)
ratios_shown = lab.reveal(
    2, f"first/last gradient ratio over {lab.stack_depth} layers: "
       + ", ".join(f"{name} {ratio:.1e}" for name, ratio in ratios.items())
       + f"; the smallest is {smallest}'s, about 10^{np.log10(ratios[smallest]):.0f}.",
    answer={"sigmoid": "a", "tanh": "b", "ReLU": "c"}[smallest],
    ratios=ratios, smallest=smallest,
    mean_slopes={name: float(measured["mean_slopes"].mean())
                 for name, measured in default_stack.items()})
if ratios_shown:
    saturation.print_stack(default_stack, "weights 1 × Glorot")

# %% [markdown]
# Read the "mean g′" rows: each is the average slope a layer multiplies the gradient by.
# A sigmoid layer's is at most 1/4, a tanh layer's at most 1, and a ReLU layer's is the
# share of its units that are switched on. The weights multiply too, so the ratio is not
# simply the product of the slopes, but a factor below 1 at every layer compounds over
# `stack_depth` layers.
#
# ### When saturation happens: large pre-activations
#
# Saturation needs a large |z|: large inputs, large weights or large biases. We start the
# same stacks with every weight `large_weight_scale` times larger, so every z is larger.

# %% [markdown] tags=["prediction"]
# **Predict 3.** With the weights `large_weight_scale` times larger, what share of the tanh
# units will be saturated (slope below 1 % of its peak) in layers 2 to `stack_depth`, and
# will tanh's first-layer gradient grow or shrink?
# - (a) under 5 % saturated, and the first layer's gradient grows
# - (b) under 5 % saturated, and it shrinks
# - (c) 5 % to 30 % saturated, and it grows
# - (d) 5 % to 30 % saturated, and it shrinks
# - (e) over 30 % saturated, and it grows
# - (f) over 30 % saturated, and it shrinks

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %%
large_stack = saturation.measure_stack(saturating, x, y, lab.stack_depth, lab.width,
                                       lab.large_weight_scale, lab.seed)
tanh_before, tanh_after = default_stack["tanh"], large_stack["tanh"]
deeper_share = float(tanh_after["saturated"][1:].mean())     # layers 2 to stack_depth
growth = float(tanh_after["norms"][0] / tanh_before["norms"][0])
share_band = 0 if deeper_share < 0.05 else 1 if deeper_share <= 0.30 else 2   # the choices' bands
saturation_shown = lab.reveal(
    3, f"with weights {lab.large_weight_scale:g} times larger, "
       f"{deeper_share:.0%} of the tanh units in layers 2 to {lab.stack_depth} are "
       f"saturated (before: {float(tanh_before['saturated'][1:].mean()):.0%}), their "
       f"mean slope falls from {float(tanh_before['mean_slopes'].mean()):.2f} to "
       f"{float(tanh_after['mean_slopes'].mean()):.2f}, and the first layer's gradient "
       f"{'grows' if growth > 1 else 'shrinks'} {growth if growth > 1 else 1 / growth:.1f} "
       "times.",
    answer="abcdef"[2 * share_band + (0 if growth > 1 else 1)],
    deeper_share=deeper_share,
    deeper_share_before=float(tanh_before["saturated"][1:].mean()),
    mean_slope_before=float(tanh_before["mean_slopes"].mean()),
    mean_slope_after=float(tanh_after["mean_slopes"].mean()),
    first_norm_before=float(tanh_before["norms"][0]),
    first_norm_after=float(tanh_after["norms"][0]), growth=growth)
if saturation_shown:
    saturation.print_stack(large_stack, f"weights {lab.large_weight_scale:g} × Glorot")

# %% [markdown]
# Two effects pull against each other in Predict 3: larger weights multiply the gradient
# on its way down by about `large_weight_scale` per layer, and saturated units multiply it
# by almost 0. Which one wins depends on how many units saturate, so look at the tables
# rather than guess. In the figure: left, the slopes with the saturated regions shaded;
# middle, each layer's gradient norm (log scale), solid with Keras' default weights,
# dashed with the larger ones; right, the share of saturated (for ReLU: switched-off) units.

# %%
figure, (left, middle, right) = plt.subplots(1, 3, figsize=(16, 4.4))
saturation.plot_slopes(left, wide_z, wide_slopes, edges)
saturation.plot_stacks(middle, right, {"default weights": default_stack,
                                        f"× {lab.large_weight_scale:g}": large_stack})
lab.save_figure(figure, "saturation.png")

# %% [markdown]
# ## 3. Dead ReLUs
#
# A unit is *dead* on a data set when its input z is negative for every sample: a ReLU
# then outputs 0 and passes back a gradient of exactly 0, so the weights feeding it never
# change. Start a deep network with every hidden bias at a large negative value and the
# signal can shrink layer by layer until whole layers are dead; where one is, no gradient
# reaches anything below it. We compare the same network, with the same initial weights, built
# with Leaky ReLU, whose negative side still passes α times the gradient.

# %% [markdown] tags=["prediction"]
# **Predict 4.** Both networks below start with every hidden bias at `negative_bias` and
# train for `epochs` full-batch Adam steps on the two moons. Which of the two networks'
# losses will move away (by more than 0.01) from log 2 ≈ 0.693, the loss of guessing 50/50?
# - (a) both
# - (b) the ReLU network's only
# - (c) the Leaky ReLU network's only
# - (d) neither

# %% tags=["your-prediction"]
lab.predict(4, None)  # your answer: "a", "b", "c" or "d"

# %%
leaky = lambda z: keras.activations.leaky_relu(z, negative_slope=lab.leaky_slope)
results, changes = {}, {}
for name, activation in (("ReLU", "relu"), (f"Leaky ReLU (α = {lab.leaky_slope})", leaky)):
    model, probe = dead.deep_network(activation, lab.depth, lab.width, lab.negative_bias, lab.seed)
    before, gradients = dead.dead_fraction(probe, x), dead.kernel_gradient_norms(model, x, y)
    history, kernel_changes = dead.train_full_batch(model, x, y, lab.epochs, lab.learning_rate)
    results[name] = (before, dead.dead_fraction(probe, x), gradients, history)
    changes[name] = kernel_changes[:lab.depth]                  # max |ΔW| per hidden layer
summary = dead.summarise(results, changes, GUESSING, MOVED)   # losses, moved, frozen layers
relu_moved, leaky_moved = (facts["moved"] for facts in summary.values())   # ReLU first
dead_shown = lab.reveal(
    4, "; ".join(dead.told(name, facts, MOVED) for name, facts in summary.items()) + ".",
    answer={(True, True): "a", (True, False): "b", (False, True): "c",
            (False, False): "d"}[relu_moved, leaky_moved],
    summary=summary, guessing_loss=GUESSING, moved_threshold=MOVED)
if dead_shown:   # The table's losses answer Predict 4.
    dead.print_table(results, changes, lab.depth)

# %% [markdown]
# Why the two can differ: where a whole ReLU layer is dead, its slope is *exactly* zero
# for every sample, so no gradient reaches that layer's kernel or anything below it, and
# those weights cannot change (the "max|ΔW|" row shows which layers moved). A dead last
# layer passes nothing at all to the output, which then sees the same input for every
# sample and can at best guess, at the loss log 2. The Leaky ReLU network starts with just
# as many units below zero, but its gradients, though tiny (each such layer multiplies them
# by about α), are not zero, and Adam divides each step by the gradient's typical size, so
# tiny gradients still move the weights and units can come back to life. No optimizer can
# rescale an exact zero. The simplest fix is to start the biases at 0 (Keras' default).

# %%
lab.save_figure(dead.figure(results, summary, lab.depth, lab.epochs, lab.negative_bias, GUESSING),
                "dead_relu.png")

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (on the command line, the flag of the
# same name: `leaky_slope = 0.01` is `--leaky-slope 0.01`) and run the lab again. The
# numbers quoted in the answers are from full mode with seed 0.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Try `leaky_slope = 0.01` (a common default elsewhere) and
# `leaky_slope = 0.3`. Does the Leaky ReLU network still recover from the negative biases
# within `epochs` steps? How do the final loss and accuracy change with α?

# %% [markdown] tags=["answer"]
# **Answer 1.** It recovers in both, but more slowly with the smaller slope: with α = 0.01
# the loss falls from 0.693 to 0.237 (accuracy 92 %), with the default α = 0.1 to 0.016
# (99 %), with α = 0.3 to 0.035 (98 %). Every layer below zero multiplies the gradient by
# about α, so with α = 0.01 the signal reaching the lower layers is ten times weaker per
# such layer than with 0.1; Adam's rescaling makes up for much of it, not all. A larger α
# is not simply better: 0.3 ends above 0.1 here. The closer α is to 1, the closer the
# activation is to a straight line, and a stack of straight lines draws a straight
# boundary.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Set `negative_bias = 0`, Keras' default bias. Predict first: does
# the ReLU network now learn? Then run, and read the "dead" rows of the table.

# %% [markdown] tags=["answer"]
# **Answer 2.** Yes: with biases at 0 the ReLU network's loss falls from 0.841 to 0.020
# (accuracy 99 %) and every hidden layer changes; Leaky ReLU reaches 0.026. With a zero
# bias a unit is switched on for about half of the inputs (those on one side of its line),
# so few units are dead on *every* sample and the gradient has a path to every layer. Dead
# ReLUs need a push below zero: a large negative bias, or a large learning rate that
# knocks the weights there during training.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Derive the two facts the saturation section measured: σ′(z) =
# σ(z)(1 − σ(z)) is at most 1/4, and tanh′(z) = 1 − tanh²(z) = 4σ′(2z) is at most 1. Then
# find by hand where each slope falls to 1 % of its peak, and compare with the printed
# edges. Why is tanh's edge half the sigmoid's?
# *Syllabus: Session plan, activations.*

# %% [markdown] tags=["answer"]
# **Answer 3.** With s = σ(z) ∈ (0, 1), s(1 − s) is a parabola with its top at s = ½, that
# is z = 0, where it is ¼. From tanh(z) = 2σ(2z) − 1, the chain rule gives tanh′(z) =
# 2·σ′(2z)·2 = 4σ′(2z) ≤ 4·¼ = 1. For 1 % of the peak, solve s(1 − s) = 0.0025:
# s = (1 + √0.99)/2, z = ln(s/(1 − s)) ≈ 5.99; and 1 − tanh²(z) = 0.01 gives
# z = artanh(√0.99) ≈ 2.99. The grid (step 0.01) prints 5.98 and 2.99, the last grid points
# still at or above 1 %. Because tanh′(z) = 4σ′(2z), tanh reaches any fraction of its peak
# at half the z where the sigmoid does.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Set `stack_depth = 20`. Before running, use the ten-layer ratio of
# Predict 2 to predict the sigmoid's ratio for twenty layers, assuming every layer
# multiplies the gradient by the same factor. Run it and compare. What is the factor per
# layer, and how does it relate to the "mean g′" row?

# %% [markdown] tags=["answer"]
# **Answer 4.** Ten layers gave 8.9e-07, so nine layer-to-layer steps multiply by
# (8.9e-07)^(1/9) ≈ 0.21 each; nineteen steps predict 0.21^19 ≈ 1e-13. The run gives
# 8.2e-13, a factor of 0.23 per layer. That factor is close to the mean slope, 0.24: with
# Glorot's weights and equal widths, the weights keep the gradient's size about the same,
# so what is left is the slope, at most ¼ for a sigmoid. Tanh's ratio stays near 0.2
# (0.17, then 0.20) and ReLU's between 1 and 2 (1.6, then 1.3): their slopes are near 1,
# or 1 for the half of the units that are on, so the shrinking does not compound.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Add Swish and GELU to the saturation stacks (the
# `saturating` dictionary: `"swish": keras.activations.silu` and
# `"gelu": keras.activations.gelu`, with their names in lower case). Where do they fall
# between sigmoid, tanh and ReLU, and why? Would you use a sigmoid in the hidden layers of
# a deep network, and where is a sigmoid still the right choice?

# %% [markdown] tags=["answer"]
# **Answer 5.** With seed 0 and Keras' default weights, both sit near tanh: a first/last
# ratio of 0.22 (Swish) and 0.21 (GELU), against 0.17 for tanh, 1.6 for ReLU and 9e-07 for
# the sigmoid; their mean slopes are about 0.5, like ReLU's, since both behave like ReLU
# away from 0 but are smooth near it. None of them saturates for large positive z, which
# is why they, and ReLU, replaced the sigmoid in hidden layers. The sigmoid stays the right
# output for a binary probability, where one layer of σ′ ≤ ¼ costs little and the
# cross-entropy's derivative cancels it (the gradient at the logit is ŷ − y).
