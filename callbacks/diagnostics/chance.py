"""Chance level: the accuracy of guessing, 1/K for K classes, and how far a run is above it.

The number of classes K comes, in this order, from

1. the ``num_classes`` argument of ``classify`` (or of ``DiagnosticsLogger`` and
   ``LivePlot``, which otherwise read it from the model's output layer: ``classes_of``);
2. a ``num_classes`` column in the history (``DiagnosticsLogger`` writes one when
   it knows K);
3. a ``binary_accuracy`` column, which Keras logs only for two classes.

Otherwise chance is unknown, and the classifier says so rather than assume two
classes. What the logs still tell is a bound: a model starts at chance or above
it, so chance is at most the first epoch's accuracy.

    lift above chance   λ = (a − 1/K) / (1 − 1/K)    (0 at chance, 1 at 100 % accuracy)
"""

import math
import statistics


from callbacks.diagnostics import trends
from custom import arguments


def number_of_classes(columns, num_classes=None):
    """K for a history (``None`` when the logs do not tell). Validates ``num_classes``."""
    if num_classes is not None:
        return arguments.number("num_classes", num_classes, minimum=2, integer=True)
    logged = columns.get("num_classes")
    if logged is not None:
        finite = [value for value in logged.tolist() if math.isfinite(value)]
        if finite and finite[-1] >= 2 and finite[-1].is_integer():
            return int(finite[-1])
    if "binary_accuracy" in columns:
        return 2
    return None


def lift(accuracy, classes):
    """λ = (a − 1/K) / (1 − 1/K): the share of the way from chance to 100 % accuracy."""
    chance = 1.0 / classes
    return (accuracy - chance) / (1.0 - chance)


def describe(classes):
    """How a reason names the chance level: '10 classes, chance 10.0 %' or 'chance unknown'."""
    if classes is None:
        return "chance unknown (give num_classes)"
    return f"{classes} classes, chance {1.0 / classes:.1%}"


def low_accuracy(accuracy, classes, threshold):
    """(is the final accuracy less than ``threshold`` of the way up?, a sentence saying so).

    With K known, "the way up" runs from chance 1/K to 100 % (λ). Without K it runs
    from the first epoch's accuracy, which is at least chance, so λ is understated.
    """
    finite = trends.finite(accuracy)
    final, first = statistics.median(finite[-trends.LATE_EPOCHS:]), finite[0]
    if classes is not None:
        gained = lift(final, classes)
        return gained < threshold, (f"training accuracy {final:.1%} ({describe(classes)}) "
                                    + _way_up(gained, final, 1.0 / classes, "chance"))
    gained = (final - first) / (1.0 - first) if first < 1.0 else 0.0
    return gained < threshold, (
        f"training accuracy {final:.1%} "
        + _way_up(gained, final, first, f"its first epoch's {first:.1%}", "has gone")
        + f" ({describe(None)}; it is at most {first:.1%})")


def _way_up(gained, final, start, start_name, verb="is"):
    """'is 17% of the way from chance to 100 %', or, below the start, how far below it.

    A share of the way up is never printed negative: an accuracy under its starting point
    is said to be under it, by so many percentage points.
    """
    if gained < 0:
        return f"is {100 * (start - final):.1f} points below {start_name}"
    return f"{verb} {gained:.0%} of the way from {start_name} to 100 %"


def classes_of(model):
    """K from the output layer: one sigmoid unit is 2 classes, K > 1 softmax units are K."""
    try:
        layer = model.layers[-1]
        units = int(model.outputs[0].shape[-1])
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    activation = getattr(getattr(layer, "activation", None), "__name__", "")
    if activation == "sigmoid" and units == 1:
        return 2
    if activation == "softmax" and units > 1:
        return units
    return None
