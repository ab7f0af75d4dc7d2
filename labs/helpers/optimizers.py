"""What the ``optimizers`` lab measures, prints and draws, so that the lab keeps the lesson.

The lab keeps its problems, learning rates, runs, predictions and text; this module
measures the paths on the toy functions, prints the tables and draws the figures. A path
that blew up holds inf or NaN; the functions here skip those points or report ∞.
"""

import numpy as np

LABELS = {"sgd": "GD", "ema_momentum": "momentum (EMA form)",
          "momentum": "momentum (classic form)", "nesterov": "Nesterov",
          "rmsprop": "RMSprop", "adam": "Adam (textbook ε)"}
MINIMA = {"x² + 10y²": (0.0, 0.0), "x² + 100y²": (0.0, 0.0), "Rosenbrock": (1.0, 1.0)}


def final_losses(paths, problems):
    """problem → optimizer name → f at the path's last point (inf where the path blew up)."""
    losses = {}
    for problem, (function, _, _) in problems.items():
        losses[problem] = {}
        for name, path in paths[problem].items():
            with np.errstate(over="ignore", invalid="ignore"):
                value = float(function(path[-1]))
            losses[problem][name] = value if np.isfinite(value) else float("inf")
    return losses


def largest_distance(path, other):
    """max over the steps of ‖path − other‖ / max(1, ‖path‖), for paths (steps + 1, 2):
    absolute near the origin, relative far from it, where a path that blows up goes.

    Two paths that blow up at the same step are compared up to it; where only one of
    them has blown up, they are ∞ apart.
    """
    path, other = np.asarray(path), np.asarray(other)
    finite = np.all(np.isfinite(path), axis=1)
    if not np.array_equal(finite, np.all(np.isfinite(other), axis=1)):
        return float("inf")
    with np.errstate(over="ignore", invalid="ignore"):
        scale = np.maximum(1.0, np.linalg.norm(path[finite], axis=1))
        distances = np.linalg.norm(path[finite] - other[finite], axis=1) / scale
    return float(np.max(np.where(np.isfinite(distances), distances, np.inf), initial=0.0))


def lower_of_two(losses, tolerance):
    """Which of two runs (name → final loss) ends lower, or "neither" within ``tolerance``.

    A run that diverged (NaN or inf) is never lower; two that diverged are level.
    """
    (first, first_loss), (second, second_loss) = (
        (name, loss if np.isfinite(loss) else np.inf) for name, loss in losses.items())
    if first_loss == second_loss or abs(first_loss - second_loss) <= tolerance:
        return "neither"
    return first if first_loss < second_loss else second


def lower_phrase(winner):
    """``lower_of_two``'s verdict as words: "the X is lower" or "the two are level"."""
    return "the two are level" if winner == "neither" else f"the {winner} is lower"


def print_final_losses(final, labels):
    """The table of f at the end of each path: one row per optimizer, one column a problem."""
    problems = list(final)
    print(f"{'final loss':<30}" + "".join(f"{problem:>14}" for problem in problems))
    for name in labels:
        print(f"{labels[name]:<30}" + "".join(f"{final[problem][name]:>14.3g}"
                                              for problem in problems))


def print_twins(rates, curves, gaps):
    """The table of part (b): each optimizer's rate, final losses and weight difference."""
    print(f"\n{'optimizer':<10} {'η':>6} {'final loss (custom)':>20} {'(keras)':>9} "
          f"{'max |Δ weight|':>15}")
    for name, rate in rates.items():
        print(f"{name:<10} {rate:>6} {curves[name, 'custom'][-1]:>20.5f} "
              f"{curves[name, 'keras'][-1]:>9.5f} {gaps[name]:>15.1e}")


def draw_paths(figure_axes, paths, problems, labels):
    """One panel per problem: the function's contours (log scale) and every optimizer's path.

    Args:
        figure_axes: one ``Axes`` per problem.
        paths: problem → optimizer name → array (steps + 1, 2).
        problems: problem → (function, start, steps).
        labels: optimizer name → its legend label.
    """
    for ax, (problem, (function, start, steps)) in zip(figure_axes, problems.items()):
        _draw_contours(ax, function, paths[problem])
        for name, path in paths[problem].items():
            style = "--" if name == "momentum" else "-"  # it should lie on the EMA path
            marker = "." if steps <= 100 else None  # a dot per step, where they can be told apart
            ax.plot(path[:, 0], path[:, 1], style, marker=marker, markersize=2, linewidth=1.2,
                    label=labels[name])
        ax.plot(*start, "k*", markersize=12, label="start")
        ax.plot(*MINIMA[problem], "kx", markersize=10, markeredgewidth=2, label="minimum")
        ax.set_title(f"{problem}: {steps} steps")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    figure_axes[0].legend(fontsize=8, loc="upper left")


def _draw_contours(ax, function, paths):
    """log10 f over the box that holds every finite point of ``paths`` (name → path)."""
    every_point = np.concatenate(list(paths.values()))
    every_point = every_point[np.all(np.isfinite(every_point), axis=1)]
    low, high = every_point.min(axis=0), every_point.max(axis=0)
    margin = 0.1 * (high - low) + 0.1
    grid_x, grid_y = np.meshgrid(np.linspace(low[0] - margin[0], high[0] + margin[0], 200),
                                 np.linspace(low[1] - margin[1], high[1] + margin[1], 200))
    with np.errstate(over="ignore", invalid="ignore"):   # a box that reaches a blown-up path
        heights = function(np.stack([grid_x, grid_y], axis=-1))  # (200, 200)
        ax.contour(grid_x, grid_y, np.log10(heights + 1e-3), levels=20, cmap="Greys",
                   alpha=0.6)


def draw_path_losses(figure_axes, paths, problems, labels):
    """One panel per problem: f along every optimizer's path, on a log scale."""
    for ax, (problem, (function, _, _)) in zip(figure_axes, problems.items()):
        for name, path in paths[problem].items():
            with np.errstate(over="ignore", invalid="ignore"):   # inf or NaN where it blew up
                ax.semilogy(function(path), label=labels[name])
        ax.set_title(f"{problem}: loss per step")
        ax.set_xlabel("step")
        ax.set_ylabel("f (log scale)")
    figure_axes[0].legend(fontsize=8)


def draw_twins(ax, curves, names, largest_gap):
    """Each optimizer's loss per epoch: custom as a thick line, its Keras twin as dots.

    ``curves`` maps (name, "custom" | "keras") → losses per epoch.
    """
    for name in names:
        custom_curve, keras_curve = curves[name, "custom"], curves[name, "keras"]
        epochs = np.arange(1, len(custom_curve) + 1)
        line, = ax.plot(epochs, custom_curve, linewidth=3, alpha=0.5, label=f"{name} (custom)")
        ax.plot(epochs, keras_curve, "o", markersize=3, color=line.get_color(),
                label=f"{name} (keras)")
    ax.set_title(f"custom (thick lines) and Keras (dots): weights at most "
                 f"{largest_gap:.0e} apart")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training binary cross-entropy")
    ax.legend(fontsize=8, ncol=2)


def draw_part_ways(axes, momentum_curves, drop_epoch, adam_curves, epsilon, beta_2=0.999):
    """Three panels: the two momentum forms with η dropping after ``drop_epoch``; Adam's
    effective ε, textbook against Keras; the two Adams' loss curves.

    ``momentum_curves`` and ``adam_curves`` map a legend label → losses per epoch.
    """
    left, middle, right = axes
    for (label, curve), style in zip(momentum_curves.items(), ("-", "--")):
        left.plot(np.arange(1, len(curve) + 1), curve, style, label=label)
    left.axvline(drop_epoch + 0.5, color="grey", linestyle=":", label="η drops tenfold")
    left.set_title("momentum: the EMA and classic forms")

    step = np.arange(1, 2001)
    middle.loglog(step, np.full(step.shape, epsilon), label="textbook: ε")
    middle.loglog(step, epsilon / np.sqrt(1 - beta_2 ** step),
                  label="Keras: ε / √(1−β₂ᵗ)")
    middle.set_title("Adam: the ε added to √v̂")
    middle.set_xlabel("step t")
    middle.set_ylabel("effective ε")

    for (label, curve), style in zip(adam_curves.items(), ("-", "--")):
        right.plot(np.arange(1, len(curve) + 1), curve, style, label=label)
    right.set_title(f"Adam with ε = {epsilon}, η = 0.01")
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.set_ylabel("training binary cross-entropy")
    for ax in axes:
        ax.legend(fontsize=8)
