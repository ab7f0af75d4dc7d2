"""Gradient descent by hand: step size, valleys, landscapes and when to stop.

What you learn: the update θ ← θ − η·∇J(θ) on functions you can see. It walks
down x² and a 2-D bowl, and on a non-convex curve it stops wherever its step size
leads it: the nearest valley, another one, or a hump. A learning-rate table sorts η
into SLOW, CONVERGED and DIVERGED by a rule stated in the text. A 2-D loss landscape
shows a descent path in 3-D and as contours. Finally, descent stops when ‖∇J‖ < ε or
|ΔJ| < δ, first in NumPy and then with ``tf.Variable`` and ``tf.GradientTape``, whose
gradients are checked against the hand-derived ones at every step.

Follows: "Learning Algorithms" (sections 1.2, 1.3 and 4.1), "The Learning Problem" (loss
landscape, 1-D gradient descent, learning-rate comparison), "Gradient Descent" (the update
rule) and the session plan (convergence checks).
Run time: about 10 s on 2 CPU cores (about 8 s with --quick), start-up included.
"""

# %% [markdown]
# # Gradient descent by hand
#
# Gradient descent repeats one line, θ ← θ − η·∇J(θ): feel the slope, step
# downhill, repeat. This lab writes that line out by hand on small functions, so
# that you can watch every step. The hyperparameters come first, each with its reason.

# %%
import numpy as np
import tensorflow as tf

from labs.helpers import gradient_descent as measures
from labs.machinery import runtime
from labs.machinery.runtime import param

lab = runtime.start("gradient_descent", {
    "learning_rate": param(0.1, above=0),        # The step size of "Learning Algorithms"
                                                 # for x² and the bowl; also the landscape's.
    "steps": param(20, minimum=5),               # "Learning Algorithms" prints 20 steps on x².
    "quartic_learning_rate": param(0.01, above=0),  # The step on the non-convex curve
                                                    # in "The Learning Problem".
    "gradient_tolerance": param(1e-6, above=0),  # ε: stop when ‖∇J‖ < ε (the first check
                                                 # of the session plan).
    "change_tolerance": param(1e-12, above=0),   # δ: stop when |J_t − J_(t−1)| < δ (2nd check).
    "max_steps": param(1000, minimum=1),         # A safety net in case neither check ever fires.
    "grid_points": param(100, minimum=2),        # Resolution of the landscape
                                                 # plots, as in "The Learning Problem".
}, quick={"grid_points": 40})     # Full run: 100 points a side.
TABLE_RATES = (0.01, 0.1, 0.5, 1.1)          # The rates of the table in "Learning Algorithms".
BUMPY_RATES = (0.001, 0.01, 0.1, 0.5, 1.2)   # The rates of "The Learning Problem" on its curve.
PATH_TOLERANCE = 1e-10       # NumPy and tape paths agree to float64 rounding, compounded.
GRADIENT_TOLERANCE = 1e-12   # float64 rounding of one gradient of size about 1.


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
# The gradient is f′(x) = 2x, so each step is x ← x − η·2x = (1 − 2η)·x, and
# x_t = 5·(1 − 2η)ᵗ exactly. At the default η = 0.1 the factor is 0.8: x shrinks by 20 %
# per step. The table prints the same rows as "Learning Algorithms", beside that formula.

# %%
factor = 1 - 2 * lab.learning_rate                         # x ← (1 − 2η)·x
path_square = descend(lambda x: 2 * x, [5.0], lab.learning_rate, lab.steps)[:, 0]
measures.print_square_table(path_square, factor, (1, 2, 3, 4, 5, lab.steps))

# %% [markdown]
# ## 2. Two dimensions: f(x, y) = x² + 2y² from (4, 3)
#
# Now ∇f = (2x, 4y), so each step multiplies x by (1 − 2η) and y by (1 − 4η): 0.8 and 0.6
# at the default η = 0.1. The y direction is twice as steep. While |1 − 4η| < |1 − 2η|, y
# shrinks faster (that is, for η < 1/3) and the path curves towards the x axis before it
# reaches the minimum at (0, 0); the cell prints what each factor does at this run's η.
# "Learning Algorithms" runs 15 steps.

# %%
bowl = lambda point: point[0] ** 2 + 2 * point[1] ** 2
path_bowl = descend(lambda p: np.array([2 * p[0], 4 * p[1]]), [4.0, 3.0], lab.learning_rate, 15)
measures.print_points(path_bowl, bowl, (1, 2, 3, 15))
# x × (1 − 2η) and y × (1 − 4η) per step: what each factor does, and which shrinks faster.
lab.record("bowl_factors", **measures.bowl_factors(1 - 2 * lab.learning_rate,
                                                   1 - 4 * lab.learning_rate))

# %% [markdown]
# ## 3. A non-convex curve: J(w) = w⁴ − 3w³ + 2w² + w
#
# J′(w) = 4w³ − 9w² + 4w + 1 is zero at w ≈ −0.175 (the global minimum, J ≈ −0.097), at w = 1
# (a hump) and at w ≈ 1.425 (a local minimum, J ≈ 0.929). "The Learning Problem" starts at
# w = 3 with η = 0.01 (`quartic_learning_rate`) for 200 steps and calls its end point "the
# minimum". The cell also starts a second run at w = −1.

# %% [markdown] tags=["prediction"]
# **Predict 1.** Descent starts at w = 3 with η = `quartic_learning_rate` (0.01 as in
# "The Learning Problem", unless you changed it) and takes 200 steps. Where does it stop?
# - (a) at the global minimum near w ≈ −0.175
# - (b) at the local minimum near w ≈ 1.425
# - (c) somewhere else: on the hump, between critical points, or nowhere (it diverges)

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b" or "c"

# %%
quartic = lambda w: w**4 - 3 * w**3 + 2 * w**2 + w
quartic_gradient = lambda w: 4 * w**3 - 9 * w**2 + 4 * w + 1
critical = np.sort(np.roots([4, -9, 4, 1]).real)           # J′(w) = 0: −0.175, 1, 1.425
with np.errstate(over="ignore", invalid="ignore"):          # A large η overflows to ±∞.
    quartic_paths = {start: descend(quartic_gradient, [start], lab.quartic_learning_rate,
                                    200)[:, 0] for start in (3.0, -1.0)}
quartic_ends = {f"{start:+g}": float(path[-1]) for start, path in quartic_paths.items()}
stopped_at = {start: measures.where_it_stopped(end, critical)
              for start, end in quartic_ends.items()}
lab.reveal(1, "; ".join(f"from w = {start} it stopped at w = {end:.4f}, {stopped_at[start]}"
                        for start, end in quartic_ends.items()),
           answer={"the global minimum": "a", "the local minimum": "b"}.get(stopped_at["+3"], "c"),
           ends=quartic_ends, stopped_at=stopped_at, critical_points=critical,
           learning_rate=lab.quartic_learning_rate)

lab.save_figure(measures.descent_paths(path_square, factor, lab.learning_rate, path_bowl, bowl,
                                      quartic, quartic_paths, lab.quartic_learning_rate),
                "descent_paths.png")

# %% [markdown]
# ## 4. The learning-rate table
#
# "Learning Algorithms" runs `steps` steps (20 by default) on x² from x = 10 with
# η ∈ {0.01, 0.1, 0.5, 1.1}. On x² each step multiplies x by (1 − 2η), so the loss x² is
# multiplied by (1 − 2η)² at every step.
#
# The rule of "Learning Algorithms" is DIVERGED if the final loss is NaN or above 1e10,
# CONVERGED if it is below 0.01, SLOW otherwise. It judges a loss by a fixed size, whatever
# the loss started at: a run whose loss grew, but not past 1e10, is "SLOW", and so is a run
# that fell a thousand-fold but ended just above 0.01. Our rule compares with the starting
# loss J₀: **DIVERGED** if the final loss is not finite or exceeds J₀; **CONVERGED** if it is
# below 10⁻³·J₀ (a thousand-fold drop); **SLOW** otherwise.

# %% [markdown] tags=["prediction"]
# **Predict 2.** After `steps` steps (20 by default), which rate ends with the lowest loss on x²?
# - (a) η = 0.01
# - (b) η = 0.1
# - (c) η = 0.5
# - (d) η = 1.1

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c" or "d"

# %% [markdown] tags=["prediction"]
# **Predict 3.** What verdict does the rule of "Learning Algorithms" give η = 1.1 after
# `steps` steps (20 by default), started at x = 10?
# - (a) DIVERGED
# - (b) SLOW
# - (c) CONVERGED

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b" or "c"

# %%
# The two rules of the text: measures.chapter_rule(J_T) and measures.our_rule(J_T, J₀).
table_losses = {rate: descend(lambda x: 2 * x, [10.0], rate, lab.steps)[:, 0] ** 2
                for rate in TABLE_RATES}
final_losses = {str(rate): float(curve[-1]) for rate, curve in table_losses.items()}
chapter_verdicts = {str(rate): measures.chapter_rule(curve[-1])
                    for rate, curve in table_losses.items()}
our_verdicts = {str(rate): measures.our_rule(curve[-1], curve[0])
                for rate, curve in table_losses.items()}
rate_choices = dict(zip(map(str, TABLE_RATES[:4]), "abcd"))   # "0.01" → "a", …, "1.1" → "d"
lowest = min(rate_choices, key=final_losses.get)          # the lowest of the four choices
lowest_rates = [rate for rate in rate_choices if final_losses[rate] == final_losses[lowest]]
verdict_choices = {"DIVERGED": "a", "SLOW": "b", "CONVERGED": "c"}
diverged = {rule: [rate for rate, verdict in verdicts.items() if verdict == "DIVERGED"] or ["none"]
            for rule, verdicts in (("chapter", chapter_verdicts), ("ours", our_verdicts))}
lowest_shown = lab.reveal(
    2, f"after {lab.steps} steps η = {lowest} ends lowest ({final_losses[lowest]:.3g})",
    answer=tuple(rate_choices[rate] for rate in lowest_rates),
    final_losses=final_losses, initial_loss=100.0, lowest=lowest,
    lowest_rates=lowest_rates, rate_choices=rate_choices)
verdict_shown = lab.reveal(
    3, f"η = 1.1 ends at a loss of {final_losses['1.1']:.3g}, which the rule of "
       f"\"Learning Algorithms\" calls {chapter_verdicts['1.1']} and ours "
       f"{our_verdicts['1.1']}. DIVERGED by the chapter's rule: "
       f"{', '.join(diverged['chapter'])}; by ours: {', '.join(diverged['ours'])}",
    answer=verdict_choices[chapter_verdicts["1.1"]], verdict_choices=verdict_choices,
    final_losses=final_losses, initial_loss=100.0,
    chapter_verdicts=chapter_verdicts, our_verdicts=our_verdicts, diverged=diverged)
if lowest_shown and verdict_shown:   # The table answers Predict 2 and 3: after their reveals.
    measures.print_rate_table(final_losses, chapter_verdicts, our_verdicts)

# %% [markdown]
# "The Learning Problem" makes the same comparison on a bumpy curve, J(w) = w² + 0.5·sin 4w,
# from w = 3 for 50 steps, clipping w to [−10, 10] so that a diverging run stays on the plot.
# Its global minimum is at w ≈ −0.313 (J ≈ −0.377) and a local one at w ≈ 0.899 (J ≈ 0.589);
# the cell finds both from J′(w) = 2w + 2·cos 4w. The chapter says η = 0.5 "eventually
# converges". J can be negative here, so the rule "a thousand-fold drop" makes no sense; the
# table says instead whether w hit the clip (DIVERGED), stopped moving (SETTLED: the last 10
# losses differ by < 1e-6) or not, and which minimum w ended nearest to.

# %%
bumpy = lambda w: w**2 + 0.5 * np.sin(4 * w)
bumpy_gradient = lambda w: 2 * w + 2 * np.cos(4 * w)
bumpy_minima = measures.rising_zeros(bumpy_gradient, -2, 2)   # J′ crosses 0 upwards
global_minimum = bumpy_minima[np.argmin(bumpy(bumpy_minima))]
# 50 steps from w = 3, each clipped to [−10, 10], as "The Learning Problem" does.
bumpy_losses, bumpy_outcomes = measures.clipped_runs(bumpy, bumpy_gradient, BUMPY_RATES,
                                                     bumpy_minima, start=3.0, steps=50)
settled_global = [rate for rate, outcome in bumpy_outcomes.items()   # settled, globally
                  if outcome["verdict"] == "SETTLED"
                  and outcome["nearest_minimum"] == global_minimum]
print(f"settled in the global valley (w ≈ {global_minimum:.3f}): "
      f"{', '.join(settled_global) or 'no rate'}; η = 0.5 is "
      f"{bumpy_outcomes['0.5']['verdict']} after 50 steps")
lab.record("bumpy", outcomes=bumpy_outcomes, minima=bumpy_minima, global_minimum=global_minimum,
           settled_global=settled_global)

lab.save_figure(measures.learning_rates(table_losses, our_verdicts, bumpy_losses,
                                       bumpy(global_minimum)), "learning_rates.png")

# %% [markdown]
# ## 5. A loss landscape: J(w₁, w₂) = 0.5(w₁² + w₂²) + 0.3·sin 3w₁·cos 3w₂
#
# ∇J = (w₁ + 0.9·cos 3w₁·cos 3w₂, w₂ − 0.9·sin 3w₁·sin 3w₂). "The Learning Problem" marks
# (0, 0) as the global minimum, but ∇J(0, 0) = (0.9, 0) ≠ 0: the bumps move the minimum to
# about (−0.379, 0), where J ≈ −0.200. Descent starts from (2.5, 2.0) with this run's η and
# stops when ‖∇J‖ < ε or |ΔJ| < δ; the line below says which check fired, and where.

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
      f"w = ({w[0]:.6f}, {w[1]:.6f}), J = {loss:.9f}, "
      f"‖∇J‖ = {np.linalg.norm(landscape_gradient(w)):.1e}")

# %% [markdown]
# ## 6. The same descent with `tf.Variable` and `tf.GradientTape`
#
# Now TensorFlow computes ∇J from the formula for J alone (`landscape_tf`, the same J in
# TensorFlow operations); we still write the update,
# `w.assign_sub(learning_rate * gradient)`, by hand. Both runs are in float64, and at every
# step the cell also compares the tape's ∇J with the one we derived by hand.

# %% [markdown] tags=["prediction"]
# **Predict 4.** The tape run never sees the ∇J we derived by hand: it works the gradient out
# from J's formula. The NumPy run above stopped after a number of steps, by one of the two
# rules. What will the tape run do?
# - (a) stop at the same step, by the same rule
# - (b) stop by the same rule, but a step or more earlier or later
# - (c) stop by the other rule, or run to `max_steps`

# %% tags=["your-prediction"]
lab.predict(4, None)  # your answer: "a", "b" or "c"

# %%
def landscape_tf(w):
    """The same J, written with TensorFlow operations so that the tape can differentiate it."""
    return 0.5 * tf.reduce_sum(w**2) + 0.3 * tf.sin(3 * w[0]) * tf.cos(3 * w[1])


w_variable = tf.Variable(start, dtype=tf.float64)
loss_tf, path_tf, reason_tf = float(landscape_tf(w_variable)), [start.copy()], "max_steps"
gradient_differences = []             # |tape ∇J − hand ∇J| at each point visited.
for step in range(1, lab.max_steps + 1):
    with tf.GradientTape() as tape:
        value = landscape_tf(w_variable)
    gradient = tape.gradient(value, w_variable)                 # ∇J, by automatic differentiation
    gradient_differences.append(float(np.abs(gradient.numpy()
                                             - landscape_gradient(w_variable.numpy())).max()))
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
gradient_difference = max(gradient_differences)                 # the largest over the run
steps_numpy, steps_tape = len(path_numpy) - 1, len(path_tf) - 1
difference = measures.largest_gap(path_numpy, path_tf)          # over the steps both took
paths_agree = steps_numpy == steps_tape and difference < PATH_TOLERANCE
same_stop = "a" if steps_numpy == steps_tape else "b"
tape_shown = lab.reveal(
    4, f"NumPy stopped after {steps_numpy} steps ({reason}), GradientTape after "
       f"{steps_tape} ({reason_tf}); the paths differ by at most {difference:.1e} "
       f"({'within' if paths_agree else 'NOT within'} {PATH_TOLERANCE:g}); at every step "
       f"the two gradients differ by at most {gradient_difference:.1e}",
    steps_numpy=steps_numpy, steps_tape=steps_tape, reason_numpy=reason, reason_tape=reason_tf,
    difference=difference, path_tolerance=PATH_TOLERANCE, paths_agree=paths_agree,
    gradient_difference=gradient_difference, gradient_tolerance=GRADIENT_TOLERANCE,
    answer=same_stop if reason == reason_tf else "c")
if tape_shown:   # The two runs' ends answer Predict 4, so they print after its reveal.
    measures.print_ends({"NumPy": (path_numpy, reason, loss),
                         "GradientTape": (path_tf, reason_tf, loss_tf)})
lab.check(gradient_difference < GRADIENT_TOLERANCE,
          f"the tape's ∇J and the hand-derived ∇J differ by {gradient_difference:.1e}")

# %% [markdown]
# Each gradient agrees to rounding, so where descent settles, the two paths do too: near a
# minimum every step shrinks the distance between them. Where descent never settles (try
# `--learning-rate 0.8`, in a notebook `learning_rate = 0.8` in the parameters cell), each
# step can stretch that distance instead: two paths that differ by rounding (about 1e-16)
# at first can end far apart after hundreds of steps, although no gradient was wrong.

# %%
lab.save_figure(measures.landscape(landscape, path_numpy, lab.grid_points, lab.learning_rate),
                "loss_landscape.png")

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (or pass its flag), rerun, and compare
# with what you expected. Answers are in the instructor's edition.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** By hand, with η = 0.25, write x₁, x₂ and x₃ for f(x) = x² from
# x = 5. Then set `learning_rate = 0.25` in the parameters cell (`--learning-rate 0.25`) and
# check your numbers against the table of section 1. Which η reaches x = 0 in one step?
# *Syllabus: Session plan, update rule and stopping.*

# %% [markdown] tags=["answer"]
# **Answer 1.** Each step is x ← x − η·2x = (1 − 2η)·x = 0.5·x, so x₁ = 2.5, x₂ = 1.25 and
# x₃ = 0.625, and the table's column 5·0.5^t agrees with the x column exactly. η = 0.5 makes
# the factor 1 − 2η zero: one step lands on the minimum, because for f = x² the step
# η·f′(x) = x is exactly the distance to 0 (the curvature is 2, and η = 1/2 is its inverse).

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** The non-convex curve of "The Learning Problem" uses η = 0.01.
# Predict, then run with `quartic_learning_rate = 0.05`, `0.1` and `0.15` in the parameters
# cell (`--quartic-learning-rate 0.05`, …): where does descent from w = 3 end each time?
# Explain the η = 0.05 run from J′(3).
# *Syllabus: The Learning Problem, 1-D gradient descent.*

# %% [markdown] tags=["answer"]
# **Answer 2.** Measured (the curve does not depend on the seed): η = 0.05 stops at
# w = 1.0000, the hump; η = 0.1 jumps over the hump and ends at the global minimum,
# w = −0.1754; η = 0.15 diverges to NaN (and from w = −1 it jumps the other way, to the local
# minimum at 1.4254). J′(3) = 108 − 81 + 12 + 1 = 40, so the first step with η = 0.05 goes
# to 3 − 0.05·40 = 1 exactly, where J′(1) = 0: descent never moves again, though w = 1 is a
# maximum. A small η keeps descent in the nearest valley; a larger η may hop over a hump,
# in either direction; a still larger one overshoots without end. A zero gradient alone
# does not prove a minimum.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Section 5 stops on ‖∇J‖ < ε or |ΔJ| < δ. In the
# parameters cell set `change_tolerance = 1e-6` (`--change-tolerance 1e-6`), then instead
# `gradient_tolerance = 1e-3` (`--gradient-tolerance 1e-3`). Which check fires each time,
# after how many steps, and how far from the minimum (−0.3788, 0) does descent stop?
# *Syllabus: Session plan, update rule and stopping.*

# %% [markdown] tags=["answer"]
# **Answer 3.** Measured with η = 0.1: the defaults stop after 94 steps on |ΔJ| < δ at
# (−0.378793, 0.000000). With δ = 1e-6, |ΔJ| < δ fires after 77 steps at
# (−0.378373, 0.000420), where ‖∇J‖ is still 2.1e-3. With ε = 1e-3, ‖∇J‖ < ε fires after
# 79 steps at (−0.378613, 0.000181). Near a minimum one step changes J by about η·‖∇J‖²,
# so |ΔJ| < δ stops once ‖∇J‖ ≈ √(δ/η) ≈ 3e-3: a loose δ stops early, and how early
# depends on η, while the gradient check measures the slope itself.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Run the landscape descent of section 5 at η = 0.05, 0.1, 0.2, 0.3,
# 0.5 and 0.8 (`learning_rate` in the parameters cell, or `--learning-rate`). Tabulate the
# steps taken, which check fired and where descent stopped, and plot steps against η.
# Which η is fastest, and what does the contour plot show for the last one?
# *Syllabus: The Learning Problem, loss landscape; The Learning Problem, learning-rate comparison.*

# %% [markdown] tags=["answer"]
# **Answer 4.** Measured (deterministic, any seed): η = 0.05, 0.1, 0.2, 0.3 and 0.5 all stop
# on |ΔJ| < δ at (−0.3788, 0.0000), after 192, 94, 43, 25 and 41 steps: of these η = 0.3
# is fastest, and η = 0.5 takes more steps again because it overshoots and zig-zags across
# the valley. η = 0.8 never stops: it uses all 1000 steps and ends at (−0.2225, 0.4835) with
# ‖∇J‖ ≈ 1; the contour plot shows the path bouncing around the minimum instead of
# entering it, and section 6's two paths part there (see the note after it). The fastest η
# sits just below the rate where steps start to overshoot.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Both rules in section 4 judge a run by its final loss only.
# Add η = 0.9 and η = 1.0 to `TABLE_RATES` (after the hyperparameter block), predict each
# rule's verdict, run, and then
# design a rule that reads the whole curve (for example, sign changes of x or a loss that
# stops falling) and labels each run SLOW, CONVERGED, OSCILLATING or DIVERGED.
# *Syllabus: The Learning Problem, learning-rate comparison.*

# %% [markdown] tags=["answer"]
# **Answer 5.** On x² the factor per step is 1 − 2η: −0.8 for η = 0.9 and −1 for η = 1.0. With
# the default 20 steps η = 0.9 ends at 100·0.64²⁰ ≈ 0.0133, the same loss as η = 0.1
# (|−0.8| = 0.8), so both rules give it the verdict they give η = 0.1, although x changes sign
# at every step. η = 1.0 flips x between +10 and −10 for ever: the loss stays at 100 = J₀, not
# above it, so our rule says SLOW, as does the rule of "Learning Algorithms". A curve-reading
# rule can count sign changes of x (or of successive loss differences) to call both
# OSCILLATING, and compare the loss over the last few steps with J₀ to separate a stalled run
# from a slow one; the diagnostics lab's `classify` does this for training curves.
