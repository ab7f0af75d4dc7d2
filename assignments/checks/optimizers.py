"""Checks for the optimizer tasks: the student's ``update_step`` against its Keras twin.

Every check feeds the optimizer a scripted sequence of gradients, the same for the
student's class and for the twin, so that the two trajectories differ only by the
update rule. The variables are float64. Keras itself rounds a few constants to float32
(the learning rate, and Adam's β inside βᵗ), so an exact float64 rule differs from its
twin by about 1e-7 relative; the tolerance (rtol 1e-5, atol 1e-6) allows that and any
correct order of operations, while every known mistake moves the numbers by far more.

    scenario = Scenario(steps=6, hyperparameters=(("learning_rate", 0.1),))
    outputs = trajectory_of(custom.optimizers.Adam(learning_rate=0.1), scenario)
    outputs.arrays["w0"]      # (steps + 1, 3): the start and the point after every step

A student's optimizer must compute its step itself: while it runs, every built-in Keras
optimizer's ``update_step`` is watched, and a call to one (the twin computing the step in
the student's place) is reported in the Outputs' facts and refused by ``checking.judge``.
"""

import contextlib
import dataclasses
import math

import numpy as np

from assignments import checking, lazy

# Imported when a check first runs, so that the task table loads without them (lazy.py).
keras = lazy.module("keras")

TOLERANCE = checking.Tolerance(rtol=1e-5, atol=1e-6)
FIT_TOLERANCE = checking.Tolerance(rtol=1e-4, atol=1e-6)   # float32 training in model.fit
SHAPES = {"w0": (3,), "w1": (2, 2)}


@dataclasses.dataclass(frozen=True)
class Scenario:
    """The inputs of one trajectory check.

    Args:
        steps: how many optimizer steps.
        hyperparameters: (name, value) pairs for the optimizer's constructor.
        decay: None for a constant learning rate, or k: the rate then follows Keras'
            ``ExponentialDecay(η, decay_steps=1, decay_rate=k)``, η·kᵗ, so that a rate
            taken from the wrong step shows.
        gradient_scale: the gradients' standard deviation (small ones make ε matter).
        seed: for the start points and the gradients.
    """

    steps: int = 6
    hyperparameters: tuple = ()
    decay: float = None
    gradient_scale: float = 1.0
    seed: int = 0

    def kwargs(self):
        kwargs = dict(self.hyperparameters)
        if self.decay is not None:
            kwargs["learning_rate"] = keras.optimizers.schedules.ExponentialDecay(
                kwargs.get("learning_rate", 0.01), decay_steps=1, decay_rate=self.decay)
        return kwargs

    def starts(self):
        rng = np.random.default_rng(self.seed)
        return {name: rng.normal(size=shape) for name, shape in SHAPES.items()}

    def gradients(self):
        """name → (steps, *shape): g_t for t = 1 … steps. One element is 0 at the first step."""
        rng = np.random.default_rng(self.seed + 1000)
        gradients = {name: self.gradient_scale * rng.normal(size=(self.steps, *shape))
                     for name, shape in SHAPES.items()}
        gradients["w0"][0, 0] = 0.0
        return gradients

    def learning_rates(self):
        """η of steps 1 … steps + 1, as the optimizer receives them (float32, as Keras keeps them).

        Entry i is the rate at ``optimizer.iterations`` = i; the one after the last step is
        there for the model of a rate taken from the next step.
        """
        rate = dict(self.hyperparameters).get("learning_rate", 0.01)
        decay = 1.0 if self.decay is None else self.decay
        return np.array([np.float32(rate * decay ** t) for t in range(self.steps + 1)],
                        dtype=float)

    def describe(self):
        rate = "constant η" if self.decay is None else f"η·{self.decay:g}ᵗ"
        values = ", ".join(f"{name}={value!r}" for name, value in self.hyperparameters)
        return f"{self.steps} steps, {rate}, {values}"


def trajectory_of(optimizer, scenario):
    """Run ``optimizer`` on the scenario's scripted gradients, eagerly; return the Outputs."""
    starts, gradients = scenario.starts(), scenario.gradients()
    variables = [keras.Variable(start, dtype="float64", name=name)
                 for name, start in starts.items()]
    path = {name: [start.copy()] for name, start in starts.items()}
    for step in range(scenario.steps):
        optimizer.apply([keras.ops.convert_to_tensor(gradients[name][step], dtype="float64")
                         for name in starts], variables)
        for name, variable in zip(starts, variables):
            path[name].append(keras.ops.convert_to_numpy(variable).copy())
    return checking.Outputs({name: np.array(points) for name, points in path.items()}, "step")


def keras_twin(task, scenario):
    """The Keras built-in that computes the task's rule on this scenario, or None."""
    kwargs = scenario.kwargs()
    if task in ("sgd_momentum", "nesterov"):
        return keras.optimizers.SGD(**kwargs)
    if task == "rmsprop":
        return keras.optimizers.RMSprop(**kwargs)
    if task == "adam":
        return keras.optimizers.Adam(**kwargs)
    if task == "ema_momentum":
        if scenario.decay is not None:
            return None
        # v ← β·v + (1−β)·g, w ← w − η·v is Keras' momentum with the rate η·(1−β).
        momentum = kwargs.get("momentum", 0.9)
        rate = kwargs.get("learning_rate", 0.01) * (1.0 - momentum)
        return keras.optimizers.SGD(learning_rate=rate, momentum=momentum)
    # An optimizer a student registered with custom.optimizers.register(..., keras_twin=...).
    import custom.optimizers

    _, twin, defaults = custom.optimizers.lookup(task)
    return twin(**{**defaults, **kwargs}) if twin is not None else None


def builtin_optimizers():
    """Keras' own optimizer classes (SGD, Adam, …), not the base class a student subclasses."""
    return [value for name, value in vars(keras.optimizers).items()
            if isinstance(value, type) and issubclass(value, keras.optimizers.Optimizer)
            and value is not keras.optimizers.Optimizer and not name.startswith("_")]


@contextlib.contextmanager
def watching_builtins():
    """Record the built-in optimizers whose ``update_step`` runs inside the block (a list)."""
    called, saved = [], {}
    for builtin in builtin_optimizers():
        if "update_step" not in vars(builtin):
            continue
        original = saved[builtin] = vars(builtin)["update_step"]

        def watched(self, *args, _original=original, _name=builtin.__name__, **kwargs):
            if _name not in called:
                called.append(_name)
            return _original(self, *args, **kwargs)

        builtin.update_step = watched
    try:
        yield called
    finally:
        for builtin, original in saved.items():
            builtin.update_step = original


def students_run(run):
    """``run()`` → Outputs, with the built-in optimizers it called in ``facts["builtin_calls"]``."""
    with watching_builtins() as called:
        outputs = run()
    outputs.facts["builtin_calls"] = list(called)
    return outputs


def trajectory(subject, task, scenario):
    """The student's trajectory on one scenario's scripted gradients."""
    return students_run(lambda: trajectory_of(subject(**scenario.kwargs()), scenario))


def expected_trajectory(task, scenario):
    """The twin's trajectory on the same gradients."""
    twin = keras_twin(task, scenario)
    expected = trajectory_of(twin, scenario) if twin is not None else None
    twin_name = f"keras.optimizers.{type(twin).__name__}" if twin is not None else "the twin"
    return checking.Expectation(expected, twin_name, TOLERANCE)


def structure(subject, task, scenario):
    """Facts about the student's class: a Keras optimizer? which built-ins it subclasses?
    does its config round-trip? (and it takes one step, which raises if it is unwritten)."""
    facts = {"is_optimizer": isinstance(subject, type)
             and issubclass(subject, keras.optimizers.Optimizer),
             "subject": repr(subject)[:80], "builtin_bases": [], "round_trips": False}
    if facts["is_optimizer"]:
        facts["builtin_bases"] = [builtin.__name__ for builtin in builtin_optimizers()
                                  if issubclass(subject, builtin)]
        optimizer = subject(**dict(scenario.hyperparameters))
        clone = subject.from_config(optimizer.get_config())
        facts["round_trips"] = clone.get_config() == optimizer.get_config()
        outputs = students_run(lambda: trajectory_of(optimizer,
                                                     dataclasses.replace(scenario, steps=1)))
        facts["builtin_calls"] = outputs.facts["builtin_calls"]
    return checking.Outputs({}, "step", facts)


def expected_structure(task, scenario):
    def verdict(got, catalogue, hidden):
        facts = got.facts
        if not facts.get("is_optimizer"):
            return checking.Outcome(False, f"{facts.get('subject')} is not a "
                                           "keras.optimizers.Optimizer subclass")
        if facts.get("builtin_bases"):
            return checking.Outcome(False, f"your class subclasses Keras' own "
                                           f"{facts['builtin_bases'][0]}: write update_step "
                                           "yourself")
        if not facts.get("round_trips"):
            return checking.Outcome(False, "get_config → from_config does not give the same "
                                           "config")
        return checking.Outcome(True, "a keras.optimizers.Optimizer subclass that takes a "
                                      "step; its config round-trips")

    return checking.Expectation(verdict=verdict)


FIT_EPOCHS = 2


def fit_case(seed):
    """The data and the starting weights of the model.fit check, from NumPy's generator
    (so that two processes start from the very same weights)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 4)).astype("float32")                 # (samples, features)
    y = (x @ rng.normal(size=(4, 1)) + 0.1).astype("float32")      # (samples, 1)
    weights = [rng.normal(scale=0.5, size=shape).astype("float32")
               for shape in ((4, 3), (3,), (3, 1), (1,))]
    return x, y, weights


def fitted_weights(optimizer, seed):
    """The weights after ``model.fit`` with ``optimizer`` (a traced step, float32)."""
    x, y, weights = fit_case(seed)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
                              keras.layers.Dense(1)])
    model.set_weights(weights)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, batch_size=16, epochs=FIT_EPOCHS, shuffle=False, verbose=0)
    return checking.Outputs({f"weights{i}": w[None] for i, w in enumerate(model.get_weights())},
                            "run")


def inside_fit(subject, task, scenario):
    """The student's optimizer swapped into ``model.fit``: the weights it ends on."""
    return students_run(lambda: fitted_weights(subject(**scenario.kwargs()), scenario.seed))


def expected_inside_fit(task, scenario):
    twin = keras_twin(task, scenario)
    expected = fitted_weights(twin, scenario.seed)
    twin_name = f"keras.optimizers.{type(twin).__name__}"

    def verdict(got, catalogue, hidden):
        if checking.matches(expected, got, FIT_TOLERANCE):
            return checking.Outcome(True, f"model.fit ({FIT_EPOCHS} epochs, traced) ends on "
                                          f"the same weights as {twin_name} ({FIT_TOLERANCE})")
        difference = checking.first_difference(expected, got, FIT_TOLERANCE)
        return checking.Outcome(False, "after model.fit: "
                                + checking.describe_difference(difference, "run", hidden)
                                + f" ({FIT_TOLERANCE}); the eager trajectory checks say where")

    return checking.Expectation(verdict=verdict)


# kind → (the student's side, the twin's side, whether the catalogue of mistakes applies)
KINDS = {"structure": (structure, expected_structure, False),
         "trajectory": (trajectory, expected_trajectory, True),
         "inside_fit": (inside_fit, expected_inside_fit, False)}


def check(name, points, kind, task, scenario):
    """A check of an optimizer task: ``kind`` is "structure", "trajectory" or "inside_fit"."""
    produce, expect, catalogued = KINDS[kind]
    return checking.Check(name, points, produce, expect, (("task", task), ("scenario", scenario)),
                          catalogued)


def numpy_trajectory(scenario, step):
    """A model of an update rule run on the scenario in NumPy (float64), as the Outputs.

    ``step(name, w, g, learning_rate, t, state) → w`` updates one variable at step
    t = 1, 2, …; ``state`` is a dict per variable that the rule may keep slots in, and
    ``g`` is the scripted gradient of step t. Used by the catalogue of known mistakes.
    """
    starts, gradients, rates = scenario.starts(), scenario.gradients(), scenario.learning_rates()
    path = {}
    for name, start in starts.items():
        w, state, points = start.copy(), {"previous_gradient": np.zeros_like(start)}, [start]
        for t in range(1, scenario.steps + 1):
            g = gradients[name][t - 1]
            w = step(name, w, g, rates[t - 1], t, state, rates)
            state["previous_gradient"] = g
            points.append(np.array(w, dtype=float))
        path[name] = np.array(points)
    return checking.Outputs(path, "step")


def hyperparameter(scenario, name, default):
    return dict(scenario.hyperparameters).get(name, default)


def float32(value):
    """A hyperparameter as a Keras optimizer holds it when it is cast to float32."""
    return float(np.float32(value))


def finite(value):
    return math.isfinite(value)
