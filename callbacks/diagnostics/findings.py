"""Secondary findings from the gradient columns that ``DiagnosticsLogger(gradients=True)`` writes.

They sit beside the main label (a run can be STILL_IMPROVING with dead units).
Each reads the last epochs (the median of the last 3, ``trends.LATE_EPOCHS``, so one
probe cannot decide):

* **exploding gradients**: the global gradient norm ‖g‖ became NaN or inf, or grew
  to ≥ 100× its first epoch's value (two orders of magnitude: steps that size
  throw the weights far from where the loss was measured);
* **vanishing gradients**: the first weighted layer's ratio ρ = ‖g‖/‖w‖ is ≤ 1 % of
  the last layer's (two orders of magnitude: with one learning rate, the early
  layers then barely move while the last one learns);
* **dead units**: in some ReLU-family layer, ≥ 50 % of the units output 0 for every
  probe sample (half the layer no longer learns: its gradient is exactly zero).
"""

import numpy as np

from callbacks.diagnostics import trends

# The columns (written by callbacks.diagnostics.gradients; this module needs no Keras).
GLOBAL_NORM = "grad_norm"
RATIO_PREFIX = "grad_ratio/"
DEAD_PREFIX = "dead/"

EXPLODING_GROWTH = 100.0   # ‖g‖ at the end ≥ 100× its first epoch's: exploding.
VANISHING_RATIO = 0.01     # First layer's ρ ≤ 1 % of the last layer's: vanishing.
DEAD_SHARE = 0.50          # Half a ReLU layer's units dead on the probe batch.

ADVICE = {
    "exploding gradients": "clip gradients (clipnorm=1.0), lower the learning rate, "
                           "standardise inputs and targets",
    "vanishing gradients": "use ReLU-family activations or a shallower net, He/Glorot "
                           "initialisation, or batch normalization",
    "dead units": "lower the learning rate, start biases at 0, or use LeakyReLU/ELU",
}


def _late(values):
    finite = values[np.isfinite(values)]
    return float(np.median(finite[-trends.LATE_EPOCHS:])) if finite.size else float("nan")


def find(columns):
    """A list of (finding, sentence with its numbers, advice); empty for a healthy run."""
    found = []
    norm = columns.get(GLOBAL_NORM)
    broken = False
    if norm is not None:
        bad = np.flatnonzero(~np.isfinite(norm))
        finite = norm[np.isfinite(norm)]
        first = float(finite[0]) if finite.size else float("nan")
        if bad.size:
            broken = True  # The weights are NaN or inf too: no other finding can be read.
            found.append(("exploding gradients",
                          f"the gradient norm became {norm[bad[0]]} at epoch {bad[0] + 1}"))
        elif first > 0 and _late(norm) >= EXPLODING_GROWTH * first:
            found.append(("exploding gradients",
                          f"the gradient norm grew from {first:.3g} to {_late(norm):.3g} "
                          f"({_late(norm) / first:.0f}×)"))
    if broken:
        return [(name, sentence, ADVICE[name]) for name, sentence in found]
    ratios = sorted(name for name in columns if name.startswith(RATIO_PREFIX))
    if len(ratios) >= 2:
        early, last = _late(columns[ratios[0]]), _late(columns[ratios[-1]])
        if np.isfinite(early) and last > 0 and early <= VANISHING_RATIO * last:
            found.append(("vanishing gradients",
                          f"the first layer's gradient/weight ratio {early:.2g} is "
                          f"{early / last:.1e} of the last layer's ({last:.2g})"))
    dead = {name: _late(columns[name]) for name in columns
            if name.startswith(DEAD_PREFIX)}
    worst = max(dead, key=lambda name: dead[name], default=None)
    if worst is not None and dead[worst] >= DEAD_SHARE:
        layer = worst[len(DEAD_PREFIX):]
        found.append(("dead units", f"{dead[worst]:.0%} of the units of layer {layer} output "
                                    "0 for every probe sample"))
    return [(name, sentence, ADVICE[name]) for name, sentence in found]
