# ASSIGNMENTS: INSTRUCTOR ONLY
"""Known mistakes in the schedules, losses, gradient_check and backprop tasks, in NumPy.

Each entry is (name, cause, accepted, model, part): ``model(**options)`` computes what
the mistaken code returns on the check's own inputs (``options`` are the check's).
"""

import math

import numpy as np

from assignments import checking
from assignments.checks import maths


def _schedule(rule):
    """A model from ``rule(t, **arguments) → η`` over the check's steps."""
    def model(part, arguments, last_step):
        arguments = dict(arguments)
        _, t = maths.schedule_steps(arguments, last_step)
        rates = np.array([rule(float(time), **arguments) for time in t])
        return checking.Outputs({"rate": rates}, "step")
    return model


def _cosine(t, total, start, end):
    t = min(t, total)
    return end + (start - end) * (1.0 + math.cos(math.pi * t / total)) / 2.0


SCHEDULE_MISTAKES = [
    ("no floor", "⌊t / steps_per_drop⌋ keeps the rate constant between drops; without the floor "
     "it decays at every step", False,
     _schedule(lambda t, initial_learning_rate, drop, steps_per_drop, **_:
               initial_learning_rate * drop ** (t / steps_per_drop)), "step_decay"),
    ("a drop too early", "the first drop comes at t = steps_per_drop, not one step before it",
     False, _schedule(lambda t, initial_learning_rate, drop, steps_per_drop, **_:
                      initial_learning_rate * drop ** math.floor((t + 1) / steps_per_drop)),
     "step_decay"),
    ("Keras' decay_rate read as the k of \"The Learning Problem\"",
     "e^(−k·t) with k = decay_rate, not decay_rate^t",
     False, _schedule(lambda t, initial_learning_rate, decay_rate, **_:
                      initial_learning_rate * decay_rate ** t), "exponential_decay"),
    ("a missing minus sign", "the rate must shrink: η₀·e^(−k·t)", False,
     _schedule(lambda t, initial_learning_rate, decay_rate, **_:
               initial_learning_rate * math.exp(decay_rate * t)), "exponential_decay"),
    ("η_final left out", "the cosine runs from η₀ down to η_final, not to 0", False,
     _schedule(lambda t, initial_learning_rate, decay_steps, final_learning_rate, **_:
               _cosine(t, decay_steps, initial_learning_rate, 0.0)), "cosine_annealing"),
    ("no hold after T", "after T the rate stays at η_final; the cosine must not climb back", False,
     _schedule(lambda t, initial_learning_rate, decay_steps, final_learning_rate, **_:
               final_learning_rate + (initial_learning_rate - final_learning_rate)
               * (1.0 + math.cos(math.pi * t / decay_steps)) / 2.0), "cosine_annealing"),
    ("the cosine counted from 0", "after the warm-up the cosine starts at t = W and lasts "
     "T − W steps", False,
     _schedule(lambda t, peak_learning_rate, warmup_steps, total_steps, final_learning_rate, **_:
               peak_learning_rate * t / warmup_steps if t < warmup_steps
               else _cosine(t, total_steps, peak_learning_rate, final_learning_rate)),
     "warmup_cosine"),
    ("a warm-up from t + 1", "the warm-up rate at step t is η_peak·t/W, starting from 0", False,
     _schedule(lambda t, peak_learning_rate, warmup_steps, total_steps, final_learning_rate, **_:
               peak_learning_rate * (t + 1) / warmup_steps if t < warmup_steps
               else _cosine(t - warmup_steps, total_steps - warmup_steps, peak_learning_rate,
                            final_learning_rate)), "warmup_cosine"),
]


def _loss(rule):
    """A model from ``rule(y_true, y_pred, from_logits) → loss`` over the check's batches."""
    def model(part, seed=0):
        return checking.Outputs({"loss": np.array([rule(y_true, y_pred, from_logits)
                                                   for y_true, y_pred, from_logits
                                                   in maths.loss_cases(part, seed)])}, "case")
    return model


def _log_p(y_pred, from_logits, binary):
    if from_logits:
        if binary:
            return -np.logaddexp(0.0, -y_pred), -np.logaddexp(0.0, y_pred)
        return y_pred - np.log(np.sum(np.exp(y_pred), axis=-1, keepdims=True)), None
    p = np.clip(y_pred, 1e-15, 1 - 1e-15)
    return np.log(p), np.log(1.0 - p)


def _bce(y_true, y_pred, from_logits, reduce=np.mean, drop_negative=False, log=np.log):
    log_p, log_q = _log_p(y_pred, from_logits, binary=True)
    if log is np.log10:
        log_p, log_q = log_p / math.log(10), log_q / math.log(10)
    terms = y_true * log_p + (0.0 if drop_negative else (1.0 - y_true) * log_q)
    return float(reduce(-terms))


def _cce(y_true, y_pred, from_logits, per_element=False, reduce=np.mean):
    log_p, _ = _log_p(y_pred, from_logits, binary=False)
    if per_element:
        return float(np.mean(-(y_true * log_p)))
    return float(reduce(-np.sum(y_true * log_p, axis=-1)))


LOSS_MISTAKES = []
for _part in ("bce", "bce_logits"):
    LOSS_MISTAKES += [
        ("the sum instead of the mean", "average over the batch: (1/n)·Σ", False,
         _loss(lambda y, p, logits: _bce(y, p, logits, reduce=np.sum)), _part),
        ("the (1 − y) term left out", "binary cross-entropy has two terms: "
         "y·log p̂ + (1 − y)·log(1 − p̂)", False,
         _loss(lambda y, p, logits: _bce(y, p, logits, drop_negative=True)), _part),
        ("log base 10", "cross-entropy uses the natural log (np.log)", False,
         _loss(lambda y, p, logits: _bce(y, p, logits, log=np.log10)), _part),
    ]
for _part in ("cce", "cce_logits"):
    LOSS_MISTAKES += [
        ("the mean over classes too", "average over samples only: −Σ_k y_k·log p̂_k is one "
         "sample's loss (The Learning Problem's code divides by the classes by slip)", False,
         _loss(lambda y, p, logits: _cce(y, p, logits, per_element=True)), _part),
        ("the sum instead of the mean", "average over the batch: (1/n)·Σ", False,
         _loss(lambda y, p, logits: _cce(y, p, logits, reduce=np.sum)), _part),
    ]
LOSS_MISTAKES += [
    ("no square", "the mean of (y − ŷ)², not of |y − ŷ| or (y − ŷ)", False,
     _loss(lambda y, p, logits: float(np.mean(np.abs(y - p)))), "mse"),
    ("the root of the mean", "MSE has no square root (that is RMSE)", False,
     _loss(lambda y, p, logits: float(np.sqrt(np.mean((y - p) ** 2)))), "mse"),
    ("the sum instead of the mean", "average over every element: (1/n)·Σ", False,
     _loss(lambda y, p, logits: float(np.sum((y - p) ** 2))), "mse"),
]


def _difference(kind):
    """numerical_gradient with a mistaken difference quotient, on the check's functions."""
    def model(part, seed=0, step=1e-5):
        parameter = np.random.default_rng(seed).normal(size=(3, 2))
        if part == "smooth":
            function = lambda value: float(maths.smooth_function(value))   # noqa: E731
        else:
            function = lambda value: float(np.sum(value ** 3))            # noqa: E731
        gradient = np.zeros(parameter.size)
        for index in range(parameter.size):
            plus, minus = parameter.copy().reshape(-1), parameter.copy().reshape(-1)
            plus[index] += step
            minus[index] -= step
            high, low = function(plus.reshape(parameter.shape)), function(
                minus.reshape(parameter.shape))
            if kind == "one_sided":
                gradient[index] = (high - function(parameter)) / step
            else:
                gradient[index] = (high - low) / step
        return checking.Outputs({"gradient": gradient}, "element")
    return model


GRADIENT_MISTAKES = [
    ("a one-sided difference", "[L(θ + h) − L(θ)] / h has an error of order h; the central "
     "difference [L(θ + h) − L(θ − h)] / 2h has one of order h²", False,
     _difference("one_sided")),
    ("divided by h instead of 2h", "the two points are 2h apart: divide by 2h", False,
     _difference("by_h")),
]


def _dense(mistake):
    """DenseLayer's backward pass with one mistake, on the check's layer and upstream gradient."""
    from custom import activations

    def model(part, activation="linear", seed=0):
        x, weights, bias, upstream = maths._dense_case(seed, activation)
        z = x @ weights + bias
        grad_z = upstream
        if part == "activation" and mistake != "no_derivative":
            grad_z = upstream * activations.get(activation)[1](z)
        grad_weights = grad_z.T @ x if mistake == "transposed" else x.T @ grad_z
        grad_bias = grad_z.mean(axis=0) if mistake == "bias_mean" else grad_z.sum(axis=0)
        return checking.Outputs({"dW": grad_weights, "db": grad_bias,
                                 "dx": grad_z @ weights.T}, "row")
    return model


BACKPROP_MISTAKES = [
    ("the activation's derivative left out", "dz = dL/da ⊙ g′(z): multiply by the derivative "
     "at the layer's own z", False, _dense("no_derivative"), "activation"),
    ("db averaged", "db = Σ over the batch of dz; the 1/m is already in dz", False,
     _dense("bias_mean"), "from_z"),
    ("db averaged", "db = Σ over the batch of dz; the 1/m is already in dz", False,
     _dense("bias_mean"), "activation"),
    ("dW transposed", "dW = xᵀ·dz has W's shape (n_inputs, n_outputs)", False,
     _dense("transposed"), "from_z"),
]

MISTAKES = {
    "schedules": SCHEDULE_MISTAKES,
    "losses": LOSS_MISTAKES,
    "gradient_check": GRADIENT_MISTAKES,
    "backprop": BACKPROP_MISTAKES,
}
