"""RMSprop: divide each step by a running root-mean-square of the gradients."""

import keras

from custom.optimizers import _validation


@keras.saving.register_keras_serializable(package="custom")
class RMSprop(keras.optimizers.Optimizer):
    """RMSprop without momentum and uncentered, step for step the Keras built-in.

    For a variable w with gradient g, learning rate η, decay ρ and constant ε:

        s ← ρ·s + (1−ρ)·g²        (running mean of squared gradients)
        w ← w − η·g / √(s + ε)

    ε sits inside the square root, as in Keras and in seed 001's equation.
    Seed 001's *code* adds it outside, η·g / (√s + ε); the two differ only while
    s is as small as ε. Seed 001 calls ρ "beta" and uses ε = 1e-8; Keras uses 1e-7.

    Args:
        learning_rate: float ≥ 0, a ``LearningRateSchedule`` or a callable.
            Defaults to 0.001, as in Keras.
        rho: ρ in [0, 1). Defaults to 0.9.
        epsilon: ε ≥ 0. Defaults to 1e-7.
        momentum, centered: accepted only at their Keras defaults (0.0 and
            False) so that the same keyword arguments fit both implementations;
            for the other variants use ``keras.optimizers.RMSprop``.
        **kwargs: the base optimizer's arguments (``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name``, ...).

    Example:
        >>> optimizer = RMSprop(learning_rate=0.01)
        >>> w = keras.Variable([-1.5, 2.0])
        >>> optimizer.apply([keras.ops.convert_to_tensor([1.0, -1.0])], [w])
    """

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, momentum=0.0,
                 centered=False, **kwargs):
        learning_rate = _validation.learning_rate(learning_rate)
        rho = _validation.unit_interval("rho", rho)
        epsilon = _validation.non_negative("epsilon", epsilon)
        if momentum != 0.0 or centered:
            raise ValueError("this RMSprop implements momentum=0.0 and centered=False only; got "
                             f"momentum={momentum!r}, centered={centered!r} (use "
                             "implementation='keras' for those variants)")
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        """Create one slot per variable for the running mean of g²."""
        if self.built:
            return
        super().build(variables)
        self.mean_squares = self.add_optimizer_variables(variables, "mean_square")

    def update_step(self, gradient, variable, learning_rate):
        """One step for one variable. Runs inside the traced train step: no Python maths."""
        learning_rate = keras.ops.cast(learning_rate, variable.dtype)
        gradient = keras.ops.cast(gradient, variable.dtype)
        mean_square = self.mean_squares[self._get_variable_index(variable)]
        # s ← ρ·s + (1−ρ)·g²
        self.assign(mean_square, keras.ops.add(keras.ops.multiply(self.rho, mean_square),
                                               keras.ops.multiply(1.0 - self.rho,
                                                                  keras.ops.square(gradient))))
        # w ← w − η·g / √(s + ε)
        self.assign_sub(variable, keras.ops.divide(
            keras.ops.multiply(learning_rate, gradient),
            keras.ops.sqrt(keras.ops.add(mean_square, self.epsilon))))

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
