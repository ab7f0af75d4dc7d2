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

* A **prediction** cell comes before the experiment it asks about. The code after the
  experiment calls ``lab.reveal(1, "η = 0.3 ends lowest", final_losses=...)``, which prints
  the question again beside the measured outcome, built from the run's numbers, and records
  those numbers in the output folder's ``outcomes.json`` (``Lab.reveal``).
* An **exercise** cell is one task of the closing "Exercises" section, at a level from
  ``LEVELS``; each is followed by its **answer** cell. Answer cells are in the instructor's
  export only (``python -m labs --notebooks DIR --instructor``); the default export and the
  student edition leave them out.
* An exercise that takes up an exercise or activity of the curriculum names it on a line
  ``*Syllabus: ….*`` with a key from ``labs/_syllabus.py``.

This module reads those cells from a lab's source, without jupytext, so that a running lab
can print its own questions.
"""

import json
import os
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent

PREDICTION_TAG = "prediction"
EXERCISE_TAG = "exercise"
ANSWER_TAG = "answer"

# An exercise's level, from easy to open-ended; a lab's exercises never go down a level.
LEVELS = ("easy", "medium", "hard", "open-ended")

_CELL = re.compile(r"^# %%(?P<marker>.*)$", re.M)
_TAGS = re.compile(r'\btags=\[(?P<tags>[^\]]*)\]')
PREDICTION = re.compile(r"^\*\*Predict (?P<number>\d+)\.\*\*\s*(?P<question>.+)", re.S)
EXERCISE = re.compile(r"^\*\*Exercise (?P<number>\d+) \((?P<level>[a-z-]+)\)\.\*\*\s*(?P<task>.+)",
                      re.S)
ANSWER = re.compile(r"^\*\*Answer (?P<number>\d+)\.\*\*\s*(?P<answer>.+)", re.S)
SYLLABUS = re.compile(r"\*Syllabus: (?P<keys>[^*]+?)\.?\*")


def cells(source):
    """The ``(kind, tags, text)`` cells of a percent-format script, markdown unprefixed."""
    found = []
    markers = list(_CELL.finditer(source))
    for at, marker in enumerate(markers):
        end = markers[at + 1].start() if at + 1 < len(markers) else len(source)
        body = source[marker.end():end].strip("\n")
        head = marker.group("marker")
        tags_match = _TAGS.search(head)
        tags = re.findall(r'"([^"]*)"', tags_match.group("tags")) if tags_match else []
        if "[markdown]" in head:
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.splitlines())
            found.append(("markdown", tags, body.strip()))
        else:
            found.append(("code", tags, body.strip()))
    return found


def lab_source(name):
    return (HERE / f"{name}.py").read_text(encoding="utf-8")


def predictions(source):
    """``{number: question}`` of the source's prediction cells, in order.

    Raises:
        ValueError: when a prediction cell does not start ``**Predict N.**``.
    """
    found = {}
    for kind, tags, text in cells(source):
        if PREDICTION_TAG in tags:
            match = PREDICTION.match(text)
            if match is None:
                raise ValueError(f"a prediction cell must start '**Predict N.**', got {text[:60]!r}")
            found[int(match.group("number"))] = " ".join(match.group("question").split())
    return found


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
