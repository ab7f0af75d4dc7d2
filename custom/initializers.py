"""Glorot and He initialization written from scratch as Keras initializers.

A dense layer computes z = W·a + b. With independent weights of variance Var(W), zero mean,
and n_in inputs, each unit's pre-activation has

    Var(z) = n_in · Var(W) · E[a²]                         (forward pass)

and, going back through the same layer with n_out units,

    Var(∂L/∂a) = n_out · Var(W) · E[g′(z)²] · Var(∂L/∂z_next)   (backward pass)

Keeping both the same from layer to layer asks for Var(W) = 1/n_in and Var(W) = 1/n_out
(tanh, whose slope is about 1 near 0). Glorot and Bengio (2010) take the compromise

    Glorot:  Var(W) = 2 / (n_in + n_out)

For ReLU, half of the inputs are switched off, so E[a²] = Var(z)/2 and E[g′²] = 1/2; the
factor 2 makes up for it (He, Zhang, Ren and Sun, 2015):

    He:      Var(W) = 2 / n_in

Both classes draw from one of three distributions of that variance:

    "truncated_normal"  N(0, σ²) with draws beyond ±2σ drawn again, σ chosen so that the
                        *truncated* variance is the rule's (σ = √Var / 0.8796…, Keras'
                        ``GlorotNormal`` and ``HeNormal``);
    "normal"            N(0, Var), untruncated;
    "uniform"           U(−ℓ, ℓ) with ℓ = √(3·Var), since Var(U(−ℓ, ℓ)) = ℓ²/3 (Keras'
                        ``GlorotUniform``, the default of ``Dense``, and ``HeUniform``).

n_in and n_out follow Keras' rule (``fans``): a (n_in, n_out) kernel reads them off its
shape; a convolution kernel (…, in, out) multiplies both by its receptive field.
``tests/test_initializers.py`` checks both classes against ``keras.initializers`` by their
moments, by a two-sample Kolmogorov-Smirnov test, and draw for draw with a shared seed.
"""

import math
import numbers

import keras

DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")
TRUNCATION = 2.0   # A truncated normal keeps draws within ±2σ, as Keras' does.


def truncated_standard_deviation(bound=TRUNCATION):
    """The standard deviation of N(0, 1) kept to [−bound, bound]: √(1 − 2·b·φ(b) / (2Φ(b) − 1)).

    At b = 2 it is 0.8796…, the constant Keras divides by.
    """
    density = math.exp(-bound * bound / 2) / math.sqrt(2 * math.pi)   # φ(b)
    inside = math.erf(bound / math.sqrt(2))                            # Φ(b) − Φ(−b)
    return math.sqrt(1 - 2 * bound * density / inside)


def fans(shape):
    """(n_in, n_out) of a weight of this shape, as Keras counts them.

    (n,): n and n.  (n_in, n_out): as written.  (k₁, …, in, out), a convolution kernel:
    in·k₁·… and out·k₁·…, the receptive field times the channels.

    Raises:
        ValueError: when the shape is empty or holds anything but positive integers.
    """
    shape = tuple(shape)
    if not shape or any(isinstance(size, bool) or not isinstance(size, numbers.Integral)
                        or size < 1 for size in shape):
        raise ValueError(f"shape must be a non-empty tuple of positive integers, got {shape!r}")
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])                            # 1 for a dense kernel
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


def check_distribution(distribution):
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, "
                         f"got {distribution!r}")
    return distribution


def check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or seed < 0):
        raise ValueError(f"seed must be an integer >= 0 or None, got {seed!r}")
    return seed


def sample(shape, variance, distribution, seed, dtype=None):
    """Draws of mean 0 and the given variance, from ``distribution``.

    An integer ``seed`` gives the same draws at every call, as Keras' seeded initializers
    do; ``None`` takes a fresh seed from Keras' global generator (``set_random_seed``).
    """
    seed = seed if seed is not None else keras.random.SeedGenerator()
    if distribution == "truncated_normal":
        sigma = math.sqrt(variance) / truncated_standard_deviation()  # σ before truncation
        return keras.random.truncated_normal(shape, mean=0.0, stddev=sigma, dtype=dtype,
                                             seed=seed)
    if distribution == "normal":
        return keras.random.normal(shape, mean=0.0, stddev=math.sqrt(variance), dtype=dtype,
                                   seed=seed)
    limit = math.sqrt(3.0 * variance)                                   # ℓ = √(3·Var)
    return keras.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=seed)


@keras.saving.register_keras_serializable(package="custom")
class Glorot(keras.initializers.Initializer):
    """Glorot (Xavier) initialization: Var(W) = 2 / (n_in + n_out).

    Keeps the variance of the activations (forward) and of the gradients (backward) about
    the same from layer to layer for activations with slope 1 at 0 (tanh, linear).

    Args:
        distribution: "truncated_normal" (default, Keras' ``GlorotNormal``), "normal" or
            "uniform" (Keras' ``GlorotUniform``).
        seed: integer ≥ 0 for the same draws at every call, or None (default).

    Example:
        >>> layer = keras.layers.Dense(64, activation="tanh", kernel_initializer=Glorot())
    """

    def __init__(self, distribution="truncated_normal", seed=None):
        self.distribution = check_distribution(distribution)
        self.seed = check_seed(seed)

    def variance(self, shape):
        """2 / (n_in + n_out) for a weight of this shape."""
        fan_in, fan_out = fans(shape)
        return 2.0 / (fan_in + fan_out)

    def __call__(self, shape, dtype=None):
        return sample(shape, self.variance(shape), self.distribution, self.seed, dtype)

    def get_config(self):
        return {"distribution": self.distribution, "seed": self.seed}


@keras.saving.register_keras_serializable(package="custom")
class He(keras.initializers.Initializer):
    """He (Kaiming) initialization: Var(W) = 2 / n_in.

    The factor 2 makes up for ReLU switching off half of its inputs: with it, the variance
    of the pre-activations stays the same from layer to layer of a ReLU network.

    Args:
        distribution: "truncated_normal" (default, Keras' ``HeNormal``), "normal" or
            "uniform" (Keras' ``HeUniform``).
        seed: integer ≥ 0 for the same draws at every call, or None (default).

    Example:
        >>> layer = keras.layers.Dense(64, activation="relu", kernel_initializer=He())
    """

    def __init__(self, distribution="truncated_normal", seed=None):
        self.distribution = check_distribution(distribution)
        self.seed = check_seed(seed)

    def variance(self, shape):
        """2 / n_in for a weight of this shape."""
        fan_in, _ = fans(shape)
        return 2.0 / fan_in

    def __call__(self, shape, dtype=None):
        return sample(shape, self.variance(shape), self.distribution, self.seed, dtype)

    def get_config(self):
        return {"distribution": self.distribution, "seed": self.seed}
