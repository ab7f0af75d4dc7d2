"""What the ``gradient_descent`` lab measures and draws, so that the lesson shows only its steps.

    where_it_stopped   which critical point of the quartic a run ended next to
    chapter_rule, our_rule         the two verdicts of the learning-rate table
    rising_zeros       where a function's derivative crosses 0 upwards: its minima
    clipped_runs       "The Learning Problem"'s runs on a bumpy curve, w clipped, with a verdict
    bowl_factors       what x × (1 − 2η) and y × (1 − 4η) do per step, printed and returned
    largest_gap        the largest difference of two paths over the steps both took
    print_square_table, print_points, print_rate_table, print_ends   the lab's tables
    descent_paths, learning_rates, landscape     the lab's three figures

Each figure function returns a matplotlib figure; the lab saves and shows it with
``lab.save_figure``. Every panel has a title, axis labels and a legend.
``tests/test_gradient_descent_lab.py`` checks these against rules written there.
"""

import matplotlib.pyplot as plt
import numpy as np

SETTLED_SPREAD = 1e-6   # SETTLED: the last 10 losses differ by less than this.
CLIP = 10.0             # w is clipped to [−CLIP, CLIP]; reaching it counts as DIVERGED.

CRITICAL_NAMES = ("the global minimum", "the hump", "the local minimum")
NEAR = 0.01             # "Next to" a critical point: within this distance.


def where_it_stopped(w, critical):
    """The critical point w ended next to (within ``NEAR``), "between critical points", or
    "nowhere: it diverged". ``critical``: the quartic's three, ascending."""
    if not np.isfinite(w):
        return "nowhere: it diverged"
    nearest = int(np.argmin(np.abs(np.asarray(critical) - w)))
    return CRITICAL_NAMES[nearest] if abs(w - critical[nearest]) < NEAR else \
        "between critical points"


def chapter_rule(final_loss):
    """The rule of "Learning Algorithms": DIVERGED if NaN or above 1e10, CONVERGED below 0.01."""
    if np.isnan(final_loss) or final_loss > 1e10:
        return "DIVERGED"
    return "CONVERGED" if final_loss < 0.01 else "SLOW"


def our_rule(final_loss, initial_loss):
    """Ours, against the start J₀: DIVERGED if not finite or above J₀, CONVERGED below 10⁻³·J₀."""
    if not np.isfinite(final_loss) or final_loss > initial_loss:
        return "DIVERGED"
    return "CONVERGED" if final_loss < 1e-3 * initial_loss else "SLOW"


def print_square_table(path, factor, steps):
    """x_t and f(x_t) = x_t² at the given steps, beside the closed form 5·factorᵗ."""
    print(f"{'step':>4} {'x':>10} {'f(x)':>10} {f'5·{factor:g}^t':>10}")
    for step in steps:
        x = path[step]
        print(f"{step:>4} {x:>10.6f} {x**2:>10.6f} {5 * factor ** step:>10.6f}")


def fate(factor):
    """What multiplying by ``factor`` at every step does to a number's size."""
    return "shrinks" if abs(factor) < 1 else ("keeps its size" if abs(factor) == 1 else "grows")


def bowl_factors(factor_x, factor_y):
    """Print and return each factor, its fate, and which coordinate shrinks faster."""
    faster = "y" if abs(factor_y) < abs(factor_x) else "x"
    print(f"per step x × {factor_x:g} ({fate(factor_x)}), y × {factor_y:g} ({fate(factor_y)})"
          + (f": {faster} shrinks faster" if max(abs(factor_x), abs(factor_y)) < 1 else ""))
    return {"factor_x": factor_x, "factor_y": factor_y, "faster": faster,
            "fate_x": fate(factor_x), "fate_y": fate(factor_y)}


def print_points(path, function, steps):
    """The point (x, y) and f(x, y) at the given steps of a path (S + 1, 2)."""
    for step in steps:
        x, y = path[step]
        print(f"step {step:>2}: x = {x:.4f}, y = {y:.4f}, f(x, y) = {function((x, y)):.4f}")


def largest_gap(first, second):
    """max |first_t − second_t| over the steps both paths (S + 1, d) took."""
    shared = min(len(first), len(second))
    return float(np.abs(np.asarray(first)[:shared] - np.asarray(second)[:shared]).max())


def print_rate_table(final_losses, chapter_verdicts, our_verdicts):
    """One row per rate: its final loss and both rules' verdicts."""
    print(f"{'eta':>5} {'final loss':>12} {'chapter rule':>12} {'our rule':>10}")
    for rate in final_losses:
        print(f"{rate:>5} {final_losses[rate]:>12.4f} {chapter_verdicts[rate]:>12} "
              f"{our_verdicts[rate]:>10}")


def print_ends(runs):
    """One row per run, name → (path (S + 1, 2), the rule that stopped it, its last J)."""
    print(f"{'':<11} {'steps':>5} {'reason':>9} {'w1':>11} {'w2':>11} {'J':>13}")
    for name, (path, why, final) in runs.items():
        print(f"{name:<11} {len(path) - 1:>5} {why:>9} {path[-1][0]:>11.7f} "
              f"{path[-1][1]:>11.7f} {final:>13.10f}")


def rising_zeros(derivative, low, high, points=400_001):
    """The points of [low, high] where ``derivative`` changes sign from − to + (the minima of
    the function it differentiates), to within (high − low)/(points − 1)."""
    if not high > low:
        raise ValueError(f"high must be > low, got low={low!r}, high={high!r}")
    grid = np.linspace(low, high, points)
    rising = (derivative(grid[:-1]) < 0) & (derivative(grid[1:]) >= 0)
    return grid[1:][rising]


def clipped_runs(function, derivative, rates, minima, start, steps):
    """Gradient descent from ``start`` at each rate, each step's w clipped to [−10, 10]; prints
    one row per rate and returns ``(losses, outcomes)``.

    ``losses``: rate → the ``steps + 1`` values J(w_t). ``outcomes``: str(rate) → w, J, the
    spread of the last 10 losses, a verdict (DIVERGED: w reached the clip; SETTLED: the
    spread is below ``SETTLED_SPREAD``; else STILL MOVING) and the nearest of ``minima``.
    """
    losses, outcomes = {}, {}
    print(f"{'eta':>6} {'final w':>8} {'final J':>8} {'last-10 spread':>15} {'verdict':>13} "
          f"{'nearest minimum':>16}")
    for rate in rates:
        w, curve = float(start), [function(float(start))]
        for _ in range(steps):
            w = float(np.clip(w - rate * derivative(w), -CLIP, CLIP))   # w ← w − η·J′(w)
            curve.append(function(w))
        losses[rate] = curve
        spread = max(curve[-10:]) - min(curve[-10:])
        verdict = ("DIVERGED" if abs(w) >= CLIP else
                   "SETTLED" if spread < SETTLED_SPREAD else "STILL MOVING")
        nearest = float(minima[np.argmin(np.abs(minima - w))])
        outcomes[str(rate)] = {"w": w, "J": curve[-1], "spread": spread, "verdict": verdict,
                               "nearest_minimum": nearest}
        print(f"{rate:>6} {w:>8.4f} {curve[-1]:>8.4f} {spread:>15.2e} {verdict:>13} "
              f"{nearest:>16.3f}")
    return losses, outcomes


def descent_paths(path_square, factor, learning_rate, path_bowl, bowl, quartic, quartic_paths,
                  quartic_learning_rate):
    """x_t on x² beside 5·(1 − 2η)ᵗ; the path on the bowl; the runs on the non-convex curve.

    Args:
        path_square: (T + 1,) x_t on x² from 5; factor: 1 − 2η; learning_rate: η.
        path_bowl: (S + 1, 2) on the bowl; bowl: f(x, y) taking an array (2, ...).
        quartic: J(w); quartic_paths: start → (200 + 1,) w_t; quartic_learning_rate: its η.
    """
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(16, 4.2))
    left.plot(path_square, "o-", label=r"$x_t$ with $\eta$ = " + f"{learning_rate}")
    left.plot(5 * factor ** np.arange(len(path_square)), "k:",
              label=r"$5\cdot(1-2\eta)^t$" + f" = 5·{factor:g}^t")
    left.set(xlabel="step t", ylabel="x", title="f(x) = x² from x = 5")
    left.legend()
    grid_x, grid_y = np.meshgrid(np.linspace(-4.5, 4.5, 80), np.linspace(-3.5, 3.5, 80))
    middle.contour(grid_x, grid_y, bowl(np.array([grid_x, grid_y])), levels=15, cmap="viridis")
    middle.plot(path_bowl[:, 0], path_bowl[:, 1], "ro-", markersize=4, label="descent path")
    middle.plot(0, 0, "k*", markersize=12, label="minimum (0, 0)")
    middle.set(xlabel="x", ylabel="y", title="f(x, y) = x² + 2y² from (4, 3)")
    middle.legend()
    w_range = np.linspace(-1, 3.2, 300)
    right.plot(w_range, quartic(w_range), "b-", label="J(w)")
    for start, path in quartic_paths.items():
        right.plot(path[::10], quartic(path[::10]), "o", alpha=0.6,
                   label=f"every 10th step from w = {start:g}")
        right.plot(path[-1], quartic(path[-1]), "*", markersize=14,
                   label=f"end: w = {path[-1]:.3f}")
    right.set(xlabel="w", ylabel="J(w)", title=f"non-convex, η = {quartic_learning_rate:g}",
              xlim=(-1.2, 3.4), ylim=(-1, 8))
    right.legend(fontsize=8)
    return figure


def learning_rates(table_losses, verdicts, bumpy_losses, global_value):
    """The loss per step of each rate on x² (log scale) and on the bumpy curve.

    Args:
        table_losses: η → (T + 1,) losses on x²; verdicts: str(η) → our verdict.
        bumpy_losses: η → losses on w² + 0.5·sin 4w; global_value: J at its global minimum.
    """
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    for rate, curve in table_losses.items():
        left.semilogy(curve, "o-", markersize=3, label=f"η = {rate} ({verdicts[str(rate)]})")
    left.set(xlabel="step", ylabel="loss x² (log scale)",
             title="Learning Algorithms: x² from x = 10")
    left.legend()
    for rate, curve in bumpy_losses.items():
        right.plot(curve, label=f"η = {rate}")
    right.axhline(global_value, color="k", linestyle=":",
                  label=f"global minimum {global_value:.3f}")
    right.set(xlabel="step", ylabel="J(w)", ylim=(-1, 15),
              title="The Learning Problem: w² + 0.5·sin 4w from w = 3")
    right.legend()
    return figure


def landscape(landscape_function, path, grid_points, learning_rate):
    """J(w₁, w₂) as a 3-D surface and as contours, each with the descent path on it.

    Args:
        landscape_function: J, taking an array (2, ...); path: (S + 1, 2) the descent's points;
        grid_points: points per side of the grid on [−3, 3]²; learning_rate: the path's η.
    """
    axis = np.linspace(-3, 3, grid_points)
    grid_1, grid_2 = np.meshgrid(axis, axis)
    surface = landscape_function(np.array([grid_1, grid_2]))
    figure = plt.figure(figsize=(13, 5))
    ax3d = figure.add_subplot(1, 2, 1, projection="3d")
    ax3d.plot_surface(grid_1, grid_2, surface, cmap="viridis", alpha=0.7)
    ax3d.plot(path[:, 0], path[:, 1], landscape_function(path.T), "r.-", label="descent path")
    ax3d.set(xlabel="$w_1$", ylabel="$w_2$", zlabel="J", title="3-D loss landscape")
    ax3d.legend()
    ax = figure.add_subplot(1, 2, 2)
    filled = ax.contourf(grid_1, grid_2, surface, levels=30, cmap="viridis")
    figure.colorbar(filled, ax=ax, label="J")
    ax.plot(path[:, 0], path[:, 1], "r.-", label=f"descent, η = {learning_rate}")
    ax.plot(0, 0, "wx", markersize=10, label="(0, 0), the minimum claimed in The Learning Problem")
    ax.plot(*path[-1], "r*", markersize=15,
            label=f"stopped at ({path[-1][0]:.3f}, {path[-1][1]:.3f})")
    ax.set(xlabel="$w_1$", ylabel="$w_2$", title="contours, with the path")
    ax.legend(fontsize=8)
    return figure
