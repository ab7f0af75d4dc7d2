"""The learning-rate range test (Smith 2017; fastai's ``lr_find``), as a callback and a function.

For ``steps`` batches the learning rate grows exponentially from ``start`` to ``end``,

    η_i = start · (end / start)^(i / (steps − 1)),       i = 0, 1, …, steps − 1

and the loss of each batch is recorded. The raw losses are noisy, so they are smoothed
with a bias-corrected exponential moving average (as Adam corrects its moments):

    a_i = β·a_{i−1} + (1 − β)·L_i,   a_{−1} = 0,   smoothed_i = a_i / (1 − β^(i+1))

The sweep stops early once smoothed_i > divergence × min(smoothed) (4× by default) or
the loss is not finite. Then the weights, the optimizer's variables (slots and
``iterations``) and its learning rate are put back exactly as they were.

Suggestions (``LRFinderResult.suggest``): ``"steepest"`` (default), the rate where the
smoothed loss falls fastest against log(η), searched up to the minimum of the curve and
measured across ±5 % of the sweep;
``"valley"``, fastai's middle of the longest falling stretch; ``"minimum/10"``, the
rate at the lowest loss, where the loss starts increasing, divided by 10: "The
Learning Problem"'s "1/10th of the rate where loss starts increasing".
As in fastai, the first tenth of the sweep is skipped, because the moving average
rests on few batches there. Non-finite losses never enter a suggestion.

An optimizer whose ``learning_rate`` is a ``LearningRateSchedule`` (or a callable)
cannot be set to a number. For the sweep, the callback swaps in a schedule that reads a
variable it controls, re-traces the training step so that the swap takes effect, and
puts the original schedule back (and re-traces again) at the end.
"""

from callbacks.lr_finder.finder import LRFinder, find_learning_rate
from callbacks.lr_finder.result import SUGGESTIONS, LRFinderResult

__all__ = ["LRFinder", "LRFinderResult", "SUGGESTIONS", "find_learning_rate"]
