"""Backpropagation and gradient checking: a NumPy network, its gradients checked three ways, XOR by hand.

What you learn: the chain rule as code. A two-layer NumPy network caches its forward
pass and runs its backward pass by hand (``custom/numpy_net.py``). Its gradients are
checked against central differences on every parameter (relative error < 1e-5) and
against ``tf.GradientTape`` on the same weights. The checker catches a backward pass
that forgets the ReLU derivative. Then the network learns XOR by hand, and you count
how often the 4-unit version of "The Learning Problem" and a wider one reach 100 %.

Follows: "The Learning Problem" (2-layer XOR backprop, gradient checking) and
"Learning Algorithms" (the dense layer with backprop, the forward and backward pass
narrative, exercise 1 on gradient checking, exercise 7 on XOR).
Run time: about 8 s on 2 CPU cores (about 8 s with --quick), start-up included.
"""

# %% [markdown]
# # Backpropagation and gradient checking
#
# Forward: z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾, then a⁽ˡ⁾ = g(z⁽ˡ⁾), caching every z and a.
# Backward, from the loss to the input, one chain-rule factor per line:
#
# | step | equation | shape (section 1's batch) |
# |---|---|---|
# | output error | dz⁽²⁾ = (a⁽²⁾ − y) / m | (2, 1) |
# | output weights | dW⁽²⁾ = a⁽¹⁾ᵀ · dz⁽²⁾ | (3, 1) |
# | back through W | da⁽¹⁾ = dz⁽²⁾ · W⁽²⁾ᵀ | (2, 3) |
# | back through ReLU | dz⁽¹⁾ = da⁽¹⁾ ⊙ ReLU′(z⁽¹⁾) | (2, 3) |
# | input weights | dW⁽¹⁾ = xᵀ · dz⁽¹⁾ | (2, 3) |
#
# The first line is sigmoid + binary cross-entropy (or softmax + categorical
# cross-entropy) differentiated together: their product of derivatives collapses to a − y.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import datasets
from custom import gradient_check
from labs.machinery import plots, runtime, twins
from labs.machinery.runtime import param

lab = runtime.start("backprop", {
    "hidden_units": param(8, minimum=1),       # For XOR: twice the width of the network
                                               # below, to compare how often each gets stuck.
    "seed_hidden_units": param(4, minimum=1),  # The XOR network of "The Learning Problem",
                                               # which sometimes gets stuck.
    "epochs": param(1000, minimum=1),          # Its 1000 full-batch steps.
    "learning_rate": param(0.5, above=0),      # Its learning rate for XOR.
    "weight_scale": param(0.5, above=0),       # Its initial weights are drawn from N(0, 0.5²).
    "restarts": param(10, minimum=1),          # Seeds per XOR network, to measure
                                               # how often each reaches 100 %.
}, quick={"restarts": 4, "epochs": 600})   # Full run: 10 restarts of 1000 epochs.
TAPE_TOLERANCE = 1e-12    # Backprop against the tape: float64 rounding of the same sums
                          # in another order.
Network = twins.network   # custom.numpy_net.Network, or its twin until backprop is written

# %% [markdown]
# ## 1. The forward pass and the backward pass on the batch of "The Learning Problem"
#
# "The Learning Problem" checks its gradients on two samples with a 2-3-1 network. Every array
# below is float64: gradient checking needs the precision (see section 2).

# %%
x_check = np.array([[0.5, 0.3], [0.8, 0.1]])     # (2 samples, 2 features)
y_check = np.array([[1.0], [0.0]])               # (2, 1)
network = Network([2, 3, 1], output="sigmoid", seed=lab.seed + 42, weight_scale=lab.weight_scale)
loss = network.loss(x_check, y_check)
gradients = network.backward(y_check)
print(f"loss = {loss:.6f}")
for layer_number, layer in enumerate(network.layers, start=1):
    print(f"layer {layer_number}: x {layer.cache['x'].shape} → z {layer.cache['z'].shape}, "
          f"W {layer.weights.shape}, b {layer.bias.shape}")
for name, gradient in zip(gradient_check.parameter_names(network), gradients):
    print(f"d{name} {str(gradient.shape):<7} {np.array2string(gradient.ravel(), precision=5)}")

# %% [markdown]
# ## 2. Gradient checking by central differences
#
# For each parameter θᵢ, ∂L/∂θᵢ ≈ [L(θᵢ + h) − L(θᵢ − h)] / 2h with h = 1e-5; the error of
# this estimate shrinks like h². Each array passes if ‖a − n‖ / (‖a‖ + ‖n‖) < 1e-5.
# ("The Learning Problem" divides by |a| + 1e-8 per element instead, which turns rounding
# noise on a near-zero gradient into a huge "error"; the table shows the worst single element
# too.) In float32, L itself is only good to ~1e-7, and dividing by 2h = 2e-5 leaves errors of
# ~1e-2: the check would fail a correct network.

# %%
report = twins.check_network(network, x_check, y_check)
print(report.table())
print("correct backward pass:", "PASSES" if report.passed else "FAILS")
lab.check(report.passed, "the correct backward pass fails the gradient check on the 2-3-1 "
                         f"network: {dict(zip(report.names, report.errors))}")

# %% [markdown]
# Now a classic bug: a backward pass that forgets the ReLU derivative, dz⁽¹⁾ = da⁽¹⁾ instead
# of da⁽¹⁾ ⊙ ReLU′(z⁽¹⁾). The 4-16-8-3 network of "Learning Algorithms" on random inputs has
# many units switched off, so the missing factor matters.

# %% [markdown] tags=["prediction"]
# **Predict 1.** The 4-16-8-3 network has six parameter arrays: W1, b1, W2, b2 (the two
# ReLU layers' weights and biases) and W3, b3 (the softmax output layer's). Which of them
# will fail the check when the backward pass forgets ReLU′?
# - (a) all six
# - (b) W1, b1, W2 and b2
# - (c) only W1 and b1
# - (d) only W3 and b3
# - (e) another set, or none

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
rng = np.random.default_rng(lab.seed)
x_deep, labels_deep = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
deep = Network([4, 16, 8, 3], output="softmax", seed=lab.seed)
good_report = twins.check_network(deep, x_deep, labels_deep)
broken_report = twins.check_network(
    deep, x_deep, labels_deep, backward=gradient_check.backward_without_relu_derivative)
# The table answers Predict 1, so it prints after the reveal.
check_rows = [f"{'parameter':<10} {'correct':>10} {'no ReLU′':>10}"]
for name, good, broken in zip(good_report.names, good_report.errors, broken_report.errors):
    check_rows.append(f"{name:<10} {good:>10.2e} {broken:>10.2e}")
check_rows.append(f"correct: {'PASSES' if good_report.passed else 'FAILS'}; "
                  f"without ReLU′: {'PASSES' if broken_report.passed else 'FAILS'} "
                  "(it must fail)")
broken_errors = dict(zip(broken_report.names, broken_report.errors))
failing = [name for name, error in broken_errors.items() if error >= broken_report.tolerance]
passing = [name for name in broken_errors if name not in failing]
sentence = f"without ReLU′ {', '.join(failing) or 'nothing'} fail"
if failing:
    sentence += (f", with relative errors from {min(broken_errors[n] for n in failing):.2f} "
                 f"to {max(broken_errors[n] for n in failing):.2f}")
if passing:
    sentence += (f"; {', '.join(passing)} pass (largest error "
                 f"{max(broken_errors[n] for n in passing):.1e})")
failing_choices = {"a": ["W1", "b1", "W2", "b2", "W3", "b3"], "b": ["W1", "b1", "W2", "b2"],
                   "c": ["W1", "b1"], "d": ["W3", "b3"]}
check_shown = lab.reveal(
    1, sentence,
    answer=next((letter for letter, names in failing_choices.items()
                 if sorted(names) == sorted(failing)), "e"),
    failing_choices=failing_choices, broken_errors=broken_errors,
    correct_errors=dict(zip(good_report.names, good_report.errors)),
    failing=failing, pass_mark=broken_report.tolerance)
if check_shown:
    print("\n".join(check_rows))
lab.check(good_report.passed, "the correct backward pass fails on the 4-16-8-3 network")
lab.check(not broken_report.passed, "the check missed the backward pass without ReLU′")

# %% [markdown]
# Why those: the output layer has no ReLU, so its gradients dW3 = a⁽²⁾ᵀ·dz⁽³⁾ and db3 never
# meet the missing factor. Every array below it is reached only through a ReLU, whose
# derivative is 0 for each unit switched off on a sample; forgetting it lets gradient flow
# back through units that did not take part, so those arrays come out wrong wherever a
# unit was switched off for some sample.

# %%
figure, axis = plt.subplots(figsize=(7, 4))
names = good_report.names
positions = np.arange(len(names))
axis.bar(positions - 0.2, good_report.errors, width=0.4, label="correct backward pass")
axis.bar(positions + 0.2, broken_report.errors, width=0.4, label="ReLU derivative forgotten")
axis.axhline(gradient_check.TOLERANCE, color="k", linestyle="--", label="pass mark 1e-5")
axis.set_yscale("log")
axis.set_xticks(positions, names)
axis.set(xlabel="parameter of the 4-16-8-3 network", ylabel="relative error",
         title="gradient check: central differences against backprop")
axis.legend(loc="center right")
lab.save_figure(figure, "gradient_check.png")

# %% [markdown]
# ## 3. The same gradients from `tf.GradientTape`
#
# Copy the NumPy weights into a float64 Keras model (`get_weights` uses Keras' order and
# shapes) and let TensorFlow differentiate the same loss. Keras' last layer has no
# activation; the loss takes logits, so nothing is clipped.

# %% [markdown] tags=["prediction"]
# **Predict 2.** The gradient check above compared backprop with central differences, by
# the relative error ‖a − n‖ / (‖a‖ + ‖n‖) of each array. Measured the same way, how
# will the tape's gradients compare with backprop's?
# - (a) closer than central differences, by more than a factor of 100
# - (b) about as close as central differences (within a factor of 100)
# - (c) less close than central differences, by more than a factor of 100

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b" or "c"

# %%
tape_differences, loss_differences, tape_relative, tape_rows = {}, {}, {}, []
for numpy_network, x, y, loss_function in (
        (network, x_check, y_check, keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64")),
        (deep, x_deep, labels_deep,
         keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"))):
    model = numpy_network.keras_twin()
    with tf.GradientTape() as tape:
        tape_loss = loss_function(y, model(x))
    tape_gradients = tape.gradient(tape_loss, model.trainable_variables)
    numpy_loss = numpy_network.loss(x, y)
    ours = numpy_network.backward(y)
    largest = max(float(np.abs(a - b.numpy()).max()) for a, b in zip(ours, tape_gradients))
    tape_rows.append(f"{str(numpy_network.layer_sizes):<14} loss NumPy {numpy_loss:.12f}, "
                     f"tape {float(tape_loss):.12f}; largest gradient difference {largest:.1e}")
    tape_differences[str(numpy_network.layer_sizes)] = largest
    tape_relative[str(numpy_network.layer_sizes)] = max(
        gradient_check.relative_error(a, b.numpy()) for a, b in zip(ours, tape_gradients))
    loss_differences[str(numpy_network.layer_sizes)] = abs(numpy_loss - float(tape_loss))
largest_tape_difference = max(tape_differences.values())
# The worst relative error of the tape, and of central differences on the same two networks.
tape_error = max(tape_relative.values())
difference_error = max(max(report.errors), max(good_report.errors))
ratio = tape_error / difference_error
tape_agreement = lab.agreement("tape gradients", "the tape's and backprop's gradients",
                               largest_tape_difference, TAPE_TOLERANCE, show=False)
lab.agreement("tape losses", "the tape's and backprop's losses",
              max(loss_differences.values()), TAPE_TOLERANCE, show=False)
tape_shown = lab.reveal(
    2, f"the tape's worst relative error is {tape_error:.1e}, central differences' "
       f"{difference_error:.1e} (a ratio of {ratio:.1e}); {tape_agreement}",
    answer="a" if ratio < 1e-2 else "b" if ratio <= 1e2 else "c",
    tape_error=tape_error, difference_error=difference_error, ratio=ratio,
    relative_errors=tape_relative, gradient_differences=tape_differences,
    loss_differences=loss_differences, largest=largest_tape_difference,
    agreement_tolerance=TAPE_TOLERANCE)
if tape_shown:   # The differences answer Predict 2, so they print after the reveal.
    print("\n".join(tape_rows))

# %% [markdown]
# ## 4. XOR by hand
#
# XOR is the smallest problem that needs a hidden layer: no straight line separates (0, 1) and
# (1, 0) from (0, 0) and (1, 1). We train with the loop that "Learning Algorithms" and
# "The Learning Problem" write out: forward, backward, θ ← θ − η·∇θ, on all four points at
# once, from `restarts` seeds, for the network of "The Learning Problem", with
# `seed_hidden_units` (4) ReLU units, and for a wider one with `hidden_units` (8).

# %% [markdown] tags=["prediction"]
# **Predict 3.** Gradient descent on XOR starts from random weights, `restarts` seeds for
# each network. Which network classifies all four points right from more seeds?
# - (a) the 2-4-1 network of "The Learning Problem" (`seed_hidden_units` units)
# - (b) the 2-8-1 network (`hidden_units` units)
# - (c) both from the same number of seeds

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b" or "c"

# %%
x_xor, y_xor = datasets.xor()                  # x (4, 2), y (4,) in {0, 1}


def train_xor(hidden_units, seed):
    """Full-batch gradient descent on XOR; returns the network and its loss per epoch."""
    xor_network = Network([2, hidden_units, 1], output="sigmoid", seed=seed,
                          weight_scale=lab.weight_scale)
    curve = []
    for _ in range(lab.epochs):
        curve.append(xor_network.loss(x_xor, y_xor))                       # forward
        xor_network.update(xor_network.backward(y_xor), lab.learning_rate)  # backward, step
    return xor_network, curve


runs = {}
xor_rows = [f"{'hidden units':>12} {'reached 100 %':>14} {'final losses'}"]
for hidden_units in (lab.seed_hidden_units, lab.hidden_units):
    runs[hidden_units] = []
    for seed in range(lab.seed, lab.seed + lab.restarts):
        xor_network, curve = train_xor(hidden_units, seed)
        accuracy = np.mean((xor_network.predict(x_xor).ravel() > 0.5) == y_xor)
        runs[hidden_units].append((seed, accuracy, curve, xor_network))
    solved = sum(accuracy == 1.0 for _, accuracy, _, _ in runs[hidden_units])
    finals = " ".join(f"{curve[-1]:.3f}" for _, _, curve, _ in runs[hidden_units])
    xor_rows.append(f"{hidden_units:>12} {solved:>9} of {lab.restarts:<3} {finals}")

solved_counts = {f"2-{hidden_units}-1": sum(accuracy == 1.0 for _, accuracy, _, _ in seeded)
                 for hidden_units, seeded in runs.items()}
seed_count, wide_count = (solved_counts[f"2-{units}-1"]
                          for units in (lab.seed_hidden_units, lab.hidden_units))
xor_shown = lab.reveal(
    3, "; ".join(f"{name}: {count} of {lab.restarts} seeds reach 100 %"
                 for name, count in solved_counts.items()),
    answer="a" if seed_count > wide_count else "b" if wide_count > seed_count else "c",
    solved=solved_counts, restarts=lab.restarts,
    accuracies={f"2-{hidden_units}-1": [accuracy for _, accuracy, _, _ in seeded]
                for hidden_units, seeded in runs.items()})
if xor_shown:   # The counts answer Predict 3, so they print after the reveal.
    print("\n".join(xor_rows))

# %% [markdown]
# A run that stays below 100 % has not found weights that separate XOR; in the figure its
# loss curve is red: compare where it levels off with the others. A ReLU unit that is
# switched off for every input gets no gradient and never turns on again, and two units
# that cut the plane along the same line count as one; with few units to start with, too
# few useful ones can be left. Exercise 5 looks inside the stuck runs.

# %%
seed, accuracy, curve, xor_network = runs[lab.hidden_units][0]
print(f"\n2-{lab.hidden_units}-1 network, seed {seed}: accuracy {accuracy:.0%}")
for point, probability in zip(x_xor, xor_network.predict(x_xor).ravel()):
    print(f"  input {point.astype(int)} → P(1) = {probability:.4f}")

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
for hidden_units, style in ((lab.seed_hidden_units, ":"), (lab.hidden_units, "-")):
    for index, (seed, accuracy, curve, _) in enumerate(runs[hidden_units]):
        left.semilogy(curve, style, color="C0" if accuracy == 1.0 else "C3", alpha=0.7,
                      label=(f"2-{hidden_units}-1" if index == 0 else None))
left.plot([], [], color="C3", label="stuck below 100 %")
left.set(xlabel="epoch (full batch)", ylabel="binary cross-entropy (log scale)",
         title=f"XOR by hand, η = {lab.learning_rate}, {lab.restarts} seeds per size")
left.legend()
plots.decision_boundary(right, xor_network.predict, x_xor, y_xor,
                         title=f"2-{lab.hidden_units}-1 NumPy network: accuracy {accuracy:.0%}")
lab.save_figure(figure, "xor_by_hand.png")

# %% [markdown]
# ## What to take away
#
# * The backward pass is a handful of matrix products, one per chain-rule factor, and its
#   shapes mirror the forward pass.
# * Check a hand-written backward pass against central differences in float64 before
#   trusting it; a missing activation derivative shows up at once, in the arrays below
#   the first activation it skips.
# * Autodiff (`tf.GradientTape`) computes the same numbers from the forward pass alone.

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Write your code in new cells below, or change a value in the parameters cell at the top.
# Answers are in the instructor's edition.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Check one gradient by hand: on the 2-3-1 network of section 1,
# add h = 1e-5 to `network.layers[-1].bias[0]`, compute `network.loss(x_check, y_check)`,
# subtract 2h, compute it again, restore the bias, and form the central difference. Compare
# it with the printed db2.
# *Syllabus: Learning Algorithms, exercise 1.*

# %% [markdown] tags=["answer"]
# **Answer 1.** [L(b + h) − L(b − h)] / 2h = 0.0028387, the db2 that the backward pass
# printed (measured with the default seed, where the 2-3-1 network uses seed 42; they agree
# to about 1e-12). Restore the bias exactly (keep the original value in a variable rather
# than adding h back), or every later number is computed on a slightly different network.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Call `gradient_check.check_network(network, x_check, y_check,
# step=h)` for h = 1e-1, 1e-3, 1e-5, 1e-7, 1e-9 and 1e-11, and plot the relative error of
# each array against h on log-log axes. Which h is best, and why do both ends fail?
# *Syllabus: Learning Algorithms, exercise 1.*

# %% [markdown] tags=["answer"]
# **Answer 2.** Measured on the 2-3-1 network (default seed): the errors are up to 0.29 at
# h = 1e-1, 1e-12 to 4e-8 at 1e-3, 5e-11 to 1e-9 at 1e-5, up to 1.4e-7 at 1e-7, up to
# 6.5e-6 at 1e-9 and up to 1.6e-3 at 1e-11: a V with its bottom between 1e-3 and 1e-5.
# The central difference's truncation error shrinks like h² (large h), while the rounding
# error of L, about 1e-16·|L|, is divided by 2h and grows like 1/h (small h). Their sum is
# smallest near h ≈ (1e-16)^(1/3) ≈ 1e-5, the usual choice.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** How wide must the hidden layer be for XOR? Set
# `hidden_units = 2`, then 3, then 16 in the parameters cell (`--hidden-units 2`, …), and
# record how many of the 10 restarts reach 100 % each time (prediction 3's line).
# *Syllabus: The Learning Problem, XOR backpropagation.*

# %% [markdown] tags=["answer"]
# **Answer 3.** Measured with seeds 0–9, η = 0.5, 1000 epochs and weight scale 0.5: 2 units
# reach 100 % from 1 seed of 10, 3 units from 3, 4 units from 6, 8 units from 10 and 16
# units from 10. Two ReLU units are enough in principle (XOR needs two cuts), but only if
# both stay alive and cut in different places; extra units are spares, so that enough
# useful ones survive a random start.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Write a broken backward pass that forgets the 1/m of the output
# error, dz⁽³⁾ = a⁽³⁾ − y instead of (a⁽³⁾ − y)/m, by copying
# `gradient_check.backward_without_relu_derivative` and putting the ReLU′ factor back
# (`grad * layer.activation_derivative()`). Predict the relative error of every array on
# the 4-16-8-3 network with its m = 8 samples before you run the check.
# *Syllabus: Learning Algorithms, exercise 1.*

# %% [markdown] tags=["answer"]
# **Answer 4.** Every gradient is exactly m times too large, so every array fails with the
# same relative error ‖8n − n‖ / (‖8n‖ + ‖n‖) = 7/9 ≈ 0.778; the check measured 7.78e-01 on
# all six arrays. Unlike the missing ReLU′, this bug touches every layer, and the
# direction of each gradient is right: training would still work, with a learning rate
# effectively m times larger, which is why the check, not the loss curve, catches it.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Look inside the stuck 2-4-1 runs of section 4. For each
# run, do a forward pass on the four XOR points and print which hidden units are active
# (z > 0) for which point. What do the stuck runs have in common that the successful ones
# lack? Propose a change (initialisation, activation, width) and test it.
# *Syllabus: The Learning Problem, XOR backpropagation.*

# %% [markdown] tags=["answer"]
# **Answer 5.** Measured with seeds 0–9 and the defaults: the stuck runs (seeds 3, 5, 7
# and 8) end with two or three of their four units switched off on all four points, and
# the units still alive are active on the same points, so they make one cut, not two. The
# successful runs keep at least two live units with different patterns (seed 4 also loses
# two units, and its other two still differ). Remedies worth testing: more units
# (exercise 3), Leaky ReLU so that a switched-off unit still gets a gradient, a small
# positive initial bias, or a smaller `weight_scale`; compare the count of seeds reaching
# 100 % before and after.
