"""EarlyStopping and ReduceLROnPlateau pass Keras' own callback tests, and act like Keras'.

Keras ships ``keras/src/callbacks/early_stopping_test.py`` and
``reduce_lr_on_plateau_test.py`` inside the installed package. Each test method runs
here with ``callbacks.EarlyStopping`` and ``callbacks.ReduceLROnPlateau`` replaced by
ours. Below them, the behaviours of Keras' ``monitor_callback_test.py`` (the direction
of loss, accuracy, AUC and F1 in "auto" mode; an unknown monitor) and the rest of the
drop-in promise are checked against Keras' twins given the same logs.
"""

import importlib
import inspect
import logging
import types

import keras
import numpy as np
import pytest
from absl import logging as absl_logging

import _keras_own_tests
import callbacks

MODULES = {"keras.src.callbacks.early_stopping_test": "EarlyStoppingTest",
           "keras.src.callbacks.reduce_lr_on_plateau_test": "ReduceLROnPlateauTest"}

# Keras test → why ours differs on purpose, and where that is tested.
KNOWN_DIFFERENCES = {
    "keras.src.callbacks.reduce_lr_on_plateau_test.ReduceLROnPlateauTest."
    "test_throws_when_optimizer_has_schedule":
        "Keras raises TypeError on a LearningRateSchedule; ours scales the schedule "
        "(tests/test_reduce_lr.py::test_reduces_a_schedule_by_scaling_its_output)",
}
SLOW = {"test_early_stopping"}  # Eight short model.fit runs: about 5 s on 2 cores.

OURS = types.SimpleNamespace(EarlyStopping=callbacks.EarlyStopping,
                             ReduceLROnPlateau=callbacks.ReduceLROnPlateau)
CALLBACK_CLASSES = [(callbacks.EarlyStopping, keras.callbacks.EarlyStopping),
                    (callbacks.ReduceLROnPlateau, keras.callbacks.ReduceLROnPlateau)]


@pytest.mark.parametrize("module_name, test_class, method", [
    pytest.param(*found, marks=[pytest.mark.slow] if found[2] in SLOW else [])
    for found in _keras_own_tests.test_methods(MODULES, KNOWN_DIFFERENCES)],
    ids=_keras_own_tests.test_id)
def test_passes_keras_own_test(monkeypatch, module_name, test_class, method):
    problems = _keras_own_tests.run(monkeypatch, module_name, test_class, method,
                                    {"callbacks": OURS})
    assert not problems, problems[0]


def test_keras_own_test_catches_a_wrong_callback(monkeypatch):
    """The harness can fail: a stopper that waits one epoch too long misses Keras' epochs."""
    class LatePatience(callbacks.EarlyStopping):
        def __init__(self, patience=0, **kwargs):
            super().__init__(patience=patience + 1, **kwargs)

    module_name = "keras.src.callbacks.early_stopping_test"
    problems = _keras_own_tests.run(
        monkeypatch, module_name, importlib.import_module(module_name).EarlyStoppingTest,
        "test_early_stopping_patience", {"callbacks": types.SimpleNamespace(
            EarlyStopping=LatePatience)})
    assert problems and "AssertionError" in problems[0]


# --- The same logs through ours and Keras' twins -------------------------------------------

def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5)).astype("float32")  # (samples, features)
    y = (rng.random((32, 1)) > 0.5).astype("float32")  # (samples, 1)
    return x, y


def compiled_model():
    """A small model compiled with Keras' directional metrics, and its data."""
    keras.utils.set_random_seed(0)
    x, y = data()
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1, "sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(0.1),
                  metrics=["mse", "acc", "accuracy", "hinge", keras.metrics.AUC(name="auc"),
                           keras.metrics.F1Score(name="f1_score", threshold=0.5)])
    return model, x, y


def fit_recording(model, x, y, watchers=()):
    """Two epochs of ``fit`` with ``watchers``; the last epoch's logs."""
    recorded = {}
    recorder = keras.callbacks.LambdaCallback(on_epoch_end=lambda _, logs: recorded.update(logs))
    model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0,
              callbacks=[*watchers, recorder])
    return recorded


@pytest.fixture(scope="module")
def trained():
    """A model trained with Keras' directional metrics, and its last epoch's logs.

    Only Keras' own code runs here, so a student's unfinished callback fails the tests
    that use it, not this fixture.
    """
    model, x, y = compiled_model()
    return model, fit_recording(model, x, y)


def test_f1_score_is_watched_during_fit(trained):
    # Ours watch val_f1_score during a real fit, where they used to crash on its array: two
    # more epochs of the fixture's model, whose fit is traced already.
    model, _ = trained
    x, y = data()
    watchers = [callbacks.EarlyStopping(monitor="val_f1_score", patience=5),
                callbacks.ReduceLROnPlateau(monitor="val_f1_score", patience=5)]
    logs = fit_recording(model, x, y, watchers)
    assert np.shape(logs["val_f1_score"]) == (1,)  # What F1Score logs for one output.
    for watcher in watchers:
        assert watcher.direction == "max" and isinstance(watcher.best, float)
        assert watcher.best >= float(logs["val_f1_score"][0])


def end_first_epoch(callback, model, logs):
    callback.set_model(model)
    callback.on_train_begin()
    callback.on_epoch_end(0, dict(logs))
    return callback


@pytest.mark.parametrize("ours_class, keras_class", CALLBACK_CLASSES)
@pytest.mark.parametrize("mode, monitor, expected", [
    ("max", "val_mse", "max"), ("min", "val_loss", "min"), ("auto", "val_mse", "min"),
    ("auto", "loss", "min"), ("auto", "acc", "max"), ("auto", "val_accuracy", "max"),
    ("auto", "hinge", "min"), ("auto", "auc", "max"), ("auto", "val_auc", "max"),
    ("auto", "f1_score", "max"), ("auto", "val_f1_score", "max")])
def test_auto_direction_matches_keras(trained, ours_class, keras_class, mode, monitor,
                                      expected):
    model, logs = trained
    ours = end_first_epoch(ours_class(monitor=monitor, mode=mode), model, logs)
    theirs = end_first_epoch(keras_class(monitor=monitor, mode=mode), model, logs)
    assert ours.direction == expected
    assert ours.monitor_op is theirs.monitor_op
    assert ours.best == pytest.approx(float(np.ravel(logs[monitor])[0]), abs=0)


def test_min_delta_like_keras_monitor_callback_test():
    """Keras' MonitorCallbackTest.test_min_delta, on our shared base class."""
    monitor = callbacks.MonitorCallback(mode="max", min_delta=0.5)
    monitor.monitored_value({"val_loss": 0.0})  # The first epoch settles the direction.
    assert monitor.direction == "max"
    assert monitor.is_improvement(0.75, 0)
    assert monitor.is_improvement(0.5, None)
    assert not monitor.is_improvement(0.5, 0)
    assert not monitor.is_improvement(0.2, 0.5)


@pytest.mark.parametrize("ours_class, keras_class", CALLBACK_CLASSES)
def test_one_element_arrays_give_keras_decisions(trained, ours_class, keras_class):
    model, _ = trained
    scores = [0.5, 0.625, 0.625, 0.75, 0.75, 0.75, 0.5, 0.5]  # exact in float32
    arguments = dict(monitor="val_f1_score", patience=2, min_delta=0.0)
    if ours_class is callbacks.EarlyStopping:
        arguments["restore_best_weights"] = True
    outcomes = []
    for callback in (ours_class(**arguments), keras_class(**arguments)):
        model.optimizer.learning_rate = 0.1
        model.stop_training = False
        callback.set_model(model)
        callback.on_train_begin()
        for epoch, score in enumerate(scores):
            logs = {"loss": 1.0, "val_f1_score": np.array([score], dtype="float32")}
            callback.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        outcomes.append((epoch, getattr(callback, "stopped_epoch", None),
                         getattr(callback, "best_epoch", None), callback.wait,
                         float(np.ravel(callback.best)[0]),
                         float(np.asarray(model.optimizer.learning_rate))))
    assert outcomes[0] == outcomes[1]


def test_an_array_of_several_values_is_refused_by_name(trained):
    model, logs = trained
    stopper = callbacks.EarlyStopping(monitor="val_f1_score")
    with pytest.raises(ValueError, match="'val_f1_score', which logs 3 values .*average='macro'"):
        end_first_epoch(stopper, model, dict(logs, val_f1_score=np.array([0.1, 0.2, 0.3])))


@pytest.mark.parametrize("ours_class, keras_class", CALLBACK_CLASSES)
def test_unknown_monitor_in_auto_mode_raises_like_keras(trained, ours_class, keras_class):
    model, logs = trained
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        end_first_epoch(keras_class(monitor="val_acuracy"), model, logs)
    with pytest.raises(ValueError) as error:
        end_first_epoch(ours_class(monitor="val_acuracy"), model, logs)
    message = str(error.value)
    assert f"{ours_class.__name__} cannot tell whether 'val_acuracy'" in message
    assert f"available keys: {', '.join(sorted(set(logs) | {'learning_rate'}))})" in message
    assert "\n" not in message


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras' own rate read, under NumPy 2
@pytest.mark.parametrize("ours_class, keras_class", CALLBACK_CLASSES)
def test_unknown_monitor_with_a_mode_warns_every_epoch_like_keras(trained, ours_class,
                                                                    keras_class):
    model, logs = trained
    for callback in (ours_class(monitor="val_acuracy", mode="max", patience=0),
                     keras_class(monitor="val_acuracy", mode="max", patience=0)):
        model.stop_training = False
        callback.set_model(model)
        callback.on_train_begin()
        with pytest.warns(UserWarning, match="val_acuracy") as warned:
            for epoch in range(3):
                callback.on_epoch_end(epoch, dict(logs))
        assert len([w for w in warned if "val_acuracy" in str(w.message)]) == 3
        assert model.stop_training is False and callback.best is None


def test_baseline_in_max_mode_and_restore_best_weights_like_keras(trained):
    """An accuracy that never reaches the baseline: stop after patience, restore its best."""
    model, _ = trained
    accuracies = [0.5, 0.625, 0.75, 0.625, 0.5, 0.5, 0.5]
    arguments = dict(monitor="val_accuracy", baseline=0.875, patience=4,
                     restore_best_weights=True)
    results = []
    for callback in (callbacks.EarlyStopping(**arguments),
                     keras.callbacks.EarlyStopping(**arguments)):
        model.stop_training = False
        callback.set_model(model)
        callback.on_train_begin()
        for epoch, accuracy in enumerate(accuracies):
            model.set_weights([np.full((5, 1), float(epoch)), np.zeros(1)])  # kernel = epoch
            callback.on_epoch_end(epoch, {"loss": 1.0, "val_accuracy": accuracy})
            if model.stop_training:
                break
        callback.on_train_end()
        results.append((callback.stopped_epoch, callback.best_epoch,
                        float(model.get_weights()[0][0, 0])))
    assert results[0] == results[1] == (3, 2, 2.0)


# --- Messages, and constructor configs -----------------------------------------------------

def scripted_messages(callback, model, losses):
    """Drive a verbose callback through ``losses``; the hooks' messages are printed."""
    model.stop_training = False
    model.optimizer.learning_rate = 0.1
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, loss in enumerate(losses):
        callback.on_epoch_end(epoch, {"loss": loss, "val_loss": loss})
        if model.stop_training:
            break
    callback.on_train_end()


@pytest.mark.parametrize("ours_class, keras_class", CALLBACK_CLASSES)
def test_verbose_messages_go_where_keras_sends_them(trained, capsys, caplog, ours_class,
                                                    keras_class):
    model, _ = trained
    losses = [1.0, 2.0, 2.0, 2.0]
    arguments = dict(patience=1, verbose=1)
    if ours_class is callbacks.EarlyStopping:
        arguments["restore_best_weights"] = True
    printed = []
    for callback_class in (ours_class, keras_class):
        scripted_messages(callback_class(**arguments), model, losses)
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1] and printed[0].strip()

    # As Keras' test_verbose_logging does: interactive logging off, absl at INFO.
    verbosity = absl_logging.get_verbosity()
    keras.config.disable_interactive_logging()
    absl_logging.set_verbosity(absl_logging.INFO)
    try:
        with caplog.at_level(logging.INFO):
            scripted_messages(ours_class(**arguments), model, losses)
    finally:
        keras.config.enable_interactive_logging()
        absl_logging.set_verbosity(verbosity)
    assert capsys.readouterr().out == ""
    logged = [record.getMessage() for record in caplog.records]
    assert [line for line in printed[0].splitlines() if line] == \
        [line.strip("\n") for line in logged]


def every_argument(callback_class):
    if callback_class is callbacks.EarlyStopping:
        return dict(monitor="val_accuracy", min_delta=0.01, patience=3, verbose=1, mode="max",
                    baseline=0.6, restore_best_weights=True, start_from_epoch=2)
    return dict(monitor="val_auc", factor=0.5, patience=2, verbose=1, mode="max",
                min_delta=0.001, cooldown=1, min_lr=1e-5)


@pytest.mark.parametrize("ours_class, keras_class", CALLBACK_CLASSES)
def test_config_has_every_keras_argument_and_round_trips(ours_class, keras_class):
    config = ours_class(**every_argument(ours_class)).get_config()
    keras_arguments = set(inspect.signature(keras_class.__init__).parameters) - {"self",
                                                                                 "kwargs"}
    assert set(config) == keras_arguments
    assert config == every_argument(ours_class)
    assert ours_class(**config).get_config() == config
    theirs = keras_class(**config)  # The same config builds Keras' twin, argument for argument.
    for name, value in config.items():
        assert getattr(theirs, name) == value, name
