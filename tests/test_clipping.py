"""custom.clipping against Keras' clipvalue, clipnorm and global_clipnorm, and tf.clip_by_*."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from custom import clipping

# float32 round-off: one or two units in the last place of values around 1.
RTOL, ATOL = 1e-6, 1e-7


def some_gradients(scale=1.0, seed=0, kind="numpy"):
    """Three gradients of different shapes and sizes, like a Dense layer's kernel and bias.

    kind "numpy" gives NumPy arrays (clipped with NumPy), "tensor" gives tf.Tensors
    (clipped with keras.ops).
    """
    rng = np.random.default_rng(seed)
    arrays = [(scale * rng.standard_normal(shape)).astype(np.float32)
              for shape in [(4, 3), (3,), (3, 2)]]
    return arrays if kind == "numpy" else [tf.constant(array) for array in arrays]


def keras_clipped(gradients, **clip_argument):
    """What a Keras SGD with the clip argument applies: from zero weights, lr 1 → −g_clipped."""
    variables = [keras.Variable(np.zeros(g.shape, np.float32)) for g in gradients]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **clip_argument)
    optimizer.apply_gradients(zip([tf.constant(g) for g in gradients], variables))
    return [-variable.numpy() for variable in variables]


def assert_all_close(ours, theirs):
    assert len(ours) == len(theirs)
    for our, their in zip(ours, theirs):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(our), their, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", ["numpy", "tensor"])
@pytest.mark.parametrize("scale", [0.1, 1.0, 50.0])
@pytest.mark.parametrize("threshold", [0.5, 1.0, 3.0])
def test_each_clip_equals_what_a_keras_optimizer_applies(kind, scale, threshold):
    gradients = some_gradients(scale, kind=kind)
    for argument, function in (("clipvalue", clipping.clip_by_value),
                               ("clipnorm", clipping.clip_by_norm),
                               ("global_clipnorm", clipping.clip_by_global_norm)):
        ours = function(gradients, threshold)
        assert all(isinstance(g, np.ndarray) == (kind == "numpy") for g in ours), argument
        assert all(g.dtype == np.float32 for g in ours), argument   # No silent float64.
        assert_all_close(ours, keras_clipped(gradients, **{argument: threshold}))


def test_clipping_works_inside_a_tf_function():
    gradients = some_gradients(50.0, kind="tensor")
    compiled = tf.function(lambda gs: clipping.clip_by_global_norm(gs, 1.0))
    assert_all_close(compiled(gradients), keras_clipped(gradients, global_clipnorm=1.0))


def test_each_clip_equals_tensorflow_s_own():
    gradients = some_gradients(10.0)
    assert_all_close(clipping.clip_by_value(gradients, 2.0),
                     [tf.clip_by_value(g, -2.0, 2.0) for g in gradients])
    assert_all_close(clipping.clip_by_norm(gradients, 2.0),
                     [tf.clip_by_norm(g, 2.0) for g in gradients])
    theirs, their_norm = tf.clip_by_global_norm(gradients, 2.0)
    assert_all_close(clipping.clip_by_global_norm(gradients, 2.0), theirs)
    np.testing.assert_allclose(clipping.global_norm(gradients), their_norm, rtol=RTOL)
    np.testing.assert_allclose(clipping.norm(gradients[0]), tf.norm(gradients[0]), rtol=RTOL)


def test_worked_numbers_three_four_five():
    # ‖(3, 4)‖ = 5; clipped to norm 1 it is (0.6, 0.8), and its direction is kept.
    assert_all_close(clipping.clip_by_norm([np.array([3.0, 4.0], np.float32)], 1.0), [[0.6, 0.8]])
    # By value the direction changes: (3, 4) → (1, 1).
    assert_all_close(clipping.clip_by_value([np.array([3.0, 4.0], np.float32)], 1.0), [[1, 1]])
    # Global norm of (3) and (4) together is 5: both shrink by the same factor 1/5.
    parts = [np.array([3.0], np.float32), np.array([4.0], np.float32)]
    assert_all_close(clipping.clip_by_global_norm(parts, 1.0), [[0.6], [0.8]])
    # Per tensor, each part alone has norm 3 and 4: both are cut to exactly 1.
    assert_all_close(clipping.clip_by_norm(parts, 1.0), [[1.0], [1.0]])


def test_gradients_inside_the_limit_pass_unchanged():
    gradients = some_gradients(0.01)
    for clipped in (clipping.clip_by_value(gradients, 1.0), clipping.clip_by_norm(gradients, 1.0),
                    clipping.clip_by_global_norm(gradients, 1.0)):
        assert_all_close(clipped, gradients)


def test_clipped_norms_respect_the_threshold():
    gradients = some_gradients(100.0)
    for clipped in clipping.clip_by_norm(gradients, 2.0):
        assert float(clipping.norm(clipped)) == pytest.approx(2.0, rel=1e-6)
    assert float(clipping.global_norm(clipping.clip_by_global_norm(gradients, 2.0))) \
        == pytest.approx(2.0, rel=1e-6)
    for clipped in clipping.clip_by_value(gradients, 2.0):
        assert float(keras.ops.max(keras.ops.abs(clipped))) <= 2.0


def test_training_steps_with_our_clip_equal_keras_clip_on_a_model():
    """Three Adam steps on a Dense model: Adam(global_clipnorm) vs our clip + plain Adam."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 5)).astype(np.float32) * 20.0   # (batch, features), large
    y = rng.standard_normal((16, 1)).astype(np.float32) * 20.0   # (batch, 1)
    for argument in ("clipvalue", "clipnorm", "global_clipnorm"):
        keras.utils.set_random_seed(0)
        reference = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="tanh"),
                                      keras.layers.Dense(1)])
        ours = keras.models.clone_model(reference)
        ours.set_weights(reference.get_weights())
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(reference(x) - y))
        first = tape.gradient(loss, reference.trainable_variables)
        assert float(clipping.global_norm(first)) > 5.0   # The clip really acts.
        keras_optimizer = keras.optimizers.Adam(0.1, **{argument: 0.5})
        our_optimizer = keras.optimizers.Adam(0.1)
        for _ in range(3):
            for model, optimizer, clip in ((reference, keras_optimizer, False),
                                           (ours, our_optimizer, True)):
                with tf.GradientTape() as tape:
                    loss = keras.ops.mean(keras.ops.square(model(x) - y))
                gradients = tape.gradient(loss, model.trainable_variables)
                if clip:
                    gradients = clipping.clip_gradients(gradients, **{argument: 0.5})
                optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        for their_weight, our_weight in zip(reference.get_weights(), ours.get_weights()):
            np.testing.assert_allclose(our_weight, their_weight, rtol=1e-5, atol=1e-6,
                                       err_msg=argument)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # NumPy's inf / inf.
@pytest.mark.parametrize("kind", ["numpy", "tensor"])
def test_non_finite_gradients_behave_as_in_keras(kind):
    gradients = some_gradients()
    gradients[1] = np.array([np.inf, 1.0, 2.0], np.float32)
    if kind == "tensor":
        gradients = [tf.constant(g) for g in gradients]
    ours = clipping.clip_by_global_norm(gradients, 1.0)
    theirs = keras_clipped(gradients, global_clipnorm=1.0)
    for our, their in zip(ours, theirs):
        assert np.all(np.isnan(keras.ops.convert_to_numpy(our)))
        assert np.all(np.isnan(their))
    # By norm only the tensor holding inf is damaged, as with Keras' clipnorm.
    ours = [keras.ops.convert_to_numpy(g) for g in clipping.clip_by_norm(gradients, 1.0)]
    theirs = keras_clipped(gradients, clipnorm=1.0)
    for our, their in zip(ours, theirs):
        np.testing.assert_array_equal(np.isnan(our), np.isnan(their))
        np.testing.assert_allclose(our, their, rtol=RTOL, atol=ATOL)  # NaN equals NaN here.


def test_none_gradients_pass_through():
    gradients = [None, np.array([3.0, 4.0], np.float32)]
    for clipped in (clipping.clip_by_value(gradients, 1.0), clipping.clip_by_norm(gradients, 1.0),
                    clipping.clip_by_global_norm(gradients, 1.0)):
        assert clipped[0] is None
        assert clipped[1] is not None


def test_clip_gradients_without_an_argument_changes_nothing():
    gradients = some_gradients(100.0)
    assert_all_close(clipping.clip_gradients(gradients), gradients)


@pytest.mark.parametrize("bad", [0, -1.0, -0.5, float("nan"), float("inf"), "1", None, True])
def test_bad_thresholds_raise_naming_the_argument(bad):
    gradients = some_gradients()
    with pytest.raises(ValueError, match="clip_value"):
        clipping.clip_by_value(gradients, bad)
    with pytest.raises(ValueError, match="clip_norm"):
        clipping.clip_by_norm(gradients, bad)
    with pytest.raises(ValueError, match="clip_norm"):
        clipping.clip_by_global_norm(gradients, bad)


def test_other_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="at most one"):
        clipping.clip_gradients(some_gradients(), clipvalue=1.0, clipnorm=1.0)
    with pytest.raises(ValueError, match="list of tensors"):
        clipping.clip_by_norm(np.ones((3, 2), np.float32), 1.0)
    with pytest.raises(ValueError, match="None"):
        clipping.global_norm([None, None])
    with pytest.raises(ValueError, match="global_clipnorm|clip_norm"):
        clipping.clip_gradients(some_gradients(), global_clipnorm=-1.0)
