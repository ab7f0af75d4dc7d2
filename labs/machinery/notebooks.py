"""Exports every lab to a Jupyter notebook: ``python -m labs --notebooks OUT_DIR``.

A lab is a percent-format script (``# %%`` code cells, ``# %% [markdown]`` text
cells), so jupytext turns it into a notebook cell for cell. The export adds three
things:

* a setup cell first, which makes ``import labs`` work wherever the notebook is
  opened, clones the pinned commit in Colab and checks the installed versions
  (``labs/machinery/notebook_setup.py``);
* the lab's header docstring as a markdown cell, instead of a code cell that
  would only echo the string back;
* after it, the parameters cell, tagged ``parameters`` as papermill does: the
  lab's block as ``name = default`` lines (``labs/machinery/notebook_parameters.py``); the
  instructor's export adds ``reveal = "all"``, so that every measured answer shows
  whether or not a prediction was made (students' notebooks withhold it until then).

Each prediction's "your-prediction" cell (``lab.predict(N, None)``) stays editable and
cannot be deleted by accident: it is where the student writes the answer.

It also writes ``OUT_DIR/README.md``, an index of the notebooks with their
"Open in Colab" links (``labs/machinery/notebook_index.py``).

Student notebooks come from a student repository. ``main`` refuses, in one line, to
export them where the commit their setup cell clones holds the instructor's material
(solution regions, hidden checks, instructor-only files, answer cells): that is the
instructor's repository, and ``--instructor`` is for the instructor's own notebooks.
In a student repository made by ``release --git``, the export commits the notebooks
(their code is the pinned commit's) and then the index, whose Colab links open the
notebooks' commit, ``/blob/<commit>/``, never a branch (``commit_notebooks``).
"""

import ast
import os
import pathlib
import subprocess
import sys
import time

import labs
from assignments import cells as percent_cells
from assignments import markers
from labs.machinery import (catalog, classroom, hyperparameters, notebook_index,
                            notebook_parameters, notebook_setup, output)

# The setup cell lives in labs/machinery/notebook_setup.py; these names of it stay here too, for the
# callers and tests that know them from this module.
REPOSITORY_URL_ENV = notebook_setup.REPOSITORY_URL_ENV
REPOSITORY_REF_ENV = notebook_setup.REPOSITORY_REF_ENV
PLACEHOLDER = notebook_setup.PLACEHOLDER
repository_url = notebook_setup.repository_url
repository_ref = notebook_setup.repository_ref
exporting_commit = notebook_setup.exporting_commit
setup_cell = notebook_setup.setup_cell


def _docstring_only(source):
    """The text of ``source`` if it is nothing but a docstring, else None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1:
        return None
    return ast.get_docstring(tree)


ANSWER_TAG = percent_cells.ANSWER_TAG   # A lab's answer: in the instructor's export only.


def notebook(name, ref=None, instructor=False):
    """Lab ``name`` as an nbformat v4 notebook: the setup cell, the header, the parameters
    cell, then the lab's cells. ``ref`` is the commit the setup cell checks out; cells
    tagged ``answer`` are kept only with ``instructor``.

    Which cells are answers and which are the student's is read by the one reader of the
    cells (``assignments/cells.py``; the release drops answer cells with the same
    ``markers.without_answer_cells``); jupytext only turns each cell into a notebook cell.

    Raises:
        ValueError: when jupytext cuts the lab into other cells than that reader does.
    """
    import jupytext
    import nbformat

    text = catalog.path(name).read_text(encoding="utf-8")
    if not instructor:
        text = markers.without_answer_cells(text)
    parsed = percent_cells.cells(text)
    cells = jupytext.reads(text, fmt="py:percent").cells
    if [cell.kind for cell in parsed] != [cell.cell_type for cell in cells]:
        raise ValueError(f"lab {name}: jupytext reads {len(cells)} cells where "
                         f"assignments/cells.py reads {len(parsed)}; check its '# %%' lines")
    if cells and cells[0].cell_type == "code":
        header = _docstring_only(cells[0].source)
        if header is not None:
            # The docstring uses reStructuredText's ``code``; markdown uses `code`.
            cells[0] = nbformat.v4.new_markdown_cell(header.replace("``", "`"))
    for cell, cell_parsed in zip(cells, parsed):
        if classroom.YOUR_PREDICTION_TAG in cell_parsed.tags:
            cell.metadata["editable"] = True      # The student's answer goes here.
            cell.metadata["deletable"] = False
    at = 1 if cells and cells[0].cell_type == "markdown" else 0
    parameters = notebook_parameters.cell_source(name)
    if instructor:
        parameters += "\n" + notebook_parameters.REVEAL_ALL_LINE
    cells.insert(at, nbformat.v4.new_code_cell(parameters,
                                               metadata={"tags": [notebook_parameters.TAG]}))
    setup = nbformat.v4.new_code_cell(setup_cell(ref), metadata={"tags": ["setup"]})
    result = nbformat.v4.new_notebook(cells=[setup, *cells])
    result.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return result


def export(out_dir, names=None, ref=None, instructor=False):
    """Write ``OUT_DIR/NAME.ipynb`` for every lab (or the given names). Returns the paths.

    ``ref`` is the commit the setup cell checks out (default ``repository_ref()``);
    ``instructor`` keeps the answer cells.

    Raises:
        hyperparameters.UsageError: when ``out_dir`` cannot be created or written.
    """
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()   # Reading each lab's block imports Keras.
    folder = output.prepare(out_dir)
    ref = ref or repository_ref()
    return _write(folder, ((name, notebook(name, ref, instructor))
                           for name in names or catalog.names()))


def export_tasks(out_dir, ref=None):
    """Write ``OUT_DIR/assignments/TASK.ipynb`` for every assignment task that this edition
    does not hold back (``assignments/editions.py``). Returns the paths.

    Each holds the student edition of the task's files, never a solution, whichever
    edition exports it (see ``assignments/notebooks.py``).
    """
    # Without TensorFlow: the task table imports its checks' packages only when a check runs.
    from assignments import editions, notebooks
    from assignments import tasks as task_table

    folder = output.prepare(pathlib.Path(out_dir) / "assignments")
    setup = setup_cell(ref)
    held = {task for task, state in editions.stub_states().items() if state == "held"}
    return _write(folder, ((name, notebooks.task_notebook(name, setup))
                           for name in task_table.TASKS if name not in held))


def _write(folder, named_notebooks):
    """Write each (name, notebook) as ``folder/NAME.ipynb``; return the paths.

    Raises:
        hyperparameters.UsageError: when a notebook cannot be written.
    """
    import nbformat

    paths = []
    for name, lab_notebook in named_notebooks:
        path = folder / f"{name}.ipynb"
        try:
            nbformat.write(lab_notebook, str(path))
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise hyperparameters.UsageError(f"cannot write notebook {str(path)!r}: "
                                              f"{reason}") from None
        paths.append(path)
    return paths


def refuse_instructor_material(ref, url):
    """Raise ``UsageError`` when student notebooks' setup cell would clone ``url`` at ``ref``
    and that commit holds the instructor's material (solutions, answer cells, …)."""
    found = notebook_setup.instructor_material(ref)
    if found is not None:
        path, what = found
        raise hyperparameters.UsageError(
            f"refusing to export student notebooks: their setup cell would clone {url} "
            f"at {ref or 'its default branch'}, which holds the instructor's material "
            f"({path}: {what}); export them in "
            "a student repository (python -m assignments release OUT --git --remote URL, "
            "then python -m labs --notebooks DIR in OUT), or add --instructor for yours")


def main(out_dir, instructor=False):
    """The front door's ``--notebooks OUT_DIR [--instructor]``: export labs and tasks, write
    the index, print each path, and warn when the notebooks cannot be pinned to a commit.
    The instructor's export keeps the labs' answer cells; the default one leaves them out,
    and is refused where the setup cell would clone the instructor's material. In a
    student repository the notebooks and then the index are committed
    (``commit_notebooks``), so that the index's Colab links open a commit.

    Raises:
        hyperparameters.UsageError: the export is refused, or a folder or git fails.
    """
    from custom import quiet_import

    started = time.perf_counter()
    ref = repository_ref()
    if not instructor:
        refuse_instructor_material(ref, repository_url())
    # The instructor's material and a folder it cannot write are refused before TensorFlow's
    # import (about 5 s of CPU), which reading the labs' blocks needs.
    output.prepare(out_dir)
    quiet_import.import_tensorflow_quietly()   # Before anything else can import it.
    url = repository_url()
    lab_paths = export(out_dir, ref=ref, instructor=instructor)
    task_paths = export_tasks(out_dir, ref)
    link_commit = None
    where, inside = notebook_index.folder_in_repository(out_dir)
    committing = not instructor and ref is not None and inside and exporting_commit()[0]
    if committing:
        link_commit = commit_notebooks([*lab_paths, *task_paths],
                                       f"Notebooks for the labs and tasks, cloning {ref}")
    index = notebook_index.write(out_dir, lab_paths, task_paths, url, ref, link_commit,
                                  pinned=not instructor and ref is not None)
    if committing:
        commit_notebooks([index], f"Notebook index: its Colab links open {link_commit}")
    for path in [*lab_paths, *task_paths, index]:
        print(path)
    at = f"at {ref}" if ref else "on its default branch"
    print(f"{len(lab_paths) + len(task_paths)} notebooks in {time.perf_counter() - started:.1f} s; "
          f"in Colab their setup cell clones {url} {at}")
    if link_commit:
        print(f"committed {where}/ as {link_commit} (Colab links open it), then its index; "
              "push the branch so that Colab can open them")
    if PLACEHOLDER in url:
        print(f"note: the repository URL is still the placeholder, so {index} has no Colab "
              f"links yet (set {REPOSITORY_URL_ENV}; README.md, \"Colab and Jupyter\")")
    if ref is None and REPOSITORY_REF_ENV not in os.environ:
        print(f"warning: {exporting_commit()[1]}, so the notebooks are not pinned to a commit: "
              "in Colab they clone the default branch as it is on the day they run "
              f"(set {REPOSITORY_REF_ENV} to a commit or tag to pin one)", file=sys.stderr)
    return 0


def commit_notebooks(paths, message):
    """Commit ``paths`` (inside this repository, even where .gitignore names their folder)
    and nothing else; return the commit that holds them (HEAD when they are unchanged).

    Raises:
        hyperparameters.UsageError: git fails (its last line).
    """
    from assignments import release

    relative = [pathlib.Path(path).resolve().relative_to(labs.REPO).as_posix()
                for path in paths]
    try:
        release.git(labs.REPO, "add", "--force", "--", *relative)
        changed = subprocess.run(["git", "-C", str(labs.REPO), "diff", "--cached", "--quiet",
                                  "--", *relative]).returncode != 0
        if changed:
            release.git(labs.REPO, "commit", "--quiet", "--message", message, "--", *relative)
        return release.git(labs.REPO, "rev-parse", "HEAD")
    except release.ReleaseError as error:
        raise hyperparameters.UsageError(str(error)) from None
