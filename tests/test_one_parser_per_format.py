"""Each text format has one parser, which every reader uses.

The formats and their one parser:

* percent-format cells and their tags (``# %% [markdown] tags=["answer"]``):
  ``assignments/cells.py``;
* the solution and hidden markers, the instructor-only line and the TODO stub
  (``# BEGIN SOLUTION task``, ``raise NotImplementedError("TODO task: hint (file:line)")``):
  ``assignments/markers.py``;
* the notebook's parameters cell: ``notebook_parameters.assignments``.

A second parser (a regular expression or a string test for one of these formats anywhere
else) reads the same text another way, and sooner or later differently. This test greps
the tree for one.
"""

import pathlib
import re

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
FOLDERS = ("labs", "assignments", "benchmarks", "tests", "custom", "callbacks", "datasets")
PARSERS = {"assignments/cells.py", "assignments/markers.py", "tests/test_one_parser_per_format.py"}
FORMAT_WORDS = (r"(tags=|%%|\bTODO\b|\bHELD\b|\bSOLUTION\b|\bHIDDEN\b|INSTRUCTOR ONLY"
                r"|NotImplementedError)")
SECOND_PARSER = {
    "a regular expression for a format": re.compile(
        r"\bre\.(compile|match|fullmatch|search|findall|finditer|split|sub)\(\s*[rb]?[\"']"
        rf".*{FORMAT_WORDS}"),
    "a string test for a marker": re.compile(
        r"\.(startswith|endswith|find|rfind|index|partition|split)\(\s*[\"']"
        r"(# ?%%|# BEGIN|# END|# TODO|TODO |HELD |# ASSIGNMENTS)"),
    "a look for a marker in the text": re.compile(
        r"[\"'](# ?%%[^\"']*|# BEGIN (SOLUTION|HIDDEN)|# END (SOLUTION|HIDDEN)|TODO |HELD |"
        r"tags=[^\"']*)[\"']\s+(not\s+)?in\b"),
}


def second_parsers(path, text):
    """(where, what, line) for each line of ``text`` that parses a format by itself."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in SECOND_PARSER.items():
            if pattern.search(line):
                found.append((f"{path}:{number}", what, line.strip()))
    return found


def python_files():
    for folder in FOLDERS:
        for file in sorted((REPOSITORY / folder).rglob("*.py")):
            path = file.relative_to(REPOSITORY).as_posix()
            if path not in PARSERS:
                yield path, file.read_text(encoding="utf-8")


def test_no_format_is_read_by_a_second_parser():
    found = [hit for path, text in python_files() for hit in second_parsers(path, text)]
    assert not found, "read the format through its one parser (see this test's docstring):\n" + \
        "\n".join(" ".join(hit) for hit in found)


@pytest.mark.parametrize("line", [
    # The readers this tree had before each format got its one parser.
    '_CELL = re.compile(r"^# %%(?P<marker>.*)$", re.M)',
    "_TAGS = re.compile(r'\\btags=\\[(?P<tags>[^\\]]*)\\]')",
    'header, *blocks = re.split(r"^# %%", source, flags=re.M)',
    'TODO = re.compile(r"TODO (?P<task>[a-z_]+): (?P<hint>.*?)")',
    'if line.strip().startswith("# BEGIN SOLUTION"):',
    'if "# BEGIN SOLUTION" not in text:',
    "at = text.find(markers.TODO_PREFIX) if 'TODO ' in text else -1",
    'STUB = re.compile(r"^TODO (?P<task>[a-z_]+): .*")',
    'HELD_TASK = re.compile(r"HELD (?P<task>[a-z_]+): this task")',
])
def test_the_grep_finds_a_second_parser(line):
    assert second_parsers("x.py", line)


@pytest.mark.parametrize("line", [
    'assert "TODO adam" in result.stdout',
    "found = cells.cells(text)",
    "todo = markers.parse_todo(str(error))",
    "assert not comment.startswith(('# BEGIN', '# END'))",
    'REVEALS = re.compile(r"Predict \\d+: " + WITHHELD)',
])
def test_the_grep_leaves_readers_of_the_one_parser_alone(line):
    assert not second_parsers("x.py", line)
