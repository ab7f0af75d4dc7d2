"""Classify a learning curve: one label, the evidence behind it, and what to try next.

The seed's ``analyze_learning_curves`` (seed 000, section 5.2) uses absolute
thresholds, for example "train and val loss > 0.5 means underfitting". A loss of
0.5 is excellent for ten-class cross-entropy and terrible for a standardised
regression, so here every test is **relative** and works at any loss scale:

    rise of the loss        r = L_end / L_ref − 1      (15 % worse than the best, …)
    progress still to come  g = 1 − exp(slope · T)     (slope of log L over the last w epochs,
                                                        carried on for T more epochs)
    jitter                  σ = std(log L_t − trend)   (a 0.1 jitter is ±10 %)
    loss left               ρ = L_end / L_first        (how much of epoch 1's loss remains)

The checks run in order, and the first that fires gives the label:

1. ``DIVERGING``: a NaN or inf; a training loss that ends 25 % above its first
   epoch on a rising trend (more than twice its jitter), or at 10× its best; or a spike (3× the final level) after which
   accuracy sits at chance, a network killed by a step too large.
2. ``OSCILLATING``: in the second half of training the loss keeps jumping up
   (≥ 20 % of the steps rise by > 10 %, or it sits 1.5× above an earlier best)
   with a jitter larger than its trend,
   while still above 20 % of the first epoch's loss.
3. ``OVERFITTING``: the validation loss is ≥ 15 % above its best, reached ≥ 3
   epochs before the end, while the training loss kept falling.
4. ``STILL_IMPROVING``: the watched loss (validation if logged, else training)
   set a new best in its last quarter and still falls fast enough to gain
   ≥ 10 % in as many epochs again.
5. ``UNDERFITTING``: the curves have flattened while much of the first epoch's
   loss is left (ρ ≥ 0.6) or accuracy is close to chance.
6. ``CONVERGED``: flattened at a low level; more epochs will not help.

Without validation data the classifier says so, judges the training loss, and
cannot see overfitting.
"""

import dataclasses
import math

import numpy as np

from callbacks.diagnostics import history as history_module

LABELS = ("DIVERGING", "OSCILLATING", "OVERFITTING", "UNDERFITTING", "CONVERGED",
          "STILL_IMPROVING")

# Every threshold is relative (a ratio or a change of log-loss), so it holds at any loss scale.
BLOW_UP_OVER_FIRST = 1.25      # Late loss 25 % above epoch 1's: worse than it began.
BLOW_UP_OVER_BEST = 10.0       # Late loss 10× its best: it had learned, then blew up.
SPIKE_OVER_END = 3.0           # A spike 3× the final level, then chance accuracy: dead.
RISE_STEP = math.log(1.10)     # An epoch-to-epoch rise of more than 10 % counts as a jump.
RISE_SHARE = 0.20              # At least one step in five is such a jump …
JITTER = 0.10                  # … and the log-loss scatters by ±10 % around its trend.
KNOCKED_BACK = 1.5             # … or it sits 50 % above a best it reached earlier.
MIN_LEVEL = 0.20               # Jitter below 20 % of epoch 1's loss is not "no progress".
OVERFIT_RISE = 0.15            # Validation loss 15 % above its best …
OVERFIT_AFTER = 3              # … reached at least 3 epochs (and 10 % of the run) before the end …
TRAIN_STILL_FALLING = 0.05     # … while the training loss fell at least 5 % after that best.
STILL_IMPROVING_GAIN = 0.10    # As many epochs again would lower the watched loss by ≥ 10 %.
LOSS_LEFT = 0.60               # Flat with 60 % of epoch 1's loss left: too little capacity.
NEAR_CHANCE = 0.05             # Accuracy within 5 points of a coin flip's or of its first epoch's.

ADVICE = {
    "DIVERGING": "Lower the learning rate about 10× (the LR range test finds a safe one); check "
                 "that the inputs are standardised; clip gradients if the loss only spikes.",
    "OSCILLATING": "Lower the learning rate 3-10× or let a schedule decay it "
                   "(ReduceLROnPlateau); a larger batch also smooths the steps.",
    "OVERFITTING": "Stop at the best validation epoch (EarlyStopping with "
                   "restore_best_weights=True); add L2 or dropout; use more data or a "
                   "smaller model.",
    "UNDERFITTING": "Give the model more capacity (wider or deeper layers, nonlinear "
                    "activations), reduce regularization, or check the learning rate is not "
                    "so low that it stalls.",
    "CONVERGED": "More epochs will not help. To do better, change the model or the data; "
                 "to save time, stop earlier with EarlyStopping.",
    "STILL_IMPROVING": "Train for more epochs (at least as many again); if every epoch "
                       "gains little, raise the learning rate.",
}


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    """What ``classify`` returns.

    Attributes:
        label: one of ``LABELS``.
        reason: the evidence, with its numbers, in one or two sentences.
        advice: what to try next.
        key_epochs: name → 1-based epoch worth marking on a plot, e.g.
            ``{"best validation": 12}`` or ``{"divergence": 30}``.
    """

    label: str
    reason: str
    advice: str
    key_epochs: dict = dataclasses.field(default_factory=dict)

    def as_dict(self):
        """The JSON form: label, reason and advice."""
        return {"label": self.label, "reason": self.reason, "advice": self.advice}

    def __str__(self):
        return f"{self.label}: {self.reason}\n  advice: {self.advice}"


def classify(history):
    """Label a training history. Pure: it reads its argument and nothing else.

    Args:
        history: a dict of lists (``model.fit(...).history``), a ``History``, a
            pandas DataFrame, or the path of a CSV written by ``DiagnosticsLogger``
            or by Keras' ``CSVLogger``. It needs a ``loss`` column; ``val_loss``
            and an accuracy column are used when present.

    Returns:
        A ``Diagnosis`` with ``label``, ``reason`` and ``advice``.

    Raises:
        callbacks.diagnostics.HistoryError (a ValueError): unreadable input or no ``loss``.

    Example:
        >>> classify({"loss": [2.0, 3.0, 5.0, 10.0], "val_loss": [2.1, 3.5, 6.0, 15.0]}).label
        'DIVERGING'
    """
    columns = history_module.read_history(history)
    curves = _Curves(columns)
    for check in (_diverging, _oscillating, _overfitting, _improving_or_flat):
        found = check(curves)
        if found is not None:
            label, reason, key_epochs = found
            if not curves.has_validation_column:
                reason += " (No validation loss was logged, so this judges the training loss " \
                          "alone and cannot see overfitting.)"
            return Diagnosis(label, reason, ADVICE[label], key_epochs)
    raise AssertionError("the last check always returns a label")  # Unreachable.


class _Curves:
    """The columns the checks read, with the validation curve set to None when absent."""

    def __init__(self, columns):
        self.train = columns["loss"]
        val = columns.get("val_loss")
        self.has_validation_column = history_module.validation_logged(columns)
        self.val = val if val is not None and np.isfinite(val).any() else None
        accuracy = history_module.accuracy_key(columns)
        self.accuracy = columns[accuracy] if accuracy else None
        self.epochs = len(self.train)


def _tail(values, count):
    """Median of the last ``count`` finite values: a level that one noisy epoch cannot move."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite[-count:]))


def _log_trend(values):
    """Least-squares line through log(values): returns (slope per epoch, std of the residuals)."""
    logs = np.log(values)
    epochs = np.arange(len(logs), dtype=np.float64)
    slope, intercept = np.polyfit(epochs, logs, 1)
    residuals = logs - (slope * epochs + intercept)
    return float(slope), float(residuals.std())


def _diverging(curves):
    train = curves.train
    bad = np.flatnonzero(~np.isfinite(train))
    if bad.size:
        epoch = int(bad[0]) + 1
        return ("DIVERGING", f"the training loss became {train[bad[0]]} at epoch {epoch}.",
                {"divergence": epoch})
    if curves.val is not None and np.isinf(curves.val).any():
        epoch = int(np.flatnonzero(np.isinf(curves.val))[0]) + 1
        return ("DIVERGING", f"the validation loss became inf at epoch {epoch}.",
                {"divergence": epoch})
    if curves.epochs < 3:
        return None
    first, best = float(train[0]), float(train.min())
    late = _tail(train, max(3, curves.epochs // 4))
    peak = int(np.argmax(train))
    chance = _near_chance(curves.accuracy)
    if chance and train[peak] >= SPIKE_OVER_END * late:
        return ("DIVERGING",
                f"the training loss spiked to {train[peak]:.4g} at epoch {peak + 1} "
                f"({train[peak] / late:.3g}× where it ends) and the network has stopped "
                f"learning: {chance}.", {"divergence": peak + 1})
    worse_than_start = late > BLOW_UP_OVER_FIRST * first and _rising_above_noise(train)
    blown_up = late > BLOW_UP_OVER_BEST * best and best > 0
    if worse_than_start or blown_up:
        start = int(np.argmin(train)) + 1
        return ("DIVERGING",
                f"the training loss ends at {late:.4g}, {late / first:.2f}× its first epoch "
                f"({first:.4g}) and {late / best:.1f}× its best ({best:.4g}, epoch {start}).",
                {"divergence": start})
    return None


def _rising_above_noise(values):
    """True when log(loss) trends up by more than twice its scatter around that trend.

    A loss that only bounces (an end 25 % above a lucky first epoch) is not diverging;
    the oscillation rule judges it instead.
    """
    positive = values[np.isfinite(values) & (values > 0)]
    if len(positive) < 4:
        return True  # Too few epochs to tell a rise from noise: keep the plain rule.
    slope, jitter = _log_trend(positive)
    return slope * (len(positive) - 1) > 2 * jitter


def _oscillating(curves):
    window = curves.train[curves.epochs // 2:]
    if len(window) < 4 or np.any(window <= 0):
        return None
    steps = np.diff(np.log(window))
    rise_share = float(np.mean(steps > RISE_STEP))
    slope, jitter = _log_trend(window)
    trend = -slope * (len(window) - 1)  # How much log-loss the trend removes across the window.
    level = float(np.median(window)) / float(curves.train[0])
    # Knocked back: the training loss now sits 50 % above a best it reached earlier.
    knocked_back = float(np.median(window)) / float(np.nanmin(curves.train)) >= KNOCKED_BACK
    jumpy = rise_share >= RISE_SHARE or knocked_back
    if jumpy and jitter >= JITTER and trend < 2 * jitter and level >= MIN_LEVEL:
        worst = int(np.argmax(steps))
        best = float(np.nanmin(curves.train))
        reason = (f"over the last {len(window)} epochs the training loss rose by more than 10 % "
                  f"in {rise_share:.0%} of the epochs (largest jump ×{math.exp(steps[worst]):.2f}"
                  f" at epoch {curves.epochs - len(window) + worst + 2}) and sits at "
                  f"{np.median(window) / best:.1f}× its best ({best:.4g}); it scatters ±"
                  f"{jitter:.0%} around a trend that gains only {1 - math.exp(-trend):.0%}.")
        if curves.accuracy is not None:
            jumps = np.abs(np.diff(curves.accuracy[curves.epochs // 2:]))
            reason += f" Accuracy moves {np.nanmean(jumps):.1%} per epoch on average."
        return ("OSCILLATING", reason, {"largest jump": curves.epochs - len(window) + worst + 2})
    return None


def _overfitting(curves):
    val = curves.val
    if val is None or curves.epochs < OVERFIT_AFTER + 2:
        return None
    finite = np.where(np.isfinite(val), val, np.inf)
    best = int(np.argmin(finite))
    after = curves.epochs - 1 - best
    if after < max(OVERFIT_AFTER, math.ceil(0.1 * curves.epochs)):
        return None
    val_best, val_late = float(val[best]), _tail(val, 3)
    rise = val_late / val_best - 1.0
    train_late = _tail(curves.train, 3)
    train_fall = 1.0 - train_late / float(curves.train[best])
    if rise >= OVERFIT_RISE and train_fall >= TRAIN_STILL_FALLING:
        reason = (f"the validation loss is {rise:.0%} above its best ({val_best:.4g} at epoch "
                  f"{best + 1}, {after} epochs before the end) while the training loss fell "
                  f"{train_fall:.0%} more; validation/training loss is now "
                  f"{val_late / train_late:.1f}.")
        return ("OVERFITTING", reason, {"best validation": best + 1})
    return None


def _improving_or_flat(curves):
    watched = curves.val if curves.val is not None else curves.train
    name = "validation" if curves.val is not None else "training"
    watched = watched[np.isfinite(watched)]
    if len(watched) < 3:
        return ("STILL_IMPROVING", f"only {len(watched)} epoch(s) of {name} loss are logged, too "
                "few to see a plateau; early training is assumed to be still improving.", {})
    window = watched[-max(3, len(watched) // 4):]
    slope, jitter = _log_trend(np.maximum(window, 1e-300))
    gain = 1.0 - math.exp(slope * len(watched))  # Carried on for as many epochs again.
    noise_floor = 2.0 * jitter / max(1.0, math.sqrt(len(window)))
    best = int(np.argmin(watched)) + 1
    keys = {f"best {name}": best}
    recent_best = best > len(watched) - len(window)  # A new best within the window.
    if gain >= STILL_IMPROVING_GAIN and slope * len(window) < -noise_floor and recent_best:
        return ("STILL_IMPROVING",
                f"the {name} loss fell {1 - math.exp(slope * (len(window) - 1)):.0%} over the "
                f"last {len(window)} epochs and is still falling (about {-slope:.1%} per "
                f"epoch; best {watched.min():.4g} at epoch {best}).", keys)
    left = _tail(curves.train, 3) / float(curves.train[0])
    if recent_best:
        flat = (f"the {name} loss has flattened (at its recent pace it would gain "
                f"{max(gain, 0):.1%} in {len(watched)} more epochs)")
    else:
        flat = (f"the {name} loss has not beaten its best ({watched.min():.4g} at epoch "
                f"{best}) in the last {len(window)} epochs")
    chance = _near_chance(curves.accuracy)
    if left >= LOSS_LEFT or chance:
        evidence = f"{left:.0%} of the first epoch's training loss is left"
        if chance:
            evidence += f"; {chance}"
        return ("UNDERFITTING", f"{flat} while {evidence}.", keys)
    return ("CONVERGED", f"{flat}, with {left:.0%} of the first epoch's training loss left.",
            keys)


def _near_chance(accuracy):
    """A sentence if training accuracy is close to a coin flip or never left its first epoch."""
    if accuracy is None or not np.isfinite(accuracy).any():
        return ""
    final = _tail(accuracy, 3)
    first = float(accuracy[np.isfinite(accuracy)][0])
    if final <= 0.5 + NEAR_CHANCE:
        return f"training accuracy {final:.1%} is close to a coin flip"
    if final <= first + NEAR_CHANCE and final < 0.9:
        return f"training accuracy {final:.1%} is no better than at epoch 1 ({first:.1%})"
    return ""
