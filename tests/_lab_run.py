"""Lab runs that several tests read, and what tests/test_labs.py checks of each: the exit
status, and for each figure saved to a file, whether it draws something and has a title
(``tests/_figures.py``).

- ``run``: one lab in a fresh process, as a class runs it (``python -m labs NAME FLAGS``), for
  tests that need its output as the screen shows it (no warnings, no retracing) and its
  numbers; ``python -m tests._lab_run FACTS NAME FLAGS...`` is the process, which writes the
  figures' facts to the file FACTS.
- ``in_process``: one lab in this process, its standard output kept;
  ``at_test_labs_settings`` is such a run at tests/test_labs.py's seed and flags.
- ``labs_in_one_process``: several labs one after another in one fresh process (in a student
  edition, say), as ``python -m labs --all`` runs them, each lab's status, printed lines and
  figures' facts kept apart (``each_lab``, ``figures``); ``before_any_task_is_written`` is
  such a run of every lab that uses a task, in a student edition.
"""

import contextlib
import io
import json
import pathlib
import subprocess
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parents[1]


class _Patch:
    """The one method of pytest's monkeypatch that ``_figures.record_saved`` calls; the
    process ends after the lab, so nothing is undone."""

    @staticmethod
    def setattr(target, name, value):
        setattr(target, name, value)


def run(name, flags, folder, env=None, timeout=600):
    """Run lab ``name`` with ``flags`` in a fresh process (its figures and outcomes go to
    ``folder``/``name`` through ``--out``). Returns status, output (stdout then stderr), out
    (the folder) and figures: [(file name, draws something, has a title)]."""
    out, facts = folder / name, folder / f"{name}_figures.json"
    finished = subprocess.run(
        [sys.executable, "-m", "tests._lab_run", str(facts), name, *flags, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)
    figures = ([tuple(fact) for fact in json.loads(facts.read_text(encoding="utf-8"))]
               if facts.exists() else [])
    return types.SimpleNamespace(status=finished.returncode, stdout=finished.stdout,
                                 stderr=finished.stderr, output=finished.stdout + finished.stderr,
                                 out=out, figures=figures)


def in_process(name, flags, folder):
    """Run lab ``name`` in this process through the front door with ``flags`` (its figures
    and outcomes go to ``folder``/``name`` through ``--out``), its standard output captured,
    then passed on (pytest shows it with a failing test). Returns status, stdout, out (the
    folder) and figures: [(file name, draws something, has a title)]. Standard output is
    passed on whether or not the lab raises."""
    import keras
    import pytest

    from labs import __main__ as front_door
    from tests import _figures

    out, printed = folder / name, io.StringIO()
    try:
        with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
            saved = _figures.record_saved(patch)
            status = front_door.run_lab(name, [*flags, "--out", str(out)])
            facts = _figures.facts(saved)
    finally:
        keras.backend.clear_session()
        sys.stdout.write(printed.getvalue())
    return types.SimpleNamespace(status=status, stdout=printed.getvalue(), out=out,
                                 figures=facts)


# --- Each lab at tests/test_labs.py's settings ---------------------------------------------

SEED = 7   # Not the default (0): no lesson may be true for one seed only.
OUTCOME_CHECKS = pathlib.Path(__file__).parent / "lab_outcomes"
# Nothing is predicted, so every reveal is withheld (and still recorded in outcomes.json):
# tests/test_withheld_answers.py reads the same run for what it printed before each reveal.
REVEAL = ["--reveal", "answered"]


def outcome_check(name):
    """The module ``tests/lab_outcomes/NAME.py``: ``FLAGS`` and ``check(outcomes)``."""
    import importlib.util

    path = OUTCOME_CHECKS / f"{name}.py"
    assert path.exists(), f"{name}: no {path.relative_to(path.parents[2])} checks its statements"
    spec = importlib.util.spec_from_file_location(f"lab_outcomes_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def at_test_labs_settings(name, folder):
    """Lab ``name`` in this process (``in_process``) in quick mode with ``SEED``, its
    ``FLAGS`` (tests/lab_outcomes/NAME.py) and ``REVEAL``: the run tests/test_labs.py checks
    and tests/test_withheld_answers.py reads."""
    return in_process(name, ["--quick", "--seed", str(SEED), *outcome_check(name).FLAGS,
                             *REVEAL], folder)


# --- Several labs in one process (a student edition's, or the repository's) -------------

BEGIN, END = "LAB-BEGIN", "LAB-END"


def labs_in_one_process(folder, runs, environment, facts=None, check=None):
    """Start one subprocess in ``folder`` that runs each ``(lab, flags)`` of ``runs`` through
    the front door (``labs.__main__.run_lab``), one after another, clearing Keras' session
    between them. A lab that raises is reported with status ``error`` and the next one runs.
    With ``check`` (a task), the task's check runs after the labs, through the command line's
    own main as ``python -m assignments check TASK`` calls it, and is reported as a lab named
    ``check:TASK`` (its exit status, its printed lines); the labs have ended by then, so it
    changes none of their runs.

    TensorFlow starts first with one CPU device, as in a student's notebook kernel, so that
    data_parallel takes the path a notebook takes: its two-replica runs go to a fresh Python
    (``labs.helpers.data_parallel.mirrored_runs_in_subprocess``; the suite's one run of that
    path, tests/test_editions.py). With ``facts`` (a folder), each lab's figures' facts (file name,
    draws something, has a title; ``tests/_figures.py``) go to ``facts``/NAME_figures.json,
    read back by ``figures``. Returns the ``subprocess.Popen``."""
    script = ("import json, pathlib, traceback\n"
              "from custom import quiet_import\n"
              "quiet_import.import_tensorflow_quietly()\n"
              "import keras\nfrom labs import __main__ as front_door\n"
              "from tests import _figures, _lab_run\n"
              "saved = _figures.record_saved(_lab_run._Patch())\n"
              f"facts = {None if facts is None else str(facts)!r}\n"
              f"for name, flags in {[(name, list(flags)) for name, flags in runs]!r}:\n"
              f"    print('{BEGIN}', name, flush=True)\n"
              "    try:\n"
              "        status = front_door.run_lab(name, flags)\n"
              "    except Exception:\n"
              "        traceback.print_exc()\n"
              "        status = 'error'\n"
              "    if facts is not None:\n"
              "        pathlib.Path(facts, name + '_figures.json').write_text(\n"
              "            json.dumps(_figures.facts(saved)), encoding='utf-8')\n"
              "    saved.clear()\n"
              "    keras.backend.clear_session()\n"
              f"    print('{END}', name, status, flush=True)\n"
              f"check = {check!r}\n"
              "if check is not None:\n"
              "    from assignments.__main__ import main as assignments_main\n"
              f"    print('{BEGIN}', 'check:' + check, flush=True)\n"
              "    status = assignments_main(['check', check])\n"
              f"    print('{END}', 'check:' + check, status, flush=True)\n")
    return subprocess.Popen([sys.executable, "-c", script], cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment)


def each_lab(finished):
    """{lab: (exit status as printed, the lines the lab printed)} of a finished
    ``labs_in_one_process``; a lab that never ended (the process died) has status None."""
    labs, lines = {}, None
    for line in finished.stdout.splitlines():
        if line.startswith(f"{BEGIN} "):
            name, lines = line.split()[1], []
            labs[name] = (None, lines)
        elif line.startswith(f"{END} "):
            _, name, status = line.split()
            labs[name] = (status, lines)
            lines = None
        elif lines is not None:
            lines.append(line)
    return labs


def figures(facts, name):
    """The figures' facts ``labs_in_one_process`` wrote for lab ``name`` in ``facts``:
    [(file name, draws something, has a title)]; [] when the lab never got that far."""
    path = pathlib.Path(facts) / f"{name}_figures.json"
    return ([tuple(fact) for fact in json.loads(path.read_text(encoding="utf-8"))]
            if path.exists() else [])


# --- The labs of a student edition before the student writes anything ---------------------

# The labs that pick a task's code or its twin (labs/machinery/twins.py), besides the tour.
TWIN_LABS = ("curvature", "nesterov", "fit_vs_tape", "lr_finder", "optimizers", "schedules",
             "data_parallel", "loss_functions", "backprop", "minibatch", "training_loop",
             "xor_keras", "gradient_clipping", "early_stopping", "normalization",
             "regularization")
# The labs of that run that tests/test_labs.py checks as the class runs them (quick mode,
# default seed, no flag): they run exactly so.
AS_THE_CLASS_RUNS_THEM = ("early_stopping", "schedules")
# Flags (besides quick mode, which the edition's environment turns on) that make each other
# lab small: the run's claim is only that every lab runs (exit 0, no traceback, the twin's
# notice) before a student writes anything. Each value is within the lab's declared range,
# and each lab still exits 0 with it: xor_keras keeps quick mode's 500 steps (with 10, no
# seed reaches 100 % and the lab stops), gradient_clipping quick mode's 256 samples (fewer
# epochs only, as SHORT runs it), lr_finder has no flag (in an edition without its task
# the lab is skipped at once).
SMALL = {"tour": ["--epochs", "3", "--warmup-epochs", "1", "--n-samples", "40"],
         "curvature": ["--quadratic-steps", "10", "--saddle-steps", "10",
                       "--plateau-steps", "10"],
         "nesterov": ["--ravine-steps", "10"],
         "fit_vs_tape": ["--n-samples", "64", "--epochs", "1"],
         "optimizers": ["--ravine-steps", "5", "--rosenbrock-steps", "5", "--n-samples", "20",
                        "--epochs", "2"],
         "data_parallel": ["--samples", "64", "--epochs", "1"],
         "loss_functions": ["--points", "11"],
         "backprop": ["--restarts", "1", "--epochs", "10"],
         "minibatch": ["--n-train", "20", "--epochs", "1", "--batch-sizes", "8"],
         "training_loop": ["--epochs", "2", "--real-epochs", "1"],
         "gradient_clipping": ["--epochs", "2"],
         "normalization": ["--n-train", "64", "--learning-rates", "0.3", "--epochs", "1",
                           "--tiny-batch-samples", "4", "--depth", "2", "--width", "8"],
         "regularization": ["--n-train", "10", "--n-val", "10", "--epochs", "1",
                            "--hidden-units", "8"]}


def edition_environment():
    """A student's environment in an edition: its own code only, quick mode on."""
    import os

    return {**os.environ, "PYTHONPATH": "", "LABS_QUICK": "1"}


def before_any_task_is_written(edition, folder, timeout=900, check=None):
    """The tour and every lab of TWIN_LABS in ``edition``, in one process, before the student
    writes anything (``SMALL``'s flags; ``AS_THE_CLASS_RUNS_THEM`` with none), each lab's
    outputs in ``folder``/NAME; then, with ``check`` (a task), that task's check, reported
    as the lab ``check:TASK`` (``labs_in_one_process``). Returns finished (the
    CompletedProcess), labs (``each_lab`` of it), folder, and figures(name) (that lab's
    figures' facts)."""
    runs = [(name, [*SMALL.get(name, []), "--out", str(folder / name)])
            for name in ("tour", *TWIN_LABS)]
    process = labs_in_one_process(edition, runs, edition_environment(), facts=folder,
                                  check=check)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    finished = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return types.SimpleNamespace(finished=finished, labs=each_lab(finished), folder=folder,
                                 figures=lambda name: figures(folder, name))


def main(facts, argv):
    from labs import __main__ as front_door
    from tests import _figures

    saved = _figures.record_saved(_Patch())
    status = front_door.main(argv)
    pathlib.Path(facts).write_text(json.dumps(_figures.facts(saved)), encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
