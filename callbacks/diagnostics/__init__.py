"""The CSV diagnostics logger and its learning-curve classifier.

    callbacks.diagnostics.DiagnosticsLogger(filename)   one CSV row per epoch + a verdict
    callbacks.diagnostics.classify(history)            label, reason and advice for any history
    python -m callbacks.diagnostics RUN.csv [--json] [--plot out.png]

The labels are ``LABELS``: DIVERGING, OSCILLATING, OVERFITTING, UNDERFITTING,
CONVERGED and STILL_IMPROVING. ``classifier.py`` explains the rules.
"""

from callbacks.diagnostics.classifier import ADVICE, LABELS, Diagnosis, classify
from callbacks.diagnostics.history import HistoryError, read_history


def __getattr__(name):
    # The logger needs Keras (and so TensorFlow); the classifier and the CLI do not.
    if name == "DiagnosticsLogger":
        from callbacks.diagnostics.logger import DiagnosticsLogger

        return DiagnosticsLogger
    raise AttributeError(f"module 'callbacks.diagnostics' has no attribute {name!r}")


__all__ = ["ADVICE", "LABELS", "Diagnosis", "DiagnosticsLogger", "HistoryError", "classify",
           "read_history"]
