"""Dead ReLUs: the activations lab's deep network with negative biases, and what it measures.

    deep_network           ``depth`` hidden layers with every bias at one value, and a probe
                           model that outputs each hidden layer's activations
    dead_fraction          per hidden layer, the share of units ≤ 0 on every sample
    kernel_gradient_norms  ‖∂L/∂W‖ of every kernel, by ``tf.GradientTape``
    train_full_batch       full-batch steps of ``train_on_batch``; loss, accuracy and max |ΔW|
    summarise              per network: first and last loss, accuracy, whether the loss
                           moved away from guessing, and the hidden layers that never changed
    told, print_table, figure     the sentence, the table and the figure of the lab

``tests/test_activations_dead.py`` checks these against rules written there.
"""

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf


def deep_network(activation, depth, width, bias, seed):
    """``depth`` hidden layers of ``width`` units (He normal weights, every bias at ``bias``)
    and a sigmoid output; returns the model and a probe model that outputs every hidden
    layer's activations. Seeded, so each activation starts from the same weights."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(2,))
    hidden, hidden_outputs = inputs, []
    for _ in range(depth):
        hidden = keras.layers.Dense(width, activation=activation, kernel_initializer="he_normal",
                                    bias_initializer=keras.initializers.Constant(bias))(hidden)
        hidden_outputs.append(hidden)
    outputs = keras.layers.Dense(1, activation="sigmoid")(hidden)
    return keras.Model(inputs, outputs), keras.Model(inputs, hidden_outputs)


def dead_fraction(probe, x):
    """Per hidden layer, the fraction of units whose output is ≤ 0 on every sample of ``x``."""
    return np.array([np.mean(np.all(keras.ops.convert_to_numpy(layer) <= 0, axis=0))
                     for layer in probe(x)])


def _kernels(model):
    return [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]


def kernel_gradient_norms(model, x, y):
    """‖∂L/∂W‖ for each layer's kernel at the current weights (binary cross-entropy)."""
    with tf.GradientTape() as tape:
        loss = keras.losses.binary_crossentropy(y.reshape(-1, 1).astype("float32"), model(x))
        loss = tf.reduce_mean(loss)
    kernels = _kernels(model)
    return np.array([float(tf.norm(gradient)) for gradient in tape.gradient(loss, kernels)])


def train_full_batch(model, x, y, epochs, learning_rate):
    """``epochs`` full-batch Adam steps (one ``train_on_batch`` each: fit without its per-epoch
    cost). Returns the history {"loss": [...], "accuracy": [...]} and max |ΔW| per kernel."""
    kernels_before = [kernel.numpy() for kernel in _kernels(model)]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy",
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    # Adam's moments now, and a metric object, not the name "accuracy" (which Keras resolves
    # to a new metric there): made inside the first traced step, either would make
    # TensorFlow trace that step twice (the same training, only slower).
    model.optimizer.build(model.trainable_variables)
    history = {"loss": [], "accuracy": []}
    for _ in range(epochs):
        logs = model.train_on_batch(x, y, return_dict=True)
        history["loss"].append(logs["loss"])
        history["accuracy"].append(logs["accuracy"])
    changes = [float(np.abs(kernel.numpy() - start).max())
               for kernel, start in zip(_kernels(model), kernels_before)]
    return history, changes


def summarise(results, changes, guessing, moved_by):
    """name → the facts ``told`` states, from ``results`` (name → (dead before, dead after,
    ‖∇W‖, history)) and ``changes`` (name → max |ΔW| per hidden layer)."""
    return {name: {"first_loss": float(history["loss"][0]),
                   "last_loss": float(history["loss"][-1]),
                   "accuracy": float(history["accuracy"][-1]),
                   "moved": bool(abs(history["loss"][-1] - guessing) > moved_by),
                   "kernel_changes": changes[name],
                   "frozen_layers": [layer + 1 for layer, change in enumerate(changes[name])
                                     if change == 0.0]}
            for name, (_, _, _, history) in results.items()}


def told(name, facts, moved_by):
    """One network's outcome as a sentence, from its summary ``facts``."""
    frozen = facts["frozen_layers"]
    return (f"{name}: loss {facts['first_loss']:.3f} → {facts['last_loss']:.3f}, "
            + ("moved away from" if facts["moved"] else f"still within {moved_by:g} of")
            + f" log 2, accuracy {facts['accuracy']:.0%}, "
            + (f"hidden layers {frozen} never changed" if frozen
               else "every hidden layer changed"))


def print_table(results, changes, depth):
    """Per network: dead share before, ‖∇W‖, dead share after, and max |ΔW|, per layer."""
    print(f"{'':<22} {'layer':>6}" + "".join(f"{layer:>7}" for layer in range(1, depth + 1)))
    for name, (before, after, gradients, history) in results.items():
        print(f"{name:<22} {'dead':>6}" + "".join(f"{value:>7.0%}" for value in before))
        print(f"{'':<22} {'‖∇W‖':>6}" + "".join(f"{value:>7.0e}" for value in gradients[:depth]))
        print(f"{'':<22} {'after':>6}" + "".join(f"{value:>7.0%}" for value in after)
              + f"   loss {history['loss'][0]:.3f} → {history['loss'][-1]:.3f}, "
                f"accuracy {history['accuracy'][-1]:.0%}")
        print(f"{'':<22} {'max|ΔW|':>6}" + "".join(f"{value:>7.0e}" for value in changes[name]))


def figure(results, summary, depth, epochs, bias, guessing):
    """Left: the dead share per layer before and after training; right: each loss curve."""
    drawn, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    layers = np.arange(1, depth + 1)
    for (name, (before, after, _, history)), color in zip(results.items(), ("C3", "C0")):
        left.plot(layers, before, "o--", color=color, label=f"{name}, at the start")
        right.plot(history["loss"], color=color, label=name)
        left.plot(layers, after, "s-", color=color, label=f"{name}, after {epochs} epochs")
    left.set(xlabel="hidden layer", ylabel="fraction of units below 0 on every sample",
             title=f"dead units, biases started at {bias}", ylim=(-0.05, 1.05))
    left.legend(fontsize=8)
    right.axhline(guessing, color="k", linestyle=":", linewidth=1, label="log 2 (guessing)")
    right.set(xlabel="epoch (full batch, Adam)", ylabel="binary cross-entropy",
              title="loss: " + "; ".join(f"{name.split(' (')[0]} {facts['last_loss']:.3f}"
                                         for name, facts in summary.items()))
    right.legend()
    return drawn
