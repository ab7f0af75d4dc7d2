"""The shared lab runtime: flags, quick mode, seeding, the output folder and figures.

Every lab starts with one call::

    lab = _runtime.start("tour", {
        "epochs": 40,            # Enough for the curves to flatten.
        "learning_rate": 0.01,   # Adam's usual default.
    }, quick={"epochs": 5})

and then reads ``lab.epochs``, ``lab.learning_rate``, ``lab.seed`` and ``lab.out``.

* Each hyperparameter becomes a flag of the same name (``--learning-rate 0.1``).
  ``--seed``, ``--out DIR``, ``--quick`` and ``--deterministic`` are always there.
* Quick mode (``--quick``, or ``LABS_QUICK=1`` in the environment where flags
  cannot reach, such as notebooks and tests) applies the ``quick`` overrides.
  Explicit flags win over both.
* Outputs go to ``outputs/<lab>/``, or ``$LABS_OUTPUTS/<lab>/`` when that
  environment variable names another folder; ``--out DIR`` wins over both.
* In Jupyter or Colab the kernel's own argv is ignored, figures are shown
  inline as well as saved, and a bad value raises ``UsageError`` instead of
  exiting the kernel. Quick mode is off unless ``LABS_QUICK=1``. The notebooks'
  setup cell makes the repository the working directory, so ``outputs/`` is
  the repository's, wherever the notebook file sits (see ``labs/_notebooks.py``);
  so is a lab opened straight from ``labs/`` with jupytext.
  Keras' progress bars redraw in place there, as in a terminal.
* On the command line a bad value prints one line naming the problem and
  exits with status 2.
"""

import argparse
import os
import pathlib
import sys
import time

# Whole-number hyperparameters (sizes, counts, steps) must be at least 1, except those
# whose name contains one of these words, which may be 0. Any hyperparameter whose name
# contains "learning_rate" must be positive.
MAY_BE_ZERO = ("seed", "patience", "cooldown", "start_from_epoch", "warmup")
QUICK_ENV = "LABS_QUICK"
OUTPUTS_ENV = "LABS_OUTPUTS"


class UsageError(ValueError):
    """A flag or hyperparameter value that the lab cannot use."""


def in_notebook():
    """True inside a Jupyter or Colab kernel (not in a terminal IPython)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def quick_from_environment():
    """True when ``LABS_QUICK`` is set to 1, true or yes."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes")


# Lines that TensorFlow's C++ core writes to stderr at start-up on a machine without a GPU.
# They say nothing about the lesson, and TF_CPP_MIN_LOG_LEVEL does not silence them all.
_STARTUP_NOISE = ("absl::InitializeLog", "port.cc", "cudart_stub.cc", "cpu_feature_guard.cc",
                  "rebuild TensorFlow with", "cuda_platform.cc", "cuda_executor.cc",
                  "computation_placer.cc")


def import_tensorflow_quietly():
    """Import TensorFlow and find its devices, dropping its start-up chatter from stderr.

    Anything else TensorFlow writes during the import (a real error) is passed on.
    """
    import tempfile

    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_logical_devices()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        for line in captured.read().decode(errors="replace").splitlines():
            if not any(noise in line for noise in _STARTUP_NOISE):
                print(line, file=sys.stderr)


def seed_everything(seed, deterministic=False):
    """Seed Python, NumPy and TensorFlow through ``keras.utils.set_random_seed``.

    With ``deterministic=True`` TensorFlow also picks deterministic kernels, so
    that two runs give bit-identical numbers at some cost in speed. Multi-threaded
    CPU reductions can otherwise differ in the last bits from run to run.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _flag(name):
    return "--" + name.replace("_", "-")


def _add_hyperparameter(parser, name, default):
    flag = _flag(name)
    if isinstance(default, bool):
        parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction,
                            default=argparse.SUPPRESS)
    elif isinstance(default, (list, tuple)):
        element = type(default[0]) if default else str
        parser.add_argument(flag, dest=name, type=element, nargs="+", default=argparse.SUPPRESS,
                            metavar=name.upper())
    else:
        kind = type(default) if default is not None else str
        parser.add_argument(flag, dest=name, type=kind, default=argparse.SUPPRESS,
                            metavar=name.upper(), help=f"default {default!r}")


def _build_parser(name, hyperparameters):
    parser = _Parser(prog=f"python -m labs {name}", allow_abbrev=False)
    parser.add_argument("--quick", action="store_true", default=argparse.SUPPRESS,
                        help="smaller data and fewer epochs (also LABS_QUICK=1)")
    parser.add_argument("--out", default=argparse.SUPPRESS, metavar="DIR",
                        help=f"where figures and CSVs go (default outputs/{name}/)")
    parser.add_argument("--deterministic", action="store_true", default=argparse.SUPPRESS,
                        help="bit-identical reruns through TensorFlow's op determinism")
    for key, default in hyperparameters.items():
        if key == "impl":
            parser.add_argument("--impl", choices=("custom", "keras"),
                                default=argparse.SUPPRESS,
                                help="the from-scratch optimizer or the Keras built-in")
        else:
            _add_hyperparameter(parser, key, default)
    return parser


def _is_whole_number(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _check_values(values, defaults):
    """Raise UsageError for a count below 1 (or 0), or a learning rate that is not positive."""
    for key, value in values.items():
        default = defaults.get(key)
        may_be_zero = any(word in key for word in MAY_BE_ZERO)
        counts = value if isinstance(value, (list, tuple)) else [value]
        if _is_whole_number(default) or (isinstance(default, (list, tuple)) and default
                                         and all(map(_is_whole_number, default))):
            if may_be_zero and min(counts) < 0:
                raise UsageError(f"{key} must be >= 0, got {value!r}")
            if not may_be_zero and min(counts) < 1:
                raise UsageError(f"{key} must be positive, got {value!r}")
        if "learning_rate" in key and isinstance(value, (int, float)) and not value > 0:
            raise UsageError(f"{key} must be positive, got {value!r}")
    if "dataset" in values:
        import datasets

        if values["dataset"] not in datasets.names():
            raise UsageError(f"unknown data set {values['dataset']!r}; choose from: "
                             f"{', '.join(datasets.names())}")
    if "optimizer" in values:
        import custom.optimizers

        try:
            custom.optimizers.get(values["optimizer"], implementation=values.get("impl", "custom"))
        except ValueError as error:
            raise UsageError(str(error)) from None


def _prepare_out(path):
    out = pathlib.Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot write to output folder {str(out)!r}: {reason}") from None
    return out


class Lab:
    """What ``start`` returns: the hyperparameters as attributes, and where outputs go.

    Attributes:
        name: the lab's name, e.g. ``"tour"``.
        out: ``pathlib.Path`` of the output folder, created and writable.
        quick: whether quick mode is on.
        seed: the seed every random draw derives from.
        notebook: whether the lab runs inside Jupyter or Colab.
        plus one attribute per hyperparameter, after quick mode and flags.
    """

    def __init__(self, name, values, out, quick, notebook):
        self.name = name
        self.out = out
        self.quick = quick
        self.notebook = notebook
        self.hyperparameters = dict(values)
        for key, value in values.items():
            if hasattr(self, key):
                raise ValueError(f"hyperparameter {key!r} would hide Lab.{key}; rename it")
            setattr(self, key, value)
        self._started = time.perf_counter()

    def require(self, condition, message):
        """Stop with a one-line usage error unless ``condition`` holds.

        For a lab's own checks of its hyperparameters, e.g.
        ``lab.require(0 <= lab.dropout < 1, f"dropout must be in [0, 1), got {lab.dropout}")``.
        In a terminal it prints the message and exits with status 2; in a notebook
        it raises ``UsageError``.
        """
        if condition:
            return
        if self.notebook:
            raise UsageError(message)
        print(f"python -m labs {self.name}: error: {message}", file=sys.stderr)
        sys.exit(2)

    def path(self, filename):
        """The path of ``filename`` inside the output folder."""
        return self.out / filename

    def save_figure(self, figure, filename):
        """Save ``figure`` as a PNG in the output folder, show it in a notebook, close it.

        Returns the path written.
        """
        import matplotlib.pyplot as plt

        path = self.path(filename)
        figure.savefig(path, dpi=110, bbox_inches="tight")
        if self.notebook:
            # Show the saved PNG itself: the same picture as the file, whatever matplotlib
            # backend the kernel has (inline, or Agg when MPLBACKEND says so).
            from IPython.display import Image, display

            display(Image(filename=str(path)))
        plt.close(figure)
        print(f"  figure: {path}")
        return path

    def finish(self):
        """Print the elapsed time and every file the lab left in its output folder."""
        elapsed = time.perf_counter() - self._started
        files = sorted(p.name for p in self.out.iterdir() if p.is_file())
        print(f"\nDone in {elapsed:.1f} s. {len(files)} files in {self.out}/: {', '.join(files)}")


def start(name, hyperparameters, quick=None, argv=None):
    """Parse flags, seed everything, prepare the output folder, and return a ``Lab``.

    Args:
        name: the lab's name, which is also its module name in ``labs/``.
        hyperparameters: name → default value. Each one becomes a flag; its type
            follows the default. ``seed`` defaults to 0 when absent. Whole
            numbers must be >= 1 (>= 0 for names with a word in ``MAY_BE_ZERO``),
            learning rates > 0. ``optimizer`` (with ``impl``) is checked
            against ``custom.optimizers``, and ``dataset`` against ``datasets.names()``.
        quick: name → value used in quick mode instead of the default.
        argv: the flags to parse; default ``sys.argv[1:]``, or none in a notebook.
    """
    notebook = in_notebook()
    try:
        values = {"seed": 0, **hyperparameters}
        parser = _build_parser(name, values)
        if argv is None:
            argv = [] if notebook else sys.argv[1:]
        parsed, unknown = parser.parse_known_args(argv)
        if unknown and not notebook:
            raise UsageError(f"unrecognized arguments: {' '.join(unknown)} "
                             f"(see python -m labs {name} --help)")
        parsed = vars(parsed)
        is_quick = parsed.pop("quick", False) or quick_from_environment()
        out = parsed.pop("out") if "out" in parsed else _default_out(name, notebook)
        deterministic = parsed.pop("deterministic", False)
        if is_quick:
            values.update(quick or {})
        values.update(parsed)
        _check_values(values, {"seed": 0, **hyperparameters})
        out = _prepare_out(out)
    except UsageError as error:
        if notebook:
            raise
        print(f"python -m labs {name}: error: {error}", file=sys.stderr)
        sys.exit(2)

    _use_headless_backend_outside_notebooks(notebook)
    seed_everything(values["seed"], deterministic)
    mode = "quick mode" if is_quick else "full mode"
    print(f"Lab '{name}' ({mode}, seed {values['seed']}); outputs go to {out}/")
    return Lab(name, values, out, is_quick, notebook)


def _default_out(name, notebook):
    """``outputs/NAME`` (or ``$LABS_OUTPUTS/NAME``), relative to the working directory.

    A notebook opened straight from ``labs/`` (a lab's ``.py`` through jupytext) runs in
    that folder; its outputs still go to the repository's ``outputs/``.
    """
    root = os.environ.get(OUTPUTS_ENV) or "outputs"
    repository = pathlib.Path(__file__).resolve().parent.parent
    here = pathlib.Path.cwd().resolve()
    if notebook and not os.path.isabs(root) and repository in here.parents:
        root = repository / root
    return os.path.join(root, name)


def _use_headless_backend_outside_notebooks(notebook):
    import matplotlib

    if not notebook:
        matplotlib.use("Agg")
