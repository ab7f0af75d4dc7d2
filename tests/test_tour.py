"""The tour's claims hold: the three runs agree, and the diagnostics CSVs carry a verdict.

Read from what the tour recorded (``outcomes.json``) and wrote (the CSVs), not from its
printed text."""

import json

import keras
import pandas as pd
import pytest

from callbacks import diagnostics
from labs import __main__ as front_door


@pytest.mark.slow
def test_tour_runs_agree_and_log_a_diagnosis(tmp_path):
    status = front_door.run_lab("tour", ["--quick", "--out", str(tmp_path)])
    keras.backend.clear_session()
    assert status == 0
    outcomes = json.loads((tmp_path / "outcomes.json").read_text(encoding="utf-8"))
    runs = outcomes["predictions"]["1"]["numbers"]
    assert len(runs["differences"]) == 2 and max(runs["differences"].values()) <= 1e-6, runs
    assert outcomes["failed_checks"] == []
    for run in ("keras_fit", "custom_fit", "custom_tape"):
        table = pd.read_csv(tmp_path / f"diagnostics_{run}.csv")
        assert {"epoch", "loss", "val_loss", "learning_rate", "diagnosis"} <= set(table.columns)
        assert set(table["diagnosis"]) <= set(diagnostics.LABELS)
        assert (table["learning_rate"] >= 0).all() and table["learning_rate"].nunique() > 1
    tape = pd.read_csv(tmp_path / "diagnostics_custom_tape.csv")
    label = outcomes["predictions"]["2"]["numbers"]["label"]
    assert label in diagnostics.LABELS
    assert label == diagnostics.classify(tmp_path / "diagnostics_custom_tape.csv").label
    assert len(tape) == runs["epochs_run"]["custom + tape"]
