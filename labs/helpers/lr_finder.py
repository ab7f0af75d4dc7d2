"""Where a learning rate falls on a range test's curve, in words the ``lr_finder`` lab prints.

A range test's smoothed loss starts flat (rates too small to move the weights; single
batches make it wander), falls, reaches its lowest point, and rises to the cliff where the
sweep stops. ``place`` names the part of that curve a rate sits on, from the curve's own
numbers. The *top* is the highest smoothed loss before the lowest one; the *fall* is
the drop from the top to the lowest.

* "below the sweep" or "beyond where the sweep stopped": outside the rates it tried;
* "past the minimum": above the rate of the lowest smoothed loss, towards the cliff;
* "on the flat start": at or below the top's rate, or less than ``FLAT_SHARE`` of the
  fall done;
* "on the fall": between the flat start and the minimum.
"""

import numpy as np

FLAT_SHARE = 0.1   # Less than a tenth of the fall done: still on the flat start.


def place(result, rate):
    """The part of ``result``'s curve (an ``LRFinderResult``) that ``rate`` falls on.

    Returns:
        a dict: ``where`` (one of the phrases above), and the numbers it follows from:
        ``rate``, ``smoothed`` (the smoothed loss interpolated at ``rate`` on log10(η),
        NaN outside the sweep), ``first_rate`` and ``last_rate`` (the finite sweep),
        ``top_rate``, ``top_loss``, ``rate_at_minimum`` and ``lowest_loss``.
    """
    if not rate > 0:
        raise ValueError(f"rate must be a positive learning rate, got {rate!r}")
    finite = np.isfinite(result.smoothed_losses)
    stop = len(finite) if finite.all() else int(np.argmin(finite))   # first non-finite
    rates = result.learning_rates[:stop]
    smoothed = result.smoothed_losses[:stop]
    if len(rates) < 2:
        raise ValueError("the range test recorded fewer than two finite losses")
    lowest = int(np.argmin(smoothed))
    top = int(np.argmax(smoothed[:lowest + 1]))             # the highest point before it
    numbers = {"rate": float(rate), "first_rate": float(rates[0]),
               "last_rate": float(rates[-1]), "top_rate": float(rates[top]),
               "top_loss": float(smoothed[top]), "rate_at_minimum": float(rates[lowest]),
               "lowest_loss": float(smoothed[lowest]), "smoothed": float("nan")}
    if rate < rates[0]:
        return {"where": "below the sweep", **numbers}
    if rate > rates[-1]:
        return {"where": "beyond where the sweep stopped", **numbers}
    numbers["smoothed"] = float(np.interp(np.log10(rate), np.log10(rates), smoothed))
    if rate > rates[lowest]:
        return {"where": "past the minimum", **numbers}
    fall = smoothed[top] - smoothed[lowest]                 # the whole fall, ≥ 0
    if rate <= rates[top] or smoothed[top] - numbers["smoothed"] < FLAT_SHARE * fall:
        return {"where": "on the flat start", **numbers}
    return {"where": "on the fall", **numbers}
