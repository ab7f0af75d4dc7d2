"""The shared lab runtime: declared hyperparameters, flags, quick mode, output folder,
figures, seeding."""

import json
import os

import matplotlib.pyplot as plt
import numpy as np
import pytest

from labs.machinery import classroom, environment, hyperparameters, runtime, seeding
from labs.machinery.runtime import param

DEFAULTS = {"epochs": param(20, minimum=1), "learning_rate": param(0.1, above=0),
            "hidden": param([8, 4], minimum=1), "plot": param(True),
            "label": param("a", choices=("a", "b"))}


def start(argv, tmp_path, quick=None, monkeypatch=None):
    return runtime.start("demo", DEFAULTS, quick=quick, argv=[*argv, "--out", str(tmp_path)])


def test_defaults_become_attributes(tmp_path):
    lab = start([], tmp_path)
    assert (lab.epochs, lab.learning_rate, lab.hidden, lab.plot, lab.label) == (
        20, 0.1, [8, 4], True, "a")
    assert lab.seed == 0 and lab.quick is False and lab.out == tmp_path


def test_flags_override_with_types_from_defaults(tmp_path):
    lab = start(["--epochs", "3", "--learning-rate", "0.5", "--hidden", "2", "3",
                 "--no-plot", "--seed", "7"], tmp_path)
    assert (lab.epochs, lab.learning_rate, lab.hidden, lab.plot, lab.seed) == (
        3, 0.5, [2, 3], False, 7)


def test_quick_mode_from_flag_or_environment_and_flags_win(tmp_path, monkeypatch):
    assert start(["--quick"], tmp_path, quick={"epochs": 2}).epochs == 2
    monkeypatch.setenv("LABS_QUICK", "1")
    lab = start([], tmp_path, quick={"epochs": 2})
    assert lab.quick and lab.epochs == 2
    assert start(["--epochs", "5"], tmp_path, quick={"epochs": 2}).epochs == 5


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "epochs must be >= 1, got 0"),
    (["--epochs", "-3"], "epochs must be >= 1, got -3"),
    (["--learning-rate", "0"], "learning_rate must be > 0, got 0.0"),
    (["--learning-rate", "nan"], "learning_rate must be a finite number > 0, got nan"),
    (["--learning-rate=-inf"], "learning_rate must be a finite number > 0, got -inf"),
    (["--label", "c"], "label must be one of a, b, got 'c'"),
    (["--epochs", "many"], "invalid int value: 'many'"),
    (["--epochs", "2.5"], "invalid int value: '2.5'"),
    (["--epoch", "3"], "unrecognized arguments: --epoch 3"),
])
def test_bad_values_exit_2_with_one_line(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        start(argv, tmp_path)
    assert exit.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error


def test_unwritable_output_folder_is_a_usage_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as exit:
        runtime.start("demo", {}, argv=["--out", str(blocker / "sub")])
    assert exit.value.code == 2
    assert "cannot write to output folder" in capsys.readouterr().err


def test_notebook_ignores_kernel_argv_and_raises_instead_of_exiting(monkeypatch, tmp_path):
    monkeypatch.setattr(environment, "in_notebook", lambda: True)
    monkeypatch.setattr("sys.argv", ["ipykernel_launcher.py", "-f", "/tmp/kernel.json"])
    monkeypatch.chdir(tmp_path)
    lab = runtime.start("demo", DEFAULTS)
    assert lab.epochs == 20 and lab.out == tmp_path.joinpath("outputs", "demo").relative_to(
        tmp_path)
    with pytest.raises(runtime.UsageError, match="epochs must be >= 1"):
        runtime.start("demo", DEFAULTS, argv=["--epochs", "0"])


def test_default_output_folder_is_outputs_slash_lab(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    lab = runtime.start("demo", {}, argv=[])
    assert lab.out.resolve() == (tmp_path / "outputs" / "demo").resolve() and lab.out.is_dir()


def test_save_figure_writes_a_png_and_closes_it(tmp_path):
    lab = start([], tmp_path)
    figure, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    path = lab.save_figure(figure, "line.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(figure.number)


def test_seeding_makes_keras_draws_repeat(tmp_path):
    import keras

    def draw(seed):
        seeding.seed_everything(seed)
        return keras.random.normal((3,)).numpy(), np.random.rand(2)

    first, again, other = draw(1), draw(1), draw(2)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_environment_flag_parsing(monkeypatch):
    for value, expected in [("1", True), ("yes", True), ("0", False), ("", False)]:
        monkeypatch.setenv("LABS_QUICK", value)
        assert environment.quick_from_environment() is expected
    monkeypatch.delenv("LABS_QUICK")
    assert environment.quick_from_environment() is False
    assert os.environ.get("LABS_QUICK") is None


@pytest.mark.parametrize("argv, message", [
    (["--hidden", "2", "0"], "hidden must be >= 1, got [2, 0]"),
    (["--patience", "-1"], "patience must be >= 0, got -1"),
    (["--seed", "-2"], "seed must be >= 0 and <= 4294967295, got -2"),
    (["--dropout", "1"], "dropout must be >= 0 and < 1, got 1.0"),
])
def test_each_value_is_checked_against_its_declared_range(argv, message, tmp_path, capsys):
    defaults = {**DEFAULTS, "patience": param(3, minimum=0),
                "dropout": param(0.5, minimum=0, below=1)}
    with pytest.raises(SystemExit) as exit:
        runtime.start("demo", defaults, argv=[*argv, "--out", str(tmp_path)])
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_zero_is_allowed_where_the_declaration_allows_it(tmp_path):
    lab = runtime.start("demo", {"patience": param(3, minimum=0),
                                  "seed_hidden_units": param(4, minimum=1)},
                         argv=["--patience", "0", "--seed", "0", "--out", str(tmp_path)])
    assert (lab.patience, lab.seed, lab.seed_hidden_units) == (0, 0, 4)


def test_a_plain_value_or_a_bad_default_is_a_mistake_in_the_lab(tmp_path):
    with pytest.raises(TypeError, match="declare it with param"):
        runtime.start("demo", {"epochs": 3}, argv=["--out", str(tmp_path)])
    with pytest.raises(TypeError, match="quick mode overrides 'epoch'"):
        runtime.start("demo", DEFAULTS, quick={"epoch": 2}, argv=["--out", str(tmp_path)])
    with pytest.raises(ValueError, match="the default 0 must be >= 1"):
        param(0, minimum=1)
    with pytest.raises(TypeError, match="bool, int, float or str"):
        param(None)


def test_a_float_takes_a_whole_number_and_reports_its_range(tmp_path):
    assert runtime.start("demo", DEFAULTS, quick={"learning_rate": 1},
                          argv=["--quick", "--out", str(tmp_path)]).learning_rate == 1
    declaration = param(0.5, minimum=0, maximum=1)
    assert declaration.range_text() == ">= 0 and <= 1"
    with pytest.raises(hyperparameters.UsageError, match="x must be of type float, got 'a'"):
        declaration.check("x", "a")


def test_help_shows_each_default_and_its_range(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        runtime.start("demo", DEFAULTS, argv=["--help"])
    assert exit.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "default 0.1; > 0" in shown and "default 'a'; one of a, b" in shown


def test_require_is_a_one_line_usage_error(tmp_path, capsys, monkeypatch):
    lab = start([], tmp_path)
    lab.require(True, "never shown")
    with pytest.raises(SystemExit) as exit:
        lab.require(False, "dropout must be in [0, 1), got 1.5")
    assert exit.value.code == 2
    assert capsys.readouterr().err == "python -m labs demo: error: dropout must be in [0, 1), got 1.5\n"
    lab.notebook = True
    with pytest.raises(runtime.UsageError, match="dropout"):
        lab.require(False, "dropout must be in [0, 1), got 1.5")


def test_a_hyperparameter_may_not_hide_a_lab_attribute(tmp_path):
    with pytest.raises(ValueError, match="'finish' would hide Lab.finish"):
        runtime.start("demo", {"finish": param(1)}, argv=["--out", str(tmp_path)])


def test_an_optimizer_must_exist_in_the_chosen_implementation(tmp_path, capsys):
    import custom.optimizers

    defaults = {"optimizer": param("adam", choices=custom.optimizers.names()),
                "impl": param("custom", choices=("custom", "keras"))}
    for argv, message in [(["--optimizer", "adamw"], "optimizer must be one of sgd, "),
                          (["--optimizer", "ema_momentum", "--impl", "keras"], "Keras has no"),
                          (["--impl", "torch"], "impl must be one of custom, keras")]:
        with pytest.raises(SystemExit) as exit:
            runtime.start("demo", defaults, argv=[*argv, "--out", str(tmp_path)])
        error = capsys.readouterr().err
        assert exit.value.code == 2 and error.count("\n") == 1 and message in error, error
    assert runtime.start("demo", defaults, argv=["--optimizer", "ema_momentum", "--out",
                                                  str(tmp_path)]).optimizer == "ema_momentum"


DEMO_SOURCE = '''
# %% [markdown] tags=["prediction"]
# **Predict 1.** Which rate
# ends lowest?
# - (a) 0.1
# - (b) 0.3

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a" or "b"

# %%
lab.reveal(1, "0.3 ends lowest", answer="b")
'''


def test_reveal_prints_the_question_beside_the_measured_outcome_and_records_it(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(classroom, "lab_source", lambda name: DEMO_SOURCE)
    lab = start([], tmp_path)
    lab.reveal(1, "η = 0.3 ends lowest (J = 0.0012)", answer="b",
               final_losses=np.array([0.5, 0.0012]))
    printed = capsys.readouterr().out
    assert ("Predict 1: Which rate ends lowest?\n  (a) 0.1\n  (b) 0.3\n"
            "  Measured: η = 0.3 ends lowest") in printed
    lab.record("table", rates=[0.1, 0.3], best=np.float64(0.3))
    outcomes = json.loads((tmp_path / "outcomes.json").read_text())
    assert outcomes["predictions"]["1"]["numbers"] == {"final_losses": [0.5, 0.0012]}
    assert outcomes["records"]["table"] == {"rates": [0.1, 0.3], "best": 0.3}
    assert outcomes["hyperparameters"]["epochs"] == 20
    with pytest.raises(ValueError, match="no prediction cell '\\*\\*Predict 2.\\*\\*'"):
        lab.reveal(2, "anything", answer="a")


def test_a_failed_check_lets_the_lab_finish_then_exits_1(tmp_path, capsys):
    lab = start([], tmp_path)
    lab.check(True, "never printed")
    lab.check(False, "fit and fit_with_tape DISAGREE")
    assert "CHECK FAILED: fit and fit_with_tape DISAGREE" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit:
        lab.finish()
    assert exit.value.code == 1
    assert "1 check(s) failed: fit and fit_with_tape DISAGREE" in capsys.readouterr().err
    outcomes = json.loads((tmp_path / "outcomes.json").read_text())
    assert outcomes["failed_checks"] == ["fit and fit_with_tape DISAGREE"]


def test_a_failed_check_raises_in_a_notebook(tmp_path):
    lab = start([], tmp_path)
    lab.notebook = True
    lab.check(False, "runs DISAGREE")
    with pytest.raises(runtime.LabCheckFailed, match="runs DISAGREE"):
        lab.finish()


def test_agreement_prints_records_and_checks_one_uniform_statement(tmp_path, capsys):
    lab = start([], tmp_path)
    assert lab.agreement("paths", "EMA and classic paths", 3e-8, 1e-5, steps=100)
    assert ("EMA and classic paths: largest difference 3.0e-08, within the tolerance 1e-05."
            in capsys.readouterr().out)
    assert not lab.agreement("weights", "custom and Keras weights", 2e-3, 1e-5)
    assert not lab.agreement("nan", "two NaN runs", float("nan"), 1e-5)
    assert "BEYOND the tolerance 1e-05" in capsys.readouterr().out
    outcomes = json.loads((tmp_path / "outcomes.json").read_text())
    assert outcomes["records"]["paths"] == {"steps": 100, "difference": 3e-8,
                                            "tolerance": 1e-5, "agree": True}
    assert outcomes["records"]["weights"]["agree"] is False
    assert outcomes["failed_checks"][0] == ("custom and Keras weights: 2.0e-03 apart, "
                                            "beyond the tolerance 1e-05")
    with pytest.raises(SystemExit):
        lab.finish()
