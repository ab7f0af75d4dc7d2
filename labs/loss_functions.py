"""Loss functions from scratch: MSE, cross-entropy, clipping, and logits against probabilities.

What you learn: how MSE, binary and categorical cross-entropy score a prediction,
checked number by number against ``keras.losses`` on the chapters' examples; why the
log needs clipping, and how the chapters' ε = 1e-15 differs from Keras' 1e-7; the
silent wrong answers you get from mixing up logits and probabilities; and why the
fused log-softmax stays exact where softmax followed by log overflows.

Follows: "The Learning Problem" (loss functions from scratch), "Learning Algorithms"
(cross-entropy as −log P(target), −log 0.6 ≈ 0.51 and −log 0.05 ≈ 3.0) and the session
plan (logits against probabilities, the Keras map of losses).
Run time: about 6 s on 2 CPU cores (about 6 s with --quick), start-up included.
"""

# %% [markdown]
# # Loss functions
#
# A loss turns "how wrong is this prediction?" into one number that gradient descent
# can push down. The from-scratch versions live in `custom/losses.py`; here we check
# them against `keras.losses` and poke at the places where losses go wrong.

# %%
import keras
import numpy as np
import tensorflow as tf

from custom import activations, losses
from labs.helpers import loss_functions as figures
from labs.machinery import runtime, twins
from labs.machinery.runtime import param

lab = runtime.start("loss_functions", {
    "logit_range": param(200.0, above=0),  # The logit gaps swept in the stability
                                           # plot: float32 overflows past ~88.
    "points": param(401, minimum=2),       # Points along each curve; the figures need no more.
}, quick={"points": 201})   # Full run: 401 points.
FLOAT32_TOLERANCE = 1e-6   # Keras computes in float32: about 1e-7 relative, with margin.
THREE_SIGMOIDS = [[0.5, 0.5, 0.5]]   # Three independent sigmoid outputs, summing to 1.5.
losses = twins.losses()   # custom.losses, or keras.losses until the losses task is written


def keras_loss(loss, y_true, y_pred):
    """Evaluate a ``keras.losses`` object on NumPy arrays (Keras computes in float32)."""
    return float(loss(np.asarray(y_true, "float32"), np.asarray(y_pred, "float32")))


# %% [markdown]
# ## 1. Cross-entropy is −log P(target)
#
# "Learning Algorithms" works two 4-class examples by hand with the target in class C. Only the
# probability given to the target counts: 0.6 costs −log 0.6 ≈ 0.51, and 0.05 costs
# −log 0.05 ≈ 3.0, six times as much.

# %%
def agree(first, second):
    """Whether two losses agree to float32 rounding."""
    return abs(first - second) <= FLOAT32_TOLERANCE * max(1.0, abs(first))


target = np.array([0.0, 0.0, 1.0, 0.0])
print(f"{'prediction':<24} {'−log p(C)':>9} {'ours':>9} {'Keras':>9}")
for prediction in ([0.1, 0.2, 0.6, 0.1], [0.8, 0.1, 0.05, 0.05]):
    ours = losses.categorical_crossentropy(target, prediction)
    twin = keras_loss(keras.losses.CategoricalCrossentropy(), [target], [prediction])
    print(f"{str(prediction):<24} {-np.log(prediction[2]):>9.4f} {ours:>9.4f} {twin:>9.4f}")
    lab.check(agree(ours, -np.log(prediction[2])) and agree(ours, twin),
              f"cross-entropy of {prediction}: −log p {-np.log(prediction[2]):.7f}, "
              f"ours {ours:.7f}, Keras {twin:.7f}")

# %% [markdown]
# ## 2. The good and poor predictions of "The Learning Problem"
#
# "The Learning Problem" scores a poor and a good prediction with each loss. Ours and Keras
# must agree to float32 rounding (the lab checks it, and exits with an error if they do not).
# The CCE rows differ from the chapter's *printed* code: for a single one-hot sample such as
# [0, 0, 1], the chapter divides the sum by `len(y_true)`, which is the number of classes (3),
# not the number of samples (1). Keras, like ours, averages over samples, so the poor
# prediction costs −log 0.2 = 1.609, not 1.609 / 3 = 0.536.

# %%
examples = {
    "MSE": (losses.mean_squared_error, keras.losses.MeanSquaredError(), [3.0, 5.0, 7.0, 9.0],
            [2.0, 4.0, 8.0, 11.0], [3.1, 4.9, 7.1, 8.9]),
    "BCE": (losses.binary_crossentropy, keras.losses.BinaryCrossentropy(), [1, 0, 1, 1, 0],
            [0.4, 0.7, 0.3, 0.5, 0.6], [0.9, 0.1, 0.8, 0.95, 0.05]),
    "CCE": (losses.categorical_crossentropy, keras.losses.CategoricalCrossentropy(), [[0, 0, 1]],
            [[0.4, 0.4, 0.2]], [[0.05, 0.05, 0.9]]),
}
print(f"{'loss':<4} {'case':<5} {'ours':>8} {'Keras':>8} {'chapter code':>13}")
for name, (ours, twin, y_true, poor, good) in examples.items():
    for case, y_pred in (("poor", poor), ("good", good)):
        value = ours(y_true, y_pred)
        # The chapter's code divides the CCE sum by len(y_true), here 3.
        chapter_code = value / 3 if name == "CCE" else value
        keras_value = keras_loss(twin, y_true, y_pred)
        print(f"{name:<4} {case:<5} {value:>8.4f} {keras_value:>8.4f} {chapter_code:>13.4f}")
        lab.check(agree(value, keras_value), f"{name} {case}: ours {value:.7f}, "
                                             f"Keras {keras_value:.7f}")

# %% [markdown]
# ## 3. Clipping: the chapters' ε = 1e-15 against Keras' 1e-7
#
# log 0 = −∞, so both clip p to [ε, 1 − ε] before the log. "Learning Algorithms" and
# "The Learning Problem" use ε = 1e-15, Keras `keras.config.epsilon()` = 1e-7. They agree
# until the target's probability falls below 1e-7.
# `losses.categorical_crossentropy(..., epsilon=losses.KERAS_EPSILON)` must reproduce Keras on
# every row (checked).
#
# Keras also divides p by its sum over the classes before the log. The chapters do not. For
# three independent sigmoids that each say 0.5 (a sum of 1.5), the chapters' formula gives
# log 2 and Keras' gives log 3; `renormalize=True` does what Keras does.

# %% [markdown] tags=["prediction"]
# **Predict 1.** A prediction gives the target a probability of exactly 0: certain, and
# wrong. What loss will the chapters' clipping (ε = 1e-15) and Keras' (ε = 1e-7) report?
# - (a) infinity, both
# - (b) the same finite number, both
# - (c) a finite number each, the chapters' the larger
# - (d) a finite number each, Keras' the larger
# - (e) infinity for one of them, a finite number for the other

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
clipping_rows = [f"{'p(target)':>10} {'ε = 1e-15':>10} {'ε = 1e-7':>9} {'Keras':>8}"]
for probability in (0.5, 1e-5, 1e-10, 0.0):
    y_pred = [[1.0 - probability, probability]]
    chapters_loss = losses.categorical_crossentropy([[0, 1]], y_pred)
    ours_keras_epsilon = losses.categorical_crossentropy([[0, 1]], y_pred,
                                                         epsilon=losses.KERAS_EPSILON)
    twin = keras_loss(keras.losses.CategoricalCrossentropy(), [[0, 1]], y_pred)
    clipping_rows.append(f"{probability:>10.0e} {chapters_loss:>10.4f} "
                         f"{ours_keras_epsilon:>9.4f} {twin:>8.4f}")
    lab.check(agree(ours_keras_epsilon, twin), f"ε = 1e-7 at p = {probability:g}: ours "
                                               f"{ours_keras_epsilon:.7f}, Keras {twin:.7f}")
finite = int(np.isfinite(chapters_loss)) + int(np.isfinite(twin))   # How many are finite.
certain_choice = ("a" if finite == 0 else "e" if finite == 1 else "b" if chapters_loss == twin
                  else "c" if chapters_loss > twin else "d")
clipping_shown = lab.reveal(
    1, f"at p = 0 the chapters' clipping gives {chapters_loss:.4f} (−log 1e-15) and "
       f"Keras {twin:.4f} (−log 1e-7)"
       + (": finite, so a certain mistake has a largest cost" if finite == 2 else ""),
    answer=certain_choice, probability=probability, chapters=chapters_loss, keras=twin,
    chapter_epsilon=losses.SEED_EPSILON, keras_epsilon=losses.KERAS_EPSILON)
if clipping_shown:   # The table answers Predict 1, so it prints after the reveal.
    print("\n".join(clipping_rows))
chapters_three = losses.categorical_crossentropy([[0, 0, 1]], THREE_SIGMOIDS)
keras_three = keras_loss(keras.losses.CategoricalCrossentropy(), [[0, 0, 1]], THREE_SIGMOIDS)
renormalised_three = losses.categorical_crossentropy([[0, 0, 1]], THREE_SIGMOIDS,
                                                     renormalize=True)
print(f"three sigmoids at 0.5: the chapters' {chapters_three:.4f}, Keras {keras_three:.4f}, "
      f"ours renormalised {renormalised_three:.4f}")
lab.check(agree(renormalised_three, keras_three),
          f"renormalised {renormalised_three:.7f} against Keras {keras_three:.7f}")
lab.record("three_sigmoids", chapters=chapters_three, keras=keras_three,
           renormalised=renormalised_three)

# %%
lab.save_figure(figures.cross_entropy_figure(lab.points, losses.SEED_EPSILON, losses.KERAS_EPSILON),
                "cross_entropy.png")

# %% [markdown]
# ## 4. Logits against probabilities: the silent wrong answers
#
# A network's last layer gives raw scores z, the *logits*; softmax turns them into
# probabilities. Keras' losses take either, and `from_logits` says which. Mix them up and
# nothing crashes. With z = [2, −1, 0.5] and the target in class 0, the cell below tries
# the two right ways and the two mix-ups: **logits passed as probabilities**
# (`from_logits=False` on z) and **probabilities passed as logits** (`from_logits=True` on
# softmax(z)), and prints each loss with its gradient dL/dz beside the right gradient,
# softmax(z) − y.

# %% [markdown] tags=["prediction"]
# **Predict 2.** Which of the four cases reports the smallest loss?
# - (a) right: logits, from_logits=True
# - (b) right: softmax(z), from_logits=False
# - (c) wrong: logits passed as probabilities (from_logits=False on z)
# - (d) wrong: probabilities passed as logits (from_logits=True on softmax(z))

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c" or "d"

# %% [markdown] tags=["prediction"]
# **Predict 3.** Does either mix-up give a gradient dL/dz of exactly zero, so that the model
# could never learn from it?
# - (a) neither
# - (b) logits passed as probabilities
# - (c) probabilities passed as logits
# - (d) both

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c" or "d"

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
case_losses, case_gradients = {}, {}
case_rows = [f"{'what the loss was given':<38} {'loss':>9}  gradient dL/dz"]
for name, compute in cases.items():
    with tf.GradientTape() as tape:
        value = compute()
    gradient = tape.gradient(value, logits).numpy()[0]
    case_losses[name], case_gradients[name] = float(value[0]), gradient
    case_rows.append(f"{name:<38} {case_losses[name]:>9.2e}  "
                     f"{np.array2string(gradient, precision=3)}")
right_gradient = activations.softmax(logits.numpy())[0] - label.numpy()[0]   # softmax(z) − y
case_rows.append("softmax(z) − y, the right gradient: "
                 + np.array2string(right_gradient, precision=3))
smallest = min(case_losses, key=case_losses.get)
zero_gradient = [name for name, gradient in case_gradients.items() if not np.any(gradient)]
right_loss = case_losses["right: logits, from_logits=True"]
twice = case_losses["wrong: softmax(z), from_logits=True"] / right_loss
case_choices = dict(zip(cases, "abcd"))
smallest_cases = [name for name, value in case_losses.items()
                  if value == case_losses[smallest]]
smallest_shown = lab.reveal(
    2, f"the smallest loss, {case_losses[smallest]:.2e}, is '{smallest}'; "
       f"softmax applied twice costs {twice:.1f}× the right loss",
    answer=tuple(case_choices[name] for name in smallest_cases),
    losses=case_losses, smallest=smallest, smallest_cases=smallest_cases,
    twice_over_right=twice, case_choices=case_choices)
mixups = ("wrong: logits, from_logits=False", "wrong: softmax(z), from_logits=True")
zero_choice = {(): "a", mixups[:1]: "b", mixups[1:]: "c", mixups: "d"}[
    tuple(name for name in mixups if name in zero_gradient)]
zero_shown = lab.reveal(
    3, f"zero gradient: {', '.join(repr(name) for name in zero_gradient) or 'none'}",
    answer=zero_choice, zero_gradient=zero_gradient,
    gradients=case_gradients, right_gradient=right_gradient)
if smallest_shown and zero_shown:   # The table answers Predict 2 and 3.
    print("\n".join(case_rows))
for name in ("right: logits, from_logits=True", "right: softmax(z), from_logits=False"):
    lab.check(np.allclose(case_gradients[name], right_gradient, atol=FLOAT32_TOLERANCE),
              f"'{name}' gradient {case_gradients[name]} is not softmax(z) − y")
refused = False
try:
    losses.categorical_crossentropy(label.numpy(), logits.numpy())
except ValueError as error:
    refused = True
    print(f"custom.losses refuses: {error}")
lab.check(refused, "custom.losses accepted logits where it expects probabilities")

# %% [markdown]
# Why the mix-ups go wrong:
#
# * **Logits as probabilities.** Keras divides z by its sum, 1.5, giving
#   [1.33, −0.67, 0.33], then clips every entry to [1e-7, 1 − 1e-7]. The target's entry is
#   clipped to 1 − 1e-7, so the loss is −log(1 − 1e-7) ≈ 1e-7, "perfect", and a clipped
#   value does not move when z moves, so no gradient flows back. Our version refuses values
#   outside [0, 1] with a ValueError instead.
# * **Probabilities as logits.** Softmax is applied twice. Softmax of numbers in [0, 1] is
#   flat: even a perfect [1, 0, 0] becomes [0.58, 0.21, 0.21], so the loss can never fall
#   below log(e + 2) − 1 ≈ 0.55 however right the network is, and the gradient is smaller
#   than softmax(z) − y. When the probabilities come from a Keras softmax
#   *layer*, the TensorFlow backend notices, warns, and uses the logits underneath; with
#   any other softmax it cannot.

# %% [markdown]
# ## 5. Why log space is stable
#
# Take two classes with logits (0, −g): the target is the second class and g is how far
# behind it is. The exact loss is log(1 + e^g), about g for large g. The naive route
# computes softmax first, in float32, then takes the log: the target's probability is
# e^(−g)/(1 + e^(−g)). The fused route never forms the probability:
# log softmax(z) = z − logsumexp(z), with the maximum subtracted first. This is what
# `from_logits=True` does. The cell sweeps g from −`logit_range` to +`logit_range`.

# %% [markdown] tags=["prediction"]
# **Predict 4.** float32 cannot hold numbers below about 1e-45 or above about 3e38. Over
# the sweep from g = −`logit_range` to +`logit_range` (±200 by default), where will
# softmax-then-log fail to give a number (∞ or NaN)?
# - (a) nowhere in the sweep
# - (b) only for large positive g (the target far behind)
# - (c) only for large negative g (the target far ahead)
# - (d) at both ends

# %% tags=["your-prediction"]
lab.predict(4, None)  # your answer: "a", "b", "c" or "d"

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
sweep_rows = []   # Rows across the sweep, at grid points; they answer Predict 4.
for fraction in (-1.0, 0.05, 0.25, 0.5, 1.0):
    at = np.argmin(np.abs(gaps - fraction * lab.logit_range))
    sweep_rows.append(f"g = {gaps[at]:>7.1f}: naive {naive[at]:>8.3f}, naive + clip "
                      f"{naive_clipped[at]:>7.3f}, fused {fused[at]:>8.3f}, Keras from_logits "
                      f"{keras_fused[at]:>8.3f}")
infinite, not_a_number = np.isinf(naive), np.isnan(naive)
first_infinite = float(gaps[infinite].min()) if infinite.any() else None
last_not_a_number = float(gaps[not_a_number].max()) if not_a_number.any() else None
inexact = np.isfinite(naive) & (np.abs(naive - fused) > 0.01)    # Off by more than 0.01.
first_inexact = float(gaps[inexact].min()) if inexact.any() else None
fused_error = float(np.max(np.abs(keras_fused - fused) / np.maximum(1.0, fused)))
failed = np.logical_not(np.isfinite(naive))
fails_high, fails_low = bool(np.any(failed & (gaps > 0))), bool(np.any(failed & (gaps < 0)))
sweep_shown = lab.reveal(
    4, figures.sweep_sentence(float(gaps[-1]), first_infinite, last_not_a_number, first_inexact,
                              float(fused[-1])),
    answer={(False, False): "a", (True, False): "b", (False, True): "c",
            (True, True): "d"}[fails_high, fails_low],
    fails_high=fails_high, fails_low=fails_low, first_infinite=first_infinite,
    last_not_a_number=last_not_a_number, first_inexact=first_inexact, gaps=gaps,
    naive=naive, fused=fused, fused_at_end=fused[-1], keras_fused_error=fused_error)
if sweep_shown:
    print("\n".join(sweep_rows))
lab.check(fused_error < FLOAT32_TOLERANCE * 10,
          f"Keras' from_logits loss and our float64 log-softmax differ by {fused_error:.1e}")
print(f"logits [1000, 0, −1000], target class 3: fused loss = "
      f"{losses.categorical_crossentropy([[0, 0, 1]], [[1000.0, 0.0, -1000.0]], from_logits=True):.1f}")

# %% [markdown]
# Why: past g ≈ 103, e^(−g) is below float32's smallest number, the target's probability
# is exactly 0 and log 0 = −∞; just before that, it has already lost most of its digits.
# Clipping at 1e-7 trades ∞ for a loss stuck at 16.1 however wrong the model is, with zero
# gradient. For g < −88, e^(−g) is above float32's largest number: ∞/∞ gives NaN. The fused
# route subtracts the largest logit before any exponential, so nothing overflows, and it
# never takes the log of a rounded-away probability.

# %%
lab.save_figure(figures.stability_figure(gaps, fused, keras_fused, naive, naive_clipped,
                                         last_not_a_number, first_infinite),
                "log_space_stability.png")

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Each one needs a few lines in a new cell below (or a changed value in the parameters
# cell). Answers are in the instructor's edition.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** By hand, compute the binary cross-entropy of p = 0.9 and of
# p = 0.1 for a sample with y = 1, and the squared error (1 − p)² of each. Then check with
# `losses.binary_crossentropy([1], [0.9])` and `keras.losses.BinaryCrossentropy()`. How many
# times worse is the confident mistake by each loss?
# *Syllabus: The Learning Problem, loss functions.*

# %% [markdown] tags=["answer"]
# **Answer 1.** Cross-entropy: −log 0.9 = 0.1054 and −log 0.1 = 2.3026, both from the code
# and from Keras (to float32 rounding). Squared error: 0.01 and 0.81. Cross-entropy makes
# the confident mistake about 22 times worse than the good guess, squared error 81 times;
# but squared error never exceeds 1 for y = 1, while cross-entropy grows without bound as
# p → 0 (the left panel of `cross_entropy.png`), so a certain mistake is what it punishes
# most.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** A sigmoid output with logit z = −5 predicts p = σ(−5) for a
# sample with y = 1. With `tf.GradientTape`, compute dL/dz for L = −log p and for
# L = (1 − p)². Which loss gives the larger push towards the right answer, and why?
# *Syllabus: The Learning Problem, loss functions.*

# %% [markdown] tags=["answer"]
# **Answer 2.** p = σ(−5) ≈ 0.00669. For cross-entropy, dL/dz = p − y ≈ −0.993; for
# squared error, dL/dz = −2(1 − p)·σ′(z) = −2(1 − p)²·p ≈ −0.0132 (measured with
# GradientTape in float32; the formulas give the same). The sigmoid's derivative p(1 − p)
# is tiny for a confident output, and squared error keeps it, so a badly wrong sigmoid
# unit hardly learns; cross-entropy's log cancels it, leaving p − y. This is why
# classifiers pair sigmoid or softmax with cross-entropy.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Repeat section 4's mix-up for two classes: feed the logits
# z = [[2.0], [−1.0]] with labels y = [[1], [0]] to `keras.losses.BinaryCrossentropy()`
# (which expects probabilities), then to `BinaryCrossentropy(from_logits=True)`. Predict
# both losses and the gradient of the first with respect to z, then measure them.
# *Syllabus: Session plan, logits and probabilities.*

# %% [markdown] tags=["answer"]
# **Answer 3.** Measured: the mix-up reports 1.19e-7 with a gradient of [0, 0]; the right
# call reports 0.2201. Keras clips the "probabilities" to [1e-7, 1 − 1e-7]: 2.0 becomes
# 1 − 1e-7 for the positive sample and −1.0 becomes 1e-7 for the negative one, both
# "nearly perfect", and a clipped value passes no gradient. The model reports a perfect
# loss and never learns. The right loss is the mean of log(1 + e^(−2)) = 0.127 and
# log(1 + e^(−1)) = 0.313.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Write a binary cross-entropy on logits that is exact for every
# finite z, using L = max(z, 0) − z·y + log(1 + e^(−|z|)). Derive it from
# −[y·log σ(z) + (1 − y)·log(1 − σ(z))], check it against
# `keras.losses.BinaryCrossentropy(from_logits=True)` for z from −100 to 100, and find where
# the naive float32 route −log(1 − σ(z)) for y = 0 first becomes infinite.
# *Syllabus: Session plan, logits and probabilities.*

# %% [markdown] tags=["answer"]
# **Answer 4.** log σ(z) = −log(1 + e^(−z)) and log(1 − σ(z)) = −z − log(1 + e^(−z)), so
# L = (1 − y)·z + log(1 + e^(−z)); for z < 0 rewrite log(1 + e^(−z)) = −z + log(1 + e^z),
# which gives the form above, whose exponential never exceeds 1. It matches Keras to
# float32 rounding (relative error about 1e-7). The naive route in float32: at z = 16 it
# gives 15.94 instead of 16.00, and from z = 17 on σ(z) rounds to exactly 1, so the loss
# is infinite (measured with NumPy float32), which is section 5's failure in one dimension.
