# ASSIGNMENTS: INSTRUCTOR ONLY (it copies the solutions' maths as NumPy references)
"""custom.schedules against the seed's formulas (seed 001) and Keras' own schedules.

Tolerances: the schedules return float32 (computed in float64), the twins float64, so values
must agree to rtol 1e-6 (a few float32 ulps) plus atol 1e-9 where the rate reaches 0.
"""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import callbacks
import custom.schedules as schedules
import custom.training

RTOL, ATOL = 1e-6, 1e-9
KERAS_ATOL = 1e-8   # Keras computes (1 + cos) in float32, which cancels near t = T.
STEPS = np.arange(0, 151)


# The seed's four functions, copied as they are printed in seed 001.
def seed_step_decay(epoch, initial_lr=0.1, drop=0.5, epochs_drop=20):
    return initial_lr * (drop ** (epoch // epochs_drop))


def seed_exponential_decay(epoch, initial_lr=0.1, decay_rate=0.05):
    return initial_lr * np.exp(-decay_rate * epoch)


def seed_cosine_annealing(epoch, initial_lr=0.1, T_max=100):
    return initial_lr * (1 + np.cos(np.pi * epoch / T_max)) / 2


def seed_warmup_cosine(epoch, initial_lr=0.1, warmup_epochs=10, total_epochs=100):
    if epoch < warmup_epochs:
        return initial_lr * epoch / warmup_epochs
    progress = (epoch - warmup_epochs) / (total_epochs - warmup_epochs)
    return initial_lr * (1 + np.cos(np.pi * progress)) / 2


# The seed's cosines are only defined up to T; after T ours hold the final rate (0 here).
SEED_TWINS = [
    (schedules.StepDecay(), seed_step_decay, 150),
    (schedules.ExponentialDecay(), seed_exponential_decay, 150),
    (schedules.CosineAnnealing(), seed_cosine_annealing, 100),
    (schedules.WarmupCosine(), seed_warmup_cosine, 100),
]


@pytest.mark.parametrize("schedule, twin, last", SEED_TWINS,
                         ids=lambda value: type(value).__name__)
def test_every_integer_step_equals_the_seed_formula_with_seed_defaults(schedule, twin, last):
    steps = np.arange(0, last + 1)
    expected = np.array([twin(int(step)) for step in steps])
    np.testing.assert_allclose(schedules.sample(schedule, steps), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("schedule, boundaries", [
    (schedules.StepDecay(), {0: 0.1, 19: 0.1, 20: 0.05, 39: 0.05, 40: 0.025, 99: 0.00625,
                             100: 0.003125, 1000: 0.1 * 0.5 ** 50}),
    (schedules.ExponentialDecay(), {0: 0.1, 20: 0.1 * math.exp(-1), 100: 0.1 * math.exp(-5)}),
    (schedules.CosineAnnealing(), {0: 0.1, 50: 0.05, 99: 0.05 * (1 + math.cos(0.99 * math.pi)),
                                   100: 0.0, 101: 0.0, 1000: 0.0}),
    (schedules.WarmupCosine(), {0: 0.0, 1: 0.01, 9: 0.09, 10: 0.1, 55: 0.05,
                                100: 0.0, 101: 0.0, 1000: 0.0}),
    (schedules.CosineAnnealing(0.1, 100, final_learning_rate=0.01), {0: 0.1, 100: 0.01,
                                                                       500: 0.01}),
    (schedules.WarmupCosine(0.2, 0, 50, final_learning_rate=0.02), {0: 0.2, 25: 0.11, 50: 0.02,
                                                                     51: 0.02}),
], ids=["step", "exponential", "cosine", "warmup_cosine", "cosine_final", "no_warmup_final"])
def test_boundary_steps(schedule, boundaries):
    for step, expected in boundaries.items():
        np.testing.assert_allclose(float(schedule(step)), expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"step {step}")


KERAS_TWINS = [
    (schedules.CosineAnnealing(0.1, 100), keras.optimizers.schedules.CosineDecay(0.1, 100)),
    (schedules.CosineAnnealing(0.1, 100, 0.02),
     keras.optimizers.schedules.CosineDecay(0.1, 100, alpha=0.2)),
    (schedules.WarmupCosine(0.1, 10, 100),
     keras.optimizers.schedules.CosineDecay(0.0, 90, warmup_target=0.1, warmup_steps=10)),
    (schedules.WarmupCosine(0.3, 25, 60, final_learning_rate=0.03),
     keras.optimizers.schedules.CosineDecay(0.0, 35, alpha=0.1, warmup_target=0.3,
                                            warmup_steps=25)),
    (schedules.ExponentialDecay(0.1, 0.05),
     keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1,
                                                 decay_rate=math.exp(-0.05))),
    (schedules.StepDecay(0.1, 0.5, 20),
     keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=20, decay_rate=0.5,
                                                 staircase=True)),
]


@pytest.mark.parametrize("ours, theirs", KERAS_TWINS, ids=lambda value: type(value).__name__)
def test_agrees_with_the_keras_schedule_of_the_same_shape(ours, theirs):
    np.testing.assert_allclose(schedules.sample(ours, STEPS), schedules.sample(theirs, STEPS),
                               rtol=2e-6, atol=KERAS_ATOL)


def test_keras_exponential_decay_with_the_seed_number_is_a_different_curve():
    naive = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.05)
    np.testing.assert_allclose(float(naive(1)), 0.005, rtol=RTOL)   # keeps 5 %, not 95 %
    np.testing.assert_allclose(float(schedules.ExponentialDecay()(1)), 0.1 * math.exp(-0.05),
                               rtol=RTOL)


def one_cycle_twin(t, peak=0.1, total=100, warmup=30, start_divisor=25.0, final_divisor=1e4):
    start = peak / start_divisor
    end = start / final_divisor
    t = min(t, total)
    if t <= warmup:
        return peak + (start - peak) * (1 + math.cos(math.pi * t / warmup)) / 2
    return end + (peak - end) * (1 + math.cos(math.pi * (t - warmup) / (total - warmup))) / 2


def test_one_cycle_follows_its_formula_and_its_momentum_mirrors_the_rate():
    schedule = schedules.OneCycle(0.1, total_steps=100)
    expected = [one_cycle_twin(int(step)) for step in STEPS]
    # Its half waves are Keras' CosineDecay, which mixes in float32: near the end, where the
    # rate is ~1e-7, that leaves η_max·2⁻²⁴ ≈ 6e-9 of absolute error.
    np.testing.assert_allclose(schedules.sample(schedule, STEPS), expected, rtol=RTOL, atol=1e-8)
    np.testing.assert_allclose(float(schedule(0)), 0.1 / 25, rtol=RTOL)
    np.testing.assert_allclose(float(schedule(30)), 0.1, rtol=RTOL)
    np.testing.assert_allclose(float(schedule(100)), 0.1 / 25 / 1e4, rtol=RTOL)
    momentum = schedules.sample(schedule.momentum, [0, 30, 100, 200])
    np.testing.assert_allclose(momentum, [0.95, 0.85, 0.95, 0.95], rtol=RTOL)


ALL = [schedules.StepDecay(), schedules.ExponentialDecay(), schedules.CosineAnnealing(),
       schedules.WarmupCosine(), schedules.OneCycle(),
       schedules.WarmupCosine(0.05, 3, 12, 0.001, steps_per_epoch=4)]


@pytest.mark.parametrize("schedule", ALL, ids=lambda value: type(value).__name__)
def test_serialization_round_trip_keeps_every_value(schedule):
    config = keras.saving.serialize_keras_object(schedule)
    assert config["registered_name"] == f"custom>{type(schedule).__name__}"
    rebuilt = keras.saving.deserialize_keras_object(config)
    assert type(rebuilt) is type(schedule)
    assert rebuilt.get_config() == schedule.get_config()
    np.testing.assert_array_equal(schedules.sample(rebuilt, STEPS),
                                  schedules.sample(schedule, STEPS))
    optimizer = keras.optimizers.SGD.from_config(keras.optimizers.SGD(schedule).get_config())
    assert optimizer.get_config()["learning_rate"] == config


@pytest.mark.parametrize("schedule", ALL, ids=lambda value: type(value).__name__)
def test_traced_graph_gives_the_eager_values(schedule):
    step = tf.Variable(0, dtype=tf.int64)
    traced = tf.function(lambda: schedule(step))
    for value in (0, 3, 10, 29, 30, 31, 99, 100, 140):
        step.assign(value)
        np.testing.assert_allclose(float(traced()), float(schedule(value)), rtol=RTOL, atol=ATOL)


class RecordRate(keras.callbacks.Callback):
    """Reads the rate the next step will use, before every batch."""

    def on_train_begin(self, logs=None):
        self.rates = []

    def on_train_batch_begin(self, batch, logs=None):
        self.rates.append(callbacks.current_learning_rate(self.model.optimizer))


def constant_gradient_model(optimizer):
    """y = w·x with w = 0 and loss = mean(y): with x = 1, ∂loss/∂w = 1 at every step."""
    model = keras.Sequential([keras.Input((1,)),
                              keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    model.compile(optimizer=optimizer, loss=lambda y_true, y_pred: keras.ops.mean(y_pred))
    return model


def test_inside_model_fit_the_optimizer_steps_by_the_schedule():
    schedule = schedules.WarmupCosine(0.1, 3, 12)
    model = constant_gradient_model(keras.optimizers.SGD(schedule))
    record = RecordRate()
    x = np.ones((48, 1), np.float32)
    model.fit(x, x, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[record])
    expected = schedules.sample(schedule, 12)
    np.testing.assert_allclose(record.rates, expected, rtol=RTOL, atol=ATOL)
    # With ∂loss/∂w = 1, plain SGD moves w by −η(t) at step t: w = −Σ η(t).
    np.testing.assert_allclose(model.layers[0].kernel.numpy()[0, 0], -expected.sum(), rtol=1e-5)


def test_inside_fit_with_tape_the_optimizer_steps_by_the_schedule():
    schedule = schedules.OneCycle(0.1, total_steps=12)
    model = constant_gradient_model(keras.optimizers.SGD(schedule))
    record = RecordRate()
    x = np.ones((48, 1), np.float32)
    custom.training.fit_with_tape(model, x, x, batch_size=4, epochs=1, shuffle=False,
                                  verbose=0, callbacks=[record])
    expected = schedules.sample(schedule, 12)
    np.testing.assert_allclose(record.rates, expected, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(model.layers[0].kernel.numpy()[0, 0], -expected.sum(), rtol=1e-5)


def test_inside_a_bare_gradient_tape_step_the_optimizer_steps_by_the_schedule():
    schedule = schedules.StepDecay(0.1, 0.5, 4)
    optimizer = keras.optimizers.SGD(schedule)
    weight = tf.Variable(0.0)
    for _ in range(10):
        with tf.GradientTape() as tape:
            loss = 3.0 * weight                         # ∂loss/∂w = 3
        optimizer.apply_gradients([(tape.gradient(loss, weight), weight)])
    expected = -3.0 * schedules.sample(schedule, 10).sum()
    np.testing.assert_allclose(weight.numpy(), expected, rtol=1e-6)
    assert int(optimizer.iterations.numpy()) == 10


def test_steps_per_epoch_holds_the_rate_within_an_epoch():
    schedule = schedules.StepDecay(0.1, 0.5, 2, steps_per_epoch=3)
    model = constant_gradient_model(keras.optimizers.SGD(schedule))
    record = RecordRate()
    x = np.ones((30, 1), np.float32)   # 3 batches of 10 per epoch
    model.fit(x, x, batch_size=10, epochs=5, shuffle=False, verbose=0, callbacks=[record])
    per_epoch = [seed_step_decay(epoch, 0.1, 0.5, 2) for epoch in range(5)]
    np.testing.assert_allclose(record.rates, np.repeat(per_epoch, 3), rtol=RTOL)


def test_per_epoch_callback_sets_the_seed_value_at_each_epoch():
    model = constant_gradient_model(keras.optimizers.SGD(1.0))
    record = RecordRate()
    x = np.ones((20, 1), np.float32)
    scheduler = schedules.per_epoch_callback(schedules.ExponentialDecay(0.1, 0.05))
    model.fit(x, x, batch_size=10, epochs=4, verbose=0, callbacks=[scheduler, record])
    expected = np.repeat([seed_exponential_decay(epoch) for epoch in range(4)], 2)
    np.testing.assert_allclose(record.rates, expected, rtol=RTOL)


@pytest.mark.parametrize("build, argument", [
    (lambda: schedules.StepDecay(-0.1), "initial_learning_rate"),
    (lambda: schedules.StepDecay(0.1, drop=1.5), "drop"),
    (lambda: schedules.StepDecay(0.1, drop=0.0), "drop"),
    (lambda: schedules.StepDecay(0.1, steps_per_drop=0), "steps_per_drop"),
    (lambda: schedules.StepDecay(0.1, steps_per_drop=2.5), "steps_per_drop"),
    (lambda: schedules.ExponentialDecay(0.1, decay_rate=-0.05), "decay_rate"),
    (lambda: schedules.ExponentialDecay(float("nan")), "initial_learning_rate"),
    (lambda: schedules.ExponentialDecay("fast"), "initial_learning_rate"),
    (lambda: schedules.CosineAnnealing(0.1, decay_steps=0), "decay_steps"),
    (lambda: schedules.CosineAnnealing(0.1, 100, final_learning_rate=0.2),
     "final_learning_rate"),
    (lambda: schedules.WarmupCosine(0.1, warmup_steps=100, total_steps=100), "warmup_steps"),
    (lambda: schedules.WarmupCosine(0.1, warmup_steps=-1), "warmup_steps"),
    (lambda: schedules.WarmupCosine(0.1, total_steps=-5), "total_steps"),
    (lambda: schedules.OneCycle(0.0), "max_learning_rate"),
    (lambda: schedules.OneCycle(0.1, warmup_fraction=1.0), "warmup_fraction"),
    (lambda: schedules.OneCycle(0.1, base_momentum=0.99), "momentum"),
    (lambda: schedules.CosineAnnealing(steps_per_epoch=0), "steps_per_epoch"),
    (lambda: schedules.sample(schedules.StepDecay(), 0), "steps"),
])
def test_bad_arguments_raise_value_error_naming_the_argument(build, argument):
    with pytest.raises(ValueError, match=argument):
        build()
