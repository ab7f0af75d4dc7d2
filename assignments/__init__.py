"""The course kit: tasks students write, the checks that name their mistakes, release and grading.

From a notebook cell::

    import assignments
    assignments.check("adam")          # prints each check, pass/fail, points and feedback

From a terminal::

    python -m assignments list                     one task a line, with its points
    python -m assignments check adam [--json]      the public checks of one task
    python -m assignments release OUT [--tasks …] [--publish …] [--seed N]
                                                   write the student edition (instructors);
                                                   N deals the debugging lab's letters
                                                   (--git [--remote URL]: as a git repository)
    python -m assignments grade SUBMISSIONS --out RESULTS [--tasks …]   grade a class

See README.md, "Assignments", for the instructor's and the student's paths.
"""


def check(task, subject=None, quiet=False):
    """Run the public checks of ``task``, print the report, and return the ``TaskResult``.

    Args:
        task: a task name (``python -m assignments list``).
        subject: the code under test; default the student's file named in the task table.
        quiet: return the result without printing it.
    """
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()
    from assignments import runner

    # A notebook may have just rewritten the task's files with %%writefile: load them afresh.
    result = runner.run(task, subject=subject, reload=subject is None)
    if not quiet:
        print(result.text())
    return result


def pack(task, folder="."):
    """Pack the task's files into ``submission-<task>.zip`` in ``folder``; return its path."""
    from assignments import notebooks, runner

    runner.task(task)   # An unknown task: UnknownTask, listing the tasks.
    return notebooks.pack(task, folder)


__all__ = ["check", "pack"]
