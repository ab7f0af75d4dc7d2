"""What a check is, how its result is compared and explained, and how results are reported.

A check has two halves, which may run in two different processes:

* ``produce(subject, **options) → Outputs`` runs only the student's code (the *subject*)
  on inputs built from the options, and returns its raw numbers: named arrays whose first
  axis is the step, epoch or case. It computes no expected value and judges nothing.
* ``expect(**options) → Expectation`` is the trusted side: the same inputs given to a
  trusted twin (a Keras built-in, ``tf.GradientTape``, finite differences, pandas), the
  tolerance, and how to describe each case.

``judge`` compares the two. When they differ, the report gives

* where: the first step (or case) and variable where the student's numbers leave the
  twin's, expected against got;
* why: the known mistake whose own numbers the student's match (the task's catalogue of
  mistakes, each a model of that mistake run on the same inputs), or, when none does,
  that no known mistake matches.

A correct answer in another form the curriculum teaches (Adam's textbook ε, RMSprop's
ε outside the root) is an *accepted* entry of the same catalogue, and passes.

When a student checks their own work (``python -m assignments check``) both halves run in
their process. When a class is graded, ``produce`` runs in the student's sandbox and the
grader computes ``expect`` and the score (``assignments/grade.py``): nothing the student's
process prints or writes can set a score, and expected values never enter it.
"""

import dataclasses
import json
import traceback

import numpy as np

from assignments import markers


class CheckDefinitionError(RuntimeError):
    """A check defined wrongly in this kit (never the student's mistake): the grader stops."""


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """|got − expected| ≤ atol + rtol·|expected| for every element; NaN matches only NaN."""

    rtol: float = 1e-6
    atol: float = 1e-9

    def __str__(self):
        return f"rtol {self.rtol:g}, atol {self.atol:g}"

    def close(self, expected, got):
        expected, got = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
        if expected.shape != got.shape:
            return np.zeros(expected.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            near = np.abs(got - expected) <= self.atol + self.rtol * np.abs(expected)
        both_nan = np.isnan(expected) & np.isnan(got)
        same_infinity = np.isinf(expected) & (expected == got)
        return near | both_nan | same_infinity


@dataclasses.dataclass
class Outputs:
    """Named arrays that a check compares; the first axis of each is ``axis`` (step, case…).

    The arrays may differ in length (a layer's dW, db and dx); each is scanned along its
    own first axis.
    """

    arrays: dict
    axis: str = "step"
    facts: dict = dataclasses.field(default_factory=dict)   # Plain values: names, flags.

    def encode(self):
        """A JSON-ready dict (NaN and ±inf as JSON's extensions allow)."""
        return {"axis": self.axis, "facts": self.facts,
                "arrays": {name: np.asarray(array, dtype=float).tolist()
                           for name, array in self.arrays.items()}}

    @classmethod
    def decode(cls, data):
        """The Outputs of ``encode``'s dict, read from an untrusted process: checked, never trusted.

        Raises:
            ValueError: not the shape ``encode`` writes.
        """
        if not isinstance(data, dict) or not isinstance(data.get("arrays"), dict):
            raise ValueError("not a dict of named arrays")
        axis, facts = data.get("axis", "step"), data.get("facts", {})
        if not isinstance(axis, str) or not isinstance(facts, dict):
            raise ValueError("a malformed axis or facts")
        for value in facts.values():
            if not isinstance(value, (str, int, float, bool, type(None), list)):
                raise ValueError("a fact that is not a plain value")
        arrays = {}
        for name, values in data["arrays"].items():
            array = np.array(values, dtype=float)   # Ragged or non-numeric raises ValueError.
            arrays[str(name)] = array
        return cls(arrays, axis[:40], facts)


def outputs(arrays, axis):
    """``Outputs`` of float arrays."""
    return Outputs({name: np.asarray(array, dtype=float) for name, array in arrays.items()},
                   axis)


def stack_cases(per_case, axis="case"):
    """A list of {name: array} (one per case) as Outputs whose arrays have the case first."""
    return outputs({name: np.stack([np.asarray(case[name], dtype=float) for case in per_case])
                    for name in per_case[0]}, axis)


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A catalogue entry: a known mistake (or an accepted form) and its numbers for one check."""

    name: str
    cause: str
    accepted: bool
    outputs: Outputs


@dataclasses.dataclass
class Outcome:
    """What one check found: passed or not, and the feedback to show."""

    passed: bool
    feedback: str
    fraction: float = None   # Partial credit in [0, 1]; None means all or nothing.


@dataclasses.dataclass(frozen=True)
class Expectation:
    """The trusted side of a check: the twin's numbers and how to compare and describe them.

    Args:
        outputs: the twin's Outputs, or None when there is no twin for this case (then
            only the catalogue's accepted entries count as right).
        twin_name: what the twin is, shown to the student.
        tolerance: a Tolerance.
        described: None, a sentence about the inputs, or one sentence per position of
            the first axis (the case a difference is in).
        verdict: for a check that is more than one comparison of numbers, a function
            ``verdict(got, catalogue, hidden) → Outcome`` that judges the student's
            Outputs (their facts, or numbers the twin needs first).
    """

    outputs: object = None
    twin_name: str = "the trusted twin"
    tolerance: Tolerance = Tolerance()
    described: object = None
    verdict: object = None


@dataclasses.dataclass(frozen=True)
class Check:
    """One graded check of a task.

    Args:
        name: what it checks, shown to the student.
        points: what it is worth.
        produce: ``produce(subject, **options) → Outputs``, the student's side.
        expect: ``expect(**options) → Expectation``, the trusted side.
        options: keyword arguments for both (the scenario: sizes, hyperparameters).
        catalogued: whether the task's catalogue of known mistakes applies to it.
    """

    name: str
    points: float
    produce: object
    expect: object
    options: tuple = ()
    catalogued: bool = True

    def kwargs(self):
        return dict(self.options)

    @property
    def produce_path(self):
        """``"module:function"`` of ``produce``: what the student's process is asked to run."""
        return f"{self.produce.__module__}:{self.produce.__qualname__}"


def first_difference(expected, got, tolerance):
    """Where ``got`` first leaves ``expected``: (position, name, index, expected, got) or None.

    Steps (the first axis) are scanned in order, and within a step the arrays in their
    order, so the answer is the earliest step at which anything differs.
    """
    for name, wanted in expected.arrays.items():
        if name not in got.arrays:
            return (0, name, (), "an array", "nothing")
        if np.shape(wanted) != np.shape(got.arrays[name]):
            return (0, name, (), f"shape {np.shape(wanted)}", f"shape {np.shape(got.arrays[name])}")
    longest = max(len(np.atleast_1d(array)) for array in expected.arrays.values())
    for position in range(longest):
        for name, wanted in expected.arrays.items():
            if position >= len(np.atleast_1d(wanted)):
                continue
            row_expected = np.atleast_1d(np.asarray(wanted, dtype=float)[position])
            row_got = np.atleast_1d(np.asarray(got.arrays[name], dtype=float)[position])
            bad = ~np.atleast_1d(tolerance.close(row_expected, row_got))
            if bad.any():
                index = tuple(int(i) for i in np.argwhere(bad)[0])
                where = index if np.ndim(wanted) > 1 else ()   # A 1-D array: the row says it.
                return (position, name, where, float(row_expected[index]), float(row_got[index]))
    return None


def matches(expected, got, tolerance):
    return first_difference(expected, got, tolerance) is None


def describe_difference(difference, axis, hidden=False):
    """One line: where the numbers first differ, expected against got.

    For a hidden check the expected value is not quoted (the student sees only their own).
    """
    position, name, index, wanted, got = difference
    where = f"{name}[{', '.join(map(str, index))}]" if index else name
    if isinstance(wanted, str):
        return f"{where}: expected {wanted}, got {got}"
    if hidden:
        return (f"first difference at {axis} {position}, {where}: got {got:.8g} "
                f"(a hidden check: the expected value is not shown)")
    return f"first difference at {axis} {position}, {where}: expected {wanted:.8g}, got {got:.8g}"


def compare(expected, got, catalogue, tolerance, twin_name="the trusted twin", hidden=False):
    """The Outcome of comparing the student's ``got`` with ``expected`` and the catalogue.

    Args:
        expected: the twin's Outputs, or None when the task has no twin for this case
            (then only the catalogue's accepted entries count as right).
        got: the student's Outputs.
        catalogue: Candidates for this check.
        tolerance: a Tolerance.
        hidden: a hidden check, whose expected numbers the feedback does not quote.
    """
    if expected is not None and matches(expected, got, tolerance):
        return Outcome(True, f"matches {twin_name} ({tolerance})")
    for candidate in catalogue:
        if candidate.accepted and matches(candidate.outputs, got, tolerance):
            return Outcome(True, f"matches the accepted form '{candidate.name}': "
                                 f"{candidate.cause} ({tolerance})")
    reference = expected
    if reference is None:
        accepted = [candidate.outputs for candidate in catalogue if candidate.accepted]
        if not accepted:
            # A mistake in the check's definition, not in the student's code: it must
            # never reach the student's feedback as an exception of theirs.
            raise CheckDefinitionError("a check without a twin for this case needs an "
                                       "accepted form in its catalogue; it has none")
        reference = accepted[0]
    lines = [describe_difference(first_difference(reference, got, tolerance), got.axis, hidden)
             + f" ({tolerance})"]
    lines.append(likely_cause(got, catalogue, tolerance))
    return Outcome(False, "\n".join(lines))


def judge(expectation, got, catalogue, hidden=False):
    """The Outcome of the student's ``got`` against the trusted ``expectation``.

    On a difference the feedback also says which case (inputs and arguments) it is in.
    """
    called = got.facts.get("builtin_calls")
    if called:
        return Outcome(False, f"refused: your code called Keras' own {called[0]} to take the "
                              "step; compute the update yourself")
    if expectation.verdict is not None:
        return expectation.verdict(got, catalogue, hidden)
    outcome = compare(expectation.outputs, got, catalogue, expectation.tolerance,
                      expectation.twin_name, hidden)
    described = expectation.described
    if outcome.passed or described is None or expectation.outputs is None:
        return outcome
    difference = first_difference(expectation.outputs, got, expectation.tolerance)
    if difference is None or isinstance(difference[3], str):
        return outcome
    if not isinstance(described, str):
        described = f"{got.axis} {difference[0]} is {described[difference[0]]}"
    return Outcome(False, f"{outcome.feedback}\n{described}")


def likely_cause(got, catalogue, tolerance):
    """A sentence naming the known mistake whose numbers the student's match, if any."""
    mistakes = [candidate for candidate in catalogue if not candidate.accepted]
    for candidate in mistakes:
        if matches(candidate.outputs, got, tolerance):
            return (f"likely cause: {candidate.name}: {candidate.cause} "
                    f"(your numbers match that mistake's at every {got.axis})")
    if not mistakes:
        return "no catalogue of known mistakes for this check; compare your code with the equation"
    return ("likely cause: none of the known mistakes "
            f"({', '.join(candidate.name for candidate in mistakes)}) matches your numbers; "
            "compare your code with the equation line by line")


MESSAGE_LIMIT = 300   # characters of an exception's message shown in feedback


def describe_exception(error, own_files=()):
    """One line for code that raised: the message, and where in the student's own files.

    Args:
        error: the exception.
        own_files: repository-relative paths of the student's files; the line quoted is the
            innermost frame in one of them (none of the grader's files is ever named).
    """
    todo = _todo_message(error)
    if todo:
        return f"not written yet: {todo}"
    text = str(error).strip()
    message = text.splitlines()[0][:MESSAGE_LIMIT] if text else type(error).__name__
    location = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        relative = next((path for path in own_files
                         if frame.filename.replace("\\", "/").endswith("/" + path)), None)
        if relative is not None:
            line = (frame.line or "").strip()[:120]
            location = f" (at {relative}:{frame.lineno}: {line})"
            break
    return f"your code raised {type(error).__name__}: {message}{location}"


def outcome_of_exception(error, own_files=()):
    """An Outcome for code that raised (see ``describe_exception``)."""
    return Outcome(False, describe_exception(error, own_files))


def _todo_message(error):
    """The TODO stub's message of an unfinished task's error (``markers.parse_todo``), or None."""
    todo = markers.parse_todo(str(error)) if isinstance(error, NotImplementedError) else None
    return todo.message()[:MESSAGE_LIMIT] if todo is not None else None


@dataclasses.dataclass
class CheckResult:
    name: str
    points: float
    max_points: float
    passed: bool
    feedback: str
    hidden: bool = False


@dataclasses.dataclass
class TaskResult:
    task: str
    checks: list

    @property
    def score(self):
        return round(sum(check.points for check in self.checks), 6)

    @property
    def max_score(self):
        return sum(check.max_points for check in self.checks)

    @property
    def passed(self):
        return all(check.passed for check in self.checks)

    def text(self):
        """The report a student reads: one line per check, feedback indented, then a total."""
        lines = [f"Task {self.task}"]
        for check in self.checks:
            mark = "PASS" if check.passed else "FAIL"
            hidden = " [hidden]" if check.hidden else ""
            lines.append(f"  {mark}  {check.name}{hidden}  "
                         f"{check.points:g}/{check.max_points:g} points")
            for line in check.feedback.splitlines():
                lines.append(f"        {line}")
        lines.append(f"  total: {self.score:g}/{self.max_score:g} points")
        return "\n".join(lines)

    def gradescope(self, first_number=1):
        """The result in Gradescope's autograder ``results.json`` format.

        Hidden checks are ``after_published`` (shown once the instructor publishes the
        grades), public ones ``visible``; ``number`` counts the checks from ``first_number``.
        """
        return {
            "score": self.score,
            "max_score": self.max_score,
            "tests": [{"name": f"{self.task}: {check.name}",
                       "number": str(first_number + index),
                       "score": check.points, "max_score": check.max_points,
                       "status": "passed" if check.passed else "failed",
                       "output": check.feedback,
                       "visibility": "after_published" if check.hidden else "visible"}
                      for index, check in enumerate(self.checks)],
        }

    def json(self):
        return json.dumps(self.gradescope(), indent=2)


def result_of(check, outcome, hidden=False):
    """The CheckResult of a check's Outcome: its points, partial credit included."""
    fraction = outcome.fraction if outcome.fraction is not None else float(outcome.passed)
    fraction = min(max(fraction, 0.0), 1.0)
    return CheckResult(check.name, round(check.points * fraction, 6), check.points,
                       outcome.passed, outcome.feedback, hidden)


def run_check(check, subject, catalogue, hidden=False, own_files=()):
    """Run both halves of one check in this process (a student checking their own work).

    Any exception in the student's code is a failed check, never a crash.
    """
    options = check.kwargs()
    try:
        got = check.produce(subject, **options)
    except Exception as error:   # The student's code may raise anything.
        return result_of(check, outcome_of_exception(error, own_files), hidden)
    return result_of(check, judge(check.expect(**options), got, catalogue, hidden), hidden)
