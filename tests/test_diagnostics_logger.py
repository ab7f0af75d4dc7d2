"""DiagnosticsLogger: hooks driven by hand (fast, exact), then one real fit against CSVLogger."""

import csv
import importlib.util
import pathlib

import keras
import numpy as np
import pandas as pd
import pytest

import callbacks
from callbacks import diagnostics
from tests import _figures

# Seed 000's 'Overfitting' scenario, as the logs of ten epochs.
TRAIN = [2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002]
VAL = [2.1, 1.1, 0.6, 0.4, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8]


@pytest.fixture
def model():
    stub = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    stub.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    return stub


def drive(logger, model, logs_per_epoch, begin=True, end=True):
    logger.set_model(model)
    if begin:
        logger.on_train_begin()
    for epoch, logs in enumerate(logs_per_epoch):
        logger.on_epoch_end(epoch, logs)
    if end:
        logger.on_train_end()


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_resolves_from_the_callbacks_package():
    assert callbacks.DiagnosticsLogger is diagnostics.DiagnosticsLogger


def test_one_row_per_epoch_with_learning_rate_and_running_diagnosis(tmp_path, model, capsys):
    path = tmp_path / "run.csv"
    logs = [{"loss": t, "val_loss": v} for t, v in zip(TRAIN, VAL)]
    drive(callbacks.DiagnosticsLogger(path), model, logs)
    written = rows(path)
    assert list(written[0]) == ["epoch", "loss", "val_loss", "learning_rate", "diagnosis"]
    assert [int(row["epoch"]) for row in written] == list(range(10))
    assert [float(row["loss"]) for row in written] == TRAIN
    assert all(float(row["learning_rate"]) == pytest.approx(0.05, rel=1e-6) for row in written)
    # Each row's diagnosis is classify() of the rows up to it.
    for count in (3, 6, 10):
        expected = diagnostics.classify({"loss": TRAIN[:count], "val_loss": VAL[:count]}).label
        assert written[count - 1]["diagnosis"] == expected
    verdict = capsys.readouterr().out.strip().splitlines()
    assert verdict[0].startswith("Diagnosis: OVERFITTING") and len(verdict) <= 4


def test_every_row_is_on_disk_before_training_ends(tmp_path, model):
    path = tmp_path / "run.csv"
    logger = callbacks.DiagnosticsLogger(path, verbose=False)
    drive(logger, model, [{"loss": value} for value in TRAIN[:4]], end=False)
    assert [float(row["loss"]) for row in rows(path)] == TRAIN[:4]  # Flushed, not yet closed.
    logger.on_train_end()


def test_append_continues_epochs_without_a_second_header(tmp_path, model):
    path = tmp_path / "run.csv"
    first = [{"loss": t, "val_loss": v} for t, v in zip(TRAIN[:5], VAL[:5])]
    second = [{"loss": t, "val_loss": v} for t, v in zip(TRAIN[5:], VAL[5:])]
    drive(callbacks.DiagnosticsLogger(path, verbose=False), model, first)
    logger = callbacks.DiagnosticsLogger(path, append=True, verbose=False)
    drive(logger, model, second)
    text = path.read_text()
    assert text.count("epoch,") == 1
    assert [int(row["epoch"]) for row in rows(path)] == list(range(10))
    assert logger.diagnosis == diagnostics.classify({"loss": TRAIN, "val_loss": VAL})


def test_missing_and_late_metrics_keep_columns_stable(tmp_path, model):
    path = tmp_path / "run.csv"
    logs = [{"loss": 1.0, "val_loss": 1.1}, {"loss": 0.9}, {"loss": 0.8, "val_loss": 0.9,
                                                            "accuracy": 0.7}]
    drive(callbacks.DiagnosticsLogger(path, verbose=False), model, logs)
    written = rows(path)
    assert len(written) == 3
    assert list(written[0]) == ["epoch", "loss", "val_loss", "accuracy", "learning_rate",
                                "diagnosis"]
    assert written[1]["val_loss"] == "NA" and written[0]["accuracy"] == "NA"
    assert written[2]["accuracy"] == "0.7"
    assert not path.with_name("run.csv.tmp").exists()


@pytest.mark.parametrize("content", ["this is not\x00 a log\n\"", "epoch,accuracy\n0,0.5\n",
                                     "epoch,loss\n0,0.5,extra,fields\n"])
def test_append_to_a_garbled_file_refuses_and_leaves_it_untouched(tmp_path, model, content):
    path = tmp_path / "run.csv"
    path.write_text(content)
    before = path.read_bytes()
    logger = callbacks.DiagnosticsLogger(path, append=True)
    logger.set_model(model)
    with pytest.raises(ValueError, match="cannot append to .*run.csv"):
        logger.on_train_begin()
    assert path.read_bytes() == before


def test_append_to_a_keras_csvlogger_file_keeps_its_rows(tmp_path, model):
    path = tmp_path / "run.csv"
    path.write_text("epoch,loss,val_loss\n0,2.0,2.1\n1,1.0,1.1\n")
    drive(callbacks.DiagnosticsLogger(path, append=True, verbose=False), model,
          [{"loss": 0.5, "val_loss": 0.6}])
    written = rows(path)
    assert [row["loss"] for row in written] == ["2.0", "1.0", "0.5"]
    assert written[0]["diagnosis"] == "NA" and written[2]["epoch"] == "2"


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="filename"):
        callbacks.DiagnosticsLogger("")
    with pytest.raises(ValueError, match="append"):
        callbacks.DiagnosticsLogger("run.csv", append="yes")


def test_reused_logger_starts_clean(tmp_path, model):
    path = tmp_path / "run.csv"
    logger = callbacks.DiagnosticsLogger(path, verbose=False)
    drive(logger, model, [{"loss": value} for value in TRAIN])
    drive(logger, model, [{"loss": value} for value in TRAIN[:3]])
    assert len(rows(path)) == 3


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2)).astype("float32")
    y = (x @ np.array([[1.5], [-2.0]], dtype="float32") + 0.5).astype("float32")
    return x, y


@pytest.mark.slow
def test_real_fit_matches_keras_csvlogger_and_tracks_a_schedule(tmp_path, monkeypatch):
    saved = _figures.record_saved(monkeypatch)
    keras.utils.set_random_seed(0)
    x, y = _data()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=4, decay_rate=0.5)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse", metrics=["mae"])
    ours, theirs, png = tmp_path / "ours.csv", tmp_path / "keras.csv", tmp_path / "run.png"
    model.fit(x, y, validation_split=0.25, epochs=6, batch_size=16, verbose=0,
              callbacks=[callbacks.DiagnosticsLogger(ours, plot=png, verbose=False),
                         keras.callbacks.CSVLogger(str(theirs))])
    ours_frame, keras_frame = pd.read_csv(ours), pd.read_csv(theirs)
    for column in ("loss", "val_loss", "mae", "val_mae"):
        np.testing.assert_allclose(ours_frame[column], keras_frame[column], rtol=1e-6)
    # 3 steps per epoch: after epoch e the schedule is at step 3(e+1).
    expected = [0.05 * 0.5 ** (3 * (epoch + 1) / 4) for epoch in range(6)]
    np.testing.assert_allclose(ours_frame["learning_rate"], expected, rtol=1e-5)
    assert set(ours_frame["diagnosis"]) <= set(diagnostics.LABELS)
    assert png.is_file()
    figure, path = saved[-1]  # The figure saved at the end, with the whole run's curves.
    assert pathlib.Path(path) == png
    lines = {line.get_label(): line.get_ydata() for line in figure.axes[0].get_lines()}
    np.testing.assert_allclose(lines["train loss"], ours_frame["loss"])
    np.testing.assert_allclose(lines["val loss"], ours_frame["val_loss"])
    assert figure.axes[0].get_title() == ours_frame["diagnosis"].iloc[-1]


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("custom.training") is None,
                    reason="custom.training (fit_with_tape) has not landed yet")
def test_works_under_the_manual_tape_loop(tmp_path):
    import custom.training

    keras.utils.set_random_seed(0)
    x, y = _data()
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    path = tmp_path / "tape.csv"
    custom.training.fit_with_tape(model, x, y, epochs=4, batch_size=16, verbose=0,
                                  callbacks=[callbacks.DiagnosticsLogger(path, verbose=False)])
    frame = pd.read_csv(path)
    assert list(frame["epoch"]) == [0, 1, 2, 3] and np.isfinite(frame["loss"]).all()
    assert frame["learning_rate"].iloc[0] == pytest.approx(0.05)
