"""Keras callbacks written from scratch, and the learning-rate range test.

    callbacks.EarlyStopping, callbacks.ReduceLROnPlateau   drop-in twins of Keras' own
    callbacks.find_learning_rate, callbacks.LRFinder        the LR range test
    callbacks.DiagnosticsLogger                             CSV log + learning-curve verdict
    callbacks.diagnostics.classify                          the verdict on any history
    callbacks.LivePlot                                      curves redrawn live while training

Each name is imported from its own module on first use, so that importing one
callback does not import them all.
"""

import importlib

_HOMES = {
    "EarlyStopping": "callbacks.early_stopping",
    "ReduceLROnPlateau": "callbacks.reduce_lr",
    "ScaledSchedule": "callbacks.reduce_lr",
    "MonitorCallback": "callbacks.monitor",
    "LRFinder": "callbacks.lr_finder",
    "find_learning_rate": "callbacks.lr_finder",
    "DiagnosticsLogger": "callbacks.diagnostics",
    "current_learning_rate": "callbacks.learning_rate",
    "LivePlot": "callbacks.live_plot",
}


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module 'callbacks' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)


__all__ = sorted(_HOMES)
