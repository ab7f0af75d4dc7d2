"""The ``curvature`` lab's two figures, each from numbers the lab has already measured.

Each function returns a matplotlib figure; the lab saves and shows it with
``lab.save_figure``. Every panel has a title, axis labels and a legend.
"""

import matplotlib.pyplot as plt
import numpy as np

from labs.helpers import curvature


def stability(quadratic, paths, rates, eigenvalues, eigenvectors, predicted, measured):
    """Paths on ½θᵀAθ; the steepest component against |1 − ηλ_max|ᵗ; the factor against η.

    Args:
        quadratic: J; paths: name → (T + 1, 2); rates: name → η; eigenvalues (2,) ascending
        and eigenvectors (2, 2) of A; predicted and measured: name → factors (2,).
    """
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(17, 4.6))
    grid_x, grid_y = np.meshgrid(np.linspace(-1.6, 1.6, 120), np.linspace(-1.6, 1.6, 120))
    left.contour(grid_x, grid_y, np.log(quadratic(np.stack([grid_x, grid_y], axis=-1)) + 1e-3),
                 levels=15, cmap="Greys")
    for name, path in paths.items():
        outside = np.flatnonzero(np.abs(path).max(axis=1) > 1.6)   # drawn until it leaves
        shown = path[: outside[0] + 1] if outside.size else path
        left.plot(shown[:, 0], shown[:, 1], ".-", markersize=3,
                  label=f"{name}, η = {rates[name]:.3f}")
    left.set(xlim=(-1.6, 1.6), ylim=(-1.6, 1.6), xlabel="θ₁", ylabel="θ₂",
             title="½θᵀAθ: the first steps of each run")
    for name, path in paths.items():
        steps = np.arange(len(path))
        steepest = np.abs(path @ eigenvectors[:, 1])               # |c_max| at each step
        line, = middle.semilogy(steps, steepest, label=name)
        middle.semilogy(steps, steepest[0] * np.abs(predicted[name][1]) ** steps, ":",
                        color=line.get_color())
    middle.set(xlabel="step t", ylabel="|c_max| (log scale)",
               title="steepest component (dotted, under it: |1 − ηλ_max|ᵗ·|c₀|)")
    limit, best = 2 / eigenvalues[-1], 2 / (eigenvalues[0] + eigenvalues[-1])
    sweep = np.linspace(0, 1.3 * limit, 400)
    right.plot(sweep, np.max(np.abs(1 - np.outer(sweep, eigenvalues)), axis=1), color="black",
               label="slowest factor max|1 − ηλᵢ|")
    for number, (name, rate) in enumerate(rates.items()):
        right.plot(rate, np.max(np.abs(measured[name])), "o", color=f"C{number}",
                   label=f"measured: {name}")
    right.axhline(1, color="grey", linestyle=":")
    right.axvline(limit, color="red", linestyle="--", label="2/λ_max")
    right.axvline(best, color="green", linestyle="--", label="η* = 2/(λ_min + λ_max)")
    right.set(xlabel="learning rate η", ylabel="factor per step", title="below 1 converges")
    for ax in (left, middle, right):
        ax.legend(fontsize=8)
    return figure


def saddle_and_plateau(saddle_paths, saddle_runs, plateau_runs, epsilon):
    """The saddle's paths and gradient norms; the plateau's J and gradient norms.

    Args:
        saddle_paths: name → (T + 1, 2); saddle_runs: name → dict with "norms";
        plateau_runs: name → dict with "values" and "norms"; epsilon: the stopping rule's ε.
    """
    figure, axes = plt.subplots(2, 2, figsize=(13, 9))
    grid_x, grid_y = np.meshgrid(np.linspace(-1.2, 1.2, 120), np.linspace(-1.5, 1.5, 120))
    axes[0, 0].contour(grid_x, grid_y, curvature.saddle(np.stack([grid_x, grid_y], -1)),
                       levels=20, cmap="Greys")
    for name, path in saddle_paths.items():
        axes[0, 0].plot(path[:, 0], path[:, 1], ".-", markersize=2, label=name)
    axes[0, 0].plot(0, 0, "kx", markersize=10, label="saddle (0, 0)")
    axes[0, 0].set(xlabel="x", ylabel="y", title="x² + ¼y⁴ − ½y² from (1, offset)")
    for name, run in saddle_runs.items():
        axes[0, 1].semilogy(run["norms"], label=name)
    for name, run in plateau_runs.items():
        axes[1, 0].plot(run["values"], label=name)
        axes[1, 1].semilogy(run["norms"], label=name)
    axes[0, 1].set(xlabel="step", ylabel="‖∇J‖ (log scale)", title="saddle: gradient norm")
    axes[1, 0].set(xlabel="step", ylabel="J", title="plateau: (σ(w + b) − 0.9)²")
    axes[1, 1].set(xlabel="step", ylabel="‖∇J‖ (log scale)", title="plateau: gradient norm")
    for ax in (axes[0, 1], axes[1, 1]):
        ax.axhline(epsilon, color="red", linestyle=":", label="ε")
    for ax in axes.flat:
        ax.legend(fontsize=8)
    figure.tight_layout()
    return figure
