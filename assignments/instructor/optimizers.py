# ASSIGNMENTS: INSTRUCTOR ONLY
"""Known mistakes in the optimizer tasks, each modelled in NumPy on a check's scenario.

Each entry is (name, cause shown to the student, accepted?, model), where
``model(scenario) → Outputs`` runs the mistaken rule on the scenario's scripted
gradients (``assignments.checks.optimizers.numpy_trajectory``). The tests build each
mistake again as a real Keras optimizer and require the checker to name it.
"""

import numpy as np

from assignments.checks.optimizers import hyperparameter, numpy_trajectory


def _rate(t, rates, shift):
    """η of step t (counted from 1), or of the step ``shift`` after it."""
    return rates[t - 1 + shift]


def sgd_rule(scenario, *, nesterov=False, sign=1.0, carry=True, ema=False, rate_outside=False,
             lag=False, rate_shift=0):
    """v ← μ·v + η·g; w ← w − v (or the Nesterov step), with the given mistakes switched on."""
    momentum = hyperparameter(scenario, "momentum", 0.0)

    def step(name, w, g, learning_rate, t, state, rates):
        learning_rate = _rate(t, rates, rate_shift)
        g = state["previous_gradient"] if lag else g
        velocity = state.get("velocity", np.zeros_like(w)) if carry else np.zeros_like(w)
        if ema:
            velocity = momentum * velocity + (1.0 - momentum) * g      # v ← μ·v + (1−μ)·g
            update = learning_rate * velocity
        elif rate_outside:
            velocity = momentum * velocity + g                        # v ← μ·v + g
            update = learning_rate * velocity
        else:
            velocity = momentum * velocity + learning_rate * g        # v ← μ·v + η·g
            update = velocity
        if nesterov:
            update = momentum * velocity + learning_rate * g          # μ·v + η·g, with the new v
        state["velocity"] = velocity
        return w - sign * update
    return numpy_trajectory(scenario, step)


def ema_rule(scenario, *, sign=1.0, carry=True, classic=False, rate_inside=False, lag=False):
    """v ← β·v + (1−β)·g; w ← w − η·v, with the given mistakes switched on."""
    beta = hyperparameter(scenario, "momentum", 0.9)

    def step(name, w, g, learning_rate, t, state, rates):
        g = state["previous_gradient"] if lag else g
        velocity = state.get("velocity", np.zeros_like(w)) if carry else np.zeros_like(w)
        if classic:
            velocity = beta * velocity + g
        elif rate_inside:
            velocity = beta * velocity + (1.0 - beta) * learning_rate * g
        else:
            velocity = beta * velocity + (1.0 - beta) * g
        state["velocity"] = velocity
        return w - sign * (velocity if rate_inside else learning_rate * velocity)
    return numpy_trajectory(scenario, step)


def rmsprop_rule(scenario, *, epsilon_outside=False, factor=True, sign=1.0, carry=True,
                 no_root=False, no_square=False, lag=False):
    """s ← ρ·s + (1−ρ)·g²; w ← w − η·g / √(s + ε), with the given mistakes switched on."""
    rho = hyperparameter(scenario, "rho", 0.9)
    epsilon = hyperparameter(scenario, "epsilon", 1e-7)

    def step(name, w, g, learning_rate, t, state, rates):
        g = state["previous_gradient"] if lag else g
        mean_square = state.get("mean_square", np.zeros_like(w)) if carry else np.zeros_like(w)
        square = g if no_square else g * g
        mean_square = rho * mean_square + ((1.0 - rho) if factor else 1.0) * square
        state["mean_square"] = mean_square
        with np.errstate(invalid="ignore", divide="ignore"):
            if no_root:
                denominator = mean_square + epsilon
            elif epsilon_outside:
                denominator = np.sqrt(mean_square) + epsilon
            else:
                denominator = np.sqrt(mean_square + epsilon)
            return w - sign * learning_rate * g / denominator
    return numpy_trajectory(scenario, step)


def adam_rule(scenario, *, textbook=False, bias_correction=True, step_from_zero=False,
              epsilon_inside=False, first_factor=True, second_factor=True, sign=1.0,
              carry=True, lag=False, rate_shift=0):
    """Adam in Keras' form (or the textbook ε), with the given mistakes switched on."""
    beta_1 = hyperparameter(scenario, "beta_1", 0.9)
    beta_2 = hyperparameter(scenario, "beta_2", 0.999)
    epsilon = hyperparameter(scenario, "epsilon", 1e-7)

    def step(name, w, g, learning_rate, t, state, rates):
        learning_rate = _rate(t, rates, rate_shift)
        g = state["previous_gradient"] if lag else g
        zeros = np.zeros_like(w)
        first = state.get("first", zeros) if carry else zeros
        second = state.get("second", zeros) if carry else zeros
        first = beta_1 * first + ((1.0 - beta_1) if first_factor else 1.0) * g
        second = beta_2 * second + ((1.0 - beta_2) if second_factor else 1.0) * g * g
        state["first"], state["second"] = first, second
        t = t - 1 if step_from_zero else t
        with np.errstate(invalid="ignore", divide="ignore"):
            if not bias_correction:
                first_hat, second_hat = first, second
            else:
                first_hat, second_hat = first / (1.0 - beta_1 ** t), second / (1.0 - beta_2 ** t)
            if textbook or not bias_correction:
                root = (np.sqrt(second_hat + epsilon) if epsilon_inside
                        else np.sqrt(second_hat) + epsilon)
                return w - sign * learning_rate * first_hat / root
            step_size = learning_rate * np.sqrt(1.0 - beta_2 ** t) / (1.0 - beta_1 ** t)
            root = np.sqrt(second + epsilon) if epsilon_inside else np.sqrt(second) + epsilon
            return w - sign * step_size * first / root
    return numpy_trajectory(scenario, step)


def _entries(rule, table):
    """(name, cause, accepted, model) rows; a model takes the check's options, as its run does."""
    return [(name, cause, accepted, (lambda k=kwargs, **options: rule(options["scenario"], **k)))
            for name, cause, accepted, kwargs in table]


WRONG_SIGN = ("wrong sign", "the step goes up the gradient: subtract the update from w")
LAG = ("gradient from the wrong step", "the update uses the previous step's gradient; use g "
       "of this step")

MISTAKES = {
    "sgd_momentum": _entries(sgd_rule, [
        (*WRONG_SIGN, False, {"sign": -1.0}),
        ("velocity not carried", "v starts from 0 at every step: keep v in its slot between "
         "steps (self.assign)", False, {"carry": False}),
        ("a (1−μ) factor", "v ← μ·v + (1−μ)·g is the EMA form; this task's classic form is "
         "v ← μ·v + η·g", False, {"ema": True}),
        ("η outside the velocity", "v ← μ·v + g, w ← w − η·v agrees with the classic form "
         "only while η is constant; put η inside: v ← μ·v + η·g", False, {"rate_outside": True}),
        ("a Nesterov step", "w ← w − (μ·v + η·g) is Nesterov's step; classic momentum "
         "steps w ← w − v", False, {"nesterov": True}),
        (*LAG, False, {"lag": True}),
        ("learning rate from the wrong step", "η of the next step was used; use the "
         "learning_rate argument of update_step", False, {"rate_shift": 1}),
    ]),
    "nesterov": _entries(sgd_rule, [
        ("classic momentum", "w ← w − v forgets the look-ahead: Nesterov steps "
         "w ← w − (μ·v + η·g) with the new v", False, {}),
        (*WRONG_SIGN, False, {"nesterov": True, "sign": -1.0}),
        ("velocity not carried", "v starts from 0 at every step: keep v in its slot between "
         "steps", False, {"nesterov": True, "carry": False}),
        ("a (1−μ) factor", "v ← μ·v + (1−μ)·g is the EMA form; here v ← μ·v + η·g",
         False, {"nesterov": True, "ema": True}),
        (*LAG, False, {"nesterov": True, "lag": True}),
    ]),
    "ema_momentum": _entries(ema_rule, [
        ("the EMA form of \"Learning Algorithms\"", "v ← β·v + (1−β)·g, w ← w − η·v", True, {}),
        ("a missing (1−β) factor", "v ← β·v + g is classic momentum; the EMA form is "
         "v ← β·v + (1−β)·g", False, {"classic": True}),
        ("η inside the velocity", "η multiplies the whole velocity in this form: "
         "w ← w − η·v, with v ← β·v + (1−β)·g", False, {"rate_inside": True}),
        (*WRONG_SIGN, False, {"sign": -1.0}),
        ("velocity not carried", "v starts from 0 at every step: keep v in its slot between "
         "steps", False, {"carry": False}),
        (*LAG, False, {"lag": True}),
    ]),
    "rmsprop": _entries(rmsprop_rule, [
        ("ε outside the root",
         "w ← w − η·g / (√s + ε), as in the code of \"The Learning Problem\"", True,
         {"epsilon_outside": True}),
        ("a missing (1−ρ) factor", "s ← ρ·s + g² grows without bound; the average is "
         "s ← ρ·s + (1−ρ)·g²", False, {"factor": False}),
        ("no square root", "divide by √(s + ε), the root of the mean square, not by s",
         False, {"no_root": True}),
        ("g instead of g²", "the running mean is of the squared gradient", False,
         {"no_square": True}),
        (*WRONG_SIGN, False, {"sign": -1.0}),
        ("mean square not carried", "s starts from 0 at every step: keep s in its slot "
         "between steps", False, {"carry": False}),
        (*LAG, False, {"lag": True}),
    ]),
    "adam": _entries(adam_rule, [
        ("textbook ε", "w ← w − η·m̂ / (√v̂ + ε), as in The Learning Problem", True,
         {"textbook": True}),
        ("missing bias correction", "divide by (1−β₁ᵗ) and (1−β₂ᵗ): m̂ = m/(1−β₁ᵗ), "
         "v̂ = v/(1−β₂ᵗ); without it the first steps are far too small", False,
         {"bias_correction": False}),
        ("the step counted from 0", "t counts from 1 (self.iterations + 1); at t = 0, "
         "1−β⁰ = 0 and the step divides by zero", False, {"step_from_zero": True}),
        ("ε inside the square root", "Adam adds ε outside the root: √v̂ + ε", False,
         {"epsilon_inside": True}),
        ("ε inside the square root (textbook form)", "Adam adds ε outside the root: √v̂ + ε",
         False, {"epsilon_inside": True, "textbook": True}),
        ("a missing (1−β₁) factor", "m ← β₁·m + (1−β₁)·g", False, {"first_factor": False}),
        ("a missing (1−β₂) factor", "v ← β₂·v + (1−β₂)·g²", False, {"second_factor": False}),
        (*WRONG_SIGN, False, {"sign": -1.0}),
        ("moments not carried", "m and v start from 0 at every step: keep them in their "
         "slots between steps", False, {"carry": False}),
        (*LAG, False, {"lag": True}),
        ("learning rate from the wrong step", "η of the next step was used; use the "
         "learning_rate argument of update_step", False, {"rate_shift": 1}),
    ]),
}
