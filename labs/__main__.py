"""The front door.

    python -m labs                  the tour: a short lab that shows the whole module
    python -m labs --list           one lab per line: name, then a description
    python -m labs NAME [FLAGS]     run one lab; FLAGS go to it (try NAME --help)
    python -m labs --all --quick    run every lab in quick mode, then a summary table
    python -m labs --notebooks DIR  export every lab as DIR/NAME.ipynb for Jupyter and Colab,
                                    with DIR/README.md, their index of Colab links; add
                                    --instructor to keep the exercises' answer cells (and
                                    reveal = "all" in their parameters cells; the
                                    students' export runs in a student repository:
                                    python -m assignments release OUT --git --remote URL)
    python -m labs debugging --key [--seed N]
                                    the instructor's edition: which cause each run of the
                                    debugging lab has, in the student edition released
                                    with --seed N (without it, the instructor's order)
    python -m labs --notebooks DIR --session N
                                    class plan N (or all) of labs/SESSIONS.md as one notebook,
                                    DIR/session_N.ipynb: its labs in one kernel, set up once;
                                    --instructor adds the closing question's model answer
    python -m labs tally FOLDER     sum up a class's predictions: every outcomes.json under
                                    FOLDER, per question how many chose each answer

In a lab, --ask asks each prediction's question in the terminal and waits for the answer
before the run reveals it; --reveal answered shows only the answers that were predicted.
"""

import os
import runpy
import sys
import time

from custom import quiet_import
from labs.machinery import catalog, environment, hyperparameters, unfinished

USAGE = __doc__


def run_lab(name, flags):
    """Run ``labs/NAME.py`` as ``__main__`` with ``flags`` as its argv. Returns its exit status."""
    quiet_import.import_tensorflow_quietly(catalog.LOGICAL_CPUS.get(name, 1))
    saved_argv = sys.argv
    sys.argv = [f"labs.{name}", *flags]
    try:
        runpy.run_module(f"labs.{name}", run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except NotImplementedError as error:
        if unfinished.report(name, error):   # A student's task that is still a stub.
            return 2
        raise
    finally:
        sys.argv = saved_argv
    return 0


def run_all(flags):
    """Run every lab one after another in this process; print a table; 1 if any failed.

    ``--out DIR`` puts each lab's outputs in ``DIR/NAME/``.
    """
    import traceback

    import keras

    out = None
    if "--out" in flags:
        at = flags.index("--out")
        if at + 1 >= len(flags):
            return usage_error("--out needs a folder")
        out, flags = flags[at + 1], flags[:at] + flags[at + 2:]
    results = []
    for name in catalog.names():
        print(f"\n{'=' * 72}\n{name}\n{'=' * 72}")
        started = time.perf_counter()
        lab_flags = flags + (["--out", os.path.join(out, name)] if out else [])
        try:
            status = run_lab(name, lab_flags)
        except Exception:
            traceback.print_exc()
            status = 1
        results.append((name, status, time.perf_counter() - started))
        keras.backend.clear_session()
    print(f"\n{'lab':<20} {'status':<8} seconds")
    for name, status, seconds in results:
        print(f"{name:<20} {'ok' if status == 0 else 'FAILED':<8} {seconds:7.1f}")
    return 0 if all(status == 0 for _, status, _ in results) else 1


def debugging_key(flags):
    """Print the debugging lab's letter → cause key for ``--seed N`` (the release's seed)."""
    seed = None
    if flags[:1] == ["--seed"] and len(flags) == 2 and flags[1].isdigit():
        seed = int(flags[1])
    elif flags:
        return usage_error("debugging --key takes only --seed N, the release's seed "
                           "(an integer >= 0)")
    try:
        from labs.helpers import debugging_cases
    except ImportError:
        return usage_error("the debugging lab's key is in the instructor's edition only")
    print(debugging_cases.key_text(seed))
    return 0


def usage_error(message):
    print(f"python -m labs: error: {message}", file=sys.stderr)
    return 2


def export_sessions(arguments):
    """``--notebooks DIR --session N|all [--instructor]``: one notebook per class plan."""
    instructor = "--instructor" in arguments
    rest = [argument for argument in arguments if argument != "--instructor"]
    if (len(rest) != 3 or rest[0].startswith("-") or rest[1] != "--session"
            or rest[2].startswith("-")):
        return usage_error("--notebooks DIR --session N needs one folder and a plan number "
                           "(or all), e.g. --notebooks notebooks/ --session 1")
    from labs.machinery import session_notebooks

    try:
        return session_notebooks.main(rest[0], rest[2], instructor)
    except hyperparameters.UsageError as error:
        return usage_error(str(error))


def main(argv):
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if argv and argv[0] == "--list":
        names = catalog.names()
        width = max(len(name) for name in names)
        for name in names:
            print(f"{name:<{width}}  {catalog.description(name)}")
        return 0
    if argv and argv[0] == "--notebooks" and "--session" in argv:
        return export_sessions(argv[1:])
    if argv and argv[0] == "--notebooks":
        instructor = argv[2:] == ["--instructor"]
        if len(argv) not in (2, 3) or argv[1].startswith("-") or (len(argv) == 3
                                                                  and not instructor):
            return usage_error("--notebooks needs one folder, e.g. --notebooks notebooks/ "
                               "(then --instructor to keep the answers)")
        from labs.machinery import notebooks

        try:
            return notebooks.main(argv[1], instructor)
        except hyperparameters.UsageError as error:
            return usage_error(str(error))
    if argv and argv[0] == "tally":
        from labs.machinery import tally

        return tally.main(argv[1:])
    if argv and argv[0] == "--all":
        if environment.quick_from_environment() or "--quick" in argv:
            os.environ[environment.QUICK_ENV] = "1"
        return run_all([flag for flag in argv[1:] if flag != "--quick"])
    if not argv or argv[0].startswith("-"):
        return run_lab("tour", argv)
    name, flags = argv[0], argv[1:]
    if name == "debugging" and "--key" in flags:
        return debugging_key([flag for flag in flags if flag != "--key"])
    if name not in catalog.names():
        return usage_error(f"unknown lab {name!r}; choose from: {', '.join(catalog.names())}")
    return run_lab(name, flags)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
