"""What DiagnosticsLogger costs: the same ``model.fit`` with and without it, interleaved.

Each round trains one fresh copy of the network for a few epochs on the
digits data (an MLP of the size students train in the labs), once with the
logger writing its CSV and running diagnosis and once without any callback,
alternating A, B, A, B. The ratio of medians is the overhead; the target is
≤ 1.01. The logger's own cost per epoch (writing a row, flushing it and
classifying every row so far) is also timed directly, because for a network
whose epoch takes a few milliseconds that fixed cost is what matters.

With ``gradients=True`` the logger adds one forward and backward pass per epoch
on a fixed probe batch of 256 samples; the target for that is ≤ 1.03. Its
cost is timed the same two ways: whole fits, and the probe's own pass.

    python -m benchmarks.diagnostics_overhead            # about 2 minutes on 2 cores

The published numbers come from ``python -m benchmarks.results --write``, which runs
``measure`` and writes ``benchmarks/results.md``.
"""

import os
import statistics
import tempfile
import time

from custom import quiet_import

quiet_import.import_tensorflow_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402

import callbacks  # noqa: E402
import datasets  # noqa: E402
from benchmarks import _timing  # noqa: E402

EPOCHS = 5
ROUNDS = 7
TARGET = 1.01
GRADIENTS_TARGET = 1.03
PROBE = 256  # Samples in the gradient probe batch.


def make_model():
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def measure(epochs=EPOCHS, rounds=ROUNDS):
    """Whole fits with and without the logger, and the logger's own cost per epoch.

    Returns:
        dict with "without", "with" and "gradients" (seconds of each fit: no logger, the
        logger, the logger with ``gradients=True``), "logger_seconds" (median cost of one
        on_epoch_end), "probe_seconds" (median cost of one gradient probe) and
        "epoch_seconds" (one epoch of the fit without the logger).
    """
    x, y = datasets.digits()
    (x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.2, seed=0)
    folder = tempfile.mkdtemp(prefix="diagnostics-overhead-")

    probe = (x_train[:PROBE], y_train[:PROBE])

    def fit(with_logger, gradients=False):
        keras.utils.set_random_seed(0)
        model = make_model()
        logger = [callbacks.DiagnosticsLogger(os.path.join(folder, "run.csv"), verbose=False,
                                              gradients=gradients,
                                              probe=probe if gradients else None)]
        model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                  batch_size=32, verbose=0, callbacks=logger if with_logger else [])
        return model

    timings = _timing.interleaved({"without": lambda: fit(False), "with": lambda: fit(True),
                                   "gradients": lambda: fit(True, gradients=True)},
                                  rounds=rounds, warmup=1)

    # The logger alone, driven by hand: one row written, flushed and classified per epoch.
    model = make_model()
    logger = callbacks.DiagnosticsLogger(os.path.join(folder, "alone.csv"), verbose=False)
    logger.set_model(model)
    logger.on_train_begin()
    rng = np.random.default_rng(0)
    costs = []
    for epoch in range(100):
        logs = {"loss": float(np.exp(-epoch / 20) + 0.1 * rng.random()),
                "val_loss": float(np.exp(-epoch / 20) + 0.2), "accuracy": 0.9}
        started = time.perf_counter()
        logger.on_epoch_end(epoch, logs)
        costs.append(time.perf_counter() - started)
    logger.on_train_end()
    # The gradient probe alone: one forward and backward pass on the probe batch.
    from callbacks.diagnostics import gradients

    probe_pass = gradients.Probe(fit(False), *probe).measure
    probe_pass()  # The first call traces the tf.function.
    probe_costs = [_timing.seconds(probe_pass) for _ in range(30)]
    return {"without": timings["without"], "with": timings["with"],
            "gradients": timings["gradients"],
            "logger_seconds": statistics.median(costs), "largest_logger_seconds": max(costs),
            "probe_seconds": statistics.median(probe_costs),
            "epoch_seconds": statistics.median(timings["without"]) / epochs,
            "training_samples": len(x_train)}


def main():
    result = measure()
    print(f"model.fit, {EPOCHS} epochs of digits ({result['training_samples']} samples, "
          f"batch 32), {ROUNDS} interleaved rounds:")
    print(_timing.ratio_table([("fit + DiagnosticsLogger / fit", result["without"],
                                result["with"])], target=TARGET))
    print(_timing.ratio_table([("fit + logger(gradients) / fit", result["without"],
                                result["gradients"])], target=GRADIENTS_TARGET).splitlines()[-1])
    per_epoch, epoch_seconds = result["logger_seconds"], result["epoch_seconds"]
    print(f"gradient probe alone: median {result['probe_seconds'] * 1e3:.2f} ms per epoch "
          f"({PROBE} samples), {result['probe_seconds'] / epoch_seconds:.2%} of one epoch.")
    print(f"\nlogger alone: median {per_epoch * 1e3:.2f} ms per epoch over 100 epochs "
          f"(max {result['largest_logger_seconds'] * 1e3:.2f} ms); one epoch of this fit takes "
          f"{epoch_seconds * 1e3:.0f} ms, so the fixed cost is {per_epoch / epoch_seconds:.2%}.")
    print(f"It stays under 1 % for any epoch longer than {per_epoch * 100 * 1e3:.0f} ms.")


if __name__ == "__main__":
    main()
