"""Batch normalization's forward and backward pass in NumPy, written by hand.

The layer that ``custom.layers.BatchNormalization`` is in Keras, here as two functions, as
CS231n's exercise writes them: ``forward`` keeps what ``backward`` needs in a cache.
For a batch x (m, d), feature by feature (the shapes are in the comments):

Forward, training mode:
    μ = (1/m)·Σᵢ xᵢ                        (d,)  the batch mean
    σ² = (1/m)·Σᵢ (xᵢ − μ)²                (d,)  the batch variance, biased (1/m), as Keras
    x̂ = (x − μ) / √(σ² + ε)                (m, d)
    y = γ·x̂ + β                            (m, d)
    running mean ← p·running mean + (1 − p)·μ,  running variance likewise with σ²
Forward, inference mode: the same y with the running mean and variance instead of μ, σ².

Backward, from dy = ∂L/∂y (m, d), with s = √(σ² + ε):
    dβ = Σᵢ dyᵢ                              dγ = Σᵢ dyᵢ·x̂ᵢ
    dx̂ = dy·γ
    dσ² = Σᵢ dx̂ᵢ·(xᵢ − μ)·(−½)·s⁻³          the variance's term: σ² depends on every xᵢ
    dμ = −Σᵢ dx̂ᵢ / s                        the mean's term (its part through σ² is 0)
    dx = dx̂ / s + dσ²·2(x − μ)/m + dμ/m
which simplifies to dx = (1/(m·s))·(m·dx̂ − Σᵢ dx̂ᵢ − x̂·Σᵢ dx̂ᵢ·x̂ᵢ).

Example:
    >>> import numpy as np
    >>> from custom import numpy_batchnorm
    >>> running = numpy_batchnorm.running_statistics(3)
    >>> x = np.random.default_rng(0).normal(size=(8, 3))
    >>> y, cache = numpy_batchnorm.forward(x, np.ones(3), np.zeros(3), running, training=True)
    >>> grad_x, grad_gamma, grad_beta = numpy_batchnorm.backward(np.ones((8, 3)), cache)
"""

import numpy as np


def running_statistics(features):
    """The running mean (zeros) and running variance (ones) of ``features`` features, as Keras
    starts them: a dict that ``forward`` updates in place in training mode."""
    if int(features) != features or features < 1:
        raise ValueError(f"features must be a positive integer, got {features!r}")
    return {"mean": np.zeros(features), "variance": np.ones(features)}


def forward(x, gamma, beta, running, training, momentum=0.9, epsilon=1e-5):
    """y = γ·x̂ + β, with batch statistics (training) or the running ones (inference).

    Args:
        x: (m, d) inputs, a batch of m samples.
        gamma, beta: (d,) the scale γ and the shift β.
        running: {"mean": (d,), "variance": (d,)}, updated in place in training mode.
        training: True for the batch's statistics, False for the running ones.
        momentum: p in [0, 1), the weight of the old running value; default 0.9.
        epsilon: ε > 0, added to the variance; default 1e-5.

    Returns:
        (y, cache): y (m, d), and what ``backward`` needs (None in inference mode).
    """
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
    if not epsilon > 0.0:
        raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != np.shape(gamma)[0]:
        raise ValueError(f"x must be (batch, {np.shape(gamma)[0]}) for {np.shape(gamma)[0]} "
                         f"features, got shape {x.shape}")
    if not training:
        # TODO: normalize with running["mean"] and running["variance"], then y = γ·x̂ + β.
        # BEGIN SOLUTION batchnorm
        x_hat = (x - running["mean"]) / np.sqrt(running["variance"] + epsilon)
        return gamma * x_hat + beta, None
        # END SOLUTION
    # TODO: μ and the biased σ² (1/m), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β; update running.
    # BEGIN SOLUTION batchnorm
    mean = x.mean(axis=0)                                  # μ (d,)
    variance = ((x - mean) ** 2).mean(axis=0)              # σ² (d,), divided by m
    inverse_std = 1.0 / np.sqrt(variance + epsilon)        # 1/s (d,)
    x_hat = (x - mean) * inverse_std                       # x̂ (m, d)
    running["mean"] = momentum * running["mean"] + (1.0 - momentum) * mean
    running["variance"] = momentum * running["variance"] + (1.0 - momentum) * variance
    cache = {"x_hat": x_hat, "inverse_std": inverse_std, "gamma": gamma}
    return gamma * x_hat + beta, cache
    # END SOLUTION


def backward(grad_out, cache):
    """dx, dγ, dβ from dy = ∂L/∂y (m, d) and the cache of a training-mode ``forward``.

    Returns:
        (grad_x (m, d), grad_gamma (d,), grad_beta (d,)).
    """
    if cache is None:
        raise ValueError("backward needs the cache of a forward pass in training mode")
    grad_out = np.asarray(grad_out, dtype=float)
    # TODO: dβ = Σ dy, dγ = Σ dy·x̂, and dx with the mean's and the variance's terms.
    # BEGIN SOLUTION batchnorm
    x_hat, inverse_std = cache["x_hat"], cache["inverse_std"]
    m = grad_out.shape[0]
    grad_beta = grad_out.sum(axis=0)                       # dβ = Σ dy
    grad_gamma = (grad_out * x_hat).sum(axis=0)            # dγ = Σ dy·x̂
    grad_x_hat = grad_out * cache["gamma"]                 # dx̂ = dy·γ
    grad_x = inverse_std / m * (m * grad_x_hat - grad_x_hat.sum(axis=0)
                                - x_hat * (grad_x_hat * x_hat).sum(axis=0))
    return grad_x, grad_gamma, grad_beta
    # END SOLUTION
