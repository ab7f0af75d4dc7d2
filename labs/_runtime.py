"""The lab runtime: ``start`` turns a lab's hyperparameter block into a ``Lab``.

Every lab starts with one call::

    lab = _runtime.start("tour", {
        "epochs": param(40, minimum=1),           # Enough for the curves to flatten.
        "learning_rate": param(0.01, above=0),    # Adam's usual default.
    }, quick={"epochs": 5})

and then reads ``lab.epochs``, ``lab.learning_rate``, ``lab.seed`` and ``lab.out``.
``start`` does, in order, before the lab does any work:

1. read the flags (``labs/_flags.py``): one per hyperparameter, named as in the block
   (``--learning-rate 0.1``), plus ``--seed``, ``--out DIR``, ``--quick``,
   ``--deterministic`` and ``--tensorboard DIR``; in a notebook, read the parameters cell instead
   (``learning_rate = 0.1``; ``labs/_notebook_parameters.py``);
2. apply quick mode (``--quick``, or ``LABS_QUICK=1`` where flags cannot reach, such as
   notebooks and tests; ``labs/_environment.py``), then the flags or the values changed
   in the parameters cell, which win;
3. check every value against its declared type and range
   (``labs/_hyperparameters.py``): NaN, infinities and out-of-range values are refused;
4. create the output folder (``labs/_output.py``): ``outputs/<lab>/``,
   ``$LABS_OUTPUTS/<lab>/``, or ``--out DIR``;
5. seed Python, NumPy and TensorFlow (``labs/_seeding.py``).

Every ``model.fit`` and ``fit_with_tape`` of a lab takes its callbacks through
``lab.fit_callbacks(label, [...])``, which adds Keras' TensorBoard callback when
``--tensorboard DIR`` (or ``LABS_TENSORBOARD=DIR``) asks for it (``labs/_tensorboard.py``).

While it runs, a lab prints each measured outcome beside the question its prediction cell
asked (``lab.reveal``), records the numbers behind its other statements (``lab.record``),
and states what must hold for its lesson to be true (``lab.check``); all three go to
``outcomes.json`` in the output folder, which the tests read. A failed check makes the lab
exit with status 1 at ``lab.finish()`` (see ``labs/_classroom.py``).

On the command line a bad value prints one line naming the problem and exits with
status 2. In Jupyter or Colab the kernel's own argv is ignored, figures are shown
inline as well as saved, and a bad value raises ``UsageError`` instead of exiting the
kernel, whether it came from the parameters cell or the lab's own check. Quick mode
is off there unless ``LABS_QUICK=1``. The notebooks' setup cell
makes the repository the working directory, so ``outputs/`` is the repository's,
wherever the notebook file sits (see ``labs/_notebooks.py``).
"""

import sys
import time

from labs import (_classroom, _environment, _flags, _hyperparameters, _notebook_parameters,
                  _output, _seeding, _tensorboard, _twins, _unfinished)
from labs._hyperparameters import UsageError, param  # noqa: F401  (what labs use)


def start(name, hyperparameters, quick=None, argv=None):
    """Parse flags, check every value, prepare the output folder, seed, and return a ``Lab``.

    Args:
        name: the lab's name, which is also its module name in ``labs/``.
        hyperparameters: name → ``param(default, ...)``, the lab's declared block. Each
            one becomes a flag of its declared type; ``seed`` is added (>= 0).
        quick: name → value used in quick mode instead of the default.
        argv: the flags to parse; default ``sys.argv[1:]``, or none in a notebook.
    """
    notebook = _environment.in_notebook()
    declared = {"seed": _hyperparameters.SEED, **hyperparameters}
    _hyperparameters.check_declarations(declared, quick)
    if argv is None:
        argv = [] if notebook else sys.argv[1:]
    try:
        flags = _flags.parse(name, declared, argv, ignore_unknown=notebook)
        changed = {}
        if notebook:
            cell = _notebook_parameters.latest_cell()
            if cell is not None:
                changed = _notebook_parameters.values_from_cell(cell, name, declared)
        is_quick = flags.pop("quick", False) or _environment.quick_from_environment()
        out = flags.pop("out", None) or _output.default_folder(name, notebook)
        deterministic = flags.pop("deterministic", False)
        tensorboard = flags.pop("tensorboard", None) or _tensorboard.from_environment()
        values = {key: declaration.default for key, declaration in declared.items()}
        if is_quick:
            values.update(quick or {})
        values.update(flags)
        values.update(changed)
        _hyperparameters.check_values(values, declared)
        out = _output.prepare(out)
    except UsageError as error:
        if notebook:
            raise
        print(f"python -m labs {name}: error: {error}", file=sys.stderr)
        sys.exit(2)

    _environment.use_headless_backend_outside_notebooks(notebook)
    if not notebook:
        _unfinished.install_hook(name)
    _seeding.seed_everything(values["seed"], deterministic)
    _twins.reset()   # Each lab says once which tasks' twins it uses.
    mode = "quick mode" if is_quick else "full mode"
    print(f"Lab '{name}' ({mode}, seed {values['seed']}); outputs go to {out}/")
    if changed:
        print("Changed in the parameters cell: "
              + ", ".join(f"{key} = {value!r}" for key, value in changed.items()))
    if tensorboard is not None:
        print(f"TensorBoard logs go to {tensorboard}/ (tensorboard --logdir {tensorboard})")
    return Lab(name, values, out, is_quick, notebook, tensorboard)


class Lab:
    """What ``start`` returns: the hyperparameters as attributes, and where outputs go.

    Attributes:
        name: the lab's name, e.g. ``"tour"``.
        out: ``pathlib.Path`` of the output folder, created and writable.
        quick: whether quick mode is on.
        seed: the seed every random draw derives from.
        notebook: whether the lab runs inside Jupyter or Colab.
        tensorboard: the folder of ``--tensorboard DIR``, or None.
        plus one attribute per hyperparameter, after quick mode and flags.
    """

    def __init__(self, name, values, out, quick, notebook, tensorboard=None):
        self.name = name
        self.out = out
        self.quick = quick
        self.notebook = notebook
        self.tensorboard = tensorboard
        self._tensorboard_runs = _tensorboard.Runs(tensorboard) if tensorboard else None
        self.hyperparameters = dict(values)
        for key, value in values.items():
            if hasattr(self, key):
                raise ValueError(f"hyperparameter {key!r} would hide Lab.{key}; rename it")
            setattr(self, key, value)
        self._started = time.perf_counter()
        self.outcomes = {"lab": name, "hyperparameters": dict(values), "predictions": {},
                         "records": {}, "failed_checks": []}

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

    def fit_callbacks(self, label, callbacks=None):
        """The callbacks for one fit: ``callbacks``, plus TensorBoard with ``--tensorboard``.

        Pass the result to ``model.fit(..., callbacks=...)`` or ``fit_with_tape``. ``label``
        names the fit's run folder, e.g. ``lab.fit_callbacks("adam", [live.run("adam")])``.
        Without ``--tensorboard`` the list comes back as it was (a new list).
        """
        callbacks = list(callbacks or [])
        if self._tensorboard_runs is None:
            return callbacks
        return self._tensorboard_runs.callbacks(label, callbacks)

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

    def reveal(self, number, measured, **numbers):
        """Print prediction ``number``'s question with the measured outcome; record the numbers.

        ``measured`` is a sentence built from this run's numbers (never a fixed outcome), and
        ``numbers`` are the values it was built from, written to ``outcomes.json`` so that a
        test can check the sentence's claim against them.

        Raises:
            ValueError: when the lab has no prediction cell ``**Predict NUMBER.**``.
        """
        try:
            questions = _classroom.predictions(_classroom.lab_source(self.name))
        except OSError:          # A notebook copied away from the repository: no source.
            questions = {number: "(the question above)"}
        if number not in questions:
            raise ValueError(f"lab {self.name!r} has no prediction cell '**Predict {number}.**'")
        print(f"\nPredict {number}: {questions[number]}\n  Measured: {measured}")
        self.outcomes["predictions"][str(number)] = {
            "question": questions[number], "measured": measured, "numbers": numbers}
        self._write_outcomes()

    def record(self, key, **numbers):
        """Record the numbers behind a statement the lab prints, under ``key``, in
        ``outcomes.json``, for the tests that check the statement against them."""
        self.outcomes["records"][key] = numbers
        self._write_outcomes()

    def check(self, condition, message):
        """Note that something the lesson relies on does not hold (e.g. two runs that should
        agree do not). The lab goes on, so that every number is still shown, and
        ``finish`` then exits with status 1 (in a notebook, raises ``LabCheckFailed``)."""
        if condition:
            return
        print(f"CHECK FAILED: {message}")
        self.outcomes["failed_checks"].append(message)
        self._write_outcomes()

    def _write_outcomes(self):
        _classroom.write_outcomes(self.path("outcomes.json"), self.outcomes)

    def finish(self):
        """Print the elapsed time and every file the lab left in its output folder.

        Exits with status 1 (in a notebook, raises ``LabCheckFailed``) when a check failed.
        """
        elapsed = time.perf_counter() - self._started
        self._write_outcomes()
        files = sorted(p.name for p in self.out.iterdir() if p.is_file())
        print(f"\nDone in {elapsed:.1f} s. {len(files)} files in {self.out}/: {', '.join(files)}")
        failed = self.outcomes["failed_checks"]
        if not failed:
            return
        message = f"{len(failed)} check(s) failed: " + "; ".join(failed)
        if self.notebook:
            raise LabCheckFailed(message)
        print(f"python -m labs {self.name}: {message}", file=sys.stderr)
        sys.exit(1)


class LabCheckFailed(AssertionError):
    """Raised in a notebook by ``Lab.finish`` when something the lesson relies on failed."""
