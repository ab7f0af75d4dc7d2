# ASSIGNMENTS: INSTRUCTOR ONLY (mutants are the reference with one mistake each)
"""Every entry of the catalogue of known mistakes is recognised in a real implementation of it.

For each entry, a mutant of the reference (its solution region rewritten with that one
mistake, in Keras ops or NumPy as the student would write it) runs through the task's
comparing checks. An accepted form must pass them all; a mistake must fail at least one,
and every check it fails must name it as the likely cause. The mutants are independent
of the NumPy models that the catalogue's numbers come from, so this also checks those
models against real code.
"""

import types

import pytest

import custom.schedules
from assignments import catalogue, checking, runner
from assignments import tasks as task_table
from assignments.instructor import maths, optimizers
from tests import _mutants
from tests._mutants import LAG, NEXT_RATE

SGD_VELOCITY = ("self.assign(velocity, keras.ops.add(keras.ops.multiply(velocity, momentum), "
                "keras.ops.multiply(gradient, learning_rate)))")
NESTEROV_STEP = ("self.assign_sub(variable, keras.ops.add(keras.ops.multiply(velocity, momentum), "
                 "keras.ops.multiply(gradient, learning_rate)))")
EMA_VELOCITY = ("self.assign(velocity, keras.ops.add(keras.ops.multiply(self.momentum, velocity), "
                "keras.ops.multiply(1.0 - self.momentum, gradient)))")
EMA_STEP = "self.assign_sub(variable, keras.ops.multiply(learning_rate, velocity))"
RMS_MEAN = ("self.assign(mean_square, keras.ops.add(keras.ops.multiply(self.rho, mean_square), "
            "keras.ops.multiply(1.0 - self.rho, keras.ops.square(gradient))))")
RMS_STEP = ("self.assign_sub(variable, keras.ops.divide("
            "keras.ops.multiply(learning_rate, gradient), "
            "keras.ops.sqrt(keras.ops.add(mean_square, self.epsilon))))")
ADAM_MOMENTS = """
self.assign(first_moment, keras.ops.add(keras.ops.multiply(self.beta_1, first_moment),
                                        keras.ops.multiply(1.0 - self.beta_1, gradient)))
self.assign(second_moment, keras.ops.add(keras.ops.multiply(self.beta_2, second_moment),
            keras.ops.multiply(1.0 - self.beta_2, keras.ops.square(gradient))))
"""
ADAM_STEP = """
step = keras.ops.cast(self.iterations + 1, variable.dtype)
first_hat = first_moment / (1.0 - keras.ops.power(self.beta_1, step))
second_hat = second_moment / (1.0 - keras.ops.power(self.beta_2, step))
self.assign_sub(variable, learning_rate * first_hat / (keras.ops.sqrt(second_hat) + self.epsilon))
"""
ADAM_KERAS_STEP = """
step = keras.ops.cast(self.iterations + 1, variable.dtype)
size = learning_rate * keras.ops.sqrt(1.0 - keras.ops.power(self.beta_2, step)) / (
    1.0 - keras.ops.power(self.beta_1, step))
self.assign_sub(variable, size * first_moment / (keras.ops.sqrt(second_moment) + self.epsilon))
"""

SGD_FILE, ADAM_FILE = "custom/optimizers/sgd.py", "custom/optimizers/adam.py"
EMA_FILE, RMS_FILE = "custom/optimizers/ema_momentum.py", "custom/optimizers/rmsprop.py"

# (task, catalogue entry) → (file, {region index: code}, attribute that is the subject)
MUTANTS = {
    ("sgd_momentum", "wrong sign"): (SGD_FILE, {0: SGD_VELOCITY
                                                + "\nself.assign_add(variable, velocity)"}),
    ("sgd_momentum", "velocity not carried"): (SGD_FILE, {0: """
        self.assign(velocity, keras.ops.multiply(gradient, learning_rate))
        self.assign_sub(variable, velocity)"""}),
    ("sgd_momentum", "a (1−μ) factor"): (SGD_FILE, {0: """
        self.assign(velocity, velocity * momentum + (1.0 - momentum) * gradient)
        self.assign_sub(variable, learning_rate * velocity)"""}),
    ("sgd_momentum", "η outside the velocity"): (SGD_FILE, {0: """
        self.assign(velocity, velocity * momentum + gradient)
        self.assign_sub(variable, learning_rate * velocity)"""}),
    ("sgd_momentum", "a Nesterov step"): (SGD_FILE, {0: SGD_VELOCITY + "\n" + NESTEROV_STEP}),
    ("sgd_momentum", "gradient from the wrong step"): (
        SGD_FILE, {0: LAG + SGD_VELOCITY + "\nself.assign_sub(variable, velocity)"}),
    ("sgd_momentum", "learning rate from the wrong step"): (
        SGD_FILE, {0: NEXT_RATE + SGD_VELOCITY + "\nself.assign_sub(variable, velocity)"}),
    ("nesterov", "classic momentum"): (SGD_FILE, {0: SGD_VELOCITY
                                                  + "\nself.assign_sub(variable, velocity)"}),
    ("nesterov", "wrong sign"): (SGD_FILE, {0: SGD_VELOCITY + "\n" + NESTEROV_STEP.replace(
        "assign_sub", "assign_add")}),
    ("nesterov", "velocity not carried"): (SGD_FILE, {0: """
        self.assign(velocity, gradient * learning_rate)
        self.assign_sub(variable, velocity * momentum + gradient * learning_rate)"""}),
    ("nesterov", "a (1−μ) factor"): (SGD_FILE, {0: """
        self.assign(velocity, velocity * momentum + (1.0 - momentum) * gradient)
        self.assign_sub(variable, velocity * momentum + gradient * learning_rate)"""}),
    ("nesterov", "gradient from the wrong step"): (SGD_FILE, {0: LAG + SGD_VELOCITY + "\n"
                                                              + NESTEROV_STEP}),
    ("ema_momentum", "the EMA form of \"Learning Algorithms\""): (EMA_FILE, {}),
    ("ema_momentum", "a missing (1−β) factor"): (EMA_FILE, {0: """
        self.assign(velocity, self.momentum * velocity + gradient)
        self.assign_sub(variable, learning_rate * velocity)"""}),
    ("ema_momentum", "η inside the velocity"): (EMA_FILE, {0: """
        self.assign(velocity, self.momentum * velocity
                    + (1.0 - self.momentum) * learning_rate * gradient)
        self.assign_sub(variable, velocity)"""}),
    ("ema_momentum", "wrong sign"): (EMA_FILE, {0: EMA_VELOCITY + "\n"
                                                + EMA_STEP.replace("assign_sub", "assign_add")}),
    ("ema_momentum", "velocity not carried"): (EMA_FILE, {0: """
        self.assign(velocity, (1.0 - self.momentum) * gradient)
        self.assign_sub(variable, learning_rate * velocity)"""}),
    ("ema_momentum", "gradient from the wrong step"): (EMA_FILE, {0: LAG + EMA_VELOCITY + "\n"
                                                                  + EMA_STEP}),
    ("rmsprop", "ε outside the root"): (RMS_FILE, {0: RMS_MEAN + "\n" + (
        "self.assign_sub(variable, learning_rate * gradient "
        "/ (keras.ops.sqrt(mean_square) + self.epsilon))")}),
    ("rmsprop", "a missing (1−ρ) factor"): (RMS_FILE, {0: """
        self.assign(mean_square, self.rho * mean_square + keras.ops.square(gradient))
        """ + RMS_STEP}),
    ("rmsprop", "no square root"): (RMS_FILE, {0: RMS_MEAN + "\n" + (
        "self.assign_sub(variable, learning_rate * gradient / (mean_square + self.epsilon))")}),
    ("rmsprop", "g instead of g²"): (RMS_FILE, {0: """
        self.assign(mean_square, self.rho * mean_square + (1.0 - self.rho) * gradient)
        """ + RMS_STEP}),
    ("rmsprop", "wrong sign"): (RMS_FILE, {0: RMS_MEAN + "\n"
                                           + RMS_STEP.replace("assign_sub", "assign_add")}),
    ("rmsprop", "mean square not carried"): (RMS_FILE, {0: """
        self.assign(mean_square, (1.0 - self.rho) * keras.ops.square(gradient))
        """ + RMS_STEP}),
    ("rmsprop", "gradient from the wrong step"): (RMS_FILE, {0: LAG + RMS_MEAN + "\n"
                                                             + RMS_STEP}),
    ("adam", "textbook ε"): (ADAM_FILE, {0: ADAM_MOMENTS, 1: ADAM_STEP}),
    ("adam", "missing bias correction"): (ADAM_FILE, {0: ADAM_MOMENTS, 1: """
        self.assign_sub(variable, learning_rate * first_moment
                        / (keras.ops.sqrt(second_moment) + self.epsilon))"""}),
    ("adam", "the step counted from 0"): (ADAM_FILE, {0: ADAM_MOMENTS, 1: ADAM_STEP.replace(
        "self.iterations + 1", "self.iterations")}),
    ("adam", "ε inside the square root"): (ADAM_FILE, {0: ADAM_MOMENTS, 1: ADAM_KERAS_STEP.replace(
        "(keras.ops.sqrt(second_moment) + self.epsilon)",
        "keras.ops.sqrt(second_moment + self.epsilon)")}),
    ("adam", "ε inside the square root (textbook form)"): (ADAM_FILE, {
        0: ADAM_MOMENTS, 1: ADAM_STEP.replace("(keras.ops.sqrt(second_hat) + self.epsilon)",
                                              "keras.ops.sqrt(second_hat + self.epsilon)")}),
    ("adam", "a missing (1−β₁) factor"): (ADAM_FILE, {0: ADAM_MOMENTS.replace(
        "keras.ops.multiply(1.0 - self.beta_1, gradient)", "gradient"), 1: ADAM_KERAS_STEP}),
    ("adam", "a missing (1−β₂) factor"): (ADAM_FILE, {0: ADAM_MOMENTS.replace(
        "keras.ops.multiply(1.0 - self.beta_2, keras.ops.square(gradient))",
        "keras.ops.square(gradient)"), 1: ADAM_KERAS_STEP}),
    ("adam", "wrong sign"): (ADAM_FILE, {0: ADAM_MOMENTS, 1: ADAM_KERAS_STEP.replace(
        "assign_sub", "assign_add")}),
    ("adam", "moments not carried"): (ADAM_FILE, {0: """
        self.assign(first_moment, (1.0 - self.beta_1) * gradient)
        self.assign(second_moment, (1.0 - self.beta_2) * keras.ops.square(gradient))""",
                                                  1: ADAM_KERAS_STEP}),
    ("adam", "gradient from the wrong step"): (ADAM_FILE, {0: LAG + ADAM_MOMENTS,
                                                           1: ADAM_KERAS_STEP}),
    ("adam", "learning rate from the wrong step"): (ADAM_FILE, {0: NEXT_RATE + ADAM_MOMENTS,
                                                                1: ADAM_KERAS_STEP}),
}

SCHEDULE_FILES = {"step_decay": "custom/schedules/step_decay.py",
                  "exponential_decay": "custom/schedules/exponential_decay.py",
                  "cosine_annealing": "custom/schedules/cosine_annealing.py",
                  "warmup_cosine": "custom/schedules/warmup_cosine.py"}
SCHEDULE_MUTANTS = {
    "no floor": ("step_decay", "return self.initial_learning_rate * keras.ops.power("
                               "self.drop, t / self.steps_per_drop)"),
    "a drop too early": ("step_decay", "return self.initial_learning_rate * keras.ops.power("
                                       "self.drop, "
                                       "keras.ops.floor((t + 1) / self.steps_per_drop))"),
    "Keras' decay_rate read as the k of \"The Learning Problem\"": (
        "exponential_decay", "return self.initial_learning_rate * keras.ops.power("
                             "self.decay_rate, t)"),
    "a missing minus sign": ("exponential_decay", "return self.initial_learning_rate * "
                                                  "keras.ops.exp(self.decay_rate * t)"),
    "η_final left out": ("cosine_annealing", """
        t = keras.ops.minimum(t, self.decay_steps)
        cosine = (1.0 + keras.ops.cos(math.pi * t / self.decay_steps)) / 2.0
        return self.initial_learning_rate * cosine
    """),
    "no hold after T": ("cosine_annealing", """
        cosine = (1.0 + keras.ops.cos(math.pi * t / self.decay_steps)) / 2.0
        span = self.initial_learning_rate - self.final_learning_rate
        return self.final_learning_rate + span * cosine
    """),
    "the cosine counted from 0": ("warmup_cosine", """
        warmup = self.peak_learning_rate * t / self.warmup_steps
        progress = keras.ops.clip(t / self.total_steps, 0.0, 1.0)
        span = self.peak_learning_rate - self.final_learning_rate
        annealed = self.final_learning_rate + span * (1.0 + keras.ops.cos(math.pi * progress)) / 2.0
        return keras.ops.where(t < self.warmup_steps, warmup, annealed)
    """),
    "a warm-up from t + 1": ("warmup_cosine", """
        warmup = self.peak_learning_rate * (t + 1) / self.warmup_steps
        progress = keras.ops.clip((t - self.warmup_steps) / (self.total_steps - self.warmup_steps),
                                  0.0, 1.0)
        span = self.peak_learning_rate - self.final_learning_rate
        annealed = self.final_learning_rate + span * (1.0 + keras.ops.cos(math.pi * progress)) / 2.0
        return keras.ops.where(t < self.warmup_steps, warmup, annealed)
    """),
}

BCE_LOGS = """
if from_logits:
    log_p, log_one_minus_p = -np.logaddexp(0.0, -y_pred), -np.logaddexp(0.0, y_pred)
else:
    p = np.clip(y_pred, epsilon, 1.0 - epsilon)
    log_p, log_one_minus_p = np.log(p), np.log(1.0 - p)
"""
CCE_LOGS = """
if from_logits:
    log_p = activations.log_softmax(y_pred)
else:
    log_p = np.log(np.clip(y_pred, epsilon, 1.0 - epsilon))
"""
MSE = "return float(np.mean((y_true - y_pred) ** 2))"
BCE = BCE_LOGS + "return float(np.mean(-(y_true * log_p + (1.0 - y_true) * log_one_minus_p)))"
CCE = CCE_LOGS + "return float(np.mean(-np.sum(y_true * log_p, axis=-1)))"
LOSS_MUTANTS = {
    "the sum instead of the mean": {0: MSE.replace("np.mean", "np.sum"),
                                    1: BCE.replace("np.mean", "np.sum"),
                                    2: CCE.replace("np.mean", "np.sum")},
    "the (1 − y) term left out": {1: BCE_LOGS + "return float(np.mean(-(y_true * log_p)))"},
    "log base 10": {1: BCE_LOGS + "log_p, log_one_minus_p = log_p / np.log(10), "
                                  "log_one_minus_p / np.log(10)\n" + BCE.split("\n")[-1]},
    "the mean over classes too": {2: CCE_LOGS + "return float(np.mean(-(y_true * log_p)))"},
    "no square": {0: "return float(np.mean(np.abs(y_true - y_pred)))"},
    "the root of the mean": {0: "return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))"},
}

DIFFERENCE = """
gradient = np.zeros_like(parameter)
flat_parameter, flat_gradient = parameter.reshape(-1), gradient.reshape(-1)
for index in range(flat_parameter.size):
    original = flat_parameter[index]
    flat_parameter[index] = original + step
    loss_plus = loss_function()
    flat_parameter[index] = original - step
    loss_minus = loss_function()
    flat_parameter[index] = original
    flat_gradient[index] = QUOTIENT
return gradient
"""
GRADIENT_MUTANTS = {
    "a one-sided difference": DIFFERENCE.replace(
        "flat_parameter[index] = original\n    flat_gradient[index] = QUOTIENT",
        "flat_parameter[index] = original\n    flat_gradient[index] = "
        "(loss_plus - loss_function()) / step"),
    "divided by h instead of 2h": DIFFERENCE.replace("QUOTIENT", "(loss_plus - loss_minus) / step"),
}
DENSE_FROM_Z = """
self.grad_weights = self.cache["x"].T @ grad_z
self.grad_bias = grad_z.sum(axis=0)
return grad_z @ self.weights.T
"""
BACKPROP_MUTANTS = {
    "the activation's derivative left out": {0: "return self.backward_from_z(grad_activation)"},
    "db averaged": {1: DENSE_FROM_Z.replace("grad_z.sum(axis=0)", "grad_z.mean(axis=0)")},
    "dW transposed": {1: DENSE_FROM_Z.replace('self.cache["x"].T @ grad_z',
                                              'grad_z.T @ self.cache["x"]')},
}


def subject_for(task, name):
    """The mutant to check in place of the student's code, for one catalogue entry."""
    if task in optimizers.MISTAKES:
        path, replacements = MUTANTS[(task, name)]
        module = _mutants.mutant_module(path, task, replacements)
        return getattr(module, task_table.TASKS[task].subject.split(":")[1])
    if task == "schedules":
        part, code = SCHEDULE_MUTANTS[name]
        module = _mutants.mutant_module(SCHEDULE_FILES[part], task, {0: code})
        class_name = next(cls for key, (cls, _) in
                          __import__("assignments.checks.maths").checks.maths.SCHEDULES.items()
                          if key == part)
        return types.SimpleNamespace(**{**vars(custom.schedules),
                                        class_name: getattr(module, class_name)})
    if task == "losses":
        return _mutants.mutant_module("custom/losses.py", task, LOSS_MUTANTS[name])
    if task == "gradient_check":
        return _mutants.mutant_module("custom/gradient_check.py", task,
                                      {0: GRADIENT_MUTANTS[name]})
    return _mutants.mutant_module("custom/numpy_net.py", task, BACKPROP_MUTANTS[name])


def catalogue_entries():
    """(task, entry name, accepted) for every entry of the optimizer and maths catalogues."""
    found = {}
    for module in (optimizers, maths):
        for task, entries in module.MISTAKES.items():
            for entry in entries:
                found[(task, entry[0])] = entry[2]
    return [(task, name, accepted) for (task, name), accepted in found.items()]


def comparing_checks(task, name):
    """The task's public checks that have a catalogue holding ``name``, with that catalogue."""
    selected = []
    for check in task_table.TASKS[task].public:
        entries = catalogue.for_check(task, check)
        if any(entry.name == name for entry in entries):
            selected.append((check, entries))
    return selected


@pytest.mark.parametrize("task, name, accepted", catalogue_entries(),
                         ids=[f"{task}-{name}" for task, name, _ in catalogue_entries()])
def test_a_mutant_with_the_mistake_is_named_as_its_likely_cause(task, name, accepted):
    subject = subject_for(task, name)
    checks = comparing_checks(task, name)
    assert checks, f"no public check of {task} has {name!r} in its catalogue"
    results = [checking.run_check(check, subject, entries) for check, entries in checks]
    report = "\n".join(f"{result.name}: {result.passed}: {result.feedback}" for result in results)
    if accepted:
        assert all(result.passed for result in results), report
        return
    failed = [result for result in results if not result.passed]
    assert failed, f"the mutant for {name!r} passed every check:\n{report}"
    for result in failed:
        assert f"likely cause: {name}:" in result.feedback, report


def test_every_catalogue_entry_has_a_mutant():
    names = {(task, name) for task, name, _ in catalogue_entries()}
    built = set(MUTANTS) | {("schedules", name) for name in SCHEDULE_MUTANTS} \
        | {("losses", name) for name in LOSS_MUTANTS} \
        | {("gradient_check", name) for name in GRADIENT_MUTANTS} \
        | {("backprop", name) for name in BACKPROP_MUTANTS}
    assert names == built


def test_the_reference_scores_full_points_on_the_hidden_checks():
    """Grading's hidden checks on the reference; tests/test_tasks.py gives it full points on
    the public ones (together: every point of every task), so they are not run twice."""
    with_hidden = 0
    for task, definition in task_table.TASKS.items():
        result = runner.run(task, hidden=True, public=False)
        hidden_points = definition.points - definition.public_points
        assert len(result.checks) == len(definition.hidden)
        assert all(check.hidden for check in result.checks)
        assert result.score == result.max_score == hidden_points, result.text()
        with_hidden += bool(definition.hidden)
    assert with_hidden >= 5, "most tasks have hidden checks"


def test_a_check_without_a_twin_or_an_accepted_form_stops_the_grader_not_the_student():
    got = checking.outputs({"w": [[1.0]]}, "step")
    wrong = checking.Candidate("a mistake", "a cause", False, checking.outputs({"w": [[2.0]]},
                                                                              "step"))
    with pytest.raises(checking.CheckDefinitionError, match="needs an accepted form"):
        checking.compare(None, got, [wrong], checking.Tolerance())
