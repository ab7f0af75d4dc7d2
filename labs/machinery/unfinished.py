"""If a lab still reaches a student's unfinished task, it stops with one line, not a traceback.

Labs do not reach one: they ask ``labs/machinery/twins.py`` for each task's code and get its
trusted twin until the task is written. This stays as a safety net for code that does
not go through the twins. In the student edition, each task's code is a stub that raises
``NotImplementedError("TODO <task>: <hint> (<file>:<line>)")``. TensorFlow may wrap
that message when it is raised while a training step is traced, so the line is found
inside the message (``assignments.markers.parse_todo``) rather than taken whole.
"""

import os
import sys

from assignments import markers


def message(error):
    """The one line for an unfinished task's error, or None for any other error."""
    if not isinstance(error, NotImplementedError):
        return None
    todo = markers.parse_todo(str(error))
    if todo is None:
        return None
    line = (f"task '{todo.task}' is not written yet: {todo.where} ({todo.hint}); "
            f"write it and check it with python -m assignments check {todo.task}")
    if todo.where.startswith(("custom/optimizers/", "custom/numpy_batchnorm.py")):
        line += " (or run the lab with --impl keras, if it takes --impl)"
    return line


def report(lab_name, error):
    """Print the one line on stderr if ``error`` is an unfinished task; return whether it was."""
    line = message(error)
    if line is None:
        return False
    print(f"python -m labs {lab_name}: error: {line}", file=sys.stderr)
    return True


def install_hook(lab_name):
    """In a terminal run (``python -m labs.NAME``): an unfinished task ends the run with exit 2."""
    previous = sys.excepthook

    def hook(kind, error, traceback):
        if report(lab_name, error):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(2)
        previous(kind, error, traceback)

    sys.excepthook = hook
