"""One epoch of mini-batch gradient descent for the NumPy network, written once.

The loop of "Learning Algorithms" (section 5.3, the complete training loop), one pass over
the training set::

    for each shuffled mini-batch (x_b, y_b):
        ŷ = forward(x_b)                     network.forward; stop if ŷ is not finite
        L_b = loss(y_b, ŷ)                   the batch's mean loss, before its update
        g = ∂L_b/∂θ                          network.backward
        g ← clip(g)                          only when ``clip`` is given (custom.clipping)
        θ ← θ − η·g                          network.update

**Which loss it reports.** ``EpochResult.loss`` is what ``model.fit`` reports as
``loss``: the mean of the batch losses seen during the epoch, each weighted by its
number of samples, each measured *before* that batch's update. It is not the loss of
the network at the end of the epoch; for that, evaluate ``network.loss(x, y)`` on the
whole set afterwards (as ``model.evaluate`` would). ``step_losses`` keeps every
batch's loss, for curves per update.
"""

import numpy as np

from custom import clipping, minibatches


class EpochResult:
    """What one epoch measured.

    Attributes:
        loss: sample-weighted mean of the batch losses, as ``model.fit`` reports it.
        accuracy: the same running mean of accuracy for a softmax or sigmoid output
            (the prediction before each update); None for a linear output.
        step_losses: each batch's mean loss, in order.
        gradient_norms: ‖G‖ = √(Σ‖g_i‖²) of each step before clipping, when asked for.
        diverged: True when the outputs stopped being finite; the epoch ended there,
            without updating on that batch.
    """

    def __init__(self, loss, accuracy, step_losses, gradient_norms, diverged):
        self.loss = loss
        self.accuracy = accuracy
        self.step_losses = step_losses
        self.gradient_norms = gradient_norms
        self.diverged = diverged


def train_epoch(network, x, y, batch_size, learning_rate, seed=0, shuffle=True, clip=None,
                gradient_norms=False, clipping=clipping):
    """Train ``network`` (a ``custom.numpy_net.Network``) for one epoch, in place.

    Args:
        network: the NumPy network; its weights change.
        x: inputs (samples, features); y: targets, as ``network.backward`` takes them.
        batch_size: samples per update, >= 1; the last batch holds what is left.
        learning_rate: η > 0 for θ ← θ − η·g.
        seed: an int or a ``numpy.random.Generator`` for the shuffle. Pass one Generator
            to every epoch of a run to get a new order each epoch. Default 0.
        shuffle: shuffle the samples before cutting batches. Default True.
        clip: None, or one keyword of ``custom.clipping.clip_gradients`` with its threshold,
            e.g. ``{"global_clipnorm": 1.0}``. Default None.
        gradient_norms: record ‖G‖ before clipping at every step. Default False.
        clipping: the module whose ``global_norm`` and ``clip_gradients`` are used; default
            ``custom.clipping`` (a lab passes its twin while that task is not written).

    Returns:
        ``EpochResult``.

    Example:
        >>> from custom.numpy_net import Network
        >>> network = Network([4, 16, 3], output="softmax", seed=0)
        >>> order = np.random.default_rng(0)
        >>> history = [train_epoch(network, x, y, 32, 0.1, seed=order).loss for _ in range(5)]
    """
    total_loss, total_correct, seen = 0.0, 0.0, 0
    step_losses, norms = [], []
    classifier = network.output in ("softmax", "sigmoid")
    for x_batch, y_batch in minibatches.create_batches(x, y, batch_size, shuffle=shuffle,
                                                       seed=seed):
        network.forward(x_batch)                               # ŷ, every layer cached
        if not np.all(np.isfinite(network.outputs)):
            return _result(total_loss, total_correct, seen, classifier, step_losses, norms,
                           diverged=True)
        targets = network.targets(y_batch)                     # one-hot or (batch, 1)
        batch_loss = network.loss_of_last_forward(targets)   # L_b
        step_losses.append(batch_loss)
        total_loss += batch_loss * len(x_batch)                # Σ m_b·L_b
        if classifier:
            total_correct += _correct(network, targets)
        seen += len(x_batch)
        gradients = network.backward(targets)                  # g = ∂L_b/∂θ
        if gradient_norms:
            norms.append(float(clipping.global_norm(gradients)))  # ‖G‖ before clipping
        if clip is not None:
            gradients = clipping.clip_gradients(gradients, **clip)
        network.update(gradients, learning_rate)                # θ ← θ − η·g
    return _result(total_loss, total_correct, seen, classifier, step_losses, norms,
                   diverged=False)


def _correct(network, targets):
    """How many samples of the last forward batch the network classified right."""
    if network.output == "softmax":
        return float(np.sum(network.outputs.argmax(axis=1) == targets.argmax(axis=1)))
    return float(np.sum((network.outputs > 0.5) == (targets > 0.5)))


def _result(total_loss, total_correct, seen, classifier, step_losses, norms, diverged):
    loss = total_loss / seen if seen else float("nan")         # (Σ m_b·L_b) / Σ m_b
    accuracy = (total_correct / seen if seen else float("nan")) if classifier else None
    return EpochResult(loss, accuracy, step_losses, norms, diverged)
