"""Every lesson reads top to bottom: it is short, it finishes in one place, and every value a
teacher might change sits in the block at the top.

For each lesson in the catalog:

- the file is at most ``MAX_LINES`` lines (a longer file is usually two ideas, or code that is
  not the lesson and belongs in ``labs/helpers/<lesson>.py``);
- ``lab.finish()`` appears exactly once, in the last code cell before the ``## Exercises``
  section (the exercises are markdown only);
- no module-level name is assigned a number written as a literal (``tolerance = 1e-9``,
  ``multiples = (0.5, 1, 2)``) after the cell of the ``runtime.start`` call: a tunable value
  belongs in the hyperparameter block, a fixed constant of the lesson in the same cell right
  after it.
"""

import ast
import textwrap

import pytest

from assignments import cells
from labs.machinery import catalog, classroom

MAX_LINES = 420
FINISH = "lab.finish()"


def _is_number(node):
    """Whether ``node`` is a number written as a literal: ``3``, ``-1e-6``, ``(0.5, 1, 2)``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
        return all(_is_number(element) for element in node.elts)
    return False


def _code_cells(source):
    """``(first line, text)`` of each code cell of a percent-format script, in order, and the
    line of the ``## Exercises`` markdown cell (None without one); read by the one cell
    parser, ``assignments.cells``."""
    code, exercises = [], None
    for cell in cells.cells(source):
        if cell.marker is None:
            continue                  # The header docstring, before the first marker.
        if cell.kind == "markdown":
            if exercises is None and any(line.strip() == "## Exercises"
                                         for line in cell.text.splitlines()):
                exercises = cell.begin
        elif cell.kind == "code":
            code.append((cell.begin, cell.text))
    return code, exercises


def problems(source):
    """Every rule ``source`` breaks, one line each; an empty list when it keeps them all."""
    found = []
    lines = source.splitlines()
    if len(lines) > MAX_LINES:
        found.append(f"{len(lines)} lines, more than {MAX_LINES}")
    code, exercises = _code_cells(source)
    finishes = source.count(FINISH)
    if finishes != 1:
        found.append(f"{FINISH} appears {finishes} times, not once")
    if exercises is None:
        found.append("no '# ## Exercises' markdown section")
    else:
        before = [(start, body) for start, body in code if start < exercises]
        after = [start for start, body in code if start > exercises]
        if after:
            found.append(f"code cells after the Exercises section (line {after[0]}): the "
                         "exercises are markdown only")
        if not before or FINISH not in before[-1][1]:
            found.append(f"{FINISH} is not in the last code cell before the Exercises section")
    tree = ast.parse(source)
    start_line = next((node.lineno for node in ast.walk(tree)
                       if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                       and node.func.attr == "start"
                       and isinstance(node.func.value, ast.Name)
                       and node.func.value.id == "runtime"), None)
    if start_line is None:
        found.append("no runtime.start(...) call")
        return found
    # Constants may follow the block in its own cell; the next cell starts the lesson.
    block_end = next((start for start, body in code if start > start_line), len(lines) + 1)
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None \
                and node.lineno > block_end and _is_number(node.value):
            found.append(f"line {node.lineno}: a number assigned mid-file "
                         f"({ast.unparse(node).splitlines()[0]}); declare it at the top")
    return found


@pytest.mark.parametrize("name", catalog.names())
def test_lesson_keeps_its_shape(name):
    broken = problems(classroom.lab_source(name))
    assert not broken, f"labs/{name}.py:\n" + "\n".join(broken)


GOOD = textwrap.dedent('''\
    """A made-up lesson."""

    # %%
    from labs.machinery import runtime
    from labs.machinery.runtime import param

    lab = runtime.start("made_up", {
        "learning_rate": param(0.1, above=0),   # The usual rate.
    })
    NEAR = 0.1   # A fixed constant of the lesson, right after the block.

    # %% [markdown]
    # ## 1. A step

    # %%
    step = lab.learning_rate * 2
    names, total = {}, 0.0

    # %%
    lab.finish()

    # %% [markdown]
    # ## Exercises
    #
    # **Exercise 1 (easy).** Change the rate.
    ''')


def test_a_lesson_that_keeps_the_rules_passes():
    assert problems(GOOD) == []


@pytest.mark.parametrize("change, complaint", [
    (lambda source: source.replace("step = lab.learning_rate * 2",
                                   "step = lab.learning_rate * 2\ntolerance = 1e-9"),
     "a number assigned mid-file (tolerance = 1e-09)"),
    (lambda source: source.replace("step = lab.learning_rate * 2",
                                   "multiples = (0.5, -1, 2)"),
     "a number assigned mid-file (multiples = (0.5, -1, 2))"),
    (lambda source: source.replace("lab.finish()", "print('done')")
     + "\n# %%\nlab.finish()\n",
     "code cells after the Exercises section"),
    (lambda source: source.replace("lab.finish()", "print('done')")
     .replace("names, total", "lab.finish()\nnames, total"),
     "is not in the last code cell before the Exercises section"),
    (lambda source: source.replace("lab.finish()", "lab.finish()\nlab.finish()"),
     "appears 2 times, not once"),
    (lambda source: source + "# line\n" * MAX_LINES, "lines, more than 420"),
    (lambda source: source.replace("# ## Exercises", "# ## Exercise time"),
     "no '# ## Exercises' markdown section"),
])
def test_a_lesson_that_breaks_a_rule_fails(change, complaint):
    broken = problems(change(GOOD))
    assert any(complaint in line for line in broken), broken
