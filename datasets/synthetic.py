"""Synthetic data sets, each deterministic for a given seed.

Conventions, shared by every loader in this package:

* features ``x`` are ``float32`` of shape ``(n_samples, n_features)``;
* classification labels ``y`` are ``int32`` of shape ``(n_samples,)``, with values
  ``0 .. n_classes - 1`` (use ``sparse_categorical_crossentropy``, or
  ``binary_crossentropy`` when there are two classes);
* regression targets ``y`` are ``float32`` of shape ``(n_samples, 1)``.

The same ``seed`` always gives the same arrays, on any machine, because every
generator draws from its own ``numpy.random.default_rng(seed)`` and never from
global state.
"""

import numpy as np
import sklearn.datasets


def _check_size(n_samples, noise=0.0):
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")


def _as_classification(x, y):
    return np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.int32)


def xor(n_samples=4, noise=0.0, seed=0):
    """The XOR problem.

    With ``n_samples=4`` and no noise it is the truth table itself:
    (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0. With more samples, the four corners are
    repeated in turn and jittered by Gaussian ``noise``.

    Returns:
        x: float32, shape (n_samples, 2). y: int32, shape (n_samples,), in {0, 1}.
    """
    _check_size(n_samples, noise)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    labels = np.array([0, 1, 1, 0])
    index = np.arange(n_samples) % 4
    rng = np.random.default_rng(seed)
    x = corners[index] + noise * rng.standard_normal((n_samples, 2))
    return _as_classification(x, labels[index])


def two_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Returns:
        x: float32, shape (n_samples, 2), roughly in [-1.5, 2.5] × [-1, 1.5].
        y: int32, shape (n_samples,), in {0, 1}.
    """
    _check_size(n_samples, noise)
    x, y = sklearn.datasets.make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return _as_classification(x, y)


def spirals(n_samples=300, n_classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class (the CS231n classic).

    Arm k is r·(sin θ, cos θ) with r from 0 to 1 and θ = 4r + 2πk/n_classes,
    plus Gaussian noise on θ. Not linearly separable: a good test of hidden layers.

    Returns:
        x: float32, shape (n_samples, 2), within about [-1, 1]².
        y: int32, shape (n_samples,), in {0, …, n_classes − 1}.
    """
    _check_size(n_samples, noise)
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes!r}")
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    radius = rng.uniform(0.0, 1.0, n_samples)
    angle = 4.0 * radius + 2.0 * np.pi * y / n_classes + noise * rng.standard_normal(n_samples)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return _as_classification(x, y)


def blobs(n_samples=300, n_classes=3, n_features=2, spread=1.0, seed=0):
    """Isotropic Gaussian blobs, one per class (scikit-learn's ``make_blobs``).

    Returns:
        x: float32, shape (n_samples, n_features). y: int32, shape (n_samples,).
    """
    _check_size(n_samples, spread)
    x, y = sklearn.datasets.make_blobs(
        n_samples=n_samples, centers=n_classes, n_features=n_features,
        cluster_std=spread, random_state=seed)
    return _as_classification(x, y)


def circles(n_samples=200, noise=0.05, factor=0.5, seed=0):
    """A small circle inside a large one (scikit-learn's ``make_circles``).

    Returns:
        x: float32, shape (n_samples, 2), within about [-1.2, 1.2]².
        y: int32, shape (n_samples,): 0 for the outer circle, 1 for the inner.
    """
    _check_size(n_samples, noise)
    x, y = sklearn.datasets.make_circles(
        n_samples=n_samples, noise=noise, factor=factor, random_state=seed)
    return _as_classification(x, y)


def linear_regression(n_samples=200, n_features=1, noise=0.1, seed=0):
    """y = x·w + b + noise, with w and b drawn once from the seed.

    Returns:
        x: float32, shape (n_samples, n_features), standard normal.
        y: float32, shape (n_samples, 1).
    """
    _check_size(n_samples, noise)
    rng = np.random.default_rng(seed)
    weights = rng.uniform(-2.0, 2.0, (n_features, 1))
    bias = rng.uniform(-1.0, 1.0)
    x = rng.standard_normal((n_samples, n_features))
    y = x @ weights + bias + noise * rng.standard_normal((n_samples, 1))
    return x.astype(np.float32), y.astype(np.float32)


def nonlinear_regression(n_samples=200, noise=0.1, seed=0):
    """y = sin(3x) + 0.3·x² + noise, for x uniform in [-2, 2].

    Returns:
        x: float32, shape (n_samples, 1). y: float32, shape (n_samples, 1).
    """
    _check_size(n_samples, noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, (n_samples, 1))
    y = np.sin(3.0 * x) + 0.3 * x**2 + noise * rng.standard_normal((n_samples, 1))
    return x.astype(np.float32), y.astype(np.float32)


def random_labels(n_samples=500, n_features=4, n_classes=3, seed=0):
    """Gaussian features with labels drawn independently of them.

    There is nothing to learn, only to memorise: training accuracy can reach
    100 % while validation accuracy stays at chance, 1/n_classes. This is the
    synthetic data set of "Learning Algorithms" (section 5.3) for its 4-16-8-3 network.

    Returns:
        x: float32, shape (n_samples, n_features). y: int32, shape (n_samples,).
    """
    _check_size(n_samples)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_samples, n_features))
    y = rng.integers(0, n_classes, n_samples)
    return _as_classification(x, y)
