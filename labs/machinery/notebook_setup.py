"""The setup cell, first in every exported notebook: what it clones, at which commit, and
what it checks.

It makes ``import labs`` work wherever the notebook is opened. In Colab it clones the
lab's repository at the pinned commit and installs only what Colab lacks; elsewhere it
finds the repository the notebook was exported from. Either way it then checks that the
installed TensorFlow, Keras and NumPy lie in the ranges that ``requirements.txt`` gave at
export time (``tested_ranges``), and prints the ``%pip install`` line that fixes them when
they do not: Colab's preinstalled versions change.

The repository it clones is ``LABS_REPOSITORY_URL`` when exporting (or in Colab, before
the setup cell runs), else the URL that ``python -m assignments release OUT --git
--remote URL`` recorded in the student repository (``labs/machinery/repository.txt``), else
``REPOSITORY_URL``. The commit is the exporting one (``git rev-parse HEAD``), or
``LABS_REPOSITORY_REF``. ``instructor_material`` tells whether that commit holds the
instructor's material, for the export to refuse student notebooks that would clone it.
"""

import os
import pathlib
import re
import shutil
import string
import subprocess

import labs

# The repository that the setup cell clones in Colab. A placeholder until an
# instructor points it at their fork or copy (README.md, "Colab and Jupyter").
REPOSITORY_URL = "https://github.com/YOUR-ACCOUNT/how-networks-learn.git"
REPOSITORY_URL_ENV = "LABS_REPOSITORY_URL"
PLACEHOLDER = "YOUR-ACCOUNT"
# The commit or tag that the setup cell checks out; by default the exporting commit.
REPOSITORY_REF_ENV = "LABS_REPOSITORY_REF"

# The first cell of every notebook. $repository_url, $repository_ref, $exported_from
# and $tested are filled in at export time; the rest is the cell exactly as students
# see it.
SETUP_CELL = string.Template('''\
# Setup: run this cell first. It makes `import labs` work in this notebook.
# In Colab it clones the lab's repository at the commit these notebooks were
# made from, and installs only the packages that Colab lacks (Colab's own
# TensorFlow is kept). Elsewhere it finds the repository this notebook was
# exported from. Either way the repository becomes the working directory, so
# figures and CSVs go to its outputs/<lab>/ folder, and the cell says which of
# TensorFlow, Keras and NumPy to install when their versions are not the tested ones.
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
    return (folder / "labs" / "machinery" / "runtime.py").is_file()


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
    """The URL that ``release --git --remote URL`` recorded in this repository, or None.

    It imports neither TensorFlow nor Keras (the release module's task table imports its
    checks' packages when a check runs), so a refused export answers at once."""
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
    from assignments import cells, markers

    signs = (markers.SOLUTION_SIGN, markers.HIDDEN_SIGN, markers.INSTRUCTOR_ONLY,
             f'"{cells.ANSWER_TAG}"', f"'{cells.ANSWER_TAG}'")
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
        if path.startswith("labs/") and markers.has_answer_cells(text):
            return path, "answer cells"
    return None
