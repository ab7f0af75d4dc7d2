"""callbacks.find_learning_rate and callbacks.LRFinder: per-batch losses replayed with
tf.GradientTape, exact restoration, sensible suggestions, NaN handled, bad input refused."""

import math

import keras
import numpy as np
import pandas
import pytest
import tensorflow as tf

import callbacks
import custom.optimizers
import custom.schedules
import custom.training
from callbacks import lr_finder


def regression_data(n_samples=512, seed=0):
    """y = x·w + noise with x ~ N(0, I): the MSE Hessian is ≈ 2·I, so plain gradient
    descent diverges above η = 2/λ_max ≈ 1 and the good rates lie in about [0.01, 1]."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_samples, 4)).astype(np.float32)        # (n, 4)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * rng.standard_normal((n_samples, 1))
    return x, y.astype(np.float32)                                     # (n, 1)


def linear_model(optimizer, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def snapshot(model):
    return ([w.copy() for w in model.get_weights()],
            [v.numpy().copy() for v in model.optimizer.variables])


def assert_same(before, after):
    for saved, now in zip(before[0] + before[1], after[0] + after[1]):
        np.testing.assert_array_equal(saved, now)   # bit for bit
    assert len(before[1]) == len(after[1])


@pytest.mark.slow
def test_losses_are_each_batch_loss_replayed_with_a_gradient_tape():
    x, y = regression_data(n_samples=128)
    model = linear_model(keras.optimizers.SGD())
    initial = model.get_weights()
    result = callbacks.find_learning_rate(model, x, y, batch_size=16, start=1e-3, end=1.0,
                                          steps=20, shuffle=False)
    expected_rates = 1e-3 * 1000.0 ** (np.arange(20) / 19)
    np.testing.assert_allclose(result.learning_rates, expected_rates[:len(result.losses)],
                               rtol=1e-12)
    # Replay: 8 batches per epoch, so the sweep crosses two epoch boundaries.
    twin = linear_model(keras.optimizers.SGD())
    twin.set_weights(initial)
    replayed = []
    for i, rate in enumerate(result.learning_rates):
        start = (i % 8) * 16
        with tf.GradientTape() as tape:
            loss = keras.losses.mean_squared_error(y[start:start + 16],
                                                   twin(x[start:start + 16]))
            loss = tf.reduce_mean(loss)
        twin.optimizer.learning_rate = float(rate)
        twin.optimizer.apply_gradients(zip(tape.gradient(loss, twin.trainable_variables),
                                           twin.trainable_variables))
        replayed.append(float(loss))
    np.testing.assert_allclose(result.losses, replayed, rtol=1e-4)
    # The smoothed curve is the bias-corrected EMA of those losses, β = 0.98: pandas' ewm
    # with α = 1 − β and adjust=True weighs them exactly so (the students' lr_finder task
    # is to write it, so the test uses the twin, not a copy of the answer).
    smoothed = pandas.Series(result.losses).ewm(alpha=1 - 0.98, adjust=True).mean()
    np.testing.assert_allclose(result.smoothed_losses, smoothed.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("implementation", ["keras", "custom"])
def test_suggestions_fall_in_the_band_of_good_rates(implementation):
    x, y = regression_data()
    model = linear_model(custom.optimizers.get("sgd", implementation=implementation))
    before = snapshot(model)
    result = callbacks.find_learning_rate(model, x, y, start=1e-5, end=10.0)
    assert "exceeded" in result.stop_reason        # it diverged above η ≈ 1, and stopped
    assert 1.0 < result.learning_rates[-1] < 10.0
    for method in lr_finder.SUGGESTIONS:
        assert 0.01 <= result.suggest(method) <= 1.0, (method, result.suggest(method))
    assert result.suggestion == result.suggest("steepest")
    assert_same(before, snapshot(model))
    ax = result.plot()
    assert ax.get_xscale() == "log" and ax.get_xlabel() and ax.get_title()


def test_weights_and_adam_state_are_restored_exactly_after_training():
    x, y = regression_data(n_samples=256)
    model = linear_model(custom.optimizers.get("adam", learning_rate=0.01))
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)          # non-zero moments, t = 8
    before = snapshot(model)
    result = callbacks.find_learning_rate(model, x, y, start=1e-4, end=100.0, steps=30)
    assert len(result.losses) > 5
    assert_same(before, snapshot(model))
    assert int(model.optimizer.iterations.numpy()) == 8
    assert callbacks.current_learning_rate(model.optimizer) == pytest.approx(0.01, rel=1e-7)


@pytest.mark.slow
def test_an_optimizer_with_a_schedule_sweeps_and_gets_its_schedule_back():
    x, y = regression_data(n_samples=128)
    schedule = custom.schedules.WarmupCosine(0.05, 4, 40)

    def trained(run_finder):
        model = linear_model(keras.optimizers.SGD(schedule, momentum=0.9))
        model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
        if run_finder:
            before = snapshot(model)
            result = callbacks.find_learning_rate(model, x, y, start=1e-3, end=100.0, steps=30)
            assert "exceeded" in result.stop_reason   # the swept rates, not the schedule's
            assert_same(before, snapshot(model))
            assert model.optimizer._learning_rate is schedule
        model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
        return model.get_weights()

    for with_finder, without in zip(trained(True), trained(False)):
        np.testing.assert_array_equal(with_finder, without)


def test_inside_fit_with_tape_the_batch_losses_are_those_of_fit():
    x, y = regression_data(n_samples=128)           # 8 equal batches of 16 per epoch

    def sweep(loop, **kwargs):
        model = linear_model(keras.optimizers.SGD())
        finder = callbacks.LRFinder(1e-3, 1.0, steps=12, **kwargs)
        loop(model, x, y, batch_size=16, epochs=2, shuffle=False, verbose=0,
             callbacks=[finder])
        return finder.result

    under_fit = sweep(keras.Model.fit)
    under_tape = sweep(custom.training.fit_with_tape)
    np.testing.assert_allclose(under_tape.losses, under_fit.losses, rtol=1e-4)
    assert len(under_fit.losses) == 12              # crossed the epoch boundary at batch 8


def test_running_means_are_turned_back_into_batch_losses():
    """For a loop that keeps its own running mean: m_b = mean(L_0 … L_b)."""
    batch_losses = [4.0, 2.0, 3.0, 1.0]
    finder = callbacks.LRFinder(1e-3, 1.0, steps=4, running_mean=True)
    finder.set_model(linear_model(keras.optimizers.SGD()))
    finder.on_train_begin()
    for batch, _ in enumerate(batch_losses):
        finder.on_train_batch_begin(batch)
        finder.on_train_batch_end(batch, {"loss": float(np.mean(batch_losses[:batch + 1]))})
    finder.on_train_end()
    np.testing.assert_allclose(finder.result.losses, batch_losses, rtol=1e-12)


def test_a_model_without_an_input_layer_is_built_first_and_restored():
    x, y = regression_data(n_samples=128)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    result = callbacks.find_learning_rate(model, x, y, start=1e-4, end=1.0, steps=12)
    assert len(result.losses) == 12 and int(model.optimizer.iterations.numpy()) == 0
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    unbuilt.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="built model"):
        unbuilt.fit(x, y, verbose=0, callbacks=[callbacks.LRFinder(steps=4)])


def test_a_dataset_is_accepted():
    x, y = regression_data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(64)
    model = linear_model(keras.optimizers.SGD())
    result = callbacks.find_learning_rate(model, dataset, start=1e-4, end=10.0, steps=40)
    assert 0.01 <= result.suggestion <= 1.0


def drive_by_hand(losses, steps=40, **kwargs):
    """The callback's hooks called as fit would, over a scripted list of batch losses."""
    model = linear_model(keras.optimizers.SGD())
    before = snapshot(model)
    finder = callbacks.LRFinder(start=1e-4, end=1.0, steps=steps, **kwargs)
    finder.set_model(model)
    finder.on_train_begin()
    for batch, loss in enumerate(losses):
        finder.on_train_batch_begin(batch)
        model.layers[0].kernel.assign(np.full((4, 1), loss, np.float32))   # "training"
        finder.on_train_batch_end(batch, {"loss": loss})
        if model.stop_training:
            break
    finder.on_train_end()
    assert_same(before, snapshot(model))
    return finder.result, model


def test_a_nan_loss_stops_the_sweep_without_contaminating_the_suggestion():
    falling = list(np.linspace(2.0, 0.5, 30) + 0.05 * np.sin(np.arange(30)))
    result, model = drive_by_hand(falling + [float("nan"), 1.0, 1.0])
    assert model.stop_training and "nan" in result.stop_reason
    assert len(result.losses) == 31 and math.isnan(result.losses[-1])
    with pytest.warns(UserWarning, match="ended after 30 of 40"):
        clean, _ = drive_by_hand(falling)                 # the same sweep, never reaching NaN
    for method in lr_finder.SUGGESTIONS:
        assert math.isfinite(result.suggest(method))
        assert result.suggest(method) == clean.suggest(method)


def test_a_nan_in_real_training_is_handled_and_the_model_restored():
    x, y = regression_data(n_samples=256)
    model = linear_model(keras.optimizers.SGD())
    before = snapshot(model)
    result = callbacks.find_learning_rate(model, x, y, start=1e-3, end=1e12, steps=60,
                                          divergence=1e300)
    assert not math.isfinite(result.losses[-1])
    assert 0.01 <= result.suggestion <= 1.0
    assert_same(before, snapshot(model))


def test_the_smoothed_loss_above_four_times_its_best_stops_the_sweep():
    result, model = drive_by_hand([1.0] * 12 + [100.0, 1.0])
    assert model.stop_training and len(result.losses) == 13   # 1 + 0.02·99/(1 − 0.98^13) > 4
    assert "exceeded 4×" in result.stop_reason


def test_too_few_batches_end_the_sweep_with_a_warning_that_says_so():
    with pytest.warns(UserWarning, match="ended after 5 of 40 steps"):
        result, model = drive_by_hand([1.0, 0.9, 0.8, 0.7, 0.6])
    assert len(result.losses) == 5 and not model.stop_training


def test_a_loop_without_a_loss_in_its_logs_gets_a_clear_error():
    model = linear_model(keras.optimizers.SGD())
    finder = callbacks.LRFinder(steps=10)
    finder.set_model(model)
    finder.on_train_begin()
    finder.on_train_batch_begin(0)
    with pytest.raises(ValueError, match=r"logs\['loss'\].*accuracy"):
        finder.on_train_batch_end(0, {"accuracy": 0.5})


def test_all_nan_gives_no_suggestion_and_a_warning():
    with pytest.warns(UserWarning, match="no suggestion"):
        result, _ = drive_by_hand([float("nan")])
    assert result.suggestion is None


@pytest.mark.parametrize("arguments, name", [
    ({"start": 0.0}, "start"), ({"start": 1.0, "end": 0.5}, "end"),
    ({"steps": 1}, "steps"), ({"steps": 10.5}, "steps"), ({"smoothing": 1.0}, "smoothing"),
    ({"divergence": 1.0}, "divergence"), ({"method": "fastest"}, "method"),
    ({"batch_size": 0}, "batch_size"),
])
def test_bad_arguments_raise_value_error_naming_them(arguments, name):
    x, y = regression_data(n_samples=32)
    model = linear_model(keras.optimizers.SGD())
    with pytest.raises(ValueError, match=name):
        callbacks.find_learning_rate(model, x, y, **arguments)


def test_an_empty_array_is_refused():
    model = linear_model(keras.optimizers.SGD())
    with pytest.raises(ValueError, match="x must hold at least one sample"):
        callbacks.find_learning_rate(model, np.zeros((0, 4), np.float32),
                                     np.zeros((0, 1), np.float32))


def test_an_uncompiled_model_is_refused():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compiled"):
        callbacks.find_learning_rate(model, *regression_data(n_samples=32))
