"""--tensorboard DIR: event files that TensorBoard's own reader loads, with the metrics of
every fit (model.fit and fit_with_tape alike) and the diagnosis as text."""

import ast
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

import callbacks
from custom import training
from labs import __main__ as front_door
from labs.machinery import runtime
from labs.machinery.runtime import param


def load(folder):
    """TensorBoard's own view of one run folder: scalars and tensors (text summaries)."""
    accumulator = event_accumulator.EventAccumulator(
        str(folder), size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def scalars(accumulator, tag):
    """The values of ``tag`` by step; Keras writes its scalars as tensor summaries."""
    tags = accumulator.Tags()
    if tag in tags["scalars"]:
        return {event.step: event.value for event in accumulator.Scalars(tag)}
    return {event.step: float(tf.make_ndarray(event.tensor_proto))
            for event in accumulator.Tensors(tag)}


def text(accumulator, tag="diagnosis"):
    return [event.tensor_proto.string_val[0].decode() for event in accumulator.Tensors(tag)]


def start(tmp_path, *flags):
    return runtime.start("tour", {"epochs": param(3, minimum=1)},
                          argv=["--out", str(tmp_path / "out"), *flags])


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype("float32")          # (samples, features)
    y = (x[:, :1] * x[:, 1:] > 0).astype("float32")         # (samples, 1)
    return x, y


def model():
    keras.utils.set_random_seed(0)
    network = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(8, activation="relu"),
                                keras.layers.Dense(1, activation="sigmoid")])
    network.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
                    metrics=["accuracy"])
    return network


def test_without_the_flag_the_callbacks_come_back_unchanged(tmp_path):
    lab = start(tmp_path)
    early = callbacks.EarlyStopping(patience=2)
    assert lab.tensorboard is None
    assert lab.fit_callbacks("run", [early]) == [early]
    assert lab.fit_callbacks("run") == []


def test_each_label_gets_its_own_run_folder(tmp_path):
    lab = start(tmp_path, "--tensorboard", str(tmp_path / "logs"))
    folders = [lab.fit_callbacks(label)[-1].log_dir for label in ("adam", "adam", "η = 0.1")]
    assert folders == [str(tmp_path / "logs" / name) for name in ("adam", "adam_2", "η_=_0.1")]
    with pytest.raises(ValueError, match="label must be a non-empty string"):
        lab.fit_callbacks("  ")


def test_the_environment_variable_turns_it_on_where_flags_cannot_reach(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_TENSORBOARD", str(tmp_path / "logs"))
    assert str(start(tmp_path).tensorboard) == str(tmp_path / "logs")


@pytest.mark.parametrize("loop", ["model.fit", "fit_with_tape"])
def test_every_epoch_metric_and_the_diagnosis_are_in_tensorboards_reader(tmp_path, loop):
    lab = start(tmp_path, "--tensorboard", str(tmp_path / "logs"))
    x, y = data()
    logger = callbacks.DiagnosticsLogger(tmp_path / "run.csv", verbose=False)
    arguments = dict(batch_size=16, epochs=6, validation_data=(x[:16], y[:16]), shuffle=False,
                     verbose=0, callbacks=lab.fit_callbacks(loop, [logger]))
    network = model()
    if loop == "model.fit":
        history = network.fit(x, y, **arguments).history
    else:
        history = training.fit_with_tape(network, x, y, **arguments).history

    run = tmp_path / "logs" / loop
    train, validation = load(run / "train"), load(run / "validation")
    for name in ("loss", "accuracy"):
        logged = scalars(train, f"epoch_{name}")
        assert sorted(logged) == list(range(6))
        np.testing.assert_allclose([logged[step] for step in range(6)], history[name],
                                   rtol=1e-6)
        validated = scalars(validation, f"epoch_{name}")
        np.testing.assert_allclose([validated[step] for step in range(6)],
                                   history[f"val_{name}"], rtol=1e-6)
    written = text(train)
    assert len(written) == 1
    assert written[0].startswith(f"**{logger.diagnosis.label}**: {logger.diagnosis.reason}")
    assert f"Advice: {logger.diagnosis.advice}" in written[0]


def test_a_logger_with_its_own_folder_keeps_it(tmp_path):
    lab = start(tmp_path, "--tensorboard", str(tmp_path / "logs"))
    logger = callbacks.DiagnosticsLogger(tmp_path / "run.csv", tensorboard=tmp_path / "mine")
    lab.fit_callbacks("run", [logger])
    assert logger.tensorboard == tmp_path / "mine"
    with pytest.raises(ValueError, match="tensorboard must be a folder path or None"):
        callbacks.DiagnosticsLogger(tmp_path / "run.csv", tensorboard=3)


@pytest.mark.slow
def test_a_lab_run_with_the_flag_leaves_a_run_folder_per_fit(tour_as_the_class_runs_it):
    """The tour in quick mode with --tensorboard, the run tests/test_tour.py reads too
    (the session fixture ``tour_as_the_class_runs_it``, tests/conftest.py)."""
    run = tour_as_the_class_runs_it
    assert run.status == 0, run.stdout[-2000:]
    logs = run.logs
    runs = sorted(path.name for path in logs.iterdir())
    assert len(runs) >= 2, runs
    diagnosed = 0
    for name in runs:
        train = load(logs / name / "train")
        assert scalars(train, "epoch_loss"), f"{name}: no epoch_loss"
        diagnosed += bool(train.Tags()["tensors"] and "diagnosis" in train.Tags()["tensors"])
    assert diagnosed >= 1


def fit_calls(path):
    """Every training call in a lab's file: ``X.fit(..., epochs=...)`` and ``fit_with_tape(...)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            getattr(node.func, "id", "")
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if (name == "fit" and "epochs" in keywords) or name == "fit_with_tape":
            yield node, keywords


@pytest.mark.parametrize("path", sorted(pathlib.Path(front_door.__file__).parent.glob("*.py")),
                         ids=lambda path: path.name)
def test_every_fit_in_the_labs_takes_the_labs_callbacks(path):
    """--tensorboard reaches every fit: a lesson passes lab.fit_callbacks(...), and a helper
    passes on the callbacks (or the keyword arguments) it was given."""
    for node, keywords in fit_calls(path):
        if None in keywords:   # fit(..., **arguments): its caller gives the callbacks.
            continue
        given = keywords.get("callbacks")
        source = ast.unparse(given) if given is not None else ""
        assert "fit_callbacks" in source or "callbacks" in source.split("[")[0], \
            f"{path.name}:{node.lineno}: {ast.unparse(node)[:80]}"
