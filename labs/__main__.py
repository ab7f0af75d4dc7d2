"""The front door.

    python -m labs                  the tour: a short lab that shows the whole module
    python -m labs --list           one lab per line: name, then a description
    python -m labs NAME [FLAGS]     run one lab; FLAGS go to it (try NAME --help)
    python -m labs --all --quick    run every lab in quick mode, then a summary table
    python -m labs --notebooks DIR  export every lab as DIR/NAME.ipynb for Jupyter and Colab,
                                    with DIR/README.md, their index of Colab links; add
                                    --instructor to keep the exercises' answer cells
                                    (and reveal = "all" in their parameters cells)
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
from labs import _catalog, _environment, _hyperparameters, _unfinished

USAGE = __doc__


def run_lab(name, flags):
    """Run ``labs/NAME.py`` as ``__main__`` with ``flags`` as its argv. Returns its exit status."""
    quiet_import.import_tensorflow_quietly()
    saved_argv = sys.argv
    sys.argv = [f"labs.{name}", *flags]
    try:
        runpy.run_module(f"labs.{name}", run_name="__main__", alter_sys=True)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    except NotImplementedError as error:
        if _unfinished.report(name, error):   # A student's task that is still a stub.
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
    for name in _catalog.names():
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


def usage_error(message):
    print(f"python -m labs: error: {message}", file=sys.stderr)
    return 2


def main(argv):
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if argv and argv[0] == "--list":
        names = _catalog.names()
        width = max(len(name) for name in names)
        for name in names:
            print(f"{name:<{width}}  {_catalog.description(name)}")
        return 0
    if argv and argv[0] == "--notebooks":
        instructor = argv[2:] == ["--instructor"]
        if len(argv) not in (2, 3) or argv[1].startswith("-") or (len(argv) == 3
                                                                  and not instructor):
            return usage_error("--notebooks needs one folder, e.g. --notebooks notebooks/ "
                               "(then --instructor to keep the answers)")
        from labs import _notebooks

        try:
            return _notebooks.main(argv[1], instructor)
        except _hyperparameters.UsageError as error:
            return usage_error(str(error))
    if argv and argv[0] == "tally":
        from labs import _tally

        return _tally.main(argv[1:])
    if argv and argv[0] == "--all":
        if _environment.quick_from_environment() or "--quick" in argv:
            os.environ[_environment.QUICK_ENV] = "1"
        return run_all([flag for flag in argv[1:] if flag != "--quick"])
    if not argv or argv[0].startswith("-"):
        return run_lab("tour", argv)
    name, flags = argv[0], argv[1:]
    if name not in _catalog.names():
        return usage_error(f"unknown lab {name!r}; choose from: {', '.join(_catalog.names())}")
    return run_lab(name, flags)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
