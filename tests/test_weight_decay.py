"""The regularization lab's L2-under-Adam and AdamW steps, by hand in NumPy, against Keras.

Three steps with changing gradients on one float32 variable: Keras' ``AdamW`` against
``adamw_step``, and Keras' ``Adam`` on a loss with ``keras.regularizers.L2(λ)`` against
``adam_l2_step``. Under SGD, an L2 penalty λ and ``weight_decay=2λ`` give the same step.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from labs.helpers import regularization as weight_decay

RATE, L2, DECAY = 0.01, 0.05, 0.3
TOLERANCE = dict(rtol=1e-5, atol=1e-6)  # float32 round-off on weights of size 1, steps of 0.01
START = np.array([[1.5, -0.2, 0.03], [-2.0, 0.7, 0.0]], dtype="float32")
GRADIENTS = [np.array([[0.4, -3.0, 0.001], [0.0, 2.5, -0.2]], dtype="float32") * scale
             for scale in (1.0, -0.5, 2.0)]


def keras_steps(optimizer, penalty=None):
    """θ after each step of ``optimizer`` on the loss Σ g·θ (+ penalty(θ)), whose ∇J is g."""
    weights = tf.Variable(START)
    found = []
    for gradient in GRADIENTS:
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(gradient * weights)
            if penalty is not None:
                loss += penalty(weights)
        optimizer.apply_gradients([(tape.gradient(loss, weights), weights)])
        found.append(weights.numpy().copy())
    return found


def numpy_steps(step_function, strength):
    weights, first, second = START.astype("float64"), np.zeros(START.shape), np.zeros(START.shape)
    found = []
    for step, gradient in enumerate(GRADIENTS, start=1):
        weights, first, second = step_function(weights, gradient, first, second, step, RATE,
                                               strength)
        found.append(weights)
    return found


def test_adamw_by_hand_equals_keras_adamw():
    theirs = keras_steps(keras.optimizers.AdamW(RATE, weight_decay=DECAY))
    ours = numpy_steps(weight_decay.adamw_step, DECAY)
    for step, (expected, found) in enumerate(zip(theirs, ours), start=1):
        np.testing.assert_allclose(found, expected, **TOLERANCE, err_msg=f"step {step}")


def test_adam_with_an_l2_penalty_by_hand_equals_keras_adam_on_the_penalised_loss():
    theirs = keras_steps(keras.optimizers.Adam(RATE), penalty=keras.regularizers.L2(L2))
    ours = numpy_steps(weight_decay.adam_l2_step, L2)
    for step, (expected, found) in enumerate(zip(theirs, ours), start=1):
        np.testing.assert_allclose(found, expected, **TOLERANCE, err_msg=f"step {step}")


def test_the_two_differ_under_adam_but_coincide_under_sgd_with_twice_the_strength():
    adam_l2 = numpy_steps(weight_decay.adam_l2_step, L2)[-1]
    adamw = numpy_steps(weight_decay.adamw_step, 2 * L2)[-1]
    assert np.abs(adam_l2 - adamw).max() > 1e-3     # Not the same step under Adam.
    penalised = keras_steps(keras.optimizers.SGD(RATE), penalty=keras.regularizers.L2(L2))
    decayed = keras_steps(keras.optimizers.SGD(RATE, weight_decay=2 * L2))
    for expected, found in zip(penalised, decayed):
        np.testing.assert_allclose(found, expected, **TOLERANCE)


@pytest.mark.parametrize("arguments, message", [
    ({"learning_rate": 0.0}, "learning_rate must be > 0"),
    ({"weight_decay": -0.1}, "decay strength must be >= 0"),
    ({"step": 0}, "step must be an integer >= 1"),
])
def test_bad_arguments_are_refused_by_name(arguments, message):
    values = dict(weights=START, gradient=GRADIENTS[0], first=0.0, second=0.0, step=1,
                  learning_rate=RATE, weight_decay=DECAY)
    values.update(arguments)
    with pytest.raises(ValueError, match=message):
        weight_decay.adamw_step(**values)
