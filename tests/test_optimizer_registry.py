"""A student's own optimizer joins the registry, runs where --optimizer is taken, and is checked.

The example is Adagrad (G ← G + g², w ← w − η·g / (√G + ε)), written as a student would,
finding its slot with ``custom.optimizers.slots.slot`` instead of a private Keras method.
"""

import keras
import numpy as np
import pytest

import custom.optimizers
from assignments import runner
from custom.optimizers import slots


class Adagrad(keras.optimizers.Optimizer):
    """Adagrad: G ← G + g²; w ← w − η·g / (√G + ε), with G starting at 0.1 as in Keras."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.accumulators = [
            self.add_variable_from_reference(variable, name="accumulator",
                                             initializer=keras.initializers.Constant(
                                                 self.initial_accumulator_value))
            for variable in variables]

    def update_step(self, gradient, variable, learning_rate):
        learning_rate = keras.ops.cast(learning_rate, variable.dtype)
        gradient = keras.ops.cast(gradient, variable.dtype)
        accumulator = slots.slot(self, self.accumulators, variable)
        self.assign_add(accumulator, keras.ops.square(gradient))             # G ← G + g²
        self.assign_sub(variable, keras.ops.divide(                          # w ← w − η·g/√(G+ε)
            keras.ops.multiply(learning_rate, gradient),
            keras.ops.sqrt(keras.ops.add(accumulator, self.epsilon))))

    def get_config(self):
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config


@pytest.fixture
def registry(monkeypatch):
    """The registry, restored after the test."""
    monkeypatch.setattr(custom.optimizers, "_REGISTRY", dict(custom.optimizers._REGISTRY))
    return custom.optimizers


def test_a_registered_optimizer_is_known_by_name_in_both_implementations(registry):
    registry.register("adagrad", Adagrad, keras_twin=keras.optimizers.Adagrad)
    assert "adagrad" in registry.names() and "adagrad" in registry.names("keras")
    assert isinstance(registry.get("adagrad", learning_rate=0.1), Adagrad)
    assert isinstance(registry.get("adagrad", implementation="keras"), keras.optimizers.Adagrad)


def test_the_checker_compares_it_with_its_keras_twin_step_by_step(registry):
    registry.register("adagrad", Adagrad, keras_twin=keras.optimizers.Adagrad)
    result = runner.run("adagrad")
    assert result.passed, result.text()
    assert result.score == 10


def test_a_wrong_rule_is_caught_with_the_step_where_it_leaves_the_twin(registry):
    class NoRootAdagrad(Adagrad):
        def update_step(self, gradient, variable, learning_rate):
            accumulator = slots.slot(self, self.accumulators, variable)
            self.assign_add(accumulator, keras.ops.square(gradient))
            self.assign_sub(variable, keras.ops.cast(learning_rate, variable.dtype) * gradient
                            / (accumulator + self.epsilon))

    registry.register("adagrad", NoRootAdagrad, keras_twin=keras.optimizers.Adagrad)
    result = runner.run("adagrad")
    assert not result.passed
    assert "first difference at step 1" in result.text()


def test_slot_finds_each_variables_own_slot():
    optimizer = Adagrad(learning_rate=0.5, initial_accumulator_value=0.0)
    first, second = keras.Variable([1.0, 1.0]), keras.Variable([1.0])
    optimizer.apply([np.array([1.0, 2.0], "float32"), np.array([3.0], "float32")],
                    [first, second])
    np.testing.assert_allclose(slots.slot(optimizer, optimizer.accumulators, first), [1.0, 4.0])
    np.testing.assert_allclose(slots.slot(optimizer, optimizer.accumulators, second), [9.0])


@pytest.mark.parametrize("arguments, message", [
    (("Adagrad", Adagrad), "lowercase"),
    (("adam", Adagrad), "registered already"),
    (("adagrad", object), "optimizer_class must be a keras.optimizers.Optimizer"),
    (("adagrad", Adagrad, dict), "keras_twin must be a keras.optimizers.Optimizer"),
])
def test_a_bad_registration_is_refused_with_a_clear_message(registry, arguments, message):
    with pytest.raises(ValueError, match=message):
        registry.register(*arguments)


def test_a_name_without_a_twin_is_not_a_task(registry):
    registry.register("adagrad", Adagrad)
    with pytest.raises(runner.UnknownTask, match="without a keras_twin"):
        runner.task("adagrad")
    with pytest.raises(runner.UnknownTask, match="unknown task 'lion'"):
        runner.task("lion")
