"""Optimizers from scratch: momentum, RMSprop and Adam as real Keras optimizers.

What you learn: how momentum, Nesterov, RMSprop and Adam move on the chapters' toy
functions (a ravine, a steeper ravine, Rosenbrock's banana); that the from-scratch
classes in ``custom/optimizers/`` train a network exactly as Keras' built-ins do;
and the two places where the chapters' formulas and Keras part ways: momentum under a
learning-rate schedule, and where Adam adds its ε.

Follows: "Learning Algorithms" (§3.3 and exercise 3) and "The Learning Problem"
("Optimizers: Beyond Basic SGD").
Run time: about 42 s on 2 CPU cores (about 12 s with --quick), start-up included.
"""

# %% [markdown]
# # Optimizers from scratch
#
# Every optimizer in this lab is a class in `custom/optimizers/`, a real
# `keras.optimizers.Optimizer` whose `update_step` you can read line by line next
# to its equations. The same classes drive a single point across a toy function
# and train a network with `model.fit`; there is no second copy of the maths.
# `custom.optimizers.get(name, implementation="keras")` gives the Keras built-in
# with the same arguments, so we can put the two side by side.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import callbacks
import custom.optimizers
import datasets
from custom.optimizers import trajectories
from labs.machinery import runtime, twins
from labs.helpers import optimizers as optimizer_lab
from labs.machinery.runtime import param

lab = runtime.start("optimizers", {
    "ravine_steps": param(100, minimum=1),       # "Learning Algorithms" takes 50 steps on
                                                 # x² + 10y²; 100 give the slow ones time.
    "rosenbrock_steps": param(500, minimum=1),   # "The Learning Problem"'s n_steps.
    "momentum": param(0.9, minimum=0, below=1),  # β (EMA form) and γ (classic form):
                                                 # the chapters' "typically 0.9".
    "n_samples": param(600, minimum=20),         # Two moons for (b): trains in seconds.
    "hidden_units": param(16, minimum=1),        # One hidden layer, as in the tour.
    "epochs": param(30, minimum=2),              # Long enough for the curves to flatten;
                                                 # at least 2, so that η can drop halfway.
    "batch_size": param(32, minimum=1),
    "adam_epsilon": param(0.1, above=0),         # Large, so that where Adam adds it shows.
    "run_eagerly": param(False),                 # model.fit traces a graph (full: False).
                                                 # Quick mode's few full-batch steps run
                                                 # eagerly: cheaper than tracing 14 graphs.
}, quick={"rosenbrock_steps": 200, "n_samples": 200, "epochs": 3,  # full: 500, 600, 30
          "batch_size": 256, "run_eagerly": True})                 # full: 32, False

# The lesson's fixed values: edit them here (they are not flags).
PROBLEMS = {  # name → (function, start, steps)
    "x² + 10y²": (trajectories.ravine, (10.0, 1.0), lab.ravine_steps),
    "x² + 100y²": (trajectories.steep_ravine, (10.0, 1.0), lab.ravine_steps),
    "Rosenbrock": (trajectories.rosenbrock, (-1.5, 2.0), lab.rosenbrock_steps),
}
LEARNING_RATES = {  # problem → optimizer name → η; classic momentum's follow in part (a)
    "x² + 10y²": {"sgd": 0.05, "ema_momentum": 0.05,  # "Learning Algorithms": 0.05
                  "rmsprop": 0.1, "adam": 0.5},
    "x² + 100y²": {"sgd": 0.009, "ema_momentum": 0.02,  # GD needs η < 2/200 = 0.01
                   "rmsprop": 0.1, "adam": 0.5},
    "Rosenbrock": {"sgd": 0.0005, "ema_momentum": 0.01,  # "The Learning Problem"'s rates
                   "rmsprop": 0.01, "adam": 0.01},      # for momentum, RMSprop and Adam
}
TEXTBOOK_EPSILON = 1e-8   # Adam's ε on the toy functions: "The Learning Problem"'s.
PATH_TOLERANCE = 1e-4     # Relative; float64 round-off, grown over Rosenbrock's 500 steps.
MOONS_NOISE, VALIDATION_SHARE = 0.2, 0.25   # Part (b)'s two moons and its held-out share.
# Part (b): a rate at which each optimizer trains the moons in a few epochs.
TWIN_RATES = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.005, "adam": 0.01}
WEIGHT_TOLERANCE = 1e-5   # Float32 round-off after a few hundred steps stays far below.
EMA_RATE = 0.5            # The EMA form's η before the drop; the classic form's: η·(1 − β).
ADAM_RATE = 0.01          # η of both Adams in Predict 4 (the question states it).
LOSS_TOLERANCE = 1e-4     # Float32 round-off of two ways of writing one update.

# %% [markdown]
# ## (a) Paths on the chapters' toy functions
#
# Three problems. The ravine f = x² + 10y² from (10, 1) is from "Learning
# Algorithms": it is ten times steeper across (y) than along (x), so plain gradient
# descent, whose step is η times the slope, bounces across and crawls along. Its
# exercise 3, x² + 100y², makes that a hundred times. Rosenbrock's f = (1 − x)² +
# 100(y − x²)² from (−1.5, 2.0) is from "The Learning Problem": a curved,
# flat-bottomed valley with its minimum at (1, 1).
#
# Each optimizer gets a learning rate that suits it, the chapters' own where they
# give one. The classic momentum form v ← γv + ηg (and Nesterov) takes the EMA
# form's rate times (1 − β): with a constant η, v ← βv + (1−β)g, w ← w − ηv is the
# same optimizer once η_classic = η_EMA·(1 − β), so the two paths must coincide.
# The lab checks that they do, to within 1e-4 (relative, where |θ| > 1).

# %% [markdown] tags=["prediction"]
# **Predict 1.** On Rosenbrock, after `rosenbrock_steps` steps (500 in a full run)
# with the rates below, which of the six optimizers ends with the lowest f? ("The
# Learning Problem" says Adam typically converges fastest; here it runs at η = 0.01.)
# - (a) GD
# - (b) momentum (EMA form)
# - (c) momentum (classic form)
# - (d) Nesterov
# - (e) RMSprop
# - (f) Adam (textbook ε)

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %%
for rates in LEARNING_RATES.values():  # η_classic = η_EMA·(1 − β): the same optimizer
    rates["momentum"] = rates["nesterov"] = rates["ema_momentum"] * (1 - lab.momentum)
LABELS = optimizer_lab.LABELS   # name → legend: "momentum (EMA form)", …


def make_optimizer(name, learning_rate):
    """The from-scratch optimizer; Adam with the chapters' ε, as "The Learning Problem" has it."""
    if name == "adam" and twins.written("adam"):
        return custom.optimizers.get(name, learning_rate=learning_rate,
                                     epsilon=TEXTBOOK_EPSILON, textbook_epsilon=True)
    if name == "adam":   # Keras' ε form stands in for the textbook's until the task is written.
        return twins.optimizer(name, learning_rate=learning_rate, epsilon=TEXTBOOK_EPSILON)
    if name in ("ema_momentum", "momentum", "nesterov"):
        return twins.optimizer(name, learning_rate=learning_rate, momentum=lab.momentum)
    return twins.optimizer(name, learning_rate=learning_rate)


# One graph per problem runs all six optimizers side by side, each on its own point.
paths = {problem: trajectories.follow_together(
    {name: make_optimizer(name, rate) for name, rate in LEARNING_RATES[problem].items()},
    function, start, steps) for problem, (function, start, steps) in PROBLEMS.items()}
final = optimizer_lab.final_losses(paths, PROBLEMS)

# Where the two momentum forms (one optimizer) end level, both letters are right. The
# table of final losses answers Predict 1, so it follows the reveal.
sentence, answer, numbers = optimizer_lab.rosenbrock_statement(final["Rosenbrock"],
                                                               lab.rosenbrock_steps, LABELS)
if lab.reveal(1, sentence, answer=answer, **numbers):
    optimizer_lab.print_final_losses(final, LABELS)

distances = {problem: optimizer_lab.largest_distance(paths[problem]["ema_momentum"],
                                                     paths[problem]["momentum"])
             for problem in PROBLEMS}
lab.agreement("ema_vs_classic_paths", "EMA and classic momentum paths (relative where |θ| > 1)",
              max(distances.values()), PATH_TOLERANCE, distances=distances)

# %%
figure, axes = plt.subplots(1, 3, figsize=(17, 5))
optimizer_lab.draw_paths(axes, paths, PROBLEMS, LABELS)
lab.save_figure(figure, "paths.png")
figure, axes = plt.subplots(1, 3, figsize=(17, 4))
optimizer_lab.draw_path_losses(axes, paths, PROBLEMS, LABELS)
lab.save_figure(figure, "path_losses.png")

# %% [markdown]
# How close to the edge does momentum run on Rosenbrock? On a quadratic, heavy-ball
# momentum is stable only while η·λ < 2(1 + γ) for every curvature λ, the eigenvalues
# of the Hessian. Rosenbrock is not a quadratic, but near the start it is close to
# one: the lab measures its Hessian at (−1.5, 2) with two nested `tf.GradientTape`s and
# prints the largest eigenvalue beside the limit for the classic form's η and γ.

# %%
start = PROBLEMS["Rosenbrock"][1]
hessian = optimizer_lab.hessian(trajectories.rosenbrock, start)   # (2, 2)
sentence, numbers = optimizer_lab.curvature_statement(
    start, hessian, LEARNING_RATES["Rosenbrock"]["momentum"], lab.momentum)
print(sentence)
lab.record("rosenbrock curvature", **numbers)

# %% [markdown]
# What to look for in the paths. Gradient descent's step is η times the slope, so
# on a ravine it bounces across the steep direction and creeps along the shallow
# one. Momentum sums past steps: the across-ravine parts flip sign and cancel, the
# along-ravine parts add up. RMSprop divides each coordinate of the gradient by
# its own running size, so once that average has settled its steps are about η
# long in every direction, however steep the slope. Adam adds momentum to that.
#
# ## (b) The same classes in `model.fit`, next to their Keras twins
#
# Now each from-scratch optimizer trains a 2-16-1 network on two moons, and so
# does its Keras twin, from the same initial weights and on the same batches.
# While they train, `callbacks.LivePlot` draws every run's loss on shared axes (in
# a terminal, it prints one line per epoch instead).

# %% [markdown] tags=["prediction"]
# **Predict 2.** After `epochs` epochs (30 in a full run), which of the five from-scratch
# optimizers (SGD, momentum, Nesterov, RMSprop, Adam) will end with exactly the weights of
# its Keras twin, to the last bit?
# - (a) all five
# - (b) SGD only: the others do more arithmetic, which can round differently
# - (c) some of them, but not all five and not SGD alone
# - (d) none of them

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c" or "d"

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=MOONS_NOISE, seed=lab.seed)
(x_train, y_train), _ = datasets.train_val_split(x, y, VALIDATION_SHARE, seed=lab.seed)
x_train = datasets.Standardizer().fit(x_train).transform(x_train)  # (n, 2)


def train(optimizer, live_run):
    """Fit a fresh 2-16-1 network, always from the same initial weights; return it and its losses.

    ``live_run`` is the run's callback on a ``callbacks.LivePlot``, which draws the curves
    while the network trains (one line per epoch in a terminal).
    """
    keras.utils.set_random_seed(lab.seed)
    model = keras.Sequential([keras.Input(shape=(2,)),
                              keras.layers.Dense(lab.hidden_units, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", run_eagerly=lab.run_eagerly)
    # The optimizer's slots (velocity, moments) now: made inside fit's first step instead,
    # they would make TensorFlow trace that step twice (without run_eagerly; only slower).
    model.optimizer.build(model.trainable_variables)
    # The batches in order, as a tf.data pipeline: the ones fit cuts from the arrays, at far
    # less cost per epoch.
    batches = datasets.make_dataset(x_train, y_train, lab.batch_size, shuffle=False)
    history = model.fit(batches, epochs=lab.epochs, shuffle=False, verbose=0,
                        callbacks=lab.fit_callbacks(live_run.name, [live_run]))
    return model, history.history["loss"]


live = callbacks.LivePlot(title="custom and Keras optimizers on two moons")
curves, gaps = {}, {}
for name, rate in TWIN_RATES.items():
    ours, curves[name, "custom"] = train(twins.optimizer(name, learning_rate=rate),
                                         live.run(f"{name} custom"))
    theirs, curves[name, "keras"] = train(custom.optimizers.get(name, implementation="keras",
                                                                learning_rate=rate),
                                          live.run(f"{name} keras"))
    gaps[name] = max(float(np.max(np.abs(a - b)))
                     for a, b in zip(ours.get_weights(), theirs.get_weights()))

sentence, answer, numbers = optimizer_lab.twins_statement(gaps, WEIGHT_TOLERANCE, lab.epochs)
if lab.reveal(2, sentence, answer=answer, **numbers):   # The table of differences answers
    optimizer_lab.print_twins(TWIN_RATES, curves, gaps)  # Predict 2, so it follows the reveal.
lab.check(numbers["agree"], f"custom and Keras optimizers end {numbers['largest_gap']:.1e} apart")

# %%
figure, ax = plt.subplots(figsize=(8, 5))
optimizer_lab.draw_twins(ax, curves, TWIN_RATES, numbers["largest_gap"])
lab.save_figure(figure, "twins.png")

# %% [markdown]
# ## Where the chapters and Keras part ways
#
# **Momentum under a schedule.** Keras' SGD is the classic form of "The Learning
# Problem": v ← γv + ηg, w ← w − v (Keras stores −v, which changes nothing). The
# EMA form of "Learning Algorithms" is v ← βv + (1−β)g, w ← w − ηv. With a
# constant η they are the same optimizer (η_classic = η_EMA·(1−β)). When a schedule
# cuts η, the EMA form cuts the *whole* step at once, while the classic velocity
# still carries steps taken at the old η, fading by γ per step. Below, η drops
# tenfold halfway through training.
#
# **Adam's ε.** "The Learning Problem" divides by √v̂ + ε. Keras folds the bias
# correction into the step size and divides by √v + ε, which is the textbook rule
# with ε replaced by ε/√(1−β₂ᵗ): 1/√(1 − 0.999) ≈ 32 times ε at the first step
# for β₂ = 0.999, tending to ε later. With Keras' default ε = 1e-7 that is too
# small to see next to √v̂; the lab's default `adam_epsilon = 0.1` lets it show.

# %% [markdown] tags=["prediction"]
# **Predict 3.** The two momentum forms are one optimizer until η drops. After the
# drop, which ends with the lower training loss?
# - (a) the EMA form, whose whole step shrinks at once
# - (b) the classic form, whose velocity still carries the old steps
# - (c) neither: they end level (within 1e-4)

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b" or "c"

# %%
for task in ("ema_momentum", "adam"):   # Neither form below has a Keras twin.
    twins.end_lab_without(lab, task, "the rest of this lab (the chapters' forms of momentum "
                                      "and Adam)")
drop_epoch = lab.epochs // 2
drop_at = int(np.ceil(len(x_train) / lab.batch_size)) * drop_epoch   # steps before the drop


def dropping(rate):
    """η, then η/10 from halfway through training."""
    return keras.optimizers.schedules.PiecewiseConstantDecay([drop_at], [rate, rate / 10])


live = callbacks.LivePlot(title="where the chapters and Keras part ways")
_, ema_curve = train(custom.optimizers.EMAMomentum(dropping(EMA_RATE), momentum=lab.momentum),
                     live.run("EMA momentum"))
_, classic_curve = train(custom.optimizers.get(
    "momentum", implementation="keras", learning_rate=dropping(EMA_RATE * (1 - lab.momentum)),
    momentum=lab.momentum), live.run("classic momentum"))
sentence, answer, numbers = optimizer_lab.momentum_statement(ema_curve, classic_curve,
                                                             drop_epoch, LOSS_TOLERANCE)
lab.reveal(3, sentence, answer=answer, **numbers)
lab.check(numbers["same_before"],
          f"the momentum forms differ by {numbers['before_drop']:.1e} before η drops")

# %% [markdown] tags=["prediction"]
# **Predict 4.** With ε = `adam_epsilon` (0.1 unless you changed it) and η = 0.01,
# which Adam has the lower loss after the first epoch, the textbook ε or Keras' ε,
# and which after the last epoch?
# - (a) the textbook ε after both
# - (b) the textbook ε after the first, Keras' ε after the last
# - (c) Keras' ε after the first, the textbook ε after the last
# - (d) Keras' ε after both
# - (e) they are level (within 1e-4) after the first or the last epoch

# %% tags=["your-prediction"]
lab.predict(4, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
_, adam_textbook = train(custom.optimizers.Adam(ADAM_RATE, epsilon=lab.adam_epsilon,
                                                textbook_epsilon=True),
                        live.run("Adam textbook ε"))
_, adam_keras = train(custom.optimizers.get("adam", implementation="keras",
                                            learning_rate=ADAM_RATE, epsilon=lab.adam_epsilon),
                      live.run("Adam Keras ε"))
adam_first = {"textbook ε": adam_textbook[0], "Keras ε": adam_keras[0]}
adam_last = {"textbook ε": adam_textbook[-1], "Keras ε": adam_keras[-1]}
first_winner = optimizer_lab.lower_of_two(adam_first, LOSS_TOLERANCE)
last_winner = optimizer_lab.lower_of_two(adam_last, LOSS_TOLERANCE)
lab.reveal(4, f"after epoch 1 {optimizer_lab.lower_phrase(first_winner)} (textbook "
              f"{adam_textbook[0]:.5f}, Keras {adam_keras[0]:.5f}); after epoch {lab.epochs} "
              f"{optimizer_lab.lower_phrase(last_winner)} (textbook "
              f"{adam_textbook[-1]:.5f}, Keras {adam_keras[-1]:.5f}).",
           first_epoch=adam_first, last_epoch=adam_last, first_winner=first_winner,
           last_winner=last_winner, loss_tolerance=LOSS_TOLERANCE,
           answer=optimizer_lab.adam_answer(first_winner, last_winner))

# %%
figure, axes = plt.subplots(1, 3, figsize=(17, 4.5))
momentum_curves = {f"EMA form, η = {EMA_RATE} → {EMA_RATE / 10}": ema_curve,
                   "classic form (Keras), η·(1−β)": classic_curve}
adam_curves = {"textbook ε (\"The Learning Problem\")": adam_textbook, "Keras ε": adam_keras}
optimizer_lab.draw_part_ways(axes, momentum_curves, drop_epoch, adam_curves,
                             lab.adam_epsilon, ADAM_RATE)
lab.save_figure(figure, "part_ways.png")

# %% [markdown]
# Neither difference is a bug: they are two definitions, and a lab that says
# "momentum" or "Adam" should say which one it means. Swap any lab's optimizer with
# `--optimizer NAME --impl custom|keras` (in a notebook's parameters cell,
# `optimizer = "NAME"` and `impl = "keras"`).

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the
# same name), or edit the line named, then run the lab again. Numbers quoted in the
# answers are from full runs with seed 0.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Set `momentum = 0.5` (`--momentum 0.5`). Which rows of the
# final-loss table change, and do the EMA and classic paths still coincide?

# %% [markdown] tags=["answer"]
# **Answer 1.** Only the momentum rows (part (b) keeps Keras' default momentum). Both
# forms end at 3.6e-9 on x² + 10y² (8.3e-4 at 0.9) and 0.0214 on x² + 100y² (0.0096);
# Nesterov blows up on x² + 100y², and all three blow up on Rosenbrock (0.0044 and
# 0.0017 at 0.9). The forms still coincide, as the classic rate follows η_EMA·(1 − β).
# Heavy-ball momentum on a quadratic is stable only while η·λ < 2(1 + γ) for every
# curvature λ: η = 0.01·0.5 allows λ < 600, γ = 0.9 with η = 0.001 allows λ < 3 800,
# and Rosenbrock's largest curvature at (−1.5, 2) is the λ_max the lab prints under
# the paths (the Hessian's largest eigenvalue), between the two. Nesterov's limit is
# tighter.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Give Adam a larger rate on Rosenbrock
# (`LEARNING_RATES["Rosenbrock"]["adam"] = 0.1`) and more steps (`rosenbrock_steps =
# 2000`). Does Adam reach (1, 1) now?
# *Syllabus: The Learning Problem, optimizers on Rosenbrock.*

# %% [markdown] tags=["answer"]
# **Answer 2.** Yes. With the lab's Adam (textbook ε = 1e-8), η = 0.01 ends at f = 4.21
# after 500 steps and 0.0077 after 2 000; η = 0.1 at 0.0094 after 500 and about 5e-23,
# (1, 1) to print precision, after 2 000. In the curved valley the across-valley part of
# the gradient flips sign each step: m̂ averages it away while v̂ keeps its size, so the
# steps are far shorter than η (median 0.0023 at η = 0.01). "Adam converges fastest"
# holds at a rate that suits the problem.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Compare standard momentum and Nesterov on x² + 100y² (both
# η = 0.002, γ = 0.9), then count the steps each needs to bring f below 0.01
# (`np.argmax(function(path) < 0.01)` on `paths["x² + 100y²"][name]`). Which is better?
# *Syllabus: Learning Algorithms, exercise 3.*

# %% [markdown] tags=["answer"]
# **Answer 3.** After 100 steps Nesterov ends lower (0.0037 against 0.0096), yet momentum
# first gets below 0.01 at step 64 and Nesterov at step 66; after 300 steps both are
# near 1e-12. Nesterov takes its gradient after the velocity's step, so it damps the
# oscillation along y sooner and ends quieter; momentum arrives slightly earlier. Which
# is "better" depends on the threshold and the step budget: say which you measured.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Set `adam_epsilon = 1e-7` (`--adam-epsilon 1e-7`), Keras'
# default. Use the effective-ε formula to predict Predict 4's answers, then check.

# %% [markdown] tags=["answer"]
# **Answer 4.** Keras' effective ε is at most 32·1e-7 ≈ 3e-6, tiny next to √v̂ for these
# gradients, so the two Adams should nearly coincide. Measured: level after epoch 1
# (0.45979 against 0.45980); after 30 epochs 0.14462 against 0.14473, 1.1e-4 apart, just
# past the lab's 1e-4 band for "level", where ε = 0.1 left them 0.0089 apart (0.30178
# against 0.31063). Small differences in the first steps are carried through training.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Write Adagrad (v ← v + g², w ← w − η·g/(√v + ε)) in
# `custom/optimizers/adagrad.py`, register it (`custom/optimizers/registered.py`), check
# it with `python -m assignments check adagrad`, and add it to `LEARNING_RATES`. Which
# rate makes it competitive on each problem, and why not RMSprop's?

# %% [markdown] tags=["answer"]
# **Answer 5.** Adagrad's v is a sum, not a moving average: it only grows, so the step
# η·g/√v shrinks roughly like 1/√t on a steady gradient. It needs a larger η than
# RMSprop to cover the same distance, and slows down along Rosenbrock's long valley
# where RMSprop keeps its pace; on the ravines its per-coordinate scaling removes the
# zig-zag as RMSprop's does. Sweep η on a log grid per problem and read the final-loss
# table, after the check against Keras, so that an odd path is the algorithm, not a bug.
