"""custom/arguments.py: one behaviour for every argument in the project.

The same values are refused, with the same words, by the module itself, an optimizer, a
schedule, a callback, fit_with_tape and a lab's flags.
"""

import math

import keras
import numpy as np
import pytest

import callbacks
import custom.optimizers
import custom.schedules
from custom import arguments, training
from labs.machinery import hyperparameters

NOT_NUMBERS = [True, False, "0.1", None, math.nan, math.inf, -math.inf, [0.1]]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_bools_strings_nan_and_infinity_are_not_numbers(value):
    with pytest.raises(ValueError, match=r"^rate must be a finite number >= 0, got "):
        arguments.number("rate", value, minimum=0)


@pytest.mark.parametrize("value, kwargs, wanted", [
    (1.5, dict(minimum=0, below=1), "a finite number >= 0 and < 1"),
    (0, dict(above=0), "a finite number > 0"),
    (3.0, dict(minimum=1, integer=True), "an integer >= 1"),
    (np.int64(0), dict(minimum=1, integer=True), "an integer >= 1"),
    (2, dict(maximum=1), "a finite number <= 1"),
])
def test_out_of_range_values_name_the_argument_and_the_range(value, kwargs, wanted):
    with pytest.raises(ValueError) as caught:
        arguments.number("x", value, **kwargs)
    assert str(caught.value) == f"x must be {wanted}, got {value!r}"


def test_accepted_values_come_back_as_float_or_int():
    assert arguments.number("x", 1, minimum=0) == 1.0 and isinstance(
        arguments.number("x", 1, minimum=0), float)
    assert arguments.number("n", np.int32(4), minimum=1, integer=True) == 4
    assert arguments.boolean("flag", False) is False
    assert arguments.choice("mode", "min", ("min", "max")) == "min"
    for bad in (0, 1, "True", None):
        with pytest.raises(ValueError, match=r"^flag must be True or False, got "):
            arguments.boolean("flag", bad)
    with pytest.raises(ValueError, match=r"^mode must be one of 'min', 'max', got 'up'$"):
        arguments.choice("mode", "up", ("min", "max"))


def one_line_refusals(value):
    """The error each part of the project gives for ``value`` as a rate ≥ 0."""
    refusals = {}
    makers = {
        "arguments": lambda: arguments.number("learning_rate", value, minimum=0),
        "optimizer": lambda: custom.optimizers.SGD(learning_rate=value),
        "schedule": lambda: custom.schedules.StepDecay(initial_learning_rate=value),
        "callback": lambda: callbacks.ReduceLROnPlateau(min_lr=value),
        "lab flag": lambda: hyperparameters.param(0.1, minimum=0).check("learning_rate",
                                                                          value),
    }
    for part, make in makers.items():
        try:
            make()
        except ValueError as error:
            refusals[part] = str(error)
        else:
            refusals[part] = None
    return refusals


@pytest.mark.parametrize("value", [True, "0.1", math.nan, math.inf, -0.5])
def test_every_part_refuses_the_same_values(value):
    refusals = one_line_refusals(value)
    assert all(refusals.values()), refusals   # Each part refused it.
    assert all("\n" not in message for message in refusals.values())


def test_fit_with_tape_refuses_a_bool_batch_size_in_the_same_words():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"^batch_size must be an integer >= 1, got True$"):
        training.fit_with_tape(model, np.zeros((4, 2)), np.zeros((4, 1)), batch_size=True)
