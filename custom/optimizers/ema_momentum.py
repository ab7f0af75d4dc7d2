"""Momentum as an exponential moving average of gradients, as in "Learning Algorithms"."""

import keras

from custom.optimizers import _validation, slots


@keras.saving.register_keras_serializable(package="custom")
class EMAMomentum(keras.optimizers.Optimizer):
    """Gradient descent along an exponential moving average of the gradients.

    For a variable w with gradient g, learning rate η and momentum β ("Learning Algorithms",
    section 3.3):

        v ← β·v + (1−β)·g      (the velocity: an average of recent gradients)
        w ← w − η·v

    With a constant η this is classic momentum (``SGD(momentum=β)``) with the
    learning rate η·(1−β), so η here can be about ten times larger for β = 0.9.
    Under a schedule the two part ways: here η multiplies the *whole* velocity,
    so when η drops every remembered gradient is damped at once, while in the
    classic form (and in Keras) old steps keep their old size. Keras has no
    built-in twin of this form.

    Not to be confused with Keras' ``use_ema``/``ema_momentum`` arguments, which
    average the *weights* for evaluation rather than the gradients.

    Args:
        learning_rate: float ≥ 0, a ``LearningRateSchedule`` or a callable.
            Defaults to 0.01.
        momentum: β in [0, 1). Defaults to 0.9. 0 is plain gradient descent; at 1
            the velocity would stay 0 and nothing would move, so 1 is refused.
        **kwargs: the base optimizer's arguments (``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name``, ...).

    Example:
        >>> optimizer = EMAMomentum(learning_rate=0.05, momentum=0.9)
        >>> w = keras.Variable([10.0, 1.0])
        >>> optimizer.apply([keras.ops.convert_to_tensor([20.0, 20.0])], [w])
    """

    def __init__(self, learning_rate=0.01, momentum=0.9, **kwargs):
        learning_rate = _validation.learning_rate(learning_rate)
        momentum = _validation.unit_interval("momentum", momentum)
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum

    def build(self, variables):
        """Create one velocity slot per variable."""
        if self.built:
            return
        super().build(variables)
        self.velocities = self.add_optimizer_variables(variables, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        """One step for one variable. Runs inside the traced train step: no Python maths."""
        learning_rate = keras.ops.cast(learning_rate, variable.dtype)
        gradient = keras.ops.cast(gradient, variable.dtype)
        velocity = slots.slot(self, self.velocities, variable)
        # TODO: v ← β·v + (1−β)·g (keep v in its slot with self.assign), then w ← w − η·v.
        # BEGIN SOLUTION ema_momentum
        # v ← β·v + (1−β)·g
        self.assign(velocity, keras.ops.add(keras.ops.multiply(self.momentum, velocity),
                                            keras.ops.multiply(1.0 - self.momentum, gradient)))
        # w ← w − η·v
        self.assign_sub(variable, keras.ops.multiply(learning_rate, velocity))
        # END SOLUTION

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum})
        return config
