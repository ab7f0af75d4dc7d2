"""custom/keras_internals.py: each read past Keras' public API still returns what the
project relies on, so that a Keras release that changes one fails here, by name.

The last test scans the tree: no other module reads ``keras.src`` or a Keras object's
underscore attribute.
"""

import ast
import pathlib

import keras
import pytest

from custom import keras_internals

ROOT = pathlib.Path(__file__).resolve().parents[1]


def compiled_model(optimizer):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


def test_learning_rate_of_is_the_variable_or_the_schedule_itself():
    constant = keras.optimizers.SGD(learning_rate=0.1)
    assert isinstance(keras_internals.learning_rate_of(constant), keras.Variable)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    assert keras_internals.learning_rate_of(keras.optimizers.SGD(schedule)) is schedule


def test_variable_index_is_each_trainable_variables_position():
    model = compiled_model("sgd")
    model.optimizer.build(model.trainable_variables)
    assert [keras_internals.variable_index(model.optimizer, variable)
            for variable in model.trainable_variables] == [0, 1, 2, 3]


def test_compiled_loss_and_metrics_are_new_objects_after_compiling_again():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    assert keras_internals.compiled_loss_and_metrics(model) == (None, None)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    first = keras_internals.compiled_loss_and_metrics(model)
    assert None not in first
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    second = keras_internals.compiled_loss_and_metrics(model)
    assert all(old is not new for old, new in zip(first, second))


@pytest.mark.parametrize("metric, direction", [
    (keras.metrics.BinaryAccuracy(), "up"), (keras.metrics.MeanAbsoluteError(), "down"),
    (keras.metrics.AUC(), "up")])
def test_metric_direction_of_keras_metrics(metric, direction):
    assert keras_internals.metric_direction(metric) == direction


def test_print_message_prints_on_stdout(capsys):
    keras_internals.print_message("epoch 3: reducing the rate")
    assert capsys.readouterr().out == "epoch 3: reducing the rate\n"


def test_a_missing_internal_is_named_with_the_keras_version():
    class Bare:
        pass

    with pytest.raises(keras_internals.KerasInternalsChanged,
                       match=rf"Keras {keras.__version__} has no Bare\._learning_rate"):
        keras_internals.learning_rate_of(Bare())


def test_no_other_module_reads_keras_internals():
    offenders = []
    for package in ("custom", "callbacks", "labs", "assignments", "datasets"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "keras_internals.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = [alias.name for alias in node.names]
                    module = getattr(node, "module", None) or ""
                    if module.startswith("keras.src") or any(
                            name.startswith("keras.src") for name in names):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                      and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                      and node.value.id in ("optimizer", "model", "metric", "layer", "keras")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert offenders == []
