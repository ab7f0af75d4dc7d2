"""Diagnosing learning curves: six runs gone right and wrong, each labelled by the CSV logger.

What you learn: what a good fit, overfitting, underfitting, divergence,
oscillation and a run stopped too early look like in the loss curves; how
``callbacks.DiagnosticsLogger`` writes one CSV row per epoch with a running
diagnosis; and why its rules are relative (a ratio of losses, a change of
log-loss), where those of "Learning Algorithms" use absolute thresholds such
as "loss > 0.5"; and what the gradients add (``gradients=True``): vanishing
gradients in a deep sigmoid net, seen in each layer's gradient/weight ratio.

Follows: "Chapter 3: Learning Algorithms", section 5.2
(``analyze_learning_curves`` and its three scenarios), and the session plan's
objective "diagnose common training failures (bad LR, …) and apply fixes".
Run time: about 20 s on 2 CPU cores (about 13 s with --quick), start-up included.
"""

# %% [markdown]
# # Diagnosing learning curves
#
# The `analyze_learning_curves` of "Learning Algorithms" reads two lists of losses and
# prints a verdict. Its thresholds are absolute: "train and validation loss above 0.5
# means underfitting". That breaks as soon as the loss has another scale: a mean squared
# error measured in dollars is never below 0.5, and ten-class cross-entropy starts at
# 2.3. `callbacks.diagnostics.classify` asks relative questions instead, so that the
# same rule works for any loss:
#
# | label | the evidence it looks for |
# |---|---|
# | `DIVERGING` | NaN or inf; or a loss that has grown far above where it started or its best |
# | `OSCILLATING` | training or validation loss keeps jumping up, with no trend down |
# | `OVERFITTING` | validation loss well above its best and rising, training loss still falling |
# | `STILL_IMPROVING` | a recent best, and the recent pace would still gain a worthwhile amount |
# | `UNDERFITTING` | flat and close to chance (1/K for K classes); regression: most loss left |
# | `CONVERGED` | flat, well above chance: more epochs will not help |
#
# (The exact rules, with every threshold and its reason, are in the docstring of
# `callbacks/diagnostics/classifier.py`; each verdict below quotes the numbers it used.)

# %%
import math

import keras
import matplotlib.pyplot as plt
import pandas as pd

import callbacks
import datasets
from callbacks import diagnostics
from callbacks.diagnostics import plot
from labs.helpers import diagnostics as report
from labs.machinery import runtime
from labs.machinery.runtime import param

lab = runtime.start("diagnostics", {
    "epochs": param(40, minimum=3),       # Long enough for the good fit to
                                          # flatten and the overfit to turn.
    "early_epochs": param(4, minimum=1),  # The run stopped too early gets only this many.
    "n_samples": param(600, minimum=20),  # Samples in the data sets that
                                          # are not meant to be small.
    "n_small": param(40, minimum=8),      # Training samples for the overfitting
                                          # run: far too few for its size.
    "batch_size": param(32, minimum=1),
    "deep_layers": param(8, minimum=2),   # Depth of the two nets whose gradients we compare.
    "gradient_epochs": param(10, minimum=1),  # Epochs of each of those two runs.
    "probe_size": param(256, minimum=1),  # Samples in the fixed batch the gradients are measured on.
}, quick={"epochs": 12, "n_samples": 300, "gradient_epochs": 4})
# Full run: epochs 40, n_samples 600, gradient_epochs 10.

# The lesson's fixed values: edit them here (they are not flags). The learning rates of
# SCENARIOS are the lesson (see the next cell's text).
VALIDATION_SHARE = 0.25     # Every scenario validates on a quarter of its samples.
L2_STRENGTH = 1e-3          # A light L2 penalty on every hidden kernel.
VALIDATION_BATCH = 1024     # Validation in one batch: no update, so its size is free.
steps_per_epoch = math.ceil((1 - VALIDATION_SHARE) * lab.n_samples / lab.batch_size)
SCENARIOS = {
    # name: (data set, samples, noise, hidden layers, optimizer, epochs)
    "good fit": ("two_moons", lab.n_samples, 0.25, [16, 16],
                 lambda: keras.optimizers.Adam(report.cosine_to_zero(0.02, lab.epochs,
                                                                     steps_per_epoch)),
                 lab.epochs),
    "overfitting": ("two_moons", lab.n_small * 4 // 3, 0.35, [128, 128, 128],
                    lambda: keras.optimizers.Adam(0.01), lab.epochs * 2),
    "underfitting": ("circles", lab.n_samples, 0.1, [],
                     lambda: keras.optimizers.Adam(0.05), lab.epochs),
    "divergence": ("linear_regression", lab.n_samples, 0.3, [],
                   lambda: keras.optimizers.SGD(1.05), lab.epochs // 2),
    "oscillation": ("two_moons", lab.n_samples, 0.25, [32, 32],
                    lambda: keras.optimizers.SGD(0.5, momentum=0.9), lab.epochs),
    "stopped too early": ("two_moons", lab.n_samples, 0.25, [16, 16],
                          lambda: keras.optimizers.SGD(0.05), lab.early_epochs),
}
INTENDED = {"good fit": "CONVERGED", "overfitting": "OVERFITTING",
            "underfitting": "UNDERFITTING", "divergence": "DIVERGING",
            "oscillation": "OSCILLATING", "stopped too early": "STILL_IMPROVING"}
DEEP_WIDTH = 32             # Units per layer of the two deep nets on the digits.
DEEP_LEARNING_RATE = 0.1    # Their plain SGD: the same for sigmoid and ReLU.
DIGITS_VALIDATION = 0.2     # Their validation split.

# %% [markdown]
# ## Six runs, each set up to go one way
#
# Each scenario names its data, its network and its optimizer. Everything else
# is shared: a 25 % validation split, standardised inputs, and the same logger.
# Each run is *set up* to go one way; whether the classifier sees it that way is
# what the run measures. The learning rates are the lesson. The good fit uses Adam
# with a cosine schedule that decays from 0.02 to 0 (watch the `learning_rate`
# column of its CSV), so that it can settle in the valley; plain SGD at 1.05 on a
# linear regression is just past its stability limit (with standardised inputs
# the loss curves with second derivative about 2, and gradient descent
# overshoots further at every step once η > 2/2 = 1), so its loss should grow;
# 0.5 with momentum SGD takes steps large enough to overshoot the valley; 0.05
# with plain SGD for only `early_epochs` epochs (4 by default) has little time to
# get anywhere. The underfitting run has no hidden layer at all: a straight line
# cannot separate two circles, whatever the learning rate.
#
# The label each scenario is meant to show is written beside it in `INTENDED` (both sit
# under the parameters at the top); the labels the runs get are measured.

# %% [markdown] tags=["prediction"]
# **Predict 1.** For each of the six runs, which label will `DiagnosticsLogger` give it?
# Write down your six guesses. Will every run get the label it was set up to show?
# - (a) yes, all six
# - (b) no: five of them
# - (c) no: four of them
# - (d) no: three or fewer

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c" or "d"

# %%
def build_model(task, hidden_layers, optimizer, n_features):
    """A ReLU network with the right output and loss for ``task``."""
    layers = [keras.Input(shape=(n_features,))]
    layers += [keras.layers.Dense(units, activation="relu",
                                  kernel_regularizer=keras.regularizers.L2(L2_STRENGTH))
               for units in hidden_layers]
    if task == "regression":
        layers.append(keras.layers.Dense(1))
        loss, metrics = "mse", []
    else:
        layers.append(keras.layers.Dense(1, activation="sigmoid"))
        # A metric object, not the name "accuracy": Keras makes a named metric inside the
        # first traced step, and TensorFlow then traces that step twice.
        loss, metrics = "binary_crossentropy", [keras.metrics.BinaryAccuracy(name="accuracy")]
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    model.optimizer.build(model.trainable_variables)   # Its slots now: fit traces its step once.
    return model


# %% [markdown]
# ## Training, logged by `DiagnosticsLogger`
#
# The logger writes `epoch, loss, val_loss, accuracy, …, learning_rate,
# diagnosis` after every epoch and flushes the row, so the file is valid even if
# training crashes. At the end it prints a three-line verdict. We use
# `datasets.make_dataset` (a `tf.data` pipeline) because it has far less
# per-epoch overhead than NumPy arrays for networks this small.

# %%
results = {}
for index, (name, (data_name, n, noise, hidden, optimizer, epochs)) in enumerate(
        SCENARIOS.items()):
    keras.utils.set_random_seed(lab.seed + index)
    x, y = datasets.load(data_name, n_samples=n, noise=noise, seed=lab.seed + index)
    (x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, VALIDATION_SHARE,
                                                                  seed=lab.seed)
    scaler = datasets.Standardizer().fit(x_train)
    x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    model = build_model(datasets.task(data_name), hidden, optimizer(), x.shape[1])
    csv_path = lab.path(f"{name.replace(' ', '_')}.csv")
    print(f"\n--- {name}: {data_name}, {len(x_train)} training samples, hidden {hidden}, "
          f"{epochs} epochs")
    # The verdicts and the running label answer Predict 1: shown once it is predicted.
    logger = callbacks.DiagnosticsLogger(csv_path, verbose=lab.shows(1))
    live = callbacks.LivePlot(title=name, diagnosis=lab.shows(1))  # Curves, running label.
    model.fit(datasets.make_dataset(x_train, y_train, lab.batch_size, seed=lab.seed),
              validation_data=datasets.make_dataset(x_val, y_val, VALIDATION_BATCH,
                                                    shuffle=False),
              epochs=epochs, verbose=0, shuffle=False,  # The dataset shuffles itself.
              callbacks=lab.fit_callbacks(name, [logger, live]))
    results[name] = (csv_path, logger.diagnosis)

labels = {name: diagnosis.label for name, (_, diagnosis) in results.items()}
# The label in the CSV's last row, and classify() reading the file again, as the command
# line does: both must be the logger's verdict.
csv_labels = {name: str(pd.read_csv(csv_path)["diagnosis"].iloc[-1])
              for name, (csv_path, _) in results.items()}
reread = {name: diagnostics.classify(csv_path).label for name, (csv_path, _) in results.items()}
lab.check(labels == csv_labels == reread, f"the verdicts disagree: logger {labels}, CSV's last "
          f"row {csv_labels}, classify(csv) {reread}")
sentence, answer, as_intended = report.labels_statement(labels, INTENDED)
lab.reveal(1, sentence, answer=answer, labels=labels, csv_labels=csv_labels, intended=INTENDED,
           as_intended=as_intended)

# %% [markdown]
# ## The verdicts side by side
#
# The third column is `analyze_learning_curves` from "Learning Algorithms", on the same
# curves. Where they differ, read the reason: its "loss > 0.5" does not know what
# scale the loss is on, and it has no notion of a loss that jumps around.

# %% [markdown] tags=["prediction"]
# **Predict 2.** On how many of the six runs will the absolute rules of "Learning
# Algorithms" (the `chapter rules` column) give a different label from `classify`?
# - (a) none
# - (b) one or two
# - (c) three or four
# - (d) five or six

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c" or "d"

# %%
table = report.verdict_table(results)
if lab.shows(1) and lab.shows(2):   # Its two label columns answer both predictions.
    print(table.to_string(index=False))
table.to_csv(lab.path("verdicts.csv"), index=False)
chapter_labels = dict(zip(table["scenario"], table["chapter rules"]))
sentence, answer, differ = report.rules_statement(labels, chapter_labels)
lab.reveal(2, sentence, answer=answer, differ=differ, chapter_labels=chapter_labels, labels=labels)

# %% [markdown]
# ## The curves, each titled with its diagnosis
#
# Dotted lines mark the key epochs the classifier found: the best validation
# epoch (where early stopping would have restored the weights) or the point of
# divergence. A log axis is used where the loss spans more than two decades.

# %%
figure, axes = plt.subplots(2, 3, figsize=(14, 7.5))
# Fixed spacing, not tight_layout, which measures every label: a third pass over the figure.
figure.subplots_adjust(left=0.055, right=0.99, bottom=0.08, top=0.91, wspace=0.25, hspace=0.29)
for ax, (name, (csv_path, diagnosis)) in zip(axes.ravel(), results.items()):
    plot.draw(ax, csv_path, diagnosis, title=name)
figure.suptitle("Six learning curves and what DiagnosticsLogger made of them")
lab.save_figure(figure, "diagnostics_grid.png", show=lab.shows(1))   # Titled with labels.

# %% [markdown]
# ## What the gradients say
#
# A loss curve shows *that* a run is stuck; the gradients often show *why*.
# `DiagnosticsLogger(gradients=True, probe=(x, y))` adds, once per epoch, one
# forward and backward pass on a fixed batch and logs the global gradient
# norm, each layer's ratio ‖∂L/∂w‖ / ‖w‖ (how far one step at rate 1 would move
# that layer), and the share of dead ReLU units. The verdict then adds findings:
# exploding gradients, vanishing gradients (the first layer's ratio ≤ 1 % of the
# last layer's) and dead units (≥ 50 % of a layer).
#
# Two nets of the same depth on the digits, same optimizer: one with sigmoid
# units, whose derivative σ'(z) = σ(z)(1 − σ(z)) is at most 1/4, so backprop
# multiplies the signal by at most 1/4 per layer ("Learning Algorithms",
# section 4: the backward pass); one with ReLU, whose derivative is 1 where a
# unit is active.

# %% [markdown] tags=["prediction"]
# **Predict 3.** After training, which net will get the "vanishing gradients" finding
# (its first layer's gradient/weight ratio at most 1 % of its last layer's)?
# - (a) the sigmoid net only
# - (b) the ReLU net only
# - (c) both nets
# - (d) neither

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c" or "d"

# %%
x_digits, y_digits = datasets.digits()
x_digits = datasets.Standardizer().fit(x_digits).transform(x_digits)
probe_batch = (x_digits[:lab.probe_size], y_digits[:lab.probe_size])
gradient_runs = {}
for activation in ("sigmoid", "relu"):
    keras.utils.set_random_seed(lab.seed)
    deep = keras.Sequential([keras.Input(shape=(x_digits.shape[1],))] + [
        keras.layers.Dense(DEEP_WIDTH, activation=activation) for _ in range(lab.deep_layers)]
        + [keras.layers.Dense(10, activation="softmax")])                # Ten digits.
    deep.compile(optimizer=keras.optimizers.SGD(DEEP_LEARNING_RATE),
                 loss="sparse_categorical_crossentropy",
                 metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    deep.optimizer.build(deep.trainable_variables)
    csv_path = lab.path(f"deep_{activation}.csv")
    print(f"\n--- {lab.deep_layers} {activation} layers on digits, {lab.gradient_epochs} epochs")
    logger = callbacks.DiagnosticsLogger(csv_path, gradients=True, probe=probe_batch,
                                         verbose=lab.shows(3))  # Its findings answer it.
    deep.fit(x_digits, y_digits, validation_split=DIGITS_VALIDATION, epochs=lab.gradient_epochs,
             batch_size=lab.batch_size, verbose=0,
             callbacks=lab.fit_callbacks(f"deep {activation}", [logger]))
    gradient_runs[activation] = (pd.read_csv(csv_path), logger.diagnosis)

# %% [markdown]
# The ratio of each layer at the last epoch, first layer on the left. The lesson
# needs the sigmoid net's finding, so the lab fails (exit status 1) if the run did not
# show it.

# %%
figure, ax = plt.subplots(figsize=(7, 4))
first_over_last, findings_of = report.draw_ratios(ax, gradient_runs, lab.shows(3))
sentence, answer = report.vanishing_statement(first_over_last, findings_of)
lab.reveal(3, sentence, answer=answer, first_over_last=first_over_last, findings=findings_of,
           labels={activation: run[1].label for activation, run in gradient_runs.items()})
lab.save_figure(figure, "gradient_ratios.png", show=lab.shows(3))
sigmoid_findings = findings_of["sigmoid"]
lab.check("vanishing gradients" in sigmoid_findings,
          f"the sigmoid net did not show vanishing gradients ({sigmoid_findings})")
if lab.shows(3):
    print(gradient_runs["sigmoid"][1])

# %% [markdown]
# ## Reading a log from the command line
#
# The same verdict is one command away for any log, ours or Keras' `CSVLogger`:
#
#     python -m callbacks.diagnostics outputs/diagnostics/overfitting.csv
#     python -m callbacks.diagnostics outputs/diagnostics/overfitting.csv --json
#     python -m callbacks.diagnostics outputs/diagnostics/          # every CSV, one table
#
# Try it on a run of your own: add `callbacks.DiagnosticsLogger("run.csv")` to
# the `callbacks` of any `model.fit`.

# %%
if lab.shows(1):    # The overfitting run's verdict is one of Predict 1's answers.
    print(diagnostics.classify(results["overfitting"][0]))
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name: `early_epochs = 40` is `--early-epochs 40`) and run the lab again, or edit the
# line named in `SCENARIOS`.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** The chapter's table of learning-rate symptoms reads: too small,
# the loss decreases very slowly; just right, it decreases steadily; too large, it
# oscillates or explodes. Which of the six runs show which symptom? Point to the panel
# of the figure and to the label each got. *Syllabus: Session plan, learning-rate symptoms.*

# %% [markdown] tags=["answer"]
# **Answer 1.** "Too large, explodes" is the divergence run (plain SGD at 1.05, past the
# stability limit η = 1 of this standardised regression). "Too large, oscillates" is the
# oscillation run (momentum SGD at 0.5: its loss jumps up and down around a level instead
# of falling). "Too small" is closest to the run stopped too early (plain SGD at 0.05 for
# a few epochs: still falling slowly when it stops). "Just right" is the good fit, whose
# schedule lets it settle. The underfitting and overfitting runs are not about the
# learning rate at all: one lacks capacity, the other has too much for its data. The
# labels the classifier gave are in Prediction 1's line; where a run did not get the
# label it was set up for, its evidence column says which rule decided instead.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** In `SCENARIOS`, lower the divergence run's rate from 1.05 to
# 0.9, just under the limit 2/2 = 1. Predict its label, then run. Then try 1.5.

# %% [markdown] tags=["answer"]
# **Answer 2.** With standardised inputs the mean squared error curves with second
# derivative about 2 along every direction, so gradient descent with η < 2/2 = 1 shrinks
# the error at every step and η > 1 grows it. At 0.9 the run should therefore settle
# (expect CONVERGED, or STILL_IMPROVING if it is still falling at the end), though each
# mini-batch's curvature is only *about* 2, so a rate this close to the limit can still
# jitter. At 1.5 every step overshoots by a factor |1 − 1.5·2| = 2, so the loss should
# grow much faster than at 1.05 and the label should be DIVERGING; the verdict's evidence
# quotes the numbers it decided on.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Give the run stopped too early more time: `early_epochs = 40`
# (`--early-epochs 40`). What label do you expect now, and what does its `learning_rate`
# column say about why it was slow?

# %% [markdown] tags=["answer"]
# **Answer 3.** With ten times more epochs the slow SGD run has time to get where the good
# fit got, so its label should move away from STILL_IMPROVING, to CONVERGED once its
# validation loss stops beating its best, or stay STILL_IMPROVING if the pace is still
# large at the end; the verdict quotes the pace it measured. Its `learning_rate` column is
# 0.05 from the first row to the last: a constant, small rate with plain SGD, where the
# good fit starts at 0.02 with Adam, whose steps do not shrink with the gradient. The cure
# for "too slow" is a larger rate or an adaptive optimizer, not only more epochs.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** The rules of "Learning Algorithms" say "train and validation loss
# above 0.5 means underfitting". Write a version of that rule that works for any loss
# scale, as a function of the CSV's columns, and test it on the six CSVs in the output
# folder. Where does your rule still fail?

# %% [markdown] tags=["answer"]
# **Answer 4.** The rule must compare the loss with something on the same scale. For a
# classifier with K classes, compare the training loss with ln K, the cross-entropy of a
# uniform guess: "underfitting if the last training loss is above 90 % of ln K and the
# curve is flat", or use accuracy against chance 1/K. For a regression, compare with the
# first epoch's loss (or the variance of the targets): "underfitting if more than half of
# it is left and the curve is flat". Reading the files:
# `frame = pd.read_csv(lab.path("underfitting.csv"))`, then `frame["loss"]`. Such rules
# still fail when a loss is flat because the learning rate is tiny (it looks like
# underfitting but is a rate problem) and on very noisy data, where even a perfect model
# keeps much of its loss; `callbacks/diagnostics/classifier.py` shows how the lab's rules
# handle both.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** Add a seventh scenario with a learning rate far too low,
# for example `keras.optimizers.Adam(1e-5)` on the good fit's data and network. Which label
# should it get? Does `classify` agree, and if not, is the classifier wrong or is the
# curve alone not enough to tell?

# %% [markdown] tags=["answer"]
# **Answer 5.** A rate far too low gives a curve that falls very slowly and almost
# straight. Depending on how much it moves in the run, the relative rules can call it
# STILL_IMPROVING (it is still falling at a steady pace), or UNDERFITTING or CONVERGED
# (it barely moved, so it looks flat near chance or near where it started). None of these
# is wrong about the curve: a curve cannot tell a rate that is too low from a model that
# cannot learn more, which is why the advice for UNDERFITTING mentions the learning rate.
# To tell them apart, run the LR range test (the "lr_finder" lab) or train the same model
# at a ten times larger rate and see whether the curve changes.
