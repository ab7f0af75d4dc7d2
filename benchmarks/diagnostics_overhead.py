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
PROBE = 256  # Samples in the gradient probe batch.
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

    probe = (x_train[:PROBE], y_train[:PROBE])

    def fit(with_logger, gradients=False):
        keras.utils.set_random_seed(0)
        model = make_model()
        logger = [callbacks.DiagnosticsLogger(os.path.join(folder, "run.csv"), verbose=False,
                                              gradients=gradients,
                                              probe=probe if gradients else None)]
        model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=EPOCHS,
                  batch_size=32, verbose=0, callbacks=logger if with_logger else [])
        return model

    timings = _timing.interleaved({"without": lambda: fit(False), "with": lambda: fit(True),
                                   "gradients": lambda: fit(True, gradients=True)},
                                  rounds=ROUNDS, warmup=1)
    print(f"model.fit, {EPOCHS} epochs of digits ({len(x_train)} samples, batch 32), "
          f"{ROUNDS} interleaved rounds:")
    table = _timing.ratio_table([("fit + DiagnosticsLogger / fit", timings["without"],
                                  timings["with"])], target=1.01)
    table += "\n" + _timing.ratio_table([("fit + logger(gradients) / fit", timings["without"],
                                          timings["gradients"])], target=1.03).splitlines()[-1]
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
    # The gradient probe alone: one forward and backward pass on the probe batch.
    from callbacks.diagnostics import gradients

    measure = gradients.Probe(fit(False), *probe).measure
    measure()  # The first call traces the tf.function.
    probe_costs = [_timing.seconds(measure) for _ in range(30)]
    probe_share = statistics.median(probe_costs) / epoch_seconds
    print(f"gradient probe alone: median {statistics.median(probe_costs) * 1e3:.2f} ms per "
          f"epoch ({PROBE} samples), {probe_share:.2%} of one epoch of this fit.")
    print(f"\nlogger alone: median {per_epoch * 1e3:.2f} ms per epoch over 100 epochs "
          f"(max {max(costs) * 1e3:.2f} ms); one epoch of this fit takes "
          f"{epoch_seconds * 1e3:.0f} ms, so the fixed cost is {per_epoch / epoch_seconds:.2%}.")
    print(f"It stays under 1 % for any epoch longer than {per_epoch * 100 * 1e3:.0f} ms.")
    if "--write" in sys.argv[1:]:
        write_section(table, per_epoch, epoch_seconds, statistics.median(probe_costs))


def write_section(table, per_epoch, epoch_seconds, probe_seconds):
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
               f"direct per-epoch cost is the steadier number.\n\n"
               f"With `gradients=True`, the probe's forward and backward pass on {PROBE} "
               f"samples takes a median {probe_seconds * 1e3:.2f} ms per epoch, "
               f"{probe_seconds / epoch_seconds:.2%} of one epoch of this fit (target ≤ 3 %, "
               f"on top of the logger's own cost above).\n")
    results.write_text(head + section, encoding="utf-8")
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
