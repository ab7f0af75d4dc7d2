"""The command line of the course kit (see ``assignments/__init__.py`` for the commands).

Exit status: 0 when everything asked for passed, 1 when a check failed, 2 for a usage
error (one line on stderr, naming the problem).
"""

import argparse
import pathlib
import sys

USAGE = """\
python -m assignments list
python -m assignments check TASK [--json] [--hidden]
python -m assignments release OUT_DIR [--tasks TASK ...] [--publish TASK ...] [--allow-dirty]
                              [--seed N] [--git [--remote URL]]
python -m assignments grade SUBMISSIONS_DIR --out RESULTS_DIR [--tasks TASK ...] [--timeout S]
                            [--jobs N] [--students NAME ...] [--trust-submissions]
python -m assignments autograder --tasks TASK ... --out BUNDLE.zip
python -m assignments autograde [--root /autograder]   (inside Gradescope's container)"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


class UsageError(ValueError):
    pass


def parser():
    top = _Parser(prog="python -m assignments", usage=USAGE)
    commands = top.add_subparsers(dest="command", parser_class=_Parser)
    commands.add_parser("list", help="one task a line, with its points")
    check = commands.add_parser("check", help="run a task's public checks")
    check.add_argument("task")
    check.add_argument("--json", action="store_true",
                       help="print the result in Gradescope's results.json format")
    check.add_argument("--hidden", action="store_true",
                       help="also run the hidden checks (the instructor's edition only)")
    release = commands.add_parser("release", help="write the student edition")
    release.add_argument("out_dir")
    release.add_argument("--tasks", nargs="+",
                         help="the tasks handed out, as stubs with a TODO (default: all)")
    release.add_argument("--publish", nargs="+",
                         help="tasks whose reference code ships; every task neither handed "
                              "out nor published is held (absent; the labs use its twin)")
    release.add_argument("--allow-dirty", action="store_true",
                         help="release from a tree with untracked or modified files "
                              "(only tracked files are released all the same)")
    release.add_argument("--git", action="store_true",
                         help="make OUT_DIR a git repository with one commit")
    release.add_argument("--remote", metavar="URL",
                         help="with --git: where it will be pushed (git remote origin); "
                              "notebooks exported in the release clone it")
    release.add_argument("--seed", type=int, default=None,
                         help="deal the debugging lab's letters to its causes by this seed "
                              "(python -m labs debugging --key --seed N prints the key)")
    grade = commands.add_parser("grade", help="grade a folder of submissions")
    grade.add_argument("submissions")
    grade.add_argument("--out", required=True)
    grade.add_argument("--tasks", nargs="+")
    grade.add_argument("--timeout", type=float, default=300.0,
                       help="seconds per student and task (default 300)")
    grade.add_argument("--jobs", type=int, default=None,
                       help="submissions graded at once (default: one per CPU core)")
    grade.add_argument("--students", nargs="+",
                       help="regrade only these students; everyone else's rows are kept")
    grade.add_argument("--trust-submissions", action="store_true",
                       help="grade without a sandbox where none can be made (marked so)")
    bundle = commands.add_parser("autograder", help="write a Gradescope autograder bundle")
    bundle.add_argument("--tasks", nargs="+", required=True)
    bundle.add_argument("--out", required=True)
    autograde = commands.add_parser("autograde", help="grade one submission in Gradescope's "
                                                      "container (run_autograder calls it)")
    autograde.add_argument("--root", default="/autograder")
    return top


def main(argv):
    try:
        arguments = parser().parse_args(argv)
        if arguments.command is None:
            raise UsageError("choose a command: list, check, release or grade")
        if arguments.command in NEED_TENSORFLOW:
            _import_tensorflow()
        return COMMANDS[arguments.command](arguments)
    except UsageError as error:
        print(f"python -m assignments: error: {error}", file=sys.stderr)
        return 2


def _import_tensorflow():
    """Import TensorFlow without its start-up chatter, before a command's work needs it.

    Only the commands whose work needs it import it (4-5 s of CPU): ``list`` and a held
    task's refusal read the task table alone and answer at once. (``autograde`` imports it
    after the student's run, inside the autograder.)
    """
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()


def list_tasks(arguments):
    from assignments import editions, tasks

    width = max(len(name) for name in tasks.TASKS)
    states = editions.stub_states()
    for name, task in tasks.TASKS.items():
        hidden = f" + {task.points - task.public_points:g} hidden" if task.hidden else ""
        held = " (held: not part of this edition)" if states.get(name) == "held" else ""
        print(f"{name:<{width}}  {task.public_points:g} points{hidden}  {task.title}{held}")
    return 0


def check(arguments):
    from assignments import runner

    if arguments.task not in _task_names():
        _import_tensorflow()   # A registered optimizer's name: its lookup imports Keras.
    try:
        definition = runner.task(arguments.task)
    except runner.UnknownTask as error:
        raise UsageError(str(error)) from None
    if arguments.hidden and not definition.hidden and arguments.task in _task_names():
        raise UsageError("this edition has no hidden checks (they are the instructor's)")
    from assignments import editions

    if editions.state(arguments.task) == "held":
        raise UsageError(f"task {arguments.task!r} is not part of this edition (it is held: "
                         "its code is absent and the labs use its trusted twin)")
    _import_tensorflow()
    result = runner.run(arguments.task, hidden=arguments.hidden)
    print(result.json() if arguments.json else result.text())
    return 0 if result.passed else 1


def _task_names():
    from assignments import tasks

    return tasks.TASKS


def release(arguments):
    """``release OUT_DIR [--tasks …] [--publish …] [--seed N] [--git [--remote URL]]``."""
    from assignments import release as release_module

    if arguments.remote is not None and not arguments.git:
        raise UsageError("--remote needs --git (the remote is the git repository's)")
    options = dict(allow_dirty=arguments.allow_dirty, publish=arguments.publish,
                   seed=arguments.seed)
    try:
        if arguments.git:    # The student edition as a git repository with one commit.
            written, commit = release_module.release_repository(
                arguments.out_dir, arguments.tasks, arguments.remote, **options)
        else:
            written, commit = release_module.release(arguments.out_dir, arguments.tasks,
                                                     **options), None
        handed, held, published = release_module.tasks_by_state(arguments.tasks,
                                                                arguments.publish)
    except release_module.ReleaseError as error:
        raise UsageError(str(error)) from None
    repository = f"; git repository, one commit {commit}" if commit else ""
    print(f"student edition in {arguments.out_dir}: {len(written)} files, tasks: "
          f"{', '.join(handed)}{repository}")
    print(f"held (absent; the labs use the trusted twin): {', '.join(held) or 'none'}; "
          f"published: {', '.join(published) or 'none'}")
    if arguments.git and arguments.remote is None:
        print("next: git remote add origin URL, push, then export the notebooks in it "
              "(python -m labs --notebooks notebooks)")
    elif arguments.git:
        print(f"next: git -C {arguments.out_dir} push -u origin main, then in "
              f"{arguments.out_dir}: python -m labs --notebooks notebooks")
    return 0


def grade(arguments):
    from assignments import grade as grade_module

    if arguments.jobs is not None and arguments.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {arguments.jobs}")
    try:
        graded = grade_module.grade(arguments.submissions, arguments.out, arguments.tasks,
                                    arguments.timeout, arguments.jobs, arguments.students,
                                    arguments.trust_submissions)
    except grade_module.GradeError as error:
        raise UsageError(str(error)) from None
    print(grade_module.summary(graded))
    out = pathlib.Path(arguments.out)
    print(f"grades: {out / 'grades.csv'}; scores: {out / 'scores.csv'}; Gradescope results: "
          f"{out}/<student>/results.json")
    return 0


def autograder(arguments):
    from assignments import autograder as bundle

    try:
        path = bundle.write_bundle(arguments.out, arguments.tasks)
    except bundle.BundleError as error:
        raise UsageError(str(error)) from None
    print(f"Gradescope autograder: {path} (tasks: {', '.join(arguments.tasks)}); upload it "
          "as the assignment's autograder")
    return 0


def autograde(arguments):
    from assignments import autograder as bundle

    return bundle.autograde(arguments.root)


# Commands whose work imports TensorFlow from the start: grading computes the twins' numbers;
# a release packs the debugging lab's runs (labs.helpers.debugging_recipes imports Keras), and
# a bundle holds a release. ``check`` imports it itself, once it knows it runs a check.
NEED_TENSORFLOW = {"release", "grade", "autograder"}

COMMANDS = {"list": list_tasks, "check": check, "release": release, "grade": grade,
            "autograder": autograder, "autograde": autograde}

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
