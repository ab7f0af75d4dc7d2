"""Rules 1, 3 and 4 of ``classifier.py``: a run that blew up (DIVERGING) or bounces (OSCILLATING).

The rules are stated in ``classifier.py``'s docstring; these are their numbers,
each with its reason, and the checks that apply them.
"""

import math

from callbacks.diagnostics import chance as chance_module
from callbacks.diagnostics import trends

BLOW_UP_OVER_FIRST = 1.25      # Late loss 25 % above epoch 1's: worse than it began.
BLOW_UP_OVER_BEST = 10.0       # Late loss 10× its best: it had learned, then blew up …
BLOW_UP_FLOOR = 0.10           # … unless it stays below 10 % of epoch 1's loss: that is a wobble.
SPIKE_OVER_END = 3.0           # A spike 3× the final level, then chance accuracy: dead.
RISE_STEP = math.log(1.10)     # An epoch-to-epoch rise of more than 10 % counts as a jump.
RISE_SHARE = 0.20              # At least one step in five is such a jump …
JITTER = 0.10                  # … and the log-loss scatters by ±10 % around its trend.
KNOCKED_BACK = 1.5             # … or it sits 50 % above a best it reached earlier.
MIN_LEVEL = 0.20               # Bouncing below 20 % of epoch 1's loss is fine-tuning noise.
NEAR_CHANCE_LIFT = 0.10        # After a spike: within 10 % of the way from chance, it is dead.
NEVER_ROSE = 0.01              # A finite loss never more than 1 % above its best so far never
                               # rose (less is the jitter of a loss at rest): not DIVERGING,
                               # however far above chance its first epoch was (a strong penalty).
MIN_EPOCHS = 3                 # Fewer epochs cannot show a blow-up after a start.
LATE_SHARE = 4                 # "Where it ends": the median of the last quarter (at least
                               # trends.LATE_EPOCHS).


def diverging(curves):
    """Rule 1 (classifier.py): a (label, reason, key epochs) triple, or None."""
    train = curves.train
    bad = [epoch for epoch, value in enumerate(train) if not math.isfinite(value)]
    if bad:
        epoch = bad[0] + 1
        return ("DIVERGING", f"the training loss became {train[bad[0]]} at epoch {epoch}.",
                {"divergence": epoch})
    infinite = [epoch for epoch, value in enumerate(curves.val or []) if math.isinf(value)]
    if infinite:
        epoch = infinite[0] + 1
        return ("DIVERGING", f"the validation loss became inf at epoch {epoch}.",
                {"divergence": epoch})
    if curves.epochs < MIN_EPOCHS or trends.rise_over_best_so_far(train) <= NEVER_ROSE:
        return None  # A loss that never rose did not blow up (a high first epoch is a start).
    first, best = train[0], min(train)
    late = trends.tail(train, max(trends.LATE_EPOCHS, curves.epochs // LATE_SHARE))
    peak = train.index(max(train))
    dead = _stopped_learning(curves)
    if dead and train[peak] >= SPIKE_OVER_END * late:
        return ("DIVERGING",
                f"the training loss spiked to {train[peak]:.4g} at epoch {peak + 1} "
                f"({train[peak] / late:.3g}× where it ends) and the network has stopped "
                f"learning: {dead}.", {"divergence": peak + 1})
    worse_than_start = (late > BLOW_UP_OVER_FIRST * first
                        and trends.rising_above_noise(train, trends.TREND_OVER_JITTER))
    blown_up = best > 0 and late > BLOW_UP_OVER_BEST * best and late >= BLOW_UP_FLOOR * first
    if worse_than_start or blown_up:
        start = train.index(best) + 1
        return ("DIVERGING",
                f"the training loss ends at {late:.4g}, {late / first:.2f}× its first epoch "
                f"({first:.4g}) and {late / best:.1f}× its best ({best:.4g}, epoch {start}).",
                {"divergence": start})
    return None


def _jumpy(values, first):
    """The oscillation test on the second half of one curve: a reason, or None."""
    window = values[len(values) // 2:]
    if len(window) < 4 or not all(0.0 < value < math.inf for value in window):
        return None
    rise_share, worst, steps = trends.jumps(window, RISE_STEP)
    slope, jitter = trends.log_trend(window)
    trend = -slope * (len(window) - 1)  # Log-loss the line removes (negative: it adds).
    best = min(trends.finite(values))
    middle = trends.tail(window, len(window))  # The median of the window.
    knocked_back = middle / best >= KNOCKED_BACK
    level = middle / first
    if (rise_share >= RISE_SHARE or knocked_back) and jitter >= JITTER \
            and trend < trends.TREND_OVER_JITTER * jitter and level >= MIN_LEVEL:
        epoch = len(values) - len(window) + worst + 2
        reason = (f"over the last {len(window)} epochs {{name}} loss rose by more than 10 % in "
                  f"{rise_share:.0%} of the epochs (largest jump ×{math.exp(steps[worst]):.2f} "
                  f"at epoch {epoch}) and sits at {middle / best:.1f}× its best "
                  f"({best:.4g}); it scatters ±{jitter:.0%} around a trend that moves it "
                  f"{math.exp(-trend) - 1:+.0%} over those epochs.")
        return reason, epoch
    return None


def oscillating_training(curves):
    """Rule 3: the jumpiness test on the training curve."""
    found = _jumpy(curves.train, float(curves.train[0]))
    if found is None:
        return None
    reason, epoch = found
    reason = reason.format(name="the training")
    if curves.accuracy is not None:
        accuracy = curves.accuracy[curves.epochs // 2:]
        moves = trends.finite(abs(after - before) for before, after in zip(accuracy, accuracy[1:]))
        if moves:
            reason += f" Accuracy moves {sum(moves) / len(moves):.1%} per epoch on average."
    return ("OSCILLATING", reason, {"largest jump": epoch})


def oscillating_validation(curves):
    """Rule 4: the jumpiness test on the validation curve."""
    if curves.val is None or not math.isfinite(curves.val[0]):
        return None
    found = _jumpy(curves.val, float(curves.val[0]))
    if found is None:
        return None
    reason, epoch = found
    reason = reason.format(name="the validation") + (
        " It bounces rather than rising steadily, so this is too large a step, not "
        "overfitting.")
    return ("OSCILLATING", reason, {"largest jump": epoch})


def _stopped_learning(curves):
    """A sentence if training accuracy is back at chance or hardly better than at epoch 1."""
    if curves.accuracy is None:
        return ""
    low, evidence = chance_module.low_accuracy(curves.accuracy, curves.classes,
                                               NEAR_CHANCE_LIFT)
    return evidence if low else ""
