"""Adam: momentum on the gradient, RMSprop on its scale, both bias-corrected."""

import keras

from custom.optimizers import _validation, slots


@keras.saving.register_keras_serializable(package="custom")
class Adam(keras.optimizers.Optimizer):
    """Adam, step for step the Keras built-in, or with the textbook placement of ε.

    For a variable w with gradient g at step t = 1, 2, …, learning rate η,
    decays β₁, β₂ and constant ε ("The Learning Problem"):

        m ← β₁·m + (1−β₁)·g            (first moment: average gradient)
        v ← β₂·v + (1−β₂)·g²           (second moment: average squared gradient)
        m̂ = m / (1−β₁ᵗ),  v̂ = v / (1−β₂ᵗ)   (bias correction)

    textbook (``textbook_epsilon=True``, "The Learning Problem"):
        w ← w − η·m̂ / (√v̂ + ε)
    Keras (the default, the paper's "ε̂" form):
        α = η·√(1−β₂ᵗ) / (1−β₁ᵗ)
        w ← w − α·m / (√v + ε)

    The two forms are the same except for ε: the Keras form equals the textbook
    one with ε replaced by ε/√(1−β₂ᵗ), which is about 32·ε at t = 1 for β₂ = 0.999
    and shrinks to ε as t grows. It matters only where √v̂ is as small as ε.

    AMSGrad (``amsgrad=True``, Reddi et al. 2018) divides by the largest second
    moment so far instead of the current one, so a step never grows just because
    the recent gradients were small:

        vₘₐₓ ← max(vₘₐₓ, v)             (elementwise; vₘₐₓ starts at 0)

    and vₘₐₓ replaces v in the step, in either form: w ← w − α·m / (√vₘₐₓ + ε),
    or textbook w ← w − η·m̂ / (√v̂ₘₐₓ + ε) with v̂ₘₐₓ = vₘₐₓ / (1−β₂ᵗ). The maximum is
    taken before bias correction, as Keras and PyTorch do.

    Args:
        learning_rate: float ≥ 0, a ``LearningRateSchedule`` or a callable.
            Defaults to 0.001.
        beta_1: β₁ in [0, 1). Defaults to 0.9.
        beta_2: β₂ in [0, 1). Defaults to 0.999.
        epsilon: ε ≥ 0. Defaults to 1e-7, as in Keras (the paper and "The Learning Problem"
            use 1e-8).
        amsgrad: bool, whether to divide by vₘₐₓ (AMSGrad). Defaults to False.
        textbook_epsilon: bool. False (default) matches ``keras.optimizers.Adam``;
            True adds ε to √v̂ as "The Learning Problem" does.
        **kwargs: the base optimizer's arguments (``clipnorm``, ``clipvalue``,
            ``global_clipnorm``, ``name``, ...).

    Example:
        >>> optimizer = Adam(learning_rate=0.01, amsgrad=True)
        >>> w = keras.Variable([-1.5, 2.0])
        >>> optimizer.apply([keras.ops.convert_to_tensor([1.0, -1.0])], [w])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, textbook_epsilon=False, **kwargs):
        learning_rate = _validation.learning_rate(learning_rate)
        beta_1 = _validation.unit_interval("beta_1", beta_1)
        beta_2 = _validation.unit_interval("beta_2", beta_2)
        epsilon = _validation.non_negative("epsilon", epsilon)
        if not isinstance(amsgrad, bool):
            raise ValueError(f"amsgrad must be True or False, got {amsgrad!r}")
        if not isinstance(textbook_epsilon, bool):
            raise ValueError(f"textbook_epsilon must be True or False, got {textbook_epsilon!r}")
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.textbook_epsilon = textbook_epsilon

    def build(self, variables):
        """Create the first- and second-moment slots per variable, and vₘₐₓ for AMSGrad.

        They are created in Keras' order, so the optimizer's variables line up with
        those of ``keras.optimizers.Adam`` one for one.
        """
        if self.built:
            return
        super().build(variables)
        self.first_moments, self.second_moments = self.add_optimizer_variables(
            variables, ["first_moment", "second_moment"])
        self.largest_second_moments = []
        if self.amsgrad:
            self.largest_second_moments = self.add_optimizer_variables(
                variables, "largest_second_moment")

    def update_step(self, gradient, variable, learning_rate):
        """One step for one variable. Runs inside the traced train step: no Python maths."""
        learning_rate = keras.ops.cast(learning_rate, variable.dtype)
        gradient = keras.ops.cast(gradient, variable.dtype)
        first_moment = slots.slot(self, self.first_moments, variable)     # m
        second_moment = slots.slot(self, self.second_moments, variable)   # v
        # TODO: m ← β₁·m + (1−β₁)·g and v ← β₂·v + (1−β₂)·g², kept in their slots.
        # BEGIN SOLUTION adam
        # m ← β₁·m + (1−β₁)·g, written m + (1−β₁)·(g − m) as Keras does, to stay bit-identical
        self.assign_add(first_moment, keras.ops.multiply(
            keras.ops.subtract(gradient, first_moment), 1.0 - self.beta_1))
        # v ← β₂·v + (1−β₂)·g², written the same way
        self.assign_add(second_moment, keras.ops.multiply(
            keras.ops.subtract(keras.ops.square(gradient), second_moment), 1.0 - self.beta_2))
        # END SOLUTION
        if self.amsgrad:
            largest_second_moment = slots.slot(self, self.largest_second_moments, variable)
            # vₘₐₓ ← max(vₘₐₓ, v), and vₘₐₓ takes v's place in the step below
            self.assign(largest_second_moment,
                        keras.ops.maximum(largest_second_moment, second_moment))
            second_moment = largest_second_moment
        # TODO: t counted from 1, bias correction, then w ← w − η·m̂ / (√v̂ + ε) in either form.
        # BEGIN SOLUTION adam
        step = keras.ops.cast(self.iterations + 1, variable.dtype)  # t, counted from 1
        beta_1 = keras.ops.convert_to_tensor(self.beta_1, variable.dtype)
        beta_2 = keras.ops.convert_to_tensor(self.beta_2, variable.dtype)
        beta_1_power = keras.ops.power(beta_1, step)  # β₁ᵗ
        beta_2_power = keras.ops.power(beta_2, step)  # β₂ᵗ
        if self.textbook_epsilon:
            corrected_first = keras.ops.divide(first_moment, 1.0 - beta_1_power)  # m̂ = m/(1−β₁ᵗ)
            corrected_second = keras.ops.divide(second_moment, 1.0 - beta_2_power)  # v̂ = v/(1−β₂ᵗ)
            # w ← w − η·m̂ / (√v̂ + ε)
            self.assign_sub(variable, keras.ops.divide(
                keras.ops.multiply(learning_rate, corrected_first),
                keras.ops.add(keras.ops.sqrt(corrected_second), self.epsilon)))
        else:
            # α = η·√(1−β₂ᵗ) / (1−β₁ᵗ)
            step_size = learning_rate * keras.ops.sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power)
            # w ← w − α·m / (√v + ε)
            self.assign_sub(variable, keras.ops.divide(
                keras.ops.multiply(first_moment, step_size),
                keras.ops.add(keras.ops.sqrt(second_moment), self.epsilon)))
        # END SOLUTION

    def get_config(self):
        """Keras' Adam config; ``textbook_epsilon`` appears only when True.

        So the config of the default form loads into ``keras.optimizers.Adam`` too,
        while one that asks for the textbook ε, a form Keras lacks, is refused there.
        """
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        if self.textbook_epsilon:
            config["textbook_epsilon"] = True
        return config
