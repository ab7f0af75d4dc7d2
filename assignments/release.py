"""``python -m assignments release OUT_DIR``: write the student edition of this repository.

The release is built from the files git tracks, never from what happens to lie in the
working tree (a class's submissions, results, an editor's ``adam.py.orig``): a tree with
untracked or modified files is refused with one line, unless ``allow_dirty``, and even
then only tracked files are read. For every tracked file:

* a file marked instructor-only is left out, and so are editor backups and outputs;
* a Python file loses its hidden blocks, and each solution region becomes what its
  task's state says (``tasks_by_state``): a *handed-out* task's (``--tasks``) a stub
  that raises ``NotImplementedError("TODO <task>: …")``; a *held* task's (every task
  neither handed out nor published) a stub that raises ``NotImplementedError("HELD
  <task>: …")``, without its hint, so the edition has no code and no TODO for it (the
  labs use its trusted twin); a *published* task's (``--publish``) its reference code.
  A task may be published only when no other task that keeps its code secret has a
  region in the same file (Nesterov's update shares its first line with classic
  momentum's), so publishing one task never ships a sibling's solution;
* every other file is copied as it is.

Then the release writes ``assignments/catalogue.json`` (the known mistakes' numbers,
which the student edition cannot compute) and ``labs/helpers/debugging_runs.txt`` (the debugging
lab's runs, packed, their letters dealt by ``seed``: the file that names each run's cause
is the instructor's), and checks its own work: no code line of a handed-out or held
task's region may appear in any text file of the student edition (``.py``, ``.md``,
``.ipynb``, ``.json``, ``.csv``, ``.txt``, …) unless it also appears outside every
region in a file the students get. A leak stops the release with an error and removes
nothing that was there before.

With ``--git`` (``release_repository``) the release becomes a git repository with one
commit, whose message names the handed-out tasks; ``--remote URL`` adds that URL as
``origin`` and records it in ``labs/machinery/repository.txt``, where the notebook export reads it
(``labs/machinery/notebooks.py``): notebooks exported inside the release clone it at its commit.
"""

import fnmatch
import os
import pathlib
import re
import shutil
import subprocess

from assignments import catalogue, markers
from assignments import tasks as task_table

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
SKIPPED_FOLDERS = {".git", ".venv", "outputs", "notebooks", "__pycache__", ".pytest_cache",
                   "submissions", "results"}
SKIPPED_FILES = ("*.orig", "*.rej", "*.bak", "*~", "*.swp", "*.pyc", ".#*")
TEXT_SUFFIXES = {".py", ".md", ".ipynb", ".json", ".csv", ".txt", ".cfg", ".ini", ".toml",
                 ".yml", ".yaml", ".sh", ""}


class ReleaseError(ValueError):
    """The release cannot be written safely (a leak, a bad marker, an unusable folder)."""


def repository_files(root=REPOSITORY):
    """Relative paths of the files git tracks in ``root`` (outputs and backups left out).

    Raises:
        ReleaseError: ``root`` is not a git checkout.
    """
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True,
                                check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        raise ReleaseError(f"{root} is not a git checkout: the release is built from the "
                           "files git tracks") from None
    paths = [path for path in listed.decode().split("\0") if path]
    return sorted(path for path in paths
                  if not SKIPPED_FOLDERS & set(pathlib.PurePath(path).parts)
                  and not any(fnmatch.fnmatch(pathlib.PurePath(path).name, pattern)
                              for pattern in SKIPPED_FILES)
                  and (root / path).is_file())


def dirty_files(root=REPOSITORY):
    """Untracked (not ignored) and modified files of the working tree, as git lists them."""
    listed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "-z"],
                            cwd=root, capture_output=True, check=True).stdout
    return [entry[3:] for entry in listed.decode().split("\0") if len(entry) > 3]


def tasks_by_state(tasks=None, publish=None, texts=None):
    """(handed out, held, published): the three states of every task in a release.

    Args:
        tasks: the handed-out tasks; None hands out every task.
        publish: tasks whose reference ships; every task in neither list is held.
        texts: path → text of the Python files, to refuse publishing a task that shares a
            file with a task whose code stays secret.

    Raises:
        ReleaseError: an unknown task, a task both handed out and published, or a
            published task sharing a file with a handed-out or held one.
    """
    handed = check_tasks(list(task_table.TASKS) if tasks is None else tasks)
    published = check_tasks(publish or [])
    both = [name for name in published if name in handed]
    if both:
        raise ReleaseError(f"task {both[0]!r} cannot be both handed out (--tasks) and "
                           "published (--publish)")
    held = [name for name in task_table.TASKS if name not in handed and name not in published]
    secret = set(handed) | set(held)
    for path, text in (texts or {}).items():
        found = {region.task for region in markers.regions(text, path)}
        for name in published:
            shared = sorted((found & secret) - {name})
            if name in found and shared:
                raise ReleaseError(f"cannot publish {name!r}: {path} also holds the solution "
                                   f"of {shared[0]!r}, which this release keeps secret; "
                                   f"publish both or neither")
    return handed, held, published


def check_tasks(names):
    """The task names, or ReleaseError naming the unknown one (``tasks.known``)."""
    return task_table.known(names, ReleaseError)


def solved_others(tasks, root=REPOSITORY):
    """Every task but ``tasks`` that may be published alongside them: the grading editions
    (``grade``, ``autograder``) keep the other tasks' code, as their checks may run it;
    a task sharing a file with one of ``tasks`` stays held."""
    tasks = check_tasks(tasks)
    shared = set()
    for path in repository_files(root):
        if path.endswith(".py"):
            text = (root / path).read_text(encoding="utf-8")
            found = {region.task for region in markers.regions(text, path)}
            if found & set(tasks):
                shared |= found
    return [name for name in task_table.TASKS if name not in tasks and name not in shared]


def release(out_dir, tasks=None, root=REPOSITORY, allow_dirty=False, publish=None,
            seed=None):
    """Write the student edition of ``root`` to ``out_dir``.

    ``tasks`` (default all) are handed out as stubs with their TODO, ``publish`` ships
    those tasks' reference code, and every other task is held (see ``tasks_by_state``).

    ``seed`` deals the debugging lab's letters to its causes (None: the instructor's order);
    ``python -m labs debugging --key --seed N`` prints the key.

    Returns:
        the list of relative paths written.

    Raises:
        ReleaseError: an unknown task, a task both handed out and published, a published
            task sharing a file with a secret one, a non-empty ``out_dir``, a working tree with
            untracked or modified files (unless ``allow_dirty``), a malformed marker, or a
            solution line that would reach the student edition.
    """
    check_tasks(tasks or [])
    check_tasks(publish or [])
    check_seed(seed)
    out = pathlib.Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{str(out)!r} is not empty; release into a new folder")
    files = repository_files(root)
    if not allow_dirty:
        dirty = dirty_files(root)
        if dirty:
            raise ReleaseError(f"the working tree has {len(dirty)} untracked or modified "
                               f"file(s), such as {dirty[0]!r}; commit or remove them, or "
                               "pass --allow-dirty (only tracked files are released)")
    texts = {path: (root / path).read_text(encoding="utf-8")
             for path in files if path.endswith(".py")}
    try:
        handed, held, _ = tasks_by_state(tasks or None, publish, texts)
    except markers.MarkerError as error:
        raise ReleaseError(str(error)) from None
    stubbed = set(handed) | set(held)
    edition = {}
    for path in files:
        source = root / path
        if path.endswith(".py"):
            if markers.is_instructor_only(texts[path]):
                continue
            try:
                edition[path] = markers.student_text(texts[path], path, handed, held)
            except markers.MarkerError as error:
                raise ReleaseError(str(error)) from None
        elif not _instructor_only_data(source):
            edition[path] = None   # Copied byte for byte.
    edition_texts = _edition_texts(root, edition)
    leaks = leaked_lines(texts, edition_texts, stubbed)
    if leaks:
        path, line = leaks[0]
        raise ReleaseError(f"solution line would leak into {path}: {line!r}")
    with_regions = {path for path, text in texts.items() if markers.regions(text, path)}
    wrong = wrong_stubs({path: text for path, text in edition_texts.items()
                         if path in with_regions}, handed, held)
    if wrong:
        raise ReleaseError(wrong[0])
    out.mkdir(parents=True, exist_ok=True)
    for path, text in edition.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            shutil.copy2(root / path, target)
        else:
            target.write_text(text, encoding="utf-8")
    catalogue.write(out / "assignments" / "catalogue.json", task_table.TASKS)
    return sorted(edition) + ["assignments/catalogue.json", write_debugging_runs(out, seed)]


def check_seed(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ReleaseError(f"--seed must be an integer >= 0, got {seed!r}")


def write_debugging_runs(out, seed):
    """Write the debugging lab's runs, letters dealt by ``seed``, packed; return the path.

    The student edition reads its runs from this file: its code and text name no run's
    cause, and the instructor-only ``labs/helpers/debugging_cases.py`` that does is left out.
    """
    from labs.helpers import debugging_cases, debugging_recipes as recipes

    path = recipes.RUNS_FILE.relative_to(REPOSITORY).as_posix()
    target = pathlib.Path(out) / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(recipes.pack(debugging_cases.runs(seed)), encoding="utf-8")
    return path


def _edition_texts(root, edition):
    """path → the text of every text file of the student edition (binary files left out)."""
    texts = {}
    for path, text in edition.items():
        if text is None:
            if pathlib.PurePath(path).suffix not in TEXT_SUFFIXES:
                continue
            try:
                text = (root / path).read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
        texts[path] = text
    return texts


def _instructor_only_data(path):
    """A non-Python text file may carry the instructor-only marker too."""
    try:
        with open(path, encoding="utf-8") as handle:
            return markers.is_instructor_only("".join(handle.readline() for _ in range(5)))
    except (UnicodeDecodeError, OSError):
        return False


def wrong_stubs(edition, handed, held):
    """Problems with the stubs of a student edition: a held task with a TODO (stub or hint),
    or a handed-out task marked held. Each is one line naming the file.

    Args:
        edition: path → text of the student edition's files that had solution regions.
        handed, held: the handed-out and the held tasks.
    """
    problems = []
    for path, text in edition.items():
        if not path.endswith(".py"):
            continue
        for task, state in markers.stub_states(text).items():
            if task in held and state != "held":
                problems.append(f"{path}: the held task {task!r} has a TODO stub")
            if task in handed and state != "unwritten":
                problems.append(f"{path}: the handed-out task {task!r} has a held stub")
        lines = text.splitlines()
        for number, line in enumerate(lines[:-1]):
            following = markers.stub_state(lines[number + 1])
            if markers.HINT.match(line) and following is not None and following[1] == "held":
                problems.append(f"{path}:{number + 1}: a held task's TODO hint is left in")
    return problems


def leaked_lines(reference, edition, tasks):
    """(path, line) pairs of student-edition text that exists only inside stubbed regions.

    Args:
        reference: path → text of every Python file of the reference edition.
        edition: path → text of every text file of the student edition.
        tasks: the tasks whose code stays secret: handed out and held.

    A line counts as public when it stands outside the stubbed regions of a Python file
    that the students get; a line of an instructor-only file (a test that copies a
    solution) does not make a solution line public.
    """
    inside, outside = set(), set()
    for path, text in reference.items():
        region_lines = set()
        for region in markers.regions(text, path):
            if region.task in tasks:
                region_lines.update(range(region.begin, region.end + 1))
        shipped = not markers.is_instructor_only(text)
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.strip()
            if not code or code.startswith("#"):
                continue
            if number in region_lines:
                inside.add(code)
            elif shipped:
                outside.add(code)
    secret = inside - outside
    leaks = []
    for path, text in edition.items():
        for line in text.splitlines():
            code = line.strip()
            if path.endswith(".ipynb"):   # A notebook's line is a JSON string: "...\n",
                code = code.strip('",').removesuffix("\\n").strip()
            if code in secret:
                leaks.append((path, code))
    return leaks


# Where a student repository is pushed: written by --remote, read by the notebook export.
REMOTE_FILE = "labs/machinery/repository.txt"
# The identity of the release's commit when git has none configured.
DEFAULT_IDENTITY = {"user.name": "Course release", "user.email": "release@localhost"}
SCHEME_URL = re.compile(r"^(https?|ssh|git)://[^/\s]+/\S+$|^file://(/|[^/\s]+/)\S*$")
SCP_URL = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\s]\S*$")


def check_remote(url):
    """``url`` if git can push to it: https://, ssh://, git://, file://, user@host:path or an
    absolute local path.

    Raises:
        ReleaseError: naming the URL and the forms that are accepted.
    """
    if SCHEME_URL.match(url) or SCP_URL.match(url) or (os.path.isabs(url)
                                                         and "\n" not in url):
        return url
    raise ReleaseError(f"--remote {url!r} is not a repository URL; use https://host/owner/"
                       "repository.git, git@host:owner/repository.git, file:///path or an "
                       "absolute path")


def git(folder, *arguments):
    """Run ``git -C folder ...`` with the release's identity where git has none configured.

    Raises:
        ReleaseError: git is not installed, or the command failed (git's last line).
    """
    if shutil.which("git") is None:
        raise ReleaseError("git is not installed: install it, or release without --git")
    identity = []
    for key, value in DEFAULT_IDENTITY.items():
        configured = subprocess.run(["git", "-C", str(folder), "config", key],
                                    capture_output=True, text=True)
        if configured.returncode != 0 or not configured.stdout.strip():
            identity += ["-c", f"{key}={value}"]
    done = subprocess.run(["git", *identity, "-C", str(folder), *arguments],
                          capture_output=True, text=True)
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip() or "no message").splitlines()[-1]
        raise ReleaseError(f"git {arguments[0]} failed in {folder}: {message}")
    return done.stdout.strip()


def release_repository(out_dir, tasks=None, remote=None, root=REPOSITORY, allow_dirty=False,
                       **release_options):
    """``release`` into ``out_dir``, then make it a git repository with one commit.

    Args:
        out_dir, tasks, root, allow_dirty, release_options: as for ``release``.
        remote: where the repository will be pushed; added as ``origin`` and recorded in
            ``labs/machinery/repository.txt`` (in the commit), so that notebooks exported in the
            release clone it. None: no remote.

    Returns:
        ``(paths, commit)``: the relative paths written and the commit's hash.

    Raises:
        ReleaseError: git is missing, ``remote`` is not a URL, or as ``release``; a
            release that git fails on is removed again, so that the folder can be reused.
    """
    if shutil.which("git") is None:
        raise ReleaseError("git is not installed: install it, or release without --git")
    if remote is not None:
        check_remote(remote)
    tasks = check_tasks(tasks or list(task_table.TASKS))
    out = pathlib.Path(out_dir)
    existed = out.exists()
    written = release(out, tasks, root, allow_dirty, **release_options)
    try:
        if remote is not None:
            (out / REMOTE_FILE).parent.mkdir(parents=True, exist_ok=True)
            (out / REMOTE_FILE).write_text(
                "# Where this student repository is pushed (python -m assignments release "
                "--remote).\n# Notebooks exported here clone it; LABS_REPOSITORY_URL "
                f"overrides it.\n{remote}\n", encoding="utf-8")
            written = sorted([*written, REMOTE_FILE])
        git(out, "init", "--quiet", "--initial-branch", "main")
        git(out, "add", "--all")
        git(out, "commit", "--quiet", "--message", f"Student edition, tasks handed out: "
            f"{', '.join(tasks)}", "--message", f"Released with: python -m assignments "
            f"release --tasks {' '.join(tasks)} --git")
        if remote is not None:
            git(out, "remote", "add", "origin", remote)
        commit = git(out, "rev-parse", "HEAD")
    except (ReleaseError, OSError) as error:
        if existed:   # It was empty: leave it empty.
            for child in out.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        else:
            shutil.rmtree(out)
        if isinstance(error, ReleaseError):
            raise
        raise ReleaseError(f"cannot write {out / REMOTE_FILE}: {error.strerror}") from None
    return written, commit
