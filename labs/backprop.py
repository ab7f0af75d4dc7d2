"""Backpropagation and gradient checking: a NumPy network, its gradients checked three ways, XOR by hand.

What you learn: the chain rule as code. A two-layer NumPy network caches its forward
pass and runs its backward pass by hand (``custom/numpy_net.py``). Its gradients are
checked against central differences on every parameter (relative error < 1e-5) and
against ``tf.GradientTape`` on the same weights. The checker catches a backward pass
that forgets the ReLU derivative. Then the network learns XOR by hand to 100 %, and
you see how often the seeds' 4-unit version gets stuck.

Follows: seed 001 (2-layer XOR backprop, gradient checking), seed 000 (the dense
layer with backprop, exercise 1 on gradient checking, exercise 7 on XOR) and seed 002
(the forward and backward pass narrative).
Run time: about 5 s on 2 CPU cores (about 5 s with --quick), start-up included.
"""

# %% [markdown]
# # Backpropagation and gradient checking
#
# Forward: z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾, then a⁽ˡ⁾ = g(z⁽ˡ⁾), caching every z and a.
# Backward, from the loss to the input, one chain-rule factor per line:
#
# | step | equation | shape (seed 001 batch) |
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
from custom.numpy_net import Network
from labs import _plots, _runtime
from labs._runtime import param

lab = _runtime.start("backprop", {
    "hidden_units": param(8, minimum=1),       # For XOR: 8 ReLU units reach 100
                                               # % from every seed we tried.
    "seed_hidden_units": param(4, minimum=1),  # Seed 001's XOR network,
                                               # which sometimes gets stuck.
    "epochs": param(1000, minimum=1),          # Seed 001's 1000 full-batch steps.
    "learning_rate": param(0.5, above=0),      # Seed 001's rate for XOR.
    "weight_scale": param(0.5, above=0),       # Seed 001 draws initial weights from N(0, 0.5²).
    "restarts": param(10, minimum=1),          # Seeds per XOR network, to measure
                                               # how often each reaches 100 %.
}, quick={"restarts": 4, "epochs": 600})   # Full run: 10 restarts of 1000 epochs.

# %% [markdown]
# ## 1. The forward pass and the backward pass on seed 001's batch
#
# Seed 001 checks its gradients on two samples with a 2-3-1 network. Every array below is
# float64: gradient checking needs the precision (see section 2).

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
# this estimate shrinks like h². Each array passes if ‖a − n‖ / (‖a‖ + ‖n‖) < 1e-5. (Seed 001
# divides by |a| + 1e-8 per element instead, which turns rounding noise on a near-zero
# gradient into a huge "error"; the table shows the worst single element too.) In float32,
# L itself is only good to ~1e-7, and dividing by 2h = 2e-5 leaves errors of ~1e-2: the
# check would fail a correct network.

# %%
report = gradient_check.check_network(network, x_check, y_check)
print(report.table())
print("correct backward pass:", "PASSES" if report.passed else "FAILS")

# %% [markdown]
# Now a classic bug: a backward pass that forgets the ReLU derivative, dz⁽¹⁾ = da⁽¹⁾
# instead of da⁽¹⁾ ⊙ ReLU′(z⁽¹⁾). Seed 000's 4-16-8-3 network on random inputs has many
# units switched off, so the missing factor matters. The output layer's gradients stay
# right (no ReLU there) and everything below it is wrong.

# %%
rng = np.random.default_rng(lab.seed)
x_seed_000, labels_seed_000 = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
deep = Network([4, 16, 8, 3], output="softmax", seed=lab.seed)
good_report = gradient_check.check_network(deep, x_seed_000, labels_seed_000)
broken_report = gradient_check.check_network(
    deep, x_seed_000, labels_seed_000, backward=gradient_check.backward_without_relu_derivative)
print(f"{'parameter':<10} {'correct':>10} {'no ReLU′':>10}")
for name, good, broken in zip(good_report.names, good_report.errors, broken_report.errors):
    print(f"{name:<10} {good:>10.2e} {broken:>10.2e}")
print(f"correct: {'PASSES' if good_report.passed else 'FAILS'}; "
      f"without ReLU′: {'PASSES' if broken_report.passed else 'FAILS'} (it must fail)")

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

# %%
def keras_twin(numpy_network):
    """A float64 Keras copy of ``numpy_network``, its last layer returning logits."""
    layers = [keras.Input(shape=(numpy_network.layer_sizes[0],), dtype="float64")]
    for size in numpy_network.layer_sizes[1:-1]:
        layers.append(keras.layers.Dense(size, activation="relu", dtype="float64"))
    layers.append(keras.layers.Dense(numpy_network.layer_sizes[-1], dtype="float64"))
    model = keras.Sequential(layers)
    model.set_weights(numpy_network.get_weights())
    return model


for numpy_network, x, y, loss_function in (
        (network, x_check, y_check, keras.losses.BinaryCrossentropy(from_logits=True, dtype="float64")),
        (deep, x_seed_000, labels_seed_000,
         keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"))):
    model = keras_twin(numpy_network)
    with tf.GradientTape() as tape:
        tape_loss = loss_function(y, model(x))
    tape_gradients = tape.gradient(tape_loss, model.trainable_variables)
    numpy_loss = numpy_network.loss(x, y)
    ours = numpy_network.backward(y)
    largest = max(float(np.abs(a - b.numpy()).max()) for a, b in zip(ours, tape_gradients))
    print(f"{str(numpy_network.layer_sizes):<14} loss NumPy {numpy_loss:.12f}, tape {float(tape_loss):.12f}; "
          f"largest gradient difference {largest:.1e}")

# %% [markdown]
# ## 4. XOR by hand
#
# XOR is the smallest problem that needs a hidden layer: no straight line separates
# (0, 1) and (1, 0) from (0, 0) and (1, 1). We train with the loop the seeds write out:
# forward, backward, θ ← θ − η·∇θ, on all four points at once, from several seeds.
# With only four ReLU units (seed 001's network), some seeds get stuck at 75 %: units
# that start switched off for the points they would need, or that learn the same cut,
# leave too few useful units. Twice as many units make it reliable.

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
print(f"{'hidden units':>12} {'reached 100 %':>14} {'final losses'}")
for hidden_units in (lab.seed_hidden_units, lab.hidden_units):
    runs[hidden_units] = []
    for seed in range(lab.seed, lab.seed + lab.restarts):
        xor_network, curve = train_xor(hidden_units, seed)
        accuracy = np.mean((xor_network.predict(x_xor).ravel() > 0.5) == y_xor)
        runs[hidden_units].append((seed, accuracy, curve, xor_network))
    solved = sum(accuracy == 1.0 for _, accuracy, _, _ in runs[hidden_units])
    finals = " ".join(f"{curve[-1]:.3f}" for _, _, curve, _ in runs[hidden_units])
    print(f"{hidden_units:>12} {solved:>9} of {lab.restarts:<3} {finals}")

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
_plots.decision_boundary(right, xor_network.predict, x_xor, y_xor,
                         title=f"2-{lab.hidden_units}-1 NumPy network: accuracy {accuracy:.0%}")
lab.save_figure(figure, "xor_by_hand.png")

# %% [markdown]
# ## What to take away
#
# * The backward pass is a handful of matrix products, one per chain-rule factor, and its
#   shapes mirror the forward pass.
# * Check a hand-written backward pass against central differences in float64 before
#   trusting it; a missing activation derivative shows up at once as errors near 1.
# * Autodiff (`tf.GradientTape`) computes the same numbers from the forward pass alone.

# %%
lab.finish()
