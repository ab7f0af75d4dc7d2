"""Nesterov's look-ahead, and the form Keras runs: one algorithm through a change of variables.

What you learn: how Nesterov's momentum, as textbooks write it (the gradient at the
look-ahead point θ − μ·v), becomes the form Keras runs, which needs only ∇J at the weights;
why the two forms' iterates differ by μ·v and still end at the same place; and where, on a
steep ravine, Nesterov beats classic momentum and where it cannot arrive at all, with the
stability limits 2(1 + μ)/λ_max and 2(1 + μ)/((1 + 2μ)·λ_max).

Follows: "Chapter 3: Learning Algorithms" (exercise 3: momentum against Nesterov on a
ravine) and "The Learning Problem" (ravines, momentum). The stability limit η < 2/λ_max of
the `curvature` lab comes first.
Run time: about 7 s on 2 CPU cores (about 7 s with --quick), start-up included.
"""

# %% [markdown]
# # Nesterov's look-ahead
#
# Classic momentum feels the slope where it stands. Nesterov's momentum feels it where the
# velocity is about to carry it. This lab takes the textbook form apart, puts it beside
# the form Keras runs, and races both against classic momentum on the ravine x² + 100y² of
# "Learning Algorithms", exercise 3. The hyperparameters come first, each with its reason.

# %%
import keras
import numpy as np

from custom.optimizers import trajectories
from labs.machinery import runtime, twins
from labs.helpers import curvature, nesterov
from labs.machinery.runtime import param

lab = runtime.start("nesterov", {
    "momentum": param(0.9, minimum=0, below=1),      # μ: "typically 0.9", say both
                                                     # "Learning Algorithms" and
                                                     # "The Learning Problem".
    "ravine_learning_rate": param(0.002, above=0),   # The optimizers lab's η on x² + 100y².
    "ravine_steps": param(1000, minimum=10),         # The slowest rate needs about 370.
    "tolerance": param(1e-6, above=0),               # "Arrived": f(x, y) below this.
}, quick={"ravine_steps": 500})   # Full run: 1000 steps.
RAVINE_START = (10.0, 1.0)                 # The exercise's start on x² + 100y².
MULTIPLES = (0.5, 1, 2, 3, 4, 6, 8)        # The sweep: η from half to eight times the rate.
FORMS_TOLERANCE = 1e-12                    # Two float64 forms of one recurrence agree to this.


def when(step):
    """A step number as text, or "never" for None."""
    return "never" if step is None else f"step {step}"


# %% [markdown]
# ## 1. Two ways to write Nesterov's momentum
#
# Nesterov's momentum, as textbooks write it (Sutskever et al., 2013):
#
#     look-ahead form:   v ← μ·v + η·∇J(θ − μ·v)        θ ← θ − v
#
# That needs ∇J at a point where the weights are not. Keras (`keras.optimizers.SGD(
# nesterov=True)`) and our `custom.optimizers.SGD(nesterov=True)` keep the look-ahead
# point itself, w = θ − μ·v, as the weights. Substituting, the same v gives
#
#     rewritten form:    v ← μ·v + η·∇J(w)               w ← w − (μ·v + η·∇J(w))
#
# which needs ∇J only at the weights, as every optimizer step does. (Keras stores −v and
# adds, which changes nothing.) Below, the look-ahead form runs in NumPy
# (`curvature.nesterov_look_ahead`: the two updates above, in three lines), the rewritten
# form as our class and as Keras' on a `tf.Variable`, on x² + 100y² from (10, 1).

# %% [markdown] tags=["prediction"]
# **Predict 1.** Both forms run `ravine_steps` steps from (10, 1) at η =
# `ravine_learning_rate` with μ = `momentum`. Compare the look-ahead form's θ with the
# weights w that Keras' rewritten form holds, step by step:
# - (a) they are the same numbers at every step
# - (b) they differ, but w = θ − μ·v at every step, up to rounding
# - (c) they differ, and no simple formula links them

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b" or "c"

# %%
ravine_curvature = np.linalg.eigvalsh(curvature.hessian(trajectories.steep_ravine, RAVINE_START))
sweep_rates = [multiple * lab.ravine_learning_rate for multiple in MULTIPLES]
runs = {"Keras Nesterov": keras.optimizers.SGD(lab.ravine_learning_rate, momentum=lab.momentum,
                                               nesterov=True)}
for rate in sweep_rates:
    runs[f"momentum {rate:g}"] = twins.optimizer("sgd", learning_rate=rate, momentum=lab.momentum)
    runs[f"Nesterov {rate:g}"] = twins.optimizer("sgd", learning_rate=rate, momentum=lab.momentum,
                                                  nesterov=True)
ravine_paths = trajectories.follow_together(runs, trajectories.steep_ravine, RAVINE_START,
                                            lab.ravine_steps)


def ravine_gradient(point):
    """∇(x² + 100y²) = (2x, 200y)."""
    return np.array([2 * point[0], 200 * point[1]])


# Keras keeps η in a float32 variable, even for float64 weights, and its SGD rounds μ to
# float32 too (`keras.ops.cast(0.9, "float64")` is 0.8999999761…; ours keeps μ exact). The
# look-ahead runs use the same rounded numbers, so that what is compared is the two forms.
rate_as_kept = float(np.float32(lab.ravine_learning_rate))
keras_momentum = float(np.float32(lab.momentum))
# Until the nesterov task is written, "ours" is Keras' twin, which rounds μ as Keras does.
our_momentum = lab.momentum if twins.written("nesterov") else keras_momentum
look_ahead = {
    "ours": curvature.nesterov_look_ahead(ravine_gradient, RAVINE_START, rate_as_kept,
                                           our_momentum, lab.ravine_steps),
    "Keras": curvature.nesterov_look_ahead(ravine_gradient, RAVINE_START, rate_as_kept,
                                            keras_momentum, lab.ravine_steps)}
thetas, velocities = look_ahead["ours"]
ours = ravine_paths[f"Nesterov {lab.ravine_learning_rate:g}"]
theirs = ravine_paths["Keras Nesterov"]
compared = nesterov.finite_steps(thetas, ours, theirs)            # steps before any overflow
raw_gaps = {"ours": nesterov.relative_gap(ours, thetas, compared),  # w against θ, unmapped
            "Keras": nesterov.relative_gap(theirs, look_ahead["Keras"][0], compared)}
mapped_gaps = {  # w against θ − μ·v
    "ours": nesterov.relative_gap(ours, thetas - our_momentum * velocities, compared),
    "Keras": nesterov.relative_gap(theirs, look_ahead["Keras"][0]
                                   - keras_momentum * look_ahead["Keras"][1], compared)}
for name, mapped_gap in mapped_gaps.items():
    lab.agreement(f"forms, {name}", f"{name} Nesterov's w and the look-ahead form's θ − μ·v",
                  mapped_gap, FORMS_TOLERANCE, show=False)
forms_choice = ("a" if max(raw_gaps.values()) < FORMS_TOLERANCE else
                "b" if max(mapped_gaps.values()) < FORMS_TOLERANCE else "c")
lab.reveal(
    1, f"over {compared} steps at η = {lab.ravine_learning_rate:g}, μ = {lab.momentum:g}, the "
       f"largest relative difference of Keras' weights w from the look-ahead form's θ is "
       f"{raw_gaps['Keras']:.2g}, and from θ − μ·v {mapped_gaps['Keras']:.1e} (ours: "
       f"{raw_gaps['ours']:.2g} and {mapped_gaps['ours']:.1e}); tolerance {FORMS_TOLERANCE:g}",
    answer=forms_choice, raw_gaps=raw_gaps, mapped_gaps=mapped_gaps,
    forms_tolerance=FORMS_TOLERANCE, compared_steps=compared)

# %% [markdown]
# The two forms are one algorithm seen through a change of variables: their iterates
# differ by μ·v, and v → 0 at a minimum, so both end at the same place.
#
# ## 2. Momentum against Nesterov on a ravine
#
# Now the exercise's comparison: standard momentum against Nesterov on x² + 100y², each at
# seven rates, counting the steps until f < `tolerance` on the weights each one holds.
# The `curvature` lab's limit η < 2/λ_max has a momentum version: on a quadratic, classic
# momentum converges while η < 2(1 + μ)/λ_max and Nesterov while
# η < 2(1 + μ)/((1 + 2μ)·λ_max) (exercise 4 derives both).

# %% [markdown] tags=["prediction"]
# **Predict 2.** On x² + 100y² from (10, 1) with μ = `momentum` (0.9 by default), momentum
# and Nesterov run at seven rates, from half to eight times `ravine_learning_rate` (0.002 by
# default). Which one reaches f < `tolerance` in fewer steps at `ravine_learning_rate`, and
# does the same one win (or tie) at every rate of the sweep?
# - (a) momentum, and it wins at every rate
# - (b) momentum, but not at every rate
# - (c) Nesterov, and it wins at every rate
# - (d) Nesterov, but not at every rate
# - (e) neither: they tie, or neither arrives

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
limits = {"momentum": curvature.momentum_limit(ravine_curvature[-1], lab.momentum),
          "Nesterov": curvature.nesterov_limit(ravine_curvature[-1], lab.momentum)}
arrival, ended = nesterov.arrival_steps(ravine_paths, ("momentum", "Nesterov"), sweep_rates,
                                        lab.tolerance)
winners = {rate: nesterov.winner(arrival, rate) for rate in sweep_rates}
main_rate = lab.ravine_learning_rate
verdict = {"momentum": "momentum first", "Nesterov": "Nesterov first", "a tie": "a tie",
           "neither": "neither arrived"}
never = {kind: [f"{rate:g}" for rate in sweep_rates if arrival[kind][rate] is None]
         for kind in arrival}
by_winner = {name: [f"{rate:g}" for rate in sweep_rates if winners[rate] == name]
             for name in verdict}
everywhere = all(found == winners[main_rate] for found in winners.values())
sweep_choice = ({"momentum": "a", "Nesterov": "c"}.get(winners[main_rate], "e") if everywhere
                else {"momentum": "b", "Nesterov": "d"}.get(winners[main_rate], "e"))
sweep_shown = lab.reveal(
    2, f"at η = {main_rate:g}: momentum {when(arrival['momentum'][main_rate])}, Nesterov "
       f"{when(arrival['Nesterov'][main_rate])}: {verdict[winners[main_rate]]}. Over the "
       "sweep: " + "; ".join(f"{verdict[name]} at η = {', '.join(rates_won)}"
                              for name, rates_won in by_winner.items() if rates_won)
    + ". Never arrived: " + "; ".join(
        f"{kind} at η = {', '.join(missed) or 'none'} (limit {limits[kind]:.4g})"
        for kind, missed in never.items()) + ".",
    steps={kind: {f"{rate:g}": step for rate, step in found.items()}
           for kind, found in arrival.items()},
    final_values={kind: {f"{rate:g}": value for rate, value in found.items()}
                  for kind, found in ended.items()},
    winners={f"{rate:g}": name for rate, name in winners.items()},
    main_rate=f"{main_rate:g}", limits=limits, everywhere=everywhere,
    answer=sweep_choice)
if sweep_shown:   # The limits and the table of arrivals answer Predict 2: after the reveal.
    # The rates of the sweep above a limit cannot converge, which decides who wins there.
    print(f"Hessian eigenvalues {ravine_curvature.tolist()}: limits 2(1 + μ)/λ_max = "
          f"{limits['momentum']:.4g} (momentum), 2(1 + μ)/((1 + 2μ)λ_max) = "
          f"{limits['Nesterov']:.4g} (Nesterov)")
    print(f"{'η':>8} {'momentum':>10} {'Nesterov':>10}   steps to f < {lab.tolerance:g}")
    for rate in sweep_rates:
        print(f"{rate:>8g} {when(arrival['momentum'][rate]):>10} "
              f"{when(arrival['Nesterov'][rate]):>10}")

# %%
lab.save_figure(nesterov.figure(
    ravine_paths[f"momentum {main_rate:g}"], ours, thetas, main_rate, lab.momentum, lab.tolerance,
    arrival, limits), "nesterov.png", show=sweep_shown)

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name, e.g. `--momentum 0.5`), run the lab again, and compare with the numbers above.
# Where an exercise asks you to predict, write the prediction down first.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Set `momentum = 0` in the parameters cell (`--momentum 0`). Before
# you run, write out both forms of section 1 with μ = 0, and the two stability limits of
# section 2. Then run the lab and check the answers of Predict 1 and Predict 2 against
# yours.

# %% [markdown] tags=["answer"]
# **Answer 1.** With μ = 0 the look-ahead form is v ← η·∇J(θ), θ ← θ − v, and the
# rewritten form is w ← w − η·∇J(w): both are plain gradient descent, and w = θ − 0·v = θ.
# So the raw difference of section 1 is rounding only, and Predict 1's answer becomes (a).
# Classic momentum with μ = 0 is plain gradient descent too, so the two methods of section
# 2 take the same steps at every rate: wherever they arrive they tie, and Predict 2's
# answer is (e). Both limits become 2/λ_max = 2/200 = 0.01, the `curvature` lab's limit, so
# neither can arrive at η = 0.012 or 0.016. Below it, nothing carries the run along the flat
# x direction: x shrinks by 1 − 2η per step, and f < 10⁻⁶ needs |x| < 10⁻³, a factor 10⁻⁴,
# that is ln 10⁻⁴/ln(1 − 2η) steps: about 570 at η = 0.008, 760 at 0.006 and 1150 at 0.004.
# In a full run (1000 steps) only 0.006 and 0.008 arrive; in quick mode (500 steps) none.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Standard momentum against Nesterov on x² + 100y². Run the lab
# with `momentum = 0.5` in the parameters cell (`--momentum 0.5`), then with
# `momentum = 0.99`. Before each run, compute both stability limits and predict at which
# rates of the sweep each method can never arrive. Then explain from the runs why Nesterov
# wins where it wins.
# *Syllabus: Learning Algorithms, exercise 3.*

# %% [markdown] tags=["answer"]
# **Answer 2.** λ_max = 200. For μ = 0.5 the limits are 2·1.5/200 = 0.015 (momentum) and
# 3/(2·200) = 0.0075 (Nesterov): Nesterov cannot arrive at η = 0.008, 0.012 and 0.016,
# momentum cannot at 0.016. For μ = 0.99 they are 3.98/200 = 0.0199 and 3.98/(2.98·200) ≈
# 0.00668: Nesterov cannot at 0.008 and above. Other gaps in the table are runs that
# converge, but too slowly for `ravine_steps` (raise it to see them arrive). Measured in full
# mode, with `momentum = 0.5` in the parameters cell (`--momentum 0.5`): neither method
# arrives at η = 0.001 or 0.002 within 1000 steps, and where both arrive momentum is ahead by
# a few steps (563 against 567 at η = 0.004); with `momentum = 0.99` classic momentum arrives
# at no rate of the sweep, while Nesterov does at every rate up to 0.006 (step 573 at η =
# 0.002). The reason is the steep y direction. There classic momentum oscillates with an
# amplitude that shrinks only by about √μ per step, while in Nesterov's recurrence the
# momentum term is multiplied by a = 1 − ηλ, so the oscillation shrinks by about √(aμ): √0.99
# ≈ 0.995 against √(0.6·0.99) ≈ 0.77 at η = 0.002. Nesterov wins where that direction sets
# the pace. Where the flat x direction (ηλ tiny) sets it, the two behave alike and either may
# be a few steps ahead.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (hard).** Derive both limits. Along one eigenvector with curvature λ, write
# classic momentum and the look-ahead form as recurrences θ_(t+1) = b·θ_t − c·θ_(t−1), and
# find for which η both roots of z² − b·z + c have |z| < 1. Then test the Nesterov limit
# with the lab: choose `ravine_learning_rate` so that four times it lies just below the
# limit, then just above it, and read the η = 4 × rate row.

# %% [markdown] tags=["answer"]
# **Answer 3.** Classic momentum: v_(t+1) = μv_t + ηλθ_t and θ_(t+1) = θ_t − v_(t+1) give
# θ_(t+1) = (1 + μ − ηλ)θ_t − μθ_(t−1). The roots of z² − bz + c with real b, c lie inside the
# unit circle exactly when |c| < 1 and |b| < 1 + c (the Jury conditions): here c = μ < 1
# and |1 + μ − ηλ| < 1 + μ, so 0 < ηλ < 2(1 + μ). The look-ahead form evaluates the gradient
# at θ_t − μv_t; with a = 1 − ηλ it gives θ_(t+1) = a(1 + μ)θ_t − aμθ_(t−1). Now c = aμ, and
# |a(1 + μ)| < 1 + aμ holds for a > 0 always and, for a < 0, when −a(1 + 2μ) < 1, that is
# ηλ < 1 + 1/(1 + 2μ) = 2(1 + μ)/(1 + 2μ). For μ = 0 both are 2/λ, the `curvature` lab's
# limit. With μ = 0.9 and λ_max = 200 the Nesterov limit is 3.8/560 ≈ 0.006786, so
# `ravine_learning_rate = 0.00165` puts 4 × 0.00165 = 0.0066 below it and 0.0018 puts
# 0.0072 above it. Measured in full mode, setting `ravine_learning_rate` in the parameters
# cell (or `--ravine-learning-rate`): at 0.00165 Nesterov
# arrives at η = 0.0066 at step 139; at 0.0018 it never arrives
# at η = 0.0072, while classic momentum does (step 131), since 0.0072 is far below
# momentum's limit 0.019.
