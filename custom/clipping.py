"""Gradient clipping by value, by norm and by global norm, written from scratch.

One bad batch, a learning rate set too high or a deep stack of layers can make a
gradient thousands of times larger than usual, and one step along it throws the
weights far from anything they had learned: the loss jumps or becomes NaN.
Clipping caps the step before the optimizer sees it. With ``c`` the threshold
and ``g_i`` the gradient of variable ``i``:

    by value        g_i ← min(max(g_i, −c), c)          each element on its own
    by norm         g_i ← g_i · c / max(‖g_i‖, c)         each variable's tensor on its own
    by global norm  g_i ← g_i · c / max(‖G‖, c),  ‖G‖ = √(Σ_i ‖g_i‖²)   all of them together

where ‖·‖ is the Euclidean (L2) norm over every element of a tensor. A gradient
already inside the limit passes unchanged (the max picks ``c`` and the factor is 1).

What each one keeps:

* by value changes the *direction* of the gradient (large elements are cut, small
  ones are not);
* by norm keeps each variable's direction but changes how big the layers' steps
  are relative to each other;
* by global norm keeps the direction of the whole gradient and only shortens it.

Keras' optimizers take the same three as ``clipvalue=``, ``clipnorm=`` and
``global_clipnorm=`` (at most one of them), and apply them to the gradients just
before the update. Exercise 6 of "Learning Algorithms" says "clip by norm: scale
gradients if total norm exceeds threshold": a *total* norm over every gradient is what
Keras calls ``global_clipnorm``; Keras' ``clipnorm`` is the per-variable one.

A gradient that contains ``inf`` or NaN is not rescued: by global norm makes
every gradient NaN, as Keras does, so the failure shows instead of hiding.

The functions take a list of gradients, one per variable (``None`` entries pass
through, as Keras allows). NumPy arrays in give NumPy arrays out, computed with
NumPy (the NumPy network's gradients stay cheap); anything else (tensors,
variables) goes through ``keras.ops`` and gives tensors, which also works inside
a ``tf.function``. Both modules spell the operations the same way, so each
line below reads the same for either.

Example:
    >>> gradients = tape.gradient(loss, model.trainable_variables)
    >>> gradients = clipping.clip_by_global_norm(gradients, clip_norm=1.0)
    >>> optimizer.apply_gradients(zip(gradients, model.trainable_variables))
"""

import math

import keras
import numpy as np

from custom import arguments


def norm(gradient):
    """‖g‖ = √(Σ g²), the Euclidean norm over every element of one tensor."""
    ops = _module_for([gradient])
    # TODO: return ‖g‖ = √(Σ g²) over every element (ops is numpy or keras.ops: sqrt, sum, square).
    # BEGIN SOLUTION gradient_clipping
    return ops.sqrt(ops.sum(ops.square(gradient)))
    # END SOLUTION


def global_norm(gradients):
    """‖G‖ = √(Σ_i ‖g_i‖²), one norm over every element of every gradient.

    Args:
        gradients: a list of arrays or tensors; ``None`` entries are skipped.
    """
    ops = _module_for(gradients)
    # TODO: return ‖G‖ = √(Σ_i ‖g_i‖²) over the gradients that are not None (ops.stack helps).
    # BEGIN SOLUTION gradient_clipping
    squared_norms = [ops.sum(ops.square(gradient)) for gradient in gradients
                     if gradient is not None]                      # ‖g_i‖², one per tensor
    return ops.sqrt(ops.sum(ops.stack(squared_norms)))             # √(Σ_i ‖g_i‖²)
    # END SOLUTION


def clip_by_value(gradients, clip_value):
    """g ← min(max(g, −c), c), element by element: Keras' ``clipvalue``.

    Args:
        gradients: a list of arrays or tensors, one per variable (``None`` passes through).
        clip_value: c, the largest magnitude an element may keep; a number > 0.

    Example:
        >>> clip_by_value([numpy.array([-3.0, 0.5, 2.0])], clip_value=1.0)   # [-1, 0.5, 1]
    """
    limit = _check_threshold("clip_value", clip_value)
    ops = _module_for(gradients)
    # TODO: return the list of min(max(g, −c), c) with c = limit; a None gradient stays None.
    # BEGIN SOLUTION gradient_clipping
    return [None if gradient is None
            else ops.minimum(ops.maximum(gradient, -limit), limit)   # min(max(g, −c), c)
            for gradient in gradients]
    # END SOLUTION


def clip_by_norm(gradients, clip_norm):
    """g_i ← g_i · c / max(‖g_i‖, c), each tensor on its own: Keras' ``clipnorm``.

    Args:
        gradients: a list of arrays or tensors, one per variable (``None`` passes through).
        clip_norm: c, the largest norm each tensor may keep; a number > 0.

    Example:
        >>> clip_by_norm([numpy.array([3.0, 4.0])], clip_norm=1.0)   # ‖g‖ = 5 → [0.6, 0.8]
    """
    limit = _check_threshold("clip_norm", clip_norm)
    ops = _module_for(gradients)
    clipped = []
    for gradient in gradients:
        if gradient is None:
            clipped.append(None)
            continue
        # TODO: append g · c / max(‖g‖, c) with c = limit, so that g inside the limit passes as is.
        # BEGIN SOLUTION gradient_clipping
        # g · c / max(‖g‖, c): the factor is 1 inside the limit, c/‖g‖ outside it.
        clipped.append(ops.multiply(gradient, limit) / ops.maximum(norm(gradient), limit))
        # END SOLUTION
    return clipped


def clip_by_global_norm(gradients, clip_norm):
    """g_i ← g_i · c / max(‖G‖, c) with one ‖G‖ for all: Keras' ``global_clipnorm``.

    Args:
        gradients: a list of arrays or tensors, one per variable (``None`` passes through).
        clip_norm: c, the largest global norm the gradients may keep; a number > 0.

    Returns:
        The list of clipped gradients. If ‖G‖ is ``inf`` or NaN, every one is NaN.

    Example:
        >>> clip_by_global_norm([numpy.array([3.0]), numpy.array([4.0])], clip_norm=1.0)
        ... # ‖G‖ = 5 → [0.6], [0.8]
    """
    limit = _check_threshold("clip_norm", clip_norm)
    ops = _module_for(gradients)
    # TODO: return each g_i · c / max(‖G‖, c) (None stays None); NaN for all if ‖G‖ is not finite.
    # BEGIN SOLUTION gradient_clipping
    total = global_norm(gradients)                # ‖G‖
    scale = limit / ops.maximum(total, limit)     # c / max(‖G‖, c), one number for all
    # An infinite or NaN norm makes the scale NaN, so the damage is visible (as in Keras).
    scale = ops.where(ops.isfinite(total), scale, math.nan)
    return [None if gradient is None else ops.multiply(gradient, scale)
            for gradient in gradients]
    # END SOLUTION


def clip_gradients(gradients, clipvalue=None, clipnorm=None, global_clipnorm=None):
    """Clip as a Keras optimizer built with the same argument would, before its update.

    At most one of the three may be set; with none, the gradients pass unchanged.
    The names are Keras' own, so ``keras.optimizers.SGD(clipnorm=1.0)`` and
    ``clip_gradients(gradients, clipnorm=1.0)`` followed by a plain SGD step agree.

    Args:
        gradients: a list of arrays or tensors, one per variable.
        clipvalue: clip each element to [−clipvalue, clipvalue]. Default None.
        clipnorm: clip each tensor's norm to clipnorm. Default None.
        global_clipnorm: clip the norm of all the gradients together. Default None.
    """
    chosen = {name: value for name, value in (("clipvalue", clipvalue), ("clipnorm", clipnorm),
                                              ("global_clipnorm", global_clipnorm))
              if value is not None}
    if len(chosen) > 1:
        raise ValueError(f"set at most one of clipvalue, clipnorm and global_clipnorm, "
                         f"got {', '.join(chosen)}")
    if clipvalue is not None:
        return clip_by_value(gradients, clipvalue)
    if clipnorm is not None:
        return clip_by_norm(gradients, clipnorm)
    if global_clipnorm is not None:
        return clip_by_global_norm(gradients, global_clipnorm)
    _module_for(gradients)   # Checks the list.
    return list(gradients)


def _check_threshold(name, value):
    return arguments.number(name, value, above=0)


def _module_for(gradients):
    """NumPy when every gradient is a NumPy array, else ``keras.ops``; checks the list."""
    # A bare array would be iterated row by row and clipped as if each row were a variable.
    if not isinstance(gradients, (list, tuple)):
        raise ValueError(f"gradients must be a list of tensors, one per variable, "
                         f"got {type(gradients).__name__}")
    present = [gradient for gradient in gradients if gradient is not None]
    if not present:
        raise ValueError("gradients has no tensors (every entry is None)")
    if all(isinstance(gradient, np.ndarray) for gradient in present):
        return np
    return keras.ops
