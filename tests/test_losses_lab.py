"""The loss_functions lab's helpers (``labs/helpers/loss_functions.py``): the sentence about
the log-space sweep follows the numbers it is given, and each figure draws the curves of the
formulas written here."""

import numpy as np
import pytest

from labs.helpers import loss_functions as figures


@pytest.mark.parametrize("infinite, not_a_number, inexact, expected", [
    (103.5, -88.9, 80.0, "softmax-then-log is infinite from g = 103.5; NaN up to g = -88.9; "
                         "off by more than 0.01 from g = 80.0; the fused loss at g = 200.0 is "
                         "200.000"),
    (None, None, None, "softmax-then-log stays finite up to g = 200.0; no NaN in this range; "
                       "the fused loss at g = 200.0 is 200.000")])
def test_the_sweep_sentence_states_only_what_happened(infinite, not_a_number, inexact, expected):
    assert figures.sweep_sentence(200.0, infinite, not_a_number, inexact, 200.0) == expected


def test_the_cross_entropy_figure_draws_minus_log_p_clipped_at_each_epsilon():
    figure = figures.cross_entropy_figure(41, 1e-15, 1e-7)
    left, right = figure.axes
    unclipped, chapters, keras_clip = left.lines[:3]
    p = unclipped.get_xdata()
    np.testing.assert_allclose(unclipped.get_ydata(), -np.log(p))
    np.testing.assert_allclose(keras_clip.get_ydata(), np.minimum(-np.log(p), -np.log(1e-7)))
    assert keras_clip.get_label() == "clipped at ε = 1e-7 (Keras)"
    assert chapters.get_label() == "clipped at ε = 1e-15 (the chapters)"
    q = right.lines[1].get_xdata()
    np.testing.assert_allclose(right.lines[1].get_ydata(), (1 - q) ** 2)


def test_the_stability_figure_shades_only_the_failures_it_is_given():
    gaps = np.linspace(-5, 5, 11)
    naive = np.where(gaps > 3, np.inf, gaps)
    figure = figures.stability_figure(gaps, gaps, gaps, naive, gaps, None, 4.0)
    axis = figure.axes[0]
    assert np.isnan(axis.lines[2].get_ydata()[-1])          # ∞ is not drawn
    labels = [patch.get_label() for patch in axis.patches]
    assert labels == ["naive: ∞ (underflow)"]
