"""What the ``nesterov`` lab measures and draws, so that the lesson shows only its steps.

    relative_gap      the largest |a − b|/(1 + |b|) of two paths, over their finite steps
    finite_steps      how many steps of several paths stay finite (a diverging run overflows)
    arrival_steps     the first step at which f falls below a tolerance, per run and rate
    winner            which of two methods arrived first at one rate: a name, a tie, neither
    figure            the first steps of both methods, f per step, and steps against η

The maths the lab runs (the look-ahead form, the stability limits) is in
``labs/helpers/curvature.py``, beside the rest of the curvature maths, and tested in
``tests/test_curvature.py``; ``tests/test_nesterov.py`` checks the functions here.
"""

import matplotlib.pyplot as plt
import numpy as np

from custom.optimizers import trajectories
from labs.helpers import curvature


def finite_steps(*paths):
    """The number of leading steps (rows) at which every path, (T + 1, d), is finite."""
    with np.errstate(invalid="ignore"):
        finite = np.all(np.isfinite(np.concatenate(paths, axis=1)), axis=1)
    return len(finite) if finite.all() else int(np.argmin(finite))


def relative_gap(first, second, steps):
    """The largest |first − second| over the first ``steps`` rows, relative to 1 + |second|.

    Raises:
        ValueError: when the two paths differ in shape or ``steps`` is not in [1, len].
    """
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    if first.shape != second.shape:
        raise ValueError(f"paths must have the same shape, got {first.shape} and {second.shape}")
    if not 1 <= steps <= len(first):
        raise ValueError(f"steps must be in [1, {len(first)}], got {steps!r}")
    return float(np.max(np.abs(first[:steps] - second[:steps]) / (1 + np.abs(second[:steps]))))


def arrival_steps(paths, kinds, rates, tolerance):
    """``(arrival, ended)``: kind → {η: the first step with f < tolerance, or None} and
    kind → {η: f at the last step}, for the runs ``paths[f"{kind} {η:g}"]`` on x² + 100y²."""
    arrival = {kind: {} for kind in kinds}
    ended = {kind: {} for kind in kinds}
    for rate in rates:
        for kind in kinds:
            with np.errstate(over="ignore", invalid="ignore"):    # a diverging run overflows
                values = trajectories.steep_ravine(paths[f"{kind} {rate:g}"])
                arrival[kind][rate] = curvature.first_step(values < tolerance)
            ended[kind][rate] = float(values[-1])
    return arrival, ended


def winner(arrival, rate):
    """Which kind arrived first at ``rate``: its name, "a tie", or "neither"."""
    steps = {kind: found[rate] for kind, found in arrival.items() if found[rate] is not None}
    if not steps:
        return "neither"
    if len(steps) == len(arrival) and len(set(steps.values())) == 1:
        return "a tie"
    return min(steps, key=steps.get)


def figure(momentum_path, nesterov_path, look_ahead_thetas, learning_rate, momentum,
             tolerance, arrival, limits):
    """The first steps of momentum and Nesterov (w and θ); f per step; steps against η.

    Args:
        momentum_path, nesterov_path, look_ahead_thetas: (T + 1, 2) at ``learning_rate``;
        arrival: kind → {η: step or None}; limits: kind → the stability limit.
    """
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(17, 4.6))
    first = slice(0, 60)
    left.plot(momentum_path[first, 0], momentum_path[first, 1], ".-", markersize=3,
              label="momentum")
    left.plot(nesterov_path[first, 0], nesterov_path[first, 1], ".-", markersize=3,
              label="Nesterov, w (Keras)")
    left.plot(look_ahead_thetas[first, 0], look_ahead_thetas[first, 1], "x:", markersize=4,
              label="Nesterov, θ (look-ahead form)")
    left.set(xlabel="x", ylabel="y", title=f"x² + 100y², η = {learning_rate:g}: first 60 steps")
    with np.errstate(over="ignore", invalid="ignore"):         # a diverging run overflows
        middle.semilogy(trajectories.steep_ravine(momentum_path), label="momentum")
        middle.semilogy(trajectories.steep_ravine(nesterov_path), label="Nesterov")
    middle.axhline(tolerance, color="grey", linestyle=":", label="tolerance")
    middle.set(xlabel="step", ylabel="f (log scale)",
               title=f"η = {learning_rate:g}, μ = {momentum}")
    for number, (kind, marker) in enumerate((("momentum", "o-"), ("Nesterov", "s-"))):
        rates = list(arrival[kind])
        right.plot(rates, [np.nan if arrival[kind][rate] is None else arrival[kind][rate]
                           for rate in rates], marker, color=f"C{number}", label=kind)
        right.axvline(limits[kind], color=f"C{number}", linestyle="--", label=f"{kind}'s limit")
    right.set(xscale="log", xlabel="learning rate η (log scale)",
              ylabel=f"steps to f < {tolerance:g}", title="steps to arrive (a gap: never)")
    for ax in (left, middle, right):
        ax.legend(fontsize=8)
    return figure
