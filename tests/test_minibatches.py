"""custom.minibatches against the seed's create_batches and tf.data's batching."""

import math

import numpy as np
import pytest
import tensorflow as tf

from custom import minibatches


def seed_create_batches(X, y, batch_size, shuffle=True):
    """Seed 000, section 3.2, verbatim apart from the name (it shuffles with global state)."""
    n_samples = X.shape[0]
    indices = np.arange(n_samples)
    if shuffle:
        np.random.shuffle(indices)
    for start_idx in range(0, n_samples, batch_size):
        end_idx = min(start_idx + batch_size, n_samples)
        batch_indices = indices[start_idx:end_idx]
        yield X[batch_indices], y[batch_indices]


def numbered_data(n_samples):
    """x[i] = (i, −i) and y[i] = i, so that every sample names itself."""
    x = np.stack([np.arange(n_samples), -np.arange(n_samples)], axis=1)  # (n, 2)
    return x, np.arange(n_samples)


@pytest.mark.parametrize("n_samples, batch_size", [
    (100, 32), (100, 1), (100, 100), (100, 128), (7, 3), (1, 5), (64, 8)])
def test_every_sample_exactly_once_and_only_the_last_batch_is_partial(n_samples, batch_size):
    x, y = numbered_data(n_samples)
    batches = list(minibatches.create_batches(x, y, batch_size, seed=3))
    sizes = [len(x_batch) for x_batch, _ in batches]
    assert len(batches) == math.ceil(n_samples / batch_size)
    assert len(batches) == minibatches.number_of_batches(n_samples, batch_size)
    assert all(size == min(batch_size, n_samples) for size in sizes[:-1])
    assert sizes[-1] == n_samples - batch_size * (len(batches) - 1)
    seen = np.concatenate([y_batch for _, y_batch in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(n_samples))
    for x_batch, y_batch in batches:  # Features stay with their own labels.
        np.testing.assert_array_equal(x_batch[:, 0], y_batch)


def test_last_batch_of_100_by_32_has_4_samples_as_in_the_seed():
    x, y = numbered_data(100)
    ours = [len(b) for b, _ in minibatches.create_batches(x, y, 32)]
    np.random.seed(42)
    seeds = [len(b) for b, _ in seed_create_batches(x, y, 32)]
    assert ours == seeds == [32, 32, 32, 4]


def test_without_shuffle_equals_the_seed_batch_for_batch():
    x, y = numbered_data(50)
    ours = list(minibatches.create_batches(x, y, 8, shuffle=False))
    theirs = list(seed_create_batches(x, y, 8, shuffle=False))
    assert len(ours) == len(theirs)
    for (our_x, our_y), (their_x, their_y) in zip(ours, theirs):
        np.testing.assert_array_equal(our_x, their_x)
        np.testing.assert_array_equal(our_y, their_y)


def test_batch_sizes_equal_tf_data_batching():
    x, y = numbered_data(37)
    ours = [len(b) for b, _ in minibatches.create_batches(x, y, 10)]
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(10)
    theirs = [int(b.shape[0]) for b, _ in dataset]
    assert ours == theirs == [10, 10, 10, 7]


def test_same_integer_seed_repeats_the_order_and_leaves_global_state_alone():
    x, y = numbered_data(100)
    state_before = np.random.get_state()[1].copy()
    first = np.concatenate([b for _, b in minibatches.create_batches(x, y, 16, seed=5)])
    second = np.concatenate([b for _, b in minibatches.create_batches(x, y, 16, seed=5)])
    other = np.concatenate([b for _, b in minibatches.create_batches(x, y, 16, seed=6)])
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first, np.arange(100))  # It did shuffle.
    np.testing.assert_array_equal(np.random.get_state()[1], state_before)


def test_a_shared_generator_gives_a_new_order_each_epoch():
    x, y = numbered_data(100)
    rng = np.random.default_rng(0)
    epochs = [np.concatenate([b for _, b in minibatches.create_batches(x, y, 16, seed=rng)])
              for _ in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(100))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "8", None])
def test_bad_batch_size_raises_at_the_call_naming_the_argument(batch_size):
    x, y = numbered_data(10)
    with pytest.raises(ValueError, match="batch_size"):
        minibatches.create_batches(x, y, batch_size)  # No next(): the check is eager.
    with pytest.raises(ValueError, match="batch_size"):
        minibatches.number_of_batches(10, batch_size)


def test_other_bad_arguments_raise_value_errors_naming_them():
    x, y = numbered_data(10)
    with pytest.raises(ValueError, match="same length"):
        minibatches.create_batches(x, y[:9], 4)
    with pytest.raises(ValueError, match="no samples"):
        minibatches.create_batches(x[:0], y[:0], 4)
    with pytest.raises(ValueError, match="seed"):
        minibatches.create_batches(x, y, 4, seed=-1)
    with pytest.raises(ValueError, match="seed"):
        minibatches.create_batches(x, y, 4, seed="abc")
    with pytest.raises(ValueError, match="n_samples"):
        minibatches.number_of_batches(-1, 4)
