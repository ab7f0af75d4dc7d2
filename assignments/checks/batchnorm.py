"""Checks of the batchnorm task: ``custom.numpy_batchnorm`` against Keras and tf.GradientTape.

Each check has two halves that share nothing but their options, so that they can run in
two processes (``assignments/checking.py``):

* ``produce(subject, part, **options) → Outputs`` runs only the student's code, on
  inputs it builds from the options (``case``, seeded), and returns its raw numbers; it
  needs NumPy only, not TensorFlow;
* ``expect(part, **options) → Expectation`` is the trusted side: it builds the same
  inputs and computes the twin's numbers, which ``checking.judge`` compares.

The twins: ``keras.layers.BatchNormalization`` in float64 holding the same γ, β and
running statistics (forward, both modes); ``tf.GradientTape`` through that layer
(backward); central differences of that layer's output (backward, on a batch of 3).
Everything is float64, so the tolerance is round-off: rtol 1e-7, atol 1e-9 (central
differences at h = 1e-5 carry an error of order h²: rtol 1e-5, atol 1e-7).

One feature of every case has a standard deviation of 0.01 (a variance of 1e-4), so that
ε = 1e-3 matters and a forgotten ε shows in the numbers.
"""

import importlib

import numpy as np

from assignments import checking

TOLERANCE = checking.Tolerance(rtol=1e-7, atol=1e-9)                  # float64 round-off
DIFFERENCES_TOLERANCE = checking.Tolerance(rtol=1e-5, atol=1e-7)      # central differences, h²
STEP = 1e-5                                                            # h of the differences
TWIN = "keras.layers.BatchNormalization (float64)"


def case(seed, batch, features, steps):
    """The inputs of one check, from its options alone.

    Returns:
        dict with "batches" (steps + 1 arrays (batch, features): the last is the inference
        batch), "gamma", "beta" (features,) and "upstream" (batch, features), dL/dy.
    """
    rng = np.random.default_rng(seed)
    scales = np.geomspace(0.01, 3.0, features)                 # one feature with σ = 0.01
    offsets = rng.normal(scale=2.0, size=features)
    batches = [offsets + scales * rng.normal(size=(batch, features)) for _ in range(steps + 1)]
    return {"batches": batches, "gamma": rng.normal(size=features),
            "beta": rng.normal(size=features), "upstream": rng.normal(size=(batch, features))}


# ---------------------------------------------------------------- the student's side

def produce_training(subject, seed, batch, features, steps, momentum, epsilon):
    """y and the running mean and variance after each of ``steps`` training-mode calls."""
    inputs = case(seed, batch, features, steps)
    running = subject.running_statistics(features)
    rows = {"y": [], "running mean": [], "running variance": []}
    for x in inputs["batches"][:steps]:
        y, _ = subject.forward(x.copy(), inputs["gamma"], inputs["beta"], running, True,
                               momentum=momentum, epsilon=epsilon)
        rows["y"].append(np.asarray(y, dtype=float))
        rows["running mean"].append(np.array(running["mean"], dtype=float))
        rows["running variance"].append(np.array(running["variance"], dtype=float))
    return checking.outputs(rows, "batch")


def produce_inference(subject, seed, batch, features, steps, momentum, epsilon):
    """After each training-mode call (its y kept too), y of an inference-mode call on the
    held-out batch."""
    inputs = case(seed, batch, features, steps)
    running = subject.running_statistics(features)
    held_out = inputs["batches"][steps]
    rows = {"training y": [], "inference y": []}
    for x in inputs["batches"][:steps]:
        y, _ = subject.forward(x.copy(), inputs["gamma"], inputs["beta"], running, True,
                               momentum=momentum, epsilon=epsilon)
        rows["training y"].append(np.asarray(y, dtype=float))
        y, _ = subject.forward(held_out.copy(), inputs["gamma"], inputs["beta"], running, False,
                               momentum=momentum, epsilon=epsilon)
        rows["inference y"].append(np.asarray(y, dtype=float))
    return checking.outputs(rows, "batch")


def produce_backward(subject, seed, batch, features, momentum, epsilon, steps=0):
    """dx, dγ and dβ of a training-mode forward on the first batch, for the case's dL/dy."""
    inputs = case(seed, batch, features, steps)
    running = subject.running_statistics(features)
    _, cache = subject.forward(inputs["batches"][0].copy(), inputs["gamma"], inputs["beta"],
                               running, True, momentum=momentum, epsilon=epsilon)
    grad_x, grad_gamma, grad_beta = subject.backward(inputs["upstream"].copy(), cache)
    return checking.outputs({"dx": grad_x, "dgamma": grad_gamma, "dbeta": grad_beta}, "row")


PRODUCE = {"training": produce_training, "inference": produce_inference,
           "backward": produce_backward, "finite_differences": produce_backward}


def produce(subject, part, **options):
    """The student's raw numbers for ``part``; nothing is compared here."""
    return PRODUCE[part](subject, **options)


# ---------------------------------------------------------------- the trusted side

def _keras():
    """Keras, imported when a twin is built: the student's side runs without TensorFlow."""
    return importlib.import_module("keras")


def twin_layer(gamma, beta, momentum, epsilon):
    """Keras' layer in float64 with γ, β and Keras' starting running statistics (0 and 1)."""
    layer = _keras().layers.BatchNormalization(momentum=momentum, epsilon=epsilon,
                                               dtype="float64")
    layer.build((None, len(gamma)))
    return set_twin_weights(layer, gamma, beta)


def set_twin_weights(layer, gamma, beta):
    """Give ``twin_layer``'s ``layer`` γ, β and the starting running statistics again."""
    layer.set_weights([gamma, beta, np.zeros(len(gamma)), np.ones(len(gamma))])
    return layer


def expected_training(seed, batch, features, steps, momentum, epsilon):
    inputs = case(seed, batch, features, steps)
    layer = twin_layer(inputs["gamma"], inputs["beta"], momentum, epsilon)
    numpy = _keras().ops.convert_to_numpy
    rows = {"y": [], "running mean": [], "running variance": []}
    for x in inputs["batches"][:steps]:
        rows["y"].append(numpy(layer(x, training=True)))
        rows["running mean"].append(numpy(layer.moving_mean))
        rows["running variance"].append(numpy(layer.moving_variance))
    return checking.Expectation(checking.outputs(rows, "batch"), TWIN, TOLERANCE)


def expected_inference(seed, batch, features, steps, momentum, epsilon):
    inputs = case(seed, batch, features, steps)
    layer = twin_layer(inputs["gamma"], inputs["beta"], momentum, epsilon)
    numpy = _keras().ops.convert_to_numpy
    rows = {"training y": [], "inference y": []}
    for x in inputs["batches"][:steps]:
        rows["training y"].append(numpy(layer(x, training=True)))
        rows["inference y"].append(numpy(layer(inputs["batches"][steps], training=False)))
    return checking.Expectation(checking.outputs(rows, "batch"), TWIN, TOLERANCE)


def _weighted_output(inputs, layer, x):
    """Σ (dL/dy ⊙ y) through Keras' ``layer`` (a ``twin_layer``) in training mode; the
    gradients of that sum with respect to x, the layer's γ and its β are dx, dγ and dβ."""
    tf = importlib.import_module("tensorflow")
    return tf.reduce_sum(inputs["upstream"] * layer(x, training=True))


def expected_backward(seed, batch, features, momentum, epsilon, steps=0):
    """dx, dγ, dβ by ``tf.GradientTape`` through Keras' layer."""
    tf = importlib.import_module("tensorflow")
    inputs = case(seed, batch, features, steps)
    x = tf.Variable(inputs["batches"][0])
    with tf.GradientTape() as tape:
        layer = twin_layer(inputs["gamma"], inputs["beta"], momentum, epsilon)
        total = _weighted_output(inputs, layer, x)
    grad_x, grad_gamma, grad_beta = [
        _keras().ops.convert_to_numpy(gradient)
        for gradient in tape.gradient(total, [x, layer.gamma, layer.beta])]
    expected = checking.outputs({"dx": grad_x, "dgamma": grad_gamma, "dbeta": grad_beta}, "row")
    return checking.Expectation(expected, "tf.GradientTape", TOLERANCE)


def expected_finite_differences(seed, batch, features, momentum, epsilon, steps=0):
    """dx, dγ, dβ by [L(θᵢ + h) − L(θᵢ − h)] / 2h through Keras' layer, element by element.

    One twin layer serves every shifted point: it is given that point's γ and β (and the
    starting running statistics) before each call, rather than built again each time."""
    inputs = case(seed, batch, features, steps)
    values = [inputs["batches"][0], inputs["gamma"], inputs["beta"]]
    layer = twin_layer(inputs["gamma"], inputs["beta"], momentum, epsilon)
    gradients = []
    for which, value in enumerate(values):
        gradient = np.zeros(value.size)
        for index in range(value.size):
            shifted = []
            for sign in (1.0, -1.0):
                moved = [array.copy() for array in values]
                moved[which].reshape(-1)[index] += sign * STEP
                x, gamma, beta = moved
                set_twin_weights(layer, gamma, beta)
                shifted.append(float(_weighted_output(inputs, layer, x)))
            gradient[index] = (shifted[0] - shifted[1]) / (2.0 * STEP)
        gradients.append(gradient.reshape(value.shape))
    expected = checking.outputs(dict(zip(("dx", "dgamma", "dbeta"), gradients)), "row")
    return checking.Expectation(expected, f"central differences (h = {STEP:g}) of {TWIN}",
                                DIFFERENCES_TOLERANCE)


EXPECT = {"training": expected_training, "inference": expected_inference,
          "backward": expected_backward, "finite_differences": expected_finite_differences}


def expect(part, **options):
    """The trusted side of ``part``: the twin's numbers on the same inputs, an Expectation."""
    return EXPECT[part](**options)


def check(name, points, part, seed=0, batch=8, features=4, steps=3, momentum=0.9,
          epsilon=1e-3):
    """A ``Check`` of ``part`` on the case given by the other options."""
    options = {"part": part, "seed": seed, "batch": batch, "features": features,
               "steps": steps, "momentum": momentum, "epsilon": epsilon}
    return checking.Check(name, points, produce, expect, tuple(options.items()))


PUBLIC = (
    check("training mode: y and the running statistics over 3 batches", 3, "training"),
    check("inference mode: the running statistics, not the batch's", 2, "inference"),
    check("backward: dx, dγ, dβ against tf.GradientTape", 3, "backward"),
    check("backward on a batch of 3 against central differences", 2, "finite_differences",
          seed=1, batch=3, features=3),
)
