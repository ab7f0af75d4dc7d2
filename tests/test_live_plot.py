"""``callbacks.LivePlot``: one line per epoch in a terminal; in a notebook, one figure updated in
place through one display handle, never a new picture per epoch; runs that share the axes;
the same under ``model.fit`` and ``fit_with_tape``; and a throttle on redraws.

Hooks are driven by hand where no training is needed; two tiny fits check the real loops,
and the callback in a real Jupyter kernel is tested in tests/test_notebooks.py
(``test_live_plot_in_a_real_kernel_updates_its_figure_in_place``), whose kernel session
runs its cell after two labs' notebooks (tests/_kernel_session.py: one kernel start).
"""

import io
import math
import sys
import types

import pathlib

import keras
import numpy as np
import pandas as pd
import pytest

import callbacks
import datasets
from callbacks import diagnostics
from callbacks import live_plot
from custom import training

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "diagnostics"

# A loss that falls and a validation loss that turns up after epoch 4: an overfitting run.
# Overfitting from epoch 5: the validation loss climbs steadily while the training loss falls.
LOSSES = [1.0, 0.8, 0.65, 0.55, 0.47, 0.41, 0.36, 0.32, 0.29, 0.26, 0.24, 0.22]
VAL_LOSSES = [1.0, 0.85, 0.74, 0.68, 0.66, 0.69, 0.73, 0.78, 0.83, 0.89, 0.95, 1.01]


def scripted_logs(epoch):
    return {"loss": LOSSES[epoch], "val_loss": VAL_LOSSES[epoch],
            "accuracy": 0.5 + 0.04 * epoch, "val_accuracy": 0.5 + 0.02 * epoch}


def drive(callback, epochs=len(LOSSES)):
    """Run the hooks of ``callback`` as fit would for ``epochs`` epochs of the scripted logs."""
    callback.set_params({"epochs": epochs, "steps": 4, "verbose": 0})
    callback.on_train_begin()
    for epoch in range(epochs):
        callback.on_epoch_end(epoch, scripted_logs(epoch))
    callback.on_train_end()


class FakeDisplay:
    """Stands in for IPython.display.display: counts shown images and in-place updates."""

    def __init__(self):
        self.shown = []
        self.updates = []

    def __call__(self, image, display_id=None):
        assert display_id is True, "the figure must be shown with a display id"
        self.shown.append(image.data)
        return self

    def update(self, image):
        self.updates.append(image.data)


@pytest.fixture
def fake_display(monkeypatch):
    from IPython import display as ipython_display

    fake = FakeDisplay()
    monkeypatch.setattr(ipython_display, "display", fake)
    return fake


def test_terminal_prints_one_line_per_epoch_with_the_running_label():
    stream = io.StringIO()
    drive(callbacks.LivePlot(mode="terminal", stream=stream).run("adam"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(LOSSES)
    for epoch, line in enumerate(lines, start=1):
        assert line.split()[:3] == ["adam", "epoch", f"{epoch}/{len(LOSSES)}"]
        assert f"loss {LOSSES[epoch - 1]:.4f} / {VAL_LOSSES[epoch - 1]:.4f}" in line
        assert "accuracy" in line and len(line) < 100
        history = {key: [scripted_logs(e)[key] for e in range(epoch)] for key in scripted_logs(0)}
        label = diagnostics.classify(history).label
        if epoch >= live_plot.DIAGNOSIS_AFTER:
            assert line.endswith(label)
        else:
            assert not any(name in line for name in diagnostics.LABELS)
    assert lines[-1].endswith("OVERFITTING")


def test_without_diagnosis_no_line_and_no_title_carries_a_label(fake_display):
    """``diagnosis=False`` (a lab that asks for the label before it reveals it): the same
    lines and figures, without the running label."""
    stream = io.StringIO()
    drive(callbacks.LivePlot(mode="terminal", stream=stream, diagnosis=False).run("adam"))
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(LOSSES)
    assert not any(name in line for line in lines for name in diagnostics.LABELS)
    with_label = callbacks.LivePlot(mode="notebook")
    without = callbacks.LivePlot(mode="notebook", diagnosis=False)
    for plot in (with_label, without):
        drive(plot.run("adam"))
    assert len(fake_display.shown) == 2, "both figures are still drawn"
    assert with_label._label(with_label.runs["adam"]) == "OVERFITTING"
    assert without._label(without.runs["adam"]) == ""


def three_class_model():
    return keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(3, activation="softmax")])


def test_the_running_label_takes_chance_from_the_model_as_the_logger_does():
    """A real 3-class run (spirals) whose verdict depends on K: without K, UNDERFITTING."""
    run = FIXTURES / "runs" / "learning_rate_high-spirals-seed1.csv"
    rows = pd.read_csv(run).drop(columns="epoch").to_dict("records")
    with_k = diagnostics.classify(run, num_classes=3).label
    assert with_k != diagnostics.classify(run).label  # Else this test could not fail.
    for plot, model in ((callbacks.LivePlot(mode="terminal", stream=io.StringIO()),
                         three_class_model()),
                        (callbacks.LivePlot(mode="terminal", stream=io.StringIO(),
                                            num_classes=3), None)):
        live = plot.run("spirals")
        live.set_model(model)
        live.set_params({"epochs": len(rows), "steps": 4, "verbose": 0})
        live.on_train_begin()
        for epoch, logs in enumerate(rows):
            live.on_epoch_end(epoch, logs)
        live.on_train_end()
        assert plot.stream.getvalue().splitlines()[-1].endswith(with_k)


def test_after_the_last_epoch_the_running_label_is_the_loggers_verdict(tmp_path):
    keras.utils.set_random_seed(0)
    x, y = datasets.spirals(n_samples=150, seed=0)
    model = three_class_model()
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stream = io.StringIO()
    logger = callbacks.DiagnosticsLogger(tmp_path / "run.csv", verbose=False)
    model.fit(x, y, validation_split=0.3, epochs=8, batch_size=32, verbose=0,
              callbacks=[logger, callbacks.LivePlot(mode="terminal", stream=stream)])
    assert stream.getvalue().splitlines()[-1].endswith(logger.diagnosis.label)


def test_notebook_shows_one_figure_and_updates_it_in_place(fake_display):
    plot = callbacks.LivePlot(mode="notebook", min_interval=0, max_share=1)
    drive(plot)
    # Every epoch draws (no throttle here); the last one is the final picture already.
    assert len(fake_display.shown) == 1
    assert len(fake_display.updates) == len(LOSSES) - 1
    assert plot.draws == len(LOSSES)
    assert all(png.startswith(b"\x89PNG") for png in fake_display.shown + fake_display.updates)
    assert plot._figure.figure.get_suptitle().endswith("diagnosis: OVERFITTING")


def test_redraws_are_throttled_but_the_last_epoch_is_always_drawn(fake_display):
    plot = callbacks.LivePlot(mode="notebook", min_interval=3600)
    drive(plot)
    assert plot.draws == 1  # Nothing for an hour, but the final draw at the end of training.
    assert len(fake_display.shown) == 1 and not fake_display.updates
    assert plot._figure.figure.get_suptitle().startswith(f"learning curves (epoch {len(LOSSES)}/")


def test_a_slow_draw_waits_long_enough_to_stay_within_max_share(fake_display, monkeypatch):
    """Epochs of 0.2 s and draws of 0.1 s: a 0.5 s throttle alone would spend 14 % drawing."""
    now = [0.0]  # A clock that moves only when an epoch or a draw takes time.
    monkeypatch.setattr(live_plot.time, "perf_counter", lambda: now[0])
    plot = callbacks.LivePlot(mode="notebook", min_interval=0.5, max_share=0.05)

    def slow_render(run):
        now[0] += 0.1
        return b"\x89PNG"

    monkeypatch.setattr(plot, "_render", slow_render)
    callback = plot.run("slow")
    callback.set_params({"epochs": 100})
    callback.on_train_begin()
    for epoch in range(100):
        now[0] += 0.2
        callback.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1)})
    drawing = 0.1 * plot.draws
    assert 5 <= plot.draws and drawing / now[0] <= 0.05


def test_several_runs_share_the_axes_under_fit_and_fit_with_tape(fake_display):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")  # (samples, features)
    y = (x[:, 0] > 0).astype("int32")

    def tiny_model():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    plot = callbacks.LivePlot(mode="notebook", min_interval=0, max_share=1)
    fitted = tiny_model().fit(x, y, validation_data=(x, y), epochs=3, batch_size=32,
                              verbose=0, callbacks=[plot.run("fit")])
    taped = training.fit_with_tape(tiny_model(), x, y, validation_data=(x, y), epochs=3,
                                   batch_size=32, verbose=0, callbacks=[plot.run("tape")])

    assert list(plot.runs) == ["fit", "tape"]
    assert len(fake_display.shown) == 1  # Both runs draw into the one displayed figure.
    loss_axes, accuracy_axes = plot._figure.figure.axes
    for axes, key in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        lines = axes.get_lines()
        assert [line.get_label() for line in lines] == ["fit", "_", "tape", "_"]
        for line, values in zip(lines, [fitted.history[key], fitted.history[f"val_{key}"],
                                        taped.history[key], taped.history[f"val_{key}"]]):
            np.testing.assert_allclose(line.get_ydata(), values, rtol=1e-6)
        assert lines[0].get_color() != lines[2].get_color()


def test_terminal_lines_under_fit_with_tape_and_a_rerun_starts_again(capsys):
    x = np.linspace(-1, 1, 32, dtype="float32").reshape(-1, 1)  # (samples, 1)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    plot = callbacks.LivePlot(mode="terminal")
    for _ in range(2):
        history = training.fit_with_tape(model, x, 2 * x, epochs=4, verbose=0,
                                         callbacks=[plot.run("tape")])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8 and plot.runs["tape"].epochs == 4
    assert lines[-1].split()[:4] == ["tape", "epoch", "4/4", "loss"]
    assert float(lines[-1].split()[4]) == pytest.approx(history.history["loss"][-1], abs=1e-4)


def test_passed_to_fit_itself_it_is_one_run_that_starts_afresh(capsys):
    plot = callbacks.LivePlot(mode="terminal")
    drive(plot, epochs=3)
    drive(plot, epochs=2)
    assert list(plot.runs) == [""] and plot.runs[""].epochs == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[-1].split()[:2] == ["epoch", "2/2"]


def test_a_missing_metric_warns_with_the_available_keys(capsys):
    plot = callbacks.LivePlot(metric="mae", mode="terminal")
    with pytest.warns(UserWarning, match=r"'mae' is not in the logs \(available: accuracy, loss"):
        drive(plot, epochs=2)
    assert "mae" not in capsys.readouterr().out


def test_a_history_that_classify_refuses_is_reported_not_hidden(monkeypatch, capsys):
    def refuse(history, num_classes=None):
        raise diagnostics.HistoryError("no 'loss' column")

    monkeypatch.setattr(diagnostics, "classify", refuse)
    with pytest.warns(UserWarning, match="no diagnosis for run 'r': no 'loss' column"):
        drive(callbacks.LivePlot(mode="terminal").run("r"))
    assert capsys.readouterr().out.splitlines()[-1].endswith("no diagnosis")


@pytest.mark.parametrize("arguments, message", [
    ({"mode": "browser"}, "mode must be one of 'auto', 'notebook', 'terminal'"),
    ({"min_interval": -1}, "min_interval must be a finite number >= 0"),
    ({"min_interval": math.inf}, "min_interval must be a finite number >= 0"),
    ({"max_share": 0}, r"max_share must be a finite number > 0 and <= 1"),
    ({"metric": ""}, "metric must be a metric name or None"),
    ({"num_classes": 1}, "num_classes must be an integer >= 2"),
])
def test_bad_arguments_name_the_argument(arguments, message):
    with pytest.raises(ValueError, match=message):
        callbacks.LivePlot(**arguments)
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        callbacks.LivePlot().run(" ")


def test_outside_a_kernel_auto_means_terminal():
    assert callbacks.LivePlot().mode == "terminal"


@pytest.mark.parametrize("shell, expected", [
    (None, False),                                   # Plain Python: no IPython at all.
    (types.SimpleNamespace(), False),                # A terminal IPython: a shell, no kernel.
    (types.SimpleNamespace(kernel=object()), True),  # Jupyter or Colab: a shell with a kernel.
])
def test_the_labs_and_live_plot_tell_a_notebook_the_same_way(shell, expected, monkeypatch):
    from labs.machinery import environment
    import IPython

    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert live_plot.in_notebook() is expected
    assert environment.in_notebook() is expected
    assert callbacks.LivePlot().mode == ("notebook" if expected else "terminal")
