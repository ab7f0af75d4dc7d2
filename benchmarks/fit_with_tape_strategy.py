"""fit_with_tape under a one-replica MirroredStrategy against fit_with_tape without one.

    python -m benchmarks.fit_with_tape_strategy             # about a minute on 2 cores
    python -m benchmarks.fit_with_tape_strategy --rounds 3  # shorter, noisier

Target: an epoch under ``MirroredStrategy(["/cpu:0"])`` within 1.10x of the same epoch
without a strategy. One replica does the same arithmetic as no strategy; what the ratio
measures is what the strategy adds around it: the distributed dataset, ``strategy.run``,
the all-reduce of the global batch size and of the gradients (over one replica), and
reading the running means across replicas.

For scale, the same comparison is made for Keras' own ``model.fit``: what the strategy
costs ``fit`` on this machine is the floor that a loop under a strategy can reach.

How it is measured: as in ``benchmarks/fit_with_tape.py``. An epoch clock callback
timestamps every epoch, each call runs a few epochs, the first epoch of every call is
dropped (it may trace), and the two candidates alternate call by call; the ratio is
taken of the medians.
"""

import statistics

from custom import quiet_import

quiet_import.import_tensorflow_quietly()

import tensorflow as tf  # noqa: E402

from benchmarks import _hooks, _timing  # noqa: E402
from benchmarks.fit_with_tape import make_data  # noqa: E402
from benchmarks.fit_with_tape import make_model as make_plain_model  # noqa: E402
from benchmarks.fit_with_tape import parse_arguments  # noqa: E402
from custom import training  # noqa: E402

TARGET = 1.10


def make_model(strategy):
    """The 20-64-64-1 network of benchmarks/fit_with_tape.py, built in ``strategy``'s scope."""
    if strategy is None:
        return make_plain_model(0)
    with strategy.scope():
        return make_plain_model(0)


def epoch_seconds(model, strategy, data, epochs, loop="fit_with_tape"):
    """Run ``epochs`` epochs of ``loop``; the wall-clock and the CPU seconds of each epoch
    after the first.

    ``model.fit`` takes the strategy from the scope the model was built in.
    """
    clock = _hooks.EpochClock()
    x, y, validation = data
    arguments = dict(batch_size=32, epochs=epochs, verbose=0, callbacks=[clock],
                     validation_data=validation)
    if loop == "model.fit":
        model.fit(x, y, **arguments)
    else:
        training.fit_with_tape(model, x, y, strategy=strategy, **arguments)
    return clock.seconds[1:], clock.cpu_seconds[1:]


def measure(rounds=5, epochs=4, samples=2048):
    """Per-epoch seconds without a strategy and under a one-replica MirroredStrategy.

    Returns:
        dict with "rows": [(label, seconds without, seconds with)] for fit_with_tape,
        "cpu_rows": the same in process CPU seconds, "reference": the wall-clock row for
        model.fit (train only), and "epoch_ms": the median milliseconds per epoch of each
        fit_with_tape row.
    """
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    x, y, validation = make_data(samples)
    rows, cpu_rows = [], []
    for label, data, loop in (("epoch, train only", (x, y, None), "fit_with_tape"),
                              ("epoch + validation", (x, y, validation), "fit_with_tape"),
                              ("model.fit epoch, train only", (x, y, None), "model.fit")):
        plain, mirrored = make_model(None), make_model(strategy)
        epoch_seconds(plain, None, data, 2, loop)         # Warm-up: trace each step once.
        epoch_seconds(mirrored, strategy, data, 2, loop)
        without, under, cpu_without, cpu_under = [], [], [], []
        for _ in range(rounds):
            wall, cpu = epoch_seconds(plain, None, data, epochs, loop)
            without, cpu_without = without + wall, cpu_without + cpu
            wall, cpu = epoch_seconds(mirrored, strategy, data, epochs, loop)
            under, cpu_under = under + wall, cpu_under + cpu
        rows.append((label, without, under))
        cpu_rows.append((label, cpu_without, cpu_under))
    reference = rows.pop()
    cpu_rows.pop()
    return {"rows": rows, "cpu_rows": cpu_rows, "reference": reference,
            "epoch_ms": {label: (1000 * statistics.median(without),
                                 1000 * statistics.median(under))
                         for label, without, under in rows}}


def main(argv=None):
    arguments = parse_arguments(argv, __doc__.splitlines()[0], "candidate")
    result = measure(arguments.rounds, arguments.epochs, arguments.samples)
    print(_timing.ratio_table([(f"one-replica / none: {label}", without, under)
                               for label, without, under in result["rows"]], TARGET))
    print("\nThe same in process CPU time:")
    print(_timing.ratio_table([(f"one-replica / none: {label}", without, under)
                               for label, without, under in result["cpu_rows"]], TARGET))
    label, without, under = result["reference"]
    print(f"\nFor scale, {label} under the same strategy / without: "
          f"{statistics.median(under) / statistics.median(without):.2f}")
    print("median ms per epoch (without; under the strategy): " + "; ".join(
        f"{label} {plain:.1f}, {mirrored:.1f}"
        for label, (plain, mirrored) in result["epoch_ms"].items()))


if __name__ == "__main__":
    main()
