"""Reading a class's submissions without trusting them.

A folder of submissions may be laid out in any of these ways (the layouts can mix):

* one folder per student, holding the files at their repository paths
  (``alice/custom/optimizers/adam.py``);
* one ``.zip`` per student (``alice.zip``, or as an LMS names it,
  ``alice_12345_67890_submission-adam.zip``), holding such a folder;
* one task notebook per student (``alice.ipynb``), whose ``%%writefile PATH`` cells hold
  the files;
* flat files as an LMS exports them, one per student and file:
  ``<student>_<anything>_<file>.py`` (``alice_12345_67890_adam.py``), the file's name last.

Nothing is trusted: a zip is checked entry by entry before anything is read (no more than
``MAX_ENTRIES`` entries, none larger than ``MAX_FILE_BYTES`` unpacked, no absolute path, no
``..``, no link), links in a folder are refused, and only the files of the graded tasks are
taken. A submission that breaks a rule gets a problem (a sentence), never an exception.
"""

import collections
import json
import os
import pathlib
import re
import stat
import zipfile

MAX_ENTRIES = 2000
MAX_FILE_BYTES = 2 << 20          # one file, unpacked
MAX_TOTAL_BYTES = 50 << 20        # a whole zip, unpacked
MAX_NOTEBOOK_BYTES = 20 << 20
LMS_NAME = re.compile(r"^(?P<student>[^_]+)_(?:LATE_)?\d+_")
RESUBMISSION = re.compile(r"-\d+(?=\.py$)")   # An LMS's "adam-1.py" for a second upload.
LAYOUTS = ("one folder, .zip or .ipynb per student, or flat files named "
           "<student>_<anything>_<file>.py")


class SubmissionError(ValueError):
    """One student's submission breaks a rule; the message says which."""


def student_of(name):
    """The student a flat file or zip belongs to: the LMS prefix, or the whole stem."""
    match = LMS_NAME.match(name)
    return match.group("student") if match else name.split(".")[0]


def find(folder, wanted_names):
    """{student: source} for every submission in ``folder``, and the entries not understood.

    Args:
        folder: the submissions folder.
        wanted_names: the base names of the graded tasks' files (``adam.py``), which flat
            LMS files end with.

    A source is ("folder" | "zip" | "notebook", path) or ("flat", [paths]).
    """
    found, flat, unknown = {}, collections.defaultdict(list), []
    for path in sorted(pathlib.Path(folder).iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_symlink():
            found[path.name] = ("refused", f"{path.name} is a link; links are refused")
        elif path.is_dir():
            found[path.name] = ("folder", path)
        elif path.suffix == ".zip":
            found[student_of(path.name)] = ("zip", path)
        elif path.suffix == ".ipynb":
            found[student_of(path.name)] = ("notebook", path)
        elif path.suffix == ".py" and LMS_NAME.match(path.name) and any(
                RESUBMISSION.sub("", path.name).endswith("_" + name) for name in wanted_names):
            flat[student_of(path.name)].append(path)
        else:
            unknown.append(path.name)
    for student, paths in flat.items():
        found.setdefault(student, ("flat", paths))
    return found, unknown


def read(source, wanted):
    """{repository path: text} of the wanted files in one student's submission.

    Raises:
        SubmissionError: the submission cannot be read safely, or a wanted file is missing.
    """
    kind, where = source
    if kind == "refused":
        raise SubmissionError(where)
    found = {"folder": _folder, "zip": _zip, "notebook": _notebook, "flat": _flat}[kind](
        where, wanted)
    files, missing = {}, []
    for target in wanted:
        data = found.get(target)
        if data is None:
            missing.append(target)
            continue
        try:
            files[target] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SubmissionError(f"{target} is not UTF-8 text") from None
    if missing:
        raise SubmissionError(f"no {', '.join(missing)} in the submission")
    return files


def _matching(name, wanted):
    """The wanted repository path that an entry's name ends with, or None."""
    name = name.replace("\\", "/")
    return next((target for target in wanted if name == target or name.endswith("/" + target)),
                None)


def _safe_name(name):
    parts = pathlib.PurePosixPath(name.replace("\\", "/")).parts
    return not (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts)


def _folder(path, wanted):
    """The wanted files at their repository paths, or else (as Gradescope lays out an upload
    of bare files) the one file of the folder with a wanted file's name."""
    found, by_name = {}, {}
    for root, folders, names in os.walk(path, followlinks=False):
        for name in folders + names:
            full = pathlib.Path(root) / name
            target = _matching(str(full.relative_to(path)), wanted)
            if full.is_symlink():
                if target is not None or name in folders:
                    raise SubmissionError(f"{full.relative_to(path)} is a link; links are "
                                          "refused")
                continue
            if target is not None and name in names:
                found[target] = _read_limited(full)
            elif name in names:
                by_name.setdefault(name, []).append(full)
    for target in wanted:
        candidates = by_name.get(pathlib.PurePosixPath(target).name, [])
        if target not in found and len(candidates) == 1:
            found[target] = _read_limited(candidates[0])
    return found


def _read_limited(path):
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SubmissionError(f"{path.name} is larger than {MAX_FILE_BYTES:,} bytes")
    with open(path, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


def _zip(path, wanted):
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise SubmissionError(f"{path.name} holds {len(entries)} entries; at most "
                                      f"{MAX_ENTRIES}")
            total = 0
            for entry in entries:
                if not _safe_name(entry.filename):
                    raise SubmissionError(f"{path.name}: the entry {entry.filename[:80]!r} "
                                          "points outside the submission")
                if stat.S_ISLNK(entry.external_attr >> 16):
                    raise SubmissionError(f"{path.name}: {entry.filename[:80]} is a link; "
                                          "links are refused")
                if entry.file_size > MAX_FILE_BYTES:
                    raise SubmissionError(f"{path.name}: {entry.filename[:80]} unpacks to "
                                          f"more than {MAX_FILE_BYTES:,} bytes")
                total += entry.file_size
            if total > MAX_TOTAL_BYTES:
                raise SubmissionError(f"{path.name} unpacks to more than {MAX_TOTAL_BYTES:,} "
                                      "bytes")
            found = {}
            for entry in entries:
                target = _matching(entry.filename, wanted)
                if target is None or entry.is_dir():
                    continue
                with archive.open(entry) as handle:   # Sizes in the header may lie.
                    data = handle.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise SubmissionError(f"{path.name}: {entry.filename[:80]} unpacks to more "
                                          f"than {MAX_FILE_BYTES:,} bytes")
                found[target] = data
            return found
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise SubmissionError(f"cannot read {path.name} as a zip: {error}") from None


def _notebook(path, wanted):
    """{path: bytes} from a task notebook's ``%%writefile PATH`` cells."""
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{path.name} is larger than {MAX_NOTEBOOK_BYTES:,} bytes")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook.get("cells", [])
    except (ValueError, AttributeError, UnicodeDecodeError) as error:
        raise SubmissionError(f"cannot read {path.name} as a notebook: {error}") from None
    found = {}
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        first, _, body = source.partition("\n")
        if first.startswith("%%writefile "):
            target = _matching(first.split(maxsplit=1)[1].strip(), wanted)
            if target is not None:
                found[target] = body.encode("utf-8")
    return found


def _flat(paths, wanted):
    found = {}
    for path in paths:
        name = RESUBMISSION.sub("", path.name)
        for target in wanted:
            if name.endswith("_" + pathlib.PurePosixPath(target).name):
                found[target] = _read_limited(path)   # Sorted: a later upload wins.
    return found
