"""fit_with_tape against model.fit on the same model: per epoch and per repeated call.

    python -m benchmarks.fit_with_tape            # about two minutes on 2 cores
    python -m benchmarks.fit_with_tape --rounds 3 # shorter, noisier

Target: fit_with_tape within 1.05x of model.fit, both per epoch and per repeated call.
The eager loop (``eager=True``) is timed too, as a lesson in why the loop is compiled:
it is many times slower.

How it is measured. Per epoch: an epoch clock callback timestamps every epoch, each call
runs a few epochs, and the first epoch of every call is dropped, for both loops. Per
call: a notebook's pattern, calling the loop again and again on one model for a few
epochs each; the whole call is timed, so a step traced afresh at every call would show
here (both loops keep their compiled steps on the model). The two loops alternate call
by call (``_timing``'s interleaving, done here by hand because the unit of work for the
first measure is an epoch inside a call), and each ratio is taken of the medians.
"""

import argparse
import statistics

from custom import quiet_import

quiet_import.import_tensorflow_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks import _hooks, _timing  # noqa: E402
from custom import training  # noqa: E402

TARGET = 1.05


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
    clock = _hooks.EpochClock()
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


def call_seconds(data, rounds, epochs):
    """Alternate whole calls of ``epochs`` epochs on one model each; seconds of every call."""
    fit_model, tape_model = make_model(0), make_model(0)
    x, y, validation = data
    arguments = dict(batch_size=32, epochs=epochs, verbose=0, validation_data=validation)
    calls = {"model.fit": lambda: fit_model.fit(x, y, **arguments),
             "fit_with_tape": lambda: training.fit_with_tape(tape_model, x, y, **arguments)}
    timings = _timing.interleaved(calls, rounds=rounds, warmup=1)
    return timings["model.fit"], timings["fit_with_tape"]


def make_data(samples):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 20)).astype("float32")   # (samples, 20)
    y = (x[:, :1] * 2.0 + np.sin(x[:, 1:2])).astype("float32")      # (samples, 1)
    return x, y, (x[: samples // 4], y[: samples // 4])


def measure(rounds=5, epochs=4, samples=2048, call_epochs=3):
    """Every comparison of this benchmark; returns its table rows and the eager ratio.

    Returns:
        dict with "rows": [(label, baseline seconds, candidate seconds)], "eager_ratio",
        and "epoch_ms": median milliseconds per epoch of model.fit, the loop, the eager loop.
    """
    x, y, validation = make_data(samples)
    rows = []
    for label, data in (("epoch, train only", (x, y, None)),
                        ("epoch + validation", (x, y, validation))):
        fit_times, tape_times = compare(data, rounds, epochs)
        rows.append((label, fit_times, tape_times))
    fit_calls, tape_calls = call_seconds((x, y, validation), rounds, call_epochs)
    rows.append((f"repeated {call_epochs}-epoch call", fit_calls, tape_calls))

    # The lesson: the same loop without tf.function. Two epochs, the second one timed.
    eager_times = epoch_seconds("fit_with_tape", make_model(0), (x, y, None), 2, eager=True)
    compiled = rows[0][2]
    return {"rows": rows,
            "eager_ratio": statistics.median(eager_times) / statistics.median(compiled),
            "epoch_ms": {"model.fit": 1000 * statistics.median(rows[0][1]),
                         "fit_with_tape": 1000 * statistics.median(compiled),
                         "eager": 1000 * statistics.median(eager_times)}}


def parse_arguments(argv, description, candidates):
    """``--rounds``, ``--epochs`` and ``--samples``, checked; print what will be timed.

    Shared with ``benchmarks/fit_with_tape_strategy.py``, which times the same network.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=5, help=f"calls of each {candidates} "
                                                               "(default 5)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs per call (default 4)")
    parser.add_argument("--samples", type=int, default=2048, help="training samples (default 2048)")
    arguments = parser.parse_args(argv)
    for name in ("rounds", "samples"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name} must be >= 1, got {getattr(arguments, name)}")
    if arguments.epochs < 2:
        parser.error(f"--epochs must be >= 2 (the first epoch of each call is dropped), "
                     f"got {arguments.epochs}")
    steps = -(-arguments.samples // 32)
    print(f"{arguments.samples} samples, batch 32 ({steps} steps per epoch), "
          f"{arguments.rounds} rounds of {arguments.epochs} epochs per {candidates}\n")
    return arguments


def main(argv=None):
    arguments = parse_arguments(argv, __doc__.splitlines()[0], "loop")
    result = measure(arguments.rounds, arguments.epochs, arguments.samples)
    print(_timing.ratio_table([(f"tape / fit: {label}", fit, tape)
                               for label, fit, tape in result["rows"]], TARGET))
    print(f"\nThe same loop run eagerly (a lesson, not a target): "
          f"{result['eager_ratio']:.1f}x slower than compiled")
    print("median ms per epoch: " + ", ".join(
        f"{name} {ms:.1f}" for name, ms in result["epoch_ms"].items()))


if __name__ == "__main__":
    main()
