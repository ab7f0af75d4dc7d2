"""The data_parallel lab's training function, its two-CPU runs and its two worker processes.

``train`` is the one training function of the lab: it builds the network inside a
strategy's scope and trains it with ``custom.training.fit_with_tape(strategy=...)``.
The lab calls it with no strategy, with ``MirroredStrategy`` over two logical CPUs, and,
through ``multi_worker``, in two processes under ``MultiWorkerMirroredStrategy``.

Two logical CPUs must be configured before TensorFlow initialises its devices, which in
a notebook, or after another lab in the same process, has usually happened already;
``mirrored_runs`` then runs in a fresh process (``python -m labs.helpers.data_parallel
mirrored CONFIG``). ``python -m labs data_parallel`` starts TensorFlow with the two devices
already (``catalog.LOGICAL_CPUS``), and so do the test workers (tests/conftest.py), so that
a class's run and the suite's need no second process.
"""

import functools
import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

import datasets
from custom import training
from labs import REPO
from labs.machinery import twins

WORKERS = 2                 # Processes in the multi-worker run, one replica each.
WORKER_TIMEOUT = 120        # Seconds before the worker processes are killed.


class SummedOverReplicas(keras.losses.Loss):
    """Binary cross-entropy × R: as if each replica divided by its share (B/R), not by B."""

    def __init__(self, replicas):
        super().__init__(name="summed_over_replicas")
        self.replicas = replicas

    def call(self, y_true, y_pred):
        return self.replicas * keras.losses.binary_crossentropy(y_true, y_pred)


def configure_two_cpus():
    """Split the CPU into two logical devices if TensorFlow has not started them yet; True when
    the process has two logical CPUs (split now, or when TensorFlow started), False when
    TensorFlow started with one."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    except RuntimeError:                    # "Virtual devices cannot be modified after …"
        pass
    return len(tf.config.list_logical_devices("CPU")) >= 2


@functools.cache
def two_cpu_strategy():
    """The MirroredStrategy over /cpu:0 and /cpu:1: one per process, made on first use.

    Every MirroredStrategy numbers its all-reduces from the same keys, so a second one over
    the same two devices would reuse the first one's; at the first all-reduce whose shape
    differs, TensorFlow stops every collective op of the process ("Shape mismatch in the
    collective instance"). The lab's two-replica runs, and the tests' in the same process,
    all use this one.
    """
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def data(config):
    """Two moons, standardized: x (samples, 2) float32, y (samples, 1) float32."""
    x, y = datasets.load("two_moons", n_samples=config["samples"], noise=config["noise"],
                         seed=config["seed"])
    x = datasets.Standardizer().fit(x).transform(x)
    return x.astype("float32"), y.reshape(-1, 1).astype("float32")


def train(config, strategy=None, global_batch=None, learning_rate=None, summed=False,
          callbacks=None):
    """Train the lab's network; return its weights and its loss after every epoch.

    Args:
        config: the lab's hyperparameters (samples, noise, seed, hidden_units, epochs,
            optimizer, …).
        strategy: a tf.distribute strategy, or None for one device.
        global_batch: samples per step over all replicas. Default config["global_batch"].
        learning_rate: the optimizer's rate. Default config["learning_rate"].
        summed: make each replica average over its own share instead of the global
            batch, so that the all-reduce sums R averages: R times the gradient.
        callbacks: passed to fit_with_tape (the lab's ``lab.fit_callbacks(...)``).
    """
    x, y = data(config)
    keras.utils.set_random_seed(config["seed"])   # The same starting weights every time.
    scope = strategy.scope() if strategy is not None else tf.distribute.get_strategy().scope()
    replicas = strategy.num_replicas_in_sync if strategy is not None else 1
    with scope:                                   # Variables created here are mirrored.
        model = keras.Sequential([
            keras.Input(shape=(2,)),
            keras.layers.Dense(config["hidden_units"], activation="tanh"),
            keras.layers.Dense(1, activation="sigmoid")])
        loss = SummedOverReplicas(replicas) if summed else keras.losses.BinaryCrossentropy()
        model.compile(optimizer=twins.optimizer(
            config["optimizer"], learning_rate=learning_rate or config["learning_rate"]),
            loss=loss)
    batch_size = global_batch or config["global_batch"]
    history = training.fit_with_tape(model, x, y, batch_size=batch_size, epochs=config["epochs"],
                                     shuffle=False, verbose=0, callbacks=callbacks,
                                     strategy=strategy)
    return {"weights": [weight.tolist() for weight in model.get_weights()],
            "losses": history.history["loss"]}


def largest_gap(first, second):
    """max |w₁ − w₂| over every weight of two runs."""
    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
               for a, b in zip(first["weights"], second["weights"], strict=True))


def mirrored_runs(config, callbacks_for=None):
    """The runs under MirroredStrategy over two logical CPUs, by name.

    ``callbacks_for(name)`` gives each run's callbacks (the lab's ``lab.fit_callbacks``).
    """
    two = two_cpu_strategy()
    large = 2 * config["global_batch"]
    settings = {"two_replicas": {},
                "two_replicas_summed": {"summed": True},
                "large_batch_same_rate": {"global_batch": large},
                "large_batch_scaled_rate": {"global_batch": large,
                                            "learning_rate": 2 * config["learning_rate"]}}
    return {name: train(config, two, callbacks=callbacks_for(name) if callbacks_for else None,
                        **setting)
            for name, setting in settings.items()}


def mirrored_runs_in_subprocess(config):
    """``mirrored_runs`` in a fresh Python process, whose TensorFlow has not started yet."""
    finished = subprocess.run([sys.executable, "-m", "labs.helpers.data_parallel", "mirrored",
                               json.dumps(config)], capture_output=True, text=True,
                              timeout=WORKER_TIMEOUT, cwd=REPO, env=_environment())
    if finished.returncode != 0:
        raise RuntimeError("the two-CPU runs failed in their process: "
                           + finished.stderr.strip().splitlines()[-1])
    return json.loads(finished.stdout.strip().splitlines()[-1])


def free_ports(count):
    """``count`` TCP ports on 127.0.0.1 that nothing listens on right now."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [each.getsockname()[1] for each in sockets]
    finally:
        for each in sockets:
            each.close()


def tf_config(ports, index):
    """The TF_CONFIG of worker ``index``: every worker's address, and which one it is."""
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
                       "task": {"type": "worker", "index": index}})


def multi_worker(config, timeout=WORKER_TIMEOUT):
    """Run ``train`` in WORKERS processes under MultiWorkerMirroredStrategy; their results.

    Each worker gets its own TF_CONFIG (ports on 127.0.0.1, chosen now); both are killed
    if they have not finished after ``timeout`` seconds, and whatever happens.
    """
    ports = free_ports(WORKERS)
    workers = []
    try:
        for index in range(WORKERS):
            environment = _environment(TF_CONFIG=tf_config(ports, index))
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "labs.helpers.data_parallel", "worker", json.dumps(config)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                env=environment))
        results = []
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=timeout)
            if worker.returncode != 0:
                last = (stderr.strip().splitlines() or ["(no output)"])[-1]
                raise RuntimeError(f"a worker process failed (status {worker.returncode}): {last}")
            results.append(json.loads(stdout.strip().splitlines()[-1]))
        return results
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.wait()


def _environment(**extra):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **extra)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    environment.pop("LABS_TENSORBOARD", None)
    return environment


def _main(mode, config):
    if mode == "mirrored":
        if not configure_two_cpus():
            raise RuntimeError("could not create two logical CPU devices")
        print(json.dumps(mirrored_runs(config)))
    elif mode == "worker":
        # Reads TF_CONFIG; every worker builds and trains the same network in step.
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        result = train(config, strategy)
        result["replicas"] = strategy.num_replicas_in_sync
        print(json.dumps(result))
    else:
        raise ValueError(f"mode must be 'mirrored' or 'worker', got {mode!r}")


if __name__ == "__main__":
    _main(sys.argv[1], json.loads(sys.argv[2]))
