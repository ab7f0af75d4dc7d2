"""The tour's claims hold: the three runs agree, and the diagnostics CSVs carry a verdict."""

import re

import keras
import pandas as pd
import pytest

from labs import __main__ as front_door

LABELS = ("DIVERGING", "OSCILLATING", "OVERFITTING", "UNDERFITTING", "CONVERGED",
          "STILL_IMPROVING")


@pytest.mark.slow
def test_tour_runs_agree_and_log_a_diagnosis(tmp_path, capsys):
    status = front_door.run_lab("tour", ["--quick", "--out", str(tmp_path)])
    keras.backend.clear_session()
    printed = capsys.readouterr().out
    assert status == 0
    differences = [float(value) for value in re.findall(r"max \|Δw\|.*: (\S+)", printed)]
    assert len(differences) == 2 and max(differences) <= 1e-6, printed
    for run in ("keras_fit", "custom_fit", "custom_tape"):
        table = pd.read_csv(tmp_path / f"diagnostics_{run}.csv")
        assert {"epoch", "loss", "val_loss", "learning_rate", "diagnosis"} <= set(table.columns)
        assert set(table["diagnosis"]) <= set(LABELS)
        assert (table["learning_rate"] >= 0).all() and table["learning_rate"].nunique() > 1
    assert re.search(rf"^({'|'.join(LABELS)}): ", printed, flags=re.M), printed
