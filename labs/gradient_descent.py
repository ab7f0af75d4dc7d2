"""Gradient descent by hand: step size, valleys, landscapes and when to stop.

What you learn: the update θ ← θ − η·∇J(θ) on functions you can see. It walks
down x² and a 2-D bowl, and it stops in the nearest valley of a non-convex curve.
A learning-rate table sorts η into SLOW, CONVERGED and DIVERGED by a rule stated in
the text. A 2-D loss landscape shows a descent path in 3-D and as contours. Finally,
descent stops when ‖∇J‖ < ε or |ΔJ| < δ, first in NumPy and then with ``tf.Variable``
and ``tf.GradientTape``, and both give the same numbers.

Follows: seed 000 (sections 1.2, 1.3 and 4.1), seed 001 (loss landscape, 1-D
gradient descent, learning-rate comparison), seed 003 (the update rule) and seed 004
(convergence checks).
Run time: about 6 s on 2 CPU cores (about 5 s with --quick), start-up included.
"""

# %% [markdown]
# # Gradient descent by hand
#
# Gradient descent repeats one line, θ ← θ − η·∇J(θ): feel the slope, step
# downhill, repeat. This lab writes that line out by hand on small functions, so
# that you can watch every step. The hyperparameters come first, each with its reason.

# %%
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from labs import _runtime
from labs._runtime import param

lab = _runtime.start("gradient_descent", {
    "learning_rate": param(0.1, above=0),        # The seeds' step size for x²,
                                                 # the bowl and the landscape.
    "steps": param(20, minimum=5),               # Seed 000 prints 20 steps on x².
    "gradient_tolerance": param(1e-6, above=0),  # ε: stop when ‖∇J‖ < ε (seed 004's first check).
    "change_tolerance": param(1e-12, above=0),   # δ: stop when |J_t − J_(t−1)|
                                                 # < δ (its second check).
    "max_steps": param(1000, minimum=1),         # A safety net in case neither check ever fires.
    "grid_points": param(100, minimum=2),        # Resolution of the landscape
                                                 # plots, as in seed 001.
}, quick={"grid_points": 40})     # Full run: 100 points a side.


def descend(gradient, start, learning_rate, steps):
    """The whole algorithm: θ ← θ − η·∇J(θ), ``steps`` times. Returns every θ, (steps + 1, dims)."""
    theta = np.array(start, dtype=float)
    path = [theta.copy()]
    for _ in range(steps):
        theta = theta - learning_rate * gradient(theta)   # θ ← θ − η·∇J(θ)
        path.append(theta.copy())
    return np.array(path)


# %% [markdown]
# ## 1. One dimension: f(x) = x² from x = 5
#
# The gradient is f′(x) = 2x, so each step is x ← x − 0.1·2x = 0.8·x: x shrinks by
# 20 % per step and x_t = 5·0.8ᵗ exactly. The table prints the same rows as seed 000.

# %%
path_square = descend(lambda x: 2 * x, [5.0], lab.learning_rate, lab.steps)[:, 0]
print(f"{'step':>4} {'x':>10} {'f(x)':>10} {'5·0.8^t':>10}")
for step in (1, 2, 3, 4, 5, lab.steps):
    x = path_square[step]
    print(f"{step:>4} {x:>10.6f} {x**2:>10.6f} {5 * (1 - 2 * lab.learning_rate) ** step:>10.6f}")

# %% [markdown]
# ## 2. Two dimensions: f(x, y) = x² + 2y² from (4, 3)
#
# Now ∇f = (2x, 4y). The y direction is twice as steep, so y shrinks faster
# (factor 0.6 per step) than x (factor 0.8): the path curves towards the x axis
# before it reaches the minimum at (0, 0). Seed 000 runs 15 steps.

# %%
bowl = lambda point: point[0] ** 2 + 2 * point[1] ** 2
path_bowl = descend(lambda p: np.array([2 * p[0], 4 * p[1]]), [4.0, 3.0], lab.learning_rate, 15)
for step in (1, 2, 3, 15):
    x, y = path_bowl[step]
    print(f"step {step:>2}: x = {x:.4f}, y = {y:.4f}, f(x, y) = {bowl((x, y)):.4f}")

# %% [markdown]
# ## 3. A non-convex curve: J(w) = w⁴ − 3w³ + 2w² + w
#
# J′(w) = 4w³ − 9w² + 4w + 1 is zero at w ≈ −0.175 (the global minimum, J ≈ −0.097),
# at w = 1 (a hump) and at w ≈ 1.425 (a local minimum, J ≈ 0.929). Seed 001 starts at
# w = 3 with η = 0.01 and calls its end point "the minimum". It is only the *nearest*
# valley: descent cannot climb the hump at w = 1. Starting at w = −1 finds the global one.

# %%
quartic = lambda w: w**4 - 3 * w**3 + 2 * w**2 + w
quartic_gradient = lambda w: 4 * w**3 - 9 * w**2 + 4 * w + 1
quartic_paths = {start: descend(quartic_gradient, [start], 0.01, 200)[:, 0] for start in (3.0, -1.0)}
for start, path in quartic_paths.items():
    print(f"from w = {start:+.1f}: w = {path[-1]:.4f}, J(w) = {quartic(path[-1]):.6f} after 200 steps")

figure, (left, middle, right) = plt.subplots(1, 3, figsize=(16, 4.2))
left.plot(path_square, "o-", label=r"$x_t$ with $\eta$ = " + f"{lab.learning_rate}")
left.plot(5 * 0.8 ** np.arange(len(path_square)), "k:", label=r"$5\cdot 0.8^t$")
left.set(xlabel="step t", ylabel="x", title="f(x) = x² from x = 5")
left.legend()
grid_x, grid_y = np.meshgrid(np.linspace(-4.5, 4.5, 80), np.linspace(-3.5, 3.5, 80))
middle.contour(grid_x, grid_y, grid_x**2 + 2 * grid_y**2, levels=15, cmap="viridis")
middle.plot(path_bowl[:, 0], path_bowl[:, 1], "ro-", markersize=4, label="descent path")
middle.plot(0, 0, "k*", markersize=12, label="minimum (0, 0)")
middle.set(xlabel="x", ylabel="y", title="f(x, y) = x² + 2y² from (4, 3)")
middle.legend()
w_range = np.linspace(-1, 3.2, 300)
right.plot(w_range, quartic(w_range), "b-", label="J(w)")
for start, path in quartic_paths.items():
    right.plot(path[::10], quartic(path[::10]), "o", alpha=0.6, label=f"every 10th step from w = {start:g}")
    right.plot(path[-1], quartic(path[-1]), "*", markersize=14, label=f"end: w = {path[-1]:.3f}")
right.set(xlabel="w", ylabel="J(w)", title="non-convex: descent stops in the nearest valley",
          ylim=(-1, 8))
right.legend(fontsize=8)
lab.save_figure(figure, "descent_paths.png")

# %% [markdown]
# ## 4. The learning-rate table
#
# Seed 000 runs 20 steps on x² from x = 10 with η ∈ {0.01, 0.1, 0.5, 1.1}. On x² each step
# multiplies x by (1 − 2η): below η = 1 the loss falls, at η = 0.5 it lands on 0 in one
# step, and above η = 1 every step overshoots further than the last.
#
# The seed's rule is DIVERGED if the final loss is NaN or above 1e10, CONVERGED if it is
# below 0.01, SLOW otherwise. That rule calls η = 1.1 "SLOW" (its loss grows 1.2⁴⁰ ≈ 1470-fold
# but stays below 1e10), and η = 0.1 "SLOW" because 0.0133 is just above 0.01.
# Our rule compares with the starting loss J₀ instead:
# **DIVERGED** if the final loss is not finite or exceeds J₀; **CONVERGED** if it is below
# 10⁻³·J₀ (a thousand-fold drop); **SLOW** otherwise.

# %%
def verdict_seed(final_loss):
    if np.isnan(final_loss) or final_loss > 1e10:
        return "DIVERGED"
    return "CONVERGED" if final_loss < 0.01 else "SLOW"


def verdict_ours(final_loss, initial_loss):
    if not np.isfinite(final_loss) or final_loss > initial_loss:
        return "DIVERGED"
    return "CONVERGED" if final_loss < 1e-3 * initial_loss else "SLOW"


table_rates = (0.01, 0.1, 0.5, 1.1)
table_losses = {rate: descend(lambda x: 2 * x, [10.0], rate, lab.steps)[:, 0] ** 2 for rate in table_rates}
print(f"{'eta':>5} {'final loss':>12} {'seed rule':>10} {'our rule':>10}")
for rate, curve in table_losses.items():
    print(f"{rate:>5} {curve[-1]:>12.4f} {verdict_seed(curve[-1]):>10} {verdict_ours(curve[-1], curve[0]):>10}")

# %% [markdown]
# Seed 001 makes the same comparison on a bumpy curve, J(w) = w² + 0.5·sin 4w, from w = 3
# for 50 steps, clipping w to [−10, 10] so that the diverging run stays on the plot. Its
# global minimum is at w ≈ −0.313, J ≈ −0.377. η = 0.1 settles fast, but in the local valley
# at w ≈ 0.899, J ≈ 0.589; η = 0.5 is still bouncing after 50 steps (the seed says it
# "eventually converges"); η = 1.2 hits the clip at w = 10. J can be negative here, so the
# rule "a thousand-fold drop" makes no sense; the table says instead whether w hit the clip
# (DIVERGED), stopped moving (SETTLED: the last 10 losses differ by < 1e-6) or not.

# %%
bumpy = lambda w: w**2 + 0.5 * np.sin(4 * w)
bumpy_gradient = lambda w: 2 * w + 2 * np.cos(4 * w)
bumpy_losses = {}
print(f"{'eta':>6} {'final w':>8} {'final J':>8} {'last-10 spread':>15} {'verdict':>13}")
for rate in (0.001, 0.01, 0.1, 0.5, 1.2):
    w, curve = 3.0, [bumpy(3.0)]
    for _ in range(50):
        w = float(np.clip(w - rate * bumpy_gradient(w), -10, 10))   # the seed's clip
        curve.append(bumpy(w))
    bumpy_losses[rate] = curve
    spread = max(curve[-10:]) - min(curve[-10:])
    verdict = "DIVERGED" if abs(w) >= 10 else ("SETTLED" if spread < 1e-6 else "STILL MOVING")
    print(f"{rate:>6} {w:>8.4f} {curve[-1]:>8.4f} {spread:>15.2e} {verdict:>13}")

figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
for rate, curve in table_losses.items():
    left.semilogy(curve, "o-", markersize=3, label=f"η = {rate} ({verdict_ours(curve[-1], curve[0])})")
left.set(xlabel="step", ylabel="loss x² (log scale)", title="seed 000: x² from x = 10")
left.legend()
for rate, curve in bumpy_losses.items():
    right.plot(curve, label=f"η = {rate}")
right.axhline(-0.377, color="k", linestyle=":", label="global minimum −0.377")
right.set(xlabel="step", ylabel="J(w)", title="seed 001: w² + 0.5·sin 4w from w = 3", ylim=(-1, 15))
right.legend()
lab.save_figure(figure, "learning_rates.png")

# %% [markdown]
# ## 5. A loss landscape: J(w₁, w₂) = 0.5(w₁² + w₂²) + 0.3·sin 3w₁·cos 3w₂
#
# ∇J = (w₁ + 0.9·cos 3w₁·cos 3w₂, w₂ − 0.9·sin 3w₁·sin 3w₂). Seed 001 marks (0, 0) as the
# global minimum, but ∇J(0, 0) = (0.9, 0) ≠ 0: the bumps move the minimum to about
# (−0.379, 0), where J ≈ −0.200. Descent from (2.5, 2.0) with η = 0.1 finds it, stopping
# when ‖∇J‖ < ε or |ΔJ| < δ.

# %%
def landscape(w):
    return 0.5 * (w[0] ** 2 + w[1] ** 2) + 0.3 * np.sin(3 * w[0]) * np.cos(3 * w[1])


def landscape_gradient(w):
    return np.array([w[0] + 0.9 * np.cos(3 * w[0]) * np.cos(3 * w[1]),
                     w[1] - 0.9 * np.sin(3 * w[0]) * np.sin(3 * w[1])])


start = np.array([2.5, 2.0])
w, loss, path_numpy, reason = start.copy(), landscape(start), [start.copy()], "max_steps"
for step in range(1, lab.max_steps + 1):
    gradient = landscape_gradient(w)
    if np.linalg.norm(gradient) < lab.gradient_tolerance:       # ‖∇J‖ < ε
        reason = "‖∇J‖ < ε"
        break
    w = w - lab.learning_rate * gradient                        # θ ← θ − η·∇J(θ)
    new_loss = landscape(w)
    path_numpy.append(w.copy())
    if abs(new_loss - loss) < lab.change_tolerance:             # |ΔJ| < δ
        reason, loss = "|ΔJ| < δ", new_loss
        break
    loss = new_loss
path_numpy = np.array(path_numpy)
print(f"NumPy: stopped after {len(path_numpy) - 1} steps ({reason}) at "
      f"w = ({w[0]:.6f}, {w[1]:.6f}), J = {loss:.9f}")

# %% [markdown]
# ## 6. The same descent with `tf.Variable` and `tf.GradientTape`
#
# Now TensorFlow computes ∇J from the formula for J alone (`landscape_tf`, the same J in
# TensorFlow operations); we still write the update,
# `w.assign_sub(learning_rate * gradient)`, by hand. In float64 both runs stop at the same
# step, and their paths agree to rounding error (about 1e-15).

# %%
def landscape_tf(w):
    """The same J, written with TensorFlow operations so that the tape can differentiate it."""
    return 0.5 * tf.reduce_sum(w**2) + 0.3 * tf.sin(3 * w[0]) * tf.cos(3 * w[1])


w_variable = tf.Variable(start, dtype=tf.float64)
loss_tf, path_tf, reason_tf = float(landscape_tf(w_variable)), [start.copy()], "max_steps"
for step in range(1, lab.max_steps + 1):
    with tf.GradientTape() as tape:
        value = landscape_tf(w_variable)
    gradient = tape.gradient(value, w_variable)                 # ∇J, by automatic differentiation
    if float(tf.norm(gradient)) < lab.gradient_tolerance:       # ‖∇J‖ < ε
        reason_tf = "‖∇J‖ < ε"
        break
    w_variable.assign_sub(lab.learning_rate * gradient)         # θ ← θ − η·∇J(θ)
    new_loss = float(landscape_tf(w_variable))
    path_tf.append(w_variable.numpy().copy())
    if abs(new_loss - loss_tf) < lab.change_tolerance:          # |ΔJ| < δ
        reason_tf, loss_tf = "|ΔJ| < δ", new_loss
        break
    loss_tf = new_loss
path_tf = np.array(path_tf)
print(f"{'':<11} {'steps':>5} {'reason':>9} {'w1':>11} {'w2':>11} {'J':>13}")
for name, path, why, final in (("NumPy", path_numpy, reason, loss), ("GradientTape", path_tf, reason_tf, loss_tf)):
    print(f"{name:<11} {len(path) - 1:>5} {why:>9} {path[-1][0]:>11.7f} {path[-1][1]:>11.7f} {final:>13.10f}")
same_length = len(path_numpy) == len(path_tf)
difference = np.abs(path_numpy - path_tf).max() if same_length else float("inf")
print(f"largest difference along the two paths: {difference:.1e}")

# %%
axis = np.linspace(-3, 3, lab.grid_points)
grid_1, grid_2 = np.meshgrid(axis, axis)
surface = landscape(np.array([grid_1, grid_2]))
figure = plt.figure(figsize=(13, 5))
ax3d = figure.add_subplot(1, 2, 1, projection="3d")
ax3d.plot_surface(grid_1, grid_2, surface, cmap="viridis", alpha=0.7)
ax3d.plot(path_numpy[:, 0], path_numpy[:, 1], landscape(path_numpy.T), "r.-", label="descent path")
ax3d.set(xlabel="$w_1$", ylabel="$w_2$", zlabel="J", title="3-D loss landscape")
ax3d.legend()
ax = figure.add_subplot(1, 2, 2)
filled = ax.contourf(grid_1, grid_2, surface, levels=30, cmap="viridis")
figure.colorbar(filled, ax=ax, label="J")
ax.plot(path_numpy[:, 0], path_numpy[:, 1], "r.-", label=f"descent, η = {lab.learning_rate}")
ax.plot(0, 0, "wx", markersize=10, label="seed's 'global minimum' (0, 0)")
ax.plot(*path_numpy[-1], "r*", markersize=15, label=f"true minimum ({path_numpy[-1][0]:.3f}, 0)")
ax.set(xlabel="$w_1$", ylabel="$w_2$", title="contours, with the path")
ax.legend(fontsize=8)
lab.save_figure(figure, "loss_landscape.png")
lab.finish()
