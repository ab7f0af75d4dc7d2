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


# A lab's source with every trap for a reader of the cells: markers shown as text in the
# header, in a fenced block of a markdown cell and in a string; tags with spaces, several
# tags, Python's quotes; and an answer cell at the very end, without a final line end.
TRICKY_LAB = '''"""A lab whose header shows a marker as text:

# %% [markdown] tags=["answer"]
"""

# %% [markdown] tags=["prediction"]
# **Predict 1.** Which rate ends lowest? A cell starts with `# %%`, as in
# ```
# %% [markdown] tags=["answer"]
# ```
# - (a) η = 0.1
# - (b) η = 0.5

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a" or "b"

# %%
TEMPLATE = """
# %% [markdown] tags=["answer"]
not a cell
"""
print("# %% is how a cell starts")

# %% [markdown] tags=["exercise", "extra reading"]
# **Exercise 1 (easy).** Halve the learning rate: how many epochs now?

# %% [markdown] tags=["instructor notes", "answer"]
# **Answer 1.** About twice as many.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Double it.

# %% [markdown] tags=['answer']
# **Answer 2.** It diverges; the answer cell ends the file.'''


def test_one_cell_reader_serves_the_classroom_and_the_release_and_agrees_with_jupytext():
    import jupytext

    from assignments import cells, markers

    for text in (TRICKY_LAB, TRICKY_LAB.replace("\n", "\r\n")):
        found = cells.cells(text)
        theirs = jupytext.reads(text, fmt="py:percent").cells
        assert [(cell.kind, list(cell.tags), cell.text) for cell in found] == \
            [(cell.cell_type, cell.metadata.get("tags", []), cell.source.strip().replace(
                "\r", "")) for cell in theirs]
        assert [cell.tags for cell in found] == [
            (), ("prediction",), ("your-prediction",), (), ("exercise", "extra reading"),
            ("instructor notes", "answer"), ("exercise",), ("answer",)]
        assert [(cell.begin, cell.end) for cell in found] == [
            (1, 5), (6, 13), (14, 16), (17, 23), (24, 26), (27, 29), (30, 32), (33, 34)]
        # The classroom reads the same cells: its questions and exercises with answers.
        assert [cell[1] for cell in classroom.cells(text)] == [list(cell.tags)
                                                               for cell in found[1:]]
        question, = classroom.questions(text).values()
        assert question.choices == {"a": "η = 0.1", "b": "η = 0.5"}
        assert [(exercise["number"], exercise["answer"])
                for exercise in classroom.exercises(text)] == [
            (1, "About twice as many."), (2, "It diverges; the answer cell ends the file.")]
        # The release drops exactly the answer cells and keeps every other line's bytes.
        student = markers.without_answer_cells(text)
        lines = cells.lines(text)
        answers = {number for cell in found if "answer" in cell.tags
                   for number in range(cell.begin, cell.end + 1)}
        assert student == "".join(line for number, line in enumerate(lines, start=1)
                                  if number not in answers)
        assert "**Answer" not in student and 'tags=["answer"]\nnot a cell' in \
            student.replace("\r", "")
        assert markers.has_answer_cells(text) and not markers.has_answer_cells(student)
        assert [cell.tags for cell in cells.cells(student)] == [
            cell.tags for cell in found if "answer" not in cell.tags]


def test_tags_that_are_not_a_list_of_strings_are_refused_by_every_reader():
    from assignments import cells, markers

    broken = "x = 1\n\n# %% [markdown] tags=[answer]\n# **Answer 1.** Hidden?\n"
    message = r"line 3: tags= must be a list of strings like tags=\[\"answer\"\], got '\[answer\]'"
    with pytest.raises(cells.CellError, match=message):
        cells.cells(broken)
    with pytest.raises(ValueError, match=message):
        classroom.exercises(broken)
    with pytest.raises(markers.MarkerError, match=message):
        markers.student_text(broken, "labs/demo.py", set())
    assert markers.has_answer_cells(broken)   # The instructor-material check assumes one.
