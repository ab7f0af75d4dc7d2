"""The one place where a lab picks a task's code or its trusted twin.

In a student edition a task may be *unwritten* (its stub with the TODO is still in the
code) or *held* (not part of the edition); ``assignments/editions.py`` tells which, from
the files' text, before any of their code runs. A lab asks here for each piece it
uses; it gets the task's own code once it is written, and until then the twin that the
task's checks compare it with, announced in one line, once per lab::

    schedules: using keras.optimizers.schedules.CosineDecay until the task is written

The twins are Keras' optimizers, schedules, losses, EarlyStopping and clipping
functions, ``tf.GradientTape`` for the NumPy network's backward pass and for the
gradient check. The NumPy batch norm's comparison with tf.GradientTape and the LR range
test have none: ``available`` says so, and the lab skips what needs it with one line.
None of these twins holds a line of a task's solution: each calls a library.
"""

import types

from assignments import editions

_announced = set()
_states = {}   # task → its state, read once per lab (a lab may ask thousands of times)


def reset():
    """Read the tasks' states afresh and forget which twins were announced
    (``labs/runtime.start`` calls it for each lab, so a task just written counts)."""
    _announced.clear()
    _states.clear()


def state(task):
    """"written", "unwritten" or "held" (``assignments/editions.py``), read once per lab."""
    if not _states:
        _states.update(editions.stub_states())
        _states["read"] = True   # The scan ran (an edition without stubs adds no other key).
    return _states.get(task, "written")


def written(task):
    """Whether ``task``'s own code is there (the reference, a published task, a student's)."""
    return state(task) == "written"


def _reason(task):
    if state(task) == "held":
        return "(the task is not part of this edition)"
    return "until the task is written"


def _say(task, message):
    if (task, message) not in _announced:
        _announced.add((task, message))
        print(message)


def use_twin(task, twin):
    """True, after one line saying so, when ``task`` is not written and ``twin`` stands in."""
    if written(task):
        return False
    _say(task, f"{task}: using {twin} {_reason(task)}")
    return True


def available(task, what):
    """Whether ``task`` is written; if not, one line says that ``what`` is skipped (no twin)."""
    if written(task):
        return True
    if state(task) == "held":
        _say(task, f"{task}: {what} is skipped (it needs the task's code, which is not part "
                   f"of this edition)")
    else:
        _say(task, f"{task}: {what} is skipped until the task is written (it needs the task's "
                   f"own code)")
    return False


def end_lab_without(lab, task, what):
    """End the lab here, with status 0, when ``task`` is not written and ``what`` (the rest of
    the lab) has no twin; otherwise do nothing.

    One line says what is skipped; the outcomes measured so far are kept
    (``lab.finish``). In a notebook the kernel shows ``SystemExit: 0`` and "Run all"
    stops there, as at the end of the lab.
    """
    if available(task, what):
        return
    lab.finish()
    raise SystemExit(0)


# --- Optimizers -------------------------------------------------------------------------

def optimizer_task(name, **kwargs):
    """The task behind ``custom.optimizers.get(name, **kwargs)``, or None (plain SGD)."""
    key = name.strip().lower()
    if key == "sgd" and kwargs.get("momentum", 0) > 0:
        key = "nesterov" if kwargs.get("nesterov") else "momentum"
    return {"momentum": "sgd_momentum", "nesterov": "nesterov", "ema_momentum": "ema_momentum",
            "rmsprop": "rmsprop", "adam": "adam"}.get(key)


def optimizer(name, implementation="custom", **kwargs):
    """``custom.optimizers.get(name, implementation, **kwargs)``, or the Keras twin while the
    task behind ``name`` is not written.

    EMA momentum's twin is Keras' SGD with momentum β and the rate η·(1−β), the same rule
    at a constant η; under a schedule it has none.

    Raises:
        ValueError: EMA momentum under a schedule or textbook ε while the task is not
            written (ask ``available`` first), or what ``custom.optimizers.get`` refuses.
    """
    import custom.optimizers

    task = optimizer_task(name, **kwargs)
    if implementation != "custom" or task is None or written(task):
        return custom.optimizers.get(name, implementation=implementation, **kwargs)
    if kwargs.get("textbook_epsilon"):
        raise ValueError(f"Adam with textbook_epsilon=True has no Keras twin: write the "
                         f"{task!r} task first (labs ask labs.machinery.twins.available)")
    if task == "ema_momentum":
        momentum = kwargs.pop("momentum", 0.9)
        rate = kwargs.pop("learning_rate", 0.01)
        if not isinstance(rate, (int, float)):
            raise ValueError("EMA momentum under a schedule has no Keras twin: write the "
                             "'ema_momentum' task first, or choose another optimizer")
        use_twin(task, "keras.optimizers.SGD with momentum β and the rate η·(1−β)")
        return custom.optimizers.get("momentum", implementation="keras",
                                     learning_rate=rate * (1.0 - momentum), momentum=momentum,
                                     **kwargs)
    twin = custom.optimizers.lookup(name)[1]
    use_twin(task, f"keras.optimizers.{twin.__name__}")
    return custom.optimizers.get(name, implementation="keras", **kwargs)


# --- Schedules --------------------------------------------------------------------------

# Class in custom.schedules → its part in assignments/checks/maths.py (Keras' twin).
SCHEDULE_PARTS = {"StepDecay": "step_decay", "ExponentialDecay": "exponential_decay",
                  "CosineAnnealing": "cosine_annealing", "WarmupCosine": "warmup_cosine"}


def schedule(class_name, *args, **kwargs):
    """``custom.schedules.<class_name>(*args, **kwargs)``, or, while the schedules task is
    not written, the same class with its ``rate(t)`` computed by the Keras twin.

    The class keeps its own argument checks and ``steps_per_epoch``; only the stubbed
    ``rate(t)`` comes from Keras.
    """
    import inspect

    import keras
    import numpy as np

    import custom.schedules
    from assignments.checks import maths

    schedule_class = getattr(custom.schedules, class_name)
    part = SCHEDULE_PARTS.get(class_name)
    if part is None or written("schedules"):
        return schedule_class(*args, **kwargs)
    bound = inspect.signature(schedule_class).bind(*args, **kwargs)
    bound.apply_defaults()
    twin = maths.SCHEDULES[part][1](**bound.arguments)
    use_twin("schedules", f"keras.optimizers.schedules.{type(twin).__name__}")

    def rate(self, t):   # t as the class counts it (steps, or epochs with steps_per_epoch)
        t = keras.ops.convert_to_tensor(t)
        if len(t.shape) == 0:
            return keras.ops.cast(twin(t), "float64")
        # Keras' warm-up branches with a cond on one step: a vector of steps, one at a time.
        steps = keras.ops.convert_to_numpy(t)
        rates = np.array([float(twin(step)) for step in steps.ravel()]).reshape(steps.shape)
        return keras.ops.convert_to_tensor(rates, "float64")

    twin_class = type(f"{class_name}KerasTwin", (schedule_class,), {"rate": rate})
    return twin_class(*args, **kwargs)


# --- Losses, the NumPy network and the gradient check ------------------------------------

def _keras_loss(function_name):
    """A ``custom.losses`` function computed by ``keras.losses`` in float64 (Keras' own ε).

    The arguments are checked by ``custom.losses``' own checks, so that the stand-in
    refuses what the task refuses (logits where probabilities belong, a bad ε).
    """
    def loss(y_true, y_pred, from_logits=False, epsilon=None, renormalize=None):
        import keras
        import numpy as np

        from custom import losses as custom_losses

        if epsilon is not None:
            custom_losses._check_epsilon(epsilon)
        y_true, y_pred = custom_losses._as_arrays(y_true, y_pred, function_name)
        function = getattr(keras.losses, function_name)
        if function_name == "mean_squared_error":
            values = function(y_true, y_pred)
        else:
            if not from_logits:
                custom_losses._check_probabilities(y_pred, function_name)
            values = function(y_true, y_pred, from_logits=from_logits)
        return float(np.mean(keras.ops.convert_to_numpy(values)))

    loss.__name__ = function_name
    return loss


def losses():
    """The module ``custom.losses``, or while the losses task is not written a stand-in with
    the same names whose three losses are ``keras.losses`` (in float64, with Keras' ε)."""
    from custom import losses as custom_losses

    if not use_twin("losses", "keras.losses"):
        return custom_losses
    twin = types.SimpleNamespace(**{name: getattr(custom_losses, name)
                                    for name in dir(custom_losses) if not name.startswith("_")})
    for name in ("mean_squared_error", "binary_crossentropy", "categorical_crossentropy"):
        setattr(twin, name, _keras_loss(name))
    return twin


_traced_backward = {}   # activation name → the traced tape function


def _tape_backward(layer, upstream, through_activation):
    """dx of Σ(upstream ⊙ out) by ``tf.GradientTape``, where out = g(x·W + b) or x·W + b;
    sets the layer's ``grad_weights`` and ``grad_bias`` as its own backward pass does.

    Traced once per activation (``tf.function``), so a NumPy training loop of thousands of
    steps stays quick."""
    import keras
    import tensorflow as tf

    activation = layer.activation if through_activation else "linear"
    if activation not in _traced_backward:
        function = keras.activations.get(activation)

        @tf.function(reduce_retracing=True)
        def gradients(inputs, weights, bias, upstream):
            with tf.GradientTape() as tape:
                tape.watch([inputs, weights, bias])
                out = function(tf.matmul(inputs, weights) + bias)      # g(x·W + b)
                total = tf.reduce_sum(upstream * out)                   # Σ upstream ⊙ out
            return tape.gradient(total, [inputs, weights, bias])

        _traced_backward[activation] = gradients
    grad_x, grad_w, grad_b = _traced_backward[activation](
        *(tf.constant(value, dtype=tf.float64) for value in
          (layer.cache["x"], layer.weights, layer.bias, upstream)))
    layer.grad_weights, layer.grad_bias = grad_w.numpy(), grad_b.numpy()
    return grad_x.numpy()


def network(*args, **kwargs):
    """``custom.numpy_net.Network(*args, **kwargs)``; while the backprop task is not written,
    its layers' backward passes come from ``tf.GradientTape``, and while the losses task is
    not written its loss comes from ``keras.losses`` (both in float64)."""
    from custom import numpy_net

    tape_backward = use_twin("backprop", "tf.GradientTape for the backward pass")
    keras_loss = use_twin("losses", "keras.losses")
    if not (tape_backward or keras_loss):
        return numpy_net.Network(*args, **kwargs)

    class TapeLayer(numpy_net.DenseLayer):
        def backward(self, grad_activation):
            return _tape_backward(self, grad_activation, through_activation=True)

        def backward_from_z(self, grad_z):
            if not self.cache:
                raise ValueError("call forward before backward")
            return _tape_backward(self, grad_z, through_activation=False)

    twin = losses()

    class TwinNetwork(numpy_net.Network):
        def loss_of_last_forward(self, targets):
            if not keras_loss:
                return super().loss_of_last_forward(targets)
            if self.output == "softmax":
                return twin.categorical_crossentropy(targets, self.logits(), from_logits=True)
            if self.output == "sigmoid":
                return twin.binary_crossentropy(targets, self.logits(), from_logits=True)
            return twin.mean_squared_error(targets, self.outputs)

    built = TwinNetwork(*args, **kwargs)
    if tape_backward:
        for layer in built.layers:
            layer.__class__ = TapeLayer   # The same layer; only its backward pass differs.
    return built


def check_network(network, x, y_true, backward=None, **options):
    """``custom.gradient_check.check_network``; while the gradient_check task is not written,
    the reference gradients come from ``tf.GradientTape`` (exact, not central differences)."""
    from custom import gradient_check

    if not use_twin("gradient_check", "tf.GradientTape in place of central differences"):
        return gradient_check.check_network(network, x, y_true, backward=backward, **options)
    import numpy as np

    network.forward(x)
    analytic = (network.backward(y_true) if backward is None else backward(network, y_true))
    analytic = [np.array(gradient, copy=True) for gradient in analytic]
    exact = _tape_gradients(network, x, y_true)
    errors, worst = [], []
    for mine, reference in zip(analytic, exact):
        errors.append(gradient_check.relative_error(mine, reference))
        scale = np.maximum(np.maximum(np.abs(mine), np.abs(reference)), 1e-8)
        worst.append(float(np.max(np.abs(mine - reference) / scale)))
    return gradient_check.Report(gradient_check.parameter_names(network), errors, worst,
                                 options.get("tolerance", gradient_check.TOLERANCE))


def _tape_gradients(network, x, y_true):
    """The mean loss's gradients for the network's weights, by ``tf.GradientTape`` through its
    Keras twin (the same weights, float64), from the logits as the network computes it."""
    import keras
    import tensorflow as tf

    model = network.keras_twin(dtype="float64")
    last = model.layers[-1]
    targets = tf.constant(network.targets(y_true), dtype=tf.float64)
    with tf.GradientTape() as tape:
        hidden = tf.constant(x, dtype=tf.float64)
        for layer in model.layers[:-1]:
            hidden = layer(hidden)
        logits = tf.matmul(hidden, last.kernel) + last.bias
        if network.output == "softmax":
            loss = keras.losses.categorical_crossentropy(targets, logits, from_logits=True)
        elif network.output == "sigmoid":
            loss = keras.losses.binary_crossentropy(targets, logits, from_logits=True)
        else:
            loss = tf.reduce_mean(tf.square(targets - logits))
        loss = tf.reduce_mean(loss)
    return [gradient.numpy() for gradient in tape.gradient(loss, model.trainable_variables)]


# --- Clipping, batch norm, early stopping ------------------------------------------------

def clipping():
    """The module ``custom.clipping``, or while the task is not written a stand-in whose
    clipping functions are ``tf.clip_by_value``, ``tf.clip_by_norm`` and
    ``tf.clip_by_global_norm`` (on the same lists of NumPy arrays or tensors)."""
    from custom import clipping as custom_clipping

    if not use_twin("gradient_clipping", "tf.clip_by_value, tf.clip_by_norm and "
                                         "tf.clip_by_global_norm"):
        return custom_clipping
    from assignments.checks import clipping as clipping_checks

    twins = clipping_checks.TWINS
    twin = types.SimpleNamespace(**{name: getattr(custom_clipping, name)
                                    for name in dir(custom_clipping) if not name.startswith("_")})

    def same_kind(gradients, clipped):
        import numpy as np

        if gradients and all(g is None or isinstance(g, np.ndarray) for g in gradients):
            return [None if g is None else np.asarray(c) for g, c in zip(gradients, clipped)]
        return list(clipped)

    for name in ("clip_by_value", "clip_by_norm", "clip_by_global_norm"):
        def clip(gradients, threshold, _name=name):
            return same_kind(list(gradients), twins[_name](list(gradients), threshold))
        setattr(twin, name, clip)

    def norm(gradient):
        import tensorflow as tf

        return float(tf.norm(tf.cast(gradient, tf.float64)))

    def global_norm(gradients):
        import tensorflow as tf

        return float(tf.linalg.global_norm([tf.cast(g, tf.float64) for g in gradients
                                            if g is not None]))

    def clip_gradients(gradients, clipvalue=None, clipnorm=None, global_clipnorm=None):
        chosen = [(name, value) for name, value in (("clip_by_value", clipvalue),
                                                    ("clip_by_norm", clipnorm),
                                                    ("clip_by_global_norm", global_clipnorm))
                  if value is not None]
        if len(chosen) != 1:
            raise ValueError("give exactly one of clipvalue, clipnorm and global_clipnorm")
        name, value = chosen[0]
        return getattr(twin, name)(gradients, value)

    twin.norm, twin.global_norm, twin.clip_gradients = norm, global_norm, clip_gradients
    return twin


def early_stopping_class():
    """``callbacks.EarlyStopping``, or while the task is not written Keras' EarlyStopping (the
    same arguments, ``best_epoch`` and ``stopped_epoch``), which also puts the learning rate
    into the logs as every callback of ``callbacks/`` does."""
    import callbacks

    if not use_twin("early_stopping", "keras.callbacks.EarlyStopping"):
        return callbacks.EarlyStopping
    import keras

    from callbacks import learning_rate

    class KerasEarlyStopping(keras.callbacks.EarlyStopping):
        def on_epoch_end(self, epoch, logs=None):
            optimizer = getattr(self.model, "optimizer", None)
            if logs is not None and optimizer is not None and "learning_rate" not in logs:
                logs["learning_rate"] = learning_rate.current_learning_rate(optimizer)
            super().on_epoch_end(epoch, logs)

    return KerasEarlyStopping
