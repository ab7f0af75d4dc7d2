"""The initialization lab's helpers: the deep MLP, its per-layer statistics, the symmetry spread.

``layer_statistics`` runs the forward pass by hand, layer by layer (z = a·W + b, a = g(z)),
inside one ``tf.GradientTape``, so that each hidden layer's pre-activations z, activations a
and the gradient ∂L/∂a of the loss with respect to them can be read; the lab checks that
this pass gives the model's own output.
"""

import keras
import numpy as np
import tensorflow as tf

from custom import initializers


def schemes(small_std, large_std):
    """name → a function that returns a fresh kernel initializer (seeded by the global seed)."""
    return {
        "zeros": keras.initializers.Zeros,
        f"normal σ = {small_std:g}": lambda: keras.initializers.RandomNormal(stddev=small_std),
        f"normal σ = {large_std:g}": lambda: keras.initializers.RandomNormal(stddev=large_std),
        "Glorot": initializers.Glorot,
        "He": initializers.He,
    }


def kernel_variance(initializer, width):
    """Var(W) of a width × width kernel under ``initializer`` (zeros: 0)."""
    if isinstance(initializer, (initializers.Glorot, initializers.He)):
        return initializer.variance((width, width))
    return float(getattr(initializer, "stddev", 0.0)) ** 2


def mlp(input_size, outputs, depth, width, activation, kernel_initializer, seed):
    """``depth`` hidden Dense layers of ``width`` units, every kernel (the softmax output's
    too) from ``kernel_initializer()``, every bias 0. The same seed gives the same draws."""
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(input_size,))]
    layers += [keras.layers.Dense(width, activation=activation,
                                  kernel_initializer=kernel_initializer())
               for _ in range(depth)]
    layers.append(keras.layers.Dense(outputs, activation="softmax",
                                     kernel_initializer=kernel_initializer()))
    return keras.Sequential(layers)


def restart(model, kernel_initializer, seed):
    """Put a compiled ``mlp`` back to a fresh start without building or tracing it again.

    Every kernel is drawn afresh from ``kernel_initializer()``, every bias set to 0, and the
    optimizer (SGD) forgets its momentum and its step count, so that the next ``fit`` runs
    as on a model just built with that start (``tests/test_initialization.py`` checks it).
    """
    keras.utils.set_random_seed(seed)
    for layer in model.layers:
        layer.kernel.assign(kernel_initializer()(layer.kernel.shape))
        layer.bias.assign(keras.ops.zeros(layer.bias.shape))
    optimizer = model.optimizer
    if optimizer.built:            # SGD makes its velocity slots at the first fit
        for velocity in optimizer.momentums:             # v ← 0
            velocity.assign(keras.ops.zeros(velocity.shape))
        optimizer.iterations.assign(0)


def layer_statistics(model, x, y):
    """Per hidden layer: std of z, std of a = g(z) and std of ∂L/∂a, on the batch (x, y).

    L is the mean sparse categorical cross-entropy. Returns a dict of arrays of length
    depth, plus ``output``: the probabilities the hand-written pass computed.
    """
    x = tf.convert_to_tensor(x)                          # (batch, features)
    hidden_layers = model.layers[:-1]
    pre_activations, activations = [], []
    with tf.GradientTape() as tape:
        a = x
        for layer in hidden_layers:
            z = tf.matmul(a, layer.kernel) + layer.bias  # z = a·W + b, (batch, width)
            a = layer.activation(z)                      # a = g(z)
            tape.watch(a)
            pre_activations.append(z)
            activations.append(a)
        output = model.layers[-1](a)                     # (batch, classes), softmax
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, output))
    gradients = tape.gradient(loss, activations)         # ∂L/∂a per hidden layer
    return {"z_std": standard_deviations(pre_activations),
            "activation_std": standard_deviations(activations),
            "gradient_std": standard_deviations(gradients),
            "output": output.numpy()}


def standard_deviations(tensors):
    """The std of each tensor over all its entries, in float64: a float32 std of values near
    1e-22 or 1e20 would square them past float32's range (to 0 or inf)."""
    return np.array([np.std(keras.ops.convert_to_numpy(tensor).astype(np.float64))
                     for tensor in tensors])


def relu_prediction(width, variance, depth):
    """std(z) of the last hidden layer over the first's, from Var(z_{l+1}) = n·Var(W)·Var(z_l)/2.

    For ReLU, E[a²] = Var(z)/2 when z is symmetric about 0; ``depth − 1`` layers apart.
    """
    return (width * variance / 2.0) ** ((depth - 1) / 2.0)


def unit_spread(model):
    """Per Dense layer, the largest |difference| between any unit's incoming weights and bias
    and the first unit's: 0 when every unit of the layer is the same unit."""
    spreads = []
    for layer in model.layers:
        kernel, bias = (keras.ops.convert_to_numpy(weight) for weight in layer.weights)
        columns = np.vstack([kernel, bias[None, :]])     # (inputs + 1, units): one unit a column
        spreads.append(float(np.abs(columns - columns[:, :1]).max()))
    return np.array(spreads)


def distinct_units(model, tolerance):
    """Per Dense layer, how many different units it has: units whose incoming weights and
    bias all lie within ``tolerance`` of an earlier unit's count as that unit again."""
    counts = []
    for layer in model.layers:
        kernel, bias = (keras.ops.convert_to_numpy(weight) for weight in layer.weights)
        columns = np.vstack([kernel, bias[None, :]])     # (inputs + 1, units)
        different = []
        for unit in columns.T:
            if not any(np.abs(unit - seen).max() <= tolerance for seen in different):
                different.append(unit)
        counts.append(len(different))
    return counts
