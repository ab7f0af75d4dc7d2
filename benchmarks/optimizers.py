"""Per-epoch time of model.fit with each from-scratch optimizer against its Keras twin.

    python -m benchmarks.optimizers            # about a minute on an idle 2-core machine
    python -m benchmarks.optimizers --rounds 15

Both optimizers of a pair train identical models on the same data in the same
process; their epochs alternate A, B, A, B (``benchmarks._timing.interleaved``), then
B, A, B, A, and the table gives the ratio of median epoch times. Target: ≤ 1.10×. Everything in
``update_step`` is traced once into the train step's graph, so a ratio above the
target points at work that escaped the graph (Python-side maths, retracing).
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from custom import quiet_import  # noqa: E402

quiet_import.import_tensorflow_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402

import custom.optimizers  # noqa: E402
from benchmarks import _timing  # noqa: E402

TARGET = 1.10


def epoch_runner(name, implementation, x, y, batch_size):
    """A zero-argument callable that trains one more epoch of a fixed model."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(x.shape[1],)),
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=custom.optimizers.get(name, implementation=implementation,
                                                  learning_rate=0.001), loss="mse")

    def one_epoch():
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    return one_epoch


def traced_op_count(name, implementation):
    """How many graph operations one ``apply`` adds to a traced step, for two Dense kernels.

    Equal counts for a pair mean the custom optimizer does no extra in-graph work; it
    is deterministic, unlike wall-clock time on a shared machine.
    """
    import tensorflow as tf

    optimizer = custom.optimizers.get(name, implementation=implementation, learning_rate=0.001)
    variables = [tf.Variable(tf.zeros((32, 64))), tf.Variable(tf.zeros((64,)))]
    optimizer.build(variables)

    @tf.function
    def apply(gradients):
        optimizer.apply(gradients, variables)

    graph = apply.get_concrete_function([tf.TensorSpec(v.shape) for v in variables]).graph
    return len(graph.get_operations())


def measure(rounds=8, samples=4096, batch_size=32):
    """Wall-clock and CPU rows (label, keras seconds, custom seconds) for every optimizer."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 32)).astype(np.float32)  # (samples, features)
    y = (x @ rng.normal(size=(32, 1))).astype(np.float32)  # (samples, 1)
    rows, cpu_rows = [], []
    for name in custom.optimizers.names("keras"):
        cpu = {"keras": [], "custom": []}
        candidates = {implementation: _timing.with_cpu_clock(
            epoch_runner(name, implementation, x, y, batch_size), cpu[implementation])
            for implementation in ("keras", "custom")}
        timings = _timing.in_both_orders(candidates, rounds=rounds)
        rows.append((f"{name}: custom / keras", timings["keras"], timings["custom"]))
        # The first CPU reading of each is the warm-up epoch.
        cpu_rows.append((f"{name}: custom / keras", cpu["keras"][1:], cpu["custom"][1:]))
    return rows, cpu_rows


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.optimizers")
    parser.add_argument("--rounds", type=int, default=8,
                        help="timed epochs per optimizer and order (twice this in all)")
    parser.add_argument("--samples", type=int, default=4096, help="training samples")
    parser.add_argument("--batch-size", type=int, default=32)
    arguments = parser.parse_args(argv)
    if arguments.rounds < 1 or arguments.samples < 1 or arguments.batch_size < 1:
        parser.error("--rounds, --samples and --batch-size must be positive")

    print(f"model.fit, one epoch = {arguments.samples // arguments.batch_size} steps of "
          f"batch {arguments.batch_size}; {arguments.rounds} interleaved rounds, medians\n")
    rows, cpu_rows = measure(arguments.rounds, arguments.samples, arguments.batch_size)
    print("wall-clock seconds per epoch")
    print(_timing.ratio_table(rows, TARGET))
    print("\nprocess CPU seconds per epoch (all threads)")
    print(_timing.ratio_table(cpu_rows, TARGET))
    print("\ngraph operations in one traced optimizer.apply (custom, keras):")
    for name in custom.optimizers.names("keras"):
        print(f"  {name:<10} {traced_op_count(name, 'custom'):>4} {traced_op_count(name, 'keras'):>4}")


if __name__ == "__main__":
    main()
