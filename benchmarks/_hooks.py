"""Callbacks the benchmarks time with: the seconds inside a callback's hooks, and each epoch's.

Importing this module imports Keras; the benchmarks import TensorFlow quietly first.
"""

import time

import keras


def timed(callback_class):
    """A subclass of ``callback_class`` that adds up the seconds spent in its own hooks.

    After a fit, ``spent`` is the seconds inside its on_train_begin, every on_epoch_end
    and on_train_end (every fixed cost of the callback included), and ``epoch_costs``
    holds the seconds of each on_epoch_end. Both start afresh at each on_train_begin.
    """

    class Timed(callback_class):
        def on_train_begin(self, logs=None):
            self.spent, self.epoch_costs = 0.0, []
            started = time.perf_counter()
            super().on_train_begin(logs)
            self.spent += time.perf_counter() - started

        def on_epoch_end(self, epoch, logs=None):
            started = time.perf_counter()
            super().on_epoch_end(epoch, logs)
            self.epoch_costs.append(time.perf_counter() - started)
            self.spent += self.epoch_costs[-1]

        def on_train_end(self, logs=None):
            started = time.perf_counter()
            super().on_train_end(logs)
            self.spent += time.perf_counter() - started

    Timed.__name__ = Timed.__qualname__ = f"Timed{callback_class.__name__}"
    return Timed


class EpochClock(keras.callbacks.Callback):
    """Records the wall-clock seconds of every epoch, from on_epoch_begin to on_epoch_end
    (validation included), and the process's CPU seconds over the same span (every
    thread's: TensorFlow's included), which other jobs on a shared machine do not add to."""

    def __init__(self):
        super().__init__()
        self.seconds = []
        self.cpu_seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        wall, cpu = self._started
        self.seconds.append(time.perf_counter() - wall)
        self.cpu_seconds.append(time.process_time() - cpu)
