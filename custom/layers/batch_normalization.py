"""Batch normalization from scratch, as a Keras layer (Ioffe and Szegedy, 2015)."""

import keras

from custom.optimizers import _validation


@keras.saving.register_keras_serializable(package="custom")
class BatchNormalization(keras.layers.Layer):
    """Normalize each feature by the batch's own mean and variance, then scale and shift.

    For a batch x of m samples (every axis but the last is a batch axis), feature by feature:

        training:   μ_B = (1/m)·Σ x                        the batch mean
                    σ²_B = (1/m)·Σ (x − μ_B)²               the batch variance (biased: 1/m)
                    x̂ = (x − μ_B) / √(σ²_B + ε)
                    y = γ·x̂ + β
                    μ_run ← p·μ_run + (1 − p)·μ_B           p is ``momentum``
                    σ²_run ← p·σ²_run + (1 − p)·σ²_B
        inference:  y = γ·(x − μ_run) / √(σ²_run + ε) + β

    γ (gamma, starts at 1) and β (beta, starts at 0) are trained; μ_run and σ²_run
    (``moving_mean``, ``moving_variance``, start at 0 and 1) are not, and change only in
    training mode. Keras' ``BatchNormalization`` keeps the biased σ²_B in its moving
    average, as here; the paper and PyTorch keep the unbiased m/(m − 1)·σ²_B instead.
    ``momentum`` is the weight of the old value, as in Keras (PyTorch's momentum = 0.1 is
    the weight of the new one, Keras' 0.9). A layer whose ``trainable`` is False runs in
    inference mode even under ``training=True``, as Keras' does.

    Args:
        momentum: p in [0, 1); default 0.99, as in Keras.
        epsilon: ε > 0, added to the variance; default 1e-3, as in Keras.
        **kwargs: the base layer's arguments (``name``, ``dtype``, ...).

    Example:
        >>> layer = BatchNormalization(momentum=0.9)
        >>> y = layer(keras.ops.ones((8, 3)), training=True)    # (8, 3)
    """

    def __init__(self, momentum=0.99, epsilon=1e-3, **kwargs):
        momentum = _validation.unit_interval("momentum", momentum)
        epsilon = _validation.non_negative("epsilon", epsilon)
        if epsilon == 0.0:
            raise ValueError("epsilon must be a finite number > 0 (it keeps x̂ finite when a "
                             "feature is constant over the batch), got 0.0")
        super().__init__(**kwargs)
        self.momentum = momentum
        self.epsilon = epsilon
        self.supports_masking = True

    def build(self, input_shape):
        """γ, β, the moving mean and the moving variance: one value per feature (last axis)."""
        features = input_shape[-1]
        if features is None:
            raise ValueError(f"the last axis (the features) must have a known size, got input "
                             f"shape {input_shape}")
        self.gamma = self.add_weight(shape=(features,), name="gamma", initializer="ones",
                                     autocast=False)
        self.beta = self.add_weight(shape=(features,), name="beta", initializer="zeros",
                                    autocast=False)
        self.moving_mean = self.add_weight(shape=(features,), name="moving_mean",
                                           initializer="zeros", trainable=False, autocast=False)
        self.moving_variance = self.add_weight(shape=(features,), name="moving_variance",
                                               initializer="ones", trainable=False,
                                               autocast=False)
        self.batch_axes = tuple(range(len(input_shape) - 1))   # every axis but the features

    def call(self, inputs, training=None):
        # Statistics in float32 at least, as Keras does (float16 would overflow).
        x = keras.ops.cast(inputs, keras.backend.result_type(inputs.dtype, "float32"))
        gamma = keras.ops.cast(self.gamma, x.dtype)                    # γ (features,)
        beta = keras.ops.cast(self.beta, x.dtype)                      # β (features,)
        if training and self.trainable:
            mean = keras.ops.mean(x, axis=self.batch_axes)              # μ_B = (1/m)·Σ x
            variance = keras.ops.mean(keras.ops.square(x - mean),
                                      axis=self.batch_axes)             # σ²_B = (1/m)·Σ (x − μ_B)²
            p = self.momentum
            moving_mean = keras.ops.cast(self.moving_mean, x.dtype)
            moving_variance = keras.ops.cast(self.moving_variance, x.dtype)
            self.moving_mean.assign(p * moving_mean + (1.0 - p) * mean)          # μ_run
            self.moving_variance.assign(p * moving_variance + (1.0 - p) * variance)  # σ²_run
        else:
            mean = keras.ops.cast(self.moving_mean, x.dtype)            # μ_run
            variance = keras.ops.cast(self.moving_variance, x.dtype)    # σ²_run
        x_hat = (x - mean) / keras.ops.sqrt(variance + self.epsilon)    # x̂ = (x − μ)/√(σ² + ε)
        outputs = gamma * x_hat + beta                                  # y = γ·x̂ + β
        return keras.ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "epsilon": self.epsilon}
