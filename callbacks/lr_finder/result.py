"""What the range test found, and the three ways to read a learning rate off it.

See ``callbacks/lr_finder/__init__.py`` for the test itself and its formulas.
"""

import warnings

import numpy as np

SUGGESTIONS = ("steepest", "valley", "minimum/10")


def _longest_valley(losses):
    """(first, last) index of the longest strictly decreasing subsequence (fastai's valley)."""
    length = np.ones(len(losses), dtype=int)
    best_end = 0
    for i in range(1, len(losses)):
        for j in range(i):
            if losses[i] < losses[j] and length[i] < length[j] + 1:
                length[i] = length[j] + 1
        if length[i] > length[best_end]:
            best_end = i
    return best_end - length[best_end] + 1, best_end


class LRFinderResult:
    """What the range test found.

    Attributes:
        learning_rates: the rate used at each recorded batch, float64 (n,).
        losses: each batch's own loss (not Keras' running epoch mean), float64 (n,).
        smoothed_losses: the bias-corrected moving average of ``losses``, (n,).
        stop_reason: why the sweep ended, in words.
        method: the default suggestion method.
        suggestion: ``suggest(method)``, or None when no finite loss was left to use.
    """

    def __init__(self, learning_rates, losses, smoothed_losses, stop_reason,
                 method="steepest"):
        if method not in SUGGESTIONS:
            raise ValueError(f"method must be one of {', '.join(SUGGESTIONS)}, got {method!r}")
        self.learning_rates = np.asarray(learning_rates, dtype=np.float64)
        self.losses = np.asarray(losses, dtype=np.float64)
        self.smoothed_losses = np.asarray(smoothed_losses, dtype=np.float64)
        self.stop_reason = stop_reason
        self.method = method
        try:
            self.suggestion = self.suggest(method)
        except ValueError as error:
            warnings.warn(f"LR finder: no suggestion ({error})", stacklevel=2)
            self.suggestion = None

    def _usable(self):
        """Rates and smoothed losses after the first tenth, up to the first non-finite loss."""
        finite = np.isfinite(self.smoothed_losses) & np.isfinite(self.losses)
        first_bad = len(finite) if finite.all() else int(np.argmin(finite))
        skip = len(self.learning_rates) // 10
        rates = self.learning_rates[skip:first_bad]
        smoothed = self.smoothed_losses[skip:first_bad]
        if len(rates) < 3:
            raise ValueError(f"only {len(rates)} finite losses after skipping the first "
                             f"{skip}; widen the sweep or lower start")
        return rates, smoothed

    def suggest(self, method="steepest"):
        """The suggested learning rate, by ``method`` (one of ``SUGGESTIONS``)."""
        if method not in SUGGESTIONS:
            raise ValueError(f"method must be one of {', '.join(SUGGESTIONS)}, got {method!r}")
        rates, smoothed = self._usable()
        lowest = int(np.argmin(smoothed))
        if method == "minimum/10":
            return float(rates[lowest] / 10.0)
        if method == "valley":
            first, last = _longest_valley(smoothed)
            return float(rates[first + (last - first) // 2])
        # Steepest: the most negative dL/dlog10(η), on the way down to the minimum. The
        # slope is taken across ±k points (k = 5 % of the sweep), so that one noisy batch
        # cannot make a steep stretch of its own.
        k = max(1, len(self.learning_rates) // 20)
        log_rates = np.log10(rates)
        slope = np.full(len(rates), np.inf)
        for i in range(min(lowest, len(rates) - 1) + 1):
            before, after = max(i - k, 0), min(i + k, lowest)
            if after > before:
                slope[i] = (smoothed[after] - smoothed[before]) / (log_rates[after]
                                                                   - log_rates[before])
        return float(rates[int(np.argmin(slope))])

    def plot(self, ax=None, title="learning-rate range test"):
        """Loss against learning rate (log axis), raw and smoothed, with the suggestion marked.

        Returns the ``Axes`` (a new figure's when ``ax`` is None).
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4.2))
        ax.plot(self.learning_rates, self.losses, color="0.7", linewidth=1, label="batch loss")
        ax.plot(self.learning_rates, self.smoothed_losses, linewidth=2, label="smoothed loss")
        if self.suggestion is not None:
            ax.axvline(self.suggestion, color="red", linestyle="--",
                       label=f"suggestion ({self.method}): {self.suggestion:.2g}")
        ax.set_xscale("log")
        finite = self.smoothed_losses[np.isfinite(self.smoothed_losses)]
        if finite.size:
            low, high = finite.min(), finite[0]
            ax.set_ylim(low - 0.1 * (high - low + 1e-12), high + 0.5 * (high - low + 1e-12))
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("loss")
        ax.set_title(title)
        ax.legend()
        return ax
