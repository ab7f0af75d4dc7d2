"""custom.numpy_training.train_epoch against Keras: the same epoch of SGD on a float64 twin.

The Keras twin starts from the NumPy network's weights, sees the same unshuffled batches
and reports, as ``loss`` and ``accuracy``, the running means that train_epoch reports.
"""

import keras
import numpy as np
import pytest

from custom import numpy_training
from custom.numpy_net import Network

# float64 on both sides, and η = 0.125 is exact in Keras' float32 learning-rate variable;
# only the order of additions differs.
WEIGHT_TOLERANCE = 1e-12


def keras_twin(network, **optimizer_arguments):
    """A float64 Keras copy of ``network`` whose last layer returns logits."""
    model = network.keras_twin()
    model.compile(optimizer=keras.optimizers.SGD(0.125, **optimizer_arguments),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"),
                  metrics=["accuracy"])
    return model


def data(seed=0, n_samples=70):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_samples, 4))                         # (samples, 4)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)             # (samples,) in {0, 1, 2}
    return x, y


@pytest.mark.parametrize("clip", [None, {"global_clipnorm": 0.05}, {"clipvalue": 0.01}])
def test_one_epoch_matches_keras_fit_weights_loss_and_accuracy(clip):
    x, y = data()
    network = Network([4, 8, 3], output="softmax", seed=1)
    model = keras_twin(network, **(clip or {}))
    result = numpy_training.train_epoch(network, x, y, batch_size=16, learning_rate=0.125,
                                        shuffle=False, clip=clip, gradient_norms=True)
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0).history
    for ours, theirs in zip(network.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, atol=WEIGHT_TOLERANCE)
    assert result.loss == pytest.approx(history["loss"][0], rel=1e-6)
    assert result.accuracy == pytest.approx(history["accuracy"][0], rel=1e-6)
    assert len(result.step_losses) == len(result.gradient_norms) == 5  # 4 batches of 16, 1 of 6
    assert not result.diverged
    keras.backend.clear_session()


def test_the_loss_is_the_sample_weighted_mean_of_the_batch_losses():
    x, y = data(seed=2)
    network = Network([4, 8, 3], output="softmax", seed=3)
    result = numpy_training.train_epoch(network, x, y, 32, 0.1, shuffle=False)
    sizes = [32, 32, 6]
    assert result.loss == pytest.approx(np.dot(result.step_losses, sizes) / 70, rel=1e-12)
    assert result.gradient_norms == []  # Only recorded when asked for.


def test_a_diverging_run_stops_at_the_first_non_finite_output():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 3)), rng.normal(size=(64, 1)) * 100
    network = Network([3, 32, 32, 1], output="linear", seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        result = numpy_training.train_epoch(network, x, y, 1, learning_rate=10.0)
    assert result.diverged and 0 < len(result.step_losses) < 64
    assert result.accuracy is None


def test_a_generator_seed_gives_a_new_order_each_epoch_and_repeats_across_runs():
    x, y = data()

    def two_epochs():
        network, order = Network([4, 8, 3], output="softmax", seed=1), np.random.default_rng(5)
        return [numpy_training.train_epoch(network, x, y, 16, 0.1, seed=order).step_losses
                for _ in range(2)]

    first, again = two_epochs(), two_epochs()
    assert first == again
    assert first[0] != first[1]


def test_bad_arguments_raise_value_error():
    x, y = data()
    network = Network([4, 8, 3], output="softmax", seed=1)
    with pytest.raises(ValueError, match="batch_size"):
        numpy_training.train_epoch(network, x, y, 0, 0.1)
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        numpy_training.train_epoch(network, x, y, 16, -0.1)
