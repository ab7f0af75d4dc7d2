"""Every flag of every lab is safe: a bad value gives one line on stderr and exit status 2.

The walk reads each lab's declared block (running the lab only up to its ``start`` call),
makes bad values from each declaration (not a number, NaN, ±inf, below or above its
range, outside its choices) and passes each one to the real front door, in this process.
Validation happens in ``start``, before any work, so no lab trains in the walk. The last
test runs one lab with legal values at the edge of its ranges that once crashed it.
"""

import pytest

from labs import __main__ as front_door
from labs.machinery import catalog, flags, hyperparameters, runtime


class _BlockRead(Exception):
    """Raised instead of starting the lab, once its block has been read."""


def declared_block(name, monkeypatch):
    """Lab ``name``'s declared hyperparameters, ``seed`` included, read from its own call."""
    block = {}

    def read_block(lab_name, declared, quick=None, argv=None):
        block.update({"seed": hyperparameters.SEED, **declared})
        raise _BlockRead

    with monkeypatch.context() as patch:
        patch.setattr(runtime, "start", read_block)
        with pytest.raises(_BlockRead):
            front_door.run_lab(name, [])
    return block


def bad_values(declaration):
    """Flag values that the declaration must refuse, as text typed on the command line."""
    if declaration.kind is bool:
        return ["maybe"]  # --flag=maybe: a switch takes no value.
    if declaration.kind is str:
        return ["no_such_choice"] if declaration.choices else []
    values = ["abc"]
    if declaration.kind is int:
        values.append("1.5")
    else:
        values += ["nan", "inf", "-inf"]
    one = 1 if declaration.kind is int else 1.0
    if declaration.minimum is not None:
        values.append(declaration.minimum - one)
    if declaration.above is not None:
        values += [declaration.above, declaration.above - one]
    if declaration.maximum is not None:
        values.append(declaration.maximum + one)
    if declaration.below is not None:
        values += [declaration.below, declaration.below + one]
    for candidate in (-one, 0 * one):  # Negative and zero, wherever the range excludes them.
        if declaration.problem(candidate) and candidate not in values:
            values.append(candidate)
    return [str(value) for value in values]


def assert_one_line_exit_2(name, flag_text, key, tmp_path, capsys):
    status = front_door.run_lab(name, [flag_text, "--out", str(tmp_path)])
    error = capsys.readouterr().err
    assert status == 2, f"{name} {flag_text}: exit {status}, stderr {error!r}"
    assert error.count("\n") == 1 and "Traceback" not in error, f"{name} {flag_text}: {error!r}"
    assert error.startswith(f"python -m labs {name}: error: "), error
    assert key in error or flags.flag(key) in error, f"{name} {flag_text}: {error!r}"


@pytest.mark.parametrize("name", catalog.names())
def test_every_flag_refuses_bad_values_with_one_line_and_exit_2(name, tmp_path, capsys,
                                                              monkeypatch):
    block = declared_block(name, monkeypatch)
    capsys.readouterr()
    walked = 0
    for key, declaration in block.items():
        for value in bad_values(declaration):
            assert_one_line_exit_2(name, f"{flags.flag(key)}={value}", key, tmp_path, capsys)
            walked += 1
        if declaration.kind in (int, float):
            assert walked, f"{name}: no bad value made for {key}"
    assert walked >= len(block), f"{name}: only {walked} bad values walked"
    assert not any(tmp_path.iterdir()), "a refused run wrote outputs"


@pytest.mark.parametrize("name, given, message", [
    ("backprop", ["--seed-hidden-units", "0"], "seed_hidden_units must be >= 1, got 0"),
    ("optimizers", ["--momentum", "1.5"], "momentum must be >= 0 and < 1, got 1.5"),
    ("early_stopping", ["--factor", "2"], "factor must be > 0 and < 1, got 2.0"),
    ("loss_functions", ["--logit-range", "nan"], "logit_range must be a finite number > 0"),
    ("backprop", ["--weight-scale", "nan"], "weight_scale must be a finite number > 0"),
    ("optimizers", ["--adam-epsilon", "nan"], "adam_epsilon must be a finite number > 0"),
    ("lr_finder", ["--end", "nan"], "end must be a finite number > 0, got nan"),
    ("gradient_descent", ["--change-tolerance", "nan"], "change_tolerance must be a finite"),
    ("fit_vs_tape", ["--optimizer", "ema_momentum", "--impl", "keras"], "Keras has no"),
])
def test_the_cases_reported_in_class(name, given, message, tmp_path, capsys):
    status = front_door.run_lab(name, [*given, "--out", str(tmp_path)])
    error = capsys.readouterr().err
    assert status == 2 and error.count("\n") == 1 and message in error, error


def test_the_walk_makes_values_outside_each_kind_of_range():
    declaration = hyperparameters.param(0.3, minimum=0, below=1)
    made = bad_values(declaration)
    assert {"abc", "nan", "inf", "-inf", "-1.0", "1", "2.0"} <= set(made)
    assert all(declaration.problem(float(value)) for value in made if value != "abc")
    assert bad_values(hyperparameters.param(4, minimum=1)) == ["abc", "1.5", "0", "-1"]


def test_a_run_whose_last_update_blows_up_is_reported_as_blown_up(tmp_path):
    """Legal flags where the unclipped run's very last step makes its outputs infinite:
    the epoch loop sees no divergence (it checks each batch before its update), so the lab
    checks the trained network too and reports the run as blown up after all its steps,
    instead of failing on an infinite final loss."""
    import json

    status = front_door.run_lab("gradient_clipping", ["--epochs", "2", "--n-samples", "64",
                                                      "--out", str(tmp_path)])
    assert status == 0
    outcomes = json.loads((tmp_path / "outcomes.json").read_text(encoding="utf-8"))
    first = outcomes["predictions"]["1"]["numbers"]
    assert not first["survived"] and first["steps"] == first["planned_steps"], first
    assert outcomes["failed_checks"] == []
