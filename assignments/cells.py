"""The one reader of percent-format cells: each cell's kind, tags, text and line span.

A lab is a percent-format script, as jupytext reads it. A line ``# %%`` starts a code
cell, ``# %% [markdown]`` a text cell whose lines are comments, and ``tags=[...]`` on
the marker line is the cell's metadata, a JSON list::

    # %% [markdown] tags=["exercise", "extra reading"]
    # **Exercise 2 (medium).** Change ... and explain ...

    # %% tags=["your-prediction"]
    lab.predict(1, None)

The lines before the first marker (a lab's header docstring) are a code cell without a
marker, as in jupytext. A ``# %%`` inside a string, inside a fenced block of a markdown
cell, or in the middle of a line starts no cell, again as in jupytext; CRLF line ends
read as LF ones. Every reader of the format uses ``cells``: the classroom cells of a
running lab (``labs/machinery/classroom.py``), the release that drops answer cells
(``assignments/markers.py``), the notebook export and the check that a commit holds no
answer cells (``labs/machinery/notebooks.py``, ``labs/machinery/notebook_setup.py``).
"""

import ast
import dataclasses
import functools
import io
import json
import re
import tokenize

# The tags a lab's cells carry (``labs/machinery/classroom.py`` says what each is for).
ANSWER_TAG = "answer"
PREDICTION_TAG = "prediction"
YOUR_PREDICTION_TAG = "your-prediction"
EXERCISE_TAG = "exercise"
PARAMETERS_TAG = "parameters"

# A marker line as jupytext reads one: "# %%" with options after a blank, or alone.
MARKER = re.compile(r"^[ \t]*#[ \t]*%%(?:%*[ \t](?P<options>.*)|[ \t]*)$")
# The metadata on a marker line: key=value pairs after the title; tags' value is a list.
METADATA_KEY = re.compile(r"(?:^|[ \t])(?P<key>[A-Za-z_][\w.-]*)=")
# A fenced block in a markdown cell (``` or ~~~), inside which "# %%" starts no cell.
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
KINDS = {"[markdown]": "markdown", "[md]": "markdown", "[raw]": "raw"}


class CellError(ValueError):
    """A marker line whose tags are not a list of strings."""


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell: lines ``begin`` to ``end`` of the file (1-based, the marker line included).

    Attributes:
        kind: "code", "markdown" or "raw".
        tags: the cell's tags, in order.
        text: the cell's content without its marker line and the blank lines around it;
            a markdown cell's lines without their "# ".
        begin, end: the cell's first and last line; the blank lines before the next
            marker belong to the cell.
        marker: the marker line without its line end; None for the lines before the
            first marker.
    """

    kind: str
    tags: tuple
    text: str
    begin: int
    end: int
    marker: str = None


def lines(text):
    """``text`` cut after each "\\n", line ends kept, so that ``"".join(lines(text)) == text``
    and line N is the N-th line as Python and an editor count it (CRLF included)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _bare(line):
    return line.rstrip("\r\n")


@functools.lru_cache(maxsize=1024)
def comment_lines(text):
    """The numbers of the lines that hold only a comment (not text inside a string), a
    frozenset. Tokenizing is most of a release's work (each of some 300 files is read for
    its regions, hidden blocks and cells, and grading releases once per batch), so the
    answers for the texts read last are kept: the same text always gives the same lines.

    Raises:
        tokenize.TokenError, SyntaxError: ``text`` is not Python.
    """
    numbers = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and not token.line[:token.start[1]].strip():
            numbers.add(token.start[0])
    return frozenset(numbers)


def parse_marker(line, number=None):
    """``(kind, tags)`` of a marker line, or None when ``line`` is not one.

    Raises:
        CellError: ``tags=`` is not a list of strings.
    """
    match = MARKER.match(_bare(line))
    if match is None:
        return None
    options = match.group("options") or ""
    keys = list(METADATA_KEY.finditer(options))
    title = options[:keys[0].start()] if keys else options
    kind = next((kind for code, kind in KINDS.items() if code in title), "code")
    tags = ()
    for at, key in enumerate(keys):
        if key.group("key") != "tags":
            continue
        value = options[key.end():keys[at + 1].start() if at + 1 < len(keys) else None].strip()
        try:
            tags = json.loads(value)
        except ValueError:
            try:
                tags = ast.literal_eval(value)     # jupytext reads Python's quotes too.
            except (ValueError, SyntaxError):
                tags = None
        if not isinstance(tags, (list, tuple)) or not all(isinstance(tag, str) for tag in tags):
            where = f"line {number}: " if number is not None else ""
            raise CellError(f"{where}tags= must be a list of strings like tags=[\"answer\"], "
                            f"got {value!r}")
        tags = tuple(tags)
    return kind, tags


def _uncommented(line):
    line = _bare(line)
    return line[2:] if line.startswith("# ") else line[1:] if line.startswith("#") else line


def _opens_fence(text, following):
    """The fence (```` ``` ```` or ``~~~``) that ``text`` opens when one of the ``following``
    lines closes it, else None."""
    match = FENCE.match(text)
    if match is None or (match.group(1)[0] == "`" and "`" in match.group(2)):
        return None
    fence = match.group(1)
    return fence if any(_closes_fence(_uncommented(line), fence) for line in following) else None


def _closes_fence(text, fence):
    match = FENCE.match(text)
    return (match is not None and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence) and not match.group(2).strip())


@functools.lru_cache(maxsize=1024)
def cells(text):
    """Every cell of a percent-format script, in order, as a tuple (see ``Cell``). A running
    lab asks at each prediction, and a release for every file it writes, so the cells of
    the last texts read are kept.

    Raises:
        CellError: a marker line's tags are not a list of strings.
    """
    all_lines = lines(text)
    if not all_lines:
        return ()
    try:
        comments = comment_lines(text)
    except (tokenize.TokenError, SyntaxError):
        comments = None        # Not Python: every marker-shaped line is a marker.
    found, kind, fence = [], "code", None
    starts = []
    for number, line in enumerate(all_lines, start=1):
        if comments is not None and number not in comments:
            continue
        if kind != "code":
            body = _uncommented(line)
            if fence is not None:
                fence = None if _closes_fence(body, fence) else fence
                continue
            fence = _opens_fence(body, all_lines[number:])
            if fence is not None:
                continue
        parsed = parse_marker(line, number)
        if parsed is not None:
            starts.append((number, parsed))
            kind = parsed[0]
    if not starts or any(_bare(line).strip() for line in all_lines[:starts[0][0] - 1]):
        starts.insert(0, (1, None))
    for at, (begin, parsed) in enumerate(starts):
        end = starts[at + 1][0] - 1 if at + 1 < len(starts) else len(all_lines)
        body = [_bare(line) for line in all_lines[begin - (parsed is None):end]]
        kind, tags = parsed or ("code", ())
        if kind != "code":
            body = [_uncommented(line) for line in body]
        found.append(Cell(kind, tags, "\n".join(body).strip(), begin, end,
                          None if parsed is None else _bare(all_lines[begin - 1])))
    return tuple(found)


def without_tagged(text, tag):
    """``text`` without its cells tagged ``tag``, from their marker to the next cell's; the
    lines it keeps are byte for byte those of ``text``."""
    dropped = set()
    for cell in cells(text):
        if tag in cell.tags:
            dropped.update(range(cell.begin, cell.end + 1))
    return "".join(line for number, line in enumerate(lines(text), start=1)
                   if number not in dropped)
