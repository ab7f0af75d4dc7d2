"""``fit_with_tape``'s steps under a ``tf.distribute`` strategy: data parallelism written out.

Each replica holds a full copy of the weights θ and gets 1/R of every global batch of B
samples (R replicas; ``shares`` splits it, inside the step). Replica r
computes the loss of its share, divided by the *global* batch::

    L_r = Σ_{i ∈ share r} ℓ_i / B                     tf.nn.compute_average_loss
        + Σ penalties / R                             tf.nn.scale_regularization_loss

so that the gradients the optimizer sums over the replicas (its all-reduce) are the
gradient of the mean over the whole global batch, exactly what one device computes::

    g = Σ_r ∂L_r/∂θ = ∂/∂θ (Σ_i ℓ_i / B + Σ penalties)

Every replica then applies the same g to its copy, so the copies stay equal. Dividing by
the replica's own batch instead (B/R) would give R times that gradient: the same as
multiplying the learning rate by R.

The running means that the progress bar, the History and the callbacks see are Keras'
own metrics, whose variables are summed over the replicas when read, so they are the
means over every sample, as on one device.

The strategy is taken as given: the model and its optimizer must have been created
inside ``strategy.scope()``, and the global batch must split evenly over the replicas.
"""

import keras
import tensorflow as tf


def check(model, strategy, batch_size):
    """Raise ``ValueError`` in one line when ``model`` or ``batch_size`` cannot run under
    ``strategy``; build the optimizer inside its scope when it is not built yet."""
    if not isinstance(strategy, tf.distribute.Strategy):
        raise ValueError(f"strategy must be a tf.distribute.Strategy, got {type(strategy).__name__}")
    if not model.built or not model.trainable_variables:
        raise ValueError("the model has no weights yet: build it inside strategy.scope() "
                         "(start it with keras.Input) before training")
    if not isinstance(model.loss, (str, keras.losses.Loss)) and not callable(model.loss):
        raise ValueError("under a strategy the model needs one loss (a name, a function or "
                         f"a keras.losses.Loss), got {type(model.loss).__name__}")
    reduction = getattr(model.loss, "reduction", "sum_over_batch_size")
    if reduction not in ("sum_over_batch_size", "mean"):
        raise ValueError("under a strategy the loss must average over the batch "
                         f"(reduction='sum_over_batch_size'), got reduction={reduction!r}")
    variables = [*model.variables, model.optimizer.iterations]
    outside = [variable.path for variable in variables
               if not strategy.extended.variable_created_in_scope(_tf_variable(variable))]
    if outside:
        raise ValueError(f"the model was built outside strategy.scope() ({outside[0]} is not "
                         "mirrored): create and compile it inside 'with strategy.scope():'")
    replicas = strategy.num_replicas_in_sync
    if batch_size is not None and batch_size % replicas != 0:
        raise ValueError(f"the global batch of {batch_size} samples cannot be split evenly "
                         f"over {replicas} replicas: use a batch_size that is a multiple "
                         f"of {replicas}")
    if not model.optimizer.built:
        with strategy.scope():
            model.optimizer.build(model.trainable_variables)


def check_dataset(dataset, strategy):
    """The ``batch_size`` check of ``check`` for a dataset: its first batch must split evenly.

    Reads that batch when the dataset does not state its batch size (a dataset that
    reshuffles each pass then starts its next pass from its next order).
    """
    size = tf.nest.flatten(dataset.element_spec)[0].shape[0]
    if size is None:
        first = next(iter(dataset.take(1)))
        size = int(tf.shape(tf.nest.flatten(first)[0])[0])
    replicas = strategy.num_replicas_in_sync
    if size % replicas != 0:
        raise ValueError(f"the dataset's global batch of {size} samples cannot be split evenly "
                         f"over {replicas} replicas: batch it by a multiple of {replicas}")


def build_metrics(model, strategy, dataset):
    """Create the compiled metrics' variables inside the strategy's scope.

    Keras creates them the first time they are updated; inside ``strategy.run`` that would
    be inside a replica, where a strategy cannot create its variables. They are created
    here from a batch of zeros shaped like the dataset's, which reads no data.
    """
    zeros = tf.nest.map_structure(
        lambda spec: tf.zeros([1, *spec.shape[1:]], dtype=spec.dtype), dataset.element_spec)
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(zeros)
    with strategy.scope():
        y_pred = model(x, training=False)
        model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
    model.reset_metrics()


def distributed(dataset, strategy):
    """The dataset's batches split by ``tf.distribute`` into one share per replica, for a
    dataset whose number of batches is unknown (``fit_with_tape`` hands each to a step)."""
    # Replicas on CPUs compute where the batch already is: copying each share ahead to
    # its device (a multi-device iterator) would only add to a small network's step.
    on_cpus = all(tf.DeviceSpec.from_string(device).device_type == "CPU"
                  for device in strategy.extended.worker_devices)
    options = tf.distribute.InputOptions(experimental_fetch_to_device=not on_cpus)
    return strategy.experimental_distribute_dataset(dataset, options)


def shares(source, strategy):
    """``(batch, B)``: this step's batch, one share per replica, and B its global size.

    The batch is drawn from ``source``, an iterator over the global batches, inside the
    step's graph, then split; or ``source`` is that batch already, split by
    ``tf.distribute`` (``distributed``), and B is None, for the replicas to add up.

    Replica r of R takes rows ⌈r·n/R⌉ to ⌈(r+1)·n/R⌉ of a global batch of n, so a short
    last batch of 7 splits 4 + 3. Every worker of a multi-worker strategy draws the same
    global batches (the same data, shuffled under the same seed) and keeps its replicas'
    shares. Splitting here, in the step's graph, avoids what ``tf.distribute``'s own
    distributed iterator adds to every step: about 0.25 ms, a third of the 0.7 ms step of
    benchmarks/fit_with_tape_strategy.py's network.
    """
    if not isinstance(source, tf.data.Iterator):
        return source, None
    batch = next(source)
    replicas = strategy.num_replicas_in_sync

    def share(context):
        replica = context.replica_id_in_sync_group

        def rows(tensor):
            n = tf.shape(tensor)[0]
            start, end = ((replica * n + replicas - 1) // replicas,
                          ((replica + 1) * n + replicas - 1) // replicas)
            return tensor[start:end]

        return tf.nest.map_structure(rows, batch)

    size = tf.cast(tf.shape(tf.nest.flatten(batch)[0])[0], tf.int64)
    return strategy.experimental_distribute_values_from_function(share), size


def make_steps(model, loss_tracker, strategy, eager):
    """The distributed training step and validation step, compiled unless ``eager``."""
    per_example_loss = _per_example_loss_of(model)

    def replica_train_step(batch, global_batch_size):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(batch)
        if global_batch_size is None:      # Split by tf.distribute: add up the shares.
            global_batch_size = _global_batch_size(x)
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)              # ŷ = f(x; θ) on this replica's share.
            losses = per_example_loss(y, y_pred)           # ℓ_i, shape (share,)
            # L_r = Σ_i ℓ_i / B over this share, with B the global batch.
            loss = tf.nn.compute_average_loss(losses, sample_weight=sample_weight,
                                              global_batch_size=global_batch_size)
            penalty = _penalties(model)
            # Each replica adds Σ penalties / R, so that the sum over replicas counts them once.
            loss += tf.nn.scale_regularization_loss(penalty)
            scaled_loss = model.optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, model.trainable_variables)  # ∂L_r/∂θ
        # The optimizer sums the replicas' gradients (all-reduce), then θ ← θ − η·update(g).
        model.optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        _update_running_means(model, loss_tracker, losses, sample_weight, penalty,
                              x, y, y_pred)

    def replica_test_step(batch, global_batch_size):   # B is not needed: no gradients.
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(batch)
        y_pred = model(x, training=False)
        losses = per_example_loss(y, y_pred)
        _update_running_means(model, loss_tracker, losses, sample_weight, _penalties(model),
                              x, y, y_pred)

    def train_step(source):
        strategy.run(replica_train_step, args=shares(source, strategy))
        return _results(model, loss_tracker)

    def test_step(source):
        strategy.run(replica_test_step, args=shares(source, strategy))
        return _results(model, loss_tracker)

    if eager:
        return train_step, test_step
    compile_step = lambda step: tf.function(  # noqa: E731  (one line per step below)
        step, reduce_retracing=True, jit_compile=False, autograph=False)
    return compile_step(train_step), compile_step(test_step)


def _per_example_loss_of(model):
    """ℓ(y, ŷ) per sample, shape (batch,): the compiled loss without its averaging."""
    loss = model.loss
    # Loss.call is a Loss object's rule before the reduction that Loss.__call__ applies.
    rule = loss.call if isinstance(loss, keras.losses.Loss) else keras.losses.get(loss)

    def per_example_loss(y, y_pred):
        # Targets of shape (batch,) beside outputs of shape (batch, 1) get the missing axis,
        # as Keras' losses do; the rule then averages only over the last axis.
        if y.shape.rank == y_pred.shape.rank - 1:
            y = tf.expand_dims(y, -1)
        elif y_pred.shape.rank == y.shape.rank - 1:
            y_pred = tf.expand_dims(y_pred, -1)
        return rule(y, y_pred)

    return per_example_loss


def _global_batch_size(x):
    """B: the samples in this step's global batch, summed over the replicas."""
    share = tf.shape(tf.nest.flatten(x)[0])[0]
    context = tf.distribute.get_replica_context()
    return tf.cast(context.all_reduce(tf.distribute.ReduceOp.SUM, tf.cast(share, tf.float32)),
                   tf.int64)


def _penalties(model):
    """Σ penalties: the weight regularizers and add_loss terms, 0 when there are none."""
    if not model.losses:
        return tf.constant(0.0)
    return tf.add_n([tf.cast(penalty, tf.float32) for penalty in model.losses])


def _update_running_means(model, loss_tracker, losses, sample_weight, penalty, x, y, y_pred):
    """Add this replica's share to the running means, which sum over the replicas on read."""
    share = tf.shape(losses)[0]
    weighted = losses if sample_weight is None else losses * tf.cast(
        tf.reshape(sample_weight, tf.shape(losses)), losses.dtype)
    # The share's mean loss (as one device would compute it for these samples), counted
    # in proportion to the share's samples.
    share_loss = tf.math.divide_no_nan(tf.reduce_sum(weighted), tf.cast(share, losses.dtype))
    loss_tracker.update_state(share_loss + penalty, sample_weight=share)
    model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)


def _results(model, loss_tracker):
    """{"loss": …, metric name: …}, read across the replicas (their sums combined)."""
    results = dict(model.get_metrics_result())
    results["loss"] = loss_tracker.result()
    return results


def _tf_variable(variable):
    """The tf.Variable behind a Keras variable (the strategy's own type inside its scope)."""
    return variable.value if isinstance(variable, keras.Variable) else variable
