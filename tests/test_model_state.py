"""custom.model_state: a compiled model put back to a snapshot trains exactly as a fresh copy."""

import keras
import numpy as np
import pytest

from custom import model_state

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 2)).astype("float32")
Y = (X[:, :1] * X[:, 1:] > 0).astype("float32")


def fresh(optimizer=None):
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(0.05),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run(model):
    cut = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0,
                                            min_delta=10.0)   # Cuts after every epoch.
    history = model.fit(X, Y, validation_data=(X, Y), batch_size=10, epochs=3,
                        shuffle=False, verbose=0, callbacks=[cut]).history
    return history, model.get_weights()


def test_a_restored_model_trains_exactly_as_a_fresh_copy():
    # After a run that moved the weights, Adam's step count and moments, and (through
    # ReduceLROnPlateau) the learning rate, the restored model's next run is a fresh copy's.
    model = fresh()
    start = model_state.snapshot(model)   # Before any fit: the optimizer is built here.
    assert model.optimizer.built
    first, _ = run(model)
    assert first["learning_rate"][-1] < 0.05 and float(model.optimizer.iterations) == 12
    model_state.restore(model, start)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert float(model.optimizer.iterations) == 0
    moments = [variable for variable in model.optimizer.variables
               if variable is not model.optimizer.iterations
               and "learning_rate" not in variable.path]
    assert len(moments) == 8 and not any(np.any(variable.numpy()) for variable in moments)
    restored, restored_weights = run(model)
    fresh_history, fresh_weights = run(fresh())
    assert restored == fresh_history
    for ours, theirs in zip(restored_weights, fresh_weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_a_snapshot_is_a_copy_that_later_training_does_not_change():
    model = fresh()
    weights, optimizer_values = model_state.snapshot(model)
    before = [array.copy() for array in weights + optimizer_values]
    run(model)
    for saved, copied in zip(weights + optimizer_values, before, strict=True):
        np.testing.assert_array_equal(saved, copied)


def test_a_snapshot_of_another_optimizer_is_refused():
    adam_state = model_state.snapshot(fresh())
    plain = fresh(keras.optimizers.SGD(0.1))   # No slots: fewer variables than Adam has.
    model_state.snapshot(plain)
    with pytest.raises(ValueError, match="optimizer variables"):
        model_state.restore(plain, adam_state)


def test_an_uncompiled_model_is_refused():
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compiled model"):
        model_state.snapshot(model)
