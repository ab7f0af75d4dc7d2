"""Small measurements of a curve that the classifier's rules are written in.

    level    median of the last few finite values (one noisy epoch cannot move it)
    line     least-squares fit log L_t ≈ s·t + c  →  slope s, jitter σ = std(residuals)
    jumps    share of epoch-to-epoch steps of log L that rise by more than a threshold
    noise    σ_step = std(Δ² log L) / √3: the scatter of one epoch-to-epoch step, read from
             second differences so that a smooth trend (a fast fall early on) is not noise
    t        slope of a least-squares line over its standard error (is the trend real?)
"""

import math
import statistics

import numpy as np

TREND_OVER_JITTER = 2.0  # A trend counts when it moves the log-loss by > 2σ (about 95 %).


def tail(values, count):
    """Median of the last ``count`` finite values: a level that one noisy epoch cannot move."""
    finite = values[np.isfinite(values)][-count:].tolist()
    # statistics.median on a short list: the same number as np.median, in a tenth of the time
    # (the logger classifies every epoch).
    return float(statistics.median(finite)) if finite else math.nan


def line(epochs, values):
    """Least-squares line values ≈ s·epochs + c: s = Σ(t − t̄)(y − ȳ) / Σ(t − t̄)², c = ȳ − s·t̄.

    The closed form of np.polyfit(epochs, values, 1), without its general solver.
    """
    centred = epochs - epochs.mean()
    slope = float(np.dot(centred, values - values.mean()) / np.dot(centred, centred))
    return slope, float(values.mean()) - slope * float(epochs.mean())


def log_trend(values):
    """Least-squares line through log(values): returns (slope per epoch, std of the residuals)."""
    logs = np.log(values)
    epochs = np.arange(len(logs), dtype=np.float64)
    slope, intercept = line(epochs, logs)
    residuals = logs - (slope * epochs + intercept)
    return float(slope), float(residuals.std())


def step_noise(values):
    """σ_step of log(values): for white noise e_t, Var(Δ²e) = 6σ² and Var(Δe) = 2σ², so
    std(Δ² log L) / √3 is the std of the steps without the trend's own changes."""
    positive = values[np.isfinite(values) & (values > 0)]
    if len(positive) < 4:
        return 0.0
    return float(np.std(np.diff(np.log(positive), n=2)) / math.sqrt(3.0))


def trend_t(values):
    """t = s / SE(s) of the least-squares line through ``values`` (already in log units).

    SE(s) = σ_residuals / √Σ(t − t̄)², with n − 2 degrees of freedom. |t| > 2 is a trend
    that noise of that scatter would produce about one time in twenty.
    """
    finite = np.isfinite(values)
    if finite.sum() < 4:
        return 0.0
    epochs = np.flatnonzero(finite).astype(np.float64)
    slope, intercept = line(epochs, values[finite])
    residuals = values[finite] - (slope * epochs + intercept)
    spread = float(np.std(residuals, ddof=2))
    if spread == 0.0:
        return math.copysign(math.inf, slope) if slope else 0.0
    return float(slope) / (spread / math.sqrt(float(np.sum((epochs - epochs.mean()) ** 2))))


def rising_above_noise(values, trend_over_jitter):
    """True when log(loss) trends up by more than ``trend_over_jitter`` times its scatter.

    A loss that only bounces (an end 25 % above a lucky first epoch) is not diverging;
    the oscillation rule judges it instead.
    """
    positive = values[np.isfinite(values) & (values > 0)]
    if len(positive) < 4:
        return True  # Too few epochs to tell a rise from noise: keep the plain rule.
    slope, jitter = log_trend(positive)
    return slope * (len(positive) - 1) > trend_over_jitter * jitter


def jumps(window, rise_step):
    """(share of steps with log L_{t+1} − log L_t > rise_step, index of the largest step)."""
    steps = np.diff(np.log(window))
    return float(np.mean(steps > rise_step)), int(np.argmax(steps)), steps
