"""The one manual training loop: ``model.fit`` written out with ``tf.GradientTape``.

``fit_with_tape`` runs the same steps, in the same order, as Keras 3's ``model.fit``
(``keras/src/backend/tensorflow/trainer.py``), so that a student can read every line
of what ``fit`` does and swap one for the other::

    for epoch in range(epochs):
        reset the running means of loss and metrics          callbacks.on_epoch_begin
        for (x, y) in batches:                                callbacks.on_train_batch_begin
            with tf.GradientTape() as tape:
                ŷ = model(x, training=True)                   forward pass
                L = loss(y, ŷ) + Σ penalties                  model.compute_loss
            g = ∂L/∂θ                                         tape.gradient
            θ ← θ − η·update(g)                               optimizer.apply_gradients
            update the running means                          callbacks.on_train_batch_end
        run the validation batches (no tape) → val_loss, val_<metric>
        callbacks.on_epoch_end(epoch, logs)                   EarlyStopping & co. act here
        stop if model.stop_training

Callbacks run through ``keras.callbacks.CallbackList``, exactly as under ``model.fit``:
built-in and from-scratch callbacks, the ``History`` that is returned and the
``ProgbarLogger`` (a ``keras.utils.Progbar``) that ``verbose=1`` shows.

The two steps are compiled with ``tf.function`` (with the model's own ``jit_compile``
setting, as ``fit`` does), and each takes its batch with ``next`` from an iterator
inside its graph, as ``fit``'s do: one iterator over the repeated dataset serves the
whole call (``_Passes``). ``eager=True`` runs them uncompiled, line by line, which is
many times slower (``benchmarks/results.md`` gives the measured ratio) and meant only
for stepping through with a debugger.

Like ``fit``, which keeps its compiled ``train_function`` on the model, the compiled
steps are kept on the model and reused by the next call. They are traced again only
when something they close over has changed: the optimizer, its learning rate's
schedule or variable, the compiled loss and metrics, ``jit_compile`` or the trainable
weights. The check runs after ``on_train_begin``, so a callback may still swap the
optimizer's learning-rate schedule there (``callbacks.ReduceLROnPlateau`` does).

Differences from ``model.fit``: arrays are shuffled with ``tf.data``'s full-buffer
shuffle, so with ``shuffle=True`` the batch order differs from ``fit``'s. With
``shuffle=False``, or a ``tf.data.Dataset`` that does not reshuffle, both see the same
batches. A dataset built with ``reshuffle_each_iteration=True`` is not enough: Keras
3.15's ``fit`` starts a new pass over it twice per epoch, so its epochs get the
dataset's 1st, 3rd, 5th, … orders while this loop's get the 1st, 2nd, 3rd, ….
``validation_split``, ``class_weight``, ``initial_epoch`` and ``steps_per_epoch`` are
not offered.

Data parallelism: with ``strategy=`` a ``tf.distribute`` strategy (``MirroredStrategy``
over several devices, ``MultiWorkerMirroredStrategy`` over several processes or hosts),
each global batch is split over the replicas, each replica's loss is its share of the
global batch's mean (``tf.nn.compute_average_loss``), and the optimizer sums the
replicas' gradients; ``custom/distributed.py`` writes those steps out. The loop above,
the optimizers and the callbacks are unchanged. Without ``strategy`` nothing of it runs.
"""

import keras
import numpy as np
import tensorflow as tf

from custom import arguments, distributed, keras_internals


def fit_with_tape(model, x, y=None, batch_size=32, epochs=1, validation_data=None,
                  callbacks=None, shuffle=True, verbose=1, *, eager=False, strategy=None):
    """Train a compiled ``model`` with a hand-written GradientTape loop; return its History.

    Args:
        model: a compiled ``keras.Model``; its optimizer, loss and metrics are used.
        x: inputs as an array (samples first), or a batched ``tf.data.Dataset`` that
            yields ``(x, y)`` or ``(x, y, sample_weight)``.
        y: targets, an array with as many samples as ``x``. Must be None for a dataset.
        batch_size: samples per batch for arrays, an integer >= 1. Default 32.
        epochs: passes over the data, an integer >= 0. Default 1.
        validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sample_weight)`` or a
            batched dataset, evaluated after every epoch. Default None.
        callbacks: a list of ``keras.callbacks.Callback``. Default None.
        shuffle: reshuffle array data every epoch. Ignored for a dataset. Default True.
        verbose: 0 silent, 1 progress bar, 2 one line per epoch, or "auto". Default 1.
        eager: run the steps uncompiled, for teaching only. Default False.
        strategy: a ``tf.distribute.Strategy`` to train data-parallel under, or None
            (default: one device, as before). The model must be built and compiled
            inside ``strategy.scope()``, and ``batch_size`` (the global batch) must be a
            multiple of ``strategy.num_replicas_in_sync``.

    Returns:
        ``keras.callbacks.History`` with the same keys as ``model.fit``'s.

    Example:
        >>> model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        >>> history = fit_with_tape(model, x, y, epochs=5, validation_data=(x_v, y_v))
        >>> sorted(history.history)
        ['loss', 'mae', 'val_loss', 'val_mae']
    """
    _check_arguments(model, batch_size, epochs, verbose)
    if strategy is not None:
        distributed.check(model, strategy,
                          None if isinstance(x, tf.data.Dataset) else batch_size)
    train_batches = _as_dataset(x, y, batch_size, shuffle, "x")
    validation_batches = None
    if validation_data is not None:
        validation_batches = _as_validation_dataset(validation_data, batch_size)
    steps_per_epoch = _number_of_batches(train_batches)
    if strategy is not None:
        if isinstance(x, tf.data.Dataset):
            distributed.check_dataset(train_batches, strategy)
        distributed.build_metrics(model, strategy, train_batches)
    train_batches = _passes(train_batches, strategy)
    if validation_batches is not None:
        validation_batches = _passes(validation_batches, strategy)

    callback_list = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, model=model,
        verbose=verbose, epochs=epochs, steps=steps_per_epoch)
    # The sample-weighted running mean of the loss that fit reports as "loss": the model's
    # own tracker, so that model.reset_metrics() resets it, as it does under fit.
    loss_tracker = _loss_tracker_of(model)

    model.stop_training = False
    callback_list.on_train_begin()
    train_step, test_step = _compiled_steps(model, loss_tracker, eager, strategy)

    epoch_logs = None
    for epoch in range(epochs):
        model.reset_metrics()  # The loss tracker and every compiled metric start again.
        callback_list.on_epoch_begin(epoch)
        batch_logs = None
        for step, batch in enumerate(train_batches):
            callback_list.on_train_batch_begin(step)
            batch_logs = train_step(batch)
            callback_list.on_train_batch_end(step, batch_logs)
            if model.stop_training:
                break
        if batch_logs is None:
            raise ValueError(f"the training data yielded no batches in epoch {epoch + 1}")
        epoch_logs = dict(batch_logs)  # The running means after the last batch.
        if validation_batches is not None:
            epoch_logs.update(_evaluate(model, test_step, validation_batches,
                                        callback_list))
        callback_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break

    if epochs > 0:
        # Optimizers that keep an average of the weights (use_ema) write it back here.
        model.optimizer.finalize_variable_values(model.trainable_variables)
    callback_list.on_train_end(epoch_logs)
    return model.history


def _passes(dataset, strategy):
    """What the loop iterates over once per epoch: the batches, or when their number is
    known, a ``_Passes`` over one iterator that lasts the whole fit."""
    count = int(dataset.cardinality())
    if count >= 0:
        return _Passes(count, lambda: iter(dataset.repeat()))
    # Unknown or infinite: hand out the batches, split over the replicas by tf.distribute.
    return dataset if strategy is None else distributed.distributed(dataset, strategy)


class _Passes:
    """One pass of ``count`` steps per ``iter``; each step is handed the same source, an
    iterator over the repeated dataset, and takes its batch from it with ``next`` inside
    its compiled graph (under a strategy, then splits it: ``distributed.shares``).

    Taking each batch in Python and handing it to the step would cost as much as a small
    network's step. ``dataset.repeat()`` reshuffles every pass as iterating the dataset
    afresh does, in the same order under the same seeds.
    """

    def __init__(self, count, start):
        # Each source handed out is drawn from once, by the step it is handed to.
        self.count = count
        self.start = start      # A new iterator from the first batch, as a step's source.
        self.source = None
        self.drawn = 0

    def __iter__(self):
        if self.source is None or self.drawn % self.count:
            # The first pass, or the last one stopped early: start again from the beginning.
            self.source, self.drawn = self.start(), 0
        for _ in range(self.count):
            self.drawn += 1
            yield self.source


def _next_batch(source):
    """The step's batch: drawn here, inside the step, from an iterator, or as given."""
    if isinstance(source, tf.data.Iterator):
        return next(source)
    return source


class _CompiledSteps:
    """The compiled steps of one model, with what they were traced against."""

    def __init__(self, closed_over, train_step, test_step):
        self.closed_over = closed_over
        self.train_step = train_step
        self.test_step = test_step


def _closed_over(model, loss_tracker, strategy):
    """The objects that a traced step bakes in; a new one among them needs a new trace."""
    optimizer = model.optimizer
    return (strategy, optimizer, keras_internals.learning_rate_of(optimizer), loss_tracker,
            *keras_internals.compiled_loss_and_metrics(model),
            bool(model.jit_compile), *model.trainable_variables)


def _compiled_steps(model, loss_tracker, eager, strategy):
    """The model's compiled steps from an earlier call, or new ones when those are stale."""
    if eager:
        return _make_steps(model, loss_tracker, True, strategy)
    closed_over = _closed_over(model, loss_tracker, strategy)
    kept = getattr(model, "_fit_with_tape_steps", None)
    same = kept is not None and len(kept.closed_over) == len(closed_over) and all(
        old is new for old, new in zip(kept.closed_over, closed_over))
    if not same:
        kept = _CompiledSteps(closed_over,
                              *_make_steps(model, loss_tracker, False, strategy))
        # Set past Keras' attribute tracking: this is a cache, not part of the model's state.
        object.__setattr__(model, "_fit_with_tape_steps", kept)
    return kept.train_step, kept.test_step


def _make_steps(model, loss_tracker, eager, strategy=None):
    """The training step and the validation step, compiled unless ``eager``."""
    if strategy is not None:
        return distributed.make_steps(model, loss_tracker, strategy, eager)

    def train_step(source):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(_next_batch(source))
        with tf.GradientTape() as tape:
            # ŷ = f(x; θ), with dropout and batch normalization in training mode.
            y_pred = model(x, training=True)
            # L = loss(y, ŷ) + Σ penalties (regularizers and add_loss terms).
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                      training=True)
            # Loss scaling for mixed precision; every other optimizer returns `loss` unchanged.
            scaled_loss = model.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, model.trainable_variables)  # g = ∂L/∂θ
        # θ ← θ − η·update(g), the optimizer's own rule.
        model.optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return _update_running_means(model, loss_tracker, loss, x, y, y_pred, sample_weight)

    def test_step(source):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(_next_batch(source))
        y_pred = model(x, training=False)
        loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=False)
        return _update_running_means(model, loss_tracker, loss, x, y, y_pred, sample_weight)

    if eager:
        return train_step, test_step
    compile_step = lambda step: tf.function(  # noqa: E731  (one line per step below)
        step, reduce_retracing=True, jit_compile=bool(model.jit_compile), autograph=False)
    return compile_step(train_step), compile_step(test_step)


def _loss_tracker_of(model):
    """The ``Mean`` named "loss" among a compiled model's metrics, which fit updates too."""
    for metric in model.metrics:
        if metric.name == "loss" and isinstance(metric, keras.metrics.Mean):
            return metric
    raise ValueError("the compiled model has no 'loss' tracker among model.metrics; "
                     "compile it with a loss")


def _update_running_means(model, loss_tracker, loss, x, y, y_pred, sample_weight):
    """Add one batch to the running means; return {"loss": …, metric name: …} so far."""
    batch_size = tf.shape(tf.nest.flatten(x)[0])[0]
    # Each batch counts in proportion to its samples, so a short last batch counts less.
    loss_tracker.update_state(loss, sample_weight=batch_size)
    results = model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
    results["loss"] = loss_tracker.result()
    return results


def _evaluate(model, test_step, batches, callback_list):
    """One pass over the validation batches, as model.evaluate does inside fit."""
    callback_list.on_test_begin()
    model.reset_metrics()
    logs = {}
    for step, batch in enumerate(batches):
        callback_list.on_test_batch_begin(step)
        logs = test_step(batch)
        callback_list.on_test_batch_end(step, logs)
    logs = {name: float(keras.ops.convert_to_numpy(value)) for name, value in logs.items()}
    callback_list.on_test_end(logs)
    return {f"val_{name}": value for name, value in logs.items()}


def _as_dataset(x, y, batch_size, shuffle, name):
    """Batches of ``(x, y)``: a dataset passes through, arrays are sliced by tf.data."""
    if isinstance(x, tf.data.Dataset):
        if y is not None:
            raise ValueError(f"y must be None when {name} is a tf.data.Dataset "
                             "(the dataset yields (x, y) pairs itself)")
        return x
    x = _as_float_array(x, name)
    if len(x) == 0:
        raise ValueError(f"{name} has no samples")
    if y is None:
        dataset = tf.data.Dataset.from_tensor_slices(x)
    else:
        y = _as_float_array(y, "y")
        if len(y) != len(x):
            raise ValueError(f"{name} has {len(x)} samples but y has {len(y)}")
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        dataset = dataset.shuffle(len(x), reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _as_validation_dataset(validation_data, batch_size):
    if isinstance(validation_data, tf.data.Dataset):
        return validation_data
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError("validation_data must be (x_val, y_val), (x_val, y_val, sample_weight) "
                         f"or a tf.data.Dataset, got {type(validation_data).__name__}")
    x_val, y_val = validation_data[0], validation_data[1]
    if len(validation_data) == 2:
        return _as_dataset(x_val, y_val, batch_size, False, "x_val")
    weights = np.asarray(validation_data[2], dtype=keras.config.floatx())
    x_val, y_val = _as_float_array(x_val, "x_val"), _as_float_array(y_val, "y_val")
    dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val, weights))
    return dataset.batch(batch_size)


def _as_float_array(values, name):
    """A NumPy array; floating point becomes Keras' float type (float32), as in fit."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array, got {type(values).__name__}: {error}") from None
    if array.ndim == 0:
        raise ValueError(f"{name} must have a samples dimension, got a scalar")
    if np.issubdtype(array.dtype, np.floating):
        array = array.astype(keras.config.floatx())
    return array


def _number_of_batches(dataset):
    """Batches per epoch for the progress bar, or None when tf.data cannot tell."""
    count = int(dataset.cardinality())
    return count if count >= 0 else None


def _check_arguments(model, batch_size, epochs, verbose):
    if not isinstance(model, keras.Model):
        raise ValueError(f"model must be a keras.Model, got {type(model).__name__}")
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise ValueError("model must be compiled first: model.compile(optimizer, loss, metrics)")
    arguments.number("batch_size", batch_size, minimum=1, integer=True)
    arguments.number("epochs", epochs, minimum=0, integer=True)
    arguments.choice("verbose", verbose, (0, 1, 2, "auto"))

