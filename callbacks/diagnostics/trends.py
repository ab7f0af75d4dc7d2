"""Small measurements of a curve that the classifier's rules are written in.

    level    median of the last few (``LATE_EPOCHS``) finite values: one noisy epoch cannot
             move it
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
LATE_EPOCHS = 3          # "The last few epochs": the fewest whose median one noisy epoch
                         # cannot move. Every rule that reads where a curve ends uses it.


def finite(values):
    """The finite values of a curve, in order, as Python floats (NaN and ±inf left out)."""
    return [value for value in _floats(values) if math.isfinite(value)]


def tail(values, count=LATE_EPOCHS):
    """Median of the last ``count`` finite values: a level that one noisy epoch cannot move."""
    values = finite(values)[-count:]
    return float(statistics.median(values)) if values else math.nan


def line(epochs, values):
    """Least-squares line values ≈ s·epochs + c: s = Σ(t − t̄)(y − ȳ) / Σ(t − t̄)², c = ȳ − s·t̄.

    The closed form of np.polyfit(epochs, values, 1), without its general solver.
    """
    epochs, values = _floats(epochs), _floats(values)
    epochs_mean, values_mean = _mean(epochs), _mean(values)
    centred = [t - epochs_mean for t in epochs]
    slope = (sum(c * (y - values_mean) for c, y in zip(centred, values))
             / sum(c * c for c in centred))
    return slope, values_mean - slope * epochs_mean


def log_trend(values):
    """Least-squares line through log(values): returns (slope per epoch, std of the residuals)."""
    logs = [math.log(value) for value in _floats(values)]
    slope, intercept = line(range(len(logs)), logs)
    residuals = [y - (slope * t + intercept) for t, y in enumerate(logs)]
    return slope, _std(residuals)


def step_noise(values):
    """σ_step of log(values): for white noise e_t, Var(Δ²e) = 6σ² and Var(Δe) = 2σ², so
    std(Δ² log L) / √3 is the std of the steps without the trend's own changes."""
    logs = [math.log(value) for value in _floats(values) if 0.0 < value < math.inf]
    if len(logs) < 4:
        return 0.0
    steps = _differences(logs)
    return _std(_differences(steps)) / math.sqrt(3.0)


def trend_t(values):
    """t = s / SE(s) of the least-squares line through ``values`` (already in log units).

    SE(s) = σ_residuals / √Σ(t − t̄)², with n − 2 degrees of freedom. |t| > 2 is a trend
    that noise of that scatter would produce about one time in twenty.
    """
    points = [(epoch, value) for epoch, value in enumerate(_floats(values))
              if math.isfinite(value)]
    if len(points) < 4:
        return 0.0
    epochs, kept = zip(*points)
    slope, intercept = line(epochs, kept)
    spread = _std([value - (slope * epoch + intercept) for epoch, value in points], ddof=2)
    if spread == 0.0:
        return math.copysign(math.inf, slope) if slope else 0.0
    epochs_mean = _mean(epochs)
    return slope / (spread / math.sqrt(sum((epoch - epochs_mean) ** 2 for epoch in epochs)))


def rising_above_noise(values, trend_over_jitter):
    """True when log(loss) trends up by more than ``trend_over_jitter`` times its scatter.

    A loss that only bounces (an end 25 % above a lucky first epoch) is not diverging;
    the oscillation rule judges it instead.
    """
    positive = [value for value in _floats(values) if 0.0 < value < math.inf]
    if len(positive) < 4:
        return True  # Too few epochs to tell a rise from noise: keep the plain rule.
    slope, jitter = log_trend(positive)
    return slope * (len(positive) - 1) > trend_over_jitter * jitter


def rise_over_best_so_far(values):
    """The largest L_t / min(L_1 … L_{t−1}) − 1 over the curve (≤ 0 if it never rose).

    A loss that falls every epoch, or rests at a floor with round-off jitter, gives at most
    a tiny positive number; a slow climb shows as the whole climb, not as its steps. Any
    rise above a best of 0 (or below) is infinite: no ratio can be read there.
    """
    largest, lowest = -math.inf, math.inf
    for value in _floats(values):
        if lowest <= 0.0:
            largest = math.inf if value > lowest else max(largest, 0.0)
        elif lowest < math.inf:
            largest = max(largest, value / lowest - 1.0)
        lowest = min(lowest, value)
    return largest


def jumps(window, rise_step):
    """(share of steps with log L_{t+1} − log L_t > rise_step, index of the largest step, steps)."""
    steps = _differences([math.log(value) for value in _floats(window)])
    largest = max(range(len(steps)), key=steps.__getitem__)  # The first, as np.argmax.
    return sum(step > rise_step for step in steps) / len(steps), largest, steps


# Plain Python on a curve's few dozen values: NumPy's cost per call is larger than the
# arithmetic, and the logger classifies its whole history after every epoch.

def _floats(values):
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _mean(values):
    return sum(values) / len(values)


def _std(values, ddof=0):
    mean = _mean(values)
    return math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - ddof))


def _differences(values):
    return [after - before for before, after in zip(values, values[1:])]
