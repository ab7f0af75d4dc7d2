"""Train with fit_with_tape on one device and under MirroredStrategy; print what they give.

Run by tests/test_training_distributed.py in a subprocess, because the two logical CPU
devices must be configured before TensorFlow initialises its runtime, and the test
process has already initialised it. Prints one JSON object.
"""

import io
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import keras  # noqa: E402
import numpy as np  # noqa: E402

import callbacks  # noqa: E402
import custom.optimizers  # noqa: E402
from custom import distributed, training  # noqa: E402

SAMPLES, BATCH, EPOCHS = 96, 32, 4   # 3 global batches of 32: 16 per replica.


def data(samples=SAMPLES):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 5)).astype(np.float32)  # (samples, features)
    y = (x @ rng.normal(size=(5, 1)) > 0).astype(np.float32)  # (samples, 1)
    return x, y


def train(strategy, optimizer, fit=False, samples=SAMPLES):
    """Weights, History and the epochs each callback saw, after EPOCHS of the same run."""
    x, y = data(samples)
    keras.utils.set_random_seed(3)
    scope = strategy.scope() if strategy is not None else tf.distribute.get_strategy().scope()
    with scope:
        model = keras.Sequential([
            keras.Input(shape=(5,)),
            keras.layers.Dense(8, activation="tanh",
                               kernel_regularizer=keras.regularizers.L2(1e-3)),
            keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=custom.optimizers.get(optimizer, learning_rate=0.05),
                      loss="binary_crossentropy", metrics=["accuracy"])
    stopping = callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=10.0)
    reduce = callbacks.ReduceLROnPlateau(monitor="val_loss", patience=1, factor=0.5,
                                         min_delta=10.0)
    log = os.path.join(sys.argv[1], f"{optimizer}_{strategy is not None}.csv")
    logger = callbacks.DiagnosticsLogger(log, verbose=False, gradients=True,
                                         probe=(x[:32], y[:32]))
    lines = io.StringIO()
    live = callbacks.LivePlot(mode="terminal", stream=lines)
    arguments = dict(batch_size=BATCH, epochs=EPOCHS, validation_data=(x[:32], y[:32]),
                     shuffle=False, verbose=0, callbacks=[stopping, reduce, logger, live])
    history = training.fit_with_tape(model, x, y, strategy=strategy, **arguments)
    return {"weights": [w.tolist() for w in model.get_weights()],
            "history": history.history,
            "epochs_run": len(history.history["loss"]),
            "stopped_epoch": stopping.stopped_epoch,
            "learning_rate": float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)),
            # The logger's columns in order (layer names differ between the models).
            "logged": [logger.history[name] for name in sorted(logger.history)],
            "diagnosis": logger.diagnosis.label,
            "live_lines": lines.getvalue().splitlines(),
            "iterations": int(model.optimizer.iterations.numpy())}


mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
one_replica = tf.distribute.MirroredStrategy(["/cpu:0"])
results = {"replicas": mirrored.num_replicas_in_sync, "runs": {}}
for name in ("sgd", "adam"):
    results["runs"][name] = {"one_device": train(None, name),
                             "two_replicas": train(mirrored, name),
                             "one_replica": train(one_replica, name)}


def refusal(**arguments):
    """The one-line message fit_with_tape stops with for a batch two replicas cannot split."""
    x, y = data()
    with mirrored.scope():
        model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
    try:
        if "dataset_batch" in arguments:
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(arguments["dataset_batch"])
            training.fit_with_tape(model, dataset, verbose=0, strategy=mirrored)
        else:
            training.fit_with_tape(model, x, y, verbose=0, strategy=mirrored, **arguments)
    except ValueError as error:
        return str(error)
    return None


# 91 samples: the last global batch of 27 splits 14 + 13 over the two replicas.
results["uneven"] = {"one_device": train(None, "sgd", samples=91),
                     "two_replicas": train(mirrored, "sgd", samples=91)}
shares, size = distributed.shares(iter(tf.data.Dataset.range(7).batch(7).repeat()), mirrored)
results["shares_of_7"] = {"rows": [t.numpy().tolist() for t in
                                   mirrored.experimental_local_results(shares)],
                          "global_batch": int(size)}
results["refusals"] = {"arrays": refusal(batch_size=33), "dataset": refusal(dataset_batch=33)}
print(json.dumps(results))
