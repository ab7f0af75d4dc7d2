# ASSIGNMENTS: INSTRUCTOR ONLY (the debugging lab's causes and the letter of each)
"""The broken runs of the ``debugging`` lab: each a recipe with one ingredient wrong, and its fix.

Each cause starts from ``debugging_recipes.BASE``, changes a few of its entries to set up
its task (``setting``), then one more to break it (``broken``). Its ``fix`` sets that entry
right, and nothing else, so the repaired run differs from the broken one by exactly the
cause.

The instructor's edition gives the causes the letters A to G in the order below. A student
edition released with ``--seed N`` deals the letters out by that seed (``runs(N)``) and
ships them packed in ``labs/helpers/debugging_runs.txt``; this file stays out of it. The key for
a seed: ``python -m labs debugging --key --seed N``.
"""

import dataclasses
import string

import numpy as np

from labs.helpers import debugging_recipes as recipes


@dataclasses.dataclass(frozen=True)
class Cause:
    """One cause: what breaks a run, and the one change that repairs it."""

    cause: str         # In a few words, one of ``recipes.CANDIDATES``.
    fix_text: str      # The fix, in one sentence.
    setting: dict      # The task: entries of BASE that this case sets for both runs.
    broken: dict       # The cause: the entries that break the run.
    fix: dict          # Those entries set right.

    def recipe(self, fixed):
        return {**recipes.BASE, **self.setting, **(self.fix if fixed else self.broken)}


# The instructor's fixed order; the letters are in a different order from the candidates.
CAUSES = (
    Cause("inputs not standardised",
          "standardise the inputs with statistics of the training part "
          "(datasets.Standardizer), so that every feature has mean 0 and spread 1",
          {"data": "breast_cancer_balanced", "optimizer": "sgd", "learning_rate": 0.01,
           "schedule": "constant"},
          {"standardise": False}, {"standardise": True}),
    Cause("labels shuffled",
          "shuffle samples and labels together (one permutation for both), never apart",
          {}, {"shuffle_labels": True}, {"shuffle_labels": False}),
    Cause("learning rate far too high",
          "lower the learning rate 10× (the LR range test of lr_finder finds a safe one)",
          {"data": "linear_regression", "hidden": [], "optimizer": "sgd",
           "schedule": "constant"},
          {"learning_rate": 1.5}, {"learning_rate": 0.15}),
    Cause("logits fed to a loss that expects probabilities",
          "tell the loss what it gets: from_logits=True (or add the softmax layer)",
          {"data": "digits", "hidden": [32], "output": "logits", "optimizer": "sgd",
           "learning_rate": 0.1},
          {"from_logits": False}, {"from_logits": True}),
    Cause(recipes.STRONG_PENALTY,
          "divide λ by 10 000 (λ = 1e-4): a penalty should nudge the weights, not flatten them",
          {}, {"l2": 1.0}, {"l2": 1e-4}),
    Cause("too little capacity",
          "give the network hidden ReLU layers (16 and 16 units): rings need a curved boundary",
          {}, {"hidden": []}, {"hidden": [16, 16]}),
    Cause("a schedule that decays to zero too early",
          "count the schedule's decay_steps in optimizer steps, epochs × steps per epoch: "
          "Keras schedules count batches, not epochs",
          {}, {"schedule": "cosine over `epochs` steps"}, {"schedule": "cosine over the run"}),
)


def order(seed):
    """Which cause each letter gets: the fixed order for ``seed=None``, else dealt by seed."""
    if seed is None:
        return list(range(len(CAUSES)))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be None or an integer >= 0, got {seed!r}")
    return [int(index) for index in np.random.default_rng(seed).permutation(len(CAUSES))]


def runs(seed=None):
    """The lab's runs, letters A, B, … dealt to the causes by ``order(seed)``."""
    return [recipes.Run(letter, CAUSES[index].cause, CAUSES[index].fix_text,
                        CAUSES[index].recipe(fixed=False), CAUSES[index].recipe(fixed=True))
            for letter, index in zip(string.ascii_uppercase, order(seed))]


def key(seed=None):
    """letter → cause for the edition released with ``seed`` (None: the instructor's order)."""
    return {run.letter: run.cause for run in runs(seed)}


def key_text(seed=None):
    """The key as the instructor prints it: one run a line, cause and fix."""
    named = "the instructor's fixed order" if seed is None else f"release --seed {seed}"
    lines = [f"The debugging lab's key for {named}:"]
    lines += [f"  Run {run.letter}: {run.cause}. Fix: {run.change_text()}"
              for run in runs(seed)]
    return "\n".join(lines)
