"""Checks of the early_stopping task (Learning Algorithms, exercise 5), against Keras' own.

The student's ``EarlyStopping`` and ``keras.callbacks.EarlyStopping`` are driven by the
same scripted metrics, by hand (``on_epoch_end(epoch, logs)`` over a list). Before each
epoch the model's one weight is set to the epoch's number, so the weight left after
``on_train_end`` names the epoch it came from. Compared: where training stopped,
``stopped_epoch``, ``best_epoch``, that weight. Exact.
"""

import numpy as np

from assignments import checking, lazy

# Imported when a check first runs, so that the task table loads without them (lazy.py).
keras = lazy.module("keras")

EXACT = checking.Tolerance(rtol=0.0, atol=0.0)

def stopping_case(values, external_stop=None, **arguments):
    """One scripted run: the monitored values, the callback's arguments, and the epoch at
    which another callback stops training (None: nobody else does)."""
    return (tuple(float(value) for value in values), tuple(sorted(arguments.items())),
            external_stop)


# What a scripted run gives, in this order.
STOPPING_RESULTS = ("training stopped at epoch (−1: never)", "stopped_epoch", "best_epoch",
                    "the weight left after on_train_end (its epoch's number)")


class StubModel:
    """The part of a Keras model that an early-stopping callback touches: one weight and
    ``stop_training``. The weight is set to the epoch's number before each epoch ends."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros((1, 1))]

    def get_weights(self):
        return [weight.copy() for weight in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(weight, dtype=float) for weight in weights]


def drive(callback, case):
    """Run the hooks as ``model.fit`` would on the case's values; return the named results."""
    values, arguments, external_stop = case
    monitor = dict(arguments).get("monitor", "val_loss")
    model = StubModel()
    callback.set_model(model)
    callback.on_train_begin()
    stopped_at = -1
    for epoch, value in enumerate(values):
        model.set_weights([np.full((1, 1), float(epoch))])   # The weight names its epoch.
        callback.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
        if epoch == external_stop:
            model.stop_training = True   # Another callback asks to stop.
        if model.stop_training:
            stopped_at = epoch
            break
    callback.on_train_end()
    return dict(zip(STOPPING_RESULTS, (stopped_at, callback.stopped_epoch, callback.best_epoch,
                                       float(model.get_weights()[0][0, 0]))))


def describe_stopping_case(case):
    values, arguments, external_stop = case
    text = (f"values {', '.join(f'{value:g}' for value in values)} with "
            f"{', '.join(f'{name}={value!r}' for name, value in arguments)}")
    if external_stop is not None:
        text += f"; another callback stops training at epoch {external_stop}"
    return text


def random_stopping_cases(count, seed):
    """Scripted runs with random falls, plateaus and bumps on a grid of eighths (exact in
    binary), and random arguments: the hidden checks' inputs."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        length = int(rng.integers(3, 20))
        values = 2.0 + np.cumsum(rng.choice([-2, -1, -1, 0, 0, 1, 2], size=length) / 8)
        mode = str(rng.choice(["min", "max", "auto"]))
        if mode == "max":
            values = values[::-1]
        arguments = dict(mode=mode, patience=int(rng.integers(0, 5)),
                         min_delta=float(rng.choice([0, 0, 0.125, 0.25])),
                         start_from_epoch=int(rng.choice([0, 0, 1, 3])),
                         restore_best_weights=bool(rng.random() < 0.7))
        if rng.random() < 0.3:
            arguments["baseline"] = float(rng.choice([1.5, 2.0, 2.5]))
        external_stop = int(rng.integers(length)) if rng.random() < 0.15 else None
        cases.append(stopping_case(values, external_stop, **arguments))
    return tuple(cases)


def produced(subject, part, cases):
    """The student's callback driven through every case."""
    return checking.stack_cases([drive(subject(**dict(case[1])), case) for case in cases])


def expected(part, cases):
    """``keras.callbacks.EarlyStopping`` driven through the same cases."""
    return checking.Expectation(
        checking.stack_cases([drive(keras.callbacks.EarlyStopping(**dict(case[1])), case)
                              for case in cases]),
        "keras.callbacks.EarlyStopping", EXACT, [describe_stopping_case(case) for case in cases])
