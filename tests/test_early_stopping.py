"""callbacks.EarlyStopping against keras.callbacks.EarlyStopping, driven by scripted metrics.

The hooks are called by hand, as model.fit calls them, on two identical small models.
Before each epoch's on_epoch_end the models' kernels are set to the epoch number, so
the weights that end up restored name the epoch they came from.
"""

import itertools
import math
import warnings

import keras
import numpy as np
import pytest

import callbacks
from custom import model_state, training

N_SEQUENCES = 300  # Random scripted runs compared with Keras.


def stub_model():
    """Dense(1) on one input, compiled with accuracy so that "auto" can find its direction."""
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.evaluate(np.zeros((2, 1)), np.zeros((2, 1)), verbose=0)  # Builds the metrics.
    return model


@pytest.fixture(scope="module")
def models():
    return stub_model(), stub_model()


def drive(callback, model, values, monitor="val_loss", stop_externally_at=None):
    """Run on_train_begin, on_epoch_end per value, on_train_end; return (stop epoch, restored)."""
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    stopped = None
    for epoch, value in enumerate(values):
        model.set_weights([np.full((1, 1), float(epoch)), np.zeros(1)])  # Kernel = epoch.
        callback.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
        if epoch == stop_externally_at:
            model.stop_training = True  # Another callback asks to stop.
        if model.stop_training:
            stopped = epoch
            break
    callback.on_train_end()
    return stopped, float(model.get_weights()[0][0, 0])


def random_case(rng):
    """A random sequence on a grid of eighths (exact in float32 and float64), and arguments."""
    length = int(rng.integers(2, 25))
    steps = rng.choice([-2, -1, -1, 0, 0, 1, 2], size=length) / 8  # Falls, plateaus, bumps.
    values = 2.0 + np.cumsum(steps)
    monitor, mode = [("val_loss", "auto"), ("val_loss", "min"), ("val_accuracy", "auto"),
                     ("val_accuracy", "max"), ("val_loss", "max")][rng.integers(5)]
    if monitor == "val_accuracy":
        values = values[::-1].copy()
    start_from_epoch = int(rng.choice([0, 0, 1, 3]))
    nan_at = rng.integers(length) if rng.random() < 0.3 else None
    if nan_at is not None and nan_at != min(start_from_epoch, length - 1):
        values[nan_at] = math.nan  # A NaN anywhere but the first monitored epoch.
    arguments = dict(monitor=monitor, mode=mode, patience=int(rng.integers(0, 5)),
                     min_delta=float(rng.choice([0, 0, 0.125, 0.25])),
                     baseline=None if rng.random() < 0.6 else float(rng.choice([1.5, 2.0, 2.5])),
                     start_from_epoch=start_from_epoch,
                     restore_best_weights=bool(rng.random() < 0.7))
    stop_externally_at = int(rng.integers(length)) if rng.random() < 0.15 else None
    return values.tolist(), arguments, stop_externally_at


@pytest.mark.slow
def test_random_sequences_stop_and_restore_like_keras(models):
    ours_model, keras_model = models
    rng = np.random.default_rng(0)
    stops = set()
    for case in range(N_SEQUENCES):
        values, arguments, external = random_case(rng)
        ours = callbacks.EarlyStopping(**arguments)
        theirs = keras.callbacks.EarlyStopping(**arguments)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            our_result = drive(ours, ours_model, values, arguments["monitor"], external)
            their_result = drive(theirs, keras_model, values, arguments["monitor"], external)
        context = f"case {case}: {values} {arguments} external stop {external}"
        assert our_result == their_result, context
        assert (ours.stopped_epoch, ours.best_epoch, ours.wait) == (
            theirs.stopped_epoch, theirs.best_epoch, theirs.wait), context
        assert (ours.best is None) == (theirs.best is None), context
        if ours.best is not None:
            assert ours.best == float(theirs.best), context
        for mine, keras_weight in zip(ours_model.get_weights(), keras_model.get_weights()):
            np.testing.assert_array_equal(mine, keras_weight, err_msg=context)
        stops.add(our_result[0])
    assert None in stops and len(stops) > 5  # The cases did exercise stopping and not stopping.


@pytest.mark.parametrize("values, arguments, expected", [
    # Patience 2 on a plateau: stop at the 2nd epoch without improvement, restore epoch 1.
    ([3.0, 2.0, 2.0, 2.0, 1.0], dict(patience=2, restore_best_weights=True), (3, 1.0)),
    # min_delta 0.5: 1.75 is not 0.5 better than 2.0, so it does not count.
    ([2.0, 1.75, 1.6, 1.0], dict(patience=2, min_delta=0.5, restore_best_weights=True), (2, 0.0)),
    # Max mode: the accuracy peaks at epoch 2.
    ([0.5, 0.7, 0.9, 0.8, 0.85], dict(mode="max", patience=2, restore_best_weights=True),
     (4, 2.0)),
    # Warm-up: the first 3 epochs are not watched at all.
    # (Without restore_best_weights the model keeps the last epoch's weights.)
    ([1.0, 5.0, 6.0, 7.0, 8.0, 9.0], dict(patience=1, start_from_epoch=3), (4, 4.0)),
    # Baseline 1.0 never beaten: stop after `patience` epochs, restore the best of them.
    ([3.0, 2.0, 2.5, 2.2], dict(patience=3, baseline=1.0, restore_best_weights=True), (2, 1.0)),
])
def test_worked_examples(models, values, arguments, expected):
    assert drive(callbacks.EarlyStopping(**arguments), models[0], values) == expected


def test_restores_when_another_callback_stops_training(models):
    stopper = callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    stopped, restored = drive(stopper, models[0], [2.0, 1.0, 1.5, 1.7], stop_externally_at=2)
    assert (stopped, restored, stopper.stopped_epoch) == (2, 1.0, 0)


def test_one_instance_reused_across_runs_starts_fresh(models):
    stopper = callbacks.EarlyStopping(patience=1, restore_best_weights=True)
    assert drive(stopper, models[0], [1.0, 2.0, 3.0]) == (1, 0.0)
    # A stale best of 1.0 would stop this second run at epoch 1 and restore nothing better.
    assert drive(stopper, models[0], [5.0, 4.0, 3.0, 2.0]) == (None, 3.0)
    assert stopper.best == 2.0 and stopper.stopped_epoch == 0


def test_nan_never_improves_even_as_the_first_value(models):
    # Keras 3.15 takes a first NaN as the best, and then nothing improves on it:
    stopped_keras, _ = drive(keras.callbacks.EarlyStopping(patience=2), models[1],
                             [math.nan, 3.0, 2.0, 1.0, 0.5])
    assert stopped_keras == 2
    # Ours ignores the NaN, and the falling loss keeps training going.
    stopper = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    assert drive(stopper, models[0], [math.nan, 3.0, 2.0, 1.0, 0.5]) == (None, 4.0)
    assert drive(stopper, models[0], [1.0, math.nan, math.nan, 0.5]) == (2, 0.0)


def test_missing_metric_warns_with_the_available_keys(models):
    # With a direction given, a missing metric only warns, as in Keras.
    stopper = callbacks.EarlyStopping(monitor="val_los", mode="min")
    stopper.set_model(models[0])
    models[0].stop_training = False
    stopper.on_train_begin()
    expected = "'val_los'.*Available keys: learning_rate, loss, val_loss"
    with pytest.warns(UserWarning, match=expected):
        stopper.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.0})
    assert models[0].stop_training is False


def test_missing_metric_in_auto_mode_raises_with_the_available_keys(models):
    stopper = callbacks.EarlyStopping(monitor="val_los")
    stopper.set_model(models[0])
    stopper.on_train_begin()
    expected = ("EarlyStopping cannot tell whether 'val_los' should be minimized or maximized: "
                "it is not in the logs (available keys: learning_rate, loss, val_loss); check "
                "the name, or pass mode='min' or mode='max'")
    with pytest.raises(ValueError) as error:
        stopper.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.0})
    assert str(error.value) == expected


def test_auto_mode_that_cannot_be_resolved_raises(models):
    stopper = callbacks.EarlyStopping(monitor="val_mystery")
    stopper.set_model(models[0])
    stopper.on_train_begin()
    with pytest.raises(ValueError, match="cannot tell whether 'val_mystery'"):
        stopper.on_epoch_end(0, {"val_mystery": 1.0})


@pytest.mark.parametrize("arguments, message", [
    (dict(patience=-1), "patience must be an integer >= 0, got -1"),
    (dict(patience=1.5), "patience must be an integer >= 0, got 1.5"),
    (dict(min_delta=-0.1), "min_delta must be a finite number >= 0.0, got -0.1"),
    (dict(min_delta=math.nan), "min_delta must be a finite number >= 0.0, got nan"),
    (dict(start_from_epoch=-2), "start_from_epoch must be an integer >= 0, got -2"),
    (dict(baseline="low"), "baseline must be a finite number, got 'low'"),
    (dict(mode="minimum"), "mode must be one of auto, min, max, got 'minimum'"),
    (dict(monitor=""), "monitor must be the name of a logged metric, got ''"),
])
def test_out_of_range_arguments_raise_value_error(arguments, message):
    with pytest.raises(ValueError) as error:
        callbacks.EarlyStopping(**arguments)
    assert str(error.value) == message


def test_same_constructor_arguments_as_keras():
    import inspect

    ours = inspect.signature(callbacks.EarlyStopping.__init__).parameters
    theirs = inspect.signature(keras.callbacks.EarlyStopping.__init__).parameters
    assert list(ours) == list(theirs)
    for name in theirs:
        assert ours[name].default == theirs[name].default, name


def test_learning_rate_reaches_history_under_fit_with_tape():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 2))
    history = training.fit_with_tape(model, x, x[:, :1], epochs=2, verbose=0,
                                     callbacks=[callbacks.EarlyStopping(monitor="loss")])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.05])


@pytest.mark.slow
def test_stop_epoch_is_the_same_under_fit_and_fit_with_tape():
    """A real run whose val loss stops falling: every loop and callback pair stops alike."""
    lengths = []
    rng = np.random.default_rng(1)
    x, x_val = rng.normal(size=(64, 2)), rng.normal(size=(16, 2))
    y, y_val = x.sum(axis=1, keepdims=True), rng.normal(size=(16, 1))  # val is pure noise.
    models, starts = {}, {}   # loop → its model, and that model's start
    for loop, implementation in itertools.product(("fit", "tape"), ("keras", "custom")):
        # One compiled model per loop, put back to its start (weights and SGD's state)
        # before each callback's run, so that the loop traces its steps once.
        if loop not in models:
            keras.utils.set_random_seed(0)
            models[loop] = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
            models[loop].compile(optimizer=keras.optimizers.SGD(0.3), loss="mse")
            starts[loop] = model_state.snapshot(models[loop])
        model = models[loop]
        model_state.restore(model, starts[loop])
        module = keras.callbacks if implementation == "keras" else callbacks
        stopper = module.EarlyStopping(patience=2, restore_best_weights=True)
        arguments = dict(epochs=30, batch_size=16, shuffle=False, verbose=0,
                         validation_data=(x_val, y_val), callbacks=[stopper])
        if loop == "fit":
            history = model.fit(x, y, **arguments)
        else:
            history = training.fit_with_tape(model, x, y, **arguments)
        lengths.append((len(history.history["loss"]), stopper.best_epoch,
                        round(float(model.get_weights()[0][0, 0]), 5)))
    assert len(set(lengths)) == 1, lengths
    assert lengths[0][0] < 30
