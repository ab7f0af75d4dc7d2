"""Activation functions and their derivatives in NumPy, written beside their equations.

The NumPy network (``custom.numpy_net``), the losses (``custom.losses``) and the
activations lab all use these. Each is checked against ``keras.activations`` and
its derivative against ``tf.GradientTape`` in ``tests/test_activations.py``.

Every function takes an array of any shape and works element by element, except
``softmax`` and ``log_softmax``, which work along the last axis (the classes).

Example:
    >>> import numpy as np
    >>> from custom import activations
    >>> activations.relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
"""

import numpy as np
import scipy.special

NAMES = ("linear", "relu", "leaky_relu", "sigmoid", "tanh", "swish", "gelu")


def linear(z):
    """a = z."""
    return np.asarray(z, dtype=float)


def linear_derivative(z):
    """da/dz = 1."""
    return np.ones_like(np.asarray(z, dtype=float))


def relu(z):
    """a = max(0, z)."""
    return np.maximum(0.0, z)


def relu_derivative(z):
    """da/dz = 1 where z > 0, else 0 (at the kink z = 0 we take 0, as TensorFlow does)."""
    return (np.asarray(z) > 0).astype(float)


def leaky_relu(z, negative_slope=0.2):
    """a = z where z > 0, else α·z, with α = ``negative_slope`` (Keras' default is 0.2)."""
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, negative_slope * z)


def leaky_relu_derivative(z, negative_slope=0.2):
    """da/dz = 1 where z > 0, else α."""
    return np.where(np.asarray(z) > 0, 1.0, negative_slope)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for large |z|."""
    return scipy.special.expit(z)


def sigmoid_derivative(z):
    """dσ/dz = σ(z)·(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)) = 2·σ(2z) − 1, in (−1, 1)."""
    return np.tanh(z)


def tanh_derivative(z):
    """d tanh/dz = 1 − tanh²(z), at most 1 (at z = 0); four times σ′(2z)."""
    return 1.0 - np.tanh(z) ** 2


def swish(z):
    """swish(z) = z·σ(z) (Keras calls it ``silu``)."""
    return z * sigmoid(z)


def swish_derivative(z):
    """d/dz [z·σ(z)] = σ(z) + z·σ(z)·(1 − σ(z))."""
    s = sigmoid(z)
    return s + z * s * (1.0 - s)


def gelu(z):
    """GELU(z) = z·Φ(z) = ½·z·(1 + erf(z/√2)), the exact form (Keras' default, approximate=False)."""
    z = np.asarray(z, dtype=float)
    return 0.5 * z * (1.0 + scipy.special.erf(z / np.sqrt(2.0)))


def gelu_derivative(z):
    """d/dz [z·Φ(z)] = Φ(z) + z·φ(z), with φ the standard normal density."""
    z = np.asarray(z, dtype=float)
    cumulative = 0.5 * (1.0 + scipy.special.erf(z / np.sqrt(2.0)))  # Φ(z)
    density = np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi)  # φ(z)
    return cumulative + z * density


def softmax(logits):
    """softmax(z)_k = e^(z_k − max z) / Σ_j e^(z_j − max z), along the last axis.

    Subtracting the maximum changes nothing mathematically and keeps e^x from overflowing.
    """
    logits = np.asarray(logits, dtype=float)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def log_softmax(logits):
    """log softmax(z)_k = z_k − logsumexp(z), along the last axis; finite for any finite z."""
    logits = np.asarray(logits, dtype=float)
    return logits - scipy.special.logsumexp(logits, axis=-1, keepdims=True)


FUNCTIONS = {"linear": linear, "relu": relu, "leaky_relu": leaky_relu, "sigmoid": sigmoid,
             "tanh": tanh, "swish": swish, "gelu": gelu}
DERIVATIVES = {"linear": linear_derivative, "relu": relu_derivative,
               "leaky_relu": leaky_relu_derivative, "sigmoid": sigmoid_derivative,
               "tanh": tanh_derivative, "swish": swish_derivative, "gelu": gelu_derivative}


def get(name):
    """The pair (function, derivative) for ``name``, one of ``NAMES``.

    Raises:
        ValueError: if ``name`` is not one of ``NAMES``.
    """
    if name not in FUNCTIONS:
        raise ValueError(f"activation must be one of {', '.join(NAMES)}; got {name!r}")
    return FUNCTIONS[name], DERIVATIVES[name]
