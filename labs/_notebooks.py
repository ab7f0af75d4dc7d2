"""Exports every lab to a Jupyter notebook: ``python -m labs --notebooks OUT_DIR``.

A lab is a percent-format script (``# %%`` code cells, ``# %% [markdown]`` text
cells), so jupytext turns it into a notebook cell for cell. The export adds three
things:

* a setup cell first, which makes ``import labs`` work wherever the notebook is
  opened (see ``SETUP_CELL``);
* the lab's header docstring as a markdown cell, instead of a code cell that
  would only echo the string back;
* after it, the parameters cell, tagged ``parameters`` as papermill does: the
  lab's block as ``name = default`` lines (``labs/_notebook_parameters.py``).

It also writes ``OUT_DIR/README.md``, an index of the notebooks with their
"Open in Colab" links (``labs/_notebook_index.py``).

The repository that Colab clones is ``LABS_REPOSITORY_URL`` when exporting (or
in Colab, before the setup cell runs), else the URL that ``python -m assignments
release OUT --git --remote URL`` recorded in the student repository
(``labs/repository.txt``), else ``REPOSITORY_URL``.
The setup cell then checks out ``REPOSITORY_REF``: the commit that the export
ran from (``git rev-parse HEAD``), so that students run the code the notebooks
were made from, whatever the branch holds later. ``LABS_REPOSITORY_REF`` sets
another commit or tag, in the same two places; set to nothing, the setup cell
takes the default branch as it is on the day.

Student notebooks come from a student repository. ``main`` refuses, in one line, to
export them where the commit their setup cell clones holds the instructor's material
(solution regions, hidden checks, instructor-only files, answer cells): that is the
instructor's repository, and ``--instructor`` is for the instructor's own notebooks.
In a student repository made by ``release --git``, the export commits the notebooks
(their code is the pinned commit's) and then the index, whose Colab links open the
notebooks' commit, ``/blob/<commit>/``, never a branch (``commit_notebooks``).

The setup cell also checks that the installed TensorFlow, Keras and NumPy lie in the
ranges of ``requirements.txt`` at export time (``tested_ranges``), and says what to
``pip install`` when they do not: Colab's preinstalled versions change.
"""

import ast
import os
import pathlib
import re
import shutil
import string
import subprocess
import sys
import time

import labs
from labs import _catalog, _hyperparameters, _notebook_index, _notebook_parameters, _output

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
# The versions the labs were tested with (requirements.txt when these notebooks were made).
TESTED = $tested


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


def version_numbers(version):
    """(2, 19, 0) for "2.19.0"; (2, 19) for "2.19"."""
    return tuple(int(number) for number in re.findall(r"\d+", version.split("+")[0])[:3])


def in_range(version, specifiers):
    """True when version meets every specifier of a range such as ">=2.16,<2.22"."""
    compare = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
               "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
    for specifier in specifiers.split(","):
        operator, bound = re.match(r"\s*(>=|<=|==|!=|>|<)\s*(\S+)", specifier).groups()
        mine, theirs = version_numbers(version), version_numbers(bound)
        width = max(len(mine), len(theirs))
        mine, theirs = mine + (0,) * (width - len(mine)), theirs + (0,) * (width - len(theirs))
        if not compare[operator](mine, theirs):
            return False
    return True


def check_tested_versions():
    """Say which of TensorFlow, Keras and NumPy lie outside the tested ranges, and the fix."""
    outside = []
    for package, specifiers in TESTED.items():
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            version = None
        if version is None or not in_range(version, specifiers):
            outside.append(f"{package}{specifiers}")
            print(f"warning: {package} {version or '(not installed)'} is outside the range "
                  f"the labs were tested with, {specifiers}")
    if outside:
        print("To install tested versions, run  %pip install "
              + " ".join(f"'{requirement}'" for requirement in outside)
              + "  then restart the session (Colab: Runtime → Restart session) and run "
              "this cell again.")


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

check_tested_versions()
os.chdir(repository)
if str(repository) not in sys.path:
    sys.path.insert(0, str(repository))
# Import labs before anything imports `datasets`: Colab has Hugging Face's package of that
# name, and importing labs makes sure that `import datasets` finds this repository's one.
import labs  # noqa: E402
from custom import quiet_import  # noqa: E402

quiet_import.import_tensorflow_quietly()
print(f"Setup done: labs from {repository}")''')


# The packages whose installed versions the setup cell checks against requirements.txt.
TESTED_PACKAGES = ("tensorflow", "keras", "numpy")


def recorded_url():
    """The URL that ``release --git --remote URL`` recorded in this repository, or None."""
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()   # The release module's task table imports it.
    from assignments import release

    recorded = labs.REPO / release.REMOTE_FILE
    if not recorded.is_file():
        return None
    lines = [line.strip() for line in recorded.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.strip().startswith("#")]
    return lines[0] if lines else None


def repository_url():
    """The URL that the setup cell clones: ``LABS_REPOSITORY_URL`` if set, else the URL
    recorded by ``release --remote``, else the constant."""
    return os.environ.get(REPOSITORY_URL_ENV) or recorded_url() or REPOSITORY_URL


def tested_ranges(requirements=None):
    """package → its range in ``requirements.txt`` (e.g. ``">=2.16,<2.22"``), for
    TensorFlow, Keras and NumPy."""
    requirements = requirements or labs.REPO / "requirements.txt"
    ranges = {}
    for line in pathlib.Path(requirements).read_text(encoding="utf-8").splitlines():
        found = re.match(r"\s*([A-Za-z0-9._-]+)\s*([<>=!][^#;]*)", line)
        if found and found.group(1).lower() in TESTED_PACKAGES:
            ranges[found.group(1).lower()] = found.group(2).replace(" ", "")
    return ranges


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


def setup_cell(ref=None, tested=None):
    """The setup cell's source, with the clone URL, the ref (default ``repository_ref()``),
    this repository's path and the tested ranges (default ``tested_ranges()``) filled in."""
    return SETUP_CELL.substitute(repository_url=repr(repository_url()),
                                 repository_ref=repr(ref or repository_ref()),
                                 exported_from=repr(str(labs.REPO)),
                                 tested=repr(tested if tested is not None else tested_ranges()),
                                 placeholder=PLACEHOLDER)


def instructor_material(ref):
    """``(path, what)`` of the first file of commit ``ref`` (the working tree's tracked
    files when ``ref`` is None or not in this repository) that holds the instructor's
    material: a solution region, a hidden block, the instructor-only marker, or (in a
    lab) an answer cell. None when there is none: a student edition.
    """
    from assignments import markers

    signs = ("# BEGIN SOLUTION", "# BEGIN HIDDEN", markers.INSTRUCTOR_ONLY, '"answer"')
    show, candidates = None, None
    if shutil.which("git") is not None:
        if ref and subprocess.run(["git", "-C", str(labs.REPO), "cat-file", "-e",
                                   f"{ref}^{{commit}}"], capture_output=True).returncode == 0:
            show = ref
        options = [option for sign in signs for option in ("-e", sign)]
        listed = subprocess.run(["git", "-C", str(labs.REPO), "grep", "-l", "-I", "-F",
                                 *options, *([show] if show else []), "--", "*.py"],
                                capture_output=True, text=True)
        if listed.returncode in (0, 1):   # 1: nothing found.
            candidates = [line.split(":", 1)[1] if show else line
                          for line in listed.stdout.splitlines()]
    if candidates is None:   # Not a git repository: every Python file of the folder.
        candidates = [path.relative_to(labs.REPO).as_posix()
                      for path in sorted(labs.REPO.rglob("*.py"))
                      if not any(part.startswith(".") or part in ("outputs", "notebooks")
                                 for part in path.relative_to(labs.REPO).parts)
                      and any(sign in path.read_text(encoding="utf-8", errors="replace")
                              for sign in signs)]
    for path in candidates:
        if show:
            text = subprocess.run(["git", "-C", str(labs.REPO), "show", f"{show}:{path}"],
                                  capture_output=True, text=True).stdout
        else:
            text = (labs.REPO / path).read_text(encoding="utf-8")
        try:
            regions = markers.regions(text, path)
            hidden = markers.without_hidden(text, path) != text
        except markers.MarkerError:
            return path, "a solution marker"
        if regions:
            return path, "solution regions"
        if hidden:
            return path, "hidden checks"
        if markers.is_instructor_only(text):
            return path, "an instructor-only file"
        if path.startswith("labs/") and any(markers.ANSWER_CELL.match(line)
                                            for line in text.splitlines()):
            return path, "answer cells"
    return None


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
    at = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(at, nbformat.v4.new_code_cell(_notebook_parameters.cell_source(name),
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
    The instructor's export keeps the labs' answer cells; the default one leaves them out,
    and is refused where the setup cell would clone the instructor's material. In a
    student repository the notebooks and then the index are committed
    (``commit_notebooks``), so that the index's Colab links open a commit.

    Raises:
        _hyperparameters.UsageError: the export is refused, or a folder or git fails.
    """
    from custom import quiet_import

    started = time.perf_counter()
    quiet_import.import_tensorflow_quietly()   # Before anything else can import it.
    ref = repository_ref()
    url = repository_url()
    if not instructor:
        found = instructor_material(ref)
        if found is not None:
            path, what = found
            raise _hyperparameters.UsageError(
                f"refusing to export student notebooks: their setup cell would clone {url} "
                f"at {ref or 'its default branch'}, whose {path} holds {what}; export them in "
                "a student repository (python -m assignments release OUT --git --remote URL, "
                "then python -m labs --notebooks DIR in OUT), or add --instructor for yours")
    lab_paths = export(out_dir, ref=ref, instructor=instructor)
    task_paths = export_tasks(out_dir, ref)
    link_commit = None
    where, inside = _notebook_index.folder_in_repository(out_dir)
    committing = not instructor and ref is not None and inside and exporting_commit()[0]
    if committing:
        link_commit = commit_notebooks([*lab_paths, *task_paths],
                                       f"Notebooks for the labs and tasks, cloning {ref}")
    index = _notebook_index.write(out_dir, lab_paths, task_paths, url, ref, link_commit,
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
        _hyperparameters.UsageError: git fails (its last line).
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
        raise _hyperparameters.UsageError(str(error)) from None
