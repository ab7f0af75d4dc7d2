"""The plots that several labs draw. Each takes a matplotlib ``Axes`` and labels it fully.

Saving and showing is ``Lab.save_figure``'s job (see ``labs/machinery/runtime.py``).
"""

import numpy as np


def learning_curves(ax, history, metric="loss", title=None, label_prefix=""):
    """Train and validation ``metric`` against epoch, from a dict of lists or a History."""
    history = getattr(history, "history", history)
    epochs = np.arange(1, len(history[metric]) + 1)
    ax.plot(epochs, history[metric], label=f"{label_prefix}train {metric}")
    if f"val_{metric}" in history:
        ax.plot(epochs, history[f"val_{metric}"], "--", label=f"{label_prefix}val {metric}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_title(title or f"{metric} per epoch")
    ax.legend()


def decision_boundary(ax, predict, x, y, title="decision boundary", resolution=200):
    """Shade the classes that ``predict`` assigns over the plane, with the samples on top.

    Args:
        predict: maps an array (n, 2) to class scores: (n,) or (n, 1) probabilities
            of class 1, or (n, n_classes).
        x: float array (n_samples, 2). y: int labels (n_samples,).
    """
    margin = 0.5
    x_min, x_max = x[:, 0].min() - margin, x[:, 0].max() + margin
    y_min, y_max = x[:, 1].min() - margin, x[:, 1].max() + margin
    grid_x, grid_y = np.meshgrid(np.linspace(x_min, x_max, resolution),
                                 np.linspace(y_min, y_max, resolution))
    points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
    scores = np.asarray(predict(points))
    if scores.ndim == 2 and scores.shape[1] > 1:
        classes = scores.argmax(axis=1)
    else:
        classes = (scores.reshape(-1) > 0.5).astype(int)
    ax.contourf(grid_x, grid_y, classes.reshape(grid_x.shape), alpha=0.3, cmap="coolwarm")
    scatter = ax.scatter(x[:, 0], x[:, 1], c=y, cmap="coolwarm", edgecolors="k", s=18)
    ax.legend(*scatter.legend_elements(), title="class", loc="best")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
