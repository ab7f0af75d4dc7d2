"""What the ``regularization`` lab measures, prints and draws, so that the lab keeps the lesson.

The lab keeps its models, runs, predictions and text; this module reads the weights and
histories into tables, builds the sentences that state an outcome from the run's numbers,
and draws the figures. ``labs/helpers/regularization.py`` holds the weight-decay maths.
"""

import numpy as np
import pandas

from labs.machinery import plots

KINDS = ("none", "l1", "l2", "dropout", "max_norm")   # Predicts 1 and 2's choices (a) to (e).


def kernel_weights(model):
    """Every kernel weight of ``model`` in one flat array (the biases left out)."""
    return np.concatenate([layer.kernel.numpy().ravel()
                           for layer in model.layers if hasattr(layer, "kernel")])


def tied_letters(values, best):
    """The letters of ``KINDS`` whose value equals ``best``: all of them where they tie."""
    return tuple(letter for letter, kind in zip("abcde", KINDS) if values[kind] == best)


def winner_statement(histories):
    """Predict 1's sentence, answer and numbers: the lowest final validation cross-entropy,
    and how far the plain model ended above its own best."""
    final = {kind: histories[kind]["val_cross_entropy"][-1] for kind in KINDS}
    winner = min(final, key=final.get)
    plain = histories["none"]["val_cross_entropy"]
    best_epoch, rise = int(np.argmin(plain)) + 1, plain[-1] - min(plain)
    sentence = (f"{winner} ends lowest, at {final[winner]:.3f} (final validation cross-entropy: "
                + ", ".join(f"{kind} {value:.3f}" for kind, value in final.items())
                + f"); the plain model was best at epoch {best_epoch} ({min(plain):.3f}) "
                + (f"and ended {rise:.3f} above it" if rise > 0 else "and ended there"))
    return sentence, tied_letters(final, final[winner]), dict(
        winner=winner, final_val_cross_entropy=final, plain_curve=plain,
        plain_best_epoch=best_epoch, plain_rise=rise)


def penalty_by_hand(model, strength, penalty):
    """The session plan's penalty by hand: λ·Σ penalty(w) over ``model``'s kernels."""
    kernels = [layer.kernel.numpy() for layer in model.layers if hasattr(layer, "kernel")]
    return strength * sum(penalty(kernel).sum() for kernel in kernels)   # λ·Σ|w| or λ·Σw²


def largest_incoming_norm(model):
    """The largest norm of one unit's incoming weights over ``model``'s kernels."""
    return max(np.linalg.norm(layer.kernel.numpy(), axis=0).max()
               for layer in model.layers if hasattr(layer, "kernel"))


def draw_curves(axes, histories, epochs):
    """One panel per kind: its training and validation cross-entropy, with the plain
    model's validation curve in grey for reference."""
    for panel, kind in zip(axes, KINDS):
        panel.plot(np.arange(1, epochs + 1), histories["none"]["val_cross_entropy"],
                   color="grey", alpha=0.5, label="val cross_entropy, no regularization")
        plots.learning_curves(panel, histories[kind], metric="cross_entropy", title=kind)
        panel.legend(fontsize=7)


def climbs(histories, show):
    """kind → its validation curve, best epoch (1-based) and climb after it to the last
    epoch; one line per kind printed when ``show``."""
    found = {}
    for kind in KINDS:
        curve = histories[kind]["val_cross_entropy"]
        best_epoch, climb = int(np.argmin(curve)) + 1, curve[-1] - min(curve)
        if show:
            print(f"{kind:<9} best validation cross-entropy {min(curve):.3f} at epoch "
                  f"{best_epoch}, then {climb:+.3f} by the last epoch")
        found[kind] = {"curve": curve, "best_epoch": best_epoch, "climb": climb}
    return found


def weight_table(models, histories, near_zero):
    """One row per kind: final and best cross-entropies, accuracy, the norm of all kernel
    weights and the share of them with |w| < ``near_zero``."""
    rows = []
    for kind in KINDS:
        weights, history = kernel_weights(models[kind]), histories[kind]
        rows.append({"model": kind,
                     "train_cross_entropy": history["cross_entropy"][-1],
                     "val_cross_entropy": history["val_cross_entropy"][-1],
                     "best_val_cross_entropy": min(history["val_cross_entropy"]),
                     "val_accuracy": history["val_accuracy"][-1],
                     "weight_norm": float(np.linalg.norm(weights)),
                     "share_near_zero": float(np.mean(np.abs(weights) < near_zero))})
    return pandas.DataFrame(rows)


def sparsity_statement(table):
    """Predict 2's sentence, answer and numbers: the smallest weight norm and the largest
    share of weights near zero."""
    norms = dict(zip(table["model"], table["weight_norm"]))
    near_zero = dict(zip(table["model"], table["share_near_zero"]))
    smallest, sparsest = min(norms, key=norms.get), max(near_zero, key=near_zero.get)
    sentence = (f"{smallest} has the smallest weight norm ({norms[smallest]:.2f}, "
                f"{norms[smallest] / norms['none']:.0%} of the plain model's "
                f"{norms['none']:.2f}); {sparsest} has the largest share near zero "
                f"({near_zero[sparsest]:.1%}, plain: {near_zero['none']:.1%})")
    return sentence, tied_letters(near_zero, near_zero[sparsest]), dict(
        smallest=smallest, sparsest=sparsest, weight_norms=norms, share_near_zero=near_zero)


def draw_weights(left, right, table, models, bins=81):
    """Left, the norm of all kernel weights per model; right, their histograms (log counts)."""
    left.bar(table["model"], table["weight_norm"], color="tab:blue",
             label="L2 norm of all kernels")
    left.legend()
    left.set_xlabel("model")
    left.set_ylabel("‖all kernel weights‖ (L2 norm)")
    left.set_title("size of the weights after training")
    widest = max(np.abs(kernel_weights(model)).max() for model in models.values())
    edges = np.linspace(-widest, widest, bins)
    for kind in KINDS:
        right.hist(kernel_weights(models[kind]), bins=edges, histtype="step", label=kind)
    right.set_yscale("log")
    right.set_xlabel("weight value")
    right.set_ylabel("count (log scale)")
    right.set_title("histogram of kernel weights")
    right.legend()


def adam_statement(norm_of, val_of):
    """Predict 3's sentence, answer and numbers: which of Adam + L2(λ) and AdamW(2λ) ends
    with the smaller weight norm, and which with the lower validation cross-entropy."""
    pair = ("Adam + L2(λ)", "AdamW(2λ)")
    smaller, lower = min(pair, key=norm_of.get), min(pair, key=val_of.get)
    sentence = (f"{smaller} ends with the smaller weight norm (Adam + L2(λ) "
                f"{norm_of['Adam + L2(λ)']:.2f}, AdamW(2λ) {norm_of['AdamW(2λ)']:.2f}, "
                f"no penalty {norm_of['Adam, no penalty']:.2f}); {lower} ends with the lower "
                f"validation cross-entropy ({val_of['Adam + L2(λ)']:.3f} against "
                f"{val_of['AdamW(2λ)']:.3f})")
    answer = {("AdamW(2λ)", "AdamW(2λ)"): "a", ("AdamW(2λ)", "Adam + L2(λ)"): "b",
              ("Adam + L2(λ)", "AdamW(2λ)"): "c", ("Adam + L2(λ)", "Adam + L2(λ)"): "d"}
    return sentence, answer[smaller, lower], dict(smaller_norm=smaller, lower_val=lower,
                                                  weight_norms=norm_of, val_cross_entropy=val_of)


def print_adam_table(norm_of, val_of, l2, decay):
    """Predict 3's table: weight norm and validation cross-entropy per optimizer."""
    print(f"\nλ = {l2:g}, λ_w = {decay:g}\n{'optimizer':<17} {'weight norm':>11} "
          f"{'val cross-entropy':>18}")
    for name in norm_of:
        print(f"{name:<17} {norm_of[name]:>11.3f} {val_of[name]:>18.3f}")
