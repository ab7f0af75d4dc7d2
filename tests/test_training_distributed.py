"""fit_with_tape under a tf.distribute strategy trains as on one device.

Two replicas need two logical CPU devices, which TensorFlow lets a process configure only
before it initialises its runtime; the test process starts TensorFlow with two
(tests/conftest.py), so the two-replica runs happen here, made once for the module
(``mirrored_report``). A one-replica ``MirroredStrategy`` and the refusals run here too.
"""

import io

import keras
import numpy as np
import pytest
import tensorflow as tf

import callbacks
import custom.optimizers
from custom import distributed, training
from labs.helpers import data_parallel

# Two replicas add two half-batch gradients where one device sums the whole batch in one
# order: float32 rounding, a few units in the 7th digit, after a dozen steps.
TOLERANCE = 1e-6
SAMPLES, BATCH, EPOCHS = 96, 32, 4   # 3 global batches of 32: 16 per replica.


def largest_gap(first, second):
    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
               for a, b in zip(first, second, strict=True))


def data(samples=SAMPLES):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(samples, 5)).astype(np.float32)  # (samples, features)
    y = (x @ rng.normal(size=(5, 1)) > 0).astype(np.float32)  # (samples, 1)
    return x, y


def train(strategy, optimizer, folder, samples=SAMPLES):
    """Weights, History and what each callback saw, after EPOCHS of the same run (the
    DiagnosticsLogger's file goes to ``folder``)."""
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
    replicas = strategy.num_replicas_in_sync if strategy is not None else 0
    logger = callbacks.DiagnosticsLogger(folder / f"{optimizer}_{samples}_{replicas}.csv",
                                         verbose=False, gradients=True, probe=(x[:32], y[:32]))
    lines = io.StringIO()
    live = callbacks.LivePlot(mode="terminal", stream=lines)
    arguments = dict(batch_size=BATCH, epochs=EPOCHS, validation_data=(x[:32], y[:32]),
                     shuffle=False, verbose=0, callbacks=[stopping, reduce, logger, live])
    history = training.fit_with_tape(model, x, y, strategy=strategy, **arguments)
    return {"weights": model.get_weights(),
            "history": history.history,
            "epochs_run": len(history.history["loss"]),
            "stopped_epoch": stopping.stopped_epoch,
            "learning_rate": float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)),
            # The logger's columns in order (layer names differ between the models).
            "logged": [logger.history[name] for name in sorted(logger.history)],
            "diagnosis": logger.diagnosis.label,
            "live_lines": lines.getvalue().splitlines(),
            "iterations": int(model.optimizer.iterations.numpy())}


def refusal(mirrored, **arguments):
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


@pytest.fixture(scope="module")
def mirrored_report(tmp_path_factory):
    """Every run the two-replica tests read, made once: one device, two replicas and one
    replica for SGD and Adam, an uneven last batch, the shares of 7 rows, two refusals."""
    folder = tmp_path_factory.mktemp("mirrored")
    assert len(tf.config.list_logical_devices("CPU")) >= 2, "TensorFlow started with one CPU"
    mirrored = data_parallel.two_cpu_strategy()   # The process's one: see its docstring.
    one_replica = tf.distribute.MirroredStrategy(["/cpu:0"])
    report = {"replicas": mirrored.num_replicas_in_sync, "runs": {}}
    for name in ("sgd", "adam"):
        report["runs"][name] = {"one_device": train(None, name, folder),
                                "two_replicas": train(mirrored, name, folder),
                                "one_replica": train(one_replica, name, folder)}
    # 91 samples: the last global batch of 27 splits 14 + 13 over the two replicas.
    report["uneven"] = {"one_device": train(None, "sgd", folder, samples=91),
                        "two_replicas": train(mirrored, "sgd", folder, samples=91)}
    shares, size = distributed.shares(iter(tf.data.Dataset.range(7).batch(7).repeat()), mirrored)
    report["shares_of_7"] = {"rows": [t.numpy().tolist() for t in
                                      mirrored.experimental_local_results(shares)],
                             "global_batch": int(size)}
    report["refusals"] = {"arrays": refusal(mirrored, batch_size=33),
                          "dataset": refusal(mirrored, dataset_batch=33)}
    return report


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("run", ["two_replicas", "one_replica"])
def test_mirrored_training_equals_one_device(mirrored_report, optimizer, run):
    assert mirrored_report["replicas"] == 2
    one_device = mirrored_report["runs"][optimizer]["one_device"]
    distributed = mirrored_report["runs"][optimizer][run]
    assert distributed["iterations"] == one_device["iterations"] > 0
    assert largest_gap(distributed["weights"], one_device["weights"]) <= TOLERANCE
    assert sorted(distributed["history"]) == sorted(one_device["history"])
    for name, values in one_device["history"].items():
        assert np.allclose(distributed["history"][name], values, rtol=0, atol=TOLERANCE), name


@pytest.mark.slow
@pytest.mark.parametrize("run", ["two_replicas", "one_replica"])
def test_callbacks_fire_the_same_under_a_strategy(mirrored_report, run):
    """EarlyStopping stops, ReduceLROnPlateau halves, the logger and LivePlot see each epoch."""
    for optimizer, runs in mirrored_report["runs"].items():
        one_device, distributed = runs["one_device"], runs[run]
        # min_delta=10 makes every epoch after the first count as no improvement.
        assert one_device["stopped_epoch"] == distributed["stopped_epoch"] == 1, optimizer
        assert one_device["epochs_run"] == distributed["epochs_run"] == 2
        assert one_device["learning_rate"] == pytest.approx(0.05 * 0.5)
        assert distributed["learning_rate"] == one_device["learning_rate"]
        assert distributed["diagnosis"] == one_device["diagnosis"]
        assert distributed["live_lines"] == one_device["live_lines"]
        assert len(distributed["live_lines"]) == distributed["epochs_run"]
        assert len(distributed["logged"]) == len(one_device["logged"])
        for theirs, ours in zip(distributed["logged"], one_device["logged"]):
            assert np.allclose(theirs, ours, rtol=1e-5, atol=TOLERANCE, equal_nan=True)


@pytest.mark.slow
def test_a_short_last_batch_splits_unevenly_and_still_equals_one_device(mirrored_report):
    # Replica r of R takes rows ceil(r·n/R) to ceil((r+1)·n/R): 7 rows split 4 + 3.
    assert mirrored_report["shares_of_7"] == {"rows": [[0, 1, 2, 3], [4, 5, 6]],
                                              "global_batch": 7}
    uneven = mirrored_report["uneven"]
    assert uneven["two_replicas"]["iterations"] == uneven["one_device"]["iterations"] > 0
    assert largest_gap(uneven["two_replicas"]["weights"],
                       uneven["one_device"]["weights"]) <= TOLERANCE


@pytest.mark.slow
def test_a_batch_the_replicas_cannot_split_is_refused_in_one_line(mirrored_report):
    refusals = mirrored_report["refusals"]
    for message in refusals.values():
        assert message is not None and "\n" not in message
        assert "33 samples cannot be split evenly over 2 replicas" in message


def model_in(scope):
    keras.utils.set_random_seed(1)
    with scope:
        model = keras.Sequential([keras.Input(shape=(3,)),
                                  keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    return model


def test_a_model_built_outside_the_scope_is_refused_in_one_line():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    model = model_in(tf.distribute.get_strategy().scope())
    x = np.ones((8, 3), dtype="float32")
    with pytest.raises(ValueError, match=r"built outside strategy\.scope\(\)") as raised:
        training.fit_with_tape(model, x, x[:, :1], verbose=0, strategy=strategy)
    assert "\n" not in str(raised.value)


def test_a_strategy_that_is_not_one_is_refused():
    model = model_in(tf.distribute.get_strategy().scope())
    x = np.ones((8, 3), dtype="float32")
    with pytest.raises(ValueError, match="strategy must be a tf.distribute.Strategy"):
        training.fit_with_tape(model, x, x[:, :1], verbose=0, strategy="mirrored")


def test_one_replica_with_a_dataset_and_sample_weights_equals_no_strategy():
    """(batch,) targets, sample weights, validation data and an L2 penalty, on one replica."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")        # (samples, features)
    y = x.sum(axis=1).astype("float32")                   # (samples,)
    weights = rng.uniform(0.5, 1.5, size=40).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((x, y, weights)).batch(8)
    results = {}
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    for name, scope in (("none", tf.distribute.get_strategy().scope()),
                        ("one_replica", strategy.scope())):
        keras.utils.set_random_seed(1)
        with scope:
            model = keras.Sequential([
                keras.Input(shape=(3,)),
                keras.layers.Dense(4, activation="relu",
                                   kernel_regularizer=keras.regularizers.L2(1e-2)),
                keras.layers.Dense(1)])
            model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
        history = training.fit_with_tape(
            model, dataset, epochs=3, validation_data=(x[:16], y[:16]), verbose=0,
            strategy=None if name == "none" else strategy)
        results[name] = (model.get_weights(), history.history)
    (weights_none, history_none), (weights_one, history_one) = results["none"], results["one_replica"]
    assert largest_gap(weights_none, weights_one) <= TOLERANCE
    for key, values in history_none.items():
        assert np.allclose(history_one[key], values, rtol=0, atol=1e-5), key


def test_the_probe_of_the_diagnostics_logger_reads_mirrored_weights(tmp_path):
    """gradients=True measures the same numbers whether the weights are mirrored or not."""
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
    rows = []
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    for scope in (tf.distribute.get_strategy().scope(), strategy.scope()):
        model = model_in(scope)
        logger = callbacks.DiagnosticsLogger(tmp_path / "run.csv", verbose=False,
                                             gradients=True, probe=(x, x[:, :1]))
        logger.set_model(model)
        logger.on_train_begin()
        logger.on_epoch_end(0, {"loss": 1.0})
        rows.append([logger.history[name][0] for name in sorted(logger.history)])
    assert np.allclose(rows[0], rows[1], rtol=1e-6)


def test_a_dataset_of_unknown_length_is_split_batch_by_batch():
    """Without a known number of batches the loop takes the split batches one by one."""
    x = np.linspace(-1, 1, 60, dtype="float32").reshape(20, 3)          # (samples, features)
    dataset = tf.data.Dataset.from_tensor_slices((x, x[:, :1])).filter(
        lambda features, target: True).batch(4)                        # Length unknown.
    assert int(dataset.cardinality()) < 0
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    weights = []
    for scope, chosen in ((tf.distribute.get_strategy().scope(), None),
                          (strategy.scope(), strategy)):
        model = model_in(scope)
        history = training.fit_with_tape(model, dataset, epochs=2, verbose=0, strategy=chosen)
        assert len(history.history["loss"]) == 2
        weights.append(model.get_weights())
    assert largest_gap(*weights) <= TOLERANCE
