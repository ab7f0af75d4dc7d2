"""What the ``loss_functions`` lab draws and says about its log-space sweep, so that the lesson
shows only its steps.

    cross_entropy_figure   −log p with and without clipping; cross-entropy against squared error
    sweep_sentence         what the float32 softmax-then-log route did across the sweep
    stability_figure       the naive, clipped, fused and Keras losses across the logit gap

``tests/test_losses_lab.py`` checks these against rules written there.
"""

import matplotlib.pyplot as plt
import numpy as np


def _short(number):
    """1e-07 as "1e-7", 1e-15 as "1e-15"."""
    return f"{number:g}".replace("e-0", "e-")


def cross_entropy_figure(points, seed_epsilon, keras_epsilon):
    """Left: −log p on a log axis, unclipped and clipped at both ε, with the chapter's two
    examples; right: binary cross-entropy against the squared error for y = 1."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    p = np.logspace(-18, 0, points)
    left.semilogx(p, -np.log(p), "k", label="−log p (no clipping)")
    left.semilogx(p, -np.log(np.clip(p, seed_epsilon, 1)), "--",
                  label=f"clipped at ε = {_short(seed_epsilon)} (the chapters)")
    left.semilogx(p, -np.log(np.clip(p, keras_epsilon, 1)), ":", linewidth=2,
                  label=f"clipped at ε = {_short(keras_epsilon)} (Keras)")
    left.plot([0.6, 0.05], [-np.log(0.6), -np.log(0.05)], "ro",
              label="Learning Algorithms: 0.51 and 3.0")
    left.set(xlabel="probability given to the target", ylabel="loss",
             title="cross-entropy = −log p")
    left.legend()
    q = np.linspace(0.001, 0.999, points)
    right.plot(q, -np.log(q), label="binary cross-entropy, y = 1")
    right.plot(q, (1 - q) ** 2, label="squared error (1 − p)², y = 1")
    right.set(xlabel="predicted p", ylabel="loss", ylim=(0, 5),
              title="cross-entropy punishes confident mistakes")
    right.legend()
    return figure


def sweep_sentence(last_gap, first_infinite, last_not_a_number, first_inexact, fused_at_end):
    """The sweep's outcome as one sentence; None for a failure that never happened."""
    parts = [f"softmax-then-log is infinite from g = {first_infinite:.1f}"
             if first_infinite is not None else
             f"softmax-then-log stays finite up to g = {last_gap:.1f}",
             f"NaN up to g = {last_not_a_number:.1f}" if last_not_a_number is not None else
             "no NaN in this range"]
    if first_inexact is not None:
        parts.append(f"off by more than 0.01 from g = {first_inexact:.1f}")
    parts.append(f"the fused loss at g = {last_gap:.1f} is {fused_at_end:.3f}")
    return "; ".join(parts)


def stability_figure(gaps, fused, keras_fused, naive, naive_clipped, last_not_a_number,
                     first_infinite):
    """Each route's loss against the gap g, with the NaN and ∞ ranges of the naive one shaded."""
    figure, axis = plt.subplots(figsize=(7, 4.2))
    axis.plot(gaps, fused, "k", linewidth=3, alpha=0.4, label="fused log-softmax (ours, float64)")
    axis.plot(gaps, keras_fused, "g--", label="Keras, from_logits=True (float32)")
    axis.plot(gaps, np.where(np.isfinite(naive), naive, np.nan), "r",
              label="softmax then log (float32)")
    axis.plot(gaps, naive_clipped, "b:", label="softmax, clip at 1e-7, log")
    if last_not_a_number is not None:
        axis.axvspan(gaps[0], last_not_a_number, color="r", alpha=0.1,
                     label="naive: NaN (overflow)")
    if first_infinite is not None:
        axis.axvspan(first_infinite, gaps[-1], color="m", alpha=0.1, label="naive: ∞ (underflow)")
    axis.set(xlabel="g: how far the target's logit is behind", ylabel="loss",
             title="log space stays exact; softmax then log does not")
    axis.legend(fontsize=8)
    return figure
