"""Per-epoch time of a network with our BatchNormalization against the same with Keras'.

    python -m benchmarks.batch_normalization            # about a minute on an idle 2-core machine
    python -m benchmarks.batch_normalization --rounds 15

Two identical models (three Dense-BatchNormalization-ReLU blocks), one with
``custom.layers.BatchNormalization`` and one with ``keras.layers.BatchNormalization``,
train on the same data in the same process under ``model.fit`` and under
``fit_with_tape``; their epochs alternate A, B, A, B (``benchmarks._timing.interleaved``),
then B, A, B, A, and the table gives the ratio of median epoch times. Target: ≤ 1.05×.
Both layers are traced into the train step's graph; the graph operations of one forward
pass in training mode are counted too, a number that does not depend on the machine's load.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from custom import quiet_import  # noqa: E402

quiet_import.import_tensorflow_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402

import custom.layers  # noqa: E402
from benchmarks import _timing  # noqa: E402
from custom import training  # noqa: E402

TARGET = 1.05
LOOPS = ("model.fit", "fit_with_tape")


def epoch_runner(implementation, loop, x, y, batch_size):
    """A zero-argument callable that trains one more epoch of a fixed model."""
    keras.utils.set_random_seed(0)
    layers = [keras.Input(shape=(x.shape[1],))]
    for _ in range(3):
        layers += [keras.layers.Dense(128, use_bias=False),
                   custom.layers.get("batch_normalization", implementation, momentum=0.9),
                   keras.layers.Activation("relu")]
    model = keras.Sequential(layers + [keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")

    def one_epoch():
        if loop == "model.fit":
            model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        else:
            training.fit_with_tape(model, x, y, batch_size=batch_size, epochs=1, shuffle=False,
                                   verbose=0)
    return one_epoch


def traced_op_count(implementation, features=128):
    """Graph operations in one traced training-mode call of the layer on a (32, features) batch."""
    import tensorflow as tf

    layer = custom.layers.get("batch_normalization", implementation, momentum=0.9)
    layer.build((None, features))

    @tf.function
    def forward(x):
        return layer(x, training=True)

    graph = forward.get_concrete_function(tf.TensorSpec((32, features))).graph
    return len(graph.get_operations())


def measure(rounds=8, samples=4096, batch_size=32):
    """Wall-clock and CPU rows (label, keras seconds, custom seconds) for each loop."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 32)).astype(np.float32)  # (samples, features)
    y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]).astype(np.float32)   # (samples, 1)
    rows, cpu_rows = [], []
    for loop in LOOPS:
        cpu = {"keras": [], "custom": []}
        candidates = {implementation: _timing.with_cpu_clock(
            epoch_runner(implementation, loop, x, y, batch_size), cpu[implementation])
            for implementation in ("keras", "custom")}
        timings = _timing.in_both_orders(candidates, rounds=rounds)
        rows.append((f"{loop}: custom / keras", timings["keras"], timings["custom"]))
        # The first CPU reading of each is the warm-up epoch.
        cpu_rows.append((f"{loop}: custom / keras", cpu["keras"][1:], cpu["custom"][1:]))
    return rows, cpu_rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch_normalization")
    parser.add_argument("--rounds", type=int, default=8,
                        help="timed epochs per implementation and order (twice this in all)")
    parser.add_argument("--samples", type=int, default=4096, help="training samples")
    parser.add_argument("--batch-size", type=int, default=32)
    arguments = parser.parse_args(argv)
    if arguments.rounds < 1 or arguments.samples < 1 or arguments.batch_size < 1:
        parser.error("--rounds, --samples and --batch-size must be positive")

    print(f"one epoch = {arguments.samples // arguments.batch_size} steps of batch "
          f"{arguments.batch_size}; {arguments.rounds} interleaved rounds, medians\n")
    rows, cpu_rows = measure(arguments.rounds, arguments.samples, arguments.batch_size)
    print("wall-clock seconds per epoch")
    print(_timing.ratio_table(rows, TARGET))
    print("\nprocess CPU seconds per epoch (all threads)")
    print(_timing.ratio_table(cpu_rows, TARGET))
    for label, baseline, candidate in rows:
        print(f"  {label} per round: "
              + ", ".join(f"{value:.2f}" for value in _timing.paired_ratios(baseline, candidate)))
    print("\ngraph operations in one traced training-mode call (custom, keras): "
          f"{traced_op_count('custom')}, {traced_op_count('keras')}")


if __name__ == "__main__":
    main()
