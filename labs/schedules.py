"""Learning-rate schedules: plot the chapter's four and 1cycle, then train one model with each.

What you learn: how the four schedules of the chapters (step decay, exponential decay,
cosine annealing, warm-up + cosine) and Smith's 1cycle change the learning rate over
training; how they are written as Keras ``LearningRateSchedule`` objects that the
optimizer calls with its step counter; why our exponential decay and Keras' own
``ExponentialDecay`` give different curves for the same number; and what each
schedule does to the training curves of the same model on the same data.

Follows: "The Learning Problem" ("Learning Rate Schedules" and its figure), "Learning
Algorithms" (section 4, the learning-rate table), the class session plan (the Keras map:
``tf.keras.optimizers.schedules``).
Run time: about 29 s on 2 CPU cores (about 11 s with --quick), start-up included.
"""

# %% [markdown]
# # Learning-rate schedules
#
# A fixed learning rate has to compromise: large enough to make progress early,
# small enough to settle into a minimum late. A *schedule* changes the rate as
# training goes on. "The Learning Problem" lists four; we add Smith's 1cycle. The
# hyperparameters come first, each with its reason.

# %%
import math

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import callbacks
import custom.optimizers
import custom.schedules
import datasets
from labs.machinery import runtime, twins
from labs.helpers import schedules as schedules_lab
from labs.machinery.runtime import param

lab = runtime.start("schedules", {
    "epochs": param(100, minimum=2),                # The chapter's horizon: T = 100 epochs,
                                                    # drops every 20, warm-up 10.
    "learning_rate": param(0.1, above=0),           # The chapter's initial (or peak) rate.
    # SGD with momentum 0.9: the optimizer schedules were made for.
    "optimizer": param("momentum", choices=custom.optimizers.names()),
    # Our from-scratch SGD (--impl keras for keras.optimizers.SGD).
    "impl": param("custom", choices=("custom", "keras")),
    "n_samples": param(600, minimum=20),            # Three spiral arms: hard
                                                    # enough that the rate matters.
    "batch_size": param(32, minimum=1),
    "hidden_units": param(32, minimum=1),
}, quick={"epochs": 12, "n_samples": 240})   # Full run: 100 epochs on 600 samples.

# The lesson's fixed values: edit them here (they are not flags). The schedules keep the
# chapter's proportions of the horizon T = `epochs`.
DROP = 0.5                  # Step decay keeps half the rate at each drop,
DROP_EVERY = 5              # every T/5 epochs (every 20 of 100).
DECAY_TOTAL = 5.0           # Exponential decay: k·T = 5, so k = 0.05 for T = 100.
WARMUP_PART = 10            # Warm-up + cosine warms up over the first T/10 epochs.
MISREAD_STEPS = 10          # Predict 2 reads the rates after 10 steps.
SESSION_DECAY_RATE, SESSION_DECAY_STEPS = 0.96, 100000   # The session plan's reading.
EQUIVALENT_TOLERANCE = 1e-4   # Relative: float32's r = e^(−k), rounded, raised to the t.
SAME_RATE = 1e-3            # Relative: Predict 2's rates this close are "the same as ours".
VALIDATION_SHARE = 0.25     # A quarter of the spirals validate.
CLASSES = 3                 # Three spiral arms.
RATE_TOLERANCE = 1e-6       # Relative: the rate fit used against the schedule plotted.
END_PART = 5                # End noise is measured over the last T/5 epochs.

# %% [markdown]
# ## The schedules, as in the chapter's figure
#
# Each schedule is a class in `custom/schedules/`, with its formula in the
# docstring. With the chapter's defaults (η₀ = 0.1; drop 0.5 every 20; rate 0.05;
# T = 100; warm-up 10 of 100), which are this lab's for `epochs` = 100, they are:
#
# | schedule | η(t) |
# |---|---|
# | step decay | η₀·drop^⌊t/20⌋ |
# | exponential decay | η₀·e^(−0.05·t) |
# | cosine annealing | η₀·(1 + cos(πt/T))/2 |
# | warm-up + cosine | η₀·t/10 for t < 10, then a cosine from η₀ to 0 at T |
# | 1cycle | a cosine up from η₀/25 to η₀ over 30 % of T, then down to η₀/250 000 |
#
# `steps_per_epoch` makes `t` count epochs rather than batches, so these are
# the chapter's per-epoch curves even though the optimizer calls them every batch.
# The horizon scales with `epochs`, so quick mode keeps the shapes.

# %% [markdown] tags=["prediction"]
# **Predict 1.** Sketch the five curves from the formulas. Halfway through training
# (epoch T/2), which of the five schedules gives the largest learning rate?
# - (a) step decay
# - (b) exponential decay
# - (c) cosine annealing
# - (d) warm-up + cosine
# - (e) 1cycle

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
epochs = lab.epochs
peak = lab.learning_rate


def make_schedules(steps_per_epoch=None):
    """The five schedules with the chapter's proportions, over ``epochs`` epochs."""
    return {
        "step decay": twins.schedule("StepDecay", peak, DROP, max(epochs // DROP_EVERY, 1),
                                      steps_per_epoch=steps_per_epoch),
        "exponential decay": twins.schedule("ExponentialDecay", peak, DECAY_TOTAL / epochs,
                                             steps_per_epoch=steps_per_epoch),
        "cosine annealing": twins.schedule("CosineAnnealing", peak, epochs,
                                            steps_per_epoch=steps_per_epoch),
        "warm-up + cosine": twins.schedule("WarmupCosine", peak, max(epochs // WARMUP_PART, 1),
                                            epochs,
                                            steps_per_epoch=steps_per_epoch),
        "1cycle": custom.schedules.OneCycle(peak, epochs, steps_per_epoch=steps_per_epoch),
    }


epoch_axis = np.arange(epochs)
curves = {name: custom.schedules.sample(schedule, epoch_axis)
          for name, schedule in make_schedules().items()}
pd.DataFrame({"epoch": epoch_axis, **curves}).to_csv(lab.path("schedules.csv"), index=False)
sentence, answer, numbers = schedules_lab.halfway_statement(curves, epochs // 2, epochs)
# The table of rates answers Predict 1, so it follows the reveal.
if lab.reveal(1, sentence, answer=answer, **numbers):
    print(pd.DataFrame(curves, index=epoch_axis).iloc[::max(epochs // 10, 1)].round(5)
          .to_string())

# %% [markdown]
# ## Our exponential decay and Keras' `ExponentialDecay`
#
# "The Learning Problem" writes η₀·e^(−k·t) with k = 0.05, a *continuous rate*
# (this lab scales k to 5/T, which is 0.05 for T = 100 epochs). Keras writes
# η₀·r^(t / decay_steps), where r is the *factor kept* per `decay_steps` steps. They
# draw the same curve when r = e^(−k·decay_steps): `ExponentialDecay(0.1,
# decay_steps=1, decay_rate=e^(−0.05) ≈ 0.951)`. Passing k itself to Keras as
# `decay_rate` keeps only the fraction k of the rate each step. The session plan's
# `decay_rate=0.96, decay_steps=100000` is a third reading: 4 % less every 100 000
# steps.

# %% [markdown] tags=["prediction"]
# **Predict 2.** `ExponentialDecay(η₀, decay_steps=1, decay_rate=k)`, with the chapter's
# k (0.05 for T = 100) passed as Keras' factor: what is the learning rate after 10 steps
# (or T − 1, if T is shorter)?
# - (a) the same as ours, η₀·e^(−10k)
# - (b) almost nothing: less than 0.1 % of η₀
# - (c) almost all of η₀: more than 90 %
# - (d) something else

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c" or "d"

# %%
rate = DECAY_TOTAL / epochs
exponential_forms = {
    "ours: η₀·e^(−k·t), k = %.3g" % rate: make_schedules()["exponential decay"],
    "Keras, decay_rate = e^(−k) = %.4f" % math.exp(-rate):
        keras.optimizers.schedules.ExponentialDecay(peak, decay_steps=1,
                                                    decay_rate=math.exp(-rate)),
    "Keras, decay_rate = k = %.3g" % rate:
        keras.optimizers.schedules.ExponentialDecay(peak, decay_steps=1, decay_rate=rate),
    f"Keras, session plan: {SESSION_DECAY_RATE} per {SESSION_DECAY_STEPS:,} steps":
        keras.optimizers.schedules.ExponentialDecay(peak, decay_steps=SESSION_DECAY_STEPS,
                                                    decay_rate=SESSION_DECAY_RATE),
}
exponential_curves = {name: custom.schedules.sample(schedule, epoch_axis)
                      for name, schedule in exponential_forms.items()}
ours, equivalent, misread, session_plan = exponential_curves.values()
gap = float(np.max(np.abs(ours - equivalent) / ours))
lab.agreement("ours_vs_keras_exponential", "Our exponential decay and Keras' at the "
              "equivalent rate (relative)", gap, EQUIVALENT_TOLERANCE, relative_gap=gap)
step = min(MISREAD_STEPS, epochs - 1)
kept = float(misread[step]) / peak          # The fraction of η₀ left after `step` steps.
same_as_ours = abs(float(misread[step]) - float(ours[step])) <= SAME_RATE * float(ours[step])
misread_choice = ("a" if same_as_ours else "b" if kept < 1e-3 else "c" if kept > 0.9 else "d")
lab.reveal(2, f"after {step} steps Keras with decay_rate = k = {rate:.3g} gives "
              f"{misread[step]:.3g}, against {ours[step]:.3g} for ours (η₀ = {peak:g}); the "
              f"session plan's reading keeps {session_plan[-1] / peak:.4%} of η₀ at "
              f"t = {epochs - 1}.",
           answer=misread_choice, kept=kept,
           step=step, k=rate, misread=float(misread[step]), ours=float(ours[step]),
           peak=peak, session_plan_kept=float(session_plan[-1] / peak), last_step=epochs - 1)

figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.6))
schedules_lab.draw_schedules(left, right, epoch_axis, curves, exponential_curves)
lab.save_figure(figure, "schedules.png")

# %% [markdown]
# ## Training the same model with each schedule
#
# The same 2-32-32-3 network, the same initial weights, the same batches, and the
# same optimizer: only the schedule changes. A constant rate η₀ is the baseline.
# A small callback records the rate the optimizer actually used in each epoch,
# read through `callbacks.current_learning_rate`, and the lab checks that it is the
# schedule plotted above, to within 1e-6.
#
# How noisy is a run at the end? The lab measures each run's *end noise*: over the
# last fifth of the epochs, the largest training loss divided by the smallest. A run
# that has settled has an end noise near 1; one that still jumps has a large one. A
# run whose loss became NaN or infinite counts as inf in both, and ranks last.

# %% [markdown] tags=["prediction"]
# **Predict 3.** Which of the six runs (the constant rate and the five schedules)
# ends with the lowest training loss after `epochs` epochs (100 in a full run)?
# - (a) the constant rate
# - (b) step decay
# - (c) exponential decay
# - (d) cosine annealing
# - (e) warm-up + cosine
# - (f) 1cycle

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %% [markdown] tags=["prediction"]
# **Predict 4.** Will the run with the lowest final training loss also have the
# lowest validation loss?
# - (a) yes
# - (b) no

# %% tags=["your-prediction"]
lab.predict(4, None)  # your answer: "a" or "b"

# %%
x, y = datasets.spirals(n_samples=lab.n_samples, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, VALIDATION_SHARE, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
steps_per_epoch = math.ceil(len(x_train) / lab.batch_size)

keras.utils.set_random_seed(lab.seed)
template = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(CLASSES, activation="softmax"),
])
initial_weights = template.get_weights()

runs = {"constant": peak, **make_schedules(steps_per_epoch)}
live = callbacks.LivePlot(title="one model, six schedules")  # Curves while they train.
histories, used_rates, rows = {}, {}, []
for name, learning_rate in runs.items():
    model = keras.models.clone_model(template)
    model.set_weights(initial_weights)
    optimizer = twins.optimizer(lab.optimizer, implementation=lab.impl,
                                 learning_rate=learning_rate)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    # The optimizer's slots now, and a metric object, not the name "accuracy" (which Keras
    # resolves to a new metric there): made inside fit's first step, either would make
    # TensorFlow trace that step twice (the same training, only slower).
    model.optimizer.build(model.trainable_variables)
    record = schedules_lab.RecordRate()   # the rate at each epoch's start
    # A tf.data pipeline with a fixed shuffle seed, new for each run: it reshuffles at
    # every pass, so a shared one would give each run other batches. Fit also skips
    # re-wrapping the arrays each epoch (about twice as fast on small data).
    train_batches = datasets.make_dataset(x_train, y_train, lab.batch_size, seed=lab.seed)
    history = model.fit(train_batches, epochs=epochs, shuffle=False, verbose=0,
                        callbacks=lab.fit_callbacks(name, [record, live.run(name)]))
    histories[name], used_rates[name] = history.history, record.rates
    probabilities = model(x_val)                    # (n_val, classes), no tracing needed
    validation_loss = float(keras.ops.mean(
        keras.losses.sparse_categorical_crossentropy(y_val, probabilities)))
    validation_accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y_val))
    rows.append({"schedule": name, "final train loss": history.history["loss"][-1],
                 "final train accuracy": history.history["accuracy"][-1],
                 "val loss": validation_loss, "val accuracy": validation_accuracy})

results = pd.DataFrame(rows).set_index("schedule")
results.to_csv(lab.path("training.csv"))
rate_gaps = {name: float(np.max(np.abs(np.subtract(used_rates[name], curves[name]))
                                / np.maximum(curves[name], 1e-12)))   # 1e-12: never ÷ 0
             for name in curves}
lab.agreement("rates_used", "The rates fit used and the schedules plotted (relative)",
              max(rate_gaps.values()), RATE_TOLERANCE, relative_gaps=rate_gaps)

sentence, answer, numbers = schedules_lab.training_statement(
    histories, max(epochs // END_PART, 2), choices=runs)
training_shown = lab.reveal(3, sentence, answer=answer, **numbers)
sentence, answer, numbers = schedules_lab.validation_statement(results, numbers["ranking"][0])
validation_shown = lab.reveal(4, sentence, answer=answer, **numbers)
if training_shown and validation_shown:   # The table answers Predict 3 and 4.
    print(results.round(4).to_string())

# %% [markdown]
# ## What the curves say
#
# Read the three panels with the table and Predicts 3 and 4 (validation numbers are
# measured once, at the end). The left panel is the rate fit used. A constant rate
# keeps taking steps of the same size to the end, so its loss keeps jumping between
# batches' directions; a schedule that lowers the rate lets the loss settle, and one
# that lowers it too early stops the progress before the loss is low. In a short run
# (`--quick`, 12 epochs) there is little time for the constant rate's noise to hurt.
# The exact numbers can vary a little with threads.

# %%
figure, axes = plt.subplots(1, 3, figsize=(16, 4.6))
schedules_lab.draw_training(axes, used_rates, histories)
lab.save_figure(figure, "training.png")
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the
# same name), or write the code named, then run the lab again. Numbers quoted in the
# answers are from full runs with seed 0.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Halve the peak rate: `learning_rate = 0.05`
# (`--learning-rate 0.05`). Predict what happens to the constant rate's rank in
# Predict 3, then check.

# %% [markdown] tags=["answer"]
# **Answer 1.** A smaller constant rate is less noisy at the end, so it should climb.
# Measured: at 0.1 the constant rate ranks 6 of 6 (training loss 0.0372, end noise
# 21.65×); at 0.05 it ranks 4 of 6 (0.0198, end noise 6.26×), ahead of step decay
# (0.0223) and exponential decay (0.0382), whose halved rates now decay too soon to
# finish the job. At 0.05 the constant rate even has the lowest validation loss
# (0.0043), although 1cycle ends lowest in training (0.0183).

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Write a linear decay, η(t) = η₀·(1 − t/T) for t < T and 0
# after, as a `keras.optimizers.schedules.LearningRateSchedule`, check it against Keras'
# `PolynomialDecay(η₀, T, end_learning_rate=0.0, power=1.0)`, and add it to
# `make_schedules`.
# *Syllabus: The Learning Problem, schedules.*

# %% [markdown] tags=["answer"]
# **Answer 2.** A schedule is a callable of the step with a config:
#
#     class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
#         """η(t) = η₀·(1 − t/T) for t < T, then 0."""
#
#         def __init__(self, initial_learning_rate, total_steps):
#             self.initial_learning_rate = initial_learning_rate
#             self.total_steps = total_steps
#
#         def __call__(self, step):
#             progress = keras.ops.minimum(
#                 keras.ops.cast(step, "float32") / self.total_steps, 1.0)
#             return self.initial_learning_rate * (1.0 - progress)   # η₀·(1 − t/T)
#
#         def get_config(self):
#             return {"initial_learning_rate": self.initial_learning_rate,
#                     "total_steps": self.total_steps}
#
# `custom.schedules.sample(LinearDecay(0.1, 100), np.arange(120))` equals `sample` of
# `PolynomialDecay(0.1, 100, end_learning_rate=0.0, power=1.0)` exactly (largest
# difference 0.0 over 120 steps). To count epochs rather than batches in training,
# divide the step by `steps_per_epoch` first, as the classes in `custom/schedules/` do.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Schedules were made for SGD; does Adam need one? Run with
# `optimizer = "adam"` and `learning_rate = 0.01` (`--optimizer adam --learning-rate
# 0.01`) and compare Predict 3 with the SGD run.

# %% [markdown] tags=["answer"]
# **Answer 3.** Adam scales each step by its own gradient statistics, but the step is
# still proportional to η, so a constant η still leaves it noisy at the end. Measured:
# warm-up + cosine ends lowest (0.0130), the constant rate ranks 2 of 6 (0.0132) yet
# has the largest end noise (9.44×) and the lowest validation loss (0.0036); cosine
# annealing follows (0.0137), and the early decays come last (step 0.0171, exponential
# 0.0312). Adam needs a schedule less than SGD here; decaying too early still costs.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Compute each run's Σ_t η(t) from `schedules.csv` (the constant
# rate's is T·η₀) and its mean rate over the last fifth of the epochs, and set them
# beside the final training losses. Which of the two explains the ranking?

# %% [markdown] tags=["answer"]
# **Answer 4.** With the defaults the sums are: constant 10.0, 1cycle 5.06, cosine
# 5.05, warm-up + cosine 5.0, step decay 3.875, exponential decay 2.04; the last-fifth
# mean rates 0.1, 0.0069, 0.0035, 0.0043, 0.0063 and 0.0012. Neither alone explains the
# losses (0.0372, 0.0132, 0.0131, 0.0126, 0.0154, 0.0205). Among the runs that anneal,
# the larger sum ends lower: the three near 5 within 0.0006 of each other, step decay
# next, exponential decay last; the sum is how far the weights can travel. The constant
# rate has the largest sum but its last-fifth rate is 15 to 80 times the others', and
# its loss keeps jumping. A good schedule needs both: a large sum early, a small rate
# at the end.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Design a schedule that "decays to zero too early" and
# one that never decays enough, predict their curves in the three panels, and run
# them. How would you tell each apart from a too-small or too-large constant rate by
# the curves alone?

# %% [markdown] tags=["answer"]
# **Answer 5.** A schedule that reaches ~0 early (for example exponential decay with 5
# times the lab's k) makes fast progress at first and then a training loss that goes
# flat, high, and perfectly smooth: no noise, no progress. A too-small constant rate
# is also smooth but keeps falling slowly to the end. A schedule that never decays
# enough looks like the constant rate: the loss keeps jumping at the end. The rate
# panel tells you which one you are looking at; without it, look at when the loss
# stopped moving and whether it is still noisy. Run each and read the end noise and
# the rank from Predict 3.
