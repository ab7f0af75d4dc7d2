"""Exports every lab to a Jupyter notebook: ``python -m labs --notebooks OUT_DIR``.

A lab is a percent-format script (``# %%`` code cells, ``# %% [markdown]`` text
cells), so jupytext turns it into a notebook cell for cell. The export adds three
things:

* a setup cell first, which makes ``import labs`` work wherever the notebook is
  opened (see ``SETUP_CELL``);
* the lab's header docstring as a markdown cell, instead of a code cell that
  would only echo the string back;
* after it, the parameters cell, tagged ``parameters`` as papermill does: the
  lab's block as ``name = default`` lines (``labs/_notebook_parameters.py``); the
  instructor's export adds ``reveal = "all"``, so that every measured answer shows
  whether or not a prediction was made (students' notebooks withhold it until then).

Each prediction's "your-prediction" cell (``lab.predict(N, None)``) stays editable and
cannot be deleted by accident: it is where the student writes the answer.

It also writes ``OUT_DIR/README.md``, an index of the notebooks with their
"Open in Colab" links (``labs/_notebook_index.py``).

The repository that Colab clones is ``REPOSITORY_URL``. An instructor sets it
to their own fork or copy, either here or with the environment variable
``LABS_REPOSITORY_URL`` when exporting (or in Colab, before the setup cell runs).
The setup cell then checks out ``REPOSITORY_REF``: the commit that the export
ran from (``git rev-parse HEAD``), so that students run the code the notebooks
were made from, whatever the branch holds later. ``LABS_REPOSITORY_REF`` sets
another commit or tag, in the same two places; set to nothing, the setup cell
takes the default branch as it is on the day.
"""

import ast
import os
import pathlib
import shutil
import string
import subprocess
import sys
import time

import labs
from labs import (_catalog, _classroom, _hyperparameters, _notebook_index,
                  _notebook_parameters, _output)

# The repository that the setup cell clones in Colab. A placeholder until an
# instructor points it at their fork or copy (README.md, "Colab and Jupyter").
REPOSITORY_URL = "https://github.com/YOUR-ACCOUNT/how-networks-learn.git"
REPOSITORY_URL_ENV = "LABS_REPOSITORY_URL"
PLACEHOLDER = "YOUR-ACCOUNT"
# The commit or tag that the setup cell checks out; by default the exporting commit.
REPOSITORY_REF_ENV = "LABS_REPOSITORY_REF"

# The first cell of every notebook. $repository_url, $repository_ref and
# $exported_from are filled in at export time; the rest is the cell exactly as
# students see it.
SETUP_CELL = string.Template('''\
# Setup: run this cell first. It makes `import labs` work in this notebook.
# In Colab it clones the lab's repository at the commit these notebooks were
# made from, and installs only the packages that Colab lacks (Colab's own
# TensorFlow is kept). Elsewhere it finds the repository this notebook was
# exported from. Either way the repository becomes the working directory, so
# figures and CSVs go to its outputs/<lab>/ folder.
# To browse every fit in TensorBoard as well (the CSVs stay the record): run
# %env LABS_TENSORBOARD=logs before the lab's first code cell, then, in a cell of its own,
# %load_ext tensorboard and %tensorboard --logdir logs
import importlib.metadata
import os
import pathlib
import re
import shutil
import subprocess
import sys

REPOSITORY_URL = os.environ.get("LABS_REPOSITORY_URL", $repository_url)
# The commit (or tag) of the lab's code that this notebook was made from; empty or
# None: the default branch as it is today.
REPOSITORY_REF = os.environ.get("LABS_REPOSITORY_REF", $repository_ref)
EXPORTED_FROM = pathlib.Path($exported_from)  # Where `python -m labs --notebooks` ran.


def is_lab_repository(folder):
    return (folder / "labs" / "_runtime.py").is_file()


def missing_requirements(requirements_file):
    """The lines of requirements.txt whose package is not installed at all."""
    missing = []
    for line in requirements_file.read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if not requirement:
            continue
        package = re.match(r"[A-Za-z0-9._-]+", requirement).group()
        try:
            importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            missing.append(requirement)
    return missing


if "google.colab" in sys.modules:
    repository = pathlib.Path.cwd()
    if not is_lab_repository(repository):
        folder_name = REPOSITORY_URL.rstrip("/").split("/")[-1].removesuffix(".git")
        repository = repository / folder_name
    if not is_lab_repository(repository):
        if "$placeholder" in REPOSITORY_URL:
            raise RuntimeError("REPOSITORY_URL is still a placeholder: set LABS_REPOSITORY_URL "
                               "to the lab's repository (ask your instructor for it)")
        cloned = subprocess.run(["git", "clone", "--depth", "1", REPOSITORY_URL, str(repository)])
        if cloned.returncode != 0:
            raise RuntimeError(f"could not clone {REPOSITORY_URL} (see the git message above)")
        if REPOSITORY_REF:
            # The shallow clone holds only the newest commit of the default branch:
            # fetch the pinned commit (or tag) by itself, then check it out.
            for command in (["fetch", "--quiet", "--depth", "1", "origin", REPOSITORY_REF],
                            ["checkout", "--quiet", "FETCH_HEAD"]):
                if subprocess.run(["git", "-C", str(repository), *command]).returncode != 0:
                    shutil.rmtree(repository)  # So that running this cell again starts afresh.
                    raise RuntimeError(f"could not check out {REPOSITORY_REF} of {REPOSITORY_URL} "
                                       "(see the git message above)")
            print(f"Checked out {REPOSITORY_REF} of {REPOSITORY_URL}")
    missing = missing_requirements(repository / "requirements.txt")
    if missing:
        print("Installing what Colab lacks:", ", ".join(missing))
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *missing], check=True)
else:
    here = pathlib.Path.cwd().resolve()
    candidates = [here, *here.parents, EXPORTED_FROM]
    repository = next((folder for folder in candidates if is_lab_repository(folder)), None)
    if repository is None:
        raise FileNotFoundError(f"cannot find the lab repository (no labs/ above {here} or at "
                                f"{EXPORTED_FROM}): open this notebook inside the repository, "
                                "or export it again with python -m labs --notebooks DIR")

os.chdir(repository)
if str(repository) not in sys.path:
    sys.path.insert(0, str(repository))
# Import labs before anything imports `datasets`: Colab has Hugging Face's package of that
# name, and importing labs makes sure that `import datasets` finds this repository's one.
import labs  # noqa: E402
from custom import quiet_import  # noqa: E402

quiet_import.import_tensorflow_quietly()
print(f"Setup done: labs from {repository}")''')


def repository_url():
    """The URL that the setup cell clones: ``LABS_REPOSITORY_URL`` if set, else the constant."""
    return os.environ.get(REPOSITORY_URL_ENV) or REPOSITORY_URL


def exporting_commit():
    """``(commit, problem)``: this repository's ``git rev-parse HEAD``, or None and why not."""
    if shutil.which("git") is None:
        return None, "git is not installed"
    found = subprocess.run(["git", "-C", str(labs.REPO), "rev-parse", "HEAD"],
                           capture_output=True, text=True)
    if found.returncode != 0:
        return None, f"{labs.REPO} is not a git repository with a commit"
    return found.stdout.strip(), None


def repository_ref():
    """The ref the setup cell checks out: ``LABS_REPOSITORY_REF`` if set (empty: the default
    branch, None), else the exporting commit, else None when git cannot say which it is."""
    if REPOSITORY_REF_ENV in os.environ:
        return os.environ[REPOSITORY_REF_ENV].strip() or None
    return exporting_commit()[0]


def setup_cell(ref=None):
    """The setup cell's source, with the clone URL, the ref (default ``repository_ref()``)
    and this repository's path filled in."""
    return SETUP_CELL.substitute(repository_url=repr(repository_url()),
                                 repository_ref=repr(ref or repository_ref()),
                                 exported_from=repr(str(labs.REPO)),
                                 placeholder=PLACEHOLDER)


def _docstring_only(source):
    """The text of ``source`` if it is nothing but a docstring, else None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1:
        return None
    return ast.get_docstring(tree)


ANSWER_TAG = "answer"   # A lab's answer to an exercise: in the instructor's export only.


def notebook(name, ref=None, instructor=False):
    """Lab ``name`` as an nbformat v4 notebook: the setup cell, the header, the parameters
    cell, then the lab's cells. ``ref`` is the commit the setup cell checks out; cells
    tagged ``answer`` are kept only with ``instructor``."""
    import jupytext
    import nbformat

    lab_notebook = jupytext.read(_catalog.path(name), fmt="py:percent")
    cells = [cell for cell in lab_notebook.cells
             if instructor or ANSWER_TAG not in cell.metadata.get("tags", [])]
    if cells and cells[0].cell_type == "code":
        header = _docstring_only(cells[0].source)
        if header is not None:
            # The docstring uses reStructuredText's ``code``; markdown uses `code`.
            cells[0] = nbformat.v4.new_markdown_cell(header.replace("``", "`"))
    for cell in cells:
        if _classroom.YOUR_PREDICTION_TAG in cell.metadata.get("tags", []):
            cell.metadata["editable"] = True      # The student's answer goes here.
            cell.metadata["deletable"] = False
    at = 1 if cells and cells[0].cell_type == "markdown" else 0
    parameters = _notebook_parameters.cell_source(name)
    if instructor:
        parameters += "\n" + _notebook_parameters.REVEAL_ALL_LINE
    cells.insert(at, nbformat.v4.new_code_cell(parameters,
                                               metadata={"tags": [_notebook_parameters.TAG]}))
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
        _hyperparameters.UsageError: when ``out_dir`` cannot be created or written.
    """
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()   # Reading each lab's block imports Keras.
    folder = _output.prepare(out_dir)
    ref = ref or repository_ref()
    return _write(folder, ((name, notebook(name, ref, instructor))
                           for name in names or _catalog.names()))


def export_tasks(out_dir, ref=None):
    """Write ``OUT_DIR/assignments/TASK.ipynb`` for every assignment task. Returns the paths.

    Each holds the student edition of the task's files, never a solution, whichever
    edition exports it (see ``assignments/notebooks.py``).
    """
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()   # The tasks' checks import Keras.
    from assignments import notebooks
    from assignments import tasks as task_table

    folder = _output.prepare(pathlib.Path(out_dir) / "assignments")
    setup = setup_cell(ref)
    return _write(folder, ((name, notebooks.task_notebook(name, setup))
                           for name in task_table.TASKS))


def _write(folder, named_notebooks):
    """Write each (name, notebook) as ``folder/NAME.ipynb``; return the paths.

    Raises:
        _hyperparameters.UsageError: when a notebook cannot be written.
    """
    import nbformat

    paths = []
    for name, lab_notebook in named_notebooks:
        path = folder / f"{name}.ipynb"
        try:
            nbformat.write(lab_notebook, str(path))
        except OSError as error:
            reason = error.strerror or type(error).__name__
            raise _hyperparameters.UsageError(f"cannot write notebook {str(path)!r}: "
                                              f"{reason}") from None
        paths.append(path)
    return paths


def main(out_dir, instructor=False):
    """The front door's ``--notebooks OUT_DIR [--instructor]``: export labs and tasks, write
    the index, print each path, and warn when the notebooks cannot be pinned to a commit.
    The instructor's export keeps the labs' answer cells; the default one leaves them out."""
    started = time.perf_counter()
    ref = repository_ref()
    lab_paths = export(out_dir, ref=ref, instructor=instructor)
    task_paths = export_tasks(out_dir, ref)
    index = _notebook_index.write(out_dir, lab_paths, task_paths, repository_url(), ref)
    for path in [*lab_paths, *task_paths, index]:
        print(path)
    at = f"at {ref}" if ref else "on its default branch"
    print(f"{len(lab_paths) + len(task_paths)} notebooks in {time.perf_counter() - started:.1f} s; "
          f"in Colab their setup cell clones {repository_url()} {at}")
    if PLACEHOLDER in repository_url():
        print(f"note: the repository URL is still the placeholder, so {index} has no Colab "
              f"links yet (set {REPOSITORY_URL_ENV}; README.md, \"Colab and Jupyter\")")
    if ref is None and REPOSITORY_REF_ENV not in os.environ:
        print(f"warning: {exporting_commit()[1]}, so the notebooks are not pinned to a commit: "
              "in Colab they clone the default branch as it is on the day they run "
              f"(set {REPOSITORY_REF_ENV} to a commit or tag to pin one)", file=sys.stderr)
    return 0
