"""The notebooks' parameters cell: written from each lab's block, tagged as papermill expects,
read back by ``start`` and checked exactly like the flags; and, in a real kernel, a changed
value changes the run while a bad one stops it with the flag's one-line error."""

import ast
import json
import logging
import os
import re
import sys

import nbformat
import pytest

from labs.machinery import (catalog, environment, hyperparameters, notebook_parameters, notebooks,
                            runtime)
from labs.machinery.runtime import param

BLOCK = {"epochs": param(20, minimum=1), "learning_rate": param(0.1, above=0),
         "hidden": param([8, 4], minimum=1), "plot": param(True),
         "label": param("a", choices=("a", "b"))}
DECLARED = {**BLOCK, "seed": hyperparameters.SEED}


def assignments(source):
    """name → literal value of every ``name = value`` line of a cell."""
    return {name: ast.literal_eval(expression)
            for name, expression in notebook_parameters.assignments(source)}


@pytest.mark.parametrize("name", catalog.names())
def test_parameters_cell_is_tagged_and_holds_the_lab_block_with_its_ranges(name):
    hyperparameters, quick = notebook_parameters.declarations(name)
    notebook = notebooks.notebook(name)
    cell, = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert cell.cell_type == "code" and cell.metadata.tags == ["parameters"]
    assert notebook.cells.index(cell) <= 2, "the parameters cell must sit at the top"
    assert notebook_parameters.is_parameters_cell(cell.source)
    assert assignments(cell.source) == {key: declaration.default
                                        for key, declaration in hyperparameters.items()}
    for key, declaration in hyperparameters.items():
        line, = [line for line in cell.source.splitlines() if line.startswith(f"{key} = ")]
        assert notebook_parameters.without_equals(declaration.range_text()) in line
        assert ("quick mode" in line) == (key in quick)
        assert key not in quick or f"quick mode: {quick[key]!r}" in line
    # Nothing changed: reading the cell back gives no overrides.
    assert notebook_parameters.values_from_cell(cell.source, name, hyperparameters) == {}


def test_changed_values_come_back_typed_as_flags_give_them():
    # As the kernel's history holds it: a magic line is a call, which the reader skips.
    source = ("# Parameters\nepochs = 3\nlearning_rate = 1\nhidden = (2, 3)\nplot = True\n"
              "get_ipython().run_line_magic('env', 'LABS_QUICK=1')\n")
    changed = notebook_parameters.values_from_cell(source, "demo", DECLARED)
    assert changed == {"epochs": 3, "learning_rate": 1.0, "hidden": [2, 3]}
    assert type(changed["learning_rate"]) is float  # As --learning-rate 1 gives it.


@pytest.mark.parametrize("line, flag", [
    ("epochs = 0", "--epochs 0"),
    ("epochs = -3", "--epochs -3"),
    ("learning_rate = 0.0", "--learning-rate 0"),
    ("learning_rate = -1e9", "--learning-rate=-1e9"),
    ("label = 'c'", "--label c"),
    ("hidden = [8, 0]", "--hidden 8 0"),
    ("seed = -1", "--seed -1"),
])
def test_a_bad_value_gives_the_same_one_line_error_as_its_flag(line, flag, tmp_path, capsys):
    with pytest.raises(SystemExit):
        runtime.start("demo", BLOCK, argv=[*flag.split(), "--out", str(tmp_path)])
    from_flag = capsys.readouterr().err.removeprefix("python -m labs demo: error: ").strip()
    with pytest.raises(runtime.UsageError) as error:
        notebook_parameters.values_from_cell(f"# Parameters\n{line}\n", "demo", DECLARED)
    assert str(error.value) == from_flag
    assert "\n" not in from_flag


@pytest.mark.parametrize("line, message", [
    ("epochs = 2.5", "epochs must be of type int, got 2.5"),
    ("epochs = [3]", "epochs must be one int, got [3]"),
    ("hidden = 8", "hidden must be a list of int, got 8"),
    ("plot = 1", "plot must be of type bool, got 1"),
    ("learning_rate = float('nan')",
     "learning_rate in the parameters cell must be a plain value like 0.1, got float('nan')"),
    ("epoch = 3", "the parameters cell sets 'epoch', which lab demo does not have; "
                  "it has: epochs, learning_rate, hidden, plot, label, seed"),
    ("epochs, seed = 1, 2", "line 2 of the parameters cell must read name = value"),
    ("epochs = ", "the parameters cell is not valid Python (line 2: invalid syntax)"),
])
def test_what_no_flag_can_say_is_a_one_line_error_too(line, message):
    with pytest.raises(runtime.UsageError) as error:
        notebook_parameters.values_from_cell(f"# Parameters\n{line}\n", "demo", DECLARED)
    assert str(error.value) == message


def test_start_in_a_notebook_takes_the_cell_and_quick_mode_shrinks_only_what_was_left(
        monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(environment, "in_notebook", lambda: True)
    monkeypatch.setenv(environment.QUICK_ENV, "1")
    monkeypatch.setenv("LABS_OUTPUTS", str(tmp_path))
    cell = "# Parameters\nepochs = 20\nlearning_rate = 0.5\nhidden = [8, 4]\n"
    monkeypatch.setattr(notebook_parameters, "latest_cell", lambda: cell)
    lab = runtime.start("demo", BLOCK, quick={"epochs": 2, "learning_rate": 0.01})
    assert (lab.epochs, lab.learning_rate, lab.hidden) == (2, 0.5, [8, 4])
    assert "Changed in the parameters cell: learning_rate = 0.5\n" in capsys.readouterr().out

    cell = "# Parameters\nepochs = 0\n"
    with pytest.raises(runtime.UsageError, match="^epochs must be >= 1, got 0$"):
        runtime.start("demo", BLOCK)


def test_the_latest_parameters_cell_is_read_and_papermill_injects_one_below_ours(monkeypatch):
    class History:
        input_hist_parsed = ["", "# Parameters: change a value here\nepochs = 20\n",
                             "epochs = 3\n", "# Parameters\nepochs = 5\n",  # papermill's
                             "lab = start(...)\n"]

    class Shell:
        history_manager = History()

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert notebook_parameters.latest_cell() == "# Parameters\nepochs = 5\n"
    History.input_hist_parsed = History.input_hist_parsed[:3]
    assert notebook_parameters.latest_cell() == "# Parameters: change a value here\nepochs = 20\n"
    History.input_hist_parsed = ["epochs = 3\n"]
    assert notebook_parameters.latest_cell() is None
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)   # Not in IPython at all.
    assert notebook_parameters.latest_cell() is None

@pytest.mark.parametrize("name", catalog.names())
def test_every_flag_hint_in_the_lesson_text_also_shows_the_notebook_way(name):
    """A markdown cell that names a hyperparameter's flag (`--learning-rate 5`) also says how
    to set it in the notebook: in the parameters cell, or as the line to write there
    (`learning_rate = 5`)."""
    hyperparameters, _ = notebook_parameters.declarations(name)
    flags = {"--" + key.replace("_", "-"): key for key in hyperparameters}
    for cell in (cell for cell in notebooks.notebook(name, instructor=True).cells
                 if cell.cell_type == "markdown"):
        named = set(re.findall(r"`(--[a-z][a-z-]*)", cell.source)) & set(flags)
        if "parameters cell" in cell.source:
            continue
        without = [flag for flag in sorted(named) if f"`{flags[flag]} = " not in cell.source]
        assert not without, f"{name}: {without} without the notebook way"


# In the kernel: setup, header, parameters, then the lab up to its first table (no figures).
KERNEL_LAB = "gradient_descent"
FIRST_CELLS = 7
KERNEL_NAME = "labs-under-test"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A real kernel of this interpreter, started once for the two tests below (each start
    imports TensorFlow, some 5 s of CPU): each runs the exported notebook's cells in it
    from its setup cell on, and a run reads the latest parameters cell that the kernel ran.
    Its kernelspec is in ``FOLDER/jupyter/kernels``, where papermill finds it by name
    (``JUPYTER_PATH``); no quick mode, outputs in ``FOLDER/outputs``.

    Yields ``(kernel manager, FOLDER)``; the kernel is shut down after the module's tests.
    """
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    folder = tmp_path_factory.mktemp("parameters_kernel")
    kernels = folder / "jupyter" / "kernels"
    (kernels / KERNEL_NAME).mkdir(parents=True)
    (kernels / KERNEL_NAME / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--HistoryManager.hist_file=:memory:"],
        "display_name": "labs under test", "language": "python"}))
    env = {key: value for key, value in os.environ.items()
           if key not in ("MPLBACKEND", "LABS_QUICK")}
    env["LABS_OUTPUTS"] = str(folder / "outputs")
    manager = KernelManager(kernel_name=KERNEL_NAME,
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    manager.start_kernel(env=env, cwd=str(folder))
    try:
        yield manager, folder
    finally:
        manager.shutdown_kernel(now=True)


@pytest.mark.slow
def test_changing_the_parameters_cell_changes_the_run_and_a_bad_value_stops_it(tmp_path,
                                                                              kernel):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path, = notebooks.export(tmp_path / "notebooks", [KERNEL_LAB])
    notebook = nbformat.read(str(path), as_version=4)
    del notebook.cells[FIRST_CELLS:]
    parameters = next(cell for cell in notebook.cells
                      if cell.metadata.get("tags") == ["parameters"])
    start_cell = next(cell for cell in notebook.cells if "runtime.start(" in cell.source)
    assert "steps = 20 " in parameters.source and "learning_rate = 0.1 " in parameters.source
    parameters.source = (parameters.source.replace("steps = 20 ", "steps = 7 ")
                         .replace("learning_rate = 0.1 ", "learning_rate = 0.2 "))
    # A variable of the same name set outside the parameters cell, as a lab's own code may do.
    notebook.cells.append(nbformat.v4.new_code_cell("steps = 3"))
    manager, _ = kernel
    client = NotebookClient(notebook, km=manager, timeout=240)

    with client.setup_kernel():   # The cells one by one, as a student runs them.
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        text = lambda cell: "".join(output.get("text", "") for output in cell.outputs)
        started = text(start_cell)
        table = text(notebook.cells[FIRST_CELLS - 1])
        assert "Changed in the parameters cell: learning_rate = 0.2, steps = 7\n" in started
        # x ← x − η·2x from x = 5: with η = 0.2 step 1 lands on 3; the last row is step 7.
        rows = [line.split() for line in table.splitlines()[1:]]
        assert [row[0] for row in rows] == ["1", "2", "3", "4", "5", "7"]
        assert float(rows[0][1]) == pytest.approx(3.0) and float(rows[-1][1]) == pytest.approx(
            5 * 0.6 ** 7, abs=1e-6)

        # Rerun the lab's first cell: the kernel's `steps = 3` is not the parameters cell's.
        client.execute_cell(start_cell, notebook.cells.index(start_cell))
        assert "steps = 7" in text(start_cell)
        # Now a bad value in the parameters cell: the lab's first cell raises the flag's error.
        parameters.source = parameters.source.replace("steps = 7 ", "steps = 2 ")
        client.execute_cell(parameters, notebook.cells.index(parameters))
        with pytest.raises(CellExecutionError):
            client.execute_cell(start_cell, notebook.cells.index(start_cell))
        error, = [output for output in start_cell.outputs if output.output_type == "error"]
        assert (error.ename, error.evalue) == ("UsageError", "steps must be >= 5, got 2")
    client.kc.stop_channels()



@pytest.mark.parametrize("name", catalog.names())
def test_papermill_reads_every_parameters_cell_cleanly(name, caplog):
    """papermill's own reader finds every name with its default, and warns about no line
    (it skips a line with a second '=', such as a range written '>= 2')."""
    from papermill import translators

    hyperparameters, _ = notebook_parameters.declarations(name)
    cell = nbformat.v4.new_code_cell(notebook_parameters.cell_source(name))
    with caplog.at_level(logging.WARNING, logger="papermill"):
        found = translators.PythonTranslator.inspect(cell)
    assert not [record.getMessage() for record in caplog.records
                if record.name.startswith("papermill")], name
    assert {parameter.name: ast.literal_eval(parameter.default) for parameter in found} == {
        key: declaration.default for key, declaration in hyperparameters.items()}
    assert all(parameter.help for parameter in found), "each range became papermill's help"


@pytest.mark.slow
def test_papermill_runs_an_exported_notebook_with_an_injected_parameter(tmp_path, monkeypatch,
                                                                      caplog, kernel):
    """papermill injects steps = 7 below the parameters cell; the lab's table then ends at
    step 7, as x ← x − η·2x from x = 5 with η = 0.1 gives it, and papermill warns of nothing.
    papermill runs the notebook in the module's kernel (``km``), as it runs it in one it
    starts itself."""
    import papermill

    path, = notebooks.export(tmp_path / "notebooks", [KERNEL_LAB])
    notebook = nbformat.read(str(path), as_version=4)
    del notebook.cells[FIRST_CELLS:]   # The lab's first section is enough.
    nbformat.write(notebook, str(path))
    manager, folder = kernel
    monkeypatch.setenv("JUPYTER_PATH", str(folder / "jupyter"))

    with caplog.at_level(logging.WARNING, logger="papermill"):
        executed = papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"),
                                              parameters={"steps": 7},
                                              kernel_name=KERNEL_NAME, km=manager,
                                              cwd=str(tmp_path), progress_bar=False)
    assert not [record.getMessage() for record in caplog.records
                if record.name.startswith("papermill") and record.levelno >= logging.WARNING]
    injected = [cell for cell in executed.cells
                if "injected-parameters" in cell.metadata.get("tags", [])]
    assert len(injected) == 1 and notebook_parameters.is_parameters_cell(injected[0].source)
    text = "".join(output.get("text", "") for cell in executed.cells if cell.cell_type == "code"
                   for output in cell.outputs)
    assert "Changed in the parameters cell: steps = 7\n" in text
    table = "".join(output.get("text", "") for output in executed.cells[FIRST_CELLS].outputs)
    rows = [line.split() for line in table.splitlines()[1:]]
    assert rows[-1][0] == "7" and float(rows[-1][1]) == pytest.approx(5 * 0.8 ** 7, abs=1e-6)


def test_one_reader_of_the_parameters_cell_for_values_and_reveal_agrees_with_papermill(
        caplog):
    """A cell with CRLF line ends, a header comment that holds an "=" and a name set twice:
    the lab's values, its reveal option and papermill's reader see the same lines."""
    from papermill import translators

    cell = ('# Parameters: see "epochs = 3" in the text\r\n'
            'epochs = 3                 # ≥ 1; quick mode: 8\r\n'
            'label = "b"\r\n'
            'hidden = [16, 8]\r\n'
            'epochs = 5\r\n'
            f'{notebook_parameters.REVEAL_ALL_LINE}\r\n')
    read = [(name, ast.literal_eval(expression))
            for name, expression in notebook_parameters.assignments(cell)]
    assert read == [("epochs", 3), ("label", "b"), ("hidden", [16, 8]),
                    ("epochs", 5), ("reveal", "all")]
    assert notebook_parameters.values_from_cell(cell, "demo", DECLARED) == {
        "epochs": 5, "label": "b", "hidden": [16, 8]}
    assert notebook_parameters.reveal_from_cell(cell) == "all"
    with caplog.at_level(logging.WARNING, logger="papermill"):
        found = translators.PythonTranslator.inspect(nbformat.v4.new_code_cell(cell))
    assert [(parameter.name, ast.literal_eval(parameter.default)) for parameter in found] == read
    # A line that is no assignment to one name stops both readers with the same error.
    for broken in ("# Parameters\nepochs, seed = 1, 2\n", "# Parameters\nepochs = \n"):
        with pytest.raises(runtime.UsageError) as values_error:
            notebook_parameters.values_from_cell(broken, "demo", DECLARED)
        with pytest.raises(runtime.UsageError) as reveal_error:
            notebook_parameters.reveal_from_cell(broken)
        assert str(values_error.value) == str(reveal_error.value)
