"""fit_with_tape keeps its compiled steps on the model across calls, as model.fit does.

Traces are counted with ``tf.function``'s own counter; correctness after a change is
checked against ``model.fit`` running the same calls.
"""

import keras
import numpy as np
import pytest

import callbacks
from custom import training
from tests.test_training import X_TRAIN, X_VAL, Y_TRAIN, Y_VAL, assert_same_training, classifier


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    yield
    keras.backend.clear_session()


def traces(model):
    """How many times the model's kept train and test steps have been traced so far."""
    steps = model._fit_with_tape_steps
    return (steps.train_step.experimental_get_tracing_count(),
            steps.test_step.experimental_get_tracing_count())


def test_repeated_calls_reuse_the_steps_traced_by_the_first():
    model = classifier()
    arguments = dict(batch_size=16, epochs=1, validation_data=(X_VAL, Y_VAL), verbose=0)
    training.fit_with_tape(model, X_TRAIN, Y_TRAIN, **arguments)
    kept, after_first = model._fit_with_tape_steps, traces(model)
    assert after_first[0] >= 1 and after_first[1] >= 1
    for _ in range(3):
        training.fit_with_tape(model, X_TRAIN, Y_TRAIN, **arguments)
    assert model._fit_with_tape_steps is kept
    assert traces(model) == after_first

    # Compiling again makes a new optimizer, loss and metrics: the old steps are stale.
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    training.fit_with_tape(model, X_TRAIN, Y_TRAIN, **arguments)
    assert model._fit_with_tape_steps is not kept


def scheduled_classifier():
    """The test classifier with Adam on an exponentially decaying learning rate."""
    model = classifier(seed=4)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.02, decay_steps=6, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_a_callback_that_swaps_the_schedule_gets_fresh_steps_and_fits_result():
    """The first call traces with the bare schedule; in the second, ReduceLROnPlateau wraps it
    as m · schedule(t) and cuts m. Steps kept from the first call would ignore m."""
    fit_model, tape_model = scheduled_classifier(), scheduled_classifier()
    first = dict(batch_size=16, epochs=2, shuffle=False, verbose=0)
    fit_model.fit(X_TRAIN, Y_TRAIN, **first)
    training.fit_with_tape(tape_model, X_TRAIN, Y_TRAIN, **first)
    kept = tape_model._fit_with_tape_steps

    def second(model):
        # min_delta 10: no epoch counts as an improvement, so the rate is cut every epoch.
        cut = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
        return dict(batch_size=16, epochs=4, shuffle=False, verbose=0, callbacks=[cut])

    fit_history = fit_model.fit(X_TRAIN, Y_TRAIN, **second(fit_model))
    tape_history = training.fit_with_tape(tape_model, X_TRAIN, Y_TRAIN, **second(tape_model))
    assert tape_model._fit_with_tape_steps is not kept
    rates = tape_history.history["learning_rate"]
    assert rates[-1] < 0.3 * rates[0], f"the rate was not cut: {rates}"
    assert_same_training(fit_model, fit_history, tape_model, tape_history)
    assert np.isfinite(tape_history.history["loss"]).all()
