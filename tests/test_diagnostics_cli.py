"""The folder form of the CLI: one row per CSV, bad files on their own row, exit codes."""

import json
import pathlib
import shutil
import subprocess
import sys

import pytest

from callbacks.diagnostics import __main__ as cli

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "diagnostics"
KERAS_RUN = "learning_rate_huge-diabetes-seed0"  # A real Keras CSVLogger file (NaN from epoch 2).


def mixed_folder(tmp_path):
    """Two good logs (ours and Keras'), an empty file, a garbled one and a text file."""
    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(FIXTURES / "runs" / f"{KERAS_RUN}.csv", folder / "keras_csvlogger.csv")
    rows = ["epoch,loss,val_loss,learning_rate,diagnosis"]
    rows += [f"{epoch},{2.0 * 0.8 ** epoch},{2.1 * 0.8 ** epoch},0.01,STILL_IMPROVING"
             for epoch in range(10)]
    (folder / "ours.csv").write_text("\n".join(rows) + "\n")
    (folder / "empty.csv").write_text("")
    (folder / "garbled.csv").write_text("epoch,loss\n0,abc\n1,0.5\n")
    (folder / "notes.txt").write_text("not a log")  # Not a CSV: not listed.
    return folder


def test_a_mixed_folder_gives_one_row_each_and_exit_0(tmp_path, capsys):
    folder = mixed_folder(tmp_path)
    assert cli.main([str(folder)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:2] == ["run", "label"] and len(lines) == 5
    table = {line.split()[0]: line for line in lines[1:]}
    assert set(table) == {"empty", "garbled", "keras_csvlogger", "ours"}
    assert table["empty"].split()[1] == "ERROR" and "is empty" in table["empty"]
    assert table["garbled"].split()[1] == "ERROR" and "non-number" in table["garbled"]
    assert table["keras_csvlogger"].split()[1] == "DIVERGING"
    assert table["ours"].split()[1] == "STILL_IMPROVING" and "10" in table["ours"].split()


def test_json_lines_hold_the_same_rows(tmp_path, capsys):
    folder = mixed_folder(tmp_path)
    assert cli.main([str(folder), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    labels = {row["run"]: row["label"] for row in rows}
    assert labels == {"empty": "ERROR", "garbled": "ERROR", "keras_csvlogger": "DIVERGING",
                      "ours": "STILL_IMPROVING"}
    ours = next(row for row in rows if row["run"] == "ours")
    assert ours["epochs"] == 10 and abs(ours["final_loss"] - 2.0 * 0.8 ** 9) < 1e-12
    assert abs(ours["best_val_loss"] - 2.1 * 0.8 ** 9) < 1e-12 and ours["reason"]
    assert ours["findings"] == []


def test_a_gradient_finding_shows_on_its_row(tmp_path, capsys):
    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(FIXTURES / "cases" / "gradients-vanishing.csv", folder / "deep_sigmoid.csv")
    assert cli.main([str(folder)]) == 0
    row = capsys.readouterr().out.strip().splitlines()[1]
    assert row.startswith("deep_sigmoid") and row.endswith("vanishing gradients")


def test_exit_2_only_when_the_folder_is_missing(tmp_path):
    run = [sys.executable, "-m", "callbacks.diagnostics"]
    missing = subprocess.run(run + [str(tmp_path / "no_such_runs") + "/"], capture_output=True,
                             text=True)
    assert missing.returncode == 2 and "no such folder" in missing.stderr
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    listed = subprocess.run(run + [str(empty)], capture_output=True, text=True)
    assert listed.returncode == 0 and "no CSV files" in listed.stdout


def test_num_classes_sets_chance_and_is_checked(tmp_path, capsys):
    noise_floor = FIXTURES / "cases" / "ten_class_noise_floor.csv"  # A Keras CSVLogger file.
    assert cli.main([str(noise_floor), "--num-classes", "10", "--json"]) == 0
    assert "chance 10.0%" in json.loads(capsys.readouterr().out)["reason"]
    assert cli.main([str(noise_floor), "--json"]) == 0
    assert "chance unknown" in json.loads(capsys.readouterr().out)["reason"]
    with pytest.raises(SystemExit) as stop:
        cli.main([str(noise_floor), "--num-classes", "1"])
    assert stop.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.endswith("--num-classes must be an integer >= 2, got 1") and "\n" not in error
