"""Classify a learning curve: one label, the evidence behind it, and what to try next.

The ``analyze_learning_curves`` of "Learning Algorithms" (section 5.2) uses
absolute thresholds, for example "train and val loss > 0.5 means underfitting".
A loss of 0.5 is excellent for ten-class cross-entropy and terrible for a
standardised regression, so here every test is **relative** and works at any
loss scale. The quantities, for a loss curve L_1 … L_T (log-loss residuals
around a least-squares line through log L give the jitter):

    rise                  r = L_late / L_ref − 1        (L_late: median of the last epochs)
    progress to come      g = 1 − exp(s · H)            (s: slope of log L over the last
                                                         quarter, carried on for H = max(T, 20))
    trend over a window   τ = s · (n − 1)               (log-loss the line adds; < 0: removes)
    jitter                σ = std(log L_t − line)       (σ = 0.1 is about ±10 %)
    lift above chance     λ = (a − 1/K) / (1 − 1/K)      (a: accuracy, K classes; see chance.py)

Rules are read in this order; the first that fires gives the label. Rules 1, 3 and 4
are checked in ``unstable.py``, the others here; each number is a named constant.

1. ``DIVERGING``:
   * a NaN or inf loss; or, for a training loss that rose at some epoch more than 1 %
     above its best so far (a loss that never rose did not blow up, however far above
     the chance loss it began: a strong L2 penalty starts high and falls to chance):
     * the late training loss is 25 % above epoch 1's with a rising trend (τ > 2σ); or
     * it is 10× its best **and** still at least 10 % of epoch 1's loss (a wobble far
       below where the run began, 1e-7 → 5e-5, is round-off, not a blow-up); or
     * a spike 3× the final level, after which accuracy is at chance (λ < 0.1, K known)
       or has gone less than 10 % of the way from epoch 1's accuracy to 100 %. (A high
       first epoch of a run whose accuracy then climbs is a start, not a spike.)
2. ``OVERFITTING``: the validation loss (the median of its last 3 epochs,
   ``trends.LATE_EPOCHS``) is ≥ 15 % above its best, reached ≥ 3 epochs (and 10 % of
   the run) before the end, while the training loss fell ≥ 5 % more, by at least 0.1 %
   of epoch 1's validation loss; and the rise is **real**, either
   * large against the curve's own noise: log(1 + r) > 2.5 σ_step, where σ_step is the
     scatter of one epoch-to-epoch step read from second differences (``trends.py``),
     so that a fast early fall is not taken for noise (the lowest of ~40 noisy epochs
     undercuts their level by ~1.6 σ_step by chance alone). On a short run (8-12
     epochs) σ_step is read from the epochs since the best only: there the fast fall
     of the first epochs is a large share of all second differences, and a steady rise
     over the last epochs would be measured against it; or
   * a widening gap: over the second half of the run, log(val / train) trends up with
     t > 2 (slope over its standard error), and the validation loss ends above the
     training loss. A validation loss that drifts up while the training loss falls is
     overfitting even when it jitters from epoch to epoch; under too high a rate the
     training loss does not fall steadily, so the gap does not widen. (While validation
     stays below training, as with a penalty or dropout in the training loss, a rising
     ratio is a gap that closes, not one that widens.)
3. ``OSCILLATING`` on the **training** curve: over its second half, ≥ 20 % of the
   epoch-to-epoch steps rise by > 10 % (or the loss sits 1.5× above its best), the
   jitter is σ ≥ 0.1, the line does not lower the loss by more than its scatter
   (s · (n − 1) > −2σ: no real progress; a rise is allowed), and the loss is still
   at least 20 % of epoch 1's (below that, bouncing is fine-tuning noise).
4. ``OSCILLATING`` on the **validation** curve: the same jumpiness test as rule 3
   on the second half of the validation loss. A validation loss that bounces under
   too high a rate is told apart from overfitting by rule 2's test of a real rise.
5. ``STILL_IMPROVING``: the watched loss (validation if logged, else training) set
   a new best in its last quarter (at least its last 3 epochs) and falls there by
   more than its noise (2σ / √n over the window), and at that pace as many epochs
   again (at least 20, the least a student would add) would lower it by g ≥ 10 % or
   raise training accuracy by ≥ 10 points (a many-class cross-entropy near ln K falls
   slowly while accuracy still climbs).
6. ``UNDERFITTING``: the curves have flattened (not rule 5) and the model is close
   to chance: λ < 0.3 when accuracy and K are known. With accuracy but no K, the
   accuracy gained since epoch 1 stands in: (a − a_1) / (1 − a_1) < 0.3 (chance is
   at most a_1, so this understates λ). With K known, a training loss still ≥ 90 %
   of ln K (the cross-entropy of a uniform guess) is also too close to chance,
   whatever a noisy accuracy says. Without accuracy (regression), ≥ 60 % of
   epoch 1's loss is left: for a mean squared error that starts near the target's
   variance, R² ≤ 0.4.
   A loss that stays high at a noise floor (noisy labels, overlapping classes) is
   not underfitting when accuracy is well above chance.
7. ``CONVERGED``: flattened, well above chance; more epochs will not help.

Without validation data the classifier says so, judges the training loss, and
cannot see overfitting. From a history alone, too small a model and a noise floor
at the same accuracy look the same; a run near the λ threshold can be either.
"""

import dataclasses
import math

from callbacks.diagnostics import chance as chance_module
from callbacks.diagnostics import findings as findings_module
from callbacks.diagnostics import history as history_module
from callbacks.diagnostics import trends
from callbacks.diagnostics import unstable

LABELS = ("DIVERGING", "OSCILLATING", "OVERFITTING", "UNDERFITTING", "CONVERGED",
          "STILL_IMPROVING")

# Every threshold is relative (a ratio or a change of log-loss), so it holds at any loss scale.
# Those of rules 1, 3 and 4 (DIVERGING, OSCILLATING) are in unstable.py, beside their checks.
OVERFIT_RISE = 0.15            # Validation loss 15 % above its best …
OVERFIT_AFTER = 3              # … reached at least 3 epochs …
OVERFIT_AFTER_SHARE = 0.10     # … and 10 % of the run before the end …
TRAIN_STILL_FALLING = 0.05     # … while the training loss fell at least 5 % after that best …
OVERFIT_FLOOR = 1e-3           # … by at least 0.1 % of epoch 1's loss (less is round-off) …
OVERFIT_OVER_NOISE = 2.5       # … and log(1 + r) > 2.5 σ_step (a lucky best alone: 1.6 σ_step) …
GAP_TREND_T = 2.0              # … or log(val / train) widens over the second half with t > 2.
SHORT_RUN = (8, 12)            # On a run of 8 to 12 epochs, σ_step is read from the epochs
                               # since the best (the fast early fall is not their noise).
MIN_HORIZON = 20               # "More epochs" means as many again, and at least 20.
STILL_IMPROVING_GAIN = 0.10    # As many epochs again would lower the watched loss by ≥ 10 % …
ACCURACY_STILL_RISING = 0.10   # … or raise accuracy by ≥ 10 points (near ln K, the loss moves
                               # slowly while a many-class accuracy still climbs).
LOSS_LEFT = 0.60               # Regression: flat with 60 % of epoch 1's loss left (R² ≤ 0.4).
UNDERFIT_LIFT = 0.30           # Flat, under 30 % of the way from chance (or epoch 1) to 100 %.
LOSS_AT_CHANCE = 0.90          # K known: a cross-entropy ≥ 90 % of ln K (a uniform guess).
WINDOW_SHARE = 4               # Rule 5 reads the last quarter of the run (at least
                               # trends.LATE_EPOCHS epochs: fewer cannot show a trend).
LOSS_FLOOR = 1e-300            # A loss of exactly 0 is read as 1e-300, so its log is finite.

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
        findings: secondary findings from gradient columns (``findings.py``), each
            (name, evidence, advice); empty without them or for a healthy run.
    """

    label: str
    reason: str
    advice: str
    key_epochs: dict = dataclasses.field(default_factory=dict)
    findings: tuple = ()

    def as_dict(self):
        """The JSON form: label, reason, advice and findings."""
        return {"label": self.label, "reason": self.reason, "advice": self.advice,
                "findings": [{"finding": name, "evidence": evidence, "advice": advice}
                             for name, evidence, advice in self.findings]}

    def __str__(self):
        text = f"{self.label}: {self.reason}\n  advice: {self.advice}"
        for name, evidence, advice in self.findings:
            text += f"\n  also {name}: {evidence}\n    advice: {advice}"
        return text


def classify(history, num_classes=None):
    """Label a training history. Pure: it reads its arguments and nothing else.

    Args:
        history: a dict of lists (``model.fit(...).history``), a ``History``, a
            pandas DataFrame, or the path of a CSV written by ``DiagnosticsLogger``
            or by Keras' ``CSVLogger``. It needs a ``loss`` column; ``val_loss``,
            an accuracy column and ``num_classes`` are used when present.
        num_classes: K, the number of classes (chance is 1/K), or None (default) to
            take it from the logs where they tell, else to say chance is unknown.

    Returns:
        A ``Diagnosis`` with ``label``, ``reason`` and ``advice``.

    Raises:
        callbacks.diagnostics.HistoryError (a ValueError): unreadable input or no ``loss``.
        ValueError: ``num_classes`` is not an integer >= 2.

    Example:
        >>> classify({"loss": [2.0, 3.0, 5.0, 10.0], "val_loss": [2.1, 3.5, 6.0, 15.0]}).label
        'DIVERGING'
    """
    columns = history_module.read_history(history)
    curves = _Curves(columns, chance_module.number_of_classes(columns, num_classes))
    checks = (unstable.diverging, _overfitting, unstable.oscillating_training,
              unstable.oscillating_validation, _improving_or_flat)
    for check in checks:
        found = check(curves)
        if found is not None:
            label, reason, key_epochs = found
            if not curves.has_validation_column:
                reason += " (No validation loss was logged, so this judges the training loss " \
                          "alone and cannot see overfitting.)"
            return Diagnosis(label, reason, ADVICE[label], key_epochs,
                             tuple(findings_module.find(columns)))
    raise AssertionError("the last check always returns a label")  # Unreachable.


class _Curves:
    """The columns the checks read, as lists of floats; a curve with no finite value is None.

    Lists, not arrays: on a few dozen values plain Python is faster than NumPy's cost per
    call, and the logger classifies its whole history after every epoch.
    """

    def __init__(self, columns, classes):
        self.train = columns["loss"].tolist()
        self.has_validation_column = history_module.validation_logged(columns)
        self.val = _curve(columns.get("val_loss"))
        accuracy = history_module.accuracy_key(columns)
        self.accuracy = _curve(columns[accuracy]) if accuracy else None
        self.classes = classes
        self.epochs = len(self.train)


def _curve(column):
    values = column.tolist() if column is not None else []
    return values if any(math.isfinite(value) for value in values) else None


def _overfitting(curves):
    val = curves.val
    if val is None or curves.epochs < OVERFIT_AFTER + 2:
        return None
    finite = [value if math.isfinite(value) else math.inf for value in val]
    best = finite.index(min(finite))
    after = curves.epochs - 1 - best
    if after < max(OVERFIT_AFTER, math.ceil(OVERFIT_AFTER_SHARE * curves.epochs)):
        return None
    val_best, val_late = float(val[best]), trends.tail(val, trends.LATE_EPOCHS)
    rise = val_late / val_best - 1.0
    train_late = trends.tail(curves.train, trends.LATE_EPOCHS)
    train_fall = 1.0 - train_late / float(curves.train[best])
    if rise < OVERFIT_RISE or train_fall < TRAIN_STILL_FALLING:
        return None
    first_val = trends.finite(val)[0]
    if val_late - val_best < OVERFIT_FLOOR * first_val:
        return None  # A rise this small against where the run began is round-off.
    short = SHORT_RUN[0] <= curves.epochs <= SHORT_RUN[1]
    noise = trends.step_noise(val[best:] if short else val)  # Rule 2: since the best if short.
    half = curves.epochs // 2
    gap = [_log_ratio(v, t) for v, t in zip(val[half:], curves.train[half:])]  # log(val/train)
    gap_t = trends.trend_t(gap)
    if math.log1p(rise) > OVERFIT_OVER_NOISE * noise:
        steady = f"{math.log1p(rise) / noise if noise else math.inf:.1f}× the epoch-to-epoch noise"
        if short:
            steady += " since its best"
    elif gap_t > GAP_TREND_T and val_late > train_late:
        steady = f"the gap to the training loss widens over the second half (t = {gap_t:.1f})"
    else:
        return None  # No more than noise: rule 4 (validation) judges a curve that bounces.
    reason = (f"the validation loss is {rise:.0%} above its best ({val_best:.4g} at epoch "
              f"{best + 1}, {after} epochs before the end), a real rise ({steady}), while "
              f"the training loss fell {train_fall:.0%} more; "
              f"validation/training loss is now {val_late / train_late:.1f}.")
    return ("OVERFITTING", reason, {"best validation": best + 1})


def _log_ratio(numerator, denominator):
    """log(numerator / denominator), or NaN unless both are positive and finite."""
    if 0.0 < numerator < math.inf and 0.0 < denominator < math.inf:
        return math.log(numerator) - math.log(denominator)
    return math.nan


def _improving_or_flat(curves):
    watched = curves.val if curves.val is not None else curves.train
    name = "validation" if curves.val is not None else "training"
    watched = trends.finite(watched)
    if len(watched) < trends.LATE_EPOCHS:
        return ("STILL_IMPROVING", f"only {len(watched)} epoch(s) of {name} loss are logged, too "
                "few to see a plateau; early training is assumed to be still improving.", {})
    window = watched[-max(trends.LATE_EPOCHS, len(watched) // WINDOW_SHARE):]
    slope, jitter = trends.log_trend([max(value, LOSS_FLOOR) for value in window])
    horizon = max(len(watched), MIN_HORIZON)  # As many epochs again, and at least 20.
    gain = 1.0 - math.exp(slope * horizon)
    noise_floor = trends.TREND_OVER_JITTER * jitter / max(1.0, math.sqrt(len(window)))
    best = watched.index(min(watched)) + 1
    keys = {f"best {name}": best}
    recent_best = best > len(watched) - len(window)  # A new best within the window.
    accuracy_gain = _accuracy_to_come(curves, len(window), horizon)
    falling = slope * len(window) < -noise_floor and recent_best
    if falling and (gain >= STILL_IMPROVING_GAIN or accuracy_gain >= ACCURACY_STILL_RISING):
        reason = (f"the {name} loss fell {1 - math.exp(slope * (len(window) - 1)):.0%} over the "
                  f"last {len(window)} epochs and is still falling (about {-slope:.1%} per "
                  f"epoch; best {min(watched):.4g} at epoch {best})")
        if curves.accuracy is not None:
            accuracy = trends.tail(curves.accuracy, trends.LATE_EPOCHS)
            reason += (f"; training accuracy {accuracy:.1%} would gain "
                       f"{accuracy_gain:.1%} more at its recent pace")
        return ("STILL_IMPROVING", reason + ".", keys)
    if recent_best:
        flat = (f"the {name} loss has flattened (at its recent pace it would gain "
                f"{max(gain, 0):.1%} in {horizon} more epochs)")
    else:
        flat = (f"the {name} loss has not beaten its best ({min(watched):.4g} at epoch "
                f"{best}) in the last {len(window)} epochs")
    underfit, evidence = _capacity(curves)
    return ("UNDERFITTING" if underfit else "CONVERGED", f"{flat}; {evidence}.", keys)


def _accuracy_to_come(curves, window, horizon):
    """Accuracy gained in ``horizon`` more epochs at the pace of the last ``window``."""
    if curves.accuracy is None:
        return 0.0
    recent = trends.finite(curves.accuracy[-window:])
    if len(recent) < trends.LATE_EPOCHS:
        return 0.0
    pace, _ = trends.line(range(len(recent)), recent)
    return pace * horizon


def _capacity(curves):
    """(too little capacity?, the evidence): rule 6 of the module docstring."""
    if curves.accuracy is None:
        left = trends.tail(curves.train, trends.LATE_EPOCHS) / float(curves.train[0])
        return left >= LOSS_LEFT, f"{left:.0%} of the first epoch's training loss is left"
    low, evidence = chance_module.low_accuracy(curves.accuracy, curves.classes, UNDERFIT_LIFT)
    if curves.classes is not None and not low:
        # Cross-entropy of a uniform guess over K classes is ln K: a loss still near it has
        # learned next to nothing about P(y | x), whatever a noisy accuracy says.
        share = trends.tail(curves.train, trends.LATE_EPOCHS) / math.log(curves.classes)
        if share >= LOSS_AT_CHANCE:
            return True, (f"the training loss is {share:.0%} of ln {curves.classes}, the "
                          f"cross-entropy of a uniform guess ({evidence})")
    return low, evidence
