"""A notebook's parameters cell: written from the lab's block, read back by ``start``.

In a terminal a student changes a hyperparameter with a flag (``--epochs 5``). In a
notebook there are no flags, so the export puts one cell near the top, tagged
``parameters`` as papermill does, with one line per value of the lab's block::

    # Parameters: change a value here, then run this cell and every cell below it.
    epochs = 40                # ≥ 1; quick mode: 8
    learning_rate = 0.05       # > 0

The block in the lab stays the one source of truth: ``cell_source`` runs the lab's
source only up to its ``runtime.start`` call, which hands back the declared block
instead of starting the lab, and writes each name, its default and its range. A line
holds one ``=``, its assignment's: the range is written ``≥ 1``, not ``>= 1``, because
papermill reads a line with a second ``=`` as no parameter ("Unable to parse line").

``start`` then reads the cell back (``values_from_cell``) from the kernel's input
history: the most recent cell whose first line is ``# Parameters``, which is ours
or the one that papermill injects below it. Reading the cell's text, not the
kernel's variables, matters: a lab may reuse a name for something else further
down (``for seed in ...``), and a rerun of the lab's first cell must not pick that up.
Besides the lab's block, the cell may set the run-wide option ``reveal`` ("all" shows every
measured answer, "answered" only those of predicted questions; ``reveal_from_cell``), which
the instructor's export writes as ``reveal = "all"``. Both read the cell's lines through
one reader, ``assignments``.
Each value must be a plain Python value (``40``, ``0.05``, ``"adam"``, ``[16, 8]``);
it is checked exactly as the flag of the same name is, so a bad value raises the
same one-line ``UsageError``. A value equal to its default changes nothing, so
quick mode still shrinks the values that the student left as they were.
"""

import ast
import runpy

from assignments import cells
from labs.machinery import catalog, environment, hyperparameters

MARKER = "# Parameters"
TAG = cells.PARAMETERS_TAG
REVEAL = "reveal"   # The run-wide option a parameters cell may set besides the lab's block.
REVEAL_ALL_LINE = ('reveal = "all"  # show every measured answer, predicted or not '
                   '(instructor\'s edition)')

HEADER = """\
# Parameters: change a value here, then run this cell and every cell below it
# (Colab: Runtime → Run all). Each value is checked as the flag of the same name
# is on the command line (python -m labs {name} --{example} ...), and its range
# is beside it. Quick mode (%env LABS_QUICK=1) shrinks only the values left as
# they are. The lab's block below gives the reason for each value. Keep the first
# line: the lab finds this cell by its "# Parameters".
"""


def declarations(name):
    """Lab ``name``'s declared block and quick values, without running the lab.

    The lab's source runs only up to its ``runtime.start`` call (its imports and the
    block), where ``start`` hands the block back (``hyperparameters.reading_declarations``).

    Returns:
        ``(hyperparameters, quick)``: name → ``Hyperparameter`` (``seed`` last), and
        name → quick-mode value.
    """
    try:
        with hyperparameters.reading_declarations():
            runpy.run_path(str(catalog.path(name)), run_name=f"labs.{name}.declarations")
    except hyperparameters.Declared as declared:
        return {**declared.hyperparameters, "seed": hyperparameters.SEED}, declared.quick
    raise ValueError(f"lab {name!r} never calls runtime.start, so it has no parameters")


def cell_source(name):
    """The parameters cell of lab ``name``: ``name = default  # range; quick mode: value``."""
    declared, quick = declarations(name)
    assignments = [f"{key} = {declaration.default!r}"
                   for key, declaration in declared.items()]
    width = max(len(assignment) for assignment in assignments) + 2
    lines = []
    for assignment, (key, declaration) in zip(assignments, declared.items()):
        notes = [declaration.range_text() or "any value"]
        if key in quick:
            notes.append(f"quick mode: {quick[key]!r}")
        lines.append(f"{assignment:<{width}}# {without_equals('; '.join(notes))}")
    example = next(iter(declared)).replace("_", "-")
    return HEADER.format(name=name, example=example) + "\n".join(lines)


def without_equals(comment):
    """A comment with ``>=`` and ``<=`` written ``≥`` and ``≤``, so that papermill finds the
    line's one ``=`` (its own inspection warns "Unable to parse line" on a second one)."""
    return comment.replace(">=", "≥").replace("<=", "≤")


def is_parameters_cell(source):
    """True for our parameters cell and for the cell that papermill injects below it."""
    return source.lstrip().startswith(MARKER)


def latest_cell():
    """The source of the most recent parameters cell this kernel ran, or None."""
    from IPython import get_ipython

    shell = get_ipython()
    history = shell.history_manager.input_hist_parsed if shell is not None else []
    return next((source for source in reversed(history) if is_parameters_cell(source)), None)


def assignments(source):
    """``(name, expression)`` for each ``name = value`` line of a parameters cell, in order.

    Other statements are passed over (``%env LABS_QUICK=1``, which IPython has already run).

    Raises:
        UsageError: the cell is not valid Python, or assigns to something else than one name.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise hyperparameters.UsageError(
            f"the parameters cell is not valid Python (line {error.lineno}: {error.msg})") from None
    found = []
    for statement in tree.body:
        if not isinstance(statement, ast.Assign):
            continue
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            raise hyperparameters.UsageError(
                f"line {statement.lineno} of the parameters cell must read name = value")
        found.append((statement.targets[0].id, statement.value))
    return found


def values_from_cell(source, lab_name, declared):
    """The values of a parameters cell that differ from their defaults, as name → value.

    Raises:
        UsageError: for a cell ``assignments`` cannot read, a name the lab does not
            declare, a value that is not a plain Python value, or a value of the wrong
            type or outside its range.
    """
    values = {}
    for key, expression in assignments(source):
        if key == REVEAL and key not in declared:
            continue   # Read by reveal_from_cell.
        if key not in declared:
            raise hyperparameters.UsageError(
                f"the parameters cell sets {key!r}, which lab {lab_name} does not have; "
                f"it has: {', '.join(declared)}")
        declaration = declared[key]
        try:
            value = ast.literal_eval(expression)
        except ValueError:
            raise hyperparameters.UsageError(
                f"{key} in the parameters cell must be a plain value like "
                f"{declaration.default!r}, got {ast.unparse(expression)}") from None
        declaration.check(key, value)
        values[key] = _as_declared(declaration, value)
    return {key: value for key, value in values.items() if value != declared[key].default}


def reveal_from_cell(source):
    """The cell's ``reveal = "all"`` or ``"answered"``, or None when it does not set it.

    Raises:
        UsageError: for any other value, or a cell ``assignments`` cannot read.
    """
    found = None
    for key, expression in assignments(source):
        if key == REVEAL:
            try:
                found = ast.literal_eval(expression)
            except ValueError:
                found = ast.unparse(expression)
            environment.check_reveal(found, "reveal in the parameters cell")
    return found


def _as_declared(declaration, value):
    """The value as a flag would give it: ``2`` for a float becomes ``2.0``, a tuple a list."""
    convert = float if declaration.kind is float else (lambda element: element)
    if declaration.is_list:
        return [convert(element) for element in value]
    return convert(value)
