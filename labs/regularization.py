"""Regularization: L1, L2, Dropout and MaxNorm against a network that overfits.

What you learn: what overfitting looks like in the curves (training loss keeps
falling while validation loss turns up); how Keras' L1 and L2 penalties, Dropout
and the MaxNorm constraint each hold it back; what they do to the weights (norms
and histograms); why the validation curve to compare is the cross-entropy
without the penalty, as in TensorFlow's "overfit and underfit" tutorial; and why an
L2 penalty under Adam is not the decoupled weight decay of AdamW.

Follows: the class session plan ("Regularization" and "Regularization & Constraints").
Run time: about 28 s on 2 CPU cores (about 18 s with --quick), start-up included.
"""

# %% [markdown]
# # Regularization
#
# A network with far more weights than training samples can memorise them: its
# training loss goes to zero while its validation loss, after a first dip, climbs.
# The session plan lists four remedies and their Keras homes:
#
# | remedy | what it does | Keras |
# |---|---|---|
# | L2 ("weight decay") | J_reg = J + λ·Σ w²: large weights cost more | `kernel_regularizer=L2(λ)`|
# | L1 (sparsity) | J_reg = J + λ·Σ \|w\|: many weights go to zero | `kernel_regularizer=L1(λ)` |
# | Dropout | in training, zero units with chance p, scale the rest by 1/(1−p) | `Dropout(p)` |
# | MaxNorm | after each step, cap each unit's incoming weight norm at c | `MaxNorm(c)` |
#
# (`L1` and `L2` live in `keras.regularizers`, `Dropout` in `keras.layers`, and `MaxNorm`,
# passed as `kernel_constraint=`, in `keras.constraints`.)
#
# The session plan writes L2 as λ·Σ‖w_j‖²; Keras' `L2(λ)` adds exactly λ·Σ w², without
# the ½ that some textbooks put in front (we check this below). Only the kernels
# are penalised here, not the biases, as in the session plan's examples. It also calls
# L2 "weight decay"; under plain SGD it is, but under Adam, which this lab trains with, it
# is not quite: the last section shows the difference, and Keras' `AdamW`.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import callbacks
import datasets
from labs.machinery import runtime, twins
from labs.helpers import regularization as weight_decay
from labs.helpers import regularization_report as report
from labs.machinery.runtime import param

lab = runtime.start("regularization", {
    "n_train": param(100, minimum=10),          # Few samples and many weights:
                                                # a recipe for overfitting.
    "n_val": param(500, minimum=1),             # A large validation set, so its curve is smooth.
    "noise": param(0.3, minimum=0),             # Moons that overlap: memorising the noise hurts.
    "hidden_units": param(128, minimum=1),      # Three layers of 128: about 33
                                                # 000 weights for 100 samples.
    "epochs": param(30, minimum=1),             # 300 steps of 10 samples: time
                                                # enough to memorise 100 of them.
    "batch_size": param(10, minimum=1),
    "learning_rate": param(0.01, above=0),      # Adam, a little fast, so overfitting shows early.
    "l1": param(1e-3, minimum=0),               # λ for L1.
    "l2": param(1e-3, minimum=0),               # λ for L2.
    "dropout": param(0.3, minimum=0, below=1),  # p, the share of units dropped in training.
    "max_norm": param(1.0, above=0),            # c, the largest norm of a unit's incoming weights.
}, quick={"n_val": 100, "epochs": 4})  # Full run: 500 validation samples, 30 epochs.

# The lesson's fixed values: edit them here (they are not flags).
HIDDEN_LAYERS = 3           # 2-128-128-128-1: deep enough to memorise 100 samples.
NEAR_ZERO = 1e-3            # |w| below this counts as near zero (Predict 2 says so).
PENALTY_RTOL, PENALTY_ATOL = 1e-3, 1e-5   # loss − cross-entropy against λ·Σ by hand:
                                          # float32 sums over 33 000 weights.
MAX_NORM_SLACK = 1e-5       # Relative: float32 round-off of MaxNorm's rescaling.
SGD_TOLERANCE = 1e-5        # L2(λ) against weight_decay = 2λ after one epoch of SGD.
ADAMW_TOLERANCE = 1e-6      # One AdamW step by hand in NumPy against Keras'.
VALIDATION_BATCH = 1000     # Validation in one batch: no update, no dropout; only fewer steps.

# %% [markdown]
# ## The data
#
# Two noisy moons: 100 samples to train on, 500 to validate. The validation
# samples come from the same generator, so anything the network learns beyond
# the two moons is noise.

# %%
x, y = datasets.two_moons(n_samples=lab.n_train + lab.n_val, noise=lab.noise, seed=lab.seed)
y = y.reshape(-1, 1).astype("float32")                       # (n, 1) for binary cross-entropy
x_train, y_train = x[:lab.n_train], y[:lab.n_train]           # (n_train, 2), (n_train, 1)
x_val, y_val = x[lab.n_train:], y[lab.n_train:]               # (n_val, 2), (n_val, 1)
print(f"train {x_train.shape}, validation {x_val.shape}")
# The validation samples in batches of VALIDATION_BATCH, as a tf.data pipeline: fit reads it
# every epoch at far less cost than arrays.
validation = datasets.make_dataset(x_val, y_val, VALIDATION_BATCH, shuffle=False)

# %% [markdown]
# ## Five models that differ in one thing
#
# The same 2-128-128-128-1 ReLU network, from the same seed, five times: plain,
# with an L1 or an L2 penalty on every kernel, with Dropout after every hidden
# layer, or with MaxNorm on every kernel.
#
# **Which loss to compare.** Keras adds the penalties to the loss it reports,
# *also* when it evaluates on the validation set (its `compute_loss` adds
# `model.losses` whether training or not). So `val_loss` of the L2 model is
# cross-entropy + λ·Σ w², which is not comparable with the plain model's. Like
# the TensorFlow tutorial, we add the cross-entropy once more as a *metric*:
# metrics never include the penalty, and `val_cross_entropy` is what we plot.

# %% [markdown] tags=["prediction"]
# **Predict 1.** Which of the five models will end the last epoch with the lowest
# validation cross-entropy? (The line after the runs also says whether the plain model
# ended above its own best, the mark of overfitting.)
# - (a) none, the plain model
# - (b) l1
# - (c) l2
# - (d) dropout
# - (e) max_norm

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
def build(kind, optimizer=None):
    """The network with one kind of regularization: none, l1, l2, dropout or max_norm.

    ``optimizer`` defaults to Adam at ``lab.learning_rate``.
    """
    keras.utils.set_random_seed(lab.seed)   # Same initial weights for every kind.
    options = {}
    if kind == "l1":
        options["kernel_regularizer"] = keras.regularizers.L1(lab.l1)
    elif kind == "l2":
        options["kernel_regularizer"] = keras.regularizers.L2(lab.l2)
    elif kind == "max_norm":
        options["kernel_constraint"] = keras.constraints.MaxNorm(lab.max_norm)
    layers = [keras.Input((2,))]
    for _ in range(HIDDEN_LAYERS):
        layers.append(keras.layers.Dense(lab.hidden_units, activation="relu", **options))
        if kind == "dropout":
            layers.append(keras.layers.Dropout(lab.dropout))
    layers.append(keras.layers.Dense(1, **options))            # One logit.
    model = keras.Sequential(layers, name=kind)
    model.compile(optimizer=optimizer or keras.optimizers.Adam(lab.learning_rate),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryCrossentropy(from_logits=True,
                                                            name="cross_entropy"),
                           keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
    model.optimizer.build(model.trainable_variables)   # Adam's slots now: fit traces its step once.
    return model


kinds = report.KINDS   # none, l1, l2, dropout, max_norm
# The curves of every run, drawn while they train (one line per epoch in a terminal).
live = callbacks.LivePlot(metric="cross_entropy", title="five regularizers")
models, histories = {}, {}
for kind in kinds:
    models[kind] = build(kind)
    histories[kind] = models[kind].fit(x_train, y_train, validation_data=validation,
                                       epochs=lab.epochs, batch_size=lab.batch_size, verbose=0,
                                       callbacks=lab.fit_callbacks(kind, [live.run(kind)])).history
    print(f"  trained {kind}")

sentence, answer, numbers = report.winner_statement(histories)   # ties: all their letters
lab.reveal(1, sentence, answer=answer, **numbers)

# %% [markdown]
# ## Checking the bookkeeping
#
# For the L1 and L2 models, the loss that `evaluate` reports minus the
# cross-entropy metric should be exactly the penalty, and the penalty should be
# the session plan's formula computed by hand from the kernels. For MaxNorm, no unit's
# incoming weights may have a norm above c.

# %%
print(f"\n{'model':<9} {'loss − cross-entropy':>21} {'λ·Σ by hand':>12}")
for kind, strength, penalty in (("l1", lab.l1, np.abs), ("l2", lab.l2, np.square)):
    result = models[kind].evaluate(validation, verbose=0, return_dict=True)  # No new trace.
    reported = result["loss"] - result["cross_entropy"]
    by_hand = report.penalty_by_hand(models[kind], strength, penalty)   # λ·Σ|w| or λ·Σw²
    print(f"{kind:<9} {reported:>21.5f} {by_hand:>12.5f}")
    lab.record(f"penalty_{kind}", reported=reported, by_hand=by_hand)
    lab.check(np.isclose(reported, by_hand, rtol=PENALTY_RTOL, atol=PENALTY_ATOL),
              f"{kind}: the penalty in the loss ({reported}) is not λ·Σ by hand ({by_hand})")
largest = report.largest_incoming_norm(models["max_norm"])
print(f"max_norm: largest incoming-weight norm {largest:.4f} (c = {lab.max_norm:g})")
lab.record("max_norm", largest=largest, c=lab.max_norm)
lab.check(largest <= lab.max_norm * (1 + MAX_NORM_SLACK),
          f"MaxNorm left a norm of {largest} above c = {lab.max_norm}")

# %% [markdown]
# ## The curves
#
# Each panel shows one model's training and validation cross-entropy, with the
# plain model's validation curve in grey for reference. Read where each
# validation curve bottoms out and how far it climbs afterwards. Keep in mind
# that the Dropout model's training numbers are measured *with* units dropped
# (averaged over the epoch's training steps), while validation runs with every
# unit, so its train and validation curves do not measure the same network.
#
# Not every remedy suits every problem, nor every strength: the lines under the figure
# say how far each validation curve climbed after its best epoch. Then try other values
# with `--dropout`, and other strengths with `--l1`, `--l2` and `--max-norm` (in a
# notebook, `dropout = 0.5`, `l1`, `l2` and `max_norm` in the parameters cell).

# %%
figure, axes = plt.subplots(1, len(kinds), figsize=(4 * len(kinds), 3.8), sharey=True)
report.draw_curves(axes, histories, lab.epochs)
lab.save_figure(figure, "regularization_curves.png")
# Best plus climb is the final value Predict 1 asks about: printed once it is predicted.
for kind, climb in report.climbs(histories, show=lab.shows(1)).items():
    lab.record(f"climb_{kind}", **climb)

# %% [markdown]
# ## What happened to the weights
#
# The table gives each model's norm of all its kernel weights and the share of them near
# zero (`share_near_zero` counts |w| < 0.001; with Adam the weights hover around zero
# rather than land on it). The two penalties pull in different ways. L2's gradient 2λw is
# proportional to w: it shrinks large weights hard and small ones hardly at all, which
# draws the histogram in towards a narrow bell. L1's gradient λ·sign(w) is the same size
# for every weight, however small, so it flattens the many weights that do not matter and
# spares the few that do: a spike at 0 with thin tails out to large values. That is what
# "sparse" means. MaxNorm caps whole columns, and Dropout changes the weights only
# indirectly, by making no single unit indispensable. This picture is drawn for plain
# gradient descent. Under Adam every gradient, the penalty's included, is divided by
# √v̂ (see the last section), so which penalty leaves more weights near zero here is for
# the run to say: Prediction 2's line reports it.

# %% [markdown] tags=["prediction"]
# **Predict 2.** Which model will end with the largest share of its kernel weights near
# zero (|w| < 0.001)? (The line after the table also names the smallest weight norm.)
# - (a) none, the plain model
# - (b) l1
# - (c) l2
# - (d) dropout
# - (e) max_norm

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
table = report.weight_table(models, histories, NEAR_ZERO)
table.to_csv(lab.path("regularization.csv"), index=False)
if lab.shows(1) and lab.shows(2):   # Its columns answer Predicts 1 and 2.
    print()
    print(table.to_string(index=False, float_format=lambda value: f"{value:.3f}"))
sentence, answer, numbers = report.sparsity_statement(table)   # ties: all their letters
lab.reveal(2, sentence, answer=answer, **numbers)

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
report.draw_weights(left, right, table, models)
lab.save_figure(figure, "regularization_weights.png", show=lab.shows(2))   # Predict 2's answer.

# %% [markdown]
# ## An L2 penalty under Adam is not weight decay
#
# With the data gradient g = ∇J(θ) and rate η, `kernel_regularizer=L2(λ)` adds λ·Σθ² to
# the loss, so under Adam (m̂, v̂ its bias-corrected moments, ε its small constant):
#
#     g' = g + 2λ·θ,   m, v averaged from g',   θ ← θ − η·m̂ / (√v̂ + ε)
#
# The pull 2λ·θ towards zero is divided by √v̂ like every gradient: a weight whose data
# gradients are large is hardly decayed, one whose data gradients are small is decayed
# hard. *Decoupled* weight decay, `keras.optimizers.AdamW(weight_decay=λ_w)`, shrinks
# every weight by the same share, outside the adaptive step:
#
#     θ ← θ − η·λ_w·θ,   then   m, v averaged from g,   θ ← θ − η·m̂ / (√v̂ + ε)
#
# Under plain SGD there is no √v̂, and the two are one rule: θ ← θ − η·g − 2ηλ·θ for L2(λ),
# θ ← θ − η·g − ηλ_w·θ for `SGD(weight_decay=λ_w)`, the same step when λ_w = 2λ (Keras'
# L2 is λ·Σθ², without ½). First that, on this lab's network: one epoch of SGD each way,
# from the same weights on the same batches, the decay kept off the biases as the
# penalty is. Then one AdamW step by hand in NumPy (`labs/helpers/regularization.py`) against
# Keras'.

# %%
sgd_runs = {"SGD + L2(λ)": build("l2", keras.optimizers.SGD(lab.learning_rate)),
            "SGD, weight_decay = 2λ": build("none", weight_decay.decoupled(
                keras.optimizers.SGD(lab.learning_rate, weight_decay=2 * lab.l2)))}
start_weights = sgd_runs["SGD + L2(λ)"].get_weights()
for name, model in sgd_runs.items():
    model.fit(x_train, y_train, epochs=1, batch_size=lab.batch_size, shuffle=False, verbose=0,
              callbacks=lab.fit_callbacks(name))
penalised, decayed = (model.get_weights() for model in sgd_runs.values())
sgd_moved = float(max(np.abs(a - b).max() for a, b in zip(penalised, start_weights)))
print(f"SGD, one epoch: weights moved up to {sgd_moved:.2e}.")
lab.agreement("sgd_equivalence", "Under SGD, L2(λ) and weight_decay = 2λ",
              max(np.abs(a - b).max() for a, b in zip(penalised, decayed)), SGD_TOLERANCE,
              moved=sgd_moved)
lab.check(sgd_moved > SGD_TOLERANCE, f"one epoch of SGD moved the weights only {sgd_moved:.1e}")

if twins.available("adam", "one AdamW step by hand in NumPy (labs/helpers/regularization.py)"):
    step_difference, step_moved = weight_decay.adamw_step_against_keras(
        build("none"), x_train[:lab.batch_size], y_train[:lab.batch_size], lab.learning_rate,
        weight_decay=2 * lab.l2)
    print(f"One AdamW step: weights moved up to {step_moved:.2e}.")
    lab.agreement("adamw_step", "One AdamW step, NumPy by hand and Keras'", step_difference,
                  ADAMW_TOLERANCE, moved=step_moved)
    lab.check(step_moved > ADAMW_TOLERANCE, f"one AdamW step moved the weights only "
              f"{step_moved:.1e}")

# %% [markdown] tags=["prediction"]
# **Predict 3.** AdamW with λ_w = 2λ would take exactly the steps of the L2 model under
# SGD. Under Adam, which ends with the smaller norm of its kernel weights: Adam with the
# L2(λ) penalty, or AdamW with λ_w = 2λ? Which ends with the lower validation cross-entropy?
# - (a) AdamW has the smaller norm and the lower cross-entropy
# - (b) AdamW has the smaller norm; Adam + L2 the lower cross-entropy
# - (c) Adam + L2 has the smaller norm; AdamW the lower cross-entropy
# - (d) Adam + L2 has the smaller norm and the lower cross-entropy

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c" or "d"

# %%
decay = 2 * lab.l2   # λ_w: the decay that equals L2(λ) under SGD.
models["adamw"] = build("none", weight_decay.decoupled(
    keras.optimizers.AdamW(lab.learning_rate, weight_decay=decay)))
adamw_callbacks = lab.fit_callbacks("adamw", [live.run("adamw")])
histories["adamw"] = models["adamw"].fit(x_train, y_train, validation_data=validation,
                                         epochs=lab.epochs, batch_size=lab.batch_size, verbose=0,
                                         callbacks=adamw_callbacks).history
compared = {"Adam, no penalty": "none", "Adam + L2(λ)": "l2", "AdamW(2λ)": "adamw"}
norm_of = {name: float(np.linalg.norm(report.kernel_weights(models[kind])))
           for name, kind in compared.items()}
val_of = {name: histories[kind]["val_cross_entropy"][-1] for name, kind in compared.items()}
if lab.shows(3):    # The table answers Predict 3: shown once it is predicted.
    report.print_adam_table(norm_of, val_of, lab.l2, decay)
sentence, answer, numbers = report.adam_statement(norm_of, val_of)
lab.reveal(3, sentence, answer=answer, **numbers)
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name: `l2 = 0.01` is `--l2 0.01`) and run the lab again, or edit the cell named.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Make the L2 penalty ten times stronger: `l2 = 0.01` (`--l2 0.01`).
# Before you run, predict what happens to the l2 row's weight norm and training
# cross-entropy, and to its `loss − cross-entropy` line. Then check the tables.
# *Syllabus: Session plan, regularization.*

# %% [markdown] tags=["answer"]
# **Answer 1.** The weight norm falls: each weight now pays ten times more for its size, so
# the balance between fitting the data and staying small moves towards small. The training
# cross-entropy rises, because a network with smaller weights has smoother, less flexible
# decision boundaries and can no longer wrap around every noisy point. The penalty
# λ·Σw² grows, but by less than ten times, since Σw² shrinks as λ grows. Whether the
# validation cross-entropy improves depends on where the balance lands: a little more
# smoothing helps against overfitting, too much and the model underfits, with training
# and validation losses both high and close together.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** In the table, compare the dropout model's training and
# validation cross-entropy. Why can its training loss sit above its validation loss, and
# why does that not mean it underfits? Try `dropout = 0.5` (`--dropout 0.5`).

# %% [markdown] tags=["answer"]
# **Answer 2.** The training numbers are averaged over the epoch's steps *with* units
# dropped: each step uses a random, thinner network, which fits worse than the full one.
# Validation runs the full network, every unit on (Keras' `Dropout` already scales the
# kept units by 1/(1−p) in training, so nothing is rescaled at test time). The two curves
# therefore measure different networks, and the gap between them is not the usual
# overfitting or underfitting gap. A larger p widens it further; to compare like with like,
# evaluate the dropout model on the training set after training (`models["dropout"].evaluate`),
# which runs it without dropout.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Check the gradient of the penalty yourself: for the first layer
# of `models["l2"]`, take the gradient of `layer.kernel_regularizer(layer.kernel)` with
# `tf.GradientTape` and compare it with 2λ·w computed in NumPy. What would the gradient of
# the L1 penalty be?

# %% [markdown] tags=["answer"]
# **Answer 3.** With `import tensorflow as tf`:
#
# ```python
# layer = models["l2"].layers[0]
# with tf.GradientTape() as tape:
#     penalty = layer.kernel_regularizer(layer.kernel)          # λ·Σw²
# gradient = tape.gradient(penalty, layer.kernel).numpy()
# print(np.abs(gradient - 2 * lab.l2 * layer.kernel.numpy()).max())   # float32 round-off
# ```
#
# The difference is at the level of float32 round-off, because d(λ·Σw²)/dw = 2λ·w. For
# L1, d(λ·Σ|w|)/dw = λ·sign(w): the same size for every non-zero weight (TensorFlow takes 0
# at w = 0), which is why L1 drives small weights all the way towards zero.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** In the AdamW cell, change `decay = 2 * lab.l2` to larger
# values until AdamW's weight norm comes near the L2 model's. First estimate the order of
# magnitude: by how much does the decay alone shrink a weight over the whole run?

# %% [markdown] tags=["answer"]
# **Answer 4.** The decay alone multiplies every weight by (1 − η·λ_w) at each of the T
# steps, about e^(−η·λ_w·T) over the run, with T = epochs · ⌈n_train / batch_size⌉. With
# the defaults (η = 0.01, T = 300 in full mode, λ_w = 2λ = 0.002) the product η·λ_w·T is
# 0.006: the decay alone shrinks the weights by about 0.6 % in total, so expect AdamW(2λ)
# to end close to the unpenalised model (Prediction 3's line shows both norms). For a
# visible effect η·λ_w·T must be of order 1, that is λ_w of order 0.3; try 0.1, 0.3 and 1.
# The data gradient pushes back, so the norm you reach is measured, not predicted by this
# estimate. The L2 model gets its strong effect because Adam divides 2λ·w by √v̂, which
# is tiny for the many weights whose data gradient is small: for them the penalty is
# nearly all of the gradient, and Adam's step towards zero is close to the full η.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Which remedy would you use on this problem, and at which
# strength? Add a sixth kind to `build`, for example L2 and Dropout together, or compare
# with early stopping (the "Early stopping" lab), and argue from the validation numbers.
# What is wrong with picking the strength that gives the lowest validation loss and then
# reporting that loss as the model's quality?

# %% [markdown] tags=["answer"]
# **Answer 5.** There is no single right choice; a good answer compares best and final
# validation cross-entropy over a few strengths of each remedy and prefers the one whose
# validation curve stays flat after its best epoch, so the result does not hinge on when
# training stops. Early stopping is the cheapest remedy and combines with any of the
# others. The catch in the last question: once a strength is chosen because it scored best
# on the validation set, that score is optimistic, since the choice itself was fitted to
# those validation points. Report the chosen model's loss on a third, untouched test set (draw it
# from `datasets.two_moons` with another seed).
