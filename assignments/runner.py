"""Run a task's checks on the code under test and collect a ``TaskResult``."""

from assignments import catalogue, checking
from assignments.worker import import_subject
from assignments import tasks as task_table


class UnknownTask(ValueError):
    """A task name that is not in the table."""


def task(name):
    """The ``Task`` called ``name``, or the checks of a registered optimizer of that name.

    Raises:
        UnknownTask: neither a task nor a registered optimizer with a Keras twin; the
            message lists every task.
    """
    if name in task_table.TASKS:
        return task_table.TASKS[name]
    try:
        return task_table.registered_optimizer(name)
    except ValueError as error:
        unknown = f"unknown task {name!r}; choose from: {', '.join(task_table.TASKS)}"
        if "unknown optimizer" in str(error):
            raise UnknownTask(unknown) from None
        raise UnknownTask(f"{unknown} ({error})") from None


def run(name, subject=None, hidden=False, reload=False, public=True):
    """Run the public checks of task ``name`` (and the hidden ones with ``hidden``).

    Args:
        name: a task of ``assignments.tasks.TASKS``.
        subject: the code under test; default the task's own ``subject`` (the student's file).
        hidden: also run the hidden checks (the reference edition only).
        reload: load the task's files afresh first (see ``import_subject``).
        public: run the public checks (the default); ``public=False, hidden=True`` runs
            the hidden ones alone (a test that has run the public ones already).

    Returns:
        a ``checking.TaskResult``. Code that fails to import gives every check 0 points
        with the reason; it never raises.
    """
    definition = task(name)
    checks = [(check, False) for check in definition.public] if public else []
    if hidden:
        checks += [(check, True) for check in definition.hidden]
    if subject is None:
        try:
            subject = definition.subject
            if isinstance(subject, str):
                subject = import_subject(subject, definition.files, reload)
        except Exception as error:   # A syntax error or a failing import in the student's file.
            outcome = checking.outcome_of_exception(error, definition.files)
            return checking.TaskResult(name, [
                checking.CheckResult(check.name, 0.0, check.points, False,
                                     f"could not import {definition.subject}: {outcome.feedback}",
                                     is_hidden)
                for check, is_hidden in checks])
    results = [checking.run_check(check, subject, catalogue.for_check(name, check), is_hidden,
                                  definition.files)
               for check, is_hidden in checks]
    return checking.TaskResult(name, results)
