"""The tour's claims hold: the three runs agree, and the diagnostics CSVs carry a verdict.

Read from what the tour recorded (``outcomes.json``) and wrote (the CSVs), not from its
printed text, in the run as the class makes it (quick mode, default seed and flags: adam)
that tests/test_tensorboard.py reads too: the session fixture ``tour_as_the_class_runs_it``
(tests/conftest.py), made with ``--tensorboard``, which adds a callback and changes no
number."""

import json

import pandas as pd
import pytest

from callbacks import diagnostics


@pytest.fixture(scope="module")
def tour(tour_as_the_class_runs_it):
    """The tour's run that tests/test_tensorboard.py reads too (tests/conftest.py makes it
    once and sends that test with this module's)."""
    return tour_as_the_class_runs_it


@pytest.mark.slow
def test_tour_runs_agree_and_log_a_diagnosis(tour):
    assert tour.status == 0, tour.stdout[-2000:]
    out = tour.out
    outcomes = json.loads((out / "outcomes.json").read_text(encoding="utf-8"))
    runs = outcomes["predictions"]["1"]["numbers"]
    assert len(runs["differences"]) == 2 and max(runs["differences"].values()) <= 1e-6, runs
    assert outcomes["failed_checks"] == []
    for run in ("keras_fit", "custom_fit", "custom_tape"):
        table = pd.read_csv(out / f"diagnostics_{run}.csv")
        assert {"epoch", "loss", "val_loss", "learning_rate", "diagnosis"} <= set(table.columns)
        assert set(table["diagnosis"]) <= set(diagnostics.LABELS)
        assert (table["learning_rate"] >= 0).all() and table["learning_rate"].nunique() > 1
    tape = pd.read_csv(out / "diagnostics_custom_tape.csv")
    label = outcomes["predictions"]["2"]["numbers"]["label"]
    assert label in diagnostics.LABELS
    assert label == diagnostics.classify(out / "diagnostics_custom_tape.csv").label
    assert len(tape) == runs["epochs_run"]["custom + tape"]
