"""From-scratch maths that students read and swap in.

``custom.optimizers``  SGD (plain, momentum, Nesterov), EMA momentum, RMSprop, Adam
``custom.schedules``   learning-rate schedules as ``LearningRateSchedule`` subclasses
``custom.activations`` NumPy activations and their derivatives (ReLU, Leaky ReLU, sigmoid,
                      Swish, GELU, softmax)
``custom.losses``      MSE and cross-entropies, with clipping
``custom.numpy_net``   a small NumPy network with a hand-written backward pass
``custom.numpy_training``  one epoch of mini-batch gradient descent for that network
``custom.numpy_batchnorm``  batch normalization's forward and backward pass in NumPy
``custom.layers``      batch normalization as a Keras layer (= keras.layers.BatchNormalization)
``custom.gradient_check``  central differences against any backward pass
``custom.clipping``    gradient clipping by value, by norm and by global norm
``custom.initializers`` Glorot and He initialization as Keras initializers
``custom.minibatches`` the mini-batch generator
``custom.training``    the one manual ``tf.GradientTape`` training loop, ``fit_with_tape``
``custom.quiet_import`` imports TensorFlow without its start-up chatter on stderr
``custom.keras_internals`` every read past Keras' public API, each saying what is missing
``custom.model_state``  a compiled model's weights and optimizer state, saved and put back
"""
