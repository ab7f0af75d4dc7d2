"""custom.activations against keras.activations, and each derivative against tf.GradientTape."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from custom import activations

# Keras writes some constants (the leaky slope 0.2, GELU's 1/√2) as float32, so values agree
# to about 1e-8 rather than to the last bit of float64; the tolerance is 1e-7.
# Points on both sides of 0 but not on the kink, where ReLU's derivative is a convention.
POINTS = np.concatenate([np.linspace(-6.0, -0.01, 40), np.linspace(0.01, 6.0, 40)])
KERAS_TWINS = {
    "linear": keras.activations.linear,
    "relu": keras.activations.relu,
    "leaky_relu": lambda z: keras.activations.leaky_relu(z, negative_slope=0.2),
    "sigmoid": keras.activations.sigmoid,
    "tanh": keras.activations.tanh,
    "swish": keras.activations.silu,
    "gelu": lambda z: keras.activations.gelu(z, approximate=False),
}


@pytest.mark.parametrize("name", activations.NAMES)
def test_activation_matches_keras(name):
    function, _ = activations.get(name)
    expected = keras.ops.convert_to_numpy(KERAS_TWINS[name](tf.constant(POINTS)))
    np.testing.assert_allclose(function(POINTS), expected, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", activations.NAMES)
def test_derivative_matches_gradient_tape(name):
    _, derivative = activations.get(name)
    z = tf.Variable(POINTS)  # float64
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(KERAS_TWINS[name](z))
    expected = tape.gradient(total, z).numpy()
    np.testing.assert_allclose(derivative(POINTS), expected, rtol=1e-7, atol=1e-7)


def test_softmax_and_log_softmax_match_keras_and_stay_finite():
    logits = np.array([[2.0, 1.0, 0.1], [1000.0, 0.0, -1000.0]])
    expected = keras.ops.convert_to_numpy(keras.activations.softmax(tf.constant(logits)))
    np.testing.assert_allclose(activations.softmax(logits), expected, atol=1e-12)
    expected_log = tf.nn.log_softmax(tf.constant(logits)).numpy()
    np.testing.assert_allclose(activations.log_softmax(logits), expected_log, atol=1e-12)
    assert activations.log_softmax(logits)[1, 2] == -2000.0


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="activation must be one of"):
        activations.get("tanhh")
