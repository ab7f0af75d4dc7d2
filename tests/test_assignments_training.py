# ASSIGNMENTS: INSTRUCTOR ONLY
"""The checks of gradient_clipping, early_stopping and lr_finder, on the reference and on mutants.

The reference code scores every public and hidden point (tests/test_tasks.py and
tests/test_assignments_mistakes.py run its checks, for every task). Each known mistake of the
catalogue is then written as real code: the reference file's source with the mistaken
line(s) swapped in, loaded as a module of its own and passed to the checks as the
subject. It must fail exactly the checks it should, and the checks that compare with a
catalogue must name it as the likely cause.
"""

import importlib.util
import pathlib

import pytest

import custom.clipping
from assignments import markers, runner, tasks
from assignments.checks import training
from assignments.instructor import training as instructor
from callbacks import early_stopping
from callbacks.lr_finder import finder

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
SUBJECTS = {"gradient_clipping": ("custom.clipping", custom.clipping, None),
            "early_stopping": ("callbacks.early_stopping:EarlyStopping", early_stopping,
                               "EarlyStopping"),
            "lr_finder": ("callbacks.lr_finder.finder", finder, None)}
FILES = {"gradient_clipping": "custom/clipping.py",
         "early_stopping": "callbacks/early_stopping.py",
         "lr_finder": "callbacks/lr_finder/finder.py"}

# (task, mistake) → (source replacements, failing public checks, failing hidden checks),
# checks given by their position in PUBLIC[task] and HIDDEN[task].
MUTANTS = {
    ("gradient_clipping", "clip_by_norm always scales"): (
        [("clipped.append(ops.multiply(gradient, limit) / ops.maximum(norm(gradient), limit))",
          "clipped.append(ops.multiply(gradient, limit) / norm(gradient))")], {2, 4}, {1}),
    ("gradient_clipping", "the global norm computed per tensor"): (
        [("    return [None if gradient is None else ops.multiply(gradient, scale)\n"
          "            for gradient in gradients]\n",
          "    return clip_by_norm(gradients, clip_norm)\n")], {3, 4}, {0}),
    ("gradient_clipping", "the sum of the norms"): (
        [("return ops.sqrt(ops.sum(ops.stack(squared_norms)))",
          "return ops.sum(ops.stack([ops.sqrt(squared) for squared in squared_norms]))")],
        {0, 3, 4}, {0}),
    ("gradient_clipping", "clip_by_value without the lower bound"): (
        [("else ops.minimum(ops.maximum(gradient, -limit), limit)",
          "else ops.minimum(gradient, limit)")], {1, 4}, set()),
    ("gradient_clipping", "the norm without its square root"): (
        [("return ops.sqrt(ops.sum(ops.square(gradient)))",
          "return ops.sum(ops.square(gradient))")],
        {0, 2, 4}, {1}),
    ("early_stopping", "patience off by one"): (
        [("if self.wait >= self.patience and epoch > 0:",
          "if self.wait > self.patience and epoch > 0:")], {0, 1, 2, 3}, {0}),
    ("early_stopping", "the wait never reset"): (
        [("self.wait = 0   # wait ← 0", "pass")], {0, 1, 2, 3}, {0}),
    ("early_stopping", "compared with the last value"): (
        [("        self.best_weights = None\n",
          "        self.best_weights = None\n        self.previous = None\n"),
         ("        self.wait += 1\n        if self.is_improvement(current, self.best):",
          "        self.wait += 1\n        previous, self.previous = self.previous, current\n"
          "        if self.is_improvement(current, previous):")], {0, 1, 2, 3}, {0}),
    ("early_stopping", "min_delta ignored"): (
        [("if self.is_improvement(current, self.best):",
          "if self.best is None or (current < self.best if self.direction == 'min' "
          "else current > self.best):"),
         ("if self.baseline is None or self.is_improvement(current, self.baseline):",
          "if self.baseline is None or (current < self.baseline if self.direction == 'min' "
          "else current > self.baseline):")], {2}, {0}),
    ("early_stopping", "restoring the last weights"): (
        [("        self.wait += 1\n",
          "        self.wait += 1\n        if self.restore_best_weights:\n"
          "            self.best_weights = self.model.get_weights()\n")], {1, 2, 3}, {0}),
    ("lr_finder", "a linear sweep"): (
        [("self.schedule = start * (end / start) ** (np.arange(steps) / (steps - 1))",
          "self.schedule = start + (end - start) * np.arange(steps) / (steps - 1)")],
        {0, 2, 3}, {0}),
    ("lr_finder", "the exponent i/steps"): (
        [("self.schedule = start * (end / start) ** (np.arange(steps) / (steps - 1))",
          "self.schedule = start * (end / start) ** (np.arange(steps) / steps)")],
        {0, 2, 3}, {0}),
    ("lr_finder", "smoothing without bias correction"): (
        [("smoothed = self._average / (1 - self.smoothing ** (i + 1))",
          "smoothed = self._average")], {1, 2, 3}, {1}),
    ("lr_finder", "β on the new value"): (
        [("self._average = self.smoothing * self._average + (1 - self.smoothing) * loss",
          "self._average = (1 - self.smoothing) * self._average + self.smoothing * loss")],
        {1, 2, 3}, {1}),
    ("lr_finder", "the corrected value fed back"): (
        [("smoothed = self._average / (1 - self.smoothing ** (i + 1))",
          "smoothed = self._average = self._average / (1 - self.smoothing ** (i + 1))")],
        {1, 2, 3}, {1}),
}

# Correct code in another form than the reference's: it must score every point.
ALTERNATIVES = {
    "gradient_clipping": [
        ("clipped.append(ops.multiply(gradient, limit) / ops.maximum(norm(gradient), limit))",
         "clipped.append(gradient * ops.minimum(1.0, limit / norm(gradient)))"),
        ("return ops.sqrt(ops.sum(ops.stack(squared_norms)))",
         "return ops.sqrt(ops.sum(ops.stack([ops.square(norm(gradient)) for gradient in "
         "gradients if gradient is not None])))"),
        ("else ops.minimum(ops.maximum(gradient, -limit), limit)",
         "else ops.clip(gradient, -limit, limit)"),
    ],
    "early_stopping": [
        ("if self.is_improvement(current, self.best):",
         "if self.best is None or (current < self.best - self.min_delta "
         "if self.direction == 'min' else current > self.best + self.min_delta):"),
    ],
    "lr_finder": [
        ("self.schedule = start * (end / start) ** (np.arange(steps) / (steps - 1))",
         "self.schedule = np.exp(np.linspace(np.log(start), np.log(end), steps))"),
        ("self._average = self.smoothing * self._average + (1 - self.smoothing) * loss",
         "self._average += (1 - self.smoothing) * (loss - self._average)"),
        ("smoothed = self._average / (1 - self.smoothing ** (i + 1))",
         "smoothed = self._average / (1 - self.smoothing ** len(self._losses))"),
    ],
}

@pytest.fixture(autouse=True)
def task_table(monkeypatch):
    """The three tasks as the table lists them; built here from PUBLIC and HIDDEN if not yet."""
    for name, (subject, _, _) in SUBJECTS.items():
        if name not in tasks.TASKS:
            monkeypatch.setitem(tasks.TASKS, name, tasks.Task(
                title=name, files=(FILES[name],), subject=subject, summary="",
                public=training.PUBLIC[name], hidden=instructor.HIDDEN[name]))


def load(task, source, directory):
    """``source`` as the task's file, written to ``directory`` and imported from there as a
    module of its own, as a student's file would be (AutoGraph reads a function's source
    from its file, so the file must hold this source); returns the task's subject."""
    _, module, attribute = SUBJECTS[task]
    path = directory / pathlib.Path(module.__file__).name
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"{module.__name__}_under_test", path)
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    return getattr(copy, attribute) if attribute else copy


def mutant(task, replacements, directory):
    """The task's reference file with the mistaken lines swapped in, as a subject."""
    source = (REPOSITORY / FILES[task]).read_text(encoding="utf-8")
    for old, new in replacements:
        assert source.count(old) == 1, f"the mutation's line is not in {FILES[task]}: {old}"
        source = source.replace(old, new)
    return load(task, source, directory)


@pytest.mark.parametrize("task", list(SUBJECTS))
def test_the_task_has_ten_public_points_and_a_short_catalogue(task):
    """The reference's score is not run again here: tests/test_tasks.py gives it every
    public point and tests/test_assignments_mistakes.py every hidden one, for every task."""
    assert tasks.TASKS[task].public_points == 10
    assert tasks.TASKS[task].points == 10 + sum(check.points for check in instructor.HIDDEN[task])
    assert sum(check.points for check in training.PUBLIC[task]) == 10
    assert 3 <= len(training.PUBLIC[task]) <= 5 and 1 <= len(instructor.HIDDEN[task]) <= 2
    assert 1 <= sum(check.points for check in instructor.HIDDEN[task]) <= 5
    assert 3 <= len(instructor.MISTAKES[task]) <= 5


@pytest.mark.parametrize("task", list(ALTERNATIVES))
def test_correct_code_in_other_forms_scores_every_point(task, tmp_path):
    result = runner.run(task, subject=mutant(task, ALTERNATIVES[task], tmp_path), hidden=True)
    assert result.passed and result.score == result.max_score, result.text()


def test_every_catalogue_mistake_has_a_mutant():
    assert set(MUTANTS) == {(task, entry[0]) for task, entries in instructor.MISTAKES.items()
                            for entry in entries}


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore:LR finder:UserWarning")
@pytest.mark.parametrize("task, mistake", list(MUTANTS), ids=[name for _, name in MUTANTS])
def test_a_mutant_fails_its_checks_and_is_named(task, mistake, tmp_path):
    replacements, failing_public, failing_hidden = MUTANTS[(task, mistake)]
    result = runner.run(task, subject=mutant(task, replacements, tmp_path), hidden=True)
    public, hidden = training.PUBLIC[task], instructor.HIDDEN[task]
    expected_failing = ({public[i].name for i in failing_public}
                        | {hidden[i].name for i in failing_hidden})
    assert {check.name for check in result.checks if not check.passed} == expected_failing, \
        result.text()
    named_by = {check.name for check in public + hidden if check.catalogued}
    for check in result.checks:
        if not check.passed and check.name in named_by:
            assert f"likely cause: {mistake}:" in check.feedback, result.text()
            assert "first difference at" in check.feedback, result.text()
    assert result.score < result.max_score


@pytest.mark.parametrize("task", list(SUBJECTS))
def test_the_student_edition_fails_every_check_with_its_todo(task, tmp_path):
    source = (REPOSITORY / FILES[task]).read_text(encoding="utf-8")
    student = markers.student_text(source, FILES[task], {task})
    solution = set(markers.solution_lines(source, FILES[task], {task})) - {""}
    assert not solution & {line.strip() for line in student.splitlines()}
    result = runner.run(task, subject=load(task, student, tmp_path), hidden=True)
    assert result.score == 0, result.text()
    for check in result.checks:
        assert check.feedback.startswith(f"not written yet: TODO {task}: "), result.text()
