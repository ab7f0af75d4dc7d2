"""The gradient_descent lab's helpers (``labs/helpers/gradient_descent.py``) against rules and
closed forms written here: polynomial roots from ``numpy.roots``, descent on x² by hand, the
verdict rules of the lab's text, and the data each figure draws."""

import numpy as np
import pytest

from labs.helpers import gradient_descent as measures


def test_rising_zeros_are_the_minima_numpy_roots_finds():
    # J(w) = w⁴ − 3w³ + 2w² + w: J′ has roots −0.175 (a minimum), 1 (a hump), 1.425 (a minimum).
    derivative = lambda w: 4 * w**3 - 9 * w**2 + 4 * w + 1
    roots = np.sort(np.roots([4, -9, 4, 1]).real)
    np.testing.assert_allclose(measures.rising_zeros(derivative, -2, 3), roots[[0, 2]],
                               atol=1e-4)
    with pytest.raises(ValueError, match="high must be > low"):
        measures.rising_zeros(derivative, 1, 1)


def test_where_it_stopped_names_the_critical_point_within_its_distance():
    critical = np.array([-0.175, 1.0, 1.425])
    assert measures.where_it_stopped(1.005, critical) == "the hump"
    assert measures.where_it_stopped(-0.17, critical) == "the global minimum"
    assert measures.where_it_stopped(1.2, critical) == "between critical points"
    assert measures.where_it_stopped(float("nan"), critical) == "nowhere: it diverged"


@pytest.mark.parametrize("final, initial, chapter, ours", [
    (float("nan"), 100.0, "DIVERGED", "DIVERGED"), (2e10, 100.0, "DIVERGED", "DIVERGED"),
    (150.0, 100.0, "SLOW", "DIVERGED"), (0.009, 1.0, "CONVERGED", "SLOW"),
    (0.05, 100.0, "SLOW", "CONVERGED"), (100.0, 100.0, "SLOW", "SLOW")])
def test_the_two_rules_give_the_verdicts_the_text_states(final, initial, chapter, ours):
    assert measures.chapter_rule(final) == chapter
    assert measures.our_rule(final, initial) == ours


def test_clipped_runs_are_descent_by_hand_with_the_clip_and_the_verdicts():
    function, derivative = (lambda w: w**2), (lambda w: 2 * w)
    losses, outcomes = measures.clipped_runs(function, derivative, (0.25, 0.5, 1.5),
                                             np.array([0.0]), start=3.0, steps=40)
    # η = 0.25: w ← w/2; η = 0.5: one step to 0; η = 1.5: w ← −2w until |w| hits 10.
    np.testing.assert_allclose(losses[0.25], [(3.0 * 0.5**t) ** 2 for t in range(41)])
    assert losses[0.5][1:] == [0.0] * 40 and outcomes["0.5"]["verdict"] == "SETTLED"
    assert outcomes["1.5"]["verdict"] == "DIVERGED" and abs(outcomes["1.5"]["w"]) == 10
    assert outcomes["0.25"]["nearest_minimum"] == 0.0
    slow, _ = measures.clipped_runs(function, derivative, (0.001,), np.array([0.0]), 3.0, 40)
    spread = max(slow[0.001][-10:]) - min(slow[0.001][-10:])
    assert spread > measures.SETTLED_SPREAD


def test_bowl_factors_fates_and_the_largest_gap():
    factors = measures.bowl_factors(0.8, 0.6)
    assert factors == {"factor_x": 0.8, "factor_y": 0.6, "faster": "y", "fate_x": "shrinks",
                       "fate_y": "shrinks"}
    assert measures.bowl_factors(0.2, -1.4)["fate_y"] == "grows"
    assert measures.fate(-1.0) == "keeps its size"
    first, second = np.zeros((5, 2)), np.zeros((3, 2))
    first[4] = 9.0          # a step only the first path took does not count
    second[2, 1] = -0.5
    assert measures.largest_gap(first, second) == 0.5


def test_the_figures_draw_the_paths_and_curves_they_were_given():
    path_square = 5 * 0.8 ** np.arange(21)
    path_bowl = np.array([[4.0, 3.0], [3.2, 1.8], [2.56, 1.08]])
    quartic = lambda w: w**4 - 3 * w**3 + 2 * w**2 + w
    bowl = lambda point: point[0] ** 2 + 2 * point[1] ** 2
    figure = measures.descent_paths(path_square, 0.8, 0.1, path_bowl, bowl, quartic,
                                    {3.0: np.linspace(3, 1.43, 201)}, 0.01)
    left, middle, right = figure.axes
    np.testing.assert_allclose(left.lines[0].get_ydata(), path_square)
    np.testing.assert_allclose(left.lines[1].get_ydata(), path_square)   # the closed form
    np.testing.assert_allclose(middle.lines[0].get_xydata(), path_bowl)
    np.testing.assert_allclose(right.lines[2].get_xydata()[0], [1.43, quartic(1.43)])
    rates = measures.learning_rates({0.1: [100.0, 64.0]}, {"0.1": "SLOW"}, {0.5: [9.0, 1.0]},
                                    -0.377)
    assert rates.axes[0].lines[0].get_label() == "η = 0.1 (SLOW)"
    assert list(rates.axes[1].lines[1].get_ydata()) == [-0.377, -0.377]
    surface = measures.landscape(lambda w: 0.5 * (w[0] ** 2 + w[1] ** 2), path_bowl, 10, 0.1)
    np.testing.assert_allclose(surface.axes[1].lines[0].get_xydata(), path_bowl)
    for each in (figure, rates, surface):
        for axis in each.axes:
            if axis.get_label() == "<colorbar>":
                continue
            assert axis.get_title() and axis.get_xlabel() and axis.get_legend() is not None
