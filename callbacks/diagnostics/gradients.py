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

Cost. The pass is a ``tf.function``; tracing it takes tens of milliseconds, as long
as dozens of probe passes. It is traced once as a concrete function of the weight
*variables* (read inside the graph and mapped onto the model through
``keras.StatelessScope``), so the labs' many fits of one architecture (a fresh model
per run, same layers, loss and probe shapes) share one trace: only the first fit of
an architecture in a process pays for it. Each epoch then makes one call of that
concrete function (no eager reads of the weights, no matching of a signature), and
every norm and dead share comes back in one tensor.
"""

import collections
import json
import math

import keras
import tensorflow as tf

from callbacks.diagnostics.findings import DEAD_PREFIX, GLOBAL_NORM, RATIO_PREFIX

# Activations whose output is exactly 0 for every input below a threshold: a unit can die.
RELU_FAMILY = ("relu", "relu6")
TRACES_KEPT = 8  # Traced passes kept for reuse (one per architecture), oldest dropped first.
_traces = collections.OrderedDict()  # signature → the traced pass of the first such model


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
        self._columns = ([column(RATIO_PREFIX, position, layer)
                          for position, layer in enumerate(self.weighted)],
                         [column(DEAD_PREFIX, position, layer)
                          for position, layer in enumerate(self.relu_layers)])
        # The weights' tf.Variables, read afresh at every measure and passed in as tensors
        # (a variable that a tf.distribute strategy mirrors cannot be passed to the pass).
        self._variables = [variable.value for variable in self.features.variables]
        key = _signature(self.features, loss, self.x, self.y)
        if key is not None and key in _traces:
            _traces.move_to_end(key)
            self._pass = _traces[key]
        else:
            self._pass = _trace(self.features, _loss_function(loss), self.weighted,
                                bool(model.losses)).get_concrete_function(
                                    self._values(), self.x, self.y)
            if key is not None:
                _traces[key] = self._pass
                while len(_traces) > TRACES_KEPT:
                    _traces.popitem(last=False)

    def measure(self):
        """dict column → value: the global norm, each layer's ratio and dead share."""
        ratio_columns, dead_columns = self._columns
        layers = len(ratio_columns)
        # [‖∂L/∂w_ℓ‖² per weighted layer, ‖w_ℓ‖² per weighted layer, dead share per ReLU layer]
        measured = self._pass(self._values(), self.x, self.y).numpy().tolist()
        gradient_squares, weight_squares = measured[:layers], measured[layers:2 * layers]
        row = {name: math.sqrt(gradient / weight) if weight else math.inf
               for name, gradient, weight in zip(ratio_columns, gradient_squares, weight_squares)}
        row[GLOBAL_NORM] = math.sqrt(sum(gradient_squares))
        row.update(zip(dead_columns, measured[2 * layers:]))
        return row


    def _values(self):
        """The weights' current values, as tensors."""
        return [tf.convert_to_tensor(variable) for variable in self._variables]


def _loss_function(loss):
    return keras.losses.get(loss) if isinstance(loss, str) else loss


def _signature(features, loss, x, y):
    """What a traced pass depends on, with layer names left out; None if it cannot be told.

    The model's config (layer names replaced by their positions, so that dense_3 and
    dense_7 read the same), its weights' shapes, the loss and the probe's shapes and
    dtypes. A loss given as a function of the student's own is never shared: two
    functions can have one name and different bodies.
    """
    if isinstance(loss, str):
        loss_key = loss
    elif isinstance(loss, keras.losses.Loss) and type(loss).__module__.startswith("keras."):
        loss_key = (type(loss).__name__, json.dumps(loss.get_config(), sort_keys=True,
                                                    default=str))
    else:
        return None
    try:
        text = json.dumps(features.get_config(), sort_keys=True, default=str)
    except (NotImplementedError, TypeError, ValueError):
        return None  # A subclassed layer without a config: trace for this model alone.
    names = [features.name] + [layer.name for layer in features.layers]
    for position, name in sorted(enumerate(names), key=lambda item: -len(item[1])):
        text = text.replace(json.dumps(name), f'"#{position}"')
    shapes = tuple((tuple(variable.shape), variable.dtype, variable.trainable)
                   for variable in features.variables)
    return (text, shapes, loss_key, tuple(x.shape), x.dtype.name, tuple(y.shape), y.dtype.name)


def _trace(features, loss_function, weighted, regularized):
    """The probe pass of ``features``, traced once, as a function of its weights' values."""
    variables = list(features.variables)
    trainable = [index for index, variable in enumerate(variables) if variable.trainable]
    position = {id(variables[index]): order for order, index in enumerate(trainable)}
    groups = [[position[id(weight)] for weight in layer.trainable_weights]
              for layer in weighted]

    @tf.function(autograph=False)
    def probe_pass(handles, x, y):
        values = list(handles)  # The weights' values at this measure.
        watched = [values[index] for index in trainable]
        with tf.GradientTape() as tape:
            tape.watch(watched)
            with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                outputs = features(x, training=False)
                if not isinstance(outputs, (list, tuple)):  # One output: a tensor.
                    outputs = [outputs]
                loss = tf.reduce_mean(loss_function(y, outputs[0]))
                if regularized:
                    loss = loss + tf.add_n(features.losses)
        gradients = tape.gradient(loss, watched)
        # Per weighted layer ℓ: ‖∂L/∂w_ℓ‖² and ‖w_ℓ‖², summed over its weights.
        gradient_squares = [
            tf.add_n([tf.reduce_sum(tf.square(gradients[index])) for index in group
                      if gradients[index] is not None] or [tf.constant(0.0)])
            for group in groups]
        weight_squares = [tf.add_n([tf.reduce_sum(tf.square(watched[index]))
                                    for index in group]) for group in groups]
        # (batch, …, units): a unit is dead when it outputs ≤ 0 for every sample and position.
        dead = [tf.reduce_mean(tf.cast(tf.reduce_all(
            tf.reshape(activation, (-1, activation.shape[-1])) <= 0.0, axis=0), tf.float32))
            for activation in outputs[1:]]
        return tf.stack([tf.cast(value, tf.float64)
                         for value in gradient_squares + weight_squares + dead])

    return probe_pass
