"""The effective learning rate of any optimizer, custom or built-in, constant or scheduled."""

import tensorflow as tf


def current_learning_rate(optimizer):
    """The learning rate the optimizer's next step will use, as a Python float.

    Keras 3 evaluates a ``LearningRateSchedule`` at ``optimizer.iterations``
    when ``optimizer.learning_rate`` is read, so one expression covers a
    constant rate and a schedule alike.
    """
    # Through a TensorFlow tensor rather than NumPy: NumPy 2 warns about a Keras variable's
    # __array__, and keras.ops.convert_to_tensor returns a variable as it is, which float()
    # cannot read when a tf.distribute strategy made it a MirroredVariable.
    return float(tf.convert_to_tensor(optimizer.learning_rate))
