"""custom.training.fit_with_tape against model.fit: same weights, same History, same hooks."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import callbacks
from custom import training

WEIGHT_TOLERANCE = 1e-5   # The bar for the weights after 2 epochs.
HISTORY_TOLERANCE = 1e-5  # Relative, for every value in History.


def classifier(seed=1, compile_kwargs=None):
    """A seeded 4-8-3 softmax network with an L2 penalty and dropout, compiled with Adam."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-3)),
        keras.layers.Dropout(0.25),
        keras.layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], **(compile_kwargs or {}))
    return model


def data(n_samples, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_samples, 4))                       # (samples, features)
    y = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1)  # (samples,) classes 0, 1, 2
    return x, y


@pytest.fixture(autouse=True)
def _fresh_keras_session():
    """Drop the models and traced steps of the previous test, so none piles up."""
    yield
    keras.backend.clear_session()


X_TRAIN, Y_TRAIN = data(90, 0)  # 90 = 5 batches of 16 and a short one of 10.
X_VAL, Y_VAL = data(30, 1)


def assert_same_training(fit_model, fit_history, tape_model, tape_history):
    assert sorted(tape_history.history) == sorted(fit_history.history)
    for key, values in fit_history.history.items():
        np.testing.assert_allclose(tape_history.history[key], values, rtol=HISTORY_TOLERANCE,
                                   err_msg=f"history[{key!r}]")
    for fit_weight, tape_weight in zip(fit_model.get_weights(), tape_model.get_weights()):
        np.testing.assert_allclose(tape_weight, fit_weight, atol=WEIGHT_TOLERANCE)


@pytest.mark.slow
def test_arrays_unshuffled_match_fit_after_two_epochs():
    fit_model, tape_model = classifier(), classifier()
    arguments = dict(batch_size=16, epochs=2, validation_data=(X_VAL, Y_VAL), shuffle=False,
                     verbose=0)
    fit_history = fit_model.fit(X_TRAIN, Y_TRAIN, **arguments)
    tape_history = training.fit_with_tape(tape_model, X_TRAIN, Y_TRAIN, **arguments)
    assert sorted(tape_history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert_same_training(fit_model, fit_history, tape_model, tape_history)
    assert tape_model.history is tape_history


@pytest.mark.slow
def test_dataset_with_sample_weights_matches_fit():
    weights = np.linspace(0.5, 1.5, len(X_TRAIN)).astype("float32")

    def batches():  # A fresh, unshuffled pipeline for each loop.
        return tf.data.Dataset.from_tensor_slices(
            (X_TRAIN.astype("float32"), Y_TRAIN, weights)).batch(16)

    validation = tf.data.Dataset.from_tensor_slices((X_VAL.astype("float32"), Y_VAL)).batch(8)
    fit_model, tape_model = classifier(2), classifier(2)
    fit_history = fit_model.fit(batches(), epochs=2, validation_data=validation, verbose=0,
                                shuffle=False)
    tape_history = training.fit_with_tape(tape_model, batches(), epochs=2,
                                          validation_data=validation, verbose=0)
    assert_same_training(fit_model, fit_history, tape_model, tape_history)


class HookRecorder(keras.callbacks.Callback):
    """Writes down every hook call, with the log keys it was given."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def __getattribute__(self, name):
        attribute = super().__getattribute__(name)
        if name.startswith("on_") and callable(attribute):
            def record(*args, **kwargs):
                logs = kwargs.get("logs", args[-1] if args else None)
                numbers = [arg for arg in args if isinstance(arg, int)]
                self.calls.append((name, *numbers, tuple(sorted(logs or {}))))
                return attribute(*args, **kwargs)
            return record
        return attribute


class StopAfterBatches(keras.callbacks.Callback):
    """Sets model.stop_training after a given number of training batches."""

    def __init__(self, batches):
        super().__init__()
        self.batches, self.seen = batches, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.batches:
            self.model.stop_training = True


@pytest.mark.slow
def test_callbacks_see_the_same_hooks_in_the_same_order_and_stop_mid_epoch():
    recorded = []
    for loop in ("fit", "tape"):
        model, recorder = classifier(), HookRecorder()
        arguments = dict(batch_size=32, epochs=3, validation_data=(X_VAL, Y_VAL), shuffle=False,
                         verbose=0, callbacks=[recorder, StopAfterBatches(5)])
        if loop == "fit":
            history = model.fit(X_TRAIN, Y_TRAIN, **arguments)
        else:
            history = training.fit_with_tape(model, X_TRAIN, Y_TRAIN, **arguments)
        recorded.append(recorder.calls)
        assert len(history.history["loss"]) == 2  # 3 batches, then stopped after 2 of epoch 2.
    assert recorded[1] == recorded[0]
    assert ("on_epoch_end", 1, ("accuracy", "loss", "val_accuracy", "val_loss")) in recorded[0]


@pytest.mark.parametrize("make_callback", [
    lambda: keras.callbacks.EarlyStopping(monitor="loss", mode="max", patience=1),
    lambda: callbacks.EarlyStopping(monitor="loss", mode="max", patience=1),
], ids=["keras", "custom"])
def test_early_stopping_takes_effect_inside_fit_with_tape(make_callback):
    # The loss falls, so in "max" mode it never improves after epoch 1: stop at epoch 2.
    model = classifier()
    history = training.fit_with_tape(model, X_TRAIN, Y_TRAIN, epochs=10, verbose=0,
                                     callbacks=[make_callback()])
    assert len(history.history["loss"]) == 2


def test_eager_mode_gives_the_compiled_result():
    compiled, eager = classifier(3), classifier(3)
    arguments = dict(batch_size=30, epochs=1, shuffle=False, verbose=0)
    compiled_history = training.fit_with_tape(compiled, X_TRAIN, Y_TRAIN, **arguments)
    eager_history = training.fit_with_tape(eager, X_TRAIN, Y_TRAIN, eager=True, **arguments)
    assert_same_training(compiled, compiled_history, eager, eager_history)


def test_verbose_shows_keras_progress_bar(capsys):
    training.fit_with_tape(classifier(), X_TRAIN, Y_TRAIN, batch_size=45, epochs=2, verbose=2)
    printed = capsys.readouterr().out
    assert "Epoch 1/2" in printed and "Epoch 2/2" in printed and "2/2" in printed
    assert "loss:" in printed


def test_shuffle_changes_the_batches_but_training_still_works():
    model = classifier()
    history = training.fit_with_tape(model, X_TRAIN, Y_TRAIN, batch_size=16, epochs=3, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert history.history["loss"][-1] < history.history["loss"][0]


def drawn(passes, steps):
    """The batches of the first ``steps`` steps of one pass of ``passes``, each step drawing
    once from the source it is handed, as fit_with_tape's steps do."""
    return [next(source).numpy().tolist() for _, source in zip(range(steps), passes)]


def test_passes_reshuffle_as_a_fresh_iteration_would_and_restart_after_a_short_pass():
    def shuffled():
        tf.random.set_seed(3)
        return tf.data.Dataset.range(12).shuffle(12, reshuffle_each_iteration=True).batch(5)

    dataset = shuffled()
    fresh = [batch.numpy().tolist() for _ in range(3) for batch in dataset]
    passes = training._passes(shuffled(), None)
    assert [batch for _ in range(3) for batch in drawn(passes, 3)] == fresh

    passes = training._passes(tf.data.Dataset.range(12).batch(5), None)
    assert drawn(passes, 2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]    # Stopped after two.
    assert drawn(passes, 3) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]


@pytest.mark.parametrize("arguments, message", [
    (dict(batch_size=0), "batch_size must be an integer >= 1, got 0"),
    (dict(batch_size=2.5), "batch_size must be an integer >= 1, got 2.5"),
    (dict(epochs=-1), "epochs must be an integer >= 0, got -1"),
    (dict(verbose=3), "verbose must be one of 0, 1, 2, 'auto', got 3"),
    (dict(y=Y_TRAIN[:10]), "x has 90 samples but y has 10"),
    (dict(validation_data=X_VAL), "validation_data must be (x_val, y_val)"),
])
def test_bad_arguments_raise_value_error_naming_them(arguments, message):
    call = {"x": X_TRAIN, "y": Y_TRAIN, "verbose": 0, **arguments}
    with pytest.raises(ValueError) as error:
        training.fit_with_tape(classifier(), **call)
    assert message in str(error.value)


def test_bad_models_and_inputs_raise_value_error():
    uncompiled = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="model must be compiled first"):
        training.fit_with_tape(uncompiled, X_TRAIN, Y_TRAIN)
    with pytest.raises(ValueError, match="model must be a keras.Model"):
        training.fit_with_tape("model", X_TRAIN, Y_TRAIN)
    dataset = tf.data.Dataset.from_tensor_slices((X_TRAIN, Y_TRAIN)).batch(8)
    with pytest.raises(ValueError, match="y must be None when x is a tf.data.Dataset"):
        training.fit_with_tape(classifier(), dataset, Y_TRAIN)
    with pytest.raises(ValueError, match="x has no samples"):
        training.fit_with_tape(classifier(), X_TRAIN[:0], Y_TRAIN[:0])
