"""What DiagnosticsLogger costs on the labs' runs: whole fits with and without it, interleaved.

Two models that the labs train with the logger, each for ``EPOCHS`` epochs (the labs
train 20 to 60):

* ``digits MLP``: 64-128-128-10 on the digits (1 437 training samples, batch 32), the
  size of the networks students train in the labs; its numbers are the ones
  ``benchmarks.results`` publishes;
* ``two-moons MLP``: the 2-32-32-1 network of the tour and the diagnostics lab (450
  training samples, batch 32). Its epochs last a few tens of milliseconds, so it is
  the hardest case for a fixed cost per epoch.

Each round trains a fresh copy of a model three times, alternating: without any
callback, with the logger (a CSV row and a running diagnosis per epoch), and with
``gradients=True`` (one more forward and backward pass per epoch on a fixed probe
batch of 256 samples).

The targets, an overhead of at most 1 % without gradients and 3 % with them, are
judged on the time spent inside the logger's hooks, measured in those same fits as a
share of each fit. That share contains every cost the logger adds to a fit (opening
the CSV, building the probe, each epoch's row, diagnosis and probe pass, the verdict
at the end), and a shared machine moves it little. The ratio of whole fits, with the
logger and without, is reported beside it, in wall-clock time and in this process's
CPU time, with the spread of its per-round ratios: on a shared 2-core machine one
round's ratio moves by several per cent, more than the 1 % being measured, so the
whole-fit ratio cannot decide the target either way.

Also reported: the cost of one on_epoch_end as a share of a steady epoch (the median
epoch after the first, which also traces Keras' own steps for the new model), and the
probe's pass alone. The probe is a traced ``tf.function``: the first fit of an
architecture in a process traces it (``trace_seconds``, timed apart and reported as a
share of one whole fit); later fits of the same architecture reuse the trace, as the
timed rounds do after their warm-up.

    python -m benchmarks.diagnostics_overhead            # about 5 minutes on 2 idle cores

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

import callbacks  # noqa: E402
import datasets  # noqa: E402
from benchmarks import _hooks, _timing  # noqa: E402
from callbacks.diagnostics import gradients as gradients_module  # noqa: E402

EPOCHS = 30
ROUNDS = 7
TARGET = 1.01
GRADIENTS_TARGET = 1.03
PROBE = 256  # Samples in the gradient probe batch.


def make_model():
    """The digits MLP (64-128-128-10)."""
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def make_moons_model():
    """The two-moons MLP of the tour and the diagnostics lab (2-32-32-1)."""
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def lab_runs():
    """name → (model factory, (x_train, y_train), (x_val, y_val))."""
    x, y = datasets.digits()
    digits = datasets.train_val_split(x, y, 0.2, seed=0)
    x, y = datasets.two_moons(n_samples=600, noise=0.25, seed=0)
    moons = datasets.train_val_split(x, y, 0.25, seed=0)
    return {"digits MLP": (make_model, *digits), "two-moons MLP": (make_moons_model, *moons)}


# The logger, adding up the seconds inside its own hooks (spent) and each epoch's (epoch_costs).
TimedLogger = _hooks.timed(callbacks.DiagnosticsLogger)


def interleaved(candidates, rounds, warmup=1):
    """Like _timing.interleaved, with the process CPU time of each call beside its wall time.

    CPU time counts every thread of this process and none of the other processes, so it
    drifts less than wall time when the shared machine is busy.
    """
    for function in candidates.values():
        for _ in range(warmup):
            function()
    wall = {name: [] for name in candidates}
    cpu = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, function in candidates.items():
            wall_started, cpu_started = time.perf_counter(), time.process_time()
            function()
            wall[name].append(time.perf_counter() - wall_started)
            cpu[name].append(time.process_time() - cpu_started)
    return wall, cpu


def measure_one(make, train, val, epochs=EPOCHS, rounds=ROUNDS):
    """Whole fits without, with the logger and with gradients, and the per-epoch costs."""
    folder = tempfile.mkdtemp(prefix="diagnostics-overhead-")
    probe = (train[0][:PROBE], train[1][:PROBE])

    shares = {"with": [], "gradients": []}  # Share of each fit spent inside the logger.
    epoch_costs = {"with": [], "gradients": []}  # Seconds of each of its on_epoch_end calls.

    def fit(with_logger, gradients=False, extra=()):
        keras.utils.set_random_seed(0)
        model = make()
        logger = TimedLogger(os.path.join(folder, "run.csv"), verbose=False,
                             gradients=gradients, probe=probe if gradients else None)
        started = time.perf_counter()
        model.fit(*train, validation_data=val, epochs=epochs, batch_size=32, verbose=0,
                  callbacks=([logger] if with_logger else []) + list(extra))
        if with_logger:
            key = "gradients" if gradients else "with"
            shares[key].append(logger.spent / (time.perf_counter() - started))
            epoch_costs[key].extend(logger.epoch_costs)
        return model

    # The first Probe of this architecture traces its pass: the fixed cost of a first fit.
    gradients_module._traces.clear()
    model = make()
    started = time.perf_counter()
    first = gradients_module.Probe(model, *probe)
    first.measure()
    trace_seconds = time.perf_counter() - started
    probe_costs = [_timing.seconds(first.measure) for _ in range(30)]
    # A later fit of the same architecture still builds its Probe (the model of its
    # activations and the signature that finds the trace): its own fixed cost.
    later = make()
    setup_seconds = _timing.seconds(lambda: gradients_module.Probe(later, *probe))

    wall, cpu = interleaved({"without": lambda: fit(False), "with": lambda: fit(True),
                             "gradients": lambda: fit(True, gradients=True)}, rounds=rounds)
    clock = _hooks.EpochClock()
    fit(False, extra=[clock])
    # A steady epoch: epoch 1 also traces Keras' own train and test steps for the new model.
    epoch_seconds = statistics.median(clock.seconds[1:])
    return {**wall, "cpu": cpu, "shares": shares,
            "logger_seconds": statistics.median(epoch_costs["with"]),
            "gradients_epoch_seconds": statistics.median(epoch_costs["gradients"]),
            "probe_seconds": statistics.median(probe_costs),
            "trace_seconds": trace_seconds - statistics.median(probe_costs),
            "setup_seconds": setup_seconds, "epoch_seconds": epoch_seconds,
            "fit_seconds": statistics.median(wall["without"]),
            "training_samples": len(train[0])}


def measure(epochs=EPOCHS, rounds=ROUNDS):
    """Every lab run's numbers; the digits MLP's are also at the top level.

    Returns:
        dict with "without", "with" and "gradients" (seconds of each whole fit: no logger,
        the logger, the logger with ``gradients=True``), "shares" ("with" and "gradients":
        the share of each of those fits spent inside the logger's hooks),
        "logger_seconds" (median cost of one on_epoch_end inside the fits, and
        "gradients_epoch_seconds" with gradients), "probe_seconds" (one probe pass alone),
        "trace_seconds" (tracing the probe for a new architecture, once per process),
        "setup_seconds" (building the probe of a later model that reuses the trace),
        "epoch_seconds" (one steady epoch without the logger), "fit_seconds" (one whole
        fit without it), "cpu" (the three fits' process CPU seconds), and "runs":
        name → the same dict for each of the labs' models.
    """
    runs = {name: measure_one(make, train, val, epochs, rounds)
            for name, (make, train, val) in lab_runs().items()}
    return {**runs["digits MLP"], "runs": runs}


def main():
    result = measure()
    for name, run in result["runs"].items():
        epoch_seconds, fit_seconds = run["epoch_seconds"], run["fit_seconds"]
        print(f"\n{name}: model.fit, {EPOCHS} epochs ({run['training_samples']} samples, "
              f"batch 32; a steady epoch {epoch_seconds * 1e3:.0f} ms, the whole fit "
              f"{fit_seconds:.1f} s), {ROUNDS} interleaved rounds:")
        for key, name, target in (("with", "logger", TARGET),
                                  ("gradients", "logger(gradients)", GRADIENTS_TARGET)):
            share = statistics.median(run["shares"][key])
            print(f"inside the {name}'s hooks: {share:.2%} of the whole fit (median of "
                  f"{len(run['shares'][key])} fits; target <= {target - 1:.0%}: "
                  f"{'ok' if share <= target - 1 else 'OVER'})")
        print("whole fits, with the spread of the rounds' own ratios (noise, not a verdict):")
        for clock, times in (("wall", run), ("CPU", run["cpu"])):
            for key, name in (("with", "logger"), ("gradients", "logger(gradients)")):
                rounds = _timing.paired_ratios(times["without"], times[key])
                print(f"  fit + {name} / fit, {clock}: "
                      f"{statistics.median(times[key]) / statistics.median(times['without']):.3f}"
                      f" (rounds {rounds[0]:.3f}-{rounds[-1]:.3f})")
        print(f"its on_epoch_end: {run['logger_seconds'] * 1e3:.2f} ms, "
              f"{run['logger_seconds'] / epoch_seconds:.2%} of a steady epoch; with gradients "
              f"{run['gradients_epoch_seconds'] * 1e3:.2f} ms, "
              f"{run['gradients_epoch_seconds'] / epoch_seconds:.2%}.")
        print(f"probe alone: {run['probe_seconds'] * 1e3:.2f} ms per epoch ({PROBE} samples), "
              f"{run['probe_seconds'] / epoch_seconds:.2%} of a steady epoch.")
        print(f"tracing the probe, once per architecture and process: "
              f"{run['trace_seconds'] * 1e3:.0f} ms, {run['trace_seconds'] / fit_seconds:.2%} "
              f"of the whole fit; a later fit's probe set-up "
              f"{run['setup_seconds'] * 1e3:.1f} ms, {run['setup_seconds'] / fit_seconds:.2%}.")


if __name__ == "__main__":
    main()
