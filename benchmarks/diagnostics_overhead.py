"""What DiagnosticsLogger costs: the same ``model.fit`` with and without it, interleaved.

Each round trains one fresh copy of the network for a few epochs on the
digits data (an MLP of the size students train in the labs), once with the
logger writing its CSV and running diagnosis and once without any callback,
alternating A, B, A, B. The ratio of medians is the overhead; the target is
≤ 1.01. The logger's own cost per epoch (writing a row, flushing it and
classifying every row so far) is also timed directly, because for a network
whose epoch takes a few milliseconds that fixed cost is what matters.

    python -m benchmarks.diagnostics_overhead            # about 2 minutes on 2 cores
    python -m benchmarks.diagnostics_overhead --write    # also update diagnostics_results.md
"""

import os
import pathlib
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import callbacks  # noqa: E402
import datasets  # noqa: E402
from benchmarks import _timing  # noqa: E402

EPOCHS = 5
ROUNDS = 7
SECTION = "## Overhead"


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


def main():
    x, y = datasets.digits()
    (x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.2, seed=0)
    folder = tempfile.mkdtemp(prefix="diagnostics-overhead-")

    def fit(with_logger):
        keras.utils.set_random_seed(0)
        model = make_model()
        logger = [callbacks.DiagnosticsLogger(os.path.join(folder, "run.csv"), verbose=False)]
        model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=EPOCHS,
                  batch_size=32, verbose=0, callbacks=logger if with_logger else [])

    timings = _timing.interleaved({"without": lambda: fit(False), "with": lambda: fit(True)},
                                  rounds=ROUNDS, warmup=1)
    print(f"model.fit, {EPOCHS} epochs of digits ({len(x_train)} samples, batch 32), "
          f"{ROUNDS} interleaved rounds:")
    table = _timing.ratio_table([("fit + DiagnosticsLogger / fit", timings["without"],
                                  timings["with"])], target=1.01)
    print(table)

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
    epoch_seconds = statistics.median(timings["without"]) / EPOCHS
    per_epoch = statistics.median(costs)
    print(f"\nlogger alone: median {per_epoch * 1e3:.2f} ms per epoch over 100 epochs "
          f"(max {max(costs) * 1e3:.2f} ms); one epoch of this fit takes "
          f"{epoch_seconds * 1e3:.0f} ms, so the fixed cost is {per_epoch / epoch_seconds:.2%}.")
    print(f"It stays under 1 % for any epoch longer than {per_epoch * 100 * 1e3:.0f} ms.")
    if "--write" in sys.argv[1:]:
        write_section(table, per_epoch, epoch_seconds)


def write_section(table, per_epoch, epoch_seconds):
    """Replace the overhead section of benchmarks/diagnostics_results.md with this run's."""
    results = pathlib.Path(__file__).resolve().parent / "diagnostics_results.md"
    old = results.read_text(encoding="utf-8") if results.exists() else ""
    head = old[:old.index(SECTION)] if SECTION in old else old
    section = (f"{SECTION}\n\nMade by `python -m benchmarks.diagnostics_overhead --write`: "
               f"`model.fit` for {EPOCHS} epochs on digits with and without the logger, "
               f"{ROUNDS} interleaved rounds (medians).\n\n```\n{table}\n```\n\n"
               f"The logger alone, driven by hand for 100 epochs: median "
               f"{per_epoch * 1e3:.2f} ms per epoch (write, flush, classify every row so far), "
               f"{per_epoch / epoch_seconds:.2%} of one epoch of this fit; it stays under 1 % "
               f"for any epoch longer than {per_epoch * 100 * 1e3:.0f} ms. On a shared machine "
               f"the ratio of whole fits is dominated by noise (it can come out below 1); the "
               f"direct per-epoch cost is the steadier number.\n")
    results.write_text(head + section, encoding="utf-8")
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
