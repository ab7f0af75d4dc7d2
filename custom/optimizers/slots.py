"""A variable's slot inside ``update_step``.

An optimizer keeps per-variable state (a velocity, a running mean square) in *slots*:
one extra variable per trainable variable, made in ``build`` with Keras' public
``add_optimizer_variables``. ``update_step`` is called once per variable and must
find that variable's own slot; this helper does it::

    class Adagrad(keras.optimizers.Optimizer):
        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.accumulators = self.add_optimizer_variables(variables, "accumulator")

        def update_step(self, gradient, variable, learning_rate):
            accumulator = slots.slot(self, self.accumulators, variable)
            self.assign_add(accumulator, keras.ops.square(gradient))     # G ← G + g²
            ...
"""

from custom import keras_internals


def slot(optimizer, slot_variables, variable):
    """The entry of ``slot_variables`` that belongs to ``variable``.

    Args:
        optimizer: the optimizer whose ``update_step`` is running.
        slot_variables: a list made in ``build`` by ``optimizer.add_optimizer_variables``,
            one slot per trainable variable, in the order of the variables.
        variable: the variable that ``update_step`` was called with.
    """
    # Keras keeps the position of each trainable variable; custom/keras_internals.py asks it.
    return slot_variables[keras_internals.variable_index(optimizer, variable)]
