"""What a check is, how its result is compared and explained, and how results are reported.

A check runs the student's code and its trusted twin (a Keras built-in, ``tf.GradientTape``,
finite differences, pandas) on the same inputs and compares the two ``Outputs``: named
arrays whose first axis is the step, epoch or case. When they differ, the report gives

* where: the first step (or case) and variable where the student's numbers leave the
  twin's, expected against got;
* why: the known mistake whose own numbers the student's match (the task's catalogue of
  mistakes, each a model of that mistake run on the same inputs), or, when none does,
  that no known mistake matches.

A correct answer in another form the curriculum teaches (Adam's textbook ε, RMSprop's
ε outside the root) is an *accepted* entry of the same catalogue, and passes.
"""

import dataclasses
import json
import traceback

import numpy as np

from assignments import markers


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
class Check:
    """One graded check of a task.

    Args:
        name: what it checks, shown to the student.
        points: what it is worth.
        run: ``run(subject, catalogue, **options) → Outcome``; ``subject`` is the code
            under test, ``catalogue`` the known mistakes for this check (may be empty).
        options: keyword arguments for ``run`` (the scenario: sizes, hyperparameters).
    """

    name: str
    points: float
    run: object
    options: tuple = ()

    def kwargs(self):
        return dict(self.options)


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
            bad = ~expected_close(tolerance, row_expected, row_got)
            if bad.any():
                index = tuple(int(i) for i in np.argwhere(bad)[0])
                where = index if np.ndim(wanted) > 1 else ()   # A 1-D array: the row says it.
                return (position, name, where, float(row_expected[index]), float(row_got[index]))
    return None


def expected_close(tolerance, expected, got):
    return np.atleast_1d(tolerance.close(expected, got))


def matches(expected, got, tolerance):
    return first_difference(expected, got, tolerance) is None


def describe_difference(difference, axis):
    position, name, index, wanted, got = difference
    where = f"{name}[{', '.join(map(str, index))}]" if index else name
    if isinstance(wanted, str):
        return f"{where}: expected {wanted}, got {got}"
    return f"first difference at {axis} {position}, {where}: expected {wanted:.8g}, got {got:.8g}"


def compare(expected, got, catalogue, tolerance, twin_name="the trusted twin"):
    """The Outcome of comparing the student's ``got`` with ``expected`` and the catalogue.

    Args:
        expected: the twin's Outputs, or None when the task has no twin for this case
            (then only the catalogue's accepted entries count as right).
        got: the student's Outputs.
        catalogue: Candidates for this check.
        tolerance: a Tolerance.
    """
    if expected is not None and matches(expected, got, tolerance):
        return Outcome(True, f"matches {twin_name} ({tolerance})")
    for candidate in catalogue:
        if candidate.accepted and matches(candidate.outputs, got, tolerance):
            return Outcome(True, f"matches the accepted form '{candidate.name}': "
                                 f"{candidate.cause} ({tolerance})")
    reference = expected
    if reference is None:
        reference = next(candidate.outputs for candidate in catalogue if candidate.accepted)
    lines = [describe_difference(first_difference(reference, got, tolerance), got.axis)
             + f" ({tolerance})"]
    lines.append(likely_cause(got, catalogue, tolerance))
    return Outcome(False, "\n".join(lines))


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


def outcome_of_exception(error):
    """An Outcome for code that raised: the message, and where in the student's file."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    todo = _todo_message(error)
    if todo:
        return Outcome(False, f"not written yet: {todo}")
    location = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if "/assignments/" not in frame.filename and "site-packages" not in frame.filename:
            location = f" (at {frame.filename.split('/')[-1]}:{frame.lineno}: {frame.line})"
            break
    return Outcome(False, f"your code raised {type(error).__name__}: {message}{location}")


def _todo_message(error):
    text = str(error)
    at = text.find(markers.TODO_PREFIX)
    if isinstance(error, NotImplementedError) and at >= 0:
        return text[at:].splitlines()[0]
    return None


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

    def gradescope(self):
        """The result in Gradescope's autograder ``results.json`` format."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "tests": [{"name": f"{self.task}: {check.name}", "score": check.points,
                       "max_score": check.max_points, "output": check.feedback,
                       "visibility": "after_published" if check.hidden else "visible"}
                      for check in self.checks],
        }

    def json(self):
        return json.dumps(self.gradescope(), indent=2)


def run_check(check, subject, catalogue, hidden=False):
    """Run one check; any exception in the student's code is a failed check, never a crash."""
    try:
        outcome = check.run(subject, catalogue, **check.kwargs())
    except Exception as error:   # The student's code may raise anything.
        outcome = outcome_of_exception(error)
    fraction = outcome.fraction if outcome.fraction is not None else float(outcome.passed)
    return CheckResult(check.name, round(check.points * fraction, 6), check.points,
                       outcome.passed, outcome.feedback, hidden)
