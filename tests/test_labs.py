"""Every lab runs end to end in quick mode and writes its figures under --out."""

import keras
import pytest

from labs import __main__ as front_door
from labs import _catalog


@pytest.mark.slow
@pytest.mark.parametrize("name", _catalog.names())
def test_lab_runs_in_quick_mode_and_writes_figures(name, tmp_path):
    out = tmp_path / name
    status = front_door.run_lab(name, ["--quick", "--out", str(out)])
    keras.backend.clear_session()
    assert status == 0
    figures = sorted(out.glob("*.png"))
    assert figures, f"{name} wrote no figure to {out}"
    for figure in figures:
        assert figure.stat().st_size > 5000, f"{figure.name} looks empty"


def test_run_all_reports_a_failing_lab(monkeypatch, capsys):
    calls = []

    def fake_run(name, flags):
        calls.append((name, flags))
        if name == "tour":
            raise RuntimeError("boom")
        return 0

    monkeypatch.setattr(front_door, "run_lab", fake_run)
    monkeypatch.setattr(keras.backend, "clear_session", lambda: None)  # Nothing to clear here.
    assert front_door.run_all(["--out", "somewhere"]) == 1
    assert calls[0] == ("tour", ["--out", "somewhere/tour"])
    assert "FAILED" in capsys.readouterr().out
