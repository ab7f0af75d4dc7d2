# ASSIGNMENTS: INSTRUCTOR ONLY
"""Known mistakes in the batchnorm task, modelled in NumPy, and its hidden checks.

Each entry of ``MISTAKES`` is (name, cause shown to the student, accepted?, model), where
``model(part=..., **options) → Outputs`` gives the numbers that the mistaken code gives
on the check's own inputs: the check's own ``produce`` half run on a NumPy batch
normalization that makes that one mistake (``Mistaken``).
"""

import numpy as np

from assignments.checks import batchnorm


class Mistaken:
    """forward and backward of batch normalization with the given mistakes, in NumPy."""

    def __init__(self, variance_divisor="m", running_divisor="m", epsilon_in=True,
                 batch_at_inference=False, momentum_on_new=False, mean_term=True,
                 variance_term=True):
        self.variance_divisor, self.running_divisor = variance_divisor, running_divisor
        self.epsilon_in, self.batch_at_inference = epsilon_in, batch_at_inference
        self.momentum_on_new = momentum_on_new
        self.mean_term, self.variance_term = mean_term, variance_term

    @staticmethod
    def running_statistics(features):
        return {"mean": np.zeros(features), "variance": np.ones(features)}

    def _variance(self, x, divisor):
        return x.var(axis=0, ddof=1 if divisor == "m-1" else 0)

    def _std(self, variance, epsilon):
        return np.sqrt(variance + (epsilon if self.epsilon_in else 0.0))

    def forward(self, x, gamma, beta, running, training, momentum=0.9, epsilon=1e-5):
        if not training and not self.batch_at_inference:
            return gamma * (x - running["mean"]) / self._std(running["variance"], epsilon) \
                + beta, None
        mean, variance = x.mean(axis=0), self._variance(x, self.variance_divisor)
        if not training:
            return gamma * (x - mean) / self._std(variance, epsilon) + beta, None
        old = 1.0 - momentum if self.momentum_on_new else momentum
        running["mean"] = old * running["mean"] + (1.0 - old) * mean
        running["variance"] = old * running["variance"] \
            + (1.0 - old) * self._variance(x, self.running_divisor)
        std = self._std(variance, epsilon)
        cache = (x, mean, std, gamma)
        return gamma * (x - mean) / std + beta, cache

    def backward(self, grad_out, cache):
        x, mean, std, gamma = cache
        m = len(x)
        x_hat = (x - mean) / std
        grad_x_hat = grad_out * gamma
        grad_variance = np.sum(grad_x_hat * (x - mean), axis=0) * -0.5 * std ** -3.0
        grad_mean = -np.sum(grad_x_hat, axis=0) / std
        grad_x = grad_x_hat / std
        if self.variance_term:
            grad_x = grad_x + grad_variance * 2.0 * (x - mean) / m
        if self.mean_term:
            grad_x = grad_x + grad_mean / m
        return grad_x, np.sum(grad_out * x_hat, axis=0), np.sum(grad_out, axis=0)


def _model(**mistakes):
    subject = Mistaken(**mistakes)

    def model(part, **options):
        return batchnorm.produce(subject, part, **options)
    return model


MISTAKES = {"batchnorm": [
    ("the unbiased variance", "σ² divides by m, not m − 1: the layer normalizes with the "
     "batch's own (biased) variance, as Keras and the paper do", False,
     _model(variance_divisor="m-1", running_divisor="m-1")),
    ("the unbiased variance in the running average", "Keras keeps the biased σ² (1/m) in "
     "its moving variance; m/(m − 1)·σ² is PyTorch's form, not this task's", False,
     _model(running_divisor="m-1")),
    ("ε forgotten", "x̂ = (x − μ)/√(σ² + ε): ε belongs under the root, in both modes", False,
     _model(epsilon_in=False)),
    ("batch statistics used at inference", "in inference mode normalize with the running "
     "mean and variance, not the batch's", False, _model(batch_at_inference=True)),
    ("the momentum on the new value", "running ← p·running + (1 − p)·μ: Keras' momentum p "
     "weighs the old value (PyTorch's weighs the new one)", False, _model(momentum_on_new=True)),
    ("the mean's term left out", "μ depends on every xᵢ: dx needs dμ/m = −Σ dx̂/(m·s)", False,
     _model(mean_term=False)),
    ("the variance's term left out", "σ² depends on every xᵢ: dx needs dσ²·2(x − μ)/m", False,
     _model(variance_term=False)),
    ("μ and σ² treated as constants", "dx = dx̂/s is the gradient for fixed statistics; add "
     "the mean's term dμ/m and the variance's term dσ²·2(x − μ)/m", False,
     _model(mean_term=False, variance_term=False)),
]}

HIDDEN = {"batchnorm": (
    batchnorm.check("hidden: training mode, other batches, momentum 0.5", 1,
                    "training", seed=7, batch=5, features=6, steps=4, momentum=0.5,
                    epsilon=1e-5),
    batchnorm.check("hidden: inference after 5 batches of 2", 1, "inference", seed=8, batch=2,
                    features=3, steps=5, momentum=0.8),
    batchnorm.check("hidden: backward on a batch of 16, ε = 1e-5", 2, "backward", seed=9,
                    batch=16, features=5, epsilon=1e-5),
)}

