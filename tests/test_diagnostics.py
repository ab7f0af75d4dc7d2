"""callbacks.diagnostics.classify, its input reader, the CLI and the published baselines."""

import json
import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from callbacks import diagnostics
from callbacks.diagnostics import __main__ as cli
from benchmarks import diagnostics_baselines as baselines
from tests import _figures

# Seed 000, section 5.2: the three worked scenarios of analyze_learning_curves.
SEED_SCENARIOS = {
    "Good training": ([2.0, 1.5, 1.0, 0.7, 0.5, 0.4, 0.35, 0.32, 0.30, 0.29],
                      [2.1, 1.6, 1.1, 0.8, 0.6, 0.5, 0.45, 0.42, 0.40, 0.39]),
    "Overfitting": ([2.0, 1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002],
                    [2.1, 1.1, 0.6, 0.4, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8]),
    "Diverging": ([2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0],
                  [2.1, 3.5, 6.0, 15.0, 30.0, 70.0, 150.0, 300.0, 700.0, 1500.0]),
}
SEED_EXPECTED = {"Good training": "STILL_IMPROVING", "Overfitting": "OVERFITTING",
                 "Diverging": "DIVERGING"}


def scenario(name, scale=1.0):
    train, val = SEED_SCENARIOS[name]
    return {"loss": [scale * value for value in train],
            "val_loss": [scale * value for value in val]}


def synthetic(label, epochs=40, with_validation=True, seed=0):
    """A scripted history that shows ``label`` plainly (small noise, fixed seed)."""
    rng = np.random.default_rng(seed)
    t = np.arange(epochs, dtype=float)
    noise = 1.0 + 0.01 * rng.standard_normal(epochs)
    accuracy = None
    if label == "CONVERGED":
        train = (0.05 + 0.65 * np.exp(-t / 4)) * noise
        val = (0.08 + 0.65 * np.exp(-t / 4)) * noise
        accuracy = 0.98 - 0.4 * np.exp(-t / 4)
    elif label == "STILL_IMPROVING":
        train = 0.7 * np.exp(-t / 30) * noise
        val = 0.75 * np.exp(-t / 30) * noise
    elif label == "UNDERFITTING":
        train = (0.62 + 0.08 * np.exp(-t / 3)) * noise
        val = (0.63 + 0.08 * np.exp(-t / 3)) * noise
        accuracy = 0.53 + 0.02 * (1 - np.exp(-t / 3))
    elif label == "OVERFITTING":
        train = 0.7 * np.exp(-t / 6) * noise
        val = (0.3 + 0.4 * np.exp(-t / 6) + 0.01 * np.maximum(t - 10, 0)) * noise
    elif label == "OSCILLATING":
        train = 0.5 * np.exp(-t / 5) + 0.3 + 0.15 * (t % 2) + 0.05 * rng.random(epochs)
        val = train * 1.1
    elif label == "DIVERGING":
        train = 0.7 * np.exp(t / 8)
        val = train * 1.2
    history = {"loss": list(train)}
    if with_validation:
        history["val_loss"] = list(val)
    if accuracy is not None:
        history["accuracy"] = list(accuracy)
    return history


@pytest.mark.parametrize("name", SEED_SCENARIOS)
def test_reproduces_the_seed_scenarios(name):
    assert diagnostics.classify(scenario(name)).label == SEED_EXPECTED[name]


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3, 1e6])
@pytest.mark.parametrize("name", SEED_SCENARIOS)
def test_labels_do_not_depend_on_the_loss_scale(name, scale):
    assert diagnostics.classify(scenario(name, scale)).label == SEED_EXPECTED[name]


def test_seed_rules_baseline_is_faithful_and_breaks_at_another_scale():
    # The seed's own printed verdicts for its three scenarios …
    assert [baselines.seed_rules(scenario(name)) for name in SEED_SCENARIOS] == [
        "STILL_IMPROVING", "OVERFITTING", "DIVERGING"]
    # … and its absolute "loss > 0.5" rule calls good training underfitting at 1000× the scale.
    assert baselines.seed_rules(scenario("Good training", 1000.0)) == "UNDERFITTING"


@pytest.mark.parametrize("label", diagnostics.LABELS)
def test_each_label_on_a_scripted_history(label):
    diagnosis = diagnostics.classify(synthetic(label))
    assert diagnosis.label == label, diagnosis.reason
    assert re.search(r"\d", diagnosis.reason), "the reason must quote its numbers"
    assert diagnosis.advice == diagnostics.ADVICE[label]


@pytest.mark.parametrize("label", ["CONVERGED", "STILL_IMPROVING", "UNDERFITTING",
                                   "OSCILLATING", "DIVERGING"])
def test_without_validation_it_says_so_and_still_labels(label):
    diagnosis = diagnostics.classify(synthetic(label, with_validation=False))
    assert diagnosis.label == label, diagnosis.reason
    assert "No validation loss was logged" in diagnosis.reason


def test_keras_csvlogger_without_validation_is_read_as_no_validation(tmp_path):
    # CSVLogger pads val_* columns with NA when fit had no validation data.
    path = tmp_path / "run.csv"
    history = synthetic("CONVERGED", with_validation=False)
    frame = pd.DataFrame(history).assign(val_loss="NA", val_accuracy="NA")
    frame.to_csv(path, index_label="epoch")
    diagnosis = diagnostics.classify(path)
    assert diagnosis.label == "CONVERGED" and "No validation loss was logged" in diagnosis.reason
    assert baselines.seed_rules(path) is None and baselines.umlaut_checks(path) is None


def test_nan_loss_is_diverging_at_the_right_epoch():
    diagnosis = diagnostics.classify({"loss": [1.0, 0.8, math.nan, math.nan]})
    assert diagnosis.label == "DIVERGING"
    assert "epoch 3" in diagnosis.reason
    assert diagnosis.key_epochs == {"divergence": 3}


def test_a_loss_that_only_bounces_is_oscillating_not_diverging():
    """Measured: linear regression with SGD at η = 0.9, just under its stability limit of 1.

    It ends 26 % above a lucky first epoch, but log(loss) has no rising trend beyond
    its scatter, so "worse than it began" must not fire.
    """
    bouncing = [0.27, 0.16, 0.28, 0.25, 0.25, 0.2, 0.26, 0.26, 0.15, 0.17, 0.19, 0.13, 0.15,
                0.29, 0.25, 0.13, 0.34, 0.44, 0.12, 0.36]
    assert diagnostics.classify({"loss": bouncing}).label == "OSCILLATING"
    rising = [0.3 * 1.1 ** epoch * (1.05 if epoch % 2 else 0.95) for epoch in range(20)]
    assert diagnostics.classify({"loss": rising}).label == "DIVERGING"


def test_classify_is_pure():
    history = scenario("Overfitting")
    before = json.dumps(history)
    first = diagnostics.classify(history)
    assert json.dumps(history) == before
    assert diagnostics.classify(history) == first


def test_dict_dataframe_and_both_csv_formats_agree(tmp_path):
    history = synthetic("OVERFITTING")
    frame = pd.DataFrame(history)
    ours = tmp_path / "ours.csv"
    frame.assign(epoch=range(len(frame)), learning_rate=0.01, diagnosis="CONVERGED").to_csv(
        ours, index=False)
    keras_style = tmp_path / "keras.csv"
    frame.assign(epoch=range(len(frame))).to_csv(keras_style, index=False, na_rep="NA")
    labels = {diagnostics.classify(source).label
              for source in (history, frame, ours, str(keras_style))}
    assert labels == {"OVERFITTING"}  # The stale "diagnosis" column is ignored.


def test_missing_values_in_a_csv_are_read_as_gaps(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("epoch,loss,val_loss\n0,1.0,NA\n1,0.5,0.6\n2,0.4,\n")
    columns = diagnostics.read_history(path)
    assert np.isnan(columns["val_loss"][[0, 2]]).all() and columns["val_loss"][1] == 0.6


@pytest.mark.parametrize("content, message", [
    ("", "is empty"),
    ("epoch,accuracy\n0,0.5\n", "no 'loss' column (columns found: accuracy, epoch)"),
    ("epoch,loss\n0,abc\n", "non-number"),
    ("epoch,loss\n", "no rows"),
])
def test_unreadable_files_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "run.csv"
    path.write_text(content)
    with pytest.raises(diagnostics.HistoryError, match=re.escape(message)):
        diagnostics.classify(path)


def test_unsupported_input_type_is_named():
    with pytest.raises(diagnostics.HistoryError, match="int"):
        diagnostics.classify(3)


def test_cli_prints_label_reason_and_advice(tmp_path, capsys, monkeypatch):
    saved = _figures.record_saved(monkeypatch)
    path = tmp_path / "run.csv"
    pd.DataFrame(scenario("Overfitting")).to_csv(path, index_label="epoch")
    assert cli.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "label:  OVERFITTING" in out and "reason: " in out and "advice: " in out
    assert cli.main([str(path), "--json", "--plot", str(tmp_path / "run.png")]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"label", "reason", "advice", "findings"}
    assert payload["label"] == "OVERFITTING" and payload["findings"] == []
    assert (tmp_path / "run.png").is_file()
    (figure, _), = saved  # What is drawn: both curves with the CSV's values, the best epoch.
    axes, = figure.axes
    lines = {line.get_label(): line for line in axes.get_lines()}
    frame = pd.read_csv(path)
    np.testing.assert_allclose(lines["train loss"].get_ydata(), frame["loss"])
    np.testing.assert_allclose(lines["val loss"].get_ydata(), frame["val_loss"])
    np.testing.assert_array_equal(lines["train loss"].get_xdata(), np.arange(1, len(frame) + 1))
    best = int(frame["val_loss"].idxmin()) + 1
    assert f"best validation (epoch {best})" in lines
    assert axes.get_title() == "OVERFITTING"
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("epoch", "loss")
    assert {text.get_text() for text in axes.get_legend().get_texts()} == set(lines)


@pytest.mark.parametrize("content", [None, "", "not,a\x00csv\n\"unclosed", "epoch,acc\n0,1\n"])
def test_cli_exits_2_with_one_line_on_bad_files(tmp_path, capsys, content):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    assert cli.main([str(path)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("python -m callbacks.diagnostics: error:") and "\n" not in error


def test_cli_as_a_module_exit_codes(tmp_path):
    good = tmp_path / "good.csv"
    pd.DataFrame(scenario("Diverging")).to_csv(good, index_label="epoch")
    run = [sys.executable, "-m", "callbacks.diagnostics"]
    ok = subprocess.run(run + [str(good), "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["label"] == "DIVERGING"
    missing = subprocess.run(run + [str(tmp_path / "nope.csv")], capture_output=True, text=True)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_prechelt_generalization_loss_threshold():
    # GL(3) = 100·(0.95/0.9 − 1) = 5.56 > 5 fires; 0.94 gives 4.44 and does not.
    assert baselines.prechelt_generalization_loss(
        {"loss": [1, 1, 1], "val_loss": [1.0, 0.9, 0.95]}) == "OVERFITTING"
    assert baselines.prechelt_generalization_loss(
        {"loss": [1, 1, 1], "val_loss": [1.0, 0.9, 0.94]}) is None


def test_umlaut_fires_when_val_rises_while_train_does_not():
    assert baselines.umlaut_checks({"loss": [1.0, 0.9], "val_loss": [1.0, 1.01]}) == "OVERFITTING"
    assert baselines.umlaut_checks({"loss": [1.0, 1.1], "val_loss": [1.0, 1.01]}) is None
    assert baselines.umlaut_checks({"loss": [1.0, math.nan]}) == "DIVERGING"


def test_autotrainer_rules():
    zigzag = [0.5, 0.7] * 10  # Accuracy swinging by 0.2 every epoch: its "unstable" symptom.
    history = {"loss": [1.0] * 20, "val_loss": [1.0] * 20, "accuracy": zigzag,
               "val_accuracy": zigzag}
    assert baselines.autotrainer_loss_rules(history) == "OSCILLATING"
    flat = {"loss": [1.0] * 20, "val_loss": [1.0] * 20, "accuracy": [0.5] * 20,
            "val_accuracy": [0.5] * 20}  # No rise of even δ = 0.01.
    assert baselines.autotrainer_loss_rules({"loss": [1.0] * 20}) is None  # Needs val_loss.
    assert baselines.autotrainer_loss_rules(flat) == "UNDERFITTING"
    assert baselines.autotrainer_loss_rules({"loss": [1.0] * 5, "val_loss": [1e5] * 5}) \
        == "DIVERGING"
