"""Activations and their derivatives: ReLU, Leaky ReLU, Swish, GELU, and the dead-ReLU problem.

What you learn: the shape of four activations and of their derivatives, which
``tf.GradientTape`` computes from the function alone (and which match the formulas in
``custom/activations.py``); why a derivative that is exactly 0 for negative inputs can
switch off whole layers of a deep ReLU network started with a large negative bias; and
how Leaky ReLU's small slope lets the same network recover.

Follows: seed 004 (week 3: activations as gatekeepers and their derivatives) and seed
000 (the ReLU derivative in the backward pass).
Run time: about 6 s on 2 CPU cores (about 6 s with --quick), start-up included.
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
import tensorflow as tf

import datasets
from custom import activations
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("activations", {
    # Seed 004's example slope for negative inputs (Keras' default is 0.2).
    "leaky_slope": param(0.1, minimum=0, maximum=1),
    "depth": param(6, minimum=1),                   # Hidden layers in the dead-ReLU
                                                    # network: deep enough to die.
    "width": param(32, minimum=1),                  # Units per hidden layer.
    "negative_bias": param(-1.0),                   # Every hidden bias starts here,
                                                    # pushing units below zero.
    "n_samples": param(256, minimum=8),             # Two moons, trained full batch.
    "epochs": param(150, minimum=1),                # Full-batch Adam steps; Leaky
                                                    # ReLU has recovered by then.
    "learning_rate": param(0.01, above=0),          # Adam.
}, quick={"epochs": 60})       # Full run: 150 epochs.

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
curves = {}
print(f"{'activation':<22} {'max |g − ours|':>15} {'max |g′ − ours′|':>17} {'g′(−3)':>8} {'g′(1)':>7}")
for name, (keras_function, ours, options) in keras_functions.items():
    z = tf.Variable(z_values)
    with tf.GradientTape() as tape:
        values = keras_function(z)                       # g(z), element by element
    derivative = tape.gradient(values, z).numpy()        # dg/dz (the sum's gradient is elementwise)
    function, ours_derivative = activations.get(ours)
    away_from_kink = np.abs(z_values) > 1e-9
    value_error = np.abs(values.numpy() - function(z_values, **options)).max()
    slope_error = np.abs(derivative - ours_derivative(z_values, **options))[away_from_kink].max()
    curves[name] = (values.numpy(), derivative)
    at = lambda point: derivative[np.argmin(np.abs(z_values - point))]
    print(f"{name:<22} {value_error:>15.1e} {slope_error:>17.1e} {at(-3):>8.4f} {at(1):>7.4f}")
approximation = np.abs(keras.activations.gelu(z_values, approximate=True).numpy()
                       - curves["GELU"][0]).max()
print(f"GELU's tanh approximation (approximate=True) differs from the exact form by at most "
      f"{approximation:.1e}")

# %% [markdown]
# ReLU's slope is exactly 0 for every negative input: a *switch*. Leaky ReLU keeps a
# trickle α. Swish and GELU are smooth; they dip slightly below 0 (Swish to −0.28, GELU to
# −0.17), and for moderately negative inputs their slope is small, even slightly negative,
# but not zero. At z = 0,
# ReLU has a kink; TensorFlow uses the slope 0 there, as does `custom.activations`.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
for name, (values, derivative) in curves.items():
    width = 4 if name == "ReLU" else 1.5     # ReLU drawn thick: Leaky ReLU covers it for z > 0
    left.plot(z_values, values, linewidth=width, alpha=0.8, label=name)
    right.plot(z_values, derivative, linewidth=width, alpha=0.8, label=name)
left.set(xlabel="z", ylabel="g(z)", title="activations (keras.activations)")
right.set(xlabel="z", ylabel="g′(z)", title="derivatives (tf.GradientTape)")
for axis in (left, right):
    axis.axhline(0, color="k", linewidth=0.5)
    axis.legend()
lab.save_figure(figure, "activations.png")

# %% [markdown]
# ## 2. Dead ReLUs
#
# A unit is *dead* on a data set when its input z is negative for every sample: a ReLU
# then outputs 0 and passes back a gradient of exactly 0, so the weights feeding it never
# change. Start a deep network with every hidden bias at a large negative value and the
# signal shrinks layer by layer until whole layers are dead, and then no gradient reaches
# anything below them. We compare the same network, with the same initial weights, built
# with Leaky ReLU, whose negative side still passes α times the gradient.

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=0.2, seed=lab.seed)
x = datasets.Standardizer().fit(x).transform(x)      # (n_samples, 2)


def deep_network(activation):
    """``depth`` hidden layers of ``width`` units, biases at ``negative_bias``; returns the
    model and a probe model that outputs every hidden layer's activations."""
    keras.utils.set_random_seed(lab.seed)            # the same initial weights for each activation
    inputs = keras.Input(shape=(2,))
    hidden, hidden_outputs = inputs, []
    for _ in range(lab.depth):
        hidden = keras.layers.Dense(lab.width, activation=activation, kernel_initializer="he_normal",
                                    bias_initializer=keras.initializers.Constant(lab.negative_bias))(hidden)
        hidden_outputs.append(hidden)
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    return keras.Model(inputs, outputs), keras.Model(inputs, hidden_outputs)


def dead_fraction(probe):
    """Per hidden layer, the fraction of units whose output is ≤ 0 on every sample."""
    return np.array([np.mean(np.all(keras.ops.convert_to_numpy(layer) <= 0, axis=0))
                     for layer in probe(x)])


def kernel_gradient_norms(model):
    """‖∂L/∂W‖ for each layer's kernel at the current weights (binary cross-entropy)."""
    with tf.GradientTape() as tape:
        loss = keras.losses.binary_crossentropy(y.reshape(-1, 1).astype("float32"), model(x))
        loss = tf.reduce_mean(loss)
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    return np.array([float(tf.norm(gradient)) for gradient in tape.gradient(loss, kernels)])


leaky = lambda z: keras.activations.leaky_relu(z, negative_slope=lab.leaky_slope)
results = {}
for name, activation in (("ReLU", "relu"), (f"Leaky ReLU (α = {lab.leaky_slope})", leaky)):
    model, probe = deep_network(activation)
    before, gradients = dead_fraction(probe), kernel_gradient_norms(model)
    model.compile(optimizer=keras.optimizers.Adam(lab.learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = {"loss": [], "accuracy": []}
    for epoch in range(lab.epochs):      # one full-batch step of fit, without fit's per-epoch cost
        logs = model.train_on_batch(x, y, return_dict=True)
        history["loss"].append(logs["loss"])
        history["accuracy"].append(logs["accuracy"])
    results[name] = (before, dead_fraction(probe), gradients, history)

print(f"{'':<22} {'layer':>6}" + "".join(f"{layer:>7}" for layer in range(1, lab.depth + 1)))
for name, (before, after, gradients, history) in results.items():
    print(f"{name:<22} {'dead':>6}" + "".join(f"{value:>7.0%}" for value in before))
    print(f"{'':<22} {'‖∇W‖':>6}" + "".join(f"{value:>7.0e}" for value in gradients[:lab.depth]))
    print(f"{'':<22} {'after':>6}" + "".join(f"{value:>7.0%}" for value in after)
          + f"   loss {history['loss'][0]:.3f} → {history['loss'][-1]:.3f}, "
            f"accuracy {history['accuracy'][-1]:.0%}")

# %% [markdown]
# The ReLU network's gradient is *exactly* zero below its first dead layer, so training
# changes nothing there: the loss stays at log 2 ≈ 0.693 and the network guesses. The
# Leaky ReLU network starts with just as many units below zero, but its gradients, though
# tiny (each dead layer multiplies them by about α), are not zero. Adam divides each step by
# the gradient's typical size, so even tiny gradients move the weights, the units come back
# to life, and the network learns. No optimizer can rescale an exact zero. The better fix is
# also the simple one: start biases at 0 (Keras' default). In the left figure the two ReLU
# lines lie on top of each other: nothing moved.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
layers = np.arange(1, lab.depth + 1)
for (name, (before, after, _, history)), color in zip(results.items(), ("C3", "C0")):
    left.plot(layers, before, "o--", color=color, label=f"{name}, at the start")
    right.plot(history["loss"], color=color, label=name)
    left.plot(layers, after, "s-", color=color, label=f"{name}, after {lab.epochs} epochs")
left.set(xlabel="hidden layer", ylabel="fraction of units below 0 on every sample",
         title=f"dead units, biases started at {lab.negative_bias}", ylim=(-0.05, 1.05))
left.legend(fontsize=8)
right.set(xlabel="epoch (full batch, Adam)", ylabel="binary cross-entropy",
          title="ReLU cannot learn; Leaky ReLU recovers")
right.legend()
lab.save_figure(figure, "dead_relu.png")
lab.finish()
