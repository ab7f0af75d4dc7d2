"""The task table: what a student writes, where, and how it is checked and graded.

An instructor edits this file to add a task or change its points. Each task lists

* ``files``: the files the student edits (and hands in); their regions are marked
  ``# BEGIN SOLUTION <task>`` / ``# END SOLUTION`` in the code;
* ``subject``: the code under test, ``"module:attribute"``, imported fresh for each check;
* ``public``: the checks a student runs with ``python -m assignments check TASK``;
* ``hidden``: further checks that only grading runs, left out of the student edition.

Every check compares the student's code with a trusted twin (a Keras built-in,
``tf.GradientTape``, finite differences); ``assignments/checks/`` holds them.
"""

import dataclasses

from assignments.checking import Check
from assignments.checks import batchnorm, maths, optimizers, training
from assignments.checks.optimizers import Scenario
# BEGIN HIDDEN
from assignments.instructor import hidden
from assignments.instructor import normalization as hidden_normalization
from assignments.instructor import training as hidden_training
# END HIDDEN


@dataclasses.dataclass(frozen=True)
class Task:
    title: str
    files: tuple
    subject: str
    summary: str
    public: tuple
    hidden: tuple = ()
    try_it: tuple = ()   # Lab commands that run the student's code, for the task's notebook.

    @property
    def points(self):
        """Public and hidden points together: what grading gives a perfect submission."""
        return sum(check.points for check in self.public + self.hidden)

    @property
    def public_points(self):
        return sum(check.points for check in self.public)


def optimizer_checks(task, hyperparameters, small_gradients=False):
    """The five public checks every optimizer task has, on the given hyperparameters."""
    scale = 0.1 if small_gradients else 1.0
    constant = Scenario(steps=6, hyperparameters=hyperparameters, gradient_scale=scale)
    first = Scenario(steps=1, hyperparameters=hyperparameters, gradient_scale=scale)
    decaying = Scenario(steps=6, hyperparameters=hyperparameters, decay=0.7, gradient_scale=scale)
    in_fit = Scenario(hyperparameters=(("learning_rate", 0.05), *hyperparameters[1:]))
    return (
        optimizers.check("a Keras optimizer of its own that takes a step", 1, "structure",
                         task, constant),
        optimizers.check("the first step", 2, "trajectory", task, first),
        optimizers.check("6 steps at a constant learning rate", 3, "trajectory", task, constant),
        optimizers.check("6 steps under a decaying learning rate", 2, "trajectory", task,
                         decaying),
        optimizers.check("inside model.fit, swapped for the Keras twin", 2, "inside_fit", task,
                         in_fit),
    )


def swap_in_a_lab(optimizer):
    """The same lab with the student's optimizer, then with the Keras built-in."""
    return tuple(f"python -m labs fit_vs_tape --quick --optimizer {optimizer} --impl {impl}"
                 for impl in ("custom", "keras"))


STEP_DECAY = {"initial_learning_rate": 0.1, "drop": 0.5, "steps_per_drop": 5}
EXPONENTIAL_DECAY = {"initial_learning_rate": 0.1, "decay_rate": 0.05}
COSINE_ANNEALING = {"initial_learning_rate": 0.1, "decay_steps": 20, "final_learning_rate": 0.01}
WARMUP_COSINE = {"peak_learning_rate": 0.1, "warmup_steps": 5, "total_steps": 20,
                 "final_learning_rate": 0.01}

SGD_MOMENTUM = (("learning_rate", 0.1), ("momentum", 0.8))
NESTEROV = (("learning_rate", 0.1), ("momentum", 0.8), ("nesterov", True))
EMA_MOMENTUM = (("learning_rate", 0.1), ("momentum", 0.8))
# ε = 0.01, with gradients of about 0.1, makes where ε sits show in the numbers.
RMSPROP = (("learning_rate", 0.05), ("rho", 0.8), ("epsilon", 0.01))
ADAM = (("learning_rate", 0.05), ("beta_1", 0.8), ("beta_2", 0.9), ("epsilon", 0.01))

TASKS = {
    "sgd_momentum": Task(
        title="SGD with classic momentum",
        files=("custom/optimizers/sgd.py",),
        subject="custom.optimizers.sgd:SGD",
        summary="v ← μ·v + η·g, then w ← w − v (The Learning Problem's form; Keras stores −v).",
        try_it=swap_in_a_lab("momentum"),
        public=optimizer_checks("sgd_momentum", SGD_MOMENTUM),
        # BEGIN HIDDEN
        hidden=hidden.optimizer_checks("sgd_momentum", SGD_MOMENTUM),
        # END HIDDEN
    ),
    "nesterov": Task(
        title="Nesterov momentum",
        files=("custom/optimizers/sgd.py",),
        subject="custom.optimizers.sgd:SGD",
        summary="v ← μ·v + η·g, then w ← w − (μ·v + η·g): the step from the look-ahead point.",
        try_it=swap_in_a_lab("nesterov"),
        public=optimizer_checks("nesterov", NESTEROV),
        # BEGIN HIDDEN
        hidden=hidden.optimizer_checks("nesterov", NESTEROV),
        # END HIDDEN
    ),
    "ema_momentum": Task(
        title="Momentum as a moving average (Learning Algorithms, 3.3)",
        files=("custom/optimizers/ema_momentum.py",),
        subject="custom.optimizers.ema_momentum:EMAMomentum",
        summary="v ← β·v + (1−β)·g, then w ← w − η·v.",
        try_it=("python -m labs optimizers --quick",),
        public=optimizer_checks("ema_momentum", EMA_MOMENTUM),
        # BEGIN HIDDEN
        hidden=hidden.optimizer_checks("ema_momentum", EMA_MOMENTUM),
        # END HIDDEN
    ),
    "rmsprop": Task(
        title="RMSprop",
        files=("custom/optimizers/rmsprop.py",),
        subject="custom.optimizers.rmsprop:RMSprop",
        summary="s ← ρ·s + (1−ρ)·g², then w ← w − η·g / √(s + ε); ε outside the root, "
                "η·g / (√s + ε), is accepted too.",
        try_it=swap_in_a_lab("rmsprop"),
        public=optimizer_checks("rmsprop", RMSPROP, small_gradients=True),
        # BEGIN HIDDEN
        hidden=hidden.optimizer_checks("rmsprop", RMSPROP, small_gradients=True),
        # END HIDDEN
    ),
    "adam": Task(
        title="Adam",
        files=("custom/optimizers/adam.py",),
        subject="custom.optimizers.adam:Adam",
        summary="m ← β₁·m + (1−β₁)·g, v ← β₂·v + (1−β₂)·g², bias correction with t counted "
                "from 1, then Keras' step w ← w − η·√(1−β₂ᵗ)/(1−β₁ᵗ)·m / (√v + ε); the "
                "textbook step w ← w − η·m̂ / (√v̂ + ε) is accepted too.",
        try_it=swap_in_a_lab("adam"),
        public=optimizer_checks("adam", ADAM, small_gradients=True),
        # BEGIN HIDDEN
        hidden=hidden.optimizer_checks("adam", ADAM, small_gradients=True),
        # END HIDDEN
    ),
    "schedules": Task(
        title="Learning-rate schedules: step, exponential, cosine, warm-up + cosine",
        files=("custom/schedules/step_decay.py", "custom/schedules/exponential_decay.py",
               "custom/schedules/cosine_annealing.py", "custom/schedules/warmup_cosine.py"),
        subject="custom.schedules",
        summary="Each schedule's rate(t) with keras.ops, as The Learning Problem writes them.",
        try_it=("python -m labs schedules --quick",),
        public=(
            maths.check("StepDecay at every step to 20", 2.5, "step_decay",
                        arguments=tuple(STEP_DECAY.items()), last_step=20),
            maths.check("ExponentialDecay at every step to 40", 2.5, "exponential_decay",
                        arguments=tuple(EXPONENTIAL_DECAY.items()), last_step=40),
            maths.check("CosineAnnealing at every step to 25", 2.5, "cosine_annealing",
                        arguments=tuple(COSINE_ANNEALING.items()), last_step=25),
            maths.check("WarmupCosine at every step to 25", 2.5, "warmup_cosine",
                        arguments=tuple(WARMUP_COSINE.items()), last_step=25),
        ),
        # BEGIN HIDDEN
        hidden=hidden.schedule_checks(STEP_DECAY, EXPONENTIAL_DECAY, COSINE_ANNEALING,
                                      WARMUP_COSINE),
        # END HIDDEN
    ),
    "losses": Task(
        title="MSE, binary and categorical cross-entropy",
        files=("custom/losses.py",),
        subject="custom.losses",
        summary="The mean over the batch, clipped probabilities or logits in log space.",
        try_it=("python -m labs loss_functions --quick",),
        public=(
            maths.check("mean_squared_error against keras.losses", 2, "mse"),
            maths.check("binary_crossentropy on probabilities", 2, "bce"),
            maths.check("binary_crossentropy from logits", 1.5, "bce_logits"),
            maths.check("categorical_crossentropy on probabilities", 2, "cce"),
            maths.check("categorical_crossentropy from logits", 1.5, "cce_logits"),
            maths.check("the chapters' worked numbers", 1, "worked_numbers"),
        ),
        # BEGIN HIDDEN
        hidden=hidden.loss_checks(),
        # END HIDDEN
    ),
    "gradient_check": Task(
        title="Numerical gradients by central differences (Learning Algorithms, exercise 1)",
        files=("custom/gradient_check.py",),
        subject="custom.gradient_check",
        summary="∂L/∂θᵢ ≈ [L(θᵢ + h) − L(θᵢ − h)] / 2h for every element, θᵢ restored after.",
        try_it=("python -m labs backprop --quick",),
        public=(
            maths.check("a smooth function against tf.GradientTape", 4, "smooth"),
            maths.check("central, not one-sided: Σθ³ at h = 0.01", 3, "cubic", step=0.01),
            Check("the parameter is restored exactly", 3, maths.restores_parameters,
                  maths.expected_restores_parameters, catalogued=False),
        ),
        # BEGIN HIDDEN
        hidden=hidden.gradient_check_checks(),
        # END HIDDEN
    ),
    "backprop": Task(
        title="A dense layer's backward pass (Learning Algorithms, exercise 7's XOR uses it)",
        files=("custom/numpy_net.py",),
        subject="custom.numpy_net",
        summary="dz = dL/da ⊙ g′(z); dW = xᵀ·dz, db = Σ_batch dz, dx = dz·Wᵀ.",
        try_it=("python -m labs backprop --quick", "python -m labs training_loop --quick"),
        public=(
            maths.check("backward_from_z: dW, db, dx", 5, "from_z"),
            maths.check("backward through ReLU", 3, "activation", activation="relu"),
            maths.check("backward through a sigmoid", 2, "activation", activation="sigmoid"),
            maths.check("a 3-5-4-3 network's backward pass", 5, "network"),
        ),
        # BEGIN HIDDEN
        hidden=hidden.backprop_checks(),
        # END HIDDEN
    ),
    "batchnorm": Task(
        title="Batch normalization's forward and backward pass in NumPy (the CS231n exercise)",
        files=("custom/numpy_batchnorm.py",),
        subject="custom.numpy_batchnorm",
        summary="μ, the biased σ² (1/m), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β and the running "
                "averages; at inference the running statistics; dx with the mean's and the "
                "variance's terms.",
        try_it=("python -m labs normalization --quick",),
        public=batchnorm.PUBLIC,
        # BEGIN HIDDEN
        hidden=hidden_normalization.HIDDEN["batchnorm"],
        # END HIDDEN
    ),
    "gradient_clipping": Task(
        title="Gradient clipping by value, norm and global norm (Learning Algorithms, exercise 6)",
        files=("custom/clipping.py",),
        subject="custom.clipping",
        summary="By value min(max(g, −c), c); by norm g·c / max(‖g‖, c) per tensor; by global "
                "norm g·c / max(‖G‖, c) with ‖G‖ = √(Σ‖gᵢ‖²).",
        try_it=("python -m labs gradient_clipping --quick",),
        public=training.PUBLIC["gradient_clipping"],
        # BEGIN HIDDEN
        hidden=hidden_training.HIDDEN["gradient_clipping"],
        # END HIDDEN
    ),
    "early_stopping": Task(
        title="Early stopping (Learning Algorithms, exercise 5)",
        files=("callbacks/early_stopping.py",),
        subject="callbacks.early_stopping:EarlyStopping",
        summary="Count the epochs since the best value; stop after `patience` of them; put "
                "back the best epoch's weights.",
        try_it=("python -m labs early_stopping --quick",),
        public=training.PUBLIC["early_stopping"],
        # BEGIN HIDDEN
        hidden=hidden_training.HIDDEN["early_stopping"],
        # END HIDDEN
    ),
    "lr_finder": Task(
        title="The learning-rate range test (Learning Algorithms, exercise 2)",
        files=("callbacks/lr_finder/finder.py",),
        subject="callbacks.lr_finder.finder",
        summary="η_i = start·(end/start)^(i/(steps−1)) for each batch, and the bias-corrected "
                "moving average a_i / (1 − βⁱ⁺¹) of the batch losses.",
        try_it=("python -m labs lr_finder --quick",),
        public=training.PUBLIC["lr_finder"],
        # BEGIN HIDDEN
        hidden=hidden_training.HIDDEN["lr_finder"],
        # END HIDDEN
    ),
}


def registered_optimizer(name):
    """A task made on the spot for an optimizer registered with ``custom.optimizers.register``.

    Its public checks are the optimizer tasks' five, against the registered Keras twin,
    at learning rate 0.05 and the optimizer's other defaults. There is no catalogue of
    mistakes for it, so a failure says where, but not why.
    """
    import custom.optimizers

    optimizer_class, twin, defaults = custom.optimizers.lookup(name)
    if twin is None:
        raise ValueError(f"optimizer {name!r} was registered without a keras_twin, so there is "
                         f"nothing to check it against")
    hyperparameters = (("learning_rate", 0.05), *sorted(defaults.items()))
    return Task(title=f"the registered optimizer {name!r}",
                files=(optimizer_class.__module__.replace(".", "/") + ".py",),
                subject=optimizer_class,
                summary=f"{optimizer_class.__name__} against keras.optimizers.{twin.__name__}.",
                public=optimizer_checks(name, hyperparameters))


def known(names, error=ValueError):
    """``names`` as a list, every one a task of the table.

    Raises:
        error: (a ``ValueError`` subclass: the caller's ``ReleaseError``, ``GradeError``, ...)
            naming the first unknown task and listing the tasks.
    """
    unknown = [name for name in names if name not in TASKS]
    if unknown:
        raise error(f"unknown task {unknown[0]!r}; choose from: {', '.join(TASKS)}")
    return list(names)
