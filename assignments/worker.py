"""The student's side of grading: ``python -m assignments.worker``, run inside the sandbox.

The grader sends one request on standard input (pickled: it comes from the trusted side):
the task's subject (``"module:attribute"``), the task's files, and a list of
``(key, "module:function", options)``, one per check, public and hidden alike. The worker
imports the student's code, runs each check's ``produce`` half on its options, and writes
one JSON document to its standard output, the channel the grader reads once it has ended::

    {"outputs": {key: Outputs.encode() | {"error": "...", "kind": "memory" | "error"}},
     "import_error": null | "..."}

Before the student's code is imported, standard output is moved out of its reach: what the
student prints goes to standard error, which the grader caps and otherwise ignores. None of
this is a defence by itself: the student's process can write anything to the channel. It is
safe because the channel holds only the student's own numbers, and the grader computes the
expected values and every score itself (``assignments/grade.py``). Nothing here knows an
expected value, a hidden check's name or a score.
"""

import importlib
import json
import os
import pickle
import sys


def import_subject(path, files=(), reload=False):
    """``"package.module:attribute"`` → the object (the module itself when no attribute).

    With ``reload``, the modules of ``files`` (the task's files) are loaded afresh
    first, and then the subject's own module, so that a notebook that has just
    rewritten a file with ``%%writefile`` checks the new code, not the one it imported
    before. (Reloading makes new classes, so it is for a student's kernel only.)
    """
    module_name, _, attribute = path.partition(":")
    file_modules = [file.removesuffix(".py").replace("/", ".") for file in files]
    if reload:
        for name in file_modules:
            if name in sys.modules:
                importlib.reload(sys.modules[name])
    module = importlib.import_module(module_name)
    if reload and module_name not in file_modules:
        module = importlib.reload(module)
    return getattr(module, attribute) if attribute else module


def produce_function(path):
    """``"assignments.checks.NAME:function"`` → the function; nothing else may be asked for."""
    module_name, _, function_name = path.partition(":")
    if not module_name.startswith("assignments.checks.") or not function_name.isidentifier():
        raise ValueError(f"not a check's producing half: {path!r}")
    return getattr(importlib.import_module(module_name), function_name)


def run(request, channel):
    """Run every requested check's ``produce`` on the student's code; write the JSON to ``channel``."""
    from assignments import checking

    files = tuple(request["files"])
    reply = {"outputs": {}, "import_error": None}
    try:
        subject = import_subject(request["subject"], files)
    except MemoryError:
        reply["import_error"] = "memory"
        subject = None
    except BaseException as error:   # A syntax error, a failing import, even SystemExit.
        reply["import_error"] = checking.describe_exception(error, files)
        subject = None
    if subject is not None:
        for key, path, options in request["checks"]:
            try:
                outputs = produce_function(path)(subject, **dict(options))
                reply["outputs"][key] = outputs.encode()
            except MemoryError:
                reply["outputs"][key] = {"error": "memory", "kind": "memory"}
            except BaseException as error:   # The student's code may raise anything.
                reply["outputs"][key] = {"error": checking.describe_exception(error, files),
                                         "kind": "error"}
    channel.write(json.dumps(reply, allow_nan=True))
    channel.flush()


def main():
    request = pickle.loads(sys.stdin.buffer.read())
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)                       # The student's prints go to standard error.
    sys.stdout = sys.stderr
    run(request, channel)
    channel.close()
    os._exit(0)                         # No atexit handler of the student's runs after this.


if __name__ == "__main__":
    main()
