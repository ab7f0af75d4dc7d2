"""Regularization: L1, L2, Dropout and MaxNorm against a network that overfits.

What you learn: what overfitting looks like in the curves (training loss keeps
falling while validation loss turns up); how Keras' L1 and L2 penalties, Dropout
and the MaxNorm constraint each hold it back; what they do to the weights (norms
and histograms); and why the validation curve to compare is the cross-entropy
without the penalty, as in TensorFlow's "overfit and underfit" tutorial.

Follows: seed 004 (session plan, "Regularization" and "Regularization & Constraints").
Run time: about 25 s on 2 CPU cores (about 10 s with --quick), start-up included.
"""

# %% [markdown]
# # Regularization
#
# A network with far more weights than training samples can memorise them: its
# training loss goes to zero while its validation loss, after a first dip, climbs.
# The seed lists four remedies and their Keras homes:
#
# | remedy | what it does | Keras |
# |---|---|---|
# | L2 (weight decay) | J_reg = J + λ·Σ w²: large weights cost more | `kernel_regularizer=L2(λ)` |
# | L1 (sparsity) | J_reg = J + λ·Σ \|w\|: many weights go to zero | `kernel_regularizer=L1(λ)` |
# | Dropout | in training, zero units with chance p, scale the rest by 1/(1−p) | `Dropout(p)` |
# | MaxNorm | after each step, cap each unit's incoming weight norm at c | `MaxNorm(c)` |
#
# (`L1` and `L2` live in `keras.regularizers`, `Dropout` in `keras.layers`, and `MaxNorm`,
# passed as `kernel_constraint=`, in `keras.constraints`.)
#
# The seed writes L2 as λ·Σ‖w_j‖²; Keras' `L2(λ)` adds exactly λ·Σ w², without
# the ½ that some textbooks put in front (we check this below). Only the kernels
# are penalised here, not the biases, as in the seed's examples.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas

import callbacks
import datasets
from labs import _plots, _runtime
from labs._runtime import param

lab = _runtime.start("regularization", {
    "n_train": param(100, minimum=10),          # Few samples and many weights:
                                                # a recipe for overfitting.
    "n_val": param(500, minimum=1),             # A large validation set, so its curve is smooth.
    "noise": param(0.3, minimum=0),             # Moons that overlap: memorising the noise hurts.
    "hidden_units": param(128, minimum=1),      # Three layers of 128: about 33
                                                # 000 weights for 100 samples.
    "epochs": param(30, minimum=1),             # 300 steps; the plain model starts
                                                # overfitting after about 6 epochs.
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

# %%
def build(kind):
    """The network with one kind of regularization: none, l1, l2, dropout or max_norm."""
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
    model.compile(optimizer=keras.optimizers.Adam(lab.learning_rate),
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
                                       verbose=0, callbacks=[live.run(kind)]).history
    print(f"  trained {kind}")

# %% [markdown]
# ## Checking the bookkeeping
#
# For the L1 and L2 models, the loss that `evaluate` reports minus the
# cross-entropy metric should be exactly the penalty, and the penalty should be
# the seed's formula computed by hand from the kernels. For MaxNorm, no unit's
# incoming weights may have a norm above c.

# %%
print(f"\n{'model':<9} {'loss − cross-entropy':>21} {'λ·Σ by hand':>12}")
for kind, strength, penalty in (("l1", lab.l1, np.abs), ("l2", lab.l2, np.square)):
    result = models[kind].evaluate(x_val, y_val, verbose=0, return_dict=True)
    kernels = [layer.kernel.numpy() for layer in models[kind].layers if hasattr(layer, "kernel")]
    by_hand = strength * sum(penalty(kernel).sum() for kernel in kernels)   # λ·Σ|w| or λ·Σw²
    reported = result["loss"] - result["cross_entropy"]
    print(f"{kind:<9} {reported:>21.5f} {by_hand:>12.5f}")
    if not np.isclose(reported, by_hand, rtol=1e-3, atol=1e-5):
        raise RuntimeError(f"{kind}: the penalty in the loss ({reported}) is not λ·Σ ({by_hand})")
largest = max(np.linalg.norm(layer.kernel.numpy(), axis=0).max()     # a unit's incoming norm
              for layer in models["max_norm"].layers if hasattr(layer, "kernel"))
print(f"max_norm: largest incoming-weight norm {largest:.4f} (c = {lab.max_norm:g})")

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
# Not every remedy suits every problem. On 100 noisy points, Dropout at
# p = 0.3 does little against the overfitting: compare its best and
# final validation cross-entropy in the table below, then try other values with
# `--dropout`, and other strengths with `--l1`, `--l2` and `--max-norm` (in a
# notebook, `dropout`, `l1`, `l2` and `max_norm` in the parameters cell).

# %%
figure, axes = plt.subplots(1, len(kinds), figsize=(4 * len(kinds), 3.8), sharey=True)
epochs = np.arange(1, lab.epochs + 1)
for panel, kind in zip(axes, kinds):
    panel.plot(epochs, histories["none"]["val_cross_entropy"], color="grey", alpha=0.5,
               label="val cross_entropy, no regularization")
    _plots.learning_curves(panel, histories[kind], metric="cross_entropy", title=kind)
    panel.legend(fontsize=7)
lab.save_figure(figure, "regularization_curves.png")

# %% [markdown]
# ## What happened to the weights
#
# Both penalties cut the norm of the weights to a fraction of the plain model's,
# and both pile most weights up near zero (the `share_near_zero` column counts
# |w| < 0.001; with Adam the weights hover around zero rather than land on it).
# They differ in *how*. L2's gradient 2λw is proportional to w: it shrinks large
# weights hard and small ones hardly at all, so the histogram narrows into a bell.
# L1's gradient λ·sign(w) is the same size for every weight, however small, so it
# flattens the many weights that do not matter and spares the few that do: a
# very narrow spike at 0 with thin tails out to large values. That is what
# "sparse" means. MaxNorm caps whole columns, and Dropout changes the weights
# only indirectly, by making no single unit indispensable.

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
print()
print(table.to_string(index=False, float_format=lambda value: f"{value:.3f}"))

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
lab.save_figure(figure, "regularization_weights.png")
lab.finish()
