"""Gradient health on a fixed probe batch: one extra forward and backward pass per epoch.

For a model with loss L(w) and the probe batch (x, y), once per epoch:

    global gradient norm       ‖g‖ = sqrt(Σ_layers Σ_weights ‖∂L/∂w‖²)
    per layer ℓ                ρ_ℓ = ‖∂L/∂w_ℓ‖ / ‖w_ℓ‖     (how far one unit-rate step moves it)
    per ReLU-family layer ℓ    dead_ℓ = share of units whose output is ≤ 0 for every probe sample

No weight changes and no metric is updated: the pass reads the model. L is the
compiled loss (the ``loss`` given to ``compile``) plus the model's regularization
losses, as in training; layers run with ``training=False`` (no dropout), so the
numbers of two epochs are comparable.

Column names in the CSV: ``grad_norm``, ``grad_ratio/<i>_<layer>`` and
``dead/<i>_<layer>``, where ``<i>`` (00, 01, …) keeps the layers in model order.
"""

import keras
import numpy as np
import tensorflow as tf

from callbacks.diagnostics.findings import DEAD_PREFIX, GLOBAL_NORM, RATIO_PREFIX
# Activations whose output is exactly 0 for every input below a threshold: a unit can die.
RELU_FAMILY = ("relu", "relu6")


def _is_relu_family(layer):
    if isinstance(layer, keras.layers.ReLU):
        return True
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", None) in RELU_FAMILY


def column(prefix, position, layer):
    """CSV column of one layer: the position first, so sorted columns keep model order."""
    return f"{prefix}{position:02d}_{layer.name}"


class Probe:
    """Measures gradient health of ``model`` on ``(x, y)``; call ``measure()`` once per epoch."""

    def __init__(self, model, x, y):
        loss = getattr(model, "loss", None)
        if loss is None or isinstance(loss, (dict, list, tuple)):
            raise ValueError("gradients=True needs a model compiled with one loss "
                             f"(got loss={loss!r})")
        self.loss_function = keras.losses.get(loss) if isinstance(loss, str) else loss
        self.model = model
        self.x = tf.convert_to_tensor(x)
        self.y = tf.convert_to_tensor(y)
        output_shape = model.outputs[0].shape
        if output_shape[-1] == 1 and len(self.y.shape) == len(output_shape) - 1:
            # (batch,) targets for a (batch, 1) output, as compile accepts them; a plain loss
            # function would broadcast them to (batch, batch).
            self.y = tf.expand_dims(self.y, -1)
        self.weighted = [layer for layer in model.layers if layer.trainable_weights]
        self.relu_layers = [layer for layer in model.layers if _is_relu_family(layer)]
        outputs = [model.outputs[0]] + [layer.output for layer in self.relu_layers]
        try:
            self.features = keras.Model(model.inputs, outputs)
        except (AttributeError, ValueError) as error:
            raise ValueError("gradients=True needs a Sequential or functional model whose "
                             f"layers have outputs ({error})") from None
        self._step = tf.function(self._gradients)

    def _gradients(self, x, y):
        with tf.GradientTape() as tape:
            outputs = self.features(x, training=False)
            if not isinstance(outputs, (list, tuple)):  # A model of one output returns a tensor.
                outputs = [outputs]
            predictions, activations = outputs[0], outputs[1:]
            loss = tf.reduce_mean(self.loss_function(y, predictions))
            if self.model.losses:
                loss = loss + tf.add_n(self.model.losses)
        variables = [layer.trainable_weights for layer in self.weighted]
        flat = [variable for group in variables for variable in group]
        gradients = tape.gradient(loss, flat)
        return loss, gradients, activations

    def measure(self):
        """dict column → value: the global norm, each layer's ratio and dead share."""
        _, gradients, activations = self._step(self.x, self.y)
        row, index, total = {}, 0, 0.0
        for position, layer in enumerate(self.weighted):
            count = len(layer.trainable_weights)
            layer_gradients = gradients[index:index + count]
            index += count
            gradient_squares = sum(float(tf.reduce_sum(tf.square(g))) for g in layer_gradients
                                   if g is not None)
            weight_squares = sum(float(np.sum(np.square(w.numpy())))
                                 for w in layer.trainable_weights)
            total += gradient_squares
            ratio = np.sqrt(gradient_squares) / np.sqrt(weight_squares) if weight_squares \
                else float("inf")
            row[column(RATIO_PREFIX, position, layer)] = float(ratio)
        row[GLOBAL_NORM] = float(np.sqrt(total))
        for position, (layer, values) in enumerate(zip(self.relu_layers, activations)):
            # (batch, …, units): a unit is dead when it outputs ≤ 0 for every sample and position.
            values = np.asarray(values)
            units = values.reshape(-1, values.shape[-1])
            row[column(DEAD_PREFIX, position, layer)] = float(np.mean(np.all(units <= 0.0,
                                                                             axis=0)))
        return row
