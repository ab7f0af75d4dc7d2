"""Run several labs, each alone in a fresh process of its own, for one TensorFlow import.

``python -m labs NAME FLAGS`` spends some 5 s of CPU importing TensorFlow before the lab does
anything. A test that compares several labs against their runs alone would pay that once per
lab. Here one process imports TensorFlow and Keras, starts nothing of TensorFlow's runtime,
and forks one child per lab; each child runs ``labs.__main__.main([NAME, *FLAGS])`` and
exits. The children run one after another, never one inside another.

A child starts from a process that has only imported: no model was built, no seed set, no
function traced, no lab module imported, no Keras name counter moved, and TensorFlow's devices
and thread pools start in the child. That is the state ``python -m labs NAME`` is in when it
reaches its lab, so each child's run is a fresh run alone (its outcomes.json equals that of
``python -m labs NAME``; checked for gradient_descent and curvature when this was written).
The threads alive at the fork (NumPy's OpenBLAS pool, which handles a fork, and one of
TensorFlow's) hold no lock that a child needs. A TensorFlow runtime started before the fork
would: a child then waits forever on pool threads that it does not have.

``start(folder, runs)`` starts the process and returns at once (a test may wait on something
else meanwhile); ``finish(started)`` waits and returns, per lab, its exit status and its output
(stdout and stderr together, from ``folder/NAME.log``).
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import traceback

ROOT = pathlib.Path(__file__).resolve().parents[1]


def start(folder, runs, env=None):
    """Start the runs: ``runs`` is a list of ``(name, flags)``; logs go to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "tests._fresh_runs", str(folder),
                                json.dumps([[name, *flags] for name, flags in runs])],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    return process, folder, [name for name, _ in runs]


def finish(started, timeout=600):
    """Wait for ``start``'s runs; returns name → (exit status, output)."""
    process, folder, names = started
    try:
        own, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)   # The runner and the child it waits on.
        raise
    assert process.returncode == 0, f"the runner itself failed:\n{own}"
    statuses = dict(line.split()[1:3] for line in own.splitlines()
                    if line.startswith("STATUS "))
    return {name: (int(statuses[name]),
                   (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace"))
            for name in names}


def run_in_child(folder, name, flags):
    """In a forked child: run one lab with its output in ``folder/NAME.log``; never returns."""
    status = 1
    try:
        log = os.open(folder / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        from labs import __main__ as front_door

        status = front_door.main([name, *flags])
    except BaseException:   # noqa: B036  (the child must always reach os._exit)
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status if isinstance(status, int) else 1)


def main(folder, runs):
    # Imported only: TensorFlow's runtime (its devices, its thread pools) starts at a child's
    # first operation, in the child. Threads do not survive a fork, so a runtime started
    # here would leave each child waiting on pool threads it does not have.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # noqa: F401
    import tensorflow  # noqa: F401

    folder = pathlib.Path(folder)
    for name, *flags in json.loads(runs):
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:
            run_in_child(folder, name, flags)
        _, code = os.waitpid(child, 0)
        print(f"STATUS {name} {os.waitstatus_to_exitcode(code)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
