"""Checks for the schedules, losses, gradient_check and backprop tasks, against trusted twins.

Twins: Keras' own schedules and losses, ``tf.GradientTape``, and exact values of simple
functions. Each comparing check is a pair: ``values(subject, part, …)`` runs the student's
function on the inputs and returns its numbers, ``expected_values(part, …)`` gives the
twin's; ``part`` names the function under test, and tells the catalogue which mistakes
apply.
"""

import importlib
import math

import numpy as np

from assignments import checking


def _keras():
    """Keras, imported when a twin is built: the student's side of the NumPy tasks
    (gradient_check, backprop, losses) runs without loading TensorFlow."""
    return importlib.import_module("keras")


def _tf():
    return importlib.import_module("tensorflow")

SCHEDULE_TOLERANCE = checking.Tolerance(rtol=1e-4, atol=1e-7)   # Keras computes in float32
LOSS_TOLERANCE = checking.Tolerance(rtol=1e-5, atol=1e-6)       # keras.losses in float32
GRADIENT_TOLERANCE = checking.Tolerance(rtol=1e-6, atol=1e-8)   # float64 throughout

# part → (class in custom.schedules, its Keras twin built from the same arguments)
SCHEDULES = {
    "step_decay": ("StepDecay", lambda initial_learning_rate, drop, steps_per_drop, **_:
                   _keras().optimizers.schedules.ExponentialDecay(
                       initial_learning_rate, decay_steps=steps_per_drop, decay_rate=drop,
                       staircase=True)),
    "exponential_decay": ("ExponentialDecay", lambda initial_learning_rate, decay_rate, **_:
                          _keras().optimizers.schedules.ExponentialDecay(
                              initial_learning_rate, decay_steps=1,
                              decay_rate=math.exp(-decay_rate))),
    "cosine_annealing": ("CosineAnnealing", lambda initial_learning_rate, decay_steps,
                         final_learning_rate, **_:
                         _keras().optimizers.schedules.CosineDecay(
                             initial_learning_rate, decay_steps,
                             alpha=final_learning_rate / initial_learning_rate)),
    "warmup_cosine": ("WarmupCosine", lambda peak_learning_rate, warmup_steps, total_steps,
                      final_learning_rate, **_:
                      _keras().optimizers.schedules.CosineDecay(
                          0.0, total_steps - warmup_steps,
                          alpha=final_learning_rate / peak_learning_rate,
                          warmup_target=peak_learning_rate, warmup_steps=warmup_steps)),
}


def schedule_steps(arguments, last_step):
    """The steps a schedule check reads: 0 … last_step, and t as the schedule counts it."""
    steps = np.arange(last_step + 1)
    per_epoch = arguments.get("steps_per_epoch")
    return steps, (steps if per_epoch is None else steps // per_epoch)


def schedules(subject, part, arguments, last_step):
    """The student's schedule of ``custom.schedules`` at every step up to last_step."""
    class_name, _ = SCHEDULES[part]
    schedule = getattr(subject, class_name)(**dict(arguments))
    steps, _ = schedule_steps(dict(arguments), last_step)
    return checking.Outputs({"rate": np.array([float(schedule(step)) for step in steps])}, "step")


def expected_schedules(part, arguments, last_step):
    """Its Keras twin at the same steps (t counted in epochs where the schedule is)."""
    _, make_twin = SCHEDULES[part]
    twin = make_twin(**dict(arguments))
    _, t = schedule_steps(dict(arguments), last_step)
    expected = checking.Outputs({"rate": np.array([float(twin(int(time))) for time in t])},
                                "step")
    return checking.Expectation(expected, f"Keras' {type(twin).__name__}", SCHEDULE_TOLERANCE)


def loss_cases(part, seed):
    """(y_true, y_pred, from_logits) batches for one loss, seeded."""
    rng = np.random.default_rng(seed)
    cases = []
    for batch, width in ((8, 3), (5, 4), (16, 1)):
        if part == "mse":
            cases.append((rng.normal(size=(batch, width)), rng.normal(size=(batch, width)), False))
        elif part in ("bce", "bce_logits"):
            labels = rng.integers(0, 2, size=(batch, 1)).astype(float)
            if part == "bce":
                cases.append((labels, rng.uniform(0.02, 0.98, size=(batch, 1)), False))
            else:
                cases.append((labels, rng.uniform(-30, 30, size=(batch, 1)), True))
        else:
            labels = np.eye(width + 1)[rng.integers(0, width + 1, size=batch)]
            logits = rng.normal(scale=2.0, size=(batch, width + 1))
            if part == "cce":
                probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
                cases.append((labels, probabilities, False))
            else:
                cases.append((labels, 10.0 * logits, True))
    return cases


LOSSES = {   # part → (function in custom.losses, Keras twin)
    "mse": ("mean_squared_error", lambda logits: _keras().losses.MeanSquaredError()),
    "bce": ("binary_crossentropy", lambda logits: _keras().losses.BinaryCrossentropy(logits)),
    "bce_logits": ("binary_crossentropy", lambda logits: _keras().losses.BinaryCrossentropy(logits)),
    "cce": ("categorical_crossentropy",
            lambda logits: _keras().losses.CategoricalCrossentropy(logits)),
    "cce_logits": ("categorical_crossentropy",
                   lambda logits: _keras().losses.CategoricalCrossentropy(logits)),
}


def losses(subject, part, seed=0):
    """One loss of ``custom.losses`` on three seeded batches."""
    function = getattr(subject, LOSSES[part][0])
    got = []
    for y_true, y_pred, from_logits in loss_cases(part, seed):
        keyword = {"from_logits": True} if from_logits else {}
        got.append(function(y_true, y_pred, **keyword))
    return checking.Outputs({"loss": np.array(got, dtype=float)}, "case")


def expected_losses(part, seed=0):
    """``keras.losses`` on the same batches."""
    function_name, make_twin = LOSSES[part]
    expected = [float(make_twin(from_logits)(y_true.astype("float32"), y_pred.astype("float32")))
                for y_true, y_pred, from_logits in loss_cases(part, seed)]
    return checking.Expectation(checking.Outputs({"loss": np.array(expected)}, "case"),
                                f"keras.losses ({function_name})", LOSS_TOLERANCE)


def worked_numbers(subject):
    """The chapters' worked cross-entropies: −log 0.6 ≈ 0.51 and −log 0.05 ≈ 3.0."""
    good = subject.categorical_crossentropy(np.array([0, 0, 1, 0]), np.array([.1, .2, .6, .1]))
    poor = subject.categorical_crossentropy(np.array([0, 0, 1]), np.array([.9, .05, .05]))
    return checking.Outputs({"loss": np.array([good, poor], dtype=float)}, "case")


def expected_worked_numbers():
    expected = checking.Outputs({"loss": np.array([-math.log(0.6), -math.log(0.05)])}, "case")
    return checking.Expectation(expected, "−log p̂ of the target", LOSS_TOLERANCE)


def smooth_function(parameter):
    """L(θ) = Σ sin(θ)·θ² + (Σθ)², float64 NumPy or TensorFlow."""
    if isinstance(parameter, np.ndarray):
        return np.sum(np.sin(parameter) * parameter ** 2) + np.sum(parameter) ** 2
    tf = _tf()
    return tf.reduce_sum(tf.sin(parameter) * parameter ** 2) + tf.reduce_sum(parameter) ** 2


def gradient_case(part, seed, step):
    """The parameter θ of a gradient check, and the loss the student's function is given."""
    parameter = np.random.default_rng(seed).normal(size=(3, 2))
    if part == "smooth":
        return parameter, lambda: float(smooth_function(parameter))   # Reads the live array.
    return parameter, lambda: float(np.sum(parameter ** 3))


def gradients(subject, part, seed=0, step=1e-5):
    """``numerical_gradient`` of L(θ) = Σ sin(θ)·θ² + (Σθ)² ("smooth") or Σθ³ ("cubic")."""
    parameter, function = gradient_case(part, seed, step)
    got = subject.numerical_gradient(function, parameter, step=step)
    return checking.Outputs({"gradient": np.asarray(got, float).reshape(-1)}, "element")


def expected_gradients(part, seed=0, step=1e-5):
    """Exact gradients: ``tf.GradientTape`` for "smooth"; for "cubic" 3θ² + h², exactly the
    central difference of Σθ³ (a one-sided one is 3θ² + 3θh + h²), at a large h so the
    difference between the two shows."""
    parameter, _ = gradient_case(part, seed, step)
    if part == "smooth":
        tf = _tf()
        variable = tf.Variable(parameter)
        with tf.GradientTape() as tape:
            loss = smooth_function(variable)
        exact = tape.gradient(loss, variable).numpy()
    else:
        exact = 3.0 * parameter ** 2 + step ** 2
    return checking.Expectation(checking.Outputs({"gradient": exact.reshape(-1)}, "element"),
                                "tf.GradientTape" if part == "smooth" else "3θ² + h²",
                                GRADIENT_TOLERANCE)


def restores_parameters(subject, seed=0):
    """The parameter after ``numerical_gradient``: it must hold exactly its values from before."""
    parameter = np.random.default_rng(seed).normal(size=(4,))
    subject.numerical_gradient(lambda: float(np.sum(parameter ** 2)), parameter)
    return checking.Outputs({"parameter": parameter.copy()}, "element")


def expected_restores_parameters(seed=0):
    before = np.random.default_rng(seed).normal(size=(4,))

    def verdict(got, catalogue, hidden):
        after = got.arrays.get("parameter", np.array([]))
        if after.shape != before.shape:
            return checking.Outcome(False, f"the parameter has shape {after.shape} afterwards, "
                                           f"{before.shape} before")
        changed = np.flatnonzero(after != before)
        if changed.size:
            index = int(changed[0])
            return checking.Outcome(False, f"element {index} of the parameter was "
                                           f"{before[index]!r} and is {after[index]!r} "
                                           "afterwards: restore θᵢ exactly after the two "
                                           "evaluations")
        return checking.Outcome(True, "every element is restored exactly")

    return checking.Expectation(verdict=verdict)


def _dense_case(seed, activation):
    rng = np.random.default_rng(seed)
    x, weights, bias = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(3,))
    upstream = rng.normal(size=(5, 3))             # dL/dz or dL/da, (batch, n_outputs)
    return x, weights, bias, upstream


def dense_layer(subject, part, activation="linear", seed=0):
    """``DenseLayer.backward_from_z`` (part "from_z") or ``backward`` (part "activation"):
    dW, db and dx for a seeded batch and upstream gradient."""
    x, weights, bias, upstream = _dense_case(seed, activation)
    layer = subject.DenseLayer(4, 3, activation=activation if part == "activation" else "relu")
    layer.weights, layer.bias = weights.copy(), bias.copy()
    layer.forward(x)
    if part == "from_z":
        grad_x = layer.backward_from_z(upstream)
    else:
        grad_x = layer.backward(upstream)
    return checking.Outputs({"dW": np.asarray(layer.grad_weights, float),
                             "db": np.asarray(layer.grad_bias, float),
                             "dx": np.asarray(grad_x, float)}, "row")


def expected_dense_layer(part, activation="linear", seed=0):
    """``tf.GradientTape`` of Σ (upstream ⊙ output) for z = x·W + b (and a = g(z)), whose
    gradients are exactly dW, db and dx for that upstream gradient."""
    x, weights, bias, upstream = _dense_case(seed, activation)
    tf, keras = _tf(), _keras()
    tensors = [tf.Variable(x), tf.Variable(weights), tf.Variable(bias)]
    with tf.GradientTape() as tape:
        z = tensors[0] @ tensors[1] + tensors[2]
        output = z if part == "from_z" else keras.activations.get(activation)(z)
        total = tf.reduce_sum(output * upstream)
    exact_x, exact_weights, exact_bias = [gradient.numpy()
                                          for gradient in tape.gradient(total, tensors)]
    expected = checking.Outputs({"dW": exact_weights, "db": exact_bias, "dx": exact_x}, "row")
    return checking.Expectation(expected, "tf.GradientTape", GRADIENT_TOLERANCE)


NETWORK_SIZES = [3, 5, 4, 3]


def network_batch(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)   # (batch, 3), (batch,)


def network_names(count):
    return [f"{kind}{index // 2 + 1}" for index, kind in zip(range(count), ["dW", "db"] * count)]


def network(subject, seed=0):
    """``Network.backward`` of a 3-5-4-3 ReLU/softmax network on a seeded batch: the
    gradients, and the parameters they were taken at (the twin differentiates there)."""
    net = subject.Network(NETWORK_SIZES, output="softmax", seed=seed)
    x, labels = network_batch(seed)
    net.forward(x)
    got = net.backward(labels)
    names = network_names(len(got))
    arrays = {name: np.asarray(gradient, float) for name, gradient in zip(names, got)}
    arrays.update({f"θ{index}": np.asarray(parameter, float)
                   for index, parameter in enumerate(net.parameters())})
    return checking.Outputs(arrays, "row")


def expected_network(seed=0):
    """``tf.GradientTape`` of the mean cross-entropy at the parameters the student's
    network reports (only the gradients are compared)."""
    x, labels = network_batch(seed)
    shapes = [shape for fan_in, fan_out in zip(NETWORK_SIZES, NETWORK_SIZES[1:])
              for shape in ((fan_in, fan_out), (fan_out,))]

    def verdict(got, catalogue, hidden):
        parameters = [got.arrays.get(f"θ{index}") for index in range(len(shapes))]
        if any(parameter is None or parameter.shape != shape
               for parameter, shape in zip(parameters, shapes)):
            return checking.Outcome(False, "Network.parameters() must be [W1, b1, W2, b2, W3, "
                                           f"b3] of shapes {shapes}")
        tf = _tf()
        variables = [tf.Variable(parameter) for parameter in parameters]
        with tf.GradientTape() as tape:
            activation = tf.constant(x)
            for index in range(0, len(variables), 2):
                z = activation @ variables[index] + variables[index + 1]
                activation = tf.nn.relu(z) if index + 2 < len(variables) else z
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels,
                                                                                 activation))
        exact = [gradient.numpy() for gradient in tape.gradient(loss, variables)]
        names = network_names(len(exact))
        expected = checking.Outputs(dict(zip(names, exact)), "row")
        gradients = checking.Outputs({name: got.arrays[name] for name in names
                                      if name in got.arrays}, "row")
        return checking.compare(expected, gradients, catalogue, GRADIENT_TOLERANCE,
                                "tf.GradientTape", hidden)

    return checking.Expectation(verdict=verdict)


# family → (the student's side, the twin's side); a family's parts share both.
FAMILIES = {"schedules": (schedules, expected_schedules), "losses": (losses, expected_losses),
            "gradients": (gradients, expected_gradients),
            "dense_layer": (dense_layer, expected_dense_layer)}


def _family(part):
    for family, parts in (("schedules", SCHEDULES), ("losses", LOSSES),
                          ("gradients", ("smooth", "cubic")),
                          ("dense_layer", ("from_z", "activation"))):
        if part in parts:
            return family
    raise ValueError(f"unknown part {part!r}")


def values(subject, part, **options):
    """The student's numbers for ``part`` (the one producing entry point of this module)."""
    if part == "network":
        return network(subject, **options)
    if part == "worked_numbers":
        return worked_numbers(subject)
    return FAMILIES[_family(part)][0](subject, part, **options)


def expected_values(part, **options):
    """The twin's numbers for ``part``: an Expectation."""
    if part == "network":
        return expected_network(**options)
    if part == "worked_numbers":
        return expected_worked_numbers()
    return FAMILIES[_family(part)][1](part, **options)


def check(name, points, part, **options):
    """A check of ``part`` on the given inputs: the student's ``values`` against the twin's."""
    return checking.Check(name, points, values, expected_values, (("part", part), *options.items()))
