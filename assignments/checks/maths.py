"""Checks for the schedules, losses, gradient_check and backprop tasks, against trusted twins.

Twins: Keras' own schedules and losses, ``tf.GradientTape``, and exact values of simple
functions. Each comparing check is ``values(subject, catalogue, part, …)``; ``part``
names the function under test, and tells the catalogue which mistakes apply.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from assignments import checking

SCHEDULE_TOLERANCE = checking.Tolerance(rtol=1e-4, atol=1e-7)   # Keras computes in float32
LOSS_TOLERANCE = checking.Tolerance(rtol=1e-5, atol=1e-6)       # keras.losses in float32
GRADIENT_TOLERANCE = checking.Tolerance(rtol=1e-6, atol=1e-8)   # float64 throughout

# part → (class in custom.schedules, its Keras twin built from the same arguments)
SCHEDULES = {
    "step_decay": ("StepDecay", lambda initial_learning_rate, drop, steps_per_drop, **_:
                   keras.optimizers.schedules.ExponentialDecay(
                       initial_learning_rate, decay_steps=steps_per_drop, decay_rate=drop,
                       staircase=True)),
    "exponential_decay": ("ExponentialDecay", lambda initial_learning_rate, decay_rate, **_:
                          keras.optimizers.schedules.ExponentialDecay(
                              initial_learning_rate, decay_steps=1,
                              decay_rate=math.exp(-decay_rate))),
    "cosine_annealing": ("CosineAnnealing", lambda initial_learning_rate, decay_steps,
                         final_learning_rate, **_:
                         keras.optimizers.schedules.CosineDecay(
                             initial_learning_rate, decay_steps,
                             alpha=final_learning_rate / initial_learning_rate)),
    "warmup_cosine": ("WarmupCosine", lambda peak_learning_rate, warmup_steps, total_steps,
                      final_learning_rate, **_:
                      keras.optimizers.schedules.CosineDecay(
                          0.0, total_steps - warmup_steps,
                          alpha=final_learning_rate / peak_learning_rate,
                          warmup_target=peak_learning_rate, warmup_steps=warmup_steps)),
}


def schedule_steps(arguments, last_step):
    """The steps a schedule check reads: 0 … last_step, and t as the schedule counts it."""
    steps = np.arange(last_step + 1)
    per_epoch = arguments.get("steps_per_epoch")
    return steps, (steps if per_epoch is None else steps // per_epoch)


def schedules(subject, catalogue, part, arguments, last_step):
    """One schedule of ``custom.schedules`` against its Keras twin at every step up to last_step."""
    class_name, make_twin = SCHEDULES[part]
    arguments = dict(arguments)
    schedule = getattr(subject, class_name)(**arguments)
    twin = make_twin(**arguments)
    steps, t = schedule_steps(arguments, last_step)
    got = checking.Outputs({"rate": np.array([float(schedule(step)) for step in steps])}, "step")
    expected = checking.Outputs({"rate": np.array([float(twin(int(time))) for time in t])},
                                "step")
    return checking.compare(expected, got, catalogue, SCHEDULE_TOLERANCE,
                            f"Keras' {type(twin).__name__}")


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
    "mse": ("mean_squared_error", lambda logits: keras.losses.MeanSquaredError()),
    "bce": ("binary_crossentropy", lambda logits: keras.losses.BinaryCrossentropy(logits)),
    "bce_logits": ("binary_crossentropy", lambda logits: keras.losses.BinaryCrossentropy(logits)),
    "cce": ("categorical_crossentropy",
            lambda logits: keras.losses.CategoricalCrossentropy(logits)),
    "cce_logits": ("categorical_crossentropy",
                   lambda logits: keras.losses.CategoricalCrossentropy(logits)),
}


def losses(subject, catalogue, part, seed=0):
    """One loss of ``custom.losses`` against ``keras.losses`` on three seeded batches."""
    function_name, make_twin = LOSSES[part]
    function = getattr(subject, function_name)
    got, expected = [], []
    for y_true, y_pred, from_logits in loss_cases(part, seed):
        keyword = {"from_logits": True} if from_logits else {}
        got.append(function(y_true, y_pred, **keyword))
        twin = make_twin(from_logits)
        expected.append(float(twin(y_true.astype("float32"), y_pred.astype("float32"))))
    return checking.compare(checking.Outputs({"loss": np.array(expected)}, "case"),
                            checking.Outputs({"loss": np.array(got, dtype=float)}, "case"),
                            catalogue, LOSS_TOLERANCE, f"keras.losses ({function_name})")


def worked_numbers(subject, catalogue):
    """The chapters' worked cross-entropies: −log 0.6 ≈ 0.51 and −log 0.05 ≈ 3.0."""
    good = subject.categorical_crossentropy(np.array([0, 0, 1, 0]), np.array([.1, .2, .6, .1]))
    poor = subject.categorical_crossentropy(np.array([0, 0, 1]), np.array([.9, .05, .05]))
    expected = checking.Outputs({"loss": np.array([-math.log(0.6), -math.log(0.05)])}, "case")
    got = checking.Outputs({"loss": np.array([good, poor], dtype=float)}, "case")
    return checking.compare(expected, got, catalogue, LOSS_TOLERANCE, "−log p̂ of the target")


def smooth_function(parameter):
    """L(θ) = Σ sin(θ)·θ² + (Σθ)², float64 NumPy or TensorFlow."""
    module = tf if isinstance(parameter, (tf.Tensor, tf.Variable)) else np
    return (module.reduce_sum if module is tf else np.sum)(module.sin(parameter) * parameter ** 2) \
        + (module.reduce_sum if module is tf else np.sum)(parameter) ** 2


def gradients(subject, catalogue, part, seed=0, step=1e-5):
    """``numerical_gradient`` against exact gradients.

    part "smooth": L(θ) = Σ sin(θ)·θ² + (Σθ)² against ``tf.GradientTape``.
    part "cubic": L(θ) = Σ θ³, whose central difference is exactly 3θ² + h² (a one-sided
    one is 3θ² + 3θh + h²), at a large h so the difference between the two shows.
    """
    rng = np.random.default_rng(seed)
    parameter = rng.normal(size=(3, 2))
    if part == "smooth":
        variable = tf.Variable(parameter)
        with tf.GradientTape() as tape:
            loss = smooth_function(variable)
        exact = tape.gradient(loss, variable).numpy()
        function = lambda: float(smooth_function(parameter))   # noqa: E731, reads the live array
    else:
        exact = 3.0 * parameter ** 2 + step ** 2
        function = lambda: float(np.sum(parameter ** 3))       # noqa: E731
    got = subject.numerical_gradient(function, parameter, step=step)
    return checking.compare(checking.Outputs({"gradient": exact.reshape(-1)}, "element"),
                            checking.Outputs({"gradient": np.asarray(got, float).reshape(-1)},
                                             "element"),
                            catalogue, GRADIENT_TOLERANCE,
                            "tf.GradientTape" if part == "smooth" else "3θ² + h²")


def restores_parameters(subject, catalogue, seed=0):
    """After ``numerical_gradient`` the parameter holds exactly its values from before."""
    parameter = np.random.default_rng(seed).normal(size=(4,))
    before = parameter.copy()
    subject.numerical_gradient(lambda: float(np.sum(parameter ** 2)), parameter)
    changed = np.flatnonzero(parameter != before)
    if changed.size:
        index = int(changed[0])
        return checking.Outcome(False, f"element {index} of the parameter was {before[index]!r} "
                                       f"and is {parameter[index]!r} afterwards: restore θᵢ "
                                       "exactly after the two evaluations")
    return checking.Outcome(True, "every element is restored exactly")


def _dense_case(seed, activation):
    rng = np.random.default_rng(seed)
    x, weights, bias = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(3,))
    upstream = rng.normal(size=(5, 3))             # dL/dz or dL/da, (batch, n_outputs)
    return x, weights, bias, upstream


def dense_layer(subject, catalogue, part, activation="linear", seed=0):
    """``DenseLayer.backward_from_z`` (part "from_z") or ``backward`` (part "activation").

    The twin: ``tf.GradientTape`` of Σ (upstream ⊙ output) for z = x·W + b (and a = g(z)),
    whose gradients are exactly dW, db and dx for that upstream gradient.
    """
    x, weights, bias, upstream = _dense_case(seed, activation)
    layer = subject.DenseLayer(4, 3, activation=activation if part == "activation" else "relu")
    layer.weights, layer.bias = weights.copy(), bias.copy()
    layer.forward(x)
    if part == "from_z":
        grad_x = layer.backward_from_z(upstream)
    else:
        grad_x = layer.backward(upstream)
    tensors = [tf.Variable(x), tf.Variable(weights), tf.Variable(bias)]
    with tf.GradientTape() as tape:
        z = tensors[0] @ tensors[1] + tensors[2]
        output = z if part == "from_z" else keras.activations.get(activation)(z)
        total = tf.reduce_sum(output * upstream)
    exact_x, exact_weights, exact_bias = [gradient.numpy()
                                          for gradient in tape.gradient(total, tensors)]
    expected = checking.Outputs({"dW": exact_weights, "db": exact_bias, "dx": exact_x}, "row")
    got = checking.Outputs({"dW": np.asarray(layer.grad_weights, float),
                            "db": np.asarray(layer.grad_bias, float),
                            "dx": np.asarray(grad_x, float)}, "row")
    return checking.compare(expected, got, catalogue, GRADIENT_TOLERANCE, "tf.GradientTape")


def network(subject, catalogue, seed=0):
    """``Network.backward`` of a 3-5-4-3 ReLU/softmax network against ``tf.GradientTape``."""
    rng = np.random.default_rng(seed)
    net = subject.Network([3, 5, 4, 3], output="softmax", seed=seed)
    x, labels = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    net.forward(x)
    got = net.backward(labels)
    variables = [tf.Variable(parameter) for parameter in net.parameters()]
    with tf.GradientTape() as tape:
        activation = tf.constant(x)
        for index in range(0, len(variables), 2):
            z = activation @ variables[index] + variables[index + 1]
            activation = tf.nn.relu(z) if index + 2 < len(variables) else z
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, activation))
    exact = [gradient.numpy() for gradient in tape.gradient(loss, variables)]
    names = [f"{kind}{index // 2 + 1}" for index, kind in
             zip(range(len(exact)), ["dW", "db"] * len(exact))]
    expected = checking.Outputs(dict(zip(names, exact)), "row")
    got = checking.Outputs({name: np.asarray(gradient, float)
                            for name, gradient in zip(names, got)}, "row")
    return checking.compare(expected, got, catalogue, GRADIENT_TOLERANCE, "tf.GradientTape")


def values(subject, catalogue, part, **options):
    """The one comparing entry point of this module, by ``part`` (for the catalogue)."""
    if part in SCHEDULES:
        return schedules(subject, catalogue, part, **options)
    if part in LOSSES:
        return losses(subject, catalogue, part, **options)
    if part in ("smooth", "cubic"):
        return gradients(subject, catalogue, part, **options)
    if part in ("from_z", "activation"):
        return dense_layer(subject, catalogue, part, **options)
    if part == "network":
        return network(subject, catalogue, **options)
    if part == "worked_numbers":
        return worked_numbers(subject, catalogue)
    raise ValueError(f"unknown part {part!r}")
