"""The catalogue of known mistakes, as numbers a check can compare a student's with.

In the reference edition each entry is computed from its model in
``assignments/instructor/`` (code that is close to a solution, so instructor-only).
The student edition has no models: the release runs them for every public check and
writes their numbers to ``assignments/catalogue.json``, which is read here instead.
Both editions therefore name the same mistakes with the same numbers.
"""

import importlib
import importlib.util
import json
import pathlib

import numpy as np

from assignments import checking

STORED = pathlib.Path(__file__).resolve().parent / "catalogue.json"
# Task → the instructor module whose MISTAKES holds its entries.
MODELS = {
    "sgd_momentum": "optimizers", "nesterov": "optimizers", "ema_momentum": "optimizers",
    "rmsprop": "optimizers", "adam": "optimizers",
    "schedules": "maths", "losses": "maths", "gradient_check": "maths", "backprop": "maths",
    "batchnorm": "normalization",
    "gradient_clipping": "training", "early_stopping": "training", "lr_finder": "training",
}


def have_models():
    """True in the reference edition, where the instructor-only models exist."""
    return importlib.util.find_spec("assignments.instructor") is not None


def _entries(task, check):
    module = importlib.import_module(f"assignments.instructor.{MODELS[task]}")
    entries = module.MISTAKES.get(task, [])
    part = dict(check.options).get("part")
    # An entry may be limited to one part of a task (one schedule, one loss) by a 5th item.
    return [entry for entry in entries if len(entry) < 5 or entry[4] == part]


def key(task, check):
    return f"{task}: {check.name}"


def for_check(task, check):
    """The Candidates of ``check`` of ``task``: computed live, or read from the stored file."""
    if not check.catalogued or task not in MODELS:
        return []
    if have_models():
        return [checking.Candidate(name, cause, accepted, model(**check.kwargs()))
                for name, cause, accepted, model, *_ in _entries(task, check)]
    stored = json.loads(STORED.read_text(encoding="utf-8")) if STORED.exists() else {}
    return [_candidate(entry) for entry in stored.get(key(task, check), [])]


def _candidate(entry):
    arrays = {name: np.array(values, dtype=float) for name, values in entry["arrays"].items()}
    return checking.Candidate(entry["name"], entry["cause"], entry["accepted"],
                              checking.Outputs(arrays, entry["axis"]))


def _encode(candidate):
    return {"name": candidate.name, "cause": candidate.cause, "accepted": candidate.accepted,
            "axis": candidate.outputs.axis,
            "arrays": {name: np.asarray(array, dtype=float).tolist()
                       for name, array in candidate.outputs.arrays.items()}}


def stored_form(tasks):
    """What ``catalogue.json`` holds for the public checks of ``tasks`` (a dict, JSON-ready)."""
    from assignments import tasks as task_table

    stored = {}
    for name in tasks:
        for check in task_table.TASKS[name].public:
            candidates = for_check(name, check)
            if candidates:
                stored[key(name, check)] = [_encode(candidate) for candidate in candidates]
    return stored


def write(path, tasks):
    """Write the catalogue of ``tasks`` as JSON to ``path`` (NaN and ±inf as JSON allows)."""
    pathlib.Path(path).write_text(json.dumps(stored_form(tasks), allow_nan=True),
                                  encoding="utf-8")
