"""What students do in a lab: predict, then run; and the exercises at the end.

A lab is a percent-format script, and its classroom cells are markdown cells with a tag
(jupytext's cell metadata, which the notebook export keeps)::

    # %% [markdown] tags=["prediction"]
    # **Predict 1.** Which of the three rates ends with the lowest loss after 20 steps?

    # %% [markdown] tags=["exercise"]
    # **Exercise 2 (medium).** Change ... and explain ...
    # *Syllabus: Learning Algorithms, exercise 4.*

    # %% [markdown] tags=["answer"]
    # **Answer 2.** ...

* A **prediction** cell comes before the experiment it asks about, and nothing before it
  states its answer. A choice question lists its choices, one a line, two to six::

      # **Predict 1.** Which of the three rates ends with the lowest loss after 20 steps?
      # - (a) η = 0.1
      # - (b) η = 0.5
      # - (c) η = 1.1

  A numeric question ends with what the number is and the tolerance that counts as right:
  ``(a number of epochs; within 10 % counts as right)``.
* Right after it comes a code cell tagged **your-prediction**, where the student answers::

      # %% tags=["your-prediction"]
      lab.predict(1, None)  # your answer: "a", "b" or "c"

  (``Lab.predict``; with ``--ask`` a terminal run asks for the answer there.) The code after
  the experiment calls ``lab.reveal(1, "η = 0.5 ends lowest", answer=..., final_losses=...)``,
  with ``answer`` the choice this run's numbers make right (computed from them, never a
  constant), or the measured number for a numeric question. It prints the question beside
  the prediction and the measured outcome, built from the run's numbers, says whether the
  prediction was right, and records all of it in the output folder's ``outcomes.json``
  (``Lab.reveal``). Without a prediction a notebook withholds the measured outcome
  (``reveal = "answered"``, its default); the instructor's export, the tests and terminal
  runs show everything (``reveal = "all"``).
* An **exercise** cell is one task of the closing "Exercises" section, at a level from
  ``LEVELS``; each is followed by its **answer** cell. Answer cells are in the instructor's
  export only (``python -m labs --notebooks DIR --instructor``); the default export and the
  student edition leave them out.
* An exercise that takes up an exercise or activity of the curriculum names it on a line
  ``*Syllabus: ….*`` with a key from ``labs/machinery/syllabus.py``.

This module reads those cells from a lab's source, without jupytext, so that a running lab
can print its own questions; the cells themselves are read by ``assignments/cells.py``,
the one reader of the format, which the release and the notebook export use too.
"""

import json
import os
import pathlib
import re

from assignments import cells as percent_cells

LESSONS = pathlib.Path(__file__).resolve().parent.parent   # labs/

PREDICTION_TAG = percent_cells.PREDICTION_TAG
YOUR_PREDICTION_TAG = percent_cells.YOUR_PREDICTION_TAG
EXERCISE_TAG = percent_cells.EXERCISE_TAG
ANSWER_TAG = percent_cells.ANSWER_TAG

# An exercise's level, from easy to open-ended; a lab's exercises never go down a level.
LEVELS = ("easy", "medium", "hard", "open-ended")

PREDICTION = re.compile(r"^\*\*Predict (?P<number>\d+)\.\*\*\s*(?P<question>.+)", re.S)
EXERCISE = re.compile(r"^\*\*Exercise (?P<number>\d+) \((?P<level>[a-z-]+)\)\.\*\*\s*(?P<task>.+)",
                      re.S)
ANSWER = re.compile(r"^\*\*Answer (?P<number>\d+)\.\*\*\s*(?P<answer>.+)", re.S)
SYLLABUS = re.compile(r"\*Syllabus: (?P<keys>[^*]+?)\.?\*")
CHOICE = re.compile(r"^- \((?P<letter>[a-z])\) (?P<text>.+)$")
LETTERS = "abcdef"
MIN_CHOICES, MAX_CHOICES = 2, 6
# A numeric question's last words: "(a number of epochs; within 10 % counts as right)".
NUMERIC = re.compile(r"\((?P<unit>an? [^;()]+); within (?P<percent>\d+(?:\.\d+)?) ?% "
                     r"counts as right\)$")
YOUR_PREDICTION = re.compile(r"^lab\.predict\(\s*(?P<number>\d+)\s*,\s*None\s*\)")


def cells(source):
    """The ``(kind, tags, text)`` cells of a percent-format script after its first ``# %%``,
    markdown unprefixed (``assignments.cells.cells`` reads them)."""
    return [(cell.kind, list(cell.tags), cell.text) for cell in percent_cells.cells(source)
            if cell.marker is not None]


def lab_source(name):
    return (LESSONS / f"{name}.py").read_text(encoding="utf-8")


def predictions(source):
    """``{number: question}`` of the source's prediction cells, in order; the question's text
    on one line, without its choices (``questions`` gives them).

    Raises:
        ValueError: when a prediction cell does not start ``**Predict N.**``.
    """
    found = {}
    for kind, tags, text in cells(source):
        if PREDICTION_TAG in tags:
            match = PREDICTION.match(text)
            if match is None:
                raise ValueError(f"a prediction cell must start '**Predict N.**', got {text[:60]!r}")
            text = "\n".join(line for line in match.group("question").splitlines()
                             if not line.startswith("- ("))
            found[int(match.group("number"))] = " ".join(text.split())
    return found


class Question:
    """One prediction cell: its number, question, and choices or tolerance.

    Attributes:
        number: N of ``**Predict N.**``.
        question: the question's text on one line, without its choices.
        choices: letter → text for a choice question, in order; empty for a numeric one.
        tolerance: for a numeric question, the relative tolerance that counts as right
            (0.1 for "within 10 %"); None for a choice question.
        unit: for a numeric question, what the number is ("a number of epochs").
    """

    def __init__(self, number, question, choices=None, tolerance=None, unit=None):
        self.number = number
        self.question = question
        self.choices = dict(choices or {})
        self.tolerance = tolerance
        self.unit = unit

    @property
    def numeric(self):
        return self.tolerance is not None

    def hint(self):
        """What the your-prediction cell's comment says to write."""
        if self.numeric:
            return f"your answer: {self.unit}"
        letters = [f'"{letter}"' for letter in self.choices]
        return "your answer: " + ", ".join(letters[:-1]) + f" or {letters[-1]}"

    def text(self):
        """The question and its choices as a student reads them, one choice a line."""
        return "\n".join([self.question,
                          *(f"  ({letter}) {text}" for letter, text in self.choices.items())])


def parse_question(number, text):
    """The ``Question`` of a prediction cell's text after ``**Predict N.**``.

    Raises:
        ValueError: when the choices are not lettered (a), (b), … in order, number fewer than
            two or more than six, or when the cell has neither choices nor a numeric tolerance.
    """
    lines = text.strip().splitlines()
    question_lines = [line for line in lines if not line.startswith("- (")]
    choice_lines = [line for line in lines if line.startswith("- (")]
    question = " ".join(" ".join(question_lines).split())
    if choice_lines:
        if lines[len(question_lines):] != choice_lines:
            raise ValueError(f"Predict {number}: the choices must come last, after the question")
        choices = {}
        for line in choice_lines:
            match = CHOICE.match(line.strip())
            if match is None:
                raise ValueError(f"Predict {number}: a choice must read '- (a) text', got {line!r}")
            choices[match.group("letter")] = " ".join(match.group("text").split())
        if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            raise ValueError(f"Predict {number}: {len(choices)} choices; a question has "
                             f"{MIN_CHOICES} to {MAX_CHOICES}")
        if "".join(choices) != LETTERS[:len(choices)]:
            raise ValueError(f"Predict {number}: the choices must be lettered "
                             f"{', '.join(LETTERS[:len(choices)])} in order, got "
                             f"{', '.join(choices)}")
        return Question(number, question, choices=choices)
    numeric = NUMERIC.search(question)
    if numeric is None:
        raise ValueError(f"Predict {number}: give choices ('- (a) …' lines) or end a numeric "
                         "question with '(a number …; within N % counts as right)'")
    return Question(number, question, tolerance=float(numeric.group("percent")) / 100,
                    unit=numeric.group("unit"))


def questions(source):
    """``{number: Question}`` of the source's prediction cells, in order, each checked to be
    followed by its your-prediction cell ``lab.predict(N, None)``.

    Raises:
        ValueError: for a malformed prediction cell (see ``parse_question``), or one whose
            next cell is not a code cell tagged "your-prediction" calling
            ``lab.predict(N, None)`` with its number.
    """
    found = {}
    all_cells = cells(source)
    for at, (kind, tags, text) in enumerate(all_cells):
        if PREDICTION_TAG not in tags:
            continue
        match = PREDICTION.match(text)
        if match is None:
            raise ValueError(f"a prediction cell must start '**Predict N.**', got {text[:60]!r}")
        number = int(match.group("number"))
        following = all_cells[at + 1] if at + 1 < len(all_cells) else ("none", [], "")
        answer = YOUR_PREDICTION.match(following[2])
        if (following[0] != "code" or YOUR_PREDICTION_TAG not in following[1] or answer is None
                or int(answer.group("number")) != number):
            raise ValueError(f"Predict {number} must be followed by a code cell tagged "
                             f'"{YOUR_PREDICTION_TAG}": lab.predict({number}, None)')
        found[number] = parse_question(number, match.group("question"))
    return found


def your_prediction_cell(question):
    """The source of the your-prediction cell that follows ``question``'s cell."""
    return f"lab.predict({question.number}, None)  # {question.hint()}"


def exercises(source):
    """The source's exercises in order: dicts with number, level, task, syllabus keys, answer.

    ``answer`` is the text of the answer cell right after the exercise, or None.

    Raises:
        ValueError: when an exercise or answer cell does not start as this module says.
    """
    found = []
    all_cells = cells(source)
    for at, (kind, tags, text) in enumerate(all_cells):
        if EXERCISE_TAG not in tags:
            continue
        match = EXERCISE.match(text)
        if match is None:
            raise ValueError("an exercise cell must start '**Exercise N (level).**', "
                             f"got {text[:60]!r}")
        answer = None
        if at + 1 < len(all_cells) and ANSWER_TAG in all_cells[at + 1][1]:
            answer_match = ANSWER.match(all_cells[at + 1][2])
            if answer_match is None or answer_match.group("number") != match.group("number"):
                raise ValueError(f"the answer after exercise {match.group('number')} must start "
                                 f"'**Answer {match.group('number')}.**'")
            answer = answer_match.group("answer").strip()
        keys = [key.strip() for found_keys in SYLLABUS.findall(text)
                for key in found_keys.split(";")]
        found.append({"number": int(match.group("number")), "level": match.group("level"),
                      "task": match.group("task").strip(), "syllabus": keys, "answer": answer})
    return found


def plain(value):
    """``value`` with NumPy scalars and arrays turned into JSON's numbers and lists."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if hasattr(value, "tolist"):        # NumPy arrays and scalars, TensorFlow's via numpy().
        return plain(value.tolist())
    if hasattr(value, "numpy"):
        return plain(value.numpy())
    return value


def write_outcomes(path, outcomes):
    """Write ``outcomes`` as JSON to ``path`` through a temporary file, so that a lab that
    stops halfway never leaves a half-written file."""
    temporary = pathlib.Path(f"{path}.partial")
    temporary.write_text(json.dumps(plain(outcomes), indent=1, allow_nan=True) + "\n",
                         encoding="utf-8")
    os.replace(temporary, path)
