"""custom.numpy_net against Keras: the same weights give the same forward pass and, through
tf.GradientTape, the same gradients. Everything runs in float64, so the tolerance is 1e-10."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import datasets
from custom.numpy_net import DenseLayer, Network

TOLERANCE = 1e-10


def keras_twin(network):
    """A float64 Keras model with the NumPy network's layers and weights; its output is the logits."""
    layers = [keras.Input(shape=(network.layer_sizes[0],), dtype="float64")]
    for layer in network.layers[:-1]:
        layers.append(keras.layers.Dense(layer.bias.size, activation=layer.activation,
                                         dtype="float64"))
    layers.append(keras.layers.Dense(network.layer_sizes[-1], dtype="float64"))
    model = keras.Sequential(layers)
    model.set_weights(network.get_weights())
    return model


def tape_gradients(model, x, y, output):
    with tf.GradientTape() as tape:
        logits = model(x)
        if output == "softmax":
            per_sample = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits)
        else:
            per_sample = tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits)
        loss = tf.reduce_mean(per_sample)
    return float(loss), [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


@pytest.mark.parametrize("sizes, output", [([4, 16, 8, 3], "softmax"), ([2, 3, 1], "sigmoid")])
def test_forward_loss_and_backward_match_keras_and_gradient_tape(sizes, output):
    rng = np.random.default_rng(1)
    network = Network(sizes, output=output, seed=0)
    x = rng.standard_normal((6, sizes[0]))
    if output == "softmax":
        y = np.eye(3)[rng.integers(0, 3, 6)]
    else:
        y = rng.integers(0, 2, (6, 1)).astype(float)
    loss = network.loss(x, y)
    gradients = network.backward(y)
    model = keras_twin(network)
    activation = keras.activations.softmax if output == "softmax" else keras.activations.sigmoid
    np.testing.assert_allclose(network.outputs, activation(model(x)).numpy(), atol=TOLERANCE)
    tape_loss, tape = tape_gradients(model, x, y, output)
    assert loss == pytest.approx(tape_loss, rel=TOLERANCE)
    assert len(gradients) == len(tape)
    for ours, theirs in zip(gradients, tape):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, atol=TOLERANCE)


def test_integer_labels_give_the_same_gradients_as_one_hot():
    network = Network([4, 5, 3], seed=3)
    x = np.random.default_rng(0).standard_normal((4, 4))
    labels = np.array([0, 2, 1, 2])
    network.forward(x)
    from_labels = [g.copy() for g in network.backward(labels)]
    from_one_hot = network.backward(np.eye(3)[labels])
    for a, b in zip(from_labels, from_one_hot):
        np.testing.assert_array_equal(a, b)


def test_update_is_plain_gradient_descent():
    network = Network([3, 4, 2], seed=0)
    before = network.get_weights()
    gradients = [np.full_like(p, 0.5) for p in before]
    network.update(gradients, learning_rate=0.1)
    for old, new in zip(before, network.get_weights()):
        np.testing.assert_allclose(new, old - 0.05, atol=1e-15)


def test_same_seed_same_weights_and_weights_round_trip_through_keras():
    first, second = Network([4, 16, 8, 3], seed=7), Network([4, 16, 8, 3], seed=7)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)
    model = keras_twin(first)
    third = Network([4, 16, 8, 3], seed=99)
    third.set_weights(model.get_weights())
    for a, b in zip(first.get_weights(), third.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_predict_leaves_the_training_cache_alone():
    network = Network([2, 3, 1], output="sigmoid", seed=0)
    x, y = datasets.xor()
    network.forward(x)
    expected = [g.copy() for g in network.backward(y)]
    network.predict(np.zeros((10, 2)))
    for a, b in zip(expected, network.backward(y)):
        np.testing.assert_array_equal(a, b)


def test_xor_is_learned_by_hand_to_100_percent():
    x, y = datasets.xor()
    network = Network([2, 8, 1], output="sigmoid", seed=0, weight_scale=0.5)
    first_loss = network.loss(x, y)
    for _ in range(1000):
        network.loss(x, y)
        network.update(network.backward(y), learning_rate=0.5)
    assert network.loss(x, y) < 0.05 < first_loss
    assert np.array_equal((network.predict(x).ravel() > 0.5).astype(int), y)


@pytest.mark.parametrize("call, message", [
    (lambda: Network([4]), "layer_sizes"),
    (lambda: Network([4, 0, 3]), "n_outputs must be a positive integer"),
    (lambda: Network([4, 3], output="tanh"), "output must be one of"),
    (lambda: Network([4, 3], output="sigmoid"), "sigmoid output has 1 unit"),
    (lambda: Network([4, 3], hidden_activation="relu6"), "activation must be one of"),
    (lambda: Network([4, 3]).forward(np.ones((2, 5))), r"shape \(batch, 4\)"),
    (lambda: Network([4, 3]).backward([0, 1]), "call forward before backward"),
    (lambda: Network([4, 3]).update([], 0.1), "expected 2 gradients"),
    (lambda: Network([4, 3]).update([0, 0], -1.0), "learning_rate must be positive"),
    (lambda: Network([4, 3]).set_weights([np.zeros((3, 3)), np.zeros(3)]), "does not match"),
    (lambda: DenseLayer(2, 2, weight_scale=0.0), "weight_scale"),
])
def test_bad_arguments_give_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_labels_out_of_range_are_rejected():
    network = Network([2, 3], seed=0)
    network.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        network.backward(np.array([0, 3]))


def test_docstring_examples_run():
    import doctest

    from custom import activations, gradient_check, losses, numpy_net

    for module in (activations, losses, numpy_net, gradient_check):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_keras_twin_computes_the_same_outputs_from_logits():
    network = Network([4, 16, 8, 3], seed=3)
    x = np.random.default_rng(0).normal(size=(5, 4))
    logits = network.keras_twin()(x).numpy()
    np.testing.assert_allclose(keras.ops.softmax(logits).numpy(), network.forward(x),
                               rtol=1e-12, atol=1e-15)
    assert network.keras_twin("float32").dtype == "float32"
    with pytest.raises(ValueError, match="keras_twin needs hidden_activation 'relu'"):
        Network([2, 4, 1], output="sigmoid", hidden_activation="tanh").keras_twin()
