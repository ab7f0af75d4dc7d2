"""The markers that make one source serve two editions, and the stubs that replace them.

A region a student writes sits between two comment lines that name its task::

    # TODO: m ← β₁·m + (1−β₁)·g, v ← β₂·v + (1−β₂)·g², then the bias-corrected step.
    # BEGIN SOLUTION adam
    ...the reference code...
    # END SOLUTION

The ``# TODO:`` line just above a region is its hint and stays in the student
edition. There the region becomes one line at the region's indentation::

    raise NotImplementedError("TODO adam: <hint> (custom/optimizers/adam.py:71)")

A file that only the instructor may see (hidden checks, the models of students'
mistakes, tests that copy a solution's maths) says so in one of its first five lines::

    # ASSIGNMENTS: INSTRUCTOR ONLY (a reason may follow)

and the release leaves it out.

In a release each task is in one of three states: *handed out* (its regions are the
stubs above), *held* (not part of this edition: each region becomes one line that
raises ``NotImplementedError("HELD <task>: …")``, and its hint is dropped, so the
edition has neither the code nor a TODO for it) or *published* (its regions keep
their code and lose only their marker lines). ``stub_line`` writes a stub and
``parse_todo`` reads its message back wherever it stands (the checker's feedback, a lab's
one-line error); ``stub_states`` reads which tasks of a file are stubs, from the text
alone; the labs use it to pick a task's trusted twin.

A lab's answer to an exercise is a markdown cell tagged ``answer``
(``# %% [markdown] tags=["answer"]``, jupytext's cell metadata, read by
``assignments/cells.py``); the release drops the cell, and the notebook export leaves it
out unless asked for the instructor's edition. Lines that only the instructor may see
inside a file that students get (the hidden checks' rows of the task table) sit between
``# BEGIN HIDDEN`` and ``# END HIDDEN`` lines, and the release drops them. All the
markers are plain comments, so the reference edition runs and is tested exactly as
it reads.
"""

import ast
import dataclasses
import re
import tokenize

from assignments import cells

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION (?P<task>[a-z_]+)[ \t]*$")
END = re.compile(r"^[ \t]*# END SOLUTION[ \t]*$")
HINT = re.compile(r"^[ \t]*# TODO:[ \t]*(?P<hint>.*)$")
HIDDEN_BEGIN = re.compile(r"^[ \t]*# BEGIN HIDDEN[ \t]*$")
HIDDEN_END = re.compile(r"^[ \t]*# END HIDDEN[ \t]*$")
INSTRUCTOR_ONLY = "# ASSIGNMENTS: INSTRUCTOR ONLY"
# What a file that holds a region or a hidden block contains, for a quick look before
# the parse (``regions``, ``without_hidden``) and for ``git grep`` (notebook_setup.py).
SOLUTION_SIGN = "# BEGIN SOLUTION"
HIDDEN_SIGN = "# BEGIN HIDDEN"
TODO_PREFIX = "TODO "
HELD_PREFIX = "HELD "
# The TODO stub's message, "TODO <task>: <hint> (<file>:<line>)", wherever it stands in a
# text (TensorFlow and Keras wrap it in their own words and escape codes); the place is
# the last "(file:line)" of the line, so that a hint may hold brackets.
TODO_MESSAGE = re.compile(r"TODO (?P<task>[a-z_]+): (?P<hint>.*) \((?P<where>[^()\s]+:\d+)\)")
HELD_TEXT = "this task is not part of this edition"
HELD_MESSAGE = re.compile(rf"HELD (?P<task>[a-z_]+): {HELD_TEXT}")
# A stub line as the release writes it: a raise of one string literal.
STUB_LINE = re.compile(r"""^[ \t]*raise NotImplementedError\((?P<literal>'(?:[^'\\\n]|\\.)*'"""
                       r"""|"(?:[^"\\\n]|\\.)*")\)[ \t]*\r?$""", re.MULTILINE)


class MarkerError(ValueError):
    """A marker that is unmatched, nested or nameless: the file cannot be released safely."""


@dataclasses.dataclass(frozen=True)
class Region:
    """One solution region: lines ``begin`` to ``end`` (1-based, the marker lines included)."""

    path: str
    task: str
    begin: int
    end: int
    indent: str
    hint: str

    def stub(self, line, newline="\n"):
        """The line that replaces the region; ``line`` is where it lands in the student file."""
        return stub_line(self.task, self.hint, f"{self.path}:{line}", self.indent, newline)

    def held_stub(self, newline="\n"):
        """The line that replaces a held task's region: no code, no hint, no TODO."""
        return held_stub_line(self.task, self.path, self.indent, newline)


@dataclasses.dataclass(frozen=True)
class Todo:
    """A TODO stub's message, read back: its task, hint and place (``file:line``)."""

    task: str
    hint: str
    where: str

    def message(self):
        return todo_message(self.task, self.hint, self.where)


def todo_message(task, hint, where):
    """The TODO stub's message: ``TODO <task>: <hint> (<file>:<line>)``."""
    return f"{TODO_PREFIX}{task}: {hint} ({where})"


def stub_line(task, hint, where, indent="", newline="\n"):
    """The line that stands for a handed-out task's region in the student edition."""
    return f"{indent}raise NotImplementedError({todo_message(task, hint, where)!r}){newline}"


def held_stub_line(task, path, indent="", newline="\n"):
    """The line that stands for a held task's region: no code, no hint, no TODO."""
    message = f"{HELD_PREFIX}{task}: {HELD_TEXT}; the labs use its trusted twin ({path})"
    return f"{indent}raise NotImplementedError({message!r}){newline}"


def parse_todo(text):
    """The ``Todo`` of the last TODO stub message in ``text`` (an error's message, which
    TensorFlow or Keras may have wrapped in their own text), or None."""
    found = None
    for line in str(text).splitlines():
        match = TODO_MESSAGE.search(line)
        if match is not None:
            found = Todo(match["task"], match["hint"], match["where"])
    return found


def parse_held(text):
    """The task of a held stub's message in ``text`` (an error's message), or None."""
    match = HELD_MESSAGE.search(str(text))
    return match["task"] if match is not None else None


def stub_state(line):
    """``(task, "unwritten" | "held")`` for a stub line of the student edition, else None."""
    match = STUB_LINE.match(line)
    if match is None:
        return None
    try:
        message = ast.literal_eval(match["literal"])
    except (ValueError, SyntaxError):
        return None
    held = parse_held(message)
    if held is not None and message.startswith(HELD_PREFIX):
        return held, "held"
    todo = parse_todo(message)
    if todo is not None and message.startswith(TODO_PREFIX):
        return todo.task, "unwritten"
    return None


def stub_states(text):
    """task → "unwritten" or "held" for every stub the release left in ``text``.

    A task whose stub a student replaced with code is no longer listed. Cheap (one
    regular expression over the text, then each stub's message read by ``stub_state``),
    so a lab may ask before every use of a task.
    """
    states = {}
    for match in STUB_LINE.finditer(text):
        found = stub_state(match.group(0))
        if found is not None:
            states.setdefault(*found)
    return states


def is_instructor_only(text):
    """True when one of the first five lines starts with the instructor-only marker."""
    return any(line.strip().startswith(INSTRUCTOR_ONLY) for line in text.splitlines()[:5])


def comment_lines(text, path):
    """The numbers of the lines that hold only a comment (not text inside a string).

    Markers are comments; a docstring or a test that shows one as text is not a marker.
    """
    try:
        return cells.comment_lines(text)
    except (tokenize.TokenError, SyntaxError) as error:
        raise MarkerError(f"{path}: cannot read it as Python ({error})") from None


def _bare_lines(text):
    """The lines of ``text`` as Python counts them, without their line ends."""
    return [line.rstrip("\r\n") for line in cells.lines(text)]


def regions(text, path):
    """Every solution region of a file's text, in order.

    Raises:
        MarkerError: an END without a BEGIN, a BEGIN inside a region or never closed,
            or a BEGIN SOLUTION line without a task name.
    """
    if SOLUTION_SIGN not in text and "# END SOLUTION" not in text:
        return []
    found = []
    lines = _bare_lines(text)
    comments = comment_lines(text, path)
    opened = None
    for number, line in enumerate(lines, start=1):
        if number not in comments:
            continue
        if line.strip().startswith(SOLUTION_SIGN):
            match = BEGIN.match(line)
            if match is None:
                raise MarkerError(f"{path}:{number}: write '# BEGIN SOLUTION <task>' with a task "
                                  f"name in lowercase")
            if opened is not None:
                raise MarkerError(f"{path}:{number}: BEGIN SOLUTION inside the region opened at "
                                  f"line {opened[0]}")
            previous = HINT.match(lines[number - 2]) if number > 1 else None
            hint = previous.group("hint").strip() if previous else "write this part"
            opened = (number, match.group("task"), match.group("indent"), hint)
        elif END.match(line):
            if opened is None:
                raise MarkerError(f"{path}:{number}: END SOLUTION without a BEGIN SOLUTION")
            begin, task, indent, hint = opened
            found.append(Region(path, task, begin, number, indent, hint))
            opened = None
    if opened is not None:
        raise MarkerError(f"{path}:{opened[0]}: BEGIN SOLUTION is never closed")
    return found


def without_hidden(text, path):
    """``text`` without its ``# BEGIN HIDDEN`` … ``# END HIDDEN`` blocks (markers included)."""
    if HIDDEN_SIGN not in text and "# END HIDDEN" not in text:
        return text
    kept, inside = [], None
    comments = comment_lines(text, path)
    for number, line in enumerate(cells.lines(text), start=1):
        if number not in comments:
            if inside is None:
                kept.append(line)
        elif HIDDEN_BEGIN.match(line.rstrip("\r\n")):
            if inside is not None:
                raise MarkerError(f"{path}:{number}: BEGIN HIDDEN inside the block opened at "
                                  f"line {inside}")
            inside = number
        elif HIDDEN_END.match(line.rstrip("\r\n")):
            if inside is None:
                raise MarkerError(f"{path}:{number}: END HIDDEN without a BEGIN HIDDEN")
            inside = None
        elif inside is None:
            kept.append(line)
    if inside is not None:
        raise MarkerError(f"{path}:{inside}: BEGIN HIDDEN is never closed")
    return "".join(kept)


def without_answer_cells(text):
    """``text`` without its answer cells: from ``# %% … tags=["answer"]`` to the next cell.

    Raises:
        MarkerError: a cell marker's tags are not a list of strings.
    """
    try:
        return cells.without_tagged(text, cells.ANSWER_TAG)
    except cells.CellError as error:
        raise MarkerError(str(error)) from None


def has_answer_cells(text):
    """True when ``text`` has a cell tagged ``answer`` (jupytext's cell metadata)."""
    try:
        return any(cells.ANSWER_TAG in cell.tags for cell in cells.cells(text))
    except cells.CellError:
        return True     # A marker we cannot read may hide one.


def student_text(text, path, tasks, held=()):
    """The student edition of a file's text.

    Regions of ``tasks`` become a stub with their TODO; regions of ``held`` become a
    held stub, their ``# TODO:`` hint dropped; the regions of every other task keep
    their code and lose only their marker lines, so that the file still runs. Hidden
    blocks and answer cells are dropped.
    """
    text = without_answer_cells(without_hidden(text, path))
    lines = cells.lines(text)
    by_begin = {region.begin: region for region in regions(text, path)}
    out = []
    number = 1
    while number <= len(lines):
        region = by_begin.get(number)
        if region is None:
            out.append(lines[number - 1])
            number += 1
            continue
        newline = lines[region.end - 1][len(lines[region.end - 1].rstrip("\r\n")):]
        if region.task in tasks:
            out.append(region.stub(len(out) + 1, newline or "\n"))
        elif region.task in held:
            if out and HINT.match(out[-1].rstrip("\r\n")):
                out.pop()   # The hint would be a TODO for a task nobody writes.
            out.append(region.held_stub(newline or "\n"))
        else:
            out.extend(lines[region.begin:region.end - 1])   # The code without its markers.
        number = region.end + 1
    return "".join(out)


def solution_lines(text, path, tasks=None):
    """The code lines inside the regions of ``tasks`` (all tasks when None), stripped."""
    lines = _bare_lines(text)
    found = []
    for region in regions(text, path):
        if tasks is None or region.task in tasks:
            found += [line.strip() for line in lines[region.begin:region.end - 1]]
    return found
