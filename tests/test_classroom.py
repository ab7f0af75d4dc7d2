"""Every lab gives students something to do: at least two predictions, each revealed by the
run, and three to five exercises from easy to open-ended, each with an answer that only the
instructor's export keeps. Together the exercises cover the curriculum's
(``labs/machinery/syllabus.py``).

The run side (each prediction revealed with numbers that agree with the text) is checked in
``tests/test_labs.py``; this file reads the labs' sources and their exported notebooks.
"""

import re

import pytest

from labs.machinery import catalog, classroom, notebook_parameters, notebooks, syllabus

MIN_PREDICTIONS = 2
EXERCISES = range(3, 6)   # Three to five per lab.
MIN_ANSWER_WORDS = 12     # An answer explains; a bare number or "yes" is not enough.


def source(name):
    return classroom.lab_source(name)


@pytest.mark.parametrize("name", catalog.names())
def test_each_prediction_is_numbered_and_revealed_after_it(name):
    text = source(name)
    questions = classroom.predictions(text)
    assert len(questions) >= MIN_PREDICTIONS, f"{name}: {len(questions)} prediction cells"
    assert list(questions) == list(range(1, len(questions) + 1)), f"{name}: {list(questions)}"
    for number in questions:
        asked = re.search(rf"^\*\*Predict {number}\.\*\*", text.replace("# **", "**"), re.M)
        revealed = re.search(rf"\blab\.reveal\(\s*{number}\s*,", text)
        assert revealed, f"{name}: prediction {number} is never revealed (lab.reveal({number}, …))"
        assert asked.start() < revealed.start(), f"{name}: prediction {number} revealed first"


@pytest.mark.parametrize("name", catalog.names())
def test_each_prediction_offers_choices_or_a_tolerance_and_a_cell_to_answer_in(name):
    """The cell formats of ``labs/machinery/classroom.py``: ``questions`` raises for a prediction
    without choices or a stated tolerance, or without its your-prediction cell; and every
    reveal names the answer that its run's numbers make right."""
    text = source(name)
    questions = classroom.questions(text)
    assert list(questions) == list(classroom.predictions(text))
    for number in questions:
        call = re.search(rf"\blab\.reveal\(\s*{number}\s*,.*?\banswer=", text, re.S)
        assert call and "lab.reveal(" not in call.group(0)[len("lab.reveal("):], \
            f"{name}: lab.reveal({number}, ...) gives no answer="


@pytest.mark.parametrize("name", catalog.names())
def test_exercises_close_the_lab_from_easy_to_open_ended_each_with_an_answer(name):
    found = classroom.exercises(source(name))
    assert len(found) in EXERCISES, f"{name}: {len(found)} exercises"
    assert [exercise["number"] for exercise in found] == list(range(1, len(found) + 1))
    levels = [exercise["level"] for exercise in found]
    assert set(levels) <= set(classroom.LEVELS), f"{name}: levels {levels}"
    ranks = [classroom.LEVELS.index(level) for level in levels]
    assert ranks == sorted(ranks), f"{name}: levels go down: {levels}"
    assert levels[0] == "easy" and levels[-1] in ("hard", "open-ended"), f"{name}: {levels}"
    for exercise in found:
        assert exercise["answer"], f"{name}: exercise {exercise['number']} has no answer cell"
        assert len(exercise["answer"].split()) >= MIN_ANSWER_WORDS, \
            f"{name}: answer {exercise['number']} is too short to explain anything"
    headings = [text for kind, _, text in classroom.cells(source(name))
                if kind == "markdown" and text.startswith("## Exercises")]
    assert headings, f"{name}: no '## Exercises' section"


def test_the_exercises_cover_every_exercise_and_activity_of_the_curriculum():
    named = {}
    for name in catalog.names():
        for exercise in classroom.exercises(source(name)):
            for key in exercise["syllabus"]:
                named.setdefault(key, []).append(f"{name} {exercise['number']}")
    unknown = sorted(set(named) - set(syllabus.SYLLABUS))
    assert not unknown, (
        f"exercises name keys that labs/machinery/syllabus.py does not have: {unknown}")
    missing = sorted(set(syllabus.SYLLABUS) - set(named))
    assert not missing, f"no lab's exercise covers: {missing}"


@pytest.fixture(scope="module")
def exports():
    return {name: (notebooks.notebook(name, ref="0" * 40),
                   notebooks.notebook(name, ref="0" * 40, instructor=True))
            for name in catalog.names()}


def tagged(notebook, tag):
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


@pytest.mark.parametrize("name", catalog.names())
def test_the_default_export_asks_without_answering_and_the_instructors_answers(name, exports):
    student, instructor = exports[name]
    for notebook in (student, instructor):
        assert len(tagged(notebook, classroom.PREDICTION_TAG)) >= MIN_PREDICTIONS
        assert len(tagged(notebook, classroom.EXERCISE_TAG)) in EXERCISES
    assert not tagged(student, classroom.ANSWER_TAG)
    assert not any("**Answer" in cell.source for cell in student.cells)
    answers = tagged(instructor, classroom.ANSWER_TAG)
    assert len(answers) == len(tagged(instructor, classroom.EXERCISE_TAG))
    assert all(cell.cell_type == "markdown" for cell in answers)
    for notebook in (student, instructor):   # Where the student answers: editable.
        answering = tagged(notebook, classroom.YOUR_PREDICTION_TAG)
        assert len(answering) == len(tagged(notebook, classroom.PREDICTION_TAG))
        assert all(cell.cell_type == "code" and cell.metadata.get("editable", True)
                   for cell in answering)
    # The instructor's edition reveals every answer; the student's waits for predictions.
    parameters, = tagged(student, "parameters")
    assert "reveal" not in parameters.source
    parameters, = tagged(instructor, "parameters")
    assert parameters.source.endswith("\n" + notebook_parameters.REVEAL_ALL_LINE)
    assert notebook_parameters.reveal_from_cell(parameters.source) == "all"
