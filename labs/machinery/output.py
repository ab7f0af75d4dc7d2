"""The output folder of a lab: ``outputs/<lab>/`` unless ``LABS_OUTPUTS`` or ``--out`` says
otherwise, created and checked to be writable before the lab does any work."""

import os
import pathlib

from labs.machinery.hyperparameters import UsageError

OUTPUTS_ENV = "LABS_OUTPUTS"


def default_folder(name, notebook):
    """``outputs/NAME`` (or ``$LABS_OUTPUTS/NAME``), relative to the working directory.

    A notebook opened straight from ``labs/`` (a lab's ``.py`` through jupytext) runs in
    that folder; its outputs still go to the repository's ``outputs/``.
    """
    root = os.environ.get(OUTPUTS_ENV) or "outputs"
    repository = pathlib.Path(__file__).resolve().parents[2]
    here = pathlib.Path.cwd().resolve()
    if notebook and not os.path.isabs(root) and repository in here.parents:
        root = repository / root
    return os.path.join(root, name)


def prepare(path):
    """Create the folder ``path`` and check that a file can be written there; return it."""
    out = pathlib.Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(f"cannot write to output folder {str(out)!r}: {reason}") from None
    return out
