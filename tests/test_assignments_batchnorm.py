# ASSIGNMENTS: INSTRUCTOR ONLY (mutants are the reference with one mistake each)
"""The batchnorm task: its checks on the reference, on correct code in other forms, on each
known mistake written as real code, and on the student edition's stubs.

A mutant is ``custom/numpy_batchnorm.py`` with one solution region rewritten
(``tests/_mutants.py``); it is independent of the NumPy models whose numbers make the
catalogue (``assignments/instructor/normalization.py``), so this also checks those models.
"""

import importlib.util
import json
import subprocess
import sys

import pytest

from assignments import catalogue, checking, markers, runner
from assignments import tasks as task_table
from assignments.checks import batchnorm
from assignments.instructor import normalization
from tests import _mutants

FILE = "custom/numpy_batchnorm.py"
INFERENCE, TRAINING, BACKWARD = 0, 1, 2   # The regions of the file, in order.

TRAINING_CODE = """
mean = x.mean(axis=0)
variance = ((x - mean) ** 2).mean(axis=0)
inverse_std = 1.0 / np.sqrt(variance + epsilon)
x_hat = (x - mean) * inverse_std
running["mean"] = momentum * running["mean"] + (1.0 - momentum) * mean
running["variance"] = momentum * running["variance"] + (1.0 - momentum) * variance
cache = {"x_hat": x_hat, "inverse_std": inverse_std, "gamma": gamma}
return gamma * x_hat + beta, cache
"""
# The backward pass in the staged form of the module's docstring, term by term.
STAGED_BACKWARD = """
x_hat, inverse_std = cache["x_hat"], cache["inverse_std"]
m = grad_out.shape[0]
centred = x_hat / inverse_std
grad_x_hat = grad_out * cache["gamma"]
grad_variance = (grad_x_hat * centred).sum(axis=0) * -0.5 * inverse_std ** 3
grad_mean = -grad_x_hat.sum(axis=0) * inverse_std
grad_x = grad_x_hat * inverse_std + VARIANCE_TERM + MEAN_TERM
return grad_x, (grad_out * x_hat).sum(axis=0), grad_out.sum(axis=0)
"""
VARIANCE_TERM, MEAN_TERM = "grad_variance * 2.0 * centred / m", "grad_mean / m"


def backward(variance_term=True, mean_term=True):
    return STAGED_BACKWARD.replace("VARIANCE_TERM", VARIANCE_TERM if variance_term else "0.0") \
                          .replace("MEAN_TERM", MEAN_TERM if mean_term else "0.0")


# Mistake → (the regions rewritten, the public checks it fails by their position).
MUTANTS = {
    "the unbiased variance": (
        {TRAINING: TRAINING_CODE.replace("((x - mean) ** 2).mean(axis=0)",
                                         "x.var(axis=0, ddof=1)")}, {0, 1, 2, 3}),
    "the unbiased variance in the running average": (
        {TRAINING: TRAINING_CODE.replace("(1.0 - momentum) * variance",
                                         "(1.0 - momentum) * variance * len(x) / (len(x) - 1)")},
        {0, 1}),
    "ε forgotten": (
        {INFERENCE: "return gamma * (x - running['mean']) / np.sqrt(running['variance']) "
                    "+ beta, None",
         TRAINING: TRAINING_CODE.replace("np.sqrt(variance + epsilon)", "np.sqrt(variance)")},
        {0, 1, 2, 3}),
    "batch statistics used at inference": (
        {INFERENCE: "return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon) "
                    "+ beta, None"}, {1}),
    "the momentum on the new value": (
        {TRAINING: TRAINING_CODE.replace("momentum * running", "(1.0 - momentum) * running")
                                .replace("(1.0 - momentum) * mean", "momentum * mean")
                                .replace("(1.0 - momentum) * variance", "momentum * variance")},
        {0, 1}),
    "the mean's term left out": ({BACKWARD: backward(mean_term=False)}, {2, 3}),
    "the variance's term left out": ({BACKWARD: backward(variance_term=False)}, {2, 3}),
    "μ and σ² treated as constants": (
        {BACKWARD: backward(mean_term=False, variance_term=False)}, {2, 3}),
}
# Correct code in other forms than the reference's: each must score every point.
ALTERNATIVES = {
    "the staged backward pass": {BACKWARD: backward()},
    "np.var and a division": {TRAINING: TRAINING_CODE.replace(
        "((x - mean) ** 2).mean(axis=0)", "np.var(x, axis=0)").replace(
        "(x - mean) * inverse_std", "(x - mean) / np.sqrt(variance + epsilon)")},
}


def mutant(replacements):
    return _mutants.mutant_module(FILE, "batchnorm", replacements)


def test_the_task_has_ten_public_points():
    """The reference's score is not run again here: tests/test_tasks.py gives it every
    public point and tests/test_assignments_mistakes.py every hidden one, for every task."""
    assert task_table.TASKS["batchnorm"].public_points == 10


@pytest.mark.parametrize("name", list(ALTERNATIVES))
def test_correct_code_in_other_forms_scores_every_point(name):
    result = runner.run("batchnorm", subject=mutant(ALTERNATIVES[name]), hidden=True)
    assert result.passed and result.score == result.max_score, result.text()


def test_every_catalogue_mistake_has_a_mutant():
    assert set(MUTANTS) == {entry[0] for entry in normalization.MISTAKES["batchnorm"]}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(MUTANTS))
def test_a_mutant_fails_its_checks_and_is_named(name):
    replacements, failing = MUTANTS[name]
    result = runner.run("batchnorm", subject=mutant(replacements), hidden=True)
    public = task_table.TASKS["batchnorm"].public
    failed = [check for check in result.checks if not check.passed]
    assert {check.name for check in failed if not check.hidden} \
        == {public[index].name for index in failing}, result.text()
    for check in failed:
        assert f"likely cause: {name}:" in check.feedback, result.text()
        assert "first difference at" in check.feedback, result.text()
    assert result.score < result.max_score


def test_the_two_halves_share_nothing_but_the_options():
    """produce runs only the student's code; expect and judge get its numbers and the options
    alone, through JSON as from the student's process."""
    for check in batchnorm.PUBLIC:
        options = check.kwargs()
        got = batchnorm.produce(mutant({}), **options)
        assert got.arrays and all(value.dtype == float for value in got.arrays.values())
        # The student's numbers cross a process boundary as JSON, and are judged there.
        got = checking.Outputs.decode(json.loads(json.dumps(got.encode())))
        expectation = batchnorm.expect(**options)
        assert checking.judge(expectation, got, []).passed
        # Numbers that are off by 1e-4 in one element fail, whatever produced them.
        first = next(iter(got.arrays))
        got.arrays[first].reshape(-1)[0] += 1e-4
        assert not checking.judge(expectation, got, []).passed


def test_the_student_edition_fails_every_check_with_its_todo(tmp_path):
    source = (_mutants.REPOSITORY / FILE).read_text(encoding="utf-8")
    student = markers.student_text(source, FILE, {"batchnorm"})
    solution = set(markers.solution_lines(source, FILE, {"batchnorm"})) - {""}
    assert not solution & {line.strip() for line in student.splitlines()}
    path = tmp_path / "numpy_batchnorm.py"
    path.write_text(student, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("student_numpy_batchnorm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = runner.run("batchnorm", subject=module, hidden=True)
    assert result.score == 0, result.text()
    for check in result.checks:
        assert check.feedback.startswith("not written yet: TODO batchnorm: "), result.text()


def test_the_student_editions_stored_catalogue_names_the_same_mistakes(tmp_path, monkeypatch):
    """The release stores the models' numbers as JSON; read back, they name the mutants too."""
    path = tmp_path / "catalogue.json"
    catalogue.write(path, ["batchnorm"])
    monkeypatch.setattr(catalogue, "STORED", path)
    monkeypatch.setattr(catalogue, "have_models", lambda: False)
    replacements, failing = MUTANTS["the variance's term left out"]
    check = task_table.TASKS["batchnorm"].public[min(failing)]
    stored = catalogue.for_check("batchnorm", check)
    assert [entry.name for entry in stored] \
        == [entry[0] for entry in normalization.MISTAKES["batchnorm"]]
    result = checking.run_check(check, mutant(replacements), stored)
    assert not result.passed
    assert "likely cause: the variance's term left out:" in result.feedback


def test_the_students_side_runs_without_tensorflow():
    """produce needs NumPy only, so the student's sandboxed process never loads TensorFlow."""
    code = ("import sys\n"
            "from assignments.checks import batchnorm\n"
            "import custom.numpy_batchnorm as subject\n"
            "for check in batchnorm.PUBLIC:\n"
            "    batchnorm.produce(subject, **check.kwargs())\n"
            "print(sorted({'tensorflow', 'keras'} & set(sys.modules)))\n")
    finished = subprocess.run([sys.executable, "-c", code], cwd=_mutants.REPOSITORY,
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.strip() == "[]"


@pytest.mark.slow
def test_graded_in_the_sandbox_a_right_and_a_wrong_submission_get_their_points(tmp_path):
    """The grader's way: produce in each student's sandboxed process, expect and judge here."""
    from assignments import grade

    source = (_mutants.REPOSITORY / FILE).read_text(encoding="utf-8")
    right = markers.student_text(source, FILE, set())     # The reference, as handed in.
    full_dx = ("grad_x = inverse_std / m * (m * grad_x_hat - grad_x_hat.sum(axis=0)\n"
               + " " * 32 + "- x_hat * (grad_x_hat * x_hat).sum(axis=0))")
    wrong = right.replace(full_dx, "grad_x = inverse_std * (grad_x_hat - grad_x_hat.mean(axis=0))")
    assert wrong != right
    for student, text in (("ada", right), ("ben", wrong)):
        path = tmp_path / "submissions" / student / FILE
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    grade.grade(tmp_path / "submissions", tmp_path / "results", tasks=["batchnorm"],
                timeout=120, jobs=1)
    rows = grade.read_rows(tmp_path / "results" / "grades.csv")
    full = task_table.TASKS["batchnorm"].points

    def score(student):
        return sum(row["points"] for row in rows if row["student"] == student)

    assert score("ada") == full
    assert 0 < score("ben") < full
    ben = " ".join(row["feedback"] for row in rows if row["student"] == "ben")
    assert "likely cause: the variance's term left out:" in ben
