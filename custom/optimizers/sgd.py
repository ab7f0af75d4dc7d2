"""Stochastic gradient descent: plain, with classic momentum, or with Nesterov momentum."""

import keras

from custom.optimizers import _validation, slots


@keras.saving.register_keras_serializable(package="custom")
class SGD(keras.optimizers.Optimizer):
    """Gradient descent, with optional classic or Nesterov momentum.

    For a variable w with gradient g, learning rate η and momentum μ:

        plain (μ = 0):      w ← w − η·g            (also with nesterov=True, as in Keras)
        classic momentum:   v ← μ·v + η·g          (the velocity, as in "The Learning Problem")
                            w ← w − v
        Nesterov momentum:  v ← μ·v + η·g
                            w ← w − (μ·v + η·g)    (step from the look-ahead point)

    Keras' ``SGD`` stores the velocity with the opposite sign, v ← μ·v − η·g and
    w ← w + v. Negating a float is exact, so for float32 weights the two give
    bit-identical weights. (For float64 weights Keras casts μ through float32,
    0.8999999761… for 0.9, and the paths part by about 1e-8 per step.)
    The learning rate sits *inside* the velocity: under a schedule, steps taken
    at an old, larger η keep echoing after η drops. (``EMAMomentum`` is the form
    where η multiplies the whole velocity.)

    Args:
        learning_rate: float ≥ 0, a ``LearningRateSchedule`` or a callable.
            Defaults to 0.01, as in Keras.
        momentum: μ in [0, 1], as in Keras. 0 (the default) is plain gradient
            descent; at 1 the velocity never decays.
        nesterov: bool, whether to use Nesterov momentum. Defaults to False.
            With momentum 0 it changes nothing: both forms are plain descent.
        **kwargs: the base optimizer's arguments (``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``weight_decay``, ``name``, ...).

    Example:
        >>> optimizer = SGD(learning_rate=0.1, momentum=0.9)
        >>> w = keras.Variable([1.0, 2.0])
        >>> optimizer.apply([keras.ops.convert_to_tensor([0.5, 0.5])], [w])
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        learning_rate = _validation.learning_rate(learning_rate)
        momentum = _validation.unit_interval("momentum", momentum, include_one=True)
        if not isinstance(nesterov, bool):
            raise ValueError(f"nesterov must be True or False, got {nesterov!r}")
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        """Create one velocity slot per variable (none for plain gradient descent)."""
        if self.built:
            return
        super().build(variables)
        self.velocities = []
        if self.momentum != 0.0:
            self.velocities = self.add_optimizer_variables(variables, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        """One step for one variable. Runs inside the traced train step: no Python maths."""
        learning_rate = keras.ops.cast(learning_rate, variable.dtype)
        gradient = keras.ops.cast(gradient, variable.dtype)
        if self.momentum == 0.0:
            # w ← w − η·g
            self.assign_sub(variable, keras.ops.multiply(gradient, learning_rate))
            return
        velocity = slots.slot(self, self.velocities, variable)
        momentum = keras.ops.convert_to_tensor(self.momentum, variable.dtype)  # μ
        if self.nesterov:
            # TODO: v ← μ·v + η·g (keep v in its slot with self.assign), then w ← w − (μ·v + η·g).
            # BEGIN SOLUTION nesterov
            # v ← μ·v + η·g
            self.assign(velocity, keras.ops.add(keras.ops.multiply(velocity, momentum),
                                                keras.ops.multiply(gradient, learning_rate)))
            # w ← w − (μ·v + η·g): the step from the look-ahead point
            self.assign_sub(variable, keras.ops.add(keras.ops.multiply(velocity, momentum),
                                                    keras.ops.multiply(gradient, learning_rate)))
            # END SOLUTION
        else:
            # TODO: v ← μ·v + η·g (keep v in its slot with self.assign), then w ← w − v.
            # BEGIN SOLUTION sgd_momentum
            # v ← μ·v + η·g
            self.assign(velocity, keras.ops.add(keras.ops.multiply(velocity, momentum),
                                                keras.ops.multiply(gradient, learning_rate)))
            # w ← w − v
            self.assign_sub(variable, velocity)
            # END SOLUTION

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
