"""``--tensorboard DIR``: Keras' own TensorBoard callback on every fit of a lab.

A lab passes the callbacks of each ``model.fit`` or ``fit_with_tape`` through
``lab.fit_callbacks(label, [...])``. Without ``--tensorboard`` (or ``LABS_TENSORBOARD``
in a notebook) that returns the list unchanged. With it, the list gains
``keras.callbacks.TensorBoard(log_dir=DIR/<label>)``: one run folder per fit, named by its
label (a label used twice gets ``_2``, ``_3``, …), with ``train/`` and ``validation/``
event files of the per-epoch metrics. ``fit_with_tape`` drives the same callback through
the same hooks, so its runs get the same scalars. A ``DiagnosticsLogger`` in the list
writes its verdict, evidence and advice as a text summary into the same run's ``train/``.

Browse with ``tensorboard --logdir DIR``, or in a notebook ``%load_ext tensorboard`` and
``%tensorboard --logdir DIR``. The CSV files stay the record the lessons are built from.
"""

import os
import pathlib
import re

ENVIRONMENT = "LABS_TENSORBOARD"


def from_environment():
    """The folder named by ``LABS_TENSORBOARD``, or None."""
    return os.environ.get(ENVIRONMENT, "").strip() or None


class Runs:
    """The TensorBoard folder of one lab run, and the run folders handed out so far."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.used = set()

    def folder(self, label):
        """``root/<label>``, made unique within this lab run; the label is cleaned for a path."""
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"label must be a non-empty string, got {label!r}")
        name = re.sub(r"[^\w.=-]+", "_", label.strip()).strip("_") or "run"
        unique, count = name, 1
        while unique in self.used:
            count += 1
            unique = f"{name}_{count}"
        self.used.add(unique)
        return self.root / unique

    def callbacks(self, label, callbacks):
        """``callbacks`` plus a TensorBoard callback writing to this label's run folder."""
        import keras

        from callbacks.diagnostics import DiagnosticsLogger

        folder = self.folder(label)
        for callback in callbacks:
            if isinstance(callback, DiagnosticsLogger) and callback.tensorboard is None:
                callback.tensorboard = folder
        return [*callbacks, keras.callbacks.TensorBoard(log_dir=str(folder), write_graph=False)]
