"""Initialization: why the starting scale of the weights decides whether a deep network learns.

What you learn: the variance argument behind Glorot's and He's rules (fan-in, fan-out and
the factor 2 for ReLU), derived and then measured layer by layer through a 20-layer MLP
under zeros, a too-small and a too-large normal, Glorot and He, with tanh and with ReLU;
why weights that all start equal stay equal (symmetry); Glorot and He written from scratch
as Keras initializers (``custom/initializers.py``) and checked against ``keras.initializers``;
and what ``DiagnosticsLogger`` finds when the same net is trained from each start
(vanishing gradients, exploding gradients, dead units).

Follows: "Learning Algorithms" (the dense layer's weights drawn as randn · √(2/n_in), and
"the initialization must be reasonable") and "The Learning Problem" (the XOR network's
weights drawn as randn · 0.5).
Run time: about 24 s on 2 CPU cores (about 15 s with --quick), start-up included.
"""

# %% [markdown]
# # Initialization
#
# Gradient descent has to start somewhere. "Learning Algorithms" says only that the starting
# weights "must be reasonable", and its dense layer draws them as `randn · √(2/n_in)`. This
# lab works out where that √(2/n_in) comes from, and measures what happens without it.

# %%
import keras
import numpy as np
import pandas

import callbacks
import datasets
from custom import initializers
from labs.machinery import runtime
from labs.helpers import initialization
from labs.helpers import initialization_report as report
from labs.machinery.runtime import param

lab = runtime.start("initialization", {
    "depth": param(20, minimum=2),              # Hidden layers: deep enough for a factor per
                                                # layer to compound into orders of magnitude.
    "width": param(128, minimum=2),             # Units per hidden layer (n_in = n_out = width).
    "small_std": param(0.01, above=0),          # The too-small normal: σ = 0.01, a common
                                                # "small random numbers" choice.
    "large_std": param(1.0, above=0),           # The too-large normal: plain randn.
    "probe_size": param(512, minimum=2),        # Digits the statistics are measured on.
    "train_activation": param("relu", choices=("relu", "tanh")),  # The trained nets' units.
    "epochs": param(10, minimum=1),             # SGD epochs for each start.
    "learning_rate": param(0.01, above=0),      # SGD with momentum 0.9.
    "batch_size": param(64, minimum=1),
    "constant": param(0.5),                     # Every weight of the symmetric net.
    "symmetry_epochs": param(20, minimum=1),    # Adam epochs on the two moons.
    "alpha": param(0.01, above=0, below=1),     # Significance of the two-sample test.
}, quick={"depth": 10, "epochs": 4, "symmetry_epochs": 8})  # Full run: 20 layers,
                                                                # 10 and 20 epochs.
TOLERANCE = 1e-6   # Two units are the same when their weights differ by less than this
                   # (float32 precision, relative to the largest weight).
SAME_SEED_TOLERANCE = 1e-6   # Ours and Keras' draws with one seed, relative to the largest.
HAND_PASS_TOLERANCE = 1e-5   # The hand-written forward pass against the model's (float32).
SYMMETRY_DATA = {"n_samples": 512, "noise": 0.2}   # The two moons of the symmetric net.
SYMMETRY_NET = {"depth": 3, "width": 16, "learning_rate": 0.01, "batch_size": 64}  # tanh, Adam
SGD_MOMENTUM = 0.9           # The trained nets' SGD momentum.
PROBE_DIGITS = 256           # Training digits DiagnosticsLogger measures the gradients on.
VALIDATION_SHARE = 0.2       # Digits held out for validation in section 5.

# %% [markdown]
# ## 1. The variance argument
#
# A dense layer computes z = a·W + b from the n_in activations a of the layer below, with
# biases b = 0 at the start. Draw every weight independently with mean 0 and variance
# Var(W). A sum of n_in independent terms has the sum of their variances:
#
# Var(z) = n_in · Var(W) · E[a²]          (forward)
#
# * **tanh** has slope 1 at 0, so for small z, a ≈ z and E[a²] ≈ Var(z). The variance stays
#   the same from layer to layer when n_in · Var(W) = 1.
# * **ReLU** sets the negative half of z to 0. For z symmetric about 0, E[a²] = Var(z)/2:
#   half the variance is lost at every layer, unless n_in · Var(W) = 2. That is the factor
#   2 of He's rule, Var(W) = 2/n_in, the √(2/n_in) of "Learning Algorithms".
#
# The backward pass runs the layer above the other way: ∂L/∂a = ∂L/∂z_next · Wᵀ with
# ∂L/∂z_next = g′(z_next) ⊙ ∂L/∂a_next, a sum over the n_out units above:
#
# Var(∂L/∂a) = n_out · Var(W) · E[g′(z_next)²] · Var(∂L/∂a_next)          (backward)
#
# and keeping *that* constant asks for n_out · Var(W) = 1 (tanh) or 2 (ReLU, E[g′²] = ½).
# Glorot and Bengio take the compromise Var(W) = 2/(n_in + n_out); He et al. take the
# forward condition, Var(W) = 2/n_in. With equal widths both conditions agree, and every
# layer multiplies the variance by the same factor n · Var(W) · ½ (ReLU). Over `depth`
# layers, the standard deviation of the last hidden layer over the first's is then
#
# (n · Var(W) / 2)^((depth − 1)/2)
#
# which is exactly 1 under He, (½)^((depth−1)/2) under Glorot with ReLU, and for a normal
# of standard deviation σ, (n·σ²/2)^((depth−1)/2): a factor a little off 1 becomes orders
# of magnitude after twenty layers. All-zero weights give z = 0 everywhere: no signal at all.
# The formula is an average over random weights; section 3 measures one draw.

# %% [markdown]
# ## 2. Glorot and He from scratch
#
# `custom/initializers.py` writes both rules as Keras initializers: the variance from the
# shape's fans, then draws of that variance. Keras' `GlorotNormal` and `HeNormal` draw from
# a normal *truncated* at ±2σ and widen σ by 1/0.8796 to make up for the cut tails; ours
# derive that constant instead of copying it. Three checks against `keras.initializers` on
# one width × 4·width kernel: with the same seed, the same draws; the sample variance against
# the rule's; and a two-sample Kolmogorov-Smirnov test between our draws and Keras' drawn
# with *another* seed, at significance `alpha`: a p-value above it means the test cannot
# tell the two samples apart.

# %%
shape = (lab.width, 4 * lab.width)              # n_in ≠ n_out, so the two rules differ
twins = {"Glorot": (initializers.Glorot, keras.initializers.GlorotNormal),
         "He": (initializers.He, keras.initializers.HeNormal)}
for rule, found in report.compare_with_keras(twins, shape, lab.seed, lab.alpha).items():
    keras_scale = found.pop("keras_scale")          # the largest |w| Keras drew
    lab.record(f"keras_{rule}", **found)
    lab.check(found["same_seed"] <= SAME_SEED_TOLERANCE * keras_scale,
              f"{rule}: with one seed ours and Keras' draws differ by {found['same_seed']:.1e}")

# %% [markdown]
# ## 3. A deep net, five starts
#
# The net: 64 digit pixels in, `depth` hidden layers of `width` units, 10 softmax outputs.
# Every kernel comes from one of five starts, every bias is 0. On `probe_size` digits we run
# the forward pass by hand, layer by layer, inside one `GradientTape`
# (`labs/helpers/initialization.py`),
# and read at each hidden layer the standard deviation of its activations a and of the
# gradient ∂L/∂a of the cross-entropy with respect to them.

# %% [markdown] tags=["prediction"]
# **Predict 1.** In the ReLU net, the standard deviation of the activations changes by
# some factor from the first hidden layer to the last. Under which of Glorot, He and the
# normal of σ = `small_std` does it stay within a factor of 2 (between ½ and 2)?
# - (a) all three
# - (b) Glorot and He
# - (c) He only
# - (d) Glorot only
# - (e) none of them
# - (f) another set, with the normal of σ = `small_std` in it

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %%
x_digits, y_digits = datasets.digits()
x_digits = datasets.Standardizer().fit(x_digits).transform(x_digits)   # (1797, 64)
x_probe, y_probe = x_digits[:lab.probe_size], y_digits[:lab.probe_size]
schemes = initialization.schemes(lab.small_std, lab.large_std)
statistics, differences, rows = report.measure_starts(schemes, x_probe, y_probe, lab.depth,
                                                      lab.width, lab.seed)
for (activation, name), difference in differences.items():
    lab.check(difference <= HAND_PASS_TOLERANCE, f"the hand-written pass differs from the "
              f"model's ({activation}, {name}) by {difference:.1e}")
pandas.DataFrame(rows).to_csv(lab.path("layer_statistics.csv"), index=False)

shown = sorted({1, lab.depth // 4, lab.depth // 2, 3 * lab.depth // 4, lab.depth} - {0})
spread_shown = lab.shows(1)   # The ReLU rows answer Predict 1: shown once it is predicted.
if spread_shown:
    report.print_spread(statistics, shown)

# %% [markdown]
# The ReLU rows against the formula of section 1: the last hidden layer's std over the
# first's, measured and predicted by (n · Var(W) / 2)^((depth − 1)/2).

# %%
# The measured factor stds[−1]/stds[0] (0 for zeros: no signal) and the formula's, per start.
ratios, predicted = report.relu_factors(statistics, schemes, lab.width, lab.depth,
                                        show=spread_shown)
asked = ["Glorot", "He", f"normal σ = {lab.small_std:g}"]
within_two = [name for name in asked if 0.5 <= ratios[name] <= 2.0]
off_by = {name: max(ratios[name], predicted[name]) / min(ratios[name], predicted[name])
          for name in schemes if ratios[name] > 0 and predicted[name] > 0}
within_sets = {("Glorot", "He", asked[2]): "a", ("Glorot", "He"): "b", ("He",): "c",
               ("Glorot",): "d", (): "e"}            # any other set has the small normal: (f)
lab.reveal(1, "; ".join(f"{name}: × {ratios[name]:.1e}" for name in asked)
              + f". Within a factor of 2: {', '.join(within_two) or 'none'}. The formula "
              f"predicted each nonzero start's factor to within {max(off_by.values()):.2g}×.",
           answer=within_sets.get(tuple(within_two), "f"),
           ratios=ratios, predicted=predicted, within_two=within_two, asked=asked,
           off_by=off_by, activation_std={name: statistics["relu", name]["activation_std"]
                                          for name in schemes},
           width=lab.width, depth=lab.depth)
lab.record("tanh", activation_std={name: statistics["tanh", name]["activation_std"]
                                   for name in schemes},
           gradient_std={name: statistics["tanh", name]["gradient_std"] for name in schemes})

# %% [markdown]
# In the figure, one panel per activation and quantity, layer 1 (next to the input) on the
# left; zeros draw no line, since log(0) is not a number. Under tanh, no start can blow the
# activations up (|tanh| < 1), but a larger σ pushes more units out to tanh's flat ends,
# and the backward rows show what flat slopes and large weights do to ∂L/∂a on its way down.

# %%
lab.save_figure(report.statistics_figure(statistics, schemes, lab.depth), "layer_statistics.png",
                show=spread_shown)

# %% [markdown]
# ## 4. Symmetry: why not start every weight at the same value?
#
# If every weight of a layer starts equal, every unit of that layer computes the same z
# for every input, gets the same gradient, and takes the same step: after any number of
# steps they are still equal, and the layer works as one unit copied across it. Only a
# layer whose units receive *different* gradients, like the output layer with one target
# per unit, can break the tie. We train a small tanh net (3 hidden layers of 16) on the two
# moons with every weight at `constant`, beside the same net under He, and measure in
# each layer the largest difference between any unit's weights and the first unit's.

# %% [markdown] tags=["prediction"]
# **Predict 2.** After `symmetry_epochs` epochs of Adam, how will the constant net's
# training accuracy compare with the He net's?
# - (a) about the same: within 2 points
# - (b) higher, by more than 2 points
# - (c) lower, by 2 to 10 points
# - (d) lower, by more than 10 points

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c" or "d"

# %%
x_moons, y_moons = datasets.two_moons(**SYMMETRY_DATA, seed=lab.seed)
x_moons = datasets.Standardizer().fit(x_moons).transform(x_moons)     # (n_samples, 2)
starts = {f"constant {lab.constant:g}": lambda: keras.initializers.Constant(lab.constant),
          "He": initializers.He}
symmetry = {name: report.train_symmetric(make, x_moons, y_moons, SYMMETRY_NET,
                                         lab.symmetry_epochs, lab.seed, TOLERANCE,
                                         lab.fit_callbacks(f"symmetry {name}"))
            for name, make in starts.items()}
for name, run in symmetry.items():
    print(f"{name:<14} largest |unit − first unit| per layer: "
          + " ".join(f"{value:.1e}" for value in run["spread"])
          + (f"; accuracy {run['accuracy']:.1%}" if lab.shows(2) else ""))   # Predict 2's answer
constant_run, he_run = symmetry.values()
distinct = constant_run["distinct"][:-1]                        # hidden layers only
shortfall = he_run["accuracy"] - constant_run["accuracy"]       # > 0: the constant net is lower
answer = ("a" if abs(shortfall) <= 0.02 else "b" if shortfall < 0 else   # the choices' bands
          "c" if shortfall <= 0.10 else "d")
lab.reveal(2, f"different units per hidden layer: {distinct} in the constant net (largest "
              f"spread {max(constant_run['spread'][:-1]):.1e}), {he_run['distinct'][:-1]} "
              f"under He; the constant net's output layer spread {constant_run['spread'][-1]:.1e};"
              f" accuracy {constant_run['accuracy']:.1%} against He's {he_run['accuracy']:.1%}",
           answer=answer, hidden_distinct=distinct, rounding_tolerance=TOLERANCE,
           **{key: {name: run[key] for name, run in symmetry.items()}
              for key in ("spread", "scale", "accuracy", "distinct")})
lab.check(all(count == 1 for count in distinct),  # what the section teaches
          f"the constant net's hidden units drifted apart: {constant_run['spread']}")

# %% [markdown]
# ## 5. Training from each start
#
# The net of section 3 with `train_activation` units, trained on the digits by SGD with
# momentum from each start. `DiagnosticsLogger(gradients=True, probe=…)` measures on 256
# training digits, once per epoch, the gradient norm, each layer's ratio ‖∂L/∂w‖ / ‖w‖ and
# the share of dead ReLU units, and names what it finds: exploding gradients (the norm NaN
# or 100× its first value), vanishing gradients (the first layer's ratio ≤ 1 % of the
# last layer's) and dead units (≥ 50 % of a ReLU layer silent on every probe digit).
# `LivePlot` draws the curves while they train; `TerminateOnNaN` stops a run whose loss
# is no longer a number. It is one model, compiled once: before each run,
# `initialization.restart` draws every kernel afresh from the start being tried, sets the
# biases to 0 and clears SGD's momentum, which is what building it again would do, without
# the seconds that tracing a new deep model's training step costs.

# %% [markdown] tags=["prediction"]
# **Predict 3.** Which start will reach the best validation accuracy after `epochs` epochs?
# - (a) zeros
# - (b) the normal of σ = `small_std`
# - (c) the normal of σ = `large_std`
# - (d) Glorot
# - (e) He

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(
    *datasets.digits(), VALIDATION_SHARE, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
probe = (x_train[:PROBE_DIGITS], y_train[:PROBE_DIGITS])
live = callbacks.LivePlot(metric="val_accuracy", title="the same net from five starts")
model = initialization.mlp(64, 10, lab.depth, lab.width, lab.train_activation,
                            initializers.He, lab.seed)
model.compile(optimizer=keras.optimizers.SGD(lab.learning_rate, momentum=SGD_MOMENTUM),
              loss="sparse_categorical_crossentropy",
              metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])  # Not "accuracy",
model.optimizer.build(model.trainable_variables)   # and momentum slots now: fit traces its step once.
trained = {}
for name, make in schemes.items():
    initialization.restart(model, make, lab.seed)      # Fresh weights and momentum.
    csv_path = lab.path(f"train_{name.replace(' ', '_').replace('σ_=_', 'std_')}.csv")
    logger = callbacks.DiagnosticsLogger(csv_path, gradients=True, probe=probe)
    print(f"\n--- {name}")
    history = model.fit(datasets.make_dataset(x_train, y_train, lab.batch_size, seed=lab.seed),
                        validation_data=datasets.make_dataset(x_val, y_val, 1024, shuffle=False),
                        epochs=lab.epochs, verbose=0, shuffle=False,  # The dataset shuffles.
                        callbacks=lab.fit_callbacks(name, [logger, live.run(name),
                                                           keras.callbacks.TerminateOnNaN()]))
    trained[name] = report.run_record(history, logger.diagnosis, pandas.read_csv(csv_path))

final = {name: run["val_accuracy"][-1] for name, run in trained.items()}
finite = {name: value for name, value in final.items() if np.isfinite(value)}
best = max(finite, key=finite.get)
if lab.shows(3):    # The table answers Predict 3: shown once it is predicted.
    report.print_training(trained, final)
lab.reveal(3, f"{best} reaches the best validation accuracy, {final[best]:.1%}; the logger "
              "names " + "; ".join(f"{name}: {', '.join(trained[name]['findings']) or 'nothing'}"
                                   for name in list(schemes)[:3]),
           answer=tuple(letter for letter, name in zip("abcde", schemes)     # ties: all of them
                        if finite.get(name) == finite[best]),
           best=best, final=final, runs=trained)

# %% [markdown]
# How a start turns into a finding. Under zeros every unit outputs 0 for every digit and
# passes back no gradient, so only the output biases can learn; for ReLU units, that is
# what the dead-units finding counts. Under the too-small normal the signal that reaches
# the top is orders of magnitude below the biases, which do get a gradient and move: each
# upper unit then outputs about the same value for every digit, 0 if its bias went
# negative, so units can die there too, and the first layer's gradient can be too small for
# float32 to hold. Under the too-large normal the first gradients are huge (the backward
# rows of section 3), and steps of that size can throw the loss past anything float32
# holds. The table above says which of these this run found; the logger reads only the
# gradients and the curves, never the start itself.

# %%
lab.save_figure(report.training_figure(trained, f"{lab.depth} {lab.train_activation} layers of "
                                                f"{lab.width}, SGD, five starts"), "training.png")

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (on the command line, the flag of the
# same name: `small_std = 0.1` is `--small-std 0.1`) and run the lab again. The numbers
# quoted in the answers are from full mode with seed 0.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** The XOR network of "The Learning Problem" draws its weights as
# `W1 = randn(2, 4) · 0.5` and `W2 = randn(4, 1) · 0.5`. Work out by hand the standard
# deviation Glorot's and He's rules give these two shapes, then check with
# `initializers.Glorot().variance((2, 4))` and the like. Is 0.5 too small, about right or
# too large for a network this shallow?
# *Syllabus: The Learning Problem, XOR initialization.*

# %% [markdown] tags=["answer"]
# **Answer 1.** Glorot: √(2/(2 + 4)) = 0.577 for W1 and √(2/(4 + 1)) = 0.632 for W2. He:
# √(2/2) = 1 for W1 and √(2/4) = 0.707 for W2. So 0.5 is a little below both rules, by a
# factor between 1.15 and 2. With two layers that factor is applied twice, not twenty times,
# so the signal shrinks by at most a few times and the network still trains; the rules only
# become a matter of learning or not when the factor compounds through depth.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** The dense layer of "Learning Algorithms" draws
# `randn(n_in, n_out) · √(2/n_in)`. For `width = 128` that is a normal of σ = 0.125. Set
# `small_std = 0.125` (`--small-std 0.125`) and predict the row "normal σ = 0.125" of the
# ReLU table and of the training table before you run.
# *Syllabus: Learning Algorithms, weight initialization.*

# %% [markdown] tags=["answer"]
# **Answer 2.** It is He's rule drawn from an untruncated normal, so the formula predicts a
# factor of 1 across the layers. With seed 0 in full mode the activations' std goes from
# 0.56 at layer 1 to 0.37 at layer 20 (× 0.66, He's own truncated draws give × 0.80), both
# within a factor of 2; trained, it reaches 93.9 % validation accuracy against He's 94.7 %,
# with no finding from the logger. Truncated or not, what matters is the variance: the
# chapter's layer is a He initialization, and this is why its network can be deep.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (hard).** Set `width = 16` (`--width 16`). The formula does not depend on the
# width: He should still keep the std within a factor of 2. Does it? Compare the "measured"
# and "formula" columns for every start, and explain the difference. Then compare He's
# validation accuracy with the default width's.
# *Syllabus: Learning Algorithms, weight initialization.*

# %% [markdown] tags=["answer"]
# **Answer 3.** With seed 0 in full mode, He's activations fall from 0.81 to 0.20 (× 0.24
# against the formula's 1), and Predict 1 finds no start within a factor of 2; the formula
# misses each start by up to 32× (× 1.2e7 measured for σ = 1 against 3.8e8), where at width
# 128 it was within 1.5×. The formula is right on average over random weights: it keeps
# E[z²]. But each layer's factor is a random number, a sum of only 16 terms at width 16,
# and a product of random factors whose mean is 1 is usually below 1 (the average of their
# logarithms is below the logarithm of their average), so the typical network drifts down.
# Wider layers average more terms and the drift shrinks. He's validation accuracy falls
# from 94.7 % to 40.9 % in the same ten epochs.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Train with tanh units instead (`train_activation = "tanh"`,
# `--train-activation tanh`). Before running: which findings can the logger no longer
# give, and which start do you expect to win? Then compare Glorot's training with the ReLU
# run's, using the tanh rows of the tables in section 3.
# *Syllabus: Session plan, activations.*

# %% [markdown] tags=["answer"]
# **Answer 4.** The logger counts dead units only in ReLU-family layers: a tanh unit is never
# exactly 0 for every input, so that finding cannot appear. With seed 0 in full mode He
# reaches 96.9 % and Glorot 96.4 % validation accuracy (under ReLU Glorot reached only
# 18.7 %): Glorot was derived for units of slope 1 at 0, and its tanh rows shrink only from
# 0.51 to 0.17, where its ReLU rows lose a factor of 2 per two layers. Zeros stays at
# 7.8 % with no finding; the normal of σ = 0.01 gets "vanishing gradients", and so does
# σ = 1: its tanh units saturate, their slope 1 − tanh² rounds to 0 in float32, and the
# first layer's gradient is exactly 0 (ratio 0); that run is labelled DIVERGING after its
# loss spiked to 16.5 in the first epoch.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** A classmate's 20-layer net sits at chance accuracy, and the
# logger says "dead units". List the causes that fit, from what this lab and the dead-ReLU
# section of the `activations` lab measured, and say what you would look at to tell them
# apart. Then derive the initialization for Leaky ReLU with slope α, whose E[a²] is
# (1 + α²)/2 · Var(z), and say what you would pass to `keras.initializers.VarianceScaling`.
# *Syllabus: Session plan, debugging in pairs.*

# %% [markdown] tags=["answer"]
# **Answer 5.** In this lab (seed 0, full mode) two starts gave dead units at chance: zeros
# (100 % of the first layer's units dead from the first epoch) and the normal of σ = 0.01
# (92 % of the units of one upper layer, with vanishing gradients beside it); a large negative bias or
# a learning rate high enough to knock the weights below zero give the same finding. To tell
# them apart, print the weights at the start (all equal? their std against √(2/n_in)?),
# the biases, and the activations' std layer by layer as in section 3 before any training;
# an initialization problem is visible before the first step, a learning-rate problem only
# after. For Leaky ReLU, n_in · Var(W) · (1 + α²)/2 = 1 gives Var(W) = 2 / ((1 + α²)·n_in),
# that is `VarianceScaling(scale=2 / (1 + α**2), mode="fan_in")`; at α = 0 it is He's rule,
# and at α = 1 (a straight line) it is 1/n_in, the rule for a linear or tanh layer.
