"""Published rules that ``classify`` is compared against, written from their descriptions.

Each function takes anything ``classify`` accepts and returns one of our
``LABELS``, or ``None`` when the rule has no verdict (it found no problem, or
it cannot run on this history). They are the rivals of the benchmark beside them
(``benchmarks/diagnostics_accuracy.py``), not callbacks; the diagnostics lab's table and the
tests import this one copy.

* ``seed_rules``: the ``analyze_learning_curves`` of "Learning Algorithms", verbatim logic,
  absolute thresholds included. It needs a validation loss.
* ``prechelt_generalization_loss``: Prechelt (1998), "Early Stopping — But
  When?": GL(t) = 100·(E_va(t) / E_opt(t) − 1), with E_opt(t) the lowest
  validation error up to epoch t. Criterion GL_α stops at the first t with
  GL(t) > α; here the run is called OVERFITTING when GL_α would have stopped it.
* ``umlaut_checks``: UMLAUT (Schoop et al., CHI 2021), its per-epoch
  heuristics from ``umlaut/heuristics.py``: "possible overfitting" when the
  validation loss rises while the training loss does not (Δval > 0 and
  Δtrain ≤ 0 from one epoch to the next), and "NaN in loss". UMLAUT shows
  every epoch a check fires at, so one firing gives the run that label.
* ``autotrainer_loss_rules``: AUTOTRAINER (Zhang et al., ICSE 2021), the
  loss and accuracy rules of ``utils/monitor.py`` with the default parameters
  of its ``reproduce.py`` (ζ = 0.03, η = 0.2, δ = 0.01, Θ = 0.6), checked every
  3 epochs once 30 % of the epochs have run. Its gradient and weight rules need
  the model, which a CSV does not have, so only these can fire: NaN loss or
  val loss ≥ 1e5 ("explode" → DIVERGING), slow convergence of accuracy
  ("not_converge" → UNDERFITTING) and accuracy oscillation ("unstable" →
  OSCILLATING). It reads accuracy, so on regression only the NaN rule works,
  and it needs validation data (its rules read ``val_loss``).
"""

import numpy as np

from callbacks.diagnostics import history as history_module


def seed_rules(history):
    """The ``analyze_learning_curves`` of "Learning Algorithms", on our labels.

    Its TRAINING is our STILL_IMPROVING.
    """
    columns = history_module.read_history(history)
    if not history_module.validation_logged(columns):
        return None  # The chapter's function indexes val_loss and fails without it.
    train_loss, val_loss = columns["loss"], columns["val_loss"]
    if train_loss[-1] > train_loss[0]:
        return "DIVERGING"
    if train_loss[-1] > 0.5 and val_loss[-1] > 0.5:
        return "UNDERFITTING"
    best_val_epoch = np.argmin(val_loss)
    if best_val_epoch < len(val_loss) - 5:
        gap = val_loss[-1] - train_loss[-1]
        if gap > 0.1:
            return "OVERFITTING"
    recent_improvement = val_loss[-5] - val_loss[-1] if len(val_loss) >= 5 else 1
    if recent_improvement < 0.01:
        return "CONVERGED"
    return "STILL_IMPROVING"


def prechelt_generalization_loss(history, alpha=5.0):
    """OVERFITTING if Prechelt's GL_α criterion fires at some epoch, else None."""
    columns = history_module.read_history(history)
    if not history_module.validation_logged(columns):
        return None
    val = columns["val_loss"]
    best_so_far = np.inf
    for value in val:
        if not np.isfinite(value):
            continue
        best_so_far = min(best_so_far, value)
        generalization_loss = 100.0 * (value / best_so_far - 1.0)  # GL(t) = 100·(E_va/E_opt − 1)
        if generalization_loss > alpha:
            return "OVERFITTING"
    return None


def umlaut_checks(history):
    """DIVERGING on a NaN loss, OVERFITTING if val rose while train did not at some epoch."""
    columns = history_module.read_history(history)
    train = columns["loss"]
    if np.isnan(train).any():
        return "DIVERGING"
    if not history_module.validation_logged(columns):
        return None  # UMLAUT reads logs["val_loss"]; without it the check cannot run.
    val = columns["val_loss"]
    for epoch in range(1, len(train)):
        change_train = train[epoch] - train[epoch - 1]
        change_val = val[epoch] - val[epoch - 1]
        if change_val > 0 and change_train <= 0:
            return "OVERFITTING"
    return None


def _oscillation_judge(accuracy, threshold, rate):
    """AUTOTRAINER's ``ol_judge``: pair local maxima and minima of accuracy, count big swings."""
    maxima, minima = [], []
    for i in range(1, len(accuracy) - 1):
        if accuracy[i] - accuracy[i - 1] >= 0 and accuracy[i] - accuracy[i + 1] >= 0:
            maxima.append(accuracy[i])
        if accuracy[i] - accuracy[i - 1] <= 0 and accuracy[i] - accuracy[i + 1] <= 0:
            minima.append(accuracy[i])
    count = sum(1 for high, low in zip(maxima, minima) if high - low >= threshold)
    return count >= rate * len(accuracy)


def _largest_rise(values):
    """AUTOTRAINER's ``max_delta_acc``: the largest epoch-to-epoch gain (0 if none)."""
    return max([0.0] + [values[i + 1] - values[i] for i in range(len(values) - 1)])


def autotrainer_loss_rules(history, zeta=0.03, eta=0.2, delta=0.01, theta=0.6,
                           judgment_point=0.3, check_every=3):
    """AUTOTRAINER's loss/accuracy symptoms, mapped to DIVERGING, UNDERFITTING or OSCILLATING."""
    columns = history_module.read_history(history)
    if not history_module.validation_logged(columns):
        return None  # Its loss_issue reads history["val_loss"] and history["val_acc"].
    train_loss, val_loss = columns["loss"], columns["val_loss"]
    train_key = history_module.accuracy_key(columns)
    val_key = history_module.accuracy_key(columns, validation=True)
    total = len(train_loss)
    unstable = False  # AUTOTRAINER keeps its features between checks.
    for epoch in range(check_every, total + 1, check_every):
        train, val = train_loss[:epoch], val_loss[:epoch]
        if (~np.isfinite(train)).any() or (~np.isfinite(val)).any() \
                or (val.size and val[-1] >= 1e5):
            return "DIVERGING"
        if epoch < judgment_point * total or train_key is None:
            continue
        train_acc = columns[train_key][:epoch]
        test_acc = columns[val_key][:epoch] if val_key else train_acc  # Loss-only logs.
        if _oscillation_judge(train_acc, zeta, eta):
            unstable = True
        not_converged = max(test_acc) < theta or max(train_acc) < theta
        slow = _largest_rise(test_acc) < delta and _largest_rise(train_acc) < delta
        if not_converged or slow:
            if slow:  # Without gradients only this branch of its decision tree can fire.
                return "UNDERFITTING"
        elif unstable:
            return "OSCILLATING"
    return None


BASELINES = {
    "seed rules": seed_rules,
    "Prechelt GL5": prechelt_generalization_loss,
    "UMLAUT": umlaut_checks,
    "AUTOTRAINER": autotrainer_loss_rules,
}
