"""Loss functions from scratch: MSE, cross-entropy, clipping, and logits against probabilities.

What you learn: how MSE, binary and categorical cross-entropy score a prediction,
checked number by number against ``keras.losses`` on the seeds' examples; why the
log needs clipping, and how the seeds' ε = 1e-15 differs from Keras' 1e-7; the
silent wrong answers you get from mixing up logits and probabilities; and why the
fused log-softmax stays exact where softmax followed by log overflows.

Follows: seed 001 (loss functions from scratch), seed 002 (cross-entropy as
−log P(target), −log 0.6 ≈ 0.51 and −log 0.05 ≈ 3.0) and seed 004 (logits against
probabilities, the Keras map of losses).
Run time: about 4 s on 2 CPU cores (about 4 s with --quick), start-up included.
"""

# %% [markdown]
# # Loss functions
#
# A loss turns "how wrong is this prediction?" into one number that gradient descent
# can push down. The from-scratch versions live in `custom/losses.py`; here we check
# them against `keras.losses` and poke at the places where losses go wrong.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from custom import activations, losses
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("loss_functions", {
    "logit_range": param(200.0, above=0),  # The logit gaps swept in the stability
                                           # plot: float32 overflows past ~88.
    "points": param(401, minimum=2),       # Points along each curve; the figures need no more.
}, quick={"points": 201})   # Full run: 401 points.


def keras_loss(loss, y_true, y_pred):
    """Evaluate a ``keras.losses`` object on NumPy arrays (Keras computes in float32)."""
    return float(loss(np.asarray(y_true, "float32"), np.asarray(y_pred, "float32")))


# %% [markdown]
# ## 1. Cross-entropy is −log P(target)
#
# Seed 002 works two 4-class examples by hand with the target in class C. Only the
# probability given to the target counts: 0.6 costs −log 0.6 ≈ 0.51, and 0.05 costs
# −log 0.05 ≈ 3.0, six times as much.

# %%
target = np.array([0.0, 0.0, 1.0, 0.0])
print(f"{'prediction':<24} {'−log p(C)':>9} {'ours':>9} {'Keras':>9}")
for prediction in ([0.1, 0.2, 0.6, 0.1], [0.8, 0.1, 0.05, 0.05]):
    ours = losses.categorical_crossentropy(target, prediction)
    twin = keras_loss(keras.losses.CategoricalCrossentropy(), [target], [prediction])
    print(f"{str(prediction):<24} {-np.log(prediction[2]):>9.4f} {ours:>9.4f} {twin:>9.4f}")

# %% [markdown]
# ## 2. The seeds' good and poor predictions
#
# Seed 001 scores a poor and a good prediction with each loss. Ours and Keras agree to
# float32 rounding. One row disagrees with the seed's *printed* code: for a single
# one-hot sample such as [0, 0, 1], the seed divides the sum by `len(y_true)`, which is
# the number of classes (3), not the number of samples (1). Keras, like ours, averages
# over samples, so −log 0.2 = 1.609, not 0.536.

# %%
examples = {
    "MSE": (losses.mean_squared_error, keras.losses.MeanSquaredError(), [3.0, 5.0, 7.0, 9.0],
            [2.0, 4.0, 8.0, 11.0], [3.1, 4.9, 7.1, 8.9]),
    "BCE": (losses.binary_crossentropy, keras.losses.BinaryCrossentropy(), [1, 0, 1, 1, 0],
            [0.4, 0.7, 0.3, 0.5, 0.6], [0.9, 0.1, 0.8, 0.95, 0.05]),
    "CCE": (losses.categorical_crossentropy, keras.losses.CategoricalCrossentropy(), [[0, 0, 1]],
            [[0.4, 0.4, 0.2]], [[0.05, 0.05, 0.9]]),
}
print(f"{'loss':<4} {'case':<5} {'ours':>8} {'Keras':>8} {'seed code':>10}")
for name, (ours, twin, y_true, poor, good) in examples.items():
    for case, y_pred in (("poor", poor), ("good", good)):
        value = ours(y_true, y_pred)
        seed_code = value / 3 if name == "CCE" else value   # the seed's sum / len(y_true) = / 3
        print(f"{name:<4} {case:<5} {value:>8.4f} {keras_loss(twin, y_true, y_pred):>8.4f} "
              f"{seed_code:>10.4f}")

# %% [markdown]
# ## 3. Clipping: the seeds' ε = 1e-15 against Keras' 1e-7
#
# log 0 = −∞, so both clip p to [ε, 1 − ε] before the log. The seeds use ε = 1e-15, Keras
# `keras.config.epsilon()` = 1e-7. They agree until the target's probability falls below
# 1e-7; a prediction that is certain and wrong then costs 34.5 with the seeds' ε and 16.1
# with Keras'. `losses.categorical_crossentropy(..., epsilon=losses.KERAS_EPSILON)`
# reproduces Keras exactly.
#
# Keras also divides p by its sum over the classes before the log. The seeds do not. For
# three independent sigmoids that each say 0.5 (a sum of 1.5), the seeds' formula gives
# log 2 and Keras' gives log 3; `renormalize=True` does what Keras does.

# %%
print(f"{'p(target)':>10} {'ε = 1e-15':>10} {'ε = 1e-7':>9} {'Keras':>8}")
for probability in (0.5, 1e-5, 1e-10, 0.0):
    y_pred = [[1.0 - probability, probability]]
    print(f"{probability:>10.0e} {losses.categorical_crossentropy([[0, 1]], y_pred):>10.4f} "
          f"{losses.categorical_crossentropy([[0, 1]], y_pred, epsilon=losses.KERAS_EPSILON):>9.4f} "
          f"{keras_loss(keras.losses.CategoricalCrossentropy(), [[0, 1]], y_pred):>8.4f}")
three_sigmoids = [[0.5, 0.5, 0.5]]
print(f"three sigmoids at 0.5: seeds {losses.categorical_crossentropy([[0, 0, 1]], three_sigmoids):.4f}, "
      f"Keras {keras_loss(keras.losses.CategoricalCrossentropy(), [[0, 0, 1]], three_sigmoids):.4f}, "
      f"ours renormalised "
      f"{losses.categorical_crossentropy([[0, 0, 1]], three_sigmoids, renormalize=True):.4f}")

# %%
p = np.logspace(-18, 0, lab.points)
figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
left.semilogx(p, -np.log(p), "k", label="−log p (no clipping)")
left.semilogx(p, -np.log(np.clip(p, losses.SEED_EPSILON, 1)), "--", label="clipped at ε = 1e-15 (seeds)")
left.semilogx(p, -np.log(np.clip(p, losses.KERAS_EPSILON, 1)), ":", linewidth=2,
              label="clipped at ε = 1e-7 (Keras)")
left.plot([0.6, 0.05], [-np.log(0.6), -np.log(0.05)], "ro", label="seed 002: 0.51 and 3.0")
left.set(xlabel="probability given to the target", ylabel="loss", title="cross-entropy = −log p")
left.legend()
q = np.linspace(0.001, 0.999, lab.points)
right.plot(q, -np.log(q), label="binary cross-entropy, y = 1")
right.plot(q, (1 - q) ** 2, label="squared error (1 − p)², y = 1")
right.set(xlabel="predicted p", ylabel="loss", title="cross-entropy punishes confident mistakes",
          ylim=(0, 5))
right.legend()
lab.save_figure(figure, "cross_entropy.png")

# %% [markdown]
# ## 4. Logits against probabilities: the silent wrong answers
#
# A network's last layer gives raw scores z, the *logits*; softmax turns them into
# probabilities. Keras' losses take either, and `from_logits` says which. Mix them up
# and nothing crashes. With z = [2, −1, 0.5] and the target in class 0:
#
# * **logits passed as probabilities** (`from_logits=False` on z): Keras divides z by its
#   sum (1.5), clips the negative entry, and reports a loss of about 1e-7 — "perfect" —
#   with a gradient of exactly zero, so the model never learns. Our version refuses values
#   outside [0, 1] with a ValueError instead.
# * **probabilities passed as logits** (`from_logits=True` on softmax(z)): softmax is
#   applied twice. The loss is about three times too large and its gradient too small.
#   When the probabilities come from a Keras softmax *layer*, the TensorFlow backend
#   notices, warns, and uses the logits underneath; with any other softmax it cannot.

# %%
label = tf.constant([[1.0, 0.0, 0.0]])
logits = tf.Variable([[2.0, -1.0, 0.5]])
cases = {
    "right: logits, from_logits=True": lambda: keras.losses.categorical_crossentropy(
        label, logits, from_logits=True),
    "right: softmax(z), from_logits=False": lambda: keras.losses.categorical_crossentropy(
        label, tf.nn.softmax(logits)),
    "wrong: logits, from_logits=False": lambda: keras.losses.categorical_crossentropy(label, logits),
    "wrong: softmax(z), from_logits=True": lambda: keras.losses.categorical_crossentropy(
        label, tf.nn.softmax(logits), from_logits=True),
}
print(f"{'what the loss was given':<38} {'loss':>9}  gradient dL/dz")
for name, compute in cases.items():
    with tf.GradientTape() as tape:
        value = compute()
    gradient = tape.gradient(value, logits).numpy()[0]
    print(f"{name:<38} {float(value[0]):>9.2e}  {np.array2string(gradient, precision=3)}")
print("softmax(z) − y, the right gradient:", np.array2string(
    activations.softmax(logits.numpy())[0] - label.numpy()[0], precision=3))
try:
    losses.categorical_crossentropy(label.numpy(), logits.numpy())
except ValueError as error:
    print(f"custom.losses refuses: {error}")

# %% [markdown]
# ## 5. Why log space is stable
#
# Take two classes with logits (0, −g): the target is the second class and g is how far
# behind it is. The exact loss is log(1 + e^g), about g for large g. The naive route
# computes softmax first, in float32. When the target is far behind, its probability
# e^(−g)/(1 + e^(−g)) underflows: first it loses digits (g = 100 gives 99.98), then past
# g ≈ 103 it is exactly 0, log 0 = −∞ and the loss is infinite — or, once clipped, stuck
# at 16.1 however wrong the model is, with zero gradient. When the target is far *ahead*
# (g < −88), e^(−g) overflows to ∞ and ∞/∞ gives NaN. The fused route never forms the
# probability: log softmax(z) = z − logsumexp(z), with the maximum subtracted first.
# This is what `from_logits=True` does, and why it is the recommended form.

# %%
gaps = np.linspace(-lab.logit_range, lab.logit_range, lab.points).astype(np.float32)
two_class_logits = np.stack([np.zeros_like(gaps), -gaps], axis=1)     # (points, 2)
with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
    exponentials = np.exp(two_class_logits)                           # float32: overflows
    naive_probability = exponentials[:, 1] / exponentials.sum(axis=1)
    naive = -np.log(naive_probability)
naive_clipped = -np.log(np.clip(naive_probability, losses.KERAS_EPSILON, 1.0))
fused = 0.0 - activations.log_softmax(two_class_logits.astype(np.float64))[:, 1]
keras_fused = keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(
    np.tile([0.0, 1.0], (len(gaps), 1)).astype("float32"), two_class_logits, from_logits=True))
for gap in (-200.0, 10.0, 50.0, 100.0, 200.0):
    at = np.argmin(np.abs(gaps - gap))
    print(f"g = {gap:>5.0f}: naive {naive[at]:>8.3f}, naive + clip {naive_clipped[at]:>7.3f}, "
          f"fused {fused[at]:>8.3f}, Keras from_logits {keras_fused[at]:>8.3f}")
print(f"logits [1000, 0, −1000], target class 3: fused loss = "
      f"{losses.categorical_crossentropy([[0, 0, 1]], [[1000.0, 0.0, -1000.0]], from_logits=True):.1f}")

figure, axis = plt.subplots(figsize=(7, 4.2))
axis.plot(gaps, fused, "k", linewidth=3, alpha=0.4, label="fused log-softmax (ours, float64)")
axis.plot(gaps, keras_fused, "g--", label="Keras, from_logits=True (float32)")
axis.plot(gaps, np.where(np.isfinite(naive), naive, np.nan), "r", label="softmax then log (float32)")
axis.plot(gaps, naive_clipped, "b:", label="softmax, clip at 1e-7, log")
finite = np.isfinite(naive)
axis.axvspan(gaps[0], gaps[finite].min(), color="r", alpha=0.1, label="naive: NaN (overflow)")
axis.axvspan(gaps[finite].max(), gaps[-1], color="m", alpha=0.1, label="naive: ∞ (underflow)")
axis.set(xlabel="g: how far the target's logit is behind", ylabel="loss",
         title="log space stays exact; softmax then log does not")
axis.legend(fontsize=8)
lab.save_figure(figure, "log_space_stability.png")
lab.finish()
