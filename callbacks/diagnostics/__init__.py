"""The CSV diagnostics logger and its learning-curve classifier.

    callbacks.diagnostics.DiagnosticsLogger(filename)   one CSV row per epoch + a verdict
        … num_classes=K                                 chance is 1/K (else from the model)
        … gradients=True, probe=(x, y)                  gradient health on a fixed batch
    callbacks.diagnostics.classify(history)            label, reason, advice and findings
    python -m callbacks.diagnostics RUN.csv [--json] [--plot out.png] [--num-classes K]
    python -m callbacks.diagnostics RUNS_DIR [--json]  one row (or JSON line) per CSV

The labels are ``LABELS``: DIVERGING, OSCILLATING, OVERFITTING, UNDERFITTING,
CONVERGED and STILL_IMPROVING. ``classifier.py`` states the rules (``unstable.py``
checks DIVERGING and OSCILLATING), ``chance.py`` the chance level, ``gradients.py``
the gradient measurements and ``findings.py`` the gradient findings.
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
