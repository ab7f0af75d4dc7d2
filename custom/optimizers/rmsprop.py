"""RMSprop: divide each step by a running root-mean-square of the gradients."""

import keras

from custom.optimizers import _validation, slots


@keras.saving.register_keras_serializable(package="custom")
class RMSprop(keras.optimizers.Optimizer):
    """RMSprop, plain, centered or with momentum, step for step the Keras built-in.

    For a variable w with gradient g, learning rate η, decay ρ and constant ε:

        s ← ρ·s + (1−ρ)·g²        (running mean of squared gradients)
        w ← w − η·g / √(s + ε)

    ε sits inside the square root, as in Keras and in the equation of
    "The Learning Problem". That chapter's *code* adds it outside, η·g / (√s + ε); the
    two differ only while s is as small as ε. The chapter calls ρ "beta" and uses
    ε = 1e-8; Keras uses 1e-7.

    Centered (``centered=True``, Graves 2013) divides by an estimate of the
    gradient's *variance*, s − ḡ², instead of its mean square s: steps grow where
    the gradient is consistent and shrink where it is noisy.

        ḡ ← ρ·ḡ + (1−ρ)·g          (running mean of gradients)
        Δ = η·g / √(s − ḡ² + ε)
        w ← w − Δ

    With momentum μ > 0 the step Δ (plain or centered; plain Δ = η·g / √(s + ε))
    feeds a velocity, as classic momentum does with η·g:

        v ← μ·v + Δ
        w ← w − v

    Args:
        learning_rate: float ≥ 0, a ``LearningRateSchedule`` or a callable.
            Defaults to 0.001, as in Keras.
        rho: ρ in [0, 1). Defaults to 0.9.
        momentum: μ in [0, 1]. Defaults to 0.0 (no velocity).
        epsilon: ε ≥ 0. Defaults to 1e-7.
        centered: bool, divide by the variance estimate s − ḡ². Defaults to False.
        **kwargs: the base optimizer's arguments (``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name``, ...).

    Example:
        >>> optimizer = RMSprop(learning_rate=0.01, momentum=0.9, centered=True)
        >>> w = keras.Variable([-1.5, 2.0])
        >>> optimizer.apply([keras.ops.convert_to_tensor([1.0, -1.0])], [w])
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        learning_rate = _validation.learning_rate(learning_rate)
        rho = _validation.unit_interval("rho", rho)
        momentum = _validation.unit_interval("momentum", momentum, include_one=True)
        epsilon = _validation.non_negative("epsilon", epsilon)
        if not isinstance(centered, bool):
            raise ValueError(f"centered must be True or False, got {centered!r}")
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables):
        """Create the slots per variable: s always, v with momentum, ḡ when centered.

        They are created in Keras' order, so the optimizer's variables line up with
        those of ``keras.optimizers.RMSprop`` one for one.
        """
        if self.built:
            return
        super().build(variables)
        self.mean_squares = self.add_optimizer_variables(variables, "mean_square")
        self.velocities = []
        if self.momentum > 0.0:
            self.velocities = self.add_optimizer_variables(variables, "velocity")
        self.mean_gradients = []
        if self.centered:
            self.mean_gradients = self.add_optimizer_variables(variables, "mean_gradient")

    def update_step(self, gradient, variable, learning_rate):
        """One step for one variable. Runs inside the traced train step: no Python maths."""
        learning_rate = keras.ops.cast(learning_rate, variable.dtype)
        gradient = keras.ops.cast(gradient, variable.dtype)
        mean_square = slots.slot(self, self.mean_squares, variable)   # s
        # TODO: s ← ρ·s + (1−ρ)·g² (kept in its slot), then w ← w − η·g / √(s + ε).
        # BEGIN SOLUTION rmsprop
        # s ← ρ·s + (1−ρ)·g²
        self.assign(mean_square, keras.ops.add(keras.ops.multiply(self.rho, mean_square),
                                               keras.ops.multiply(1.0 - self.rho,
                                                                  keras.ops.square(gradient))))

        if not self.centered and self.momentum == 0.0:
            # w ← w − η·g / √(s + ε)
            self.assign_sub(variable, keras.ops.divide(
                keras.ops.multiply(learning_rate, gradient),
                keras.ops.sqrt(keras.ops.add(mean_square, self.epsilon))))
            return

        # The variants: first the step Δ, centered or not, then with or without a velocity.
        if self.centered:
            mean_gradient = slots.slot(self, self.mean_gradients, variable)
            # ḡ ← ρ·ḡ + (1−ρ)·g
            self.assign(mean_gradient, keras.ops.add(keras.ops.multiply(self.rho, mean_gradient),
                                                     keras.ops.multiply(1.0 - self.rho, gradient)))
            # Δ = η·g / √(s − ḡ² + ε)
            increment = keras.ops.divide(
                keras.ops.multiply(learning_rate, gradient),
                keras.ops.sqrt(keras.ops.add(
                    keras.ops.subtract(mean_square, keras.ops.square(mean_gradient)),
                    self.epsilon)))
        else:
            # Δ = η·g / √(s + ε)
            increment = keras.ops.divide(
                keras.ops.multiply(learning_rate, gradient),
                keras.ops.sqrt(keras.ops.add(mean_square, self.epsilon)))
        if self.momentum > 0.0:
            velocity = slots.slot(self, self.velocities, variable)
            # v ← μ·v + Δ
            self.assign(velocity, keras.ops.add(keras.ops.multiply(self.momentum, velocity),
                                                increment))
            # w ← w − v
            self.assign_sub(variable, velocity)
        else:
            # w ← w − Δ
            self.assign_sub(variable, increment)
        # END SOLUTION

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
