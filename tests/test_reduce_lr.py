"""callbacks.ReduceLROnPlateau against keras.callbacks.ReduceLROnPlateau, and on schedules.

The differential test calls the hooks by hand, as model.fit calls them, with the same
scripted metrics, and requires the same learning rate after every epoch.
"""

import math
import warnings

import keras
import numpy as np
import pytest

import callbacks
import custom.optimizers
from callbacks import reduce_lr
from custom import training

N_SEQUENCES = 150
START_RATE = 0.1


def stub_model(optimizer=None):
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer or keras.optimizers.SGD(START_RATE), loss="mse")
    return model


@pytest.fixture(scope="module")
def models():
    return stub_model(), stub_model()


def drive(callback, model, values, monitor="val_loss"):
    """on_train_begin, then on_epoch_end per value; the rate after each epoch and the logs."""
    callback.set_model(model)
    callback.on_train_begin()
    rates, logged = [], []
    for epoch, value in enumerate(values):
        logs = {"loss": 1.0, monitor: value}
        callback.on_epoch_end(epoch, logs)
        rates.append(callbacks.current_learning_rate(model.optimizer))
        logged.append(logs["learning_rate"])
    return rates, logged


def random_case(rng):
    """Values on a grid of eighths (exact in float32 and float64), with NaNs, and arguments."""
    length = int(rng.integers(2, 30))
    values = 2.0 + np.cumsum(rng.choice([-2, -1, 0, 0, 0, 1], size=length) / 8)
    if rng.random() < 0.3:
        values[rng.integers(1, length)] = math.nan  # Never the first value; see the NaN test.
    mode = str(rng.choice(["auto", "min", "max"]))
    arguments = dict(mode=mode, factor=float(rng.choice([0.1, 0.5, 0.25])),
                     patience=int(rng.integers(0, 4)), cooldown=int(rng.integers(0, 3)),
                     min_delta=float(rng.choice([0.0, 1e-4, 0.125])),
                     min_lr=float(rng.choice([0.0, 1e-3, 0.01, 0.025])))
    return values.tolist(), arguments


@pytest.mark.slow
def test_random_sequences_give_keras_learning_rates(models):
    ours_model, keras_model = models
    rng = np.random.default_rng(0)
    cuts = 0
    for case in range(N_SEQUENCES):
        values, arguments = random_case(rng)
        for model in models:
            model.optimizer.learning_rate = START_RATE
        ours = callbacks.ReduceLROnPlateau(**arguments)
        theirs = keras.callbacks.ReduceLROnPlateau(**arguments)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            our_rates, our_logged = drive(ours, ours_model, values)
            their_rates, their_logged = drive(theirs, keras_model, values)
        context = f"case {case}: {values} {arguments}"
        assert our_rates == their_rates, context
        assert our_logged == their_logged, context
        assert (ours.wait, ours.cooldown_counter) == (theirs.wait, theirs.cooldown_counter), context
        cuts += sum(1 for a, b in zip(our_rates, our_rates[1:]) if b < a)
    assert cuts > 80  # The cases did cut the rate, often.


def test_worked_example_with_cooldown_and_floor(models):
    # Patience 1, factor 0.5, floor 0.03. Cooldown 2 counts down in the epoch after a cut
    # and the one after that, so one epoch is skipped between cuts; then the floor holds.
    model = models[0]
    model.optimizer.learning_rate = START_RATE
    reducer = callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2, min_lr=0.03)
    rates, logged = drive(reducer, model, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5])
    np.testing.assert_allclose(rates, [0.1, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03], rtol=1e-6)
    np.testing.assert_allclose(logged, [0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03], rtol=1e-6)


def test_nan_never_improves_even_as_the_first_value(models):
    model = models[0]
    model.optimizer.learning_rate = START_RATE
    # A falling loss after a first NaN: no cut here (Keras 3.15 would cut, its best is NaN).
    rates, _ = drive(callbacks.ReduceLROnPlateau(patience=1), model, [math.nan, 3.0, 2.0, 1.0])
    np.testing.assert_allclose(rates, [0.01, 0.01, 0.01, 0.01], rtol=1e-6)  # Only the NaN epoch.


def test_one_instance_reused_across_runs_starts_fresh(models):
    model = models[0]
    model.optimizer.learning_rate = START_RATE
    reducer = callbacks.ReduceLROnPlateau(factor=0.5, patience=2)
    drive(reducer, model, [1.0, 1.0])  # wait = 1 and best = 1.0 are left behind.
    model.optimizer.learning_rate = START_RATE
    # A stale wait would cut after the first epoch; a stale best would count 2.0 as no better.
    rates, _ = drive(reducer, model, [2.0, 1.5])
    np.testing.assert_allclose(rates, [0.1, 0.1], rtol=1e-6)


def test_works_with_a_custom_optimizer_as_with_keras():
    rates = []
    for implementation in ("custom", "keras"):
        optimizer = custom.optimizers.get("adam", implementation=implementation,
                                          learning_rate=START_RATE)
        model = stub_model(optimizer)
        rates.append(drive(callbacks.ReduceLROnPlateau(factor=0.5, patience=1), model,
                           [1.0, 1.0, 1.0, 0.5, 0.5])[0])
    np.testing.assert_allclose(rates[0], [0.1, 0.05, 0.025, 0.025, 0.0125], rtol=1e-6)
    assert rates[0] == rates[1]


def bias_model(schedule):
    """ŷ = w·x + b on x = 0 and loss = mean(ŷ): ∂L/∂b is exactly 1, so b ← b − η_t."""
    model = keras.Sequential([keras.Input(shape=(1,)),
                              keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(schedule),
                  loss=lambda y_true, y_pred: keras.ops.mean(y_pred))
    return model


def expected_bias_and_rates(epochs, steps_per_epoch, multipliers):
    """b = −Σ_epochs m_e Σ_steps 0.1·0.9^t, and the rate logged at each epoch's end."""
    bias, logged, step = 0.0, [], 0
    for epoch in range(epochs):
        for _ in range(steps_per_epoch):
            bias -= multipliers[epoch] * 0.1 * 0.9 ** step
            step += 1
        logged.append(multipliers[epoch] * 0.1 * 0.9 ** step)  # Before this epoch's cut.
    return bias, logged


@pytest.mark.parametrize("loop", ["fit_with_tape", "model.fit", "model.fit, already compiled"])
def test_reduces_a_schedule_by_scaling_its_output(loop):
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.9)
    model = bias_model(schedule)
    x, y = np.zeros((4, 1)), np.zeros((4, 1))  # 2 steps of 2 samples per epoch.
    if loop == "model.fit, already compiled":
        model.fit(x, y, batch_size=2, epochs=1, verbose=0)  # Traced with the bare schedule.
        model.set_weights([np.zeros((1, 1)), np.zeros(1)])
        model.optimizer.iterations.assign(0)
    # The loss b falls every step, so in "max" mode it never improves: cut after every epoch.
    reducer = callbacks.ReduceLROnPlateau(monitor="loss", mode="max", factor=0.5, patience=1)
    arguments = dict(batch_size=2, epochs=4, shuffle=False, verbose=0, callbacks=[reducer])
    if loop == "fit_with_tape":
        history = training.fit_with_tape(model, x, y, **arguments)
    else:
        history = model.fit(x, y, **arguments)
    bias, logged = expected_bias_and_rates(4, 2, multipliers=[1.0, 1.0, 0.5, 0.25])
    np.testing.assert_allclose(model.get_weights()[1], [bias], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], logged, rtol=1e-6)
    scaled = model.optimizer._learning_rate
    assert isinstance(scaled, reduce_lr.ScaledSchedule)
    assert float(scaled.multiplier.numpy()) == pytest.approx(0.125, rel=1e-6)


def test_keras_own_callback_raises_on_a_schedule():
    """Why ours wraps the schedule: Keras 3.15's callback cannot set a scheduled rate."""
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.9)
    model = bias_model(schedule)
    reducer = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0)
    reducer.set_model(model)
    reducer.on_train_begin()
    reducer.on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(TypeError, match="not settable"):
        reducer.on_epoch_end(1, {"loss": 1.0})


def test_scaled_schedule_serializes_and_floor_holds_on_a_schedule():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    scaled = reduce_lr.ScaledSchedule(schedule, multiplier=0.25)
    restored = keras.optimizers.schedules.deserialize(
        keras.optimizers.schedules.serialize(scaled))
    assert isinstance(restored, reduce_lr.ScaledSchedule)
    assert float(restored(10)) == pytest.approx(0.25 * 0.05, rel=1e-6)
    # min_lr bounds the cut: 0.1 · 0.1 = 0.01 would fall below 0.04.
    model = bias_model(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    rates, _ = drive(callbacks.ReduceLROnPlateau(patience=0, min_lr=0.04), model, [1.0, 1.0],
                     monitor="val_loss")
    np.testing.assert_allclose(rates, [0.1, 0.04], rtol=1e-6)


def test_missing_metric_warns_with_the_available_keys(models):
    reducer = callbacks.ReduceLROnPlateau(monitor="val_accuracy", mode="max")
    reducer.set_model(models[0])
    reducer.on_train_begin()
    with pytest.warns(UserWarning, match="Available keys: learning_rate, loss, val_loss"):
        reducer.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.0})
    # In "auto" mode nothing tells the direction of a metric that is nowhere: an error.
    reducer = callbacks.ReduceLROnPlateau(monitor="val_accuracy")
    reducer.set_model(models[0])
    reducer.on_train_begin()
    with pytest.raises(ValueError, match=r"available keys: learning_rate, loss, val_loss\)"):
        reducer.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.0})


@pytest.mark.parametrize("arguments, message", [
    (dict(factor=1.0), "factor must be a finite number > 0 and < 1.0, got 1.0"),
    (dict(factor=0.0), "factor must be a finite number > 0 and < 1.0, got 0.0"),
    (dict(factor=-0.5), "factor must be a finite number > 0 and < 1.0, got -0.5"),
    (dict(patience=-1), "patience must be an integer >= 0, got -1"),
    (dict(cooldown=-1), "cooldown must be an integer >= 0, got -1"),
    (dict(min_lr=-1e-3), "min_lr must be a finite number >= 0.0, got -0.001"),
    (dict(min_delta=-1e-4), "min_delta must be a finite number >= 0.0, got -0.0001"),
    (dict(mode="up"), "mode must be one of auto, min, max, got 'up'"),
])
def test_out_of_range_arguments_raise_value_error(arguments, message):
    with pytest.raises(ValueError) as error:
        callbacks.ReduceLROnPlateau(**arguments)
    assert str(error.value) == message


def test_same_constructor_arguments_as_keras():
    import inspect

    ours = inspect.signature(callbacks.ReduceLROnPlateau.__init__).parameters
    theirs = inspect.signature(keras.callbacks.ReduceLROnPlateau.__init__).parameters
    assert list(ours) == [name for name in theirs if name != "kwargs"]
    for name in ours:
        assert ours[name].default == theirs[name].default, name
