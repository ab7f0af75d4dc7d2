"""The measurements behind the optimizers and lr_finder labs' statements, on hand-made numbers
whose answers are known: where a rate falls on a range test's curve, how far apart two
paths are, and which of two runs ends lower."""

import math

import numpy as np
import pytest

from callbacks.lr_finder.result import LRFinderResult
from labs.helpers import lr_finder as range_test, optimizers as optimizer_lab


@pytest.fixture
def curve():
    """A range test from 1e-6 to 10: flat to 1e-3, a straight fall in log η to 1, a cliff.

    The loss is 2 up to η = 1e-3, falls linearly in log10(η) to 0.5 at η = 1, then
    rises; the smoothed loss is the loss itself, so every verdict can be read off it.
    """
    rates = np.logspace(-6, 1, 71)                      # ten points a decade
    log_rates = np.log10(rates)
    losses = np.where(log_rates <= -3, 2.0, 2.0 - 0.5 * (log_rates + 3))   # 0.5 at η = 1
    losses = np.where(log_rates > 0, 0.5 + 2.0 * log_rates, losses)        # the cliff
    losses[-5:] = np.nan                                 # the sweep blew up at the end
    return LRFinderResult(rates, losses, losses, "test curve")


@pytest.mark.parametrize("rate, where", [
    (1e-7, "below the sweep"), (1e-4, "on the flat start"),
    (1.5e-3, "on the flat start"),        # 0.09 of the fall done: less than a tenth
    (1e-2, "on the fall"), (0.5, "on the fall"), (3.0, "past the minimum"),
    (9.0, "beyond where the sweep stopped")])
def test_place_names_the_part_of_the_curve(curve, rate, where):
    place = range_test.place(curve, rate)
    assert place["where"] == where
    assert math.isclose(place["rate_at_minimum"], 1.0)
    assert place["lowest_loss"] == pytest.approx(0.5)
    assert place["top_loss"] == 2.0 and place["top_rate"] == 1e-6


def test_place_interpolates_the_smoothed_loss_on_log_rate(curve):
    assert range_test.place(curve, 10 ** -1.5)["smoothed"] == pytest.approx(1.25)
    assert math.isnan(range_test.place(curve, 1e-7)["smoothed"])


def test_place_refuses_a_rate_that_is_not_positive(curve):
    with pytest.raises(ValueError, match="rate must be a positive learning rate"):
        range_test.place(curve, 0.0)


def test_largest_distance_is_relative_far_from_the_origin_and_infinite_if_one_blows_up():
    path = np.array([[0.0, 0.0], [3.0, 4.0], [300.0, 400.0]])
    other = path + np.array([[0.0, 0.0], [0.0, 1e-3], [0.0, 1.0]])
    # 1e-3 at |θ| = 5 and 1 at |θ| = 500: relative 2e-4 and 2e-3.
    assert optimizer_lab.largest_distance(path, other) == pytest.approx(2e-3)
    assert optimizer_lab.largest_distance(path, path) == 0.0
    blown = path.copy()
    blown[2] = np.inf
    assert optimizer_lab.largest_distance(path, blown) == math.inf
    assert optimizer_lab.largest_distance(blown, blown.copy()) == 0.0   # same step


@pytest.mark.parametrize("losses, winner", [
    ({"a": 0.5, "b": 0.7}, "a"), ({"a": 0.7, "b": 0.5}, "b"),
    ({"a": 0.5, "b": 0.50005}, "neither"), ({"a": math.nan, "b": 0.5}, "b"),
    ({"a": 0.5, "b": math.inf}, "a"), ({"a": math.nan, "b": math.inf}, "neither")])
def test_lower_of_two_within_a_tolerance_and_with_runs_that_diverged(losses, winner):
    assert optimizer_lab.lower_of_two(losses, 1e-4) == winner
