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


def test_hessian_of_rosenbrock_is_the_analytic_one():
    """f = (1 − x)² + 100(y − x²)²: ∂²f/∂x² = 2 − 400(y − x²) + 800x², ∂²f/∂x∂y = −400x,
    ∂²f/∂y² = 200; at (−1.5, 2): [[1902, 600], [600, 200]]."""
    from custom.optimizers import trajectories

    for x, y in ((-1.5, 2.0), (1.0, 1.0), (0.3, -0.7)):
        expected = [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200]]
        np.testing.assert_allclose(optimizer_lab.hessian(trajectories.rosenbrock, (x, y)),
                                   expected, rtol=1e-12, atol=1e-9)


def test_curvature_statement_compares_the_largest_eigenvalue_with_momentums_limit():
    hessian = np.array([[1902.0, 600.0], [600.0, 200.0]])
    sentence, numbers = optimizer_lab.curvature_statement((-1.5, 2.0), hessian, 0.001, 0.9)
    lambda_max = (2102 + math.sqrt(1702 ** 2 + 4 * 600 ** 2)) / 2   # the 2×2 eigenvalue
    assert numbers["lambda_max"] == pytest.approx(lambda_max)
    assert numbers["limit"] == pytest.approx(2 * 1.9 / 0.001)        # 2(1 + γ)/η = 3800
    assert "below it" in sentence and f"{lambda_max / 3800:.2f} of the limit" in sentence
    _, steep = optimizer_lab.curvature_statement((-1.5, 2.0), hessian, 0.01, 0.9)   # limit 380
    assert steep["lambda_max"] > steep["limit"]


@pytest.mark.parametrize("losses, ranked, lowest", [
    ({"sgd": 3.0, "momentum": 0.1, "adam": 1.0}, ["momentum", "adam", "sgd"], ["momentum"]),
    # The two momentum forms, one optimizer: level to 1e-3 of f, both share the lowest place.
    ({"ema_momentum": 0.1, "momentum": 0.10005, "adam": 1.0},
     ["ema_momentum", "momentum", "adam"], ["ema_momentum", "momentum"]),
    ({"sgd": float("inf"), "adam": 2.0}, ["adam", "sgd"], ["adam"])])
def test_ranking_shares_the_lowest_place_within_the_level(losses, ranked, lowest):
    assert optimizer_lab.ranking(losses, optimizer_lab.LEVEL) == (ranked, lowest)


@pytest.mark.parametrize("gaps, answer", [
    ({"sgd": 0.0, "momentum": 0.0, "nesterov": 0.0, "rmsprop": 0.0, "adam": 0.0}, "a"),
    ({"sgd": 0.0, "momentum": 1e-7, "nesterov": 1e-7, "rmsprop": 2e-7, "adam": 1e-7}, "b"),
    ({"sgd": 1e-7, "momentum": 0.0, "nesterov": 1e-7, "rmsprop": 2e-7, "adam": 1e-7}, "c"),
    ({"sgd": 1e-7, "momentum": 1e-7, "nesterov": 1e-7, "rmsprop": 2e-7, "adam": 1e-7}, "d")])
def test_twins_statement_answers_from_the_pairs_that_are_identical(gaps, answer):
    sentence, letter, numbers = optimizer_lab.twins_statement(gaps, 1e-5, epochs=3)
    assert letter == answer
    assert numbers["agree"] is True and numbers["largest_gap"] == max(gaps.values())
    assert ("identical to the last bit" in sentence) == (answer == "a")
    _, _, beyond = optimizer_lab.twins_statement({**gaps, "adam": 1e-3}, 1e-5, epochs=3)
    assert beyond["agree"] is False and beyond["farthest"] == ["adam"]


def test_momentum_statement_reads_the_drop_and_the_winner_from_the_curves():
    ema, classic = [0.5, 0.4, 0.30, 0.20], [0.5, 0.4, 0.31, 0.25]
    sentence, answer, numbers = optimizer_lab.momentum_statement(ema, classic, 2, 1e-4)
    assert numbers["before_drop"] == 0.0 and numbers["same_before"] is True
    assert numbers["winner"] == "EMA form" and answer == "a" and numbers["epochs"] == 4
    _, answer, numbers = optimizer_lab.momentum_statement(ema, [0.5, 0.41, 0.3, 0.2], 2, 1e-4)
    assert numbers["same_before"] is False and answer == "c"    # level at the end
