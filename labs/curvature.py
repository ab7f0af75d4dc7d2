"""Curvature: the stability limit η < 2/λ_max, saddle points and plateaus.

What you learn: why gradient descent on a quadratic converges exactly when η < 2/λ_max,
with λ_max the largest eigenvalue of the Hessian, and which η is fastest; and how a saddle
point and a saturated sigmoid hold descent up while ‖∇J‖ is tiny and J is far from its
minimum, so that the stopping rule ‖∇J‖ < ε alone stops too early.

Follows: "Chapter 3: Learning Algorithms", "The Learning Problem" (ravines, saddle points,
momentum) and the class session plan (plateaus and saddles, the stopping rule). The
`nesterov` lab carries the limit over to momentum and Nesterov's look-ahead.
Run time: about 7 s on 2 CPU cores (about 9 s with --quick), start-up included.
"""

# %% [markdown]
# # Curvature
#
# Near any point, a loss looks like a quadratic: J(θ + d) ≈ J(θ) + ∇J·d + ½dᵀHd, with H
# the Hessian, the matrix of second derivatives. Its eigenvalues λᵢ are the curvatures
# along its eigenvectors: large λ is a steep, narrow valley wall; λ near 0 is flat ground;
# λ < 0 curves down, as across a saddle. This lab measures what each of them does to
# gradient descent. The hyperparameters come first, each with its reason.

# %%
import numpy as np

from custom.optimizers import trajectories
from labs.machinery import runtime, twins
from labs.helpers import curvature, curvature_figures
from labs.machinery.runtime import param

lab = runtime.start("curvature", {
    "smallest_eigenvalue": param(1.0, above=0),      # λ_min of the quadratic's Hessian A.
    "largest_eigenvalue": param(10.0, above=0),      # λ_max: κ = 10, a mild ravine.
    "below_limit": param(0.95, above=0, below=1),    # η = 0.95·(2/λ_max): just below.
    "above_limit": param(1.05, above=1, maximum=3),  # η = 1.05·(2/λ_max): just above.
    "quadratic_steps": param(60, minimum=2, maximum=500),  # Enough for 1.05 to grow 300-fold.
    "saddle_offset": param(1e-6, minimum=0),         # Start at (1, offset): 0 is exactly on
                                                     # the line that flows into the saddle.
    "saddle_learning_rate": param(0.1, above=0),     # Limit 2/2 = 1; 0.1 is the step
                                                     # "Learning Algorithms" takes on x².
    "saddle_steps": param(300, minimum=10),          # Both runs reach a valley by then.
    "plateau_start": param(-4.0, below=0),           # w = b = −4: w + b = −8, σ ≈ 3e-4.
    "plateau_learning_rate": param(1.0, above=0),    # Its λ stays below 0.29: limit about 7.
    "plateau_steps": param(2000, minimum=10),        # Gradient descent needs about 850.
    "gradient_tolerance": param(1e-3, above=0),      # ε of the stopping rule ‖∇J‖ < ε.
    "momentum": param(0.9, minimum=0, below=1),      # μ: "typically 0.9", say both
                                                     # "Learning Algorithms" and
                                                     # "The Learning Problem".
}, quick={"plateau_steps": 1200})   # Full run: 2000 steps.
lab.require(lab.smallest_eigenvalue <= lab.largest_eigenvalue,
            f"smallest_eigenvalue must be <= largest_eigenvalue ({lab.largest_eigenvalue}), "
            f"got {lab.smallest_eigenvalue}")
FACTOR_TOLERANCE = 1e-9   # A measured factor per step equals 1 − ηλ to float64 rounding.
EIGENVALUE_TOLERANCE = 1e-12   # eigvalsh finds A's eigenvalues to float64 rounding.
NEAR = 0.1                # "At the saddle": within this distance of (0, 0).
VALLEY = 0.99 * curvature.SADDLE_MINIMUM   # "In a valley": J within 1 % of a minimum's depth.
PLATEAU_LEFT = 0.01       # "Off the plateau": J below this fraction of its start.


def when(step):
    """A step number as text, or "never" for None."""
    return "never" if step is None else f"step {step}"


# %% [markdown]
# ## 1. The stability limit η < 2/λ_max on a quadratic
#
# J(θ) = ½θᵀAθ has gradient Aθ and Hessian A. Write θ in A's eigenvectors qᵢ, θ = Σ cᵢqᵢ:
# one step θ ← θ − ηAθ multiplies each component by its own factor,
#
#     cᵢ ← (1 − ηλᵢ)·cᵢ.
#
# A component shrinks when |1 − ηλᵢ| < 1, that is when 0 < η < 2/λᵢ. The steepest
# direction sets the limit for the whole run: **η < 2/λ_max**. Above 1/λ_max the steep
# component flips sign every step. Which η is fastest? The slowest factor
# max(|1 − ηλ_min|, |1 − ηλ_max|) is smallest where the two are equal, at **η\* = 2/(λ_min + λ_max)**, and there it is
# (κ − 1)/(κ + 1), with the condition number κ = λ_max/λ_min.
#
# A's eigenvectors are turned by an angle drawn from the seed, so only
# `numpy.linalg.eigvalsh` can say where the limit is.

# %%
random = np.random.default_rng(lab.seed)
matrix = curvature.quadratic_matrix(lab.smallest_eigenvalue, lab.largest_eigenvalue,
                                     angle=random.uniform(0, np.pi))
eigenvalues, eigenvectors = np.linalg.eigh(matrix)       # ascending; columns q_min, q_max
found = np.linalg.eigvalsh(matrix)
lab.check(np.allclose(found, [lab.smallest_eigenvalue, lab.largest_eigenvalue],
                      rtol=EIGENVALUE_TOLERANCE),
          f"eigvalsh found {found}, not the eigenvalues A was built from")
limit, best = curvature.stability_limit(matrix), curvature.optimal_rate(matrix)
condition = eigenvalues[-1] / eigenvalues[0]
print(f"A = {np.round(matrix, 4).tolist()}: eigvalsh gives λ = {found.round(6).tolist()}")
print(f"limit 2/λ_max = {limit:.4f}; η* = 2/(λ_min + λ_max) = {best:.4f}; κ = {condition:.3g}, "
      f"so at η* every step shrinks the error by (κ − 1)/(κ + 1) = "
      f"{(condition - 1) / (condition + 1):.4f}")

# %% [markdown] tags=["prediction"]
# **Predict 1.** Three runs start at the same point: η just below 2/λ_max
# (`below_limit` × the limit), η just above it (`above_limit` ×), and η\* = 2/(λ_min + λ_max).
# After `quadratic_steps` steps, which of them end farther from the minimum than they started?
# - (a) none of them
# - (b) only "just above"
# - (c) "just above" and at least one other
# - (d) one or two, but not "just above"

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c" or "d"

# %%
start_angle = random.uniform(0, 2 * np.pi)                   # a direction drawn from the seed
start = np.array([np.cos(start_angle), np.sin(start_angle)])  # ‖θ₀‖ = 1
rates = {"just below": lab.below_limit * limit, "just above": lab.above_limit * limit,
         "η*": best}
quadratic = curvature.quadratic(matrix)
paths = trajectories.follow_together({name: twins.optimizer("sgd", learning_rate=rate)
                                      for name, rate in rates.items()},
                                     quadratic, start, lab.quadratic_steps)
predicted, measured, worst_error, distance = {}, {}, 0.0, {}
# The table answers Predict 1, so it prints after the reveal.
stability_rows = [f"{'run':<11} {'η':>8} {'1 − ηλ_min':>11} {'1 − ηλ_max':>11} "
                  f"{'measured':>20} {'‖θ_T‖/‖θ₀‖':>11}"]
for name, rate in rates.items():
    ratios = curvature.step_factors(paths[name], eigenvectors)   # (T, 2): c_(t+1)/c_t
    distance[name] = curvature.distance_ratio(paths[name])       # ‖θ_T‖/‖θ₀‖
    # cᵢ ← (1 − ηλᵢ)·cᵢ, with η as Keras keeps it: a float32 number.
    predicted[name] = 1 - float(np.float32(rate)) * eigenvalues
    measured[name] = np.nanmedian(ratios, axis=0)          # c_(t+1)/c_t, over the run
    worst_error = max(worst_error, float(np.nanmax(np.abs(ratios - predicted[name]))))
    stability_rows.append(
        f"{name:<11} {rate:>8.4f} {predicted[name][0]:>+11.4f} {predicted[name][1]:>+11.4f} "
        f"{measured[name][0]:>+9.4f} {measured[name][1]:>+9.4f} {distance[name]:>11.3g}")
lab.agreement("factors", "the measured factors and 1 − ηλ", worst_error, FACTOR_TOLERANCE,
              show=False)
grew = [name for name in rates if distance[name] > 1]
closest = min(distance, key=distance.get)
grew_choice = ("a" if not grew else "b" if grew == ["just above"] else
               "c" if "just above" in grew else "d")
stability_shown = lab.reveal(
    1, f"{' and '.join(grew) or 'no run'} ended farther away than it started; "
    f"{closest} ended closest (‖θ_T‖/‖θ₀‖ = {distance[closest]:.2g}). The steepest "
    "component changed per step by " + ", ".join(
        f"{measured[name][1]:+.4f} ({name})" for name in rates)
    + f", each equal to 1 − ηλ_max (largest difference over all steps "
      f"{worst_error:.0e}, tolerance {FACTOR_TOLERANCE:g}).",
    answer=grew_choice, distance=distance, grew=grew, closest=closest,
    steepest_measured={name: measured[name][1] for name in rates},
    steepest_predicted={name: predicted[name][1] for name in rates})
if stability_shown:
    print("\n".join(stability_rows))

# %%
lab.save_figure(curvature_figures.stability(quadratic, paths, rates, eigenvalues, eigenvectors,
                                             predicted, measured), "stability.png")

# %% [markdown]
# ## 2. Saddle points and plateaus
#
# J(x, y) = x² + ¼y⁴ − ½y² has a saddle at (0, 0), where J = 0, between two minima at
# (0, ±1), where J = −¼. Its Hessian there is diag(2, −1): the x direction curves up and
# pulls descent in (factor 1 − 2η), the y direction curves down and pushes it out (factor
# 1 + η). Start at (1, offset) with a tiny offset and descent first slides towards the
# saddle along x, then waits while y grows from the offset. Classic momentum
# (v ← μv + ηg, θ ← θ − v) runs beside it.
#
# A plateau is flat ground far from the minimum: one sigmoid neuron with input 1, asked to
# output 0.9, J(w, b) = (σ(w + b) − 0.9)², started saturated at w = b = `plateau_start`
# (−4 by default: w + b = −8, where σ′ ≈ 3e-4).

# %% [markdown] tags=["prediction"]
# **Predict 2.** Gradient descent starts at (1, `saddle_offset`), a hair off the line y = 0
# that flows into the saddle. Sketch its ‖∇J‖ against the step, until it reaches a valley:
# - (a) ‖∇J‖ falls all the way
# - (b) ‖∇J‖ falls, then rises again before the valley

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a" or "b"

# %% [markdown] tags=["prediction"]
# **Predict 3.** Momentum (μ = `momentum`) runs beside it from the same start. Which run
# reaches a valley first?
# - (a) gradient descent
# - (b) momentum
# - (c) both at the same step
# - (d) neither, within `saddle_steps` steps

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c" or "d"

# %%
runs = {"gradient descent": twins.optimizer("sgd", learning_rate=lab.saddle_learning_rate),
        "momentum": twins.optimizer("sgd", learning_rate=lab.saddle_learning_rate,
                                     momentum=lab.momentum)}
saddle_paths = trajectories.follow_together(runs, curvature.saddle, (1.0, lab.saddle_offset),
                                            lab.saddle_steps)
saddle, saddle_rows = {}, []   # The rows answer Predict 2 and 3: printed after them.
for name, path in saddle_paths.items():
    norms = np.linalg.norm(curvature.gradients(curvature.saddle, path), axis=1)
    arrived = curvature.first_step(curvature.saddle(path) < VALLEY)
    before = norms[: arrived or len(norms)]           # ‖∇J‖ until the valley
    low = int(np.argmin(before))
    high = low + int(np.argmax(before[low:]))         # the highest ‖∇J‖ after the lowest
    saddle[name] = {"norms": norms, "valley_step": arrived, "low_step": low,
                    "low": float(before[low]), "high_step": high, "high": float(before[high]),
                    "near_steps": int(np.sum(np.linalg.norm(path, axis=1) < NEAR))}
    saddle_rows.append(
        f"{name:<17} ‖∇J‖: {norms[0]:.2g} at the start, lowest {before[low]:.2g} at step "
        f"{low}, then {before[high]:.2g} at step {high}; {saddle[name]['near_steps']} steps "
        f"within {NEAR} of the saddle; valley (J < {VALLEY:.4f}): {when(arrived)}")
descent, heavy = saddle["gradient descent"], saddle["momentum"]
reached = {name: run["valley_step"] for name, run in saddle.items()
           if run["valley_step"] is not None}
if not reached:
    first = "neither run"
elif len(reached) == 2 and len(set(reached.values())) == 1:
    first = "both runs at once"
else:
    first = min(reached, key=reached.get)
rose = descent["high_step"] > descent["low_step"] and descent["high"] > descent["low"]
shape_shown = lab.reveal(
    2, f"gradient descent's ‖∇J‖ fell to {descent['low']:.2g} at step "
       f"{descent['low_step']}, then "
       + (f"rose to {descent['high']:.2g} at step {descent['high_step']}" if rose
          else "never rose")
       + f"; it spent {descent['near_steps']} steps within {NEAR} of the saddle",
    answer="b" if rose else "a", low=descent["low"], low_step=descent["low_step"],
    high=descent["high"], high_step=descent["high_step"], rose=rose)
first_choices = {"gradient descent": "a", "momentum": "b", "both runs at once": "c",
                 "neither run": "d"}
race_shown = lab.reveal(
    3, f"valley reached by gradient descent: {when(descent['valley_step'])}, by "
       f"momentum: {when(heavy['valley_step'])}; "
       + {"neither run": "neither reached it.",
          "both runs at once": "both reached it at the same step."}.get(
           first, f"{first} got there first.")
       + f" Steps within {NEAR} of the saddle: gradient descent {descent['near_steps']}, "
       f"momentum {heavy['near_steps']}.",
    answer=first_choices[first], first_choices=first_choices,
    near_steps={name: run["near_steps"] for name, run in saddle.items()},
    valley_steps={name: run["valley_step"] for name, run in saddle.items()}, first=first)
if shape_shown and race_shown:
    print("\n".join(saddle_rows))

# %%
plateau_runs = {"gradient descent": twins.optimizer("sgd", learning_rate=lab.plateau_learning_rate),
                "momentum": twins.optimizer("sgd", learning_rate=lab.plateau_learning_rate,
                                             momentum=lab.momentum)}
plateau_paths = trajectories.follow_together(plateau_runs, curvature.plateau,
                                             (lab.plateau_start, lab.plateau_start),
                                             lab.plateau_steps)
plateau = {}
for name, path in plateau_paths.items():
    values = np.asarray(curvature.plateau(path))
    norms = np.linalg.norm(curvature.gradients(curvature.plateau, path), axis=1)
    plateau[name] = {"values": values, "norms": norms,
                     "arrived": curvature.first_step(values < PLATEAU_LEFT * values[0])}
    print(f"{name:<17} J = {values[0]:.3f} with ‖∇J‖ = {norms[0]:.2g} at the start; J below 1 % "
          f"of that at {when(plateau[name]['arrived'])}; after {lab.plateau_steps} steps "
          f"J = {values[-1]:.3g}, w + b = {path[-1].sum():.2f} "
          f"(the minimum: ln 9 = {np.log(9):.2f})")

# %% [markdown]
# Compare the two plateau curves: how long each run stays near J ≈ 0.81, and where each
# ends (the printed w + b against ln 9). Momentum's velocity keeps growing while the slope
# stays the same, which is what gets it off the plateau; it is also still moving when it
# reaches the minimum.
#
# The class session plan's stopping rule says: stop when ‖∇J‖ < ε or |J_(t+1) − J_t| < δ.

# %% [markdown] tags=["prediction"]
# **Predict 4.** With the stopping rule ‖∇J‖ < ε (`gradient_tolerance`, 10⁻³ by default),
# where would the gradient-descent run on the saddle function stop?
# - (a) in a valley, at one of the two minima
# - (b) near the saddle, with J well above the minima
# - (c) nowhere: ‖∇J‖ never falls below ε

# %% tags=["your-prediction"]
lab.predict(4, None)  # your answer: "a", "b" or "c"

# %%
stops = {}
for place, function, runs_there, minimum in (
        ("saddle", curvature.saddle, saddle_paths, curvature.SADDLE_MINIMUM),
        ("plateau", curvature.plateau, plateau_paths, 0.0)):
    path = runs_there["gradient descent"]
    norms = (saddle if place == "saddle" else plateau)["gradient descent"]["norms"]
    step = curvature.first_step(norms < lab.gradient_tolerance)
    if step is None:
        stops[place] = {"step": None, "gap": None, "smallest_eigenvalue": None}
        continue
    curvatures = np.linalg.eigvalsh(curvature.hessian(function, path[step]))
    stops[place] = {"step": step, "gap": float(np.asarray(function(path[step])) - minimum),
                    "norm": float(norms[step]), "smallest_eigenvalue": float(curvatures[0]),
                    "verdict": "not a minimum" if curvatures[0] < 0 else "no negative curvature"}


def stop_text(place):
    stop = stops[place]
    if stop["step"] is None:
        return f"on the {place} it never fires"
    return (f"on the {place} it stops at step {stop['step']} (‖∇J‖ = {stop['norm']:.2g}) with J "
            f"{stop['gap']:.3g} above the minimum; the Hessian's smallest eigenvalue there is "
            f"{stop['smallest_eigenvalue']:.2g} ({stop['verdict']})")


saddle_stop = stops["saddle"]
lab.reveal(4, f"with ε = {lab.gradient_tolerance:g}, {stop_text('saddle')}; "
              f"{stop_text('plateau')}.",
           answer="c" if saddle_stop["step"] is None else
                  "b" if saddle_stop["smallest_eigenvalue"] < 0 else "a",
           epsilon=lab.gradient_tolerance, stops=stops)

# %%
lab.save_figure(curvature_figures.saddle_and_plateau(saddle_paths, saddle, plateau,
                                                      lab.gradient_tolerance),
                "saddle_and_plateau.png")

# %% [markdown]
# On flat ground both stopping rules fire, minimum or not. What tells a minimum from a
# saddle is the curvature: at a minimum every eigenvalue of the Hessian is ≥ 0; at a saddle
# one is negative (the smallest eigenvalues printed above).

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name, e.g. `--largest-eigenvalue 40`), run the lab again, and compare with the numbers
# above. Where an exercise asks you to predict, write the prediction down first.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Set `largest_eigenvalue = 40` in the parameters cell (in a
# terminal, `--largest-eigenvalue 40`). Before you run, compute the new limit 2/λ_max, the
# new η\* and κ, and the factor per step of the steepest component in the "just above" run.
# Then run section 1 and check each number.
# Which run ends closest to the minimum now, and why is it a closer race than before?

# %% [markdown] tags=["answer"]
# **Answer 1.** With λ_min = 1 and λ_max = 40: the limit is 2/40 = 0.05, η\* = 2/41 ≈ 0.0488
# and κ = 40. The steepest factor of the "just above" run is still 1 − 1.05·2 = −1.1, and
# that of "just below" still 1 − 0.95·2 = −0.9: η is set as a fraction of the limit, so
# ηλ_max does not depend on λ_max. What changes is the flat direction. At η\* both
# directions now shrink by (κ − 1)/(κ + 1) = 39/41 ≈ 0.951 per step instead of 9/11 ≈ 0.818,
# and "just below" shrinks the flat component by 1 − 0.95·2/40 = 0.9525. The two converging
# runs are now limited by nearly the same factor, so which ends closer after 60 steps
# depends on how much of the start lies along each eigenvector; the revealed sentence of
# Predict 1 says which. The lesson: a large condition number makes *every* safe η slow.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Write `should_stop(function, point, epsilon)` that stops only when
# ‖∇J‖ < ε *and* the Hessian has no clearly negative eigenvalue (use `curvature.gradients`,
# `curvature.hessian` and `numpy.linalg.eigvalsh`). Walk it along gradient descent's saddle
# path (`saddle_paths["gradient descent"]`) and plateau path: at which step does it stop now,
# and where is J?
# *Syllabus: Session plan, update rule and stopping.*

# %% [markdown] tags=["answer"]
# **Answer 2.** One version, with a small tolerance so that rounding and flat valleys of
# minima (an eigenvalue of 0, as on the plateau's line w + b = ln 9) still count:
#
#     def should_stop(function, point, epsilon, curvature_tolerance=1e-6):
#         if np.linalg.norm(curvature.gradients(function, point)) >= epsilon:
#             return False                                            # ‖∇J‖ ≥ ε: keep going
#         smallest = np.linalg.eigvalsh(curvature.hessian(function, point))[0]
#         return smallest >= -curvature_tolerance                     # no downhill direction
#
#     stop = next(step for step, point in enumerate(path) if should_stop(...))
#
# On the saddle, the steps where ‖∇J‖ < ε have a Hessian eigenvalue near −1 (Predict 4
# prints it), so the rule keeps going and stops only in a valley, where the Hessian is close
# to diag(2, 2) and J is near −¼. On the plateau the sigmoid curves slightly downwards where
# it is saturated (Predict 4 prints a small negative eigenvalue), so this rule keeps going
# there too. Measured with the default parameters (full mode), the rule above stops gradient
# descent at step 176 on the saddle path, with J ≈ −0.25, and at step 915 on the plateau
# path, with J ≈ 1.3e-5. On the plateau that is luck: a plateau can be flat to second order
# as well, and then no local test can tell it from a minimum. What protects a real training
# run is to judge the loss itself, over a window: early stopping with patience on the
# validation loss, or a known lower bound such as 0 for a squared error.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (open-ended).** On the plateau, momentum gets off the flat ground much
# sooner than gradient descent, but compare where the two runs end (the printed w + b and
# J, and the lower plots). Explain what happened to momentum. Find values of `momentum`
# and `plateau_learning_rate` that keep most of the speed-up without that ending. What
# does this suggest for networks of saturating units (sigmoid, tanh) trained with momentum?

# %% [markdown] tags=["answer"]
# **Answer 3.** In the default run (the plateau part does not depend on the seed) momentum
# first brought J below 1 % of its start at step 118 against 848 for gradient descent, but
# it ended at w + b ≈ 15.4 with J ≈ 0.01 = (1 − 0.9)², where gradient descent ended on the
# minimum w + b = ln 9 ≈ 2.20. While the slope stays the same, the velocity grows towards
# η·g/(1 − μ), ten times a plain step for μ = 0.9. The run arrives at the minimum at that
# speed, shoots past it, and lands where σ ≈ 1: a second saturated plateau, where σ′ ≈
# e^−(w+b) is so small that the pull back towards ln 9 is negligible. Remedies to try: a
# smaller μ, which gives less speed-up and less overshoot; a smaller η; or a schedule that
# lowers η once J starts to fall. Measured in full mode with `momentum = 0.5` in the
# parameters cell (`--momentum 0.5`): momentum brought J below 1 % at step 429, still about
# twice as fast as gradient descent, and ended on the minimum (w + b ≈ 2.20). In networks,
# the same thing happens when a large step pushes a sigmoid or tanh unit deep into
# saturation. The unit then stops learning, which is one reason for ReLU-like activations,
# careful initialisation and gradient clipping.
