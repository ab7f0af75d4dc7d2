"""A class's predictions, summed: ``python -m labs tally FOLDER``.

Each student's run of a lab writes ``outcomes.json`` (``labs/machinery/runtime.py``), with, for each
prediction, what the student predicted, this run's answer, and whether the prediction was
right. Collected in one folder (any layout: ``FOLDER/anna/tour/outcomes.json``, …), the
tally prints, for each lab and question, how many answered, how many chose each answer,
how many were right, and the most common wrong answer: a concept test, as in peer
instruction, that tells the instructor which question to discuss.

A file that is not valid JSON, or JSON that is not a lab's outcomes, is named on one line,
skipped, and counted in the summary. An empty folder, or one without outcome files, is a
one-line error and exit status 2.
"""

import collections
import json
import pathlib
import sys

FILENAME = "outcomes.json"


class Skipped(Exception):
    """A file that the tally cannot read as a lab's outcomes; the message says why."""


def read(path):
    """The outcomes in ``path``, as a dict with "lab" and "predictions".

    Raises:
        Skipped: when the file is not UTF-8 JSON, or not a lab's outcomes.
    """
    try:
        outcomes = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise Skipped("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise Skipped(f"not valid JSON (line {error.lineno}: {error.msg})") from None
    except OSError as error:
        raise Skipped(f"cannot be read ({error.strerror or type(error).__name__})") from None
    if (not isinstance(outcomes, dict) or not isinstance(outcomes.get("lab"), str)
            or not isinstance(outcomes.get("predictions"), dict)
            or not all(isinstance(entry, dict) for entry in outcomes["predictions"].values())):
        raise Skipped("not a lab's outcomes (it needs \"lab\" and \"predictions\")")
    return outcomes


class Question:
    """What a class answered to one question of one lab."""

    def __init__(self, text, choices, tolerance):
        self.text = text
        self.choices = choices or {}
        self.tolerance = tolerance
        self.runs = 0
        self.chosen = collections.Counter()     # prediction → how many chose it
        self.wrong = collections.Counter()      # wrong prediction → how many
        self.right = 0
        self.keys = collections.Counter()       # this run's answer → in how many runs

    def add(self, entry):
        self.runs += 1
        answer = entry.get("answer")
        if answer is not None and not self.tolerance:
            self.keys[" or ".join(f"({letter})" for letter in
                                  ([answer] if isinstance(answer, str) else answer))] += 1
        predicted = entry.get("predicted")
        if predicted is None:
            return
        if self.tolerance:
            if entry.get("right") is False and isinstance(answer, (int, float)):
                direction = "too high" if predicted > answer else "too low"
                self.wrong[direction] += 1
            self.chosen["answered"] += 1
        else:
            self.chosen[predicted] += 1
            if entry.get("right") is False:
                self.wrong[f"({predicted})"] += 1
        if entry.get("right") is True:
            self.right += 1

    def lines(self):
        answered = sum(self.chosen.values())
        share = f" ({self.right / answered:.0%})" if answered else ""
        found = [f"    answered in {answered} of {self.runs} runs; right: {self.right}{share}"]
        if self.tolerance:
            found.append(f"    numeric, within {self.tolerance:.0%} counts as right")
        else:
            letters = sorted(set(self.choices) | set(self.chosen))
            found.append("    chose: " + "  ".join(f"({letter}) {self.chosen[letter]}"
                                                  for letter in letters))
            if self.keys:
                found.append("    this run's answer: " + ", ".join(
                    f"{key} in {count}" for key, count in self.keys.most_common()))
        if self.wrong:
            wrong, count = self.wrong.most_common(1)[0]
            found.append(f"    most common wrong answer: {wrong}, by {count}")
        else:
            found.append("    most common wrong answer: none")
        return found


def tally(folder):
    """``(labs, files, skipped)``: lab → number → ``Question``, the files read, and the
    ``(path, reason)`` of each file skipped."""
    labs = {}
    files, skipped = [], []
    for path in sorted(pathlib.Path(folder).rglob(FILENAME)):
        try:
            outcomes = read(path)
        except Skipped as reason:
            skipped.append((path, str(reason)))
            continue
        files.append(path)
        questions = labs.setdefault(outcomes["lab"], {})
        for number, entry in outcomes["predictions"].items():
            if number not in questions:
                questions[number] = Question(entry.get("question", ""), entry.get("choices"),
                                             entry.get("tolerance"))
            questions[number].add(entry)
    return labs, files, skipped


def main(argv):
    """The front door's ``tally FOLDER``. Returns the exit status."""
    if len(argv) != 1 or argv[0].startswith("-"):
        print("python -m labs tally: error: give one folder of outcome files, e.g. "
              "python -m labs tally class-runs/", file=sys.stderr)
        return 2
    folder = pathlib.Path(argv[0])
    if not folder.is_dir():
        print(f"python -m labs tally: error: {folder} is not a folder", file=sys.stderr)
        return 2
    labs, files, skipped = tally(folder)
    for path, reason in skipped:
        print(f"skipped {path}: {reason}")
    if not files:
        print(f"python -m labs tally: error: no readable {FILENAME} under {folder} "
              f"({len(skipped)} skipped)", file=sys.stderr)
        return 2
    for lab in sorted(labs):
        print(f"\n{lab}")
        for number in sorted(labs[lab], key=int):
            question = labs[lab][number]
            print(f"  Predict {number}. {question.text}")
            for line in question.lines():
                print(line)
    print(f"\n{len(files)} outcome files read, {len(skipped)} skipped")
    return 0
