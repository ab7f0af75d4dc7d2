"""What the ``optimizers`` lab measures, prints and draws, so that the lab keeps the lesson.

The lab keeps its problems, learning rates, runs, predictions and text; this module
measures the paths on the toy functions, prints the tables and draws the figures. A path
that blew up holds inf or NaN; the functions here skip those points or report ∞.
"""

import numpy as np
import tensorflow as tf

LABELS = {"sgd": "GD", "ema_momentum": "momentum (EMA form)",
          "momentum": "momentum (classic form)", "nesterov": "Nesterov",
          "rmsprop": "RMSprop", "adam": "Adam (textbook ε)"}
LEVEL = 1e-3   # Relative: final f values this close share the lowest place (Predict 1).
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


def ranking(losses, level):
    """``(ranking, lowest)`` of name → final f: the names from lowest f up, and those whose
    f is within ``level`` (relative) of the lowest, which share the lowest place."""
    ranked = sorted(losses, key=losses.get)
    best = losses[ranked[0]]
    return ranked, [name for name in ranked if losses[name] - best <= level * abs(best)]


def hessian(function, point):
    """The (2, 2) Hessian of ``function`` at ``point``, from two nested ``tf.GradientTape``s."""
    variable = tf.Variable(point, dtype=tf.float64)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            value = function(variable)
        gradient = inner.gradient(value, variable)        # (2,)
    return outer.jacobian(gradient, variable).numpy()     # (2, 2)


def rosenbrock_statement(losses, steps, labels):
    """Predict 1's sentence, answer and numbers from name → final f on Rosenbrock.

    The two momentum forms are one optimizer: where they end level (to ``LEVEL`` of f),
    both share the lowest place, and so both letters are right.
    """
    ranked, lowest = ranking(losses, LEVEL)
    winner, choices = ranked[0], dict(zip(labels, "abcdef"))
    adam_rank = ranked.index("adam") + 1
    sentence = (f"after {steps} steps on Rosenbrock, {labels[winner]} ends lowest "
                f"(f = {losses[winner]:.3g}); Adam ranks {adam_rank} of {len(ranked)} "
                f"(f = {losses['adam']:.3g}), so here Adam "
                f"{'is' if winner == 'adam' else 'is not'} the fastest.")
    return sentence, tuple(choices[name] for name in lowest), dict(
        final_losses=losses, winner=winner, ranking=ranked, lowest=lowest,
        optimizer_choices=choices, adam_rank=adam_rank)


def curvature_statement(point, hessian_matrix, learning_rate, momentum):
    """The sentence and numbers comparing the Hessian's largest eigenvalue at ``point`` with
    heavy-ball momentum's stability limit on a quadratic, λ < 2(1 + γ)/η."""
    lambda_max = float(np.linalg.eigvalsh(hessian_matrix).max())
    limit = 2 * (1 + momentum) / learning_rate
    h = hessian_matrix
    sentence = (f"Rosenbrock's Hessian at {tuple(point)}: [[{h[0, 0]:.0f}, {h[0, 1]:.0f}], "
                f"[{h[1, 0]:.0f}, {h[1, 1]:.0f}]], largest eigenvalue λ_max = {lambda_max:.0f}. "
                f"Classic momentum at η = {learning_rate:.3g}, γ = {momentum:g} is stable on a "
                f"quadratic while λ < 2(1 + γ)/η = {limit:.0f}: λ_max is "
                f"{'below' if lambda_max < limit else 'above'} it "
                f"({lambda_max / limit:.2f} of the limit).")
    return sentence, dict(point=list(point), hessian=h.tolist(), lambda_max=lambda_max,
                          learning_rate=learning_rate, momentum=momentum, limit=limit)


def twins_statement(gaps, tolerance, epochs):
    """Predict 2's sentence, answer and numbers from name → max |custom − Keras| weight."""
    largest = max(gaps.values())
    agree = bool(largest <= tolerance)
    farthest = [name for name, gap in gaps.items() if gap == largest]
    identical = [name for name, gap in gaps.items() if gap == 0]
    sentence = (f"the largest |custom − Keras| weight difference after {epochs} epochs is "
                + ("0: every pair is identical to the last bit." if largest == 0 else
                   f"{largest:.1e} ({', '.join(farthest)}), "
                   f"{'within' if agree else 'BEYOND'} the tolerance {tolerance:.0e}."))
    answer = ("a" if len(identical) == len(gaps) else "b" if identical == ["sgd"] else
              "c" if identical else "d")
    return sentence, answer, dict(gaps=gaps, largest_gap=largest, farthest=farthest,
                                  identical=identical, weight_tolerance=tolerance, agree=agree)


def momentum_statement(ema_curve, classic_curve, drop_epoch, tolerance):
    """Predict 3's sentence, answer and numbers from the two momentum forms' loss curves:
    the same before η drops after ``drop_epoch``, and which ends lower."""
    before_drop = float(np.max(np.abs(np.subtract(ema_curve[:drop_epoch],
                                                  classic_curve[:drop_epoch])), initial=0.0))
    same_before = bool(before_drop <= tolerance)
    finals = {"EMA form": ema_curve[-1], "classic form": classic_curve[-1]}
    winner = lower_of_two(finals, tolerance)
    sentence = (f"up to epoch {drop_epoch}, before η drops, the two curves differ by at most "
                f"{before_drop:.1e} ({'the same' if same_before else 'NOT the same'} optimizer, "
                f"tolerance {tolerance:.0e}); after epoch {len(ema_curve)} "
                f"{lower_phrase(winner)}: EMA {ema_curve[-1]:.5f}, "
                f"classic {classic_curve[-1]:.5f}.")
    answer = {"EMA form": "a", "classic form": "b", "neither": "c"}[winner]
    return sentence, answer, dict(before_drop=before_drop, loss_tolerance=tolerance,
                                  same_before=same_before, final_losses=finals, winner=winner,
                                  drop_epoch=drop_epoch, epochs=len(ema_curve))


def adam_answer(first_winner, last_winner):
    """Predict 4's letter from the lower Adam after the first and after the last epoch."""
    return {("textbook ε", "textbook ε"): "a", ("textbook ε", "Keras ε"): "b",
            ("Keras ε", "textbook ε"): "c", ("Keras ε", "Keras ε"): "d"}.get(
                (first_winner, last_winner), "e")


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


def draw_part_ways(axes, momentum_curves, drop_epoch, adam_curves, epsilon, learning_rate,
                   beta_2=0.999):
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
    right.set_title(f"Adam with ε = {epsilon}, η = {learning_rate}")
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.set_ylabel("training binary cross-entropy")
    for ax in axes:
        ax.legend(fontsize=8)
