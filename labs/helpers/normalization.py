"""What the ``normalization`` lab measures, prints and draws, so that the lab keeps the lesson.

The lab keeps its data, networks, runs, predictions and text; this module compares our
layer with Keras' and the NumPy backward pass with ``tf.GradientTape``, tabulates the
learning-rate sweep, builds the sentences that state an outcome from the run's numbers,
and draws the figure.
"""

import keras
import numpy as np
import pandas
import tensorflow as tf

from custom import numpy_batchnorm


def layer_differences(ours, theirs, batch, start_weights, training):
    """Largest |output difference| and |weight difference| of two batch-norm layers set to
    ``start_weights`` and called on ``batch`` in training or inference mode."""
    outputs = []
    for layer in (ours, theirs):
        layer.set_weights(start_weights)
        outputs.append(np.asarray(layer(batch, training=training)))
    output_gap = float(np.abs(outputs[0] - outputs[1]).max())
    weight_gap = max(float(np.abs(a - b).max())
                     for a, b in zip(ours.get_weights(), theirs.get_weights()))
    return output_gap, weight_gap


def backward_against_tape(batch, upstream, gamma, beta, momentum, epsilon):
    """Largest |difference| of dx, dγ and dβ from ``custom/numpy_batchnorm.py``'s backward
    pass and from ``tf.GradientTape`` through Keras' layer, both in float64.

    ``upstream`` is dL/dy (batch, width); the tape differentiates Σ dL/dy ⊙ y.
    """
    width = batch.shape[1]
    _, cache = numpy_batchnorm.forward(batch, gamma, beta,
                                       numpy_batchnorm.running_statistics(width), True,
                                       momentum=momentum, epsilon=epsilon)
    by_hand = numpy_batchnorm.backward(upstream, cache)
    twin = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype="float64")
    twin.build((None, width))
    twin.set_weights([gamma, beta, np.zeros(width), np.ones(width)])
    inputs = tf.Variable(batch)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(upstream * twin(inputs, training=True))   # Σ dL/dy ⊙ y
    by_tape = tape.gradient(total, [inputs, twin.gamma, twin.beta])
    return {name: float(np.abs(mine - np.asarray(tape_value)).max())
            for name, mine, tape_value in zip(("dx", "dγ", "dβ"), by_hand, by_tape)}


def sweep_table(sweep, path, show):
    """The sweep's runs, one row each (normalization, η, L₀, last loss, val accuracy,
    verdict), written to the CSV ``path`` and printed when ``show``."""
    if show:
        print(f"\n{'normalization':<14} {'η':>6} {'L₀':>6} {'last loss':>10} "
              f"{'val accuracy':>13} verdict")
    rows = []
    for (kind, rate), run in sweep.items():
        rows.append((kind, rate, run["initial_loss"], run["losses"][-1], run["val_accuracy"],
                     run["verdict"]))
        if show:
            print(f"{kind:<14} {rate:>6g} {run['initial_loss']:>6.3f} "
                  f"{run['losses'][-1]:>10.4g} {run['val_accuracy']:>13.3f} {run['verdict']}")
    pandas.DataFrame(rows, columns=["normalization", "learning_rate", "initial_loss",
                                    "final_loss", "val_accuracy", "verdict"]
                     ).to_csv(path, index=False)


def sweep_statement(sweep, learning_rates):
    """Predict 2's sentence, answer and numbers: at which rates each network trains,
    stalls and diverges, and which trains at more of them."""
    def listed(rates):
        return ", ".join(f"{rate:g}" for rate in rates) if rates else "none"

    summary = {kind: {outcome: [rate for rate in learning_rates
                                if sweep[kind, rate]["verdict"] == outcome]
                      for outcome in ("trains", "stalls", "diverges")}
               for kind in ("none", "batch")}
    trains_at = {kind: len(found["trains"]) for kind, found in summary.items()}
    answer = ("c" if trains_at["none"] == trains_at["batch"] else
              "a" if trains_at["none"] > trains_at["batch"] else "b")
    sentence = "; ".join(f"{'without normalization' if kind == 'none' else 'with batch norm'}: "
                         f"trains at {listed(found['trains'])}, stalls at "
                         f"{listed(found['stalls'])}, diverges at {listed(found['diverges'])}"
                         for kind, found in summary.items())
    runs = {f"{kind} {rate:g}": {"learning_rate": rate, "normalization": kind,
                                 "initial_loss": run["initial_loss"],
                                 "final_loss": run["losses"][-1], "verdict": run["verdict"]}
            for (kind, rate), run in sweep.items()}
    return sentence, answer, dict(runs=runs, summary=summary)


def draw(left, right, sweep, learning_rates, tiny, epochs, tiny_batch):
    """Left, the last training loss at each rate with L₀ and L₀ / 2; right, the validation
    accuracy per epoch of the two networks at batch size ``tiny_batch``."""
    for kind, label in (("none", "without normalization"), ("batch", "with batch norm")):
        finals = [sweep[kind, rate]["losses"][-1] for rate in learning_rates]
        left.plot(learning_rates, [value if np.isfinite(value) else np.nan for value in finals],
                  "o-", label=label)
    initial = max(sweep[kind, learning_rates[0]]["initial_loss"] for kind in ("none", "batch"))
    left.axhline(initial, color="black", linestyle="--", label="L₀ (untrained)")
    left.axhline(initial / 2, color="black", linestyle=":", label="L₀ / 2")
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("learning rate η (log scale)")
    left.set_ylabel("last epoch's training loss (log scale)")
    left.set_title(f"SGD, {epochs} epochs at each rate")
    left.legend(fontsize=8)
    for kind, accuracies in tiny.items():
        right.plot(np.arange(1, len(accuracies) + 1), accuracies, "o-", label=f"{kind} norm")
    right.set_xlabel("epoch")
    right.set_ylabel("validation accuracy")
    right.set_ylim(0, 1)
    right.set_title(f"batch size {tiny_batch}")
    right.legend()
