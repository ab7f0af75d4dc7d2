"""Splitting, standardising and batching, done the same way in every lab."""

import numpy as np


def train_val_split(x, y, val_fraction=0.2, seed=0, stratify=False):
    """Shuffle once with ``seed``, then cut off the last ``val_fraction`` as validation.

    Args:
        x, y: arrays with the same first dimension.
        val_fraction: share of samples kept for validation, in (0, 1). Default 0.2.
        seed: seed of the shuffle. Default 0.
        stratify: keep the class proportions of integer labels ``y`` in both parts.

    Returns:
        ``(x_train, y_train), (x_val, y_val)``, with dtypes unchanged.

    Example:
        >>> (x_train, y_train), (x_val, y_val) = train_val_split(x, y, 0.25)
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    rng = np.random.default_rng(seed)
    if stratify:
        val_index, train_index = [], []
        for label in np.unique(y):
            members = rng.permutation(np.flatnonzero(y == label))
            n_val = int(round(val_fraction * len(members)))
            val_index.append(members[:n_val])
            train_index.append(members[n_val:])
        train_index = rng.permutation(np.concatenate(train_index))
        val_index = rng.permutation(np.concatenate(val_index))
    else:
        order = rng.permutation(len(x))
        n_val = int(round(val_fraction * len(x)))
        train_index, val_index = order[n_val:], order[:n_val]
    if len(train_index) == 0 or len(val_index) == 0:
        raise ValueError(f"val_fraction={val_fraction} leaves an empty part of {len(x)} samples")
    return (x[train_index], y[train_index]), (x[val_index], y[val_index])


class Standardizer:
    """z = (x − mean) / std, with mean and std fitted on the training part only.

    Fitting on all the data would leak the validation set's statistics into
    training. A feature with zero spread in the training part is centred but
    not scaled (its std is taken as 1).

    Example:
        >>> scaler = Standardizer().fit(x_train)
        >>> x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    """

    def __init__(self):
        self.mean = None
        self.std = None

    def fit(self, x):
        x = np.asarray(x, dtype=np.float64)
        self.mean = x.mean(axis=0)
        std = x.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, x):
        if self.mean is None:
            raise ValueError("Standardizer.transform called before fit")
        x = np.asarray(x)
        return ((x - self.mean) / self.std).astype(x.dtype if x.dtype.kind == "f" else np.float32)

    def fit_transform(self, x):
        return self.fit(x).transform(x)


def make_dataset(x, y, batch_size=32, shuffle=True, seed=0):
    """A ``tf.data.Dataset`` of ``(x_batch, y_batch)`` with a fixed shuffle seed.

    Each epoch sees a new order, and the sequence of orders is the same on every
    run with the same ``seed``. The last batch may be smaller than ``batch_size``.

    Args:
        x, y: arrays with the same first dimension.
        batch_size: samples per batch, >= 1. Default 32.
        shuffle: reshuffle every epoch. Default True.
        seed: seed of the shuffle. Default 0.
    """
    import tensorflow as tf

    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(int(batch_size)).prefetch(tf.data.AUTOTUNE)
