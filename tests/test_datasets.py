"""The data sets: shapes, dtypes, determinism, value ranges, helpers and bad input."""

import numpy as np
import pytest

import datasets

CLASSIFICATION = {
    # name: (n_samples, n_features, n_classes) for the default arguments.
    "xor": (4, 2, 2),
    "two_moons": (200, 2, 2),
    "circles": (200, 2, 2),
    "spirals": (300, 2, 3),
    "blobs": (300, 2, 3),
    "random_labels": (500, 4, 3),
    "digits": (1797, 64, 10),
    "breast_cancer": (569, 30, 2),
}
REGRESSION = {
    "linear_regression": (200, 1),
    "nonlinear_regression": (200, 1),
    "diabetes": (442, 10),
}


@pytest.mark.parametrize("name", sorted(CLASSIFICATION))
def test_classification_shapes_dtypes_and_labels(name):
    n_samples, n_features, n_classes = CLASSIFICATION[name]
    x, y = datasets.load(name)
    assert x.shape == (n_samples, n_features) and x.dtype == np.float32
    assert y.shape == (n_samples,) and y.dtype == np.int32
    assert set(np.unique(y)) == set(range(n_classes))
    assert np.isfinite(x).all()
    assert datasets.task(name) == ("binary" if n_classes == 2 else "multiclass")


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_shapes_and_dtypes(name):
    n_samples, n_features = REGRESSION[name]
    x, y = datasets.load(name)
    assert x.shape == (n_samples, n_features) and x.dtype == np.float32
    assert y.shape == (n_samples, 1) and y.dtype == np.float32
    assert np.isfinite(x).all() and np.isfinite(y).all()
    assert datasets.task(name) == "regression"


def test_every_offline_name_is_covered_by_a_test():
    offline = set(datasets.names()) - set(datasets.ONLINE)
    assert offline == set(CLASSIFICATION) | set(REGRESSION)


@pytest.mark.parametrize("name", [n for n in datasets.names() if n not in datasets.ONLINE
                                  and n not in ("digits", "breast_cancer", "diabetes")])
def test_synthetic_generators_are_deterministic_per_seed(name):
    x1, y1 = datasets.load(name, seed=3)
    x2, y2 = datasets.load(name, seed=3)
    x3, _ = datasets.load(name, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    if name != "xor":  # The noiseless truth table does not depend on the seed.
        assert not np.array_equal(x1, x3)


def test_xor_is_the_truth_table():
    x, y = datasets.xor()
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_value_ranges_of_real_data():
    x, _ = datasets.digits()
    assert x.min() == 0.0 and x.max() == 1.0
    _, y = datasets.diabetes()
    assert 25 <= y.min() and y.max() <= 346


def test_random_labels_are_balanced_and_independent_of_features():
    x, y = datasets.random_labels(n_samples=3000, seed=0)
    counts = np.bincount(y) / len(y)
    np.testing.assert_allclose(counts, 1 / 3, atol=0.03)
    # A feature's mean should not depend on the class when labels are random.
    means = np.array([x[y == label, 0].mean() for label in range(3)])
    assert np.ptp(means) < 0.15


def test_unknown_data_set_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown data set 'moons'; choose from: xor, two_moons"):
        datasets.load("moons")


@pytest.mark.parametrize("kwargs", [{"n_samples": 0}, {"n_samples": 2.5}, {"noise": -1.0}])
def test_bad_generator_arguments_are_named(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        datasets.two_moons(**kwargs)


def test_offline_download_names_the_alternative(monkeypatch):
    import keras

    def no_network():
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_network)
    with pytest.raises(datasets.DatasetUnavailable) as caught:
        datasets.mnist()
    message = str(caught.value)
    assert "\n" not in message and "MNIST" in message and "datasets.load('digits')" in message


def test_split_is_disjoint_complete_and_seeded():
    x = np.arange(100, dtype=np.float32).reshape(50, 2)
    y = np.arange(50)
    (x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.2, seed=1)
    assert len(y_val) == 10 and len(y_train) == 40
    assert sorted(np.concatenate([y_train, y_val])) == list(range(50))
    np.testing.assert_array_equal(x_train[:, 0], 2 * y_train)  # Rows stay paired.
    (_, again), _ = datasets.train_val_split(x, y, 0.2, seed=1)
    np.testing.assert_array_equal(y_train, again)


def test_stratified_split_keeps_class_proportions():
    x, y = datasets.blobs(n_samples=300, n_classes=3)
    _, (_, y_val) = datasets.train_val_split(x, y, 0.2, stratify=True)
    np.testing.assert_array_equal(np.bincount(y_val), [20, 20, 20])


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1])
def test_split_rejects_fractions_outside_zero_one(fraction):
    with pytest.raises(ValueError, match="val_fraction"):
        datasets.train_val_split(np.zeros((10, 1)), np.zeros(10), fraction)


def test_standardizer_uses_training_statistics_only():
    x_train = np.array([[1.0, 5.0], [3.0, 5.0]], dtype=np.float32)
    x_val = np.array([[5.0, 7.0]], dtype=np.float32)
    scaler = datasets.Standardizer().fit(x_train)
    np.testing.assert_allclose(scaler.transform(x_train), [[-1, 0], [1, 0]])
    # Mean 2, std 1 for column 0; column 1 has zero spread, so it is only centred.
    np.testing.assert_allclose(scaler.transform(x_val), [[3, 2]])
    assert scaler.transform(x_val).dtype == np.float32


def test_tf_data_pipeline_has_fixed_seeded_order_and_partial_last_batch():
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    y = np.arange(10)

    def epoch_orders(seed):
        dataset = datasets.make_dataset(x, y, batch_size=4, seed=seed)
        return [np.concatenate([b.numpy() for _, b in dataset]) for _ in range(2)]

    first, second = epoch_orders(seed=5)
    assert sorted(first) == list(range(10)) and not np.array_equal(first, second)
    again = epoch_orders(seed=5)
    np.testing.assert_array_equal(first, again[0])
    np.testing.assert_array_equal(second, again[1])
    sizes = [len(b) for _, b in datasets.make_dataset(x, y, batch_size=4, shuffle=False)]
    assert sizes == [4, 4, 2]
