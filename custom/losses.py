"""Loss functions from scratch in NumPy: MSE and the cross-entropies, with clipping.

Each returns the mean over the batch, as ``keras.losses`` does with its default
reduction (``"sum_over_batch_size"``). The last axis holds the outputs or classes;
a 1-D array is one sample for the categorical losses and a batch of scalars for
MSE and binary cross-entropy (also as Keras reads them).

Clipping. log 0 = −∞, so a predicted probability p is clipped to [ε, 1 − ε] before
the log. "Learning Algorithms" and "The Learning Problem" use ε = 1e-15; Keras uses
``keras.config.epsilon()`` = 1e-7.
The difference only shows when a prediction is almost exactly wrong: −log 1e-15 ≈ 34.5
but −log 1e-7 ≈ 16.1. Pass ``epsilon=KERAS_EPSILON`` to get Keras' numbers.

A second difference: Keras' categorical cross-entropy first divides p by its sum
over the classes, so that rows that do not sum to 1 are renormalised. The chapters
do not. ``renormalize=True`` does what Keras does.

``from_logits=True`` takes raw scores z instead of probabilities and works in log
space (log σ(z) and log softmax(z) without forming σ or softmax), which stays
finite and exact for any finite z.

Example:
    >>> import numpy as np
    >>> from custom import losses
    >>> round(losses.categorical_crossentropy(np.array([0, 0, 1, 0]),
    ...                                       np.array([0.1, 0.2, 0.6, 0.1])), 4)
    0.5108
"""

import numpy as np

from custom import activations

SEED_EPSILON = 1e-15   # the clipping of "Learning Algorithms" and "The Learning Problem"
KERAS_EPSILON = 1e-7   # keras.config.epsilon(), used by keras.losses


def _as_arrays(y_true, y_pred, name):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: y_true and y_pred must have the same shape, "
                         f"got {y_true.shape} and {y_pred.shape}")
    if y_pred.size == 0:
        raise ValueError(f"{name}: y_pred is empty")
    if not np.all(np.isfinite(y_pred)):
        raise ValueError(f"{name}: y_pred contains NaN or infinity")
    return y_true, y_pred


def _check_epsilon(epsilon):
    if not 0.0 < epsilon < 0.5:
        raise ValueError(f"epsilon must be in (0, 0.5), got {epsilon!r}")


def _check_probabilities(y_pred, name):
    if np.any(y_pred < 0.0) or np.any(y_pred > 1.0):
        raise ValueError(f"{name}: y_pred must be probabilities in [0, 1] when from_logits=False "
                         f"(got values from {y_pred.min():.3g} to {y_pred.max():.3g}); "
                         "pass from_logits=True for raw scores")


def mean_squared_error(y_true, y_pred):
    """L = (1/n)·Σᵢ (yᵢ − ŷᵢ)²  over every element.

    Args:
        y_true, y_pred: arrays of the same shape, e.g. (batch,) or (batch, outputs).
    Returns:
        float, the mean squared difference.
    """
    y_true, y_pred = _as_arrays(y_true, y_pred, "mean_squared_error")
    # TODO: the mean over every element of (y − ŷ)², as a Python float.
    # BEGIN SOLUTION losses
    return float(np.mean((y_true - y_pred) ** 2))
    # END SOLUTION


def binary_crossentropy(y_true, y_pred, from_logits=False, epsilon=SEED_EPSILON):
    """L = −(1/n)·Σᵢ [yᵢ·log p̂ᵢ + (1 − yᵢ)·log(1 − p̂ᵢ)],  p̂ clipped to [ε, 1 − ε].

    With ``from_logits=True``, ``y_pred`` holds z and p̂ = σ(z); then
    log σ(z) = −log(1 + e^(−z)) and log(1 − σ(z)) = −log(1 + e^z), computed with
    ``logaddexp`` so that nothing overflows and nothing is clipped.

    Args:
        y_true: labels in {0, 1} (or soft labels in [0, 1]), any shape.
        y_pred: probabilities in [0, 1], or logits if ``from_logits``; same shape.
        from_logits: default False.
        epsilon: the clipping ε, in (0, 0.5); default 1e-15 as in the chapters.
    Returns:
        float, the mean over every element.
    """
    _check_epsilon(epsilon)
    y_true, y_pred = _as_arrays(y_true, y_pred, "binary_crossentropy")
    if not from_logits:
        _check_probabilities(y_pred, "binary_crossentropy")
    # TODO: log p̂ and log(1 − p̂) (clipped, or from logits in log space), then the mean loss.
    # BEGIN SOLUTION losses
    if from_logits:
        log_p = -np.logaddexp(0.0, -y_pred)            # log σ(z)
        log_one_minus_p = -np.logaddexp(0.0, y_pred)   # log(1 − σ(z))
    else:
        p = np.clip(y_pred, epsilon, 1.0 - epsilon)    # p̂ ∈ [ε, 1 − ε]
        log_p, log_one_minus_p = np.log(p), np.log(1.0 - p)
    return float(np.mean(-(y_true * log_p + (1.0 - y_true) * log_one_minus_p)))
    # END SOLUTION


def categorical_crossentropy(y_true, y_pred, from_logits=False, epsilon=SEED_EPSILON,
                             renormalize=False):
    """L = −(1/n)·Σᵢ Σ_k y_ik·log p̂_ik,  p̂ clipped to [ε, 1 − ε]; for one sample, −log p̂_target.

    With ``from_logits=True``, ``y_pred`` holds z and log p̂ = z − logsumexp(z).

    Args:
        y_true: one-hot (or soft) targets, shape (classes,) for one sample or
            (batch, classes).
        y_pred: probabilities, or logits if ``from_logits``; same shape.
        from_logits: default False.
        epsilon: the clipping ε, in (0, 0.5); default 1e-15 as in the chapters.
        renormalize: divide p̂ by its sum over classes first, as Keras does; default False.
    Returns:
        float, the mean over samples of the per-sample loss.
    """
    _check_epsilon(epsilon)
    y_true, y_pred = _as_arrays(y_true, y_pred, "categorical_crossentropy")
    if not from_logits:
        _check_probabilities(y_pred, "categorical_crossentropy")
    # TODO: log p̂ (clipped, renormalised if asked, or log-softmax of logits), then the mean loss.
    # BEGIN SOLUTION losses
    if from_logits:
        log_p = activations.log_softmax(y_pred)        # z − logsumexp(z)
    else:
        if renormalize:
            y_pred = y_pred / y_pred.sum(axis=-1, keepdims=True)
        log_p = np.log(np.clip(y_pred, epsilon, 1.0 - epsilon))
    per_sample = -np.sum(y_true * log_p, axis=-1)      # −Σ_k y_k·log p̂_k
    return float(np.mean(per_sample))
    # END SOLUTION


def sparse_categorical_crossentropy(labels, y_pred, from_logits=False, epsilon=SEED_EPSILON):
    """Categorical cross-entropy with integer labels instead of one-hot rows: −mean log p̂[i, labelᵢ].

    Args:
        labels: integers in 0 … classes − 1, shape (batch,).
        y_pred: probabilities or logits, shape (batch, classes).
    """
    labels = np.asarray(labels)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_pred.ndim != 2 or labels.shape != y_pred.shape[:1]:
        raise ValueError("sparse_categorical_crossentropy: labels must have shape (batch,) and "
                         f"y_pred (batch, classes); got {labels.shape} and {y_pred.shape}")
    classes = y_pred.shape[1]
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= classes:
        raise ValueError(f"sparse_categorical_crossentropy: labels must be integers in "
                         f"[0, {classes - 1}], got {labels!r}")
    one_hot = np.eye(classes)[labels]                  # (batch, classes)
    return categorical_crossentropy(one_hot, y_pred, from_logits=from_logits, epsilon=epsilon)
