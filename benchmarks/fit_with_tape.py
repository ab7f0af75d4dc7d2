"""Per-epoch time of custom.training.fit_with_tape against model.fit on the same model.

    python -m benchmarks.fit_with_tape            # about a minute on 2 cores
    python -m benchmarks.fit_with_tape --rounds 3 # shorter, noisier

Target: fit_with_tape within 1.10x of model.fit. The eager loop (``eager=True``) is
timed too, as a lesson in why the loop is compiled: it is many times slower.

How it is measured. ``fit_with_tape`` traces its step afresh at every call, so timing
whole calls would charge it a trace that ``model.fit`` (which caches its compiled step on
the model) pays only once. Instead an epoch clock callback timestamps every epoch, each
call runs a few epochs, and the first epoch of every call (the one that traces) is
dropped. The two loops alternate call by call (``_timing``'s interleaving, done here by
hand because the unit of work is an epoch inside a call), and the ratio is taken of the
medians.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from labs import _runtime  # noqa: E402  (quiet TensorFlow start-up)

_runtime.import_tensorflow_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks import _timing  # noqa: E402
from custom import training  # noqa: E402

TARGET = 1.10


class EpochClock(keras.callbacks.Callback):
    """Records the wall-clock seconds of every epoch (validation included)."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._started)


def make_model(seed):
    """A 20-64-64-1 regression network, the size of a typical lab model."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(20,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
    return model


def epoch_seconds(loop, model, data, epochs, **extra):
    """Run ``epochs`` epochs with ``loop``; the seconds of each epoch after the first."""
    clock = EpochClock()
    x, y, validation = data
    arguments = dict(batch_size=32, epochs=epochs, verbose=0, callbacks=[clock],
                     validation_data=validation)
    if loop == "model.fit":
        model.fit(x, y, **arguments)
    else:
        training.fit_with_tape(model, x, y, **arguments, **extra)
    return clock.seconds[1:]


def compare(data, rounds, epochs):
    """Alternate model.fit and fit_with_tape for ``rounds`` calls; per-epoch seconds of each."""
    fit_model, tape_model = make_model(0), make_model(0)
    epoch_seconds("model.fit", fit_model, data, 2)        # Warm-up: trace fit's step once.
    epoch_seconds("fit_with_tape", tape_model, data, 2)
    fit_times, tape_times = [], []
    for _ in range(rounds):
        fit_times += epoch_seconds("model.fit", fit_model, data, epochs)
        tape_times += epoch_seconds("fit_with_tape", tape_model, data, epochs)
    return fit_times, tape_times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="calls of each loop (default 5)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs per call (default 4)")
    parser.add_argument("--samples", type=int, default=2048, help="training samples (default 2048)")
    arguments = parser.parse_args(argv)
    for name in ("rounds", "samples"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(arguments, name)}")
    if arguments.epochs < 2:
        parser.error(f"--epochs must be >= 2 (the first epoch of each call is dropped), "
                     f"got {arguments.epochs}")

    rng = np.random.default_rng(0)
    x = rng.normal(size=(arguments.samples, 20)).astype("float32")   # (samples, 20)
    y = (x[:, :1] * 2.0 + np.sin(x[:, 1:2])).astype("float32")      # (samples, 1)
    x_val, y_val = x[: arguments.samples // 4], y[: arguments.samples // 4]
    steps = -(-arguments.samples // 32)
    print(f"{arguments.samples} samples, batch 32 ({steps} steps per epoch), "
          f"{arguments.rounds} rounds of {arguments.epochs} epochs per loop\n")

    rows = []
    for label, validation in ((f"tape / fit, {steps} train steps", None),
                              ("tape / fit, train + validation", (x_val, y_val))):
        fit_times, tape_times = compare((x, y, validation), arguments.rounds, arguments.epochs)
        rows.append((label, fit_times, tape_times))
    print(_timing.ratio_table(rows, TARGET))

    # The lesson: the same loop without tf.function. Two epochs, the second one timed.
    eager_times = epoch_seconds("fit_with_tape", make_model(0), (x, y, None), 2, eager=True)
    compiled = rows[0][2]
    eager_ratio = statistics.median(eager_times) / statistics.median(compiled)
    print(f"\nThe same loop run eagerly (a lesson, not a target): {eager_ratio:.1f}x slower "
          "than compiled")
    print(f"median ms per epoch: model.fit {1000 * statistics.median(rows[0][1]):.1f}, "
          f"fit_with_tape {1000 * statistics.median(compiled):.1f}, "
          f"eager {1000 * statistics.median(eager_times):.1f}")


if __name__ == "__main__":
    main()
