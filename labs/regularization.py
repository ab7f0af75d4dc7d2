"""Regularization: L1, L2, Dropout and MaxNorm against a network that overfits.

What you learn: what overfitting looks like in the curves (training loss keeps
falling while validation loss turns up); how Keras' L1 and L2 penalties, Dropout
and the MaxNorm constraint each hold it back; what they do to the weights (norms
and histograms); why the validation curve to compare is the cross-entropy
without the penalty, as in TensorFlow's "overfit and underfit" tutorial; and why an
L2 penalty under Adam is not the decoupled weight decay of AdamW.

Follows: the class session plan ("Regularization" and "Regularization & Constraints").
Run time: about 26 s on 2 CPU cores (about 11 s with --quick), start-up included.
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
import pandas

import callbacks
import datasets
from labs.machinery import plots, runtime, twins
from labs.helpers import regularization as weight_decay
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
    for _ in range(3):
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
    return model


kinds = ("none", "l1", "l2", "dropout", "max_norm")
# The curves of every run, drawn while they train (one line per epoch in a terminal).
live = callbacks.LivePlot(metric="cross_entropy", title="five regularizers")
models, histories = {}, {}
for kind in kinds:
    models[kind] = build(kind)
    histories[kind] = models[kind].fit(x_train, y_train, validation_data=(x_val, y_val),
                                       epochs=lab.epochs, batch_size=lab.batch_size,
                                       verbose=0,
                                       callbacks=lab.fit_callbacks(kind, [live.run(kind)])).history
    print(f"  trained {kind}")

final_val = {kind: histories[kind]["val_cross_entropy"][-1] for kind in kinds}
winner = min(final_val, key=final_val.get)
plain_curve = histories["none"]["val_cross_entropy"]
plain_best_epoch = int(np.argmin(plain_curve)) + 1
plain_rise = plain_curve[-1] - min(plain_curve)   # > 0: it ended above its best
lab.reveal(1, f"{winner} ends lowest, at {final_val[winner]:.3f} (final validation "
              f"cross-entropy: " + ", ".join(f"{kind} {value:.3f}" for kind, value in
                                              final_val.items())
           + f"); the plain model was best at epoch {plain_best_epoch} ({min(plain_curve):.3f}) "
           + (f"and ended {plain_rise:.3f} above it" if plain_rise > 0 else "and ended there"),
           answer=tuple(letter for letter, kind in zip("abcde", kinds)   # ties: all of them
                        if final_val[kind] == final_val[winner]),
           winner=winner, final_val_cross_entropy=final_val, plain_curve=plain_curve,
           plain_best_epoch=plain_best_epoch, plain_rise=plain_rise)

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
    result = models[kind].evaluate(x_val, y_val, verbose=0, return_dict=True)
    kernels = [layer.kernel.numpy() for layer in models[kind].layers if hasattr(layer, "kernel")]
    by_hand = strength * sum(penalty(kernel).sum() for kernel in kernels)   # λ·Σ|w| or λ·Σw²
    reported = result["loss"] - result["cross_entropy"]
    print(f"{kind:<9} {reported:>21.5f} {by_hand:>12.5f}")
    lab.record(f"penalty_{kind}", reported=reported, by_hand=by_hand)
    lab.check(np.isclose(reported, by_hand, rtol=1e-3, atol=1e-5),
              f"{kind}: the penalty in the loss ({reported}) is not λ·Σ by hand ({by_hand})")
largest = max(np.linalg.norm(layer.kernel.numpy(), axis=0).max()     # a unit's incoming norm
              for layer in models["max_norm"].layers if hasattr(layer, "kernel"))
print(f"max_norm: largest incoming-weight norm {largest:.4f} (c = {lab.max_norm:g})")
lab.record("max_norm", largest=largest, c=lab.max_norm)
lab.check(largest <= lab.max_norm * (1 + 1e-5), f"MaxNorm left a norm of {largest} above "
          f"c = {lab.max_norm}")

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
epochs = np.arange(1, lab.epochs + 1)
for panel, kind in zip(axes, kinds):
    panel.plot(epochs, histories["none"]["val_cross_entropy"], color="grey", alpha=0.5,
               label="val cross_entropy, no regularization")
    plots.learning_curves(panel, histories[kind], metric="cross_entropy", title=kind)
    panel.legend(fontsize=7)
lab.save_figure(figure, "regularization_curves.png")
for kind in kinds:
    curve = histories[kind]["val_cross_entropy"]
    best_epoch = int(np.argmin(curve)) + 1
    if lab.shows(1):    # Best plus climb is the final value Predict 1 asks about.
        print(f"{kind:<9} best validation cross-entropy {min(curve):.3f} at epoch "
              f"{best_epoch}, then {curve[-1] - min(curve):+.3f} by the last epoch")
    lab.record(f"climb_{kind}", curve=curve, best_epoch=best_epoch,
               climb=curve[-1] - min(curve))

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
def all_kernel_weights(model):
    return np.concatenate([layer.kernel.numpy().ravel()
                           for layer in model.layers if hasattr(layer, "kernel")])


rows = []
for kind in kinds:
    weights = all_kernel_weights(models[kind])
    history = histories[kind]
    rows.append({"model": kind,
                 "train_cross_entropy": history["cross_entropy"][-1],
                 "val_cross_entropy": history["val_cross_entropy"][-1],
                 "best_val_cross_entropy": min(history["val_cross_entropy"]),
                 "val_accuracy": history["val_accuracy"][-1],
                 "weight_norm": float(np.linalg.norm(weights)),
                 "share_near_zero": float(np.mean(np.abs(weights) < 1e-3))})
table = pandas.DataFrame(rows)
table.to_csv(lab.path("regularization.csv"), index=False)
if lab.shows(1) and lab.shows(2):   # Its columns answer Predicts 1 and 2.
    print()
    print(table.to_string(index=False, float_format=lambda value: f"{value:.3f}"))
norms = dict(zip(table["model"], table["weight_norm"]))
near_zero = dict(zip(table["model"], table["share_near_zero"]))
smallest, sparsest = min(norms, key=norms.get), max(near_zero, key=near_zero.get)
lab.reveal(2, f"{smallest} has the smallest weight norm ({norms[smallest]:.2f}, "
              f"{norms[smallest] / norms['none']:.0%} of the plain model's {norms['none']:.2f}); "
              f"{sparsest} has the largest share near zero ({near_zero[sparsest]:.1%}, "
              f"plain: {near_zero['none']:.1%})",
           answer=tuple(letter for letter, kind in zip("abcde", kinds)   # ties: all of them
                        if near_zero[kind] == near_zero[sparsest]),
           smallest=smallest, sparsest=sparsest, weight_norms=norms, share_near_zero=near_zero)

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
left.bar(table["model"], table["weight_norm"], color="tab:blue", label="L2 norm of all kernels")
left.legend()
left.set_xlabel("model")
left.set_ylabel("‖all kernel weights‖ (L2 norm)")
left.set_title("size of the weights after training")
widest = max(np.abs(all_kernel_weights(model)).max() for model in models.values())
bins = np.linspace(-widest, widest, 81)
for kind in kinds:
    right.hist(all_kernel_weights(models[kind]), bins=bins, histtype="step", label=kind)
right.set_yscale("log")
right.set_xlabel("weight value")
right.set_ylabel("count (log scale)")
right.set_title("histogram of kernel weights")
right.legend()
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
sgd_difference = max(np.abs(a - b).max() for a, b in zip(penalised, decayed))
sgd_moved = max(np.abs(a - b).max() for a, b in zip(penalised, start_weights))
print(f"SGD, one epoch: weights moved up to {sgd_moved:.2e}; L2(λ) and weight_decay = 2λ "
      f"differ by at most {sgd_difference:.1e}")
lab.record("sgd_equivalence", difference=sgd_difference, moved=sgd_moved, tolerance=1e-5)
lab.check(sgd_difference <= 1e-5 < sgd_moved,
          f"under SGD, L2(λ) and weight_decay = 2λ differ by {sgd_difference:.1e}")

if twins.available("adam", "one AdamW step by hand in NumPy (labs/helpers/regularization.py)"):
    step_difference, step_moved = weight_decay.adamw_step_against_keras(
        build("none"), x_train[:lab.batch_size], y_train[:lab.batch_size], lab.learning_rate,
        weight_decay=2 * lab.l2)
    print(f"one AdamW step: weights moved up to {step_moved:.2e}; NumPy by hand and Keras' "
          f"AdamW differ by at most {step_difference:.1e}")
    lab.record("adamw_step", difference=step_difference, moved=step_moved, tolerance=1e-6)
    lab.check(step_difference <= 1e-6 < step_moved,
              f"one AdamW step by hand differs from Keras' by {step_difference:.1e}")

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
histories["adamw"] = models["adamw"].fit(x_train, y_train, validation_data=(x_val, y_val),
                                         epochs=lab.epochs, batch_size=lab.batch_size,
                                         verbose=0, callbacks=adamw_callbacks).history
compared = {"Adam, no penalty": "none", "Adam + L2(λ)": "l2", "AdamW(2λ)": "adamw"}
norm_of = {name: float(np.linalg.norm(all_kernel_weights(models[kind])))
           for name, kind in compared.items()}
val_of = {name: histories[kind]["val_cross_entropy"][-1] for name, kind in compared.items()}
if lab.shows(3):    # The table answers Predict 3: shown once it is predicted.
    print(f"\nλ = {lab.l2:g}, λ_w = {decay:g}\n{'optimizer':<17} {'weight norm':>11} "
          f"{'val cross-entropy':>18}")
    for name in compared:
        print(f"{name:<17} {norm_of[name]:>11.3f} {val_of[name]:>18.3f}")
smaller = min(("Adam + L2(λ)", "AdamW(2λ)"), key=norm_of.get)
lower = min(("Adam + L2(λ)", "AdamW(2λ)"), key=val_of.get)
lab.reveal(3, f"{smaller} ends with the smaller weight norm (Adam + L2(λ) "
              f"{norm_of['Adam + L2(λ)']:.2f}, AdamW(2λ) {norm_of['AdamW(2λ)']:.2f}, no penalty "
              f"{norm_of['Adam, no penalty']:.2f}); {lower} ends with the lower validation "
              f"cross-entropy ({val_of['Adam + L2(λ)']:.3f} against {val_of['AdamW(2λ)']:.3f})",
           answer={("AdamW(2λ)", "AdamW(2λ)"): "a", ("AdamW(2λ)", "Adam + L2(λ)"): "b",
                   ("Adam + L2(λ)", "AdamW(2λ)"): "c",
                   ("Adam + L2(λ)", "Adam + L2(λ)"): "d"}[smaller, lower],
           smaller_norm=smaller, lower_val=lower, weight_norms=norm_of,
           val_cross_entropy=val_of)
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
# **Exercise 4 (hard).** In the AdamW cell, change `weight_decay = 2 * lab.l2` to larger
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
