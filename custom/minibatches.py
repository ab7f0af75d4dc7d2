"""Mini-batches: cut a shuffled data set into slices of ``batch_size`` samples.

This is the ``create_batches`` of "Learning Algorithms" (section 3.2), with two changes:

* the shuffle draws from ``numpy.random.default_rng(seed)`` instead of NumPy's
  global state, so a lab's batches do not depend on what ran before it;
* arguments are checked, and a bad one raises ``ValueError`` naming it.

One epoch visits every sample exactly once. With ``n`` samples there are
``ceil(n / batch_size)`` batches, and the last one holds the ``n mod batch_size``
samples left over (when that is not zero): it is smaller, not dropped.

    batch size 1          stochastic gradient descent (one sample per update)
    batch size 8 … 256    mini-batch gradient descent (the usual choice)
    batch size n          batch gradient descent (the whole data set per update)

To get a new order every epoch, pass one ``numpy.random.Generator`` to every
call (``default_rng`` hands a Generator back unchanged); passing the same
integer seed each time repeats the same order.

Example:
    >>> rng = numpy.random.default_rng(0)
    >>> for epoch in range(3):
    ...     for x_batch, y_batch in create_batches(x, y, batch_size=32, seed=rng):
    ...         ...   # forward, backward, update
"""

import math

import numpy as np

from custom import arguments


def number_of_batches(n_samples, batch_size):
    """How many batches one epoch has: ⌈n_samples / batch_size⌉.

    Args:
        n_samples: samples in the data set, an integer >= 0.
        batch_size: samples per batch, an integer >= 1.
    """
    _check_batch_size(batch_size)
    arguments.number("n_samples", n_samples, minimum=0, integer=True)
    return math.ceil(n_samples / batch_size)


def create_batches(x, y, batch_size, shuffle=True, seed=0):
    """An iterator of ``(x_batch, y_batch)`` pairs that together cover every sample once.

    Args:
        x: array (n_samples, ...), the features.
        y: array (n_samples, ...), the targets, in the same order as ``x``.
        batch_size: samples per batch, an integer >= 1. A value above
            ``n_samples`` gives one batch holding everything (batch gradient descent).
        shuffle: visit the samples in a random order. Default True. With False
            the batches are consecutive slices in the original order.
        seed: an integer seed, or a ``numpy.random.Generator`` to draw the order
            from (pass the same Generator every epoch to get a new order each
            time). Default 0. Ignored when ``shuffle`` is False.

    Returns:
        A generator of pairs ``x_batch`` (batch, ...) and ``y_batch`` (batch, ...).
        Every batch has ``batch_size`` samples except possibly the last, which
        has the rest.

    Raises:
        ValueError: ``batch_size`` is not a positive integer, ``x`` and ``y``
            differ in length, or ``x`` is empty.

    Example:
        >>> x, y = numpy.zeros((100, 4)), numpy.zeros(100)
        >>> [len(x_batch) for x_batch, _ in create_batches(x, y, batch_size=32)]
        [32, 32, 32, 4]
    """
    _check_batch_size(batch_size)
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError("x and y must be arrays with a first (sample) dimension, got scalars")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    n_samples = len(x)
    if n_samples == 0:
        raise ValueError("x has no samples: there is nothing to cut into batches")
    # The seed draws the whole epoch's order at once: a permutation of 0 … n−1.
    if shuffle:
        order = _generator(seed).permutation(n_samples)   # (n_samples,)
    else:
        order = np.arange(n_samples)                       # (n_samples,)
    # The checks above run at the call, not at the first ``next()``: a generator
    # function would only raise once the loop started.
    return _slices(x, y, order, batch_size)


def _slices(x, y, order, batch_size):
    n_samples = len(order)
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)   # The last batch stops at n_samples.
        batch_indices = order[start:stop]           # (batch,)
        yield x[batch_indices], y[batch_indices]


def _generator(seed):
    # default_rng takes an integer >= 0, or a Generator, which it returns unchanged.
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be an integer >= 0 or a numpy.random.Generator, "
                         f"got {seed!r}") from None


def _check_batch_size(batch_size):
    # bool is an Integral in Python, but batch_size=True is a mistake, not a 1.
    arguments.number("batch_size", batch_size, minimum=1, integer=True)
