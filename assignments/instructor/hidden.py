# ASSIGNMENTS: INSTRUCTOR ONLY
"""Hidden checks: the public checks' code on inputs the student has not seen.

A submission tuned to the public numbers (or right only for their hyperparameters)
fails here. Left out of the student edition; only ``grade`` runs them.
"""

from assignments.checks import maths, optimizers
from assignments.checks.optimizers import Scenario


def optimizer_checks(task, hyperparameters, small_gradients=False):
    """Longer runs, other hyperparameters and other seeds than the public checks."""
    changed = tuple((name, value * 0.5 if name == "learning_rate" else value)
                    for name, value in hyperparameters)
    scale = 0.05 if small_gradients else 2.0
    defaults = tuple((name, value) for name, value in hyperparameters
                     if name in ("learning_rate", "momentum", "nesterov"))
    return (
        optimizers.check("hidden: 30 steps, other seed and rate", 3, "trajectory", task,
                         Scenario(steps=30, hyperparameters=changed, seed=7,
                                  gradient_scale=scale)),
        optimizers.check("hidden: 20 steps at Keras' default hyperparameters", 2, "trajectory",
                         task, Scenario(steps=20, seed=11, decay=0.9, hyperparameters=defaults)),
    )


def schedule_checks(step_decay, exponential_decay, cosine_annealing, warmup_cosine):
    """Each schedule counted in epochs (steps_per_epoch) and with other values."""
    def changed(arguments, **updates):
        return tuple({**arguments, **updates}.items())
    return (
        maths.check("hidden: StepDecay per epoch", 1, "step_decay",
                    arguments=changed(step_decay, drop=0.3, steps_per_epoch=4), last_step=80),
        maths.check("hidden: ExponentialDecay per epoch", 1, "exponential_decay",
                    arguments=changed(exponential_decay, decay_rate=0.2, steps_per_epoch=3),
                    last_step=60),
        maths.check("hidden: CosineAnnealing, other T and η_final", 1, "cosine_annealing",
                    arguments=changed(cosine_annealing, decay_steps=7, final_learning_rate=0.0),
                    last_step=12),
        maths.check("hidden: WarmupCosine per epoch", 1, "warmup_cosine",
                    arguments=changed(warmup_cosine, warmup_steps=2, total_steps=9,
                                      steps_per_epoch=2), last_step=22),
    )


def loss_checks():
    """The five losses on other seeded batches."""
    return tuple(maths.check(f"hidden: {name} on other batches", 1, name, seed=5)
                 for name in ("mse", "bce", "bce_logits", "cce", "cce_logits"))


def gradient_check_checks():
    return (
        maths.check("hidden: another smooth function's point, h = 1e-6", 2, "smooth", seed=3,
                    step=1e-6),
        maths.check("hidden: Σθ³ at h = 0.1", 2, "cubic", seed=4, step=0.1),
    )


def backprop_checks():
    return (
        maths.check("hidden: backward_from_z on another batch", 2, "from_z", seed=9),
        maths.check("hidden: backward through Leaky ReLU", 2, "activation",
                    activation="leaky_relu", seed=2),
        maths.check("hidden: another network's backward pass", 2, "network", seed=4),
    )
