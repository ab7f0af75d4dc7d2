"""The lab runtime: ``start`` turns a lab's hyperparameter block into a ``Lab``.

Every lab starts with one call::

    lab = runtime.start("tour", {
        "epochs": param(40, minimum=1),           # Enough for the curves to flatten.
        "learning_rate": param(0.01, above=0),    # Adam's usual default.
    }, quick={"epochs": 5})

and then reads ``lab.epochs``, ``lab.learning_rate``, ``lab.seed`` and ``lab.out``.
``start`` does, in order, before the lab does any work:

1. read the flags (``labs/machinery/flags.py``): one per hyperparameter, named as in the block
   (``--learning-rate 0.1``), plus ``--seed``, ``--out DIR``, ``--quick``,
   ``--deterministic``, ``--tensorboard DIR``, ``--reveal all|answered`` and ``--ask``; in a notebook, read the parameters cell instead
   (``learning_rate = 0.1``; ``labs/machinery/notebook_parameters.py``);
2. apply quick mode (``--quick``, or ``LABS_QUICK=1`` where flags cannot reach, such as
   notebooks and tests; ``labs/machinery/environment.py``), then the flags or the values changed
   in the parameters cell, which win;
3. check every value against its declared type and range
   (``labs/machinery/hyperparameters.py``): NaN, infinities and out-of-range values are refused;
4. create the output folder (``labs/machinery/output.py``): ``outputs/<lab>/``,
   ``$LABS_OUTPUTS/<lab>/``, or ``--out DIR``;
5. seed Python, NumPy and TensorFlow (``labs/machinery/seeding.py``).

Every ``model.fit`` and ``fit_with_tape`` of a lab takes its callbacks through
``lab.fit_callbacks(label, [...])``, which adds Keras' TensorBoard callback when
``--tensorboard DIR`` (or ``LABS_TENSORBOARD=DIR``) asks for it (``labs/machinery/tensorboard.py``).

Before each experiment the student's answer to its question arrives through
``lab.predict(N, answer)`` (the "your-prediction" cell; with ``--ask``, typed at the
terminal). While it runs, a lab prints each measured outcome beside the question its
prediction cell asked and the prediction, says whether the prediction was right
(``lab.reveal``; with ``reveal = "answered"``, the notebooks' default, an unpredicted
outcome is withheld; ``--reveal``, ``LABS_REVEAL`` or ``reveal = ...`` in the parameters
cell set it), records the numbers behind its other statements (``lab.record``),
and states what must hold for its lesson to be true (``lab.check``; ``lab.agreement``
prints, records and checks in one statement that two things agree within a tolerance);
all of them go to ``outcomes.json`` in the output folder, which the tests read. A failed check makes the lab
exit with status 1 at ``lab.finish()`` (see ``labs/machinery/classroom.py``). Output that would give
a prediction's answer away before its reveal (a table of final losses, a verdict line, a
running diagnosis label, a figure shown inline) is printed only when ``lab.shows(N)``: in
reveal mode "all", or once prediction N has an answer; "Run all" in a student notebook
then shows the curves, not the answers.

On the command line a bad value prints one line naming the problem and exits with
status 2. In Jupyter or Colab the kernel's own argv is ignored, figures are shown
inline as well as saved, and a bad value raises ``UsageError`` instead of exiting the
kernel, whether it came from the parameters cell or the lab's own check. Quick mode
is off there unless ``LABS_QUICK=1``. The notebooks' setup cell
makes the repository the working directory, so ``outputs/`` is the repository's,
wherever the notebook file sits (see ``labs/machinery/notebooks.py``).
"""

import gc
import math
import sys
import time

from labs.machinery import (classroom, environment, flags, hyperparameters, notebook_parameters,
                            output, seeding, twins, unfinished)
from labs.machinery.tensorboard import Runs as TensorBoardRuns
from labs.machinery.tensorboard import from_environment as tensorboard_folder
from labs.machinery.hyperparameters import UsageError, param  # noqa: F401  (what labs use)


def start(name, block, quick=None, argv=None):
    """Parse flags, check every value, prepare the output folder, seed, and return a ``Lab``.

    Args:
        name: the lab's name, which is also its module name in ``labs/``.
        block: name → ``param(default, ...)``, the lab's declared hyperparameters. Each
            one becomes a flag of its declared type; ``seed`` is added (>= 0).
        quick: name → value used in quick mode instead of the default.
        argv: the flags to parse; default ``sys.argv[1:]``, or none in a notebook.
    """
    hyperparameters.hand_back_when_reading(block, quick)
    notebook = environment.in_notebook()
    declared = {"seed": hyperparameters.SEED, **block}
    hyperparameters.check_declarations(declared, quick)
    if argv is None:
        argv = [] if notebook else sys.argv[1:]
    try:
        given = flags.parse(name, declared, argv, ignore_unknown=notebook)
        changed = {}
        reveal = given.pop("reveal", None) or environment.reveal_from_environment()
        ask = given.pop("ask", False) and not notebook
        if notebook:
            cell = notebook_parameters.latest_cell()
            if cell is not None:
                changed = notebook_parameters.values_from_cell(cell, name, declared)
                reveal = notebook_parameters.reveal_from_cell(cell) or reveal
        reveal = reveal or environment.default_reveal(notebook)
        is_quick = given.pop("quick", False) or environment.quick_from_environment()
        out = given.pop("out", None) or output.default_folder(name, notebook)
        deterministic = given.pop("deterministic", False)
        logs = given.pop("tensorboard", None) or tensorboard_folder()
        values = {key: declaration.default for key, declaration in declared.items()}
        if is_quick:
            values.update(quick or {})
        values.update(given)
        values.update(changed)
        hyperparameters.check_values(values, declared)
        out = output.prepare(out)
    except UsageError as error:
        if notebook:
            raise
        print(f"python -m labs {name}: error: {error}", file=sys.stderr)
        sys.exit(2)

    environment.use_headless_backend_outside_notebooks(notebook)
    if not notebook:
        unfinished.install_hook(name)
    seeding.seed_everything(values["seed"], deterministic)
    # What is alive now (TensorFlow, Keras, the lab's imports: some 400 000 objects) lives to
    # the end. Frozen, no later garbage collection walks it again: 12-17 % of a quick run.
    gc.collect()
    gc.freeze()
    twins.reset()   # Each lab says once which tasks' twins it uses.
    mode = "quick mode" if is_quick else "full mode"
    print(f"Lab '{name}' ({mode}, seed {values['seed']}); outputs go to {out}/")
    if changed:
        print("Changed in the parameters cell: "
              + ", ".join(f"{key} = {value!r}" for key, value in changed.items()))
    if logs is not None:
        print(f"TensorBoard logs go to {logs}/ (tensorboard --logdir {logs})")
    if reveal == "answered":
        print("Each measured answer shows once you have predicted it (lab.predict(N, ...) "
              "in the cell after the question); reveal = \"all\" shows them all.")
    return Lab(name, values, out, is_quick, notebook, logs, reveal=reveal, ask=ask)


class Lab:
    """What ``start`` returns: the hyperparameters as attributes, and where outputs go.

    Attributes:
        name: the lab's name, e.g. ``"tour"``.
        out: ``pathlib.Path`` of the output folder, created and writable.
        quick: whether quick mode is on.
        seed: the seed every random draw derives from.
        notebook: whether the lab runs inside Jupyter or Colab.
        tensorboard: the folder of ``--tensorboard DIR``, or None.
        reveal: "all" (every measured answer is shown) or "answered" (only those of the
            questions predicted with ``predict``).
        ask: whether ``predict(N, None)`` asks for the answer on standard input (``--ask``).
        plus one attribute per hyperparameter, after quick mode and flags.
    """

    def __init__(self, name, values, out, quick, notebook, tensorboard=None, reveal="all",
                 ask=False):
        environment.check_reveal(reveal, "reveal")
        self.name = name
        self.reveal_mode = reveal
        self.ask = ask
        self._predicted = {}
        self.out = out
        self.quick = quick
        self.notebook = notebook
        self.tensorboard = tensorboard
        self._tensorboard_runs = TensorBoardRuns(tensorboard) if tensorboard else None
        self.hyperparameters = dict(values)
        for key, value in values.items():
            if hasattr(self, key):
                raise ValueError(f"hyperparameter {key!r} would hide Lab.{key}; rename it")
            setattr(self, key, value)
        self._started = time.perf_counter()
        self.outcomes = {"lab": name, "hyperparameters": dict(values), "reveal": reveal,
                         "predictions": {}, "records": {}, "failed_checks": []}

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

    def save_figure(self, figure, filename, show=True):
        """Save ``figure`` as a PNG in the output folder, show it in a notebook, close it.

        ``show=False`` saves it without showing it (a figure that would give away a
        prediction not yet revealed: ``show=self.shows(N)``). Returns the path written.
        """
        import matplotlib.pyplot as plt

        path = self.path(filename)
        figure.savefig(path, dpi=110, bbox_inches="tight")
        if self.notebook and show:
            # Show the saved PNG itself: the same picture as the file, whatever matplotlib
            # backend the kernel has (inline, or Agg when MPLBACKEND says so).
            from IPython.display import Image, display

            display(Image(filename=str(path)))
        plt.close(figure)
        print(f"  figure: {path}")
        return path

    def _questions(self):
        """``{number: Question}`` of this lab's prediction cells (``classroom.questions``)."""
        try:
            return classroom.questions(classroom.lab_source(self.name))
        except OSError:          # A notebook copied away from the repository: no source.
            return None

    def _question(self, number):
        questions = self._questions()
        if questions is None:
            return classroom.Question(number, "(the question above)")
        if number not in questions:
            raise ValueError(f"lab {self.name!r} has no prediction cell '**Predict {number}.**'")
        return questions[number]

    def predict(self, number, answer):
        """Remember the student's answer to prediction ``number``, before the run reveals it.

        ``answer`` is a choice's letter ("b") for a choice question, a number for a numeric
        one, or None for no prediction. With ``--ask`` in a terminal, None prints the question
        and its choices and reads the answer from standard input (an empty line or the end
        of input: no prediction).

        Raises:
            ValueError: for a letter that is not one of the question's choices, or a value
                that is not a finite number for a numeric question.
        """
        question = self._question(number)
        if answer is None and self.ask:
            answer = self._ask(question)
        if answer is None:
            self._predicted.pop(number, None)
            return None
        self._predicted[number] = _checked_answer(question, answer)
        return self._predicted[number]

    def _ask(self, question):
        """Print the question and read an answer until one is valid; None for none."""
        print(f"\nPredict {question.number}: {question.text()}")
        while True:
            try:
                typed = input(f"Your prediction ({question.hint().removeprefix('your answer: ')}"
                              "; Enter for none): ").strip()
            except EOFError:
                print()
                return None
            if not typed:
                return None
            try:
                return _checked_answer(question, typed)
            except ValueError as error:
                print(error)

    def shows(self, number):
        """Whether ``reveal(number, ...)`` will show its measured outcome: when prediction
        ``number`` has an answer (``predict``) or revealing is "all". Output that would give
        the answer away before the reveal (a table, a running label) is shown only then."""
        return number in self._predicted or self.reveal_mode == "all"

    def reveal(self, number, measured, answer=None, tolerance=None, **numbers):
        """Print prediction ``number``'s question with the prediction and the measured outcome;
        record the numbers. Returns whether the measured outcome was shown.

        Args:
            number: N of the prediction cell ``**Predict N.**``.
            measured: a sentence built from this run's numbers (never a fixed outcome).
            answer: for a choice question, the letter this run's numbers make right, or a
                tuple of letters when several are; for a numeric question, the measured
                number. Computed from the numbers, never written as a constant.
            tolerance: for a numeric question, the relative tolerance that counts as right;
                by default, and necessarily, the one the question states.
            **numbers: the values the sentence was built from, written to ``outcomes.json``
                so that a test can check the sentence and the answer against them.

        With a prediction (``predict``) it says whether the prediction was right. Without one
        it shows the measured outcome and this run's answer when ``reveal`` is "all", and
        withholds them when it is "answered" (they are still recorded).

        Raises:
            ValueError: when the lab has no prediction cell ``**Predict NUMBER.**``, or when
                ``answer`` is not one of its choices (or not a number for a numeric question),
                or ``tolerance`` is not the question's.
        """
        question = self._question(number)
        if not question.choices and not question.numeric and _is_number(answer):
            # No source to read the question from: a number is a numeric question's answer.
            question = classroom.Question(number, question.question, unit="a number",
                                           tolerance=0.0 if tolerance is None else tolerance)
        key = _checked_key(question, answer, tolerance)
        predicted = self._predicted.get(number)
        right = None if predicted is None else _is_right(question, predicted, key)
        shown = predicted is not None or self.reveal_mode == "all"
        lines = [f"\nPredict {number}: {question.text()}"]
        if predicted is not None:
            verdict = ("Right." if right else
                       f"Not quite: this run's answer is {_answer_text(question, key)}.")
            lines.append(f"  You predicted {_answer_text(question, predicted, bare=True)}; "
                         f"measured: {_sentence(measured)} {verdict}")
        elif shown:
            lines.append(f"  Measured: {measured}")
            if key is not None:
                lines.append(f"  This run's answer: {_answer_text(question, key)}.")
        elif self.notebook:
            lines.append(f"  Measured: withheld until you predict: answer in the cell after the "
                         f"question (lab.predict({number}, ...)), run it, then run this cell "
                         "again.")
        else:
            lines.append("  Measured: withheld without a prediction (run again with --ask to "
                         "answer each question, or with --reveal all to see every answer).")
        print("\n".join(lines))
        self.outcomes["predictions"][str(number)] = {
            "question": question.question, "choices": question.choices or None,
            "tolerance": question.tolerance, "measured": measured, "numbers": numbers,
            "predicted": predicted, "answer": _plain_key(key), "right": right,
            "shown": shown}
        self._write_outcomes()
        return shown

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

    def agreement(self, key, what, difference, tolerance, show=True, **numbers):
        """The one statement a lesson makes when two computations must agree: ``what`` (e.g.
        "the tape's and backprop's gradients") differ by ``difference``, which must be within
        ``tolerance``.

        Records ``numbers`` with ``difference``, ``tolerance`` and ``agree`` under ``key``
        (``record``) and fails the run at ``finish`` when they do not agree (``check``); a
        NaN difference never agrees. Returns the sentence, built from the numbers:
        ``WHAT: largest difference 3.1e-08, within the tolerance 1e-05.``, printed unless
        ``show`` is False (for a sentence that answers a prediction and waits for its reveal).

        Raises:
            ValueError: when ``tolerance`` is not a finite number > 0.
        """
        if not (_is_number(tolerance) and math.isfinite(tolerance) and tolerance > 0):
            raise ValueError(f"tolerance must be a finite number > 0, got {tolerance!r}")
        difference = float(difference)
        agree = bool(difference <= tolerance)
        sentence = (f"{what}: largest difference {difference:.1e}, "
                    f"{'within' if agree else 'BEYOND'} the tolerance {tolerance:g}.")
        if show:
            print(sentence)
        self.record(key, **numbers, difference=difference, tolerance=tolerance, agree=agree)
        self.check(agree, f"{what}: {difference:.1e} apart, beyond the tolerance {tolerance:g}")
        return sentence

    def _write_outcomes(self):
        classroom.write_outcomes(self.path("outcomes.json"), self.outcomes)

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


def _checked_answer(question, answer):
    """A student's answer to ``question`` as stored: a choice's letter, or a float.

    Raises:
        ValueError: naming the question and what it accepts.
    """
    if question.numeric:
        try:
            value = float(answer) if not isinstance(answer, bool) else None
        except (TypeError, ValueError):
            value = None
        if value is None or not math.isfinite(value):
            raise ValueError(f"prediction {question.number} asks for {question.unit}, "
                             f"got {answer!r}")
        return value
    if not question.choices:     # No source to check against (a notebook copied away).
        return float(answer) if _is_number(answer) else str(answer).strip().strip("()").lower()
    letter = str(answer).strip().strip("()").lower() if isinstance(answer, str) else None
    if letter not in question.choices:
        raise ValueError(f"prediction {question.number}'s answer must be one of "
                         f"{', '.join(map(repr, question.choices))}, got {answer!r}")
    return letter


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _checked_key(question, answer, tolerance):
    """The answer a reveal was given, checked against the question: a tuple of letters, or
    ``(number, tolerance)`` for a numeric question; None when the lab gave none."""
    if answer is None:
        if question.choices or question.numeric:
            raise ValueError(f"lab.reveal({question.number}, ...) needs answer=: the "
                             "choice (or number) this run's numbers make right")
        return None
    if question.numeric:
        if tolerance is None:
            tolerance = question.tolerance
        if not math.isclose(tolerance, question.tolerance):
            raise ValueError(f"Predict {question.number} states a tolerance of "
                             f"{question.tolerance:.0%}, but its reveal was given {tolerance}")
        value = _checked_answer(question, answer)
        return value, tolerance
    if tolerance is not None:
        raise ValueError(f"Predict {question.number} is a choice question: it takes no "
                         "tolerance")
    letters = (answer,) if isinstance(answer, str) else tuple(answer)
    if not letters:
        raise ValueError(f"Predict {question.number}: answer= names no choice")
    return tuple(_checked_answer(question, letter) for letter in letters)


def _is_right(question, predicted, key):
    if key is None:
        return None
    if question.numeric:
        value, tolerance = key
        return abs(predicted - value) <= tolerance * abs(value)
    return predicted in key


def _number(value):
    return f"{value:.3g}"


def _answer_text(question, key, bare=False):
    """``(c)``, ``(a) or (c)``, or ``1.31e+03 (within 10 % counts as right: 1.18e+03 to
    1.44e+03)``; with ``bare``, a student's prediction as they gave it (``b``, ``120``)."""
    if question.numeric:
        if bare:
            return _number(key)
        value, tolerance = key
        low, high = sorted((value * (1 - tolerance), value * (1 + tolerance)))
        return (f"{_number(value)} (within {tolerance:.0%} counts as right: "
                f"{_number(low)} to {_number(high)})")
    if bare:
        return key
    return " or ".join(f"({letter})" for letter in key)


def _plain_key(key):
    """The answer as outcomes.json holds it: a letter, a list of letters, or a number."""
    if key is None:
        return None
    if isinstance(key[0], float):
        return key[0]
    return key[0] if len(key) == 1 else list(key)


def _sentence(measured):
    """``measured`` ending in a full stop (or its own colon, question or exclamation mark)."""
    measured = measured.rstrip()
    return measured if measured.endswith((".", ":", "!", "?")) else measured + "."


class LabCheckFailed(AssertionError):
    """Raised in a notebook by ``Lab.finish`` when something the lesson relies on failed."""
