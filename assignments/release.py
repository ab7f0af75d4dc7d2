"""``python -m assignments release OUT_DIR``: write the student edition of this repository.

For every file of the repository (as git lists it, or every file when there is no git):

* a file marked instructor-only is left out;
* a Python file loses its hidden blocks, and each solution region of a released task
  becomes a stub that raises ``NotImplementedError("TODO <task>: …")``;
* every other file is copied as it is.

Then the release writes ``assignments/catalogue.json`` (the known mistakes' numbers,
which the student edition cannot compute), and checks its own work: no code line of a
released region may appear in the student edition unless it also appears outside the
regions in the reference. A leak stops the release with an error and removes nothing
that was there before.
"""

import pathlib
import shutil
import subprocess

from assignments import catalogue, markers
from assignments import tasks as task_table

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
SKIPPED_FOLDERS = {".git", ".venv", "outputs", "notebooks", "__pycache__", ".pytest_cache"}


class ReleaseError(ValueError):
    """The release cannot be written safely (a leak, a bad marker, an unusable folder)."""


def repository_files(root=REPOSITORY):
    """Relative paths of the repository's files: tracked and untracked-but-not-ignored."""
    try:
        listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"],
                                cwd=root, capture_output=True, check=True).stdout
        paths = [path for path in listed.decode().split("\0") if path]
    except (OSError, subprocess.CalledProcessError):
        paths = [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()]
    return sorted(path for path in paths
                  if not SKIPPED_FOLDERS & set(pathlib.PurePath(path).parts)
                  and (root / path).is_file())


def check_tasks(names):
    unknown = [name for name in names if name not in task_table.TASKS]
    if unknown:
        raise ReleaseError(f"unknown task {unknown[0]!r}; choose from: "
                           f"{', '.join(task_table.TASKS)}")
    return list(names)


def release(out_dir, tasks=None, root=REPOSITORY):
    """Write the student edition of ``root`` to ``out_dir``, with ``tasks`` (default all) stubbed.

    Returns:
        the list of relative paths written.

    Raises:
        ReleaseError: an unknown task, a non-empty ``out_dir``, a malformed marker, or a
            solution line that would reach the student edition.
    """
    tasks = check_tasks(tasks or list(task_table.TASKS))
    out = pathlib.Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{str(out)!r} is not empty; release into a new folder")
    files = repository_files(root)
    edition = {}
    for path in files:
        source = root / path
        if path.endswith(".py"):
            text = source.read_text(encoding="utf-8")
            if markers.is_instructor_only(text):
                continue
            try:
                edition[path] = markers.student_text(text, path, set(tasks))
            except markers.MarkerError as error:
                raise ReleaseError(str(error)) from None
        elif not _instructor_only_data(source):
            edition[path] = None   # Copied byte for byte.
    leaks = leaked_lines({path: (root / path).read_text(encoding="utf-8")
                          for path in files if path.endswith(".py")}, edition, tasks)
    if leaks:
        path, line = leaks[0]
        raise ReleaseError(f"solution line would leak into {path}: {line!r}")
    out.mkdir(parents=True, exist_ok=True)
    for path, text in edition.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            shutil.copy2(root / path, target)
        else:
            target.write_text(text, encoding="utf-8")
    catalogue.write(out / "assignments" / "catalogue.json", task_table.TASKS)
    return sorted(edition) + ["assignments/catalogue.json"]


def _instructor_only_data(path):
    """A non-Python text file may carry the instructor-only marker too."""
    try:
        with open(path, encoding="utf-8") as handle:
            return markers.is_instructor_only("".join(handle.readline() for _ in range(5)))
    except (UnicodeDecodeError, OSError):
        return False


def leaked_lines(reference, edition, tasks):
    """(path, line) pairs of student-edition code that exists only inside released regions.

    Args:
        reference: path → text of every Python file of the reference edition.
        edition: path → student text (None for a file copied unchanged).
        tasks: the released tasks.
    """
    inside, outside = set(), set()
    for path, text in reference.items():
        region_lines = set()
        for region in markers.regions(text, path):
            if region.task in tasks:
                region_lines.update(range(region.begin, region.end + 1))
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.strip()
            if not code or code.startswith("#"):
                continue
            (inside if number in region_lines else outside).add(code)
    secret = inside - outside
    leaks = []
    for path, text in edition.items():
        text = text if text is not None else (reference.get(path) or "")
        for line in text.splitlines():
            if line.strip() in secret:
                leaks.append((path, line.strip()))
    return leaks
