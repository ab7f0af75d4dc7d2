"""The effective learning rate of any optimizer, custom or built-in, constant or scheduled."""

import keras


def current_learning_rate(optimizer):
    """The learning rate the optimizer's next step will use, as a Python float.

    Keras 3 evaluates a ``LearningRateSchedule`` at ``optimizer.iterations``
    when ``optimizer.learning_rate`` is read, so one expression covers a
    constant rate and a schedule alike.
    """
    # Through a tensor rather than NumPy: NumPy 2 warns about a Keras variable's __array__.
    return float(keras.ops.convert_to_tensor(optimizer.learning_rate))
