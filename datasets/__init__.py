"""The lab's data sets: synthetic generators and real loaders, offline by default.

Load any of them by name::

    import datasets
    x, y = datasets.load("two_moons", n_samples=400, seed=1)
    datasets.names()   # every name ``load`` accepts

or call the generator directly (``datasets.two_moons(...)``). Shapes and dtypes
are documented on each function; the conventions are in ``datasets.synthetic``.

This package is deliberately named ``datasets``. Colab also has Hugging Face's
package of that name installed; running from the repository root puts ours
first on ``sys.path``, and ``labs`` checks that it got ours.
"""

from datasets.preprocessing import Standardizer, make_dataset, train_val_split
from datasets.real import (
    DatasetUnavailable, breast_cancer, diabetes, digits, fashion_mnist, mnist)
from datasets.synthetic import (
    blobs, circles, linear_regression, nonlinear_regression, random_labels, spirals,
    two_moons, xor)

# Name → (loader, task). The task tells a lab which loss to pick.
_LOADERS = {
    "xor": (xor, "binary"),
    "two_moons": (two_moons, "binary"),
    "circles": (circles, "binary"),
    "spirals": (spirals, "multiclass"),
    "blobs": (blobs, "multiclass"),
    "random_labels": (random_labels, "multiclass"),
    "linear_regression": (linear_regression, "regression"),
    "nonlinear_regression": (nonlinear_regression, "regression"),
    "digits": (digits, "multiclass"),
    "breast_cancer": (breast_cancer, "binary"),
    "diabetes": (diabetes, "regression"),
    "mnist": (mnist, "multiclass"),
    "fashion_mnist": (fashion_mnist, "multiclass"),
}

# Those that need a download; everything else works offline.
ONLINE = ("mnist", "fashion_mnist")


def names():
    """Every data-set name that ``load`` accepts, in a stable order."""
    return list(_LOADERS)


def task(name):
    """'binary', 'multiclass' or 'regression' for the data set ``name``."""
    return _LOADERS[_check_name(name)][1]


def load(name, **kwargs):
    """Load the data set ``name`` and return ``(x, y)``; keyword arguments go to its loader.

    Raises:
        ValueError: ``name`` is not a data set (the message lists the valid names).
        DatasetUnavailable: a download-only data set could not be fetched.
    """
    return _LOADERS[_check_name(name)][0](**kwargs)


def _check_name(name):
    if name not in _LOADERS:
        raise ValueError(f"unknown data set {name!r}; choose from: {', '.join(_LOADERS)}")
    return name


__all__ = [
    "DatasetUnavailable", "ONLINE", "Standardizer", "blobs", "breast_cancer", "circles",
    "diabetes", "digits", "fashion_mnist", "linear_regression", "load", "make_dataset", "mnist",
    "names", "nonlinear_regression", "random_labels", "spirals", "task", "train_val_split",
    "two_moons", "xor",
]
