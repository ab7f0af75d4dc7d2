"""fit_vs_tape stops with status 1 when model.fit and fit_with_tape disagree.

The lab's lesson is that the two loops give the same weights; if they ever do not, it must
not print DISAGREE and exit 0. Here fit_with_tape is made to differ on purpose: it trains
as usual, then nudges one weight by 1e-3, far above the lab's tolerance of 1e-5.
"""

import json

import keras
import pytest

from custom import training
from labs import __main__ as front_door

NUDGE = 1e-3


@pytest.mark.slow
def test_a_disagreement_fails_the_lab_with_status_1(monkeypatch, tmp_path, capsys):
    real_fit_with_tape = training.fit_with_tape

    def nudged_fit_with_tape(model, *args, **kwargs):
        history = real_fit_with_tape(model, *args, **kwargs)
        kernel = model.layers[0].kernel
        kernel.assign(kernel + NUDGE)            # Every first-layer weight moves by 1e-3.
        return history

    monkeypatch.setattr(training, "fit_with_tape", nudged_fit_with_tape)
    out = tmp_path / "fit_vs_tape"
    status = front_door.run_lab("fit_vs_tape", ["--quick", "--epochs", "1", "--out", str(out)])
    keras.backend.clear_session()

    assert status == 1
    printed = capsys.readouterr()
    assert "DISAGREE" in printed.out
    assert "check(s) failed" in printed.err
    outcomes = json.loads((out / "outcomes.json").read_text(encoding="utf-8"))
    agreement = outcomes["predictions"]["1"]["numbers"]
    assert agreement["weights_agree"] is False
    assert agreement["weight_difference"] == pytest.approx(NUDGE, rel=1e-2)
    assert len(outcomes["failed_checks"]) == 1      # The weights; the metrics were not nudged.
