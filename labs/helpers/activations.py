"""Saturation: where an activation's slope is small, and what depth does to the gradient.

The activations lab uses these; ``tests/test_saturation.py`` checks them against the
formulas of ``custom/activations.py``, against closed forms and against ``tf.GradientTape``.

During backprop each hidden layer multiplies the gradient by its slopes g′(z) and by its
weights: ∂L/∂a_{l−1} = W_l · (g′(z_l) ⊙ ∂L/∂a_l). A slope that is small everywhere
(sigmoid: σ′ ≤ 0.25) or small for large |z| (sigmoid and tanh *saturate*) shrinks the
gradient a little more at every layer, so the first layers of a deep stack learn slowest.
"""

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from custom import activations

# A unit counts as saturated where its slope is below this fraction of the slope's peak.
SATURATED_BELOW = 0.01


def slopes(activation, z_values):
    """``(g(z), g′(z))`` on ``z_values``, the derivative taken by ``tf.GradientTape``.

    Args:
        activation: a function of a tensor, e.g. ``keras.activations.tanh``.
        z_values: float64 array of any shape; the activation works element by element.
    """
    z = tf.Variable(np.asarray(z_values, dtype="float64"))
    with tf.GradientTape() as tape:
        values = activation(z)                       # g(z), element by element
    return values.numpy(), tape.gradient(values, z).numpy()   # dg/dz, element by element


def saturation_edge(z_values, derivative, fraction=SATURATED_BELOW):
    """The largest |z| on the grid where the slope is still ≥ ``fraction`` of its peak.

    Beyond it (on this grid) the activation is saturated: it passes back less than
    ``fraction`` of the gradient it passes at its steepest point.

    Raises:
        ValueError: if ``fraction`` is not in (0, 1).
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be in (0, 1), got {fraction!r}")
    z_values, derivative = np.asarray(z_values), np.asarray(derivative)
    return float(np.abs(z_values[derivative >= fraction * derivative.max()]).max())


def deep_stack(activation, depth, width, weight_scale=1.0, seed=0):
    """``depth`` hidden Dense layers of ``width`` units and one sigmoid output.

    The kernels start as Keras' default (Glorot uniform) times ``weight_scale``, biases at 0.
    Each hidden layer is a linear ``Dense`` followed by an ``Activation``, so that the
    probe (the second model returned) can output every pre-activation z.

    Returns:
        ``(model, probe)``: the network, and a model mapping inputs to the list of z's.

    Raises:
        ValueError: if ``depth`` or ``width`` is below 1 or ``weight_scale`` is not positive.
    """
    if depth < 1 or width < 1:
        raise ValueError(f"depth and width must be at least 1, got {depth} and {width}")
    if not weight_scale > 0:
        raise ValueError(f"weight_scale must be positive, got {weight_scale!r}")
    keras.utils.set_random_seed(seed)            # The same weights for every activation.
    # Glorot uniform draws from ±√(6/(fan_in + fan_out)); scale = weight_scale² widens it.
    initializer = keras.initializers.VarianceScaling(weight_scale**2, mode="fan_avg",
                                                     distribution="uniform")
    inputs = keras.Input(shape=(2,))
    hidden, pre_activations = inputs, []
    for _ in range(depth):
        z = keras.layers.Dense(width, kernel_initializer=initializer)(hidden)  # z = a·W + b
        pre_activations.append(z)
        hidden = keras.layers.Activation(activation)(z)                        # a = g(z)
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    return keras.Model(inputs, outputs), keras.Model(inputs, pre_activations)


def hidden_kernel_gradient_norms(model, x, y):
    """‖∂L/∂W_l‖ for each hidden layer's kernel, first layer first (mean binary
    cross-entropy of ``model(x)`` against the labels ``y``)."""
    targets = np.asarray(y, dtype="float32").reshape(-1, 1)            # (n, 1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.binary_crossentropy(targets, model(x)))
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    gradients = tape.gradient(loss, kernels[:-1])                       # hidden layers only
    return np.array([float(tf.norm(gradient)) for gradient in gradients])


def layer_slopes(probe, x, derivative):
    """Per hidden layer, the mean slope g′(z) over samples and units, and the fraction
    of them whose slope is below ``SATURATED_BELOW`` × the slope's peak (for sigmoid and
    tanh: saturated; for ReLU: switched off, slope 0).

    ``derivative`` is the NumPy formula from ``custom.activations``.
    """
    peak = float(derivative(np.linspace(-8.0, 8.0, 1601)).max())   # sigmoid 0.25, tanh 1
    means, saturated = [], []
    for z in probe(x):
        slope = derivative(keras.ops.convert_to_numpy(z).astype("float64"))   # (n, width)
        means.append(float(slope.mean()))
        saturated.append(float(np.mean(slope < SATURATED_BELOW * peak)))
    return np.array(means), np.array(saturated)


def print_stack(found, heading):
    """Print ``found`` (activation → norms, mean_slopes, saturated; one value per layer)."""
    print(f"\n{heading}: per hidden layer, first to last")
    for name, measured in found.items():
        print(f"{name:<8} ‖∂L/∂W‖   " + " ".join(f"{value:8.1e}" for value in measured["norms"]))
        print(f"{'':<8} mean g′   "
              + " ".join(f"{value:8.3f}" for value in measured["mean_slopes"]))
        print(f"{'':<8} saturated "
              + " ".join(f"{value:8.0%}" for value in measured["saturated"]))


def plot_slopes(axis, z_values, slopes_by_name, edges):
    """Each activation's slope against z, its saturated regions (|z| > edge) shaded."""
    for index, (name, slope) in enumerate(slopes_by_name.items()):
        axis.plot(z_values, slope, color=f"C{index}", label=f"{name}′")
        if name in edges:
            for side in (-1, 1):
                axis.axvspan(side * edges[name], side * np.abs(z_values).max(),
                             color=f"C{index}", alpha=0.08)
    axis.set(xlabel="z", ylabel="g′(z)",
             title=f"slopes (GradientTape); shaded: below {SATURATED_BELOW:.0%} of the peak")
    axis.legend(fontsize=7)


def plot_stacks(norms_axis, saturated_axis, stacks):
    """Per-layer gradient norms (log scale) and saturated shares, for each stack of
    ``stacks`` (label → ``measure`` result), one colour per activation, one style per stack."""
    for style, (stack_label, found) in zip(("o-", "s--", "^:"), stacks.items()):
        for index, (name, measured) in enumerate(found.items()):
            layers = np.arange(1, len(measured["norms"]) + 1)
            label = f"{name}, {stack_label}"
            norms_axis.semilogy(layers, measured["norms"], style, color=f"C{index}", label=label)
            saturated_axis.plot(layers, measured["saturated"], style, color=f"C{index}",
                                label=label)
    norms_axis.set(xlabel="hidden layer (1 = nearest the input)", ylabel="‖∂L/∂W‖ (log scale)",
                   title="gradient per layer, before training")
    saturated_axis.set(xlabel="hidden layer", ylabel=f"share of units with g′ < "
                       f"{SATURATED_BELOW:.0%} of its peak",
                       title="saturated (ReLU: switched off)", ylim=(-0.05, 1.05))
    for axis in (norms_axis, saturated_axis):
        axis.legend(fontsize=7)


def compare_with_formulas(keras_functions, z_values):
    """Keras' activations against ``custom.activations``' formulas on ``z_values``.

    Args:
        keras_functions: name → (a Keras activation, its ``custom.activations`` name, the
            options both take); z_values: float64, with 0 (ReLU's kink) left out of the slopes.

    Returns:
        ``(curves, errors, rows)``: name → (g(z), g′(z) by ``tf.GradientTape``); name →
        (largest |g − ours|, largest |g′ − ours′|); and a table's rows, g′(−3) and g′(1) too.
    """
    curves, errors = {}, {}
    rows = [f"{'activation':<22} {'max |g − ours|':>15} {'max |g′ − ours′|':>17} {'g′(−3)':>8} "
            f"{'g′(1)':>7}"]
    away_from_kink = np.abs(z_values) > 1e-9
    for name, (keras_function, ours, options) in keras_functions.items():
        values, derivative = slopes(keras_function, z_values)
        function, ours_derivative = activations.get(ours)
        errors[name] = (float(np.abs(values - function(z_values, **options)).max()),
                        float(np.abs(derivative - ours_derivative(z_values, **options))
                              [away_from_kink].max()))
        curves[name] = (values, derivative)
        at = lambda point: derivative[np.argmin(np.abs(z_values - point))]
        rows.append(f"{name:<22} {errors[name][0]:>15.1e} {errors[name][1]:>17.1e} "
                    f"{at(-3):>8.4f} {at(1):>7.4f}")
    return curves, errors, rows


def plot_activations(z_values, curves):
    """g(z) on the left and g′(z) on the right, one line per activation; ReLU drawn thick."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    for name, (values, derivative) in curves.items():
        width = 4 if name == "ReLU" else 1.5     # Leaky ReLU covers ReLU for z > 0
        left.plot(z_values, values, linewidth=width, alpha=0.8, label=name)
        right.plot(z_values, derivative, linewidth=width, alpha=0.8, label=name)
    left.set(xlabel="z", ylabel="g(z)", title="activations (keras.activations)")
    right.set(xlabel="z", ylabel="g′(z)", title="derivatives (tf.GradientTape)")
    for axis in (left, right):
        axis.axhline(0, color="k", linewidth=0.5)
        axis.legend()
    return figure


def measure_stack(names, x, y, depth, width, weight_scale, seed):
    """Per activation of ``names``, per hidden layer of a ``deep_stack``: ‖∂L/∂W‖, the mean
    slope and the saturated share, before any training."""
    found = {}
    for name in names:
        model, probe = deep_stack(name.lower(), depth, width, weight_scale, seed=seed)
        _, derivative = activations.get(name.lower())              # the NumPy formula
        mean_slopes, saturated = layer_slopes(probe, x, derivative)
        found[name] = {"norms": hidden_kernel_gradient_norms(model, x, y),
                       "mean_slopes": mean_slopes, "saturated": saturated}
    return found      # Its table (print_stack) waits for the prediction's reveal.
