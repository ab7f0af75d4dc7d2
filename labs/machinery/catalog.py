"""Finds the labs: every ``labs/NAME.py`` whose name does not start with an underscore.

A lab's one-line description is the first line of its module docstring, read
without importing the lab (so ``--list`` is instant and needs no TensorFlow).
"""

import ast
import pathlib

LESSONS = pathlib.Path(__file__).resolve().parent.parent   # labs/

# The order of the course. Labs not named here come after these, alphabetically.
ORDER = (
    "tour",
    "gradient_descent",
    "curvature",
    "nesterov",
    "loss_functions",
    "backprop",
    "activations",
    "initialization",
    "fit_vs_tape",
    "minibatch",
    "training_loop",
    "optimizers",
    "schedules",
    "lr_finder",
    "early_stopping",
    "regularization",
    "normalization",
    "gradient_clipping",
    "xor_keras",
    "data_parallel",
    "diagnostics",
    "debugging",
)

# Labs that split the CPU into logical devices, which TensorFlow allows only before it has
# started its devices: the front door starts TensorFlow so for them (else they fall back
# on a fresh process for those runs).
LOGICAL_CPUS = {"data_parallel": 2}


def names():
    """Every lab's name, in course order."""
    found = {path.stem for path in LESSONS.glob("*.py") if not path.stem.startswith("_")}
    ordered = [name for name in ORDER if name in found]
    return ordered + sorted(found - set(ordered))


def path(name):
    return LESSONS / f"{name}.py"


def description(name):
    """The first line of the lab's docstring."""
    tree = ast.parse(path(name).read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree) or ""
    return docstring.strip().splitlines()[0] if docstring.strip() else "(no description)"
