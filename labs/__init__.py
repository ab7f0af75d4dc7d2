"""Runnable lessons. ``python -m labs --list`` lists them; ``python -m labs NAME`` runs one.

Importing this package makes sure that ``import datasets`` finds this
repository's ``datasets`` package, not Hugging Face's package of the same name
that Colab has installed (and may already have imported).
"""

import os
import pathlib
import sys

# TensorFlow's start-up chatter (no GPU found, CPU instructions) is not part of any lesson.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = pathlib.Path(__file__).resolve().parent.parent


def _ensure_our_datasets():
    """Put the repository first on sys.path and drop a foreign ``datasets`` already imported."""
    root = str(REPO)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    loaded = sys.modules.get("datasets")
    if loaded is not None:
        origin = pathlib.Path(getattr(loaded, "__file__", "") or "").resolve()
        if REPO / "datasets" not in origin.parents:
            for module in [m for m in sys.modules if m == "datasets" or m.startswith("datasets.")]:
                del sys.modules[module]


_ensure_our_datasets()
