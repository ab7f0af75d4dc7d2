"""A module imported when first used: the task table and its checks without TensorFlow.

The checks of the optimizer and training tasks call Keras, TensorFlow and pandas, but
only when a check runs. Naming them through ``lazy.module`` lets ``python -m assignments
list`` (and a held task's one-line refusal) read the task table without importing them
(4-5 s of CPU for TensorFlow); the first attribute read imports the module as usual.
"""

import importlib


class LazyModule:
    """Stands for the module ``name`` until an attribute is read, then imports it."""

    def __init__(self, name):
        self._name = name
        self._module = None

    def __getattr__(self, attribute):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self):
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


def module(name):
    """The module ``name``, imported at its first use (``keras = lazy.module("keras")``)."""
    return LazyModule(name)
