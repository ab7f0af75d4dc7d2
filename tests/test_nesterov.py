"""The nesterov lab's measuring helpers (``labs/helpers/nesterov.py``) against rules written
here, on paths with known answers, and its figure's data."""

import numpy as np
import pytest

from custom.optimizers import trajectories
from labs.helpers import nesterov


def test_relative_gap_is_the_largest_difference_relative_to_one_plus_the_second_path():
    first = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 0.0]])
    second = np.array([[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]])
    assert nesterov.relative_gap(first, second, 2) == pytest.approx(1 / 5)     # |5 − 4|/(1 + 4)
    assert nesterov.relative_gap(first, second, 3) == pytest.approx(9 / 10)
    assert nesterov.relative_gap(first, first, 3) == 0.0


def test_finite_steps_counts_the_steps_before_any_path_overflows():
    finite = np.ones((5, 2))
    broken = finite.copy()
    broken[3, 1] = np.inf
    assert nesterov.finite_steps(finite, finite) == 5
    assert nesterov.finite_steps(finite, broken) == 3
    broken[0, 0] = np.nan
    assert nesterov.finite_steps(broken) == 0


def test_arrival_steps_and_the_winner_follow_from_f_below_the_tolerance():
    # f = x² + 100y² on the x axis: x = 10, 1, 0.1, 0.01, 0.001, 0.0001 gives f < 1e-6 at step 5.
    slow = np.column_stack([10.0 ** -np.arange(6.0) * 10, np.zeros(6)])
    fast = np.column_stack([[10.0, 0.01, 1e-4, 1e-5, 1e-6, 1e-7], np.zeros(6)])
    never = np.column_stack([np.full(6, 10.0), np.zeros(6)])
    paths = {"momentum 0.1": slow, "Nesterov 0.1": fast, "momentum 0.2": never,
             "Nesterov 0.2": never, "momentum 0.3": fast, "Nesterov 0.3": fast}
    arrival, ended = nesterov.arrival_steps(paths, ("momentum", "Nesterov"), (0.1, 0.2, 0.3),
                                            1e-6)
    expected = {"momentum": {0.1: 5, 0.2: None, 0.3: 2}, "Nesterov": {0.1: 2, 0.2: None, 0.3: 2}}
    assert arrival == expected
    assert ended["momentum"][0.2] == float(trajectories.steep_ravine(never)[-1]) == 100.0
    assert [nesterov.winner(arrival, rate) for rate in (0.1, 0.2, 0.3)] == [
        "Nesterov", "neither", "a tie"]


def test_the_figure_draws_the_paths_and_the_arrivals_it_was_given():
    path = np.column_stack([np.linspace(10, 0, 80), np.linspace(1, 0, 80)])
    arrival = {"momentum": {0.001: 50, 0.002: None}, "Nesterov": {0.001: 40, 0.002: 30}}
    limits = {"momentum": 0.019, "Nesterov": 0.0068}
    figure = nesterov.figure(path, path * 0.5, path * 0.25, 0.002, 0.9, 1e-6, arrival, limits)
    left, middle, right = figure.axes
    np.testing.assert_array_equal(left.lines[0].get_xydata(), path[:60])
    np.testing.assert_array_equal(left.lines[2].get_xydata(), path[:60] * 0.25)
    np.testing.assert_allclose(middle.lines[0].get_ydata(), trajectories.steep_ravine(path))
    momentum_steps = right.lines[0].get_ydata()
    assert momentum_steps[0] == 50 and np.isnan(momentum_steps[1])
    assert list(right.lines[2].get_ydata()) == [40, 30]
    for axis in figure.axes:
        assert axis.get_title() and axis.get_xlabel() and axis.get_ylabel()
        assert axis.get_legend() is not None


@pytest.mark.parametrize("call, message", [
    (lambda: nesterov.relative_gap(np.zeros((3, 2)), np.zeros((4, 2)), 3), "same shape"),
    (lambda: nesterov.relative_gap(np.zeros((3, 2)), np.zeros((3, 2)), 0),
     r"steps must be in \[1, 3\]"),
])
def test_bad_input_is_refused_with_a_sentence_naming_it(call, message):
    with pytest.raises(ValueError, match=message):
        call()
