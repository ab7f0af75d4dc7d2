# ASSIGNMENTS: INSTRUCTOR ONLY
"""Hidden checks: the public checks' code on inputs the student has not seen.

A submission tuned to the public numbers (or right only for their hyperparameters)
fails here. Left out of the student edition; only ``grade`` runs them.
"""

from assignments.checking import Check
from assignments.checks import maths, optimizers
from assignments.checks.optimizers import Scenario


def optimizer_checks(task, hyperparameters, small_gradients=False):
    """Longer runs, other hyperparameters and other seeds than the public checks."""
    changed = tuple((name, value * 0.5 if name == "learning_rate" else value)
                    for name, value in hyperparameters)
    scale = 0.05 if small_gradients else 2.0
    return (
        Check("hidden: 30 steps, other seed and rate", 3, optimizers.trajectory,
              (("task", task), ("scenario", Scenario(steps=30, hyperparameters=changed,
                                                     seed=7, gradient_scale=scale)))),
        Check("hidden: 20 steps at Keras' default hyperparameters", 2, optimizers.trajectory,
              (("task", task), ("scenario", Scenario(
                  steps=20, seed=11, decay=0.9,
                  hyperparameters=tuple((name, value) for name, value in hyperparameters
                                        if name in ("learning_rate", "momentum", "nesterov")))))),
    )


def _part(name, **options):
    return (("part", name), *options.items())


def schedule_checks(step_decay, exponential_decay, cosine_annealing, warmup_cosine):
    """Each schedule counted in epochs (steps_per_epoch) and with other values."""
    def changed(arguments, **updates):
        return tuple({**arguments, **updates}.items())
    return (
        Check("hidden: StepDecay per epoch", 1, maths.values,
              _part("step_decay", arguments=changed(step_decay, drop=0.3, steps_per_epoch=4),
                    last_step=80)),
        Check("hidden: ExponentialDecay per epoch", 1, maths.values,
              _part("exponential_decay", arguments=changed(exponential_decay, decay_rate=0.2,
                                                           steps_per_epoch=3), last_step=60)),
        Check("hidden: CosineAnnealing, other T and η_final", 1, maths.values,
              _part("cosine_annealing", arguments=changed(cosine_annealing, decay_steps=7,
                                                          final_learning_rate=0.0),
                    last_step=12)),
        Check("hidden: WarmupCosine per epoch", 1, maths.values,
              _part("warmup_cosine", arguments=changed(warmup_cosine, warmup_steps=2,
                                                       total_steps=9, steps_per_epoch=2),
                    last_step=22)),
    )


def loss_checks():
    """The five losses on other seeded batches."""
    return tuple(Check(f"hidden: {name} on other batches", 1, maths.values, _part(name, seed=5))
                 for name in ("mse", "bce", "bce_logits", "cce", "cce_logits"))


def gradient_check_checks():
    return (
        Check("hidden: another smooth function's point, h = 1e-6", 2, maths.values,
              _part("smooth", seed=3, step=1e-6)),
        Check("hidden: Σθ³ at h = 0.1", 2, maths.values, _part("cubic", seed=4, step=0.1)),
    )


def backprop_checks():
    return (
        Check("hidden: backward_from_z on another batch", 2, maths.values,
              _part("from_z", seed=9)),
        Check("hidden: backward through Leaky ReLU", 2, maths.values,
              _part("activation", activation="leaky_relu", seed=2)),
        Check("hidden: another network's backward pass", 2, maths.values,
              _part("network", seed=4)),
    )
