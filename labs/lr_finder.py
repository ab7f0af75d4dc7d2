"""Learning-rate finder: the LR range test picks a rate, and training shows whether it was right.

What you learn: Leslie Smith's range test (2017), the chapters' "learning rate finder".
The rate grows exponentially every batch while the loss of each batch is recorded;
the loss first stays flat (rate too small), then falls (good rates), then explodes
(too large). You read a rate off that curve three ways (steepest descent, fastai's
valley, the minimum / 10), check that the test left the model untouched, and then
train with the suggestion, with 10× it and with 1/100 of it; and where the chapter's
rules of thumb for a first learning rate fall on this problem's curve.

Follows: "The Learning Problem" (the learning rate finder and its rules of thumb),
"Learning Algorithms" (exercise 2: "Learning Rate Finder"), the class session plan (the LR
range test).
Run time: about 14 s on 2 CPU cores (about 10 s with --quick), start-up included.
"""

# %% [markdown]
# # The learning-rate finder
#
# Guessing a learning rate wastes runs: too small and nothing happens, too large
# and the loss explodes. The range test spends a few hundred batches to *measure*
# where the good rates are. The hyperparameters come first, each with its reason.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import callbacks
import custom.optimizers
import datasets
from labs.machinery import runtime, twins
from labs.helpers import lr_finder as range_test
from labs.helpers import lr_finder_report as report
from labs.machinery.runtime import param

lab = runtime.start("lr_finder", {
    # Plain SGD, as in the chapters' learning-rate sections; try adam.
    "optimizer": param("sgd", choices=custom.optimizers.names()),
    # Our from-scratch SGD (--impl keras for the built-in).
    "impl": param("custom", choices=("custom", "keras")),
    "start": param(1e-6, above=0),                  # Far below any useful rate:
                                                    # the loss must start flat.
    "end": param(10.0, above=0),                    # Far above: the loss must
                                                    # explode before the end.
    "steps": param(100, minimum=2),                 # Batches in the sweep: 100 as in
                                                    # fastai, 7 decades in 100 steps.
    "epochs": param(30, minimum=1),                 # For the three training runs afterwards.
    "n_samples": param(900, minimum=20),            # Three spiral arms; enough
                                                    # batches for the sweep to flow.
    "batch_size": param(32, minimum=1),
    "hidden_units": param(32, minimum=1),
}, quick={"steps": 60, "epochs": 8, "n_samples": 300})   # Full run: 100 steps, 30 epochs.
lab.require(lab.end > lab.start, f"end ({lab.end}) must be above start ({lab.start})")

# The lesson's fixed values: edit them here (they are not flags).
VALIDATION_SHARE = 0.25     # A quarter of the spirals validate.
CLASSES = 3                 # Three spiral arms.
COMPILE_RATE = 1e-3         # The rate a model is compiled with; the range test sets its own.
AGREEMENT_FACTOR = 3.0      # Largest / smallest suggestion that still counts as agreeing.
DISAGREEMENT_FACTOR = 10.0  # Rules this far apart: train around the smallest suggestion.
RULES_OF_THUMB = {"adam": (0.001,), "momentum": (0.01, 0.1)}   # "The Learning Problem"'s
                                                               # first rates per optimizer.

# %% [markdown]
# ## The data and the model
#
# Spirals need a hidden layer or two and a sensible rate, so the range test has
# something to find. The model is compiled as usual: the range test needs a
# compiled model, because it uses the model's own optimizer and loss.

# %%
twins.end_lab_without(lab, "lr_finder", "the LR range test, and so this lab,")
x, y = datasets.spirals(n_samples=lab.n_samples, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, VALIDATION_SHARE, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)


def build_model(learning_rate, optimizer=lab.optimizer):
    """The 2-32-32-3 network with ``optimizer`` (the lab's by default) at ``learning_rate``."""
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(lab.hidden_units, activation="relu"),
        keras.layers.Dense(lab.hidden_units, activation="relu"),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ])
    model.compile(optimizer=twins.optimizer(optimizer, implementation=lab.impl,
                                             learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    # The optimizer's slots (Adam's moments) now: made inside fit's first step instead,
    # they would make TensorFlow trace that step twice (the same training, only slower).
    model.optimizer.build(model.trainable_variables)
    return model


model = build_model(COMPILE_RATE)
initial_weights = [weight.copy() for weight in model.get_weights()]
print(f"train {x_train.shape}, validation {x_val.shape}; optimizer {lab.optimizer} "
      f"({lab.impl})")

# %% [markdown]
# ## The range test
#
# `callbacks.find_learning_rate` sweeps η_i = start·(end/start)^(i/(steps−1)),
# one batch per rate, and records each batch's own loss (not the running mean
# over the epoch that Keras prints). Single batches are noisy, so it also keeps a
# bias-corrected moving average, a_i = β·a_(i−1) + (1−β)·L_i and
# smoothed_i = a_i/(1 − β^(i+1)) with β = 0.98, and stops once the smoothed loss
# passes 4× its best or the loss is NaN. Afterwards the weights and the optimizer's
# state are put back exactly, so the test costs nothing but time; the lab checks it.
#
# Three rules read a rate off the smoothed curve. *Steepest* takes the rate where
# the loss falls fastest against log(η), the chapter's "where loss was decreasing
# fastest". *Minimum / 10* is its rule of thumb: a tenth of the rate at the lowest
# loss, safely below the cliff. *Valley* (fastai's default) takes the middle of the
# longest stretch where the loss keeps falling. A learning rate needs about a factor
# of 3 of precision, so the lab calls the rules *in agreement* when the largest of
# the three is at most 3 times the smallest.

# %% [markdown] tags=["prediction"]
# **Predict 1.** Will the three rules agree within a factor of 3 on this curve? Which
# of them will suggest the largest rate?
# - (a) they agree, and steepest suggests the largest
# - (b) they agree, and valley suggests the largest
# - (c) they agree, and minimum / 10 suggests the largest
# - (d) they disagree, and steepest suggests the largest
# - (e) they disagree, and valley suggests the largest
# - (f) they disagree, and minimum / 10 suggests the largest

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d", "e" or "f"

# %%
result = callbacks.find_learning_rate(model, x_train, y_train, batch_size=lab.batch_size,
                                      start=lab.start, end=lab.end, steps=lab.steps)
untouched = all(np.array_equal(before, after)
                for before, after in zip(initial_weights, model.get_weights()))
steps_after = int(model.optimizer.iterations.numpy())
print(f"{len(result.losses)} batches; stopped because: {result.stop_reason}")
print(f"weights restored bit for bit: {untouched}; optimizer steps afterwards: {steps_after}")
lab.record("restored", untouched=bool(untouched), optimizer_steps_after=steps_after)
lab.check(untouched and steps_after == 0, "the range test left the model changed")
suggestions = {method: result.suggest(method) for method in ("steepest", "valley",
                                                                "minimum/10")}
if lab.shows(1):    # The three suggestions answer Predict 1: shown once it is predicted.
    print(pd.Series(suggestions, name="suggested learning rate").to_string(float_format="%.3g"))
sentence, answer, numbers = report.agreement_statement(suggestions, AGREEMENT_FACTOR)
lab.reveal(1, sentence, answer=answer, **numbers)
# The lab's own advice (below): when the rules disagree by 10× or more, take the smaller.
chosen_method, spread = report.chosen_rule(suggestions, DISAGREEMENT_FACTOR, lab.shows(1))
lab.record("chosen rate", method=chosen_method, rate=suggestions[chosen_method],
           spread=spread, factor=DISAGREEMENT_FACTOR, suggestions=suggestions)
pd.DataFrame({"learning_rate": result.learning_rates, "loss": result.losses,
              "smoothed_loss": result.smoothed_losses}).to_csv(lab.path("range_test.csv"),
                                                               index=False)

# %% [markdown]
# ## Reading the curve
#
# The figure marks the three suggestions on the sweep: the flat start where the rate
# is too small to move the weights, the fall, and the cliff where the loss explodes.

# %%
figure, ax = plt.subplots(figsize=(8, 4.8))
result.plot(ax, title=f"range test: {lab.optimizer} on spirals")
for (method, rate), color in zip(list(suggestions.items())[1:], ["green", "purple"]):
    ax.axvline(rate, color=color, linestyle=":", label=f"{method}: {rate:.2g}")
ax.legend()
lab.save_figure(figure, "range_test.png", show=lab.shows(1))   # It marks the suggestions.

# %% [markdown]
# ## The rules of thumb, on this problem
#
# "The Learning Problem" ends with rules of thumb for a first learning rate: Adam,
# start with η = 0.001; SGD with momentum, 0.01 to 0.1; and always warm up a
# Transformer (no Transformer here: the `schedules` lab trains with warm-up + cosine).
# A rule of thumb is a prior from many problems; the range test measures this one.
# The lab runs the test again for Adam and for SGD with momentum (γ = 0.9), from the
# same weights, and says where each rule falls on its optimizer's curve: on the flat
# start (before the curve's top, or less than a tenth of the fall from the top to the
# lowest loss done), on the fall, or past the minimum.

# %% [markdown] tags=["prediction"]
# **Predict 2.** On these spirals, where will Adam's rule of thumb, 0.001, fall on Adam's
# range test? (The line after the test also places momentum's 0.01 and 0.1 on its own.)
# - (a) on the flat start
# - (b) on the fall
# - (c) past the minimum
# - (d) outside the rates the sweep tried

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b", "c" or "d"

# %%
rule_results, rule_places = {}, {}
for optimizer, rules in RULES_OF_THUMB.items():
    if optimizer == lab.optimizer:
        rule_results[optimizer] = result                   # already measured above
    else:
        sweep_model = build_model(COMPILE_RATE, optimizer)
        sweep_model.set_weights(initial_weights)
        rule_results[optimizer] = callbacks.find_learning_rate(
            sweep_model, x_train, y_train, batch_size=lab.batch_size, start=lab.start,
            end=lab.end, steps=lab.steps)
    for rule in rules:
        rule_places[f"{optimizer} {rule:g}"] = {
            **range_test.place(rule_results[optimizer], rule),
            "suggestion": rule_results[optimizer].suggestion,
            "factor": rule / rule_results[optimizer].suggestion}
sentence, answer = report.rules_statement(rule_places)
lab.reveal(2, sentence, answer=answer, places=rule_places, flat_share=range_test.FLAT_SHARE)

figure, axes = plt.subplots(1, 2, figsize=(13, 4.4))
report.draw_rules(axes, rule_results, RULES_OF_THUMB)
lab.save_figure(figure, "rules_of_thumb.png", show=lab.shows(2))   # It places the rules.

# %% [markdown]
# ## Does the suggestion train well?
#
# The proof is in training. From the same initial weights and on the same batches, we
# train with the suggested rate, with 10× it and with 1/100 of it; the lab first prints where each
# of the three falls on the range test's curve. The suggestion is the one the lab chose
# above: the steepest, or the smallest of the three when they disagree by 10× or more.

# %% [markdown] tags=["prediction"]
# **Predict 3.** Which of the three rates ends with the lowest training loss after
# `epochs` epochs (30 in a full run): the suggestion, 10× it, or 1/100 of it?
# - (a) 1/100 of the suggestion
# - (b) the suggestion
# - (c) 10× the suggestion

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b" or "c"

# %%
suggested = suggestions[chosen_method]
candidates = {"suggestion / 100": suggested / 100, "suggestion": suggested,
              "suggestion × 10": suggested * 10}
live = callbacks.LivePlot(title="three rates from the range test")  # Curves while training.
candidate_places = {name: range_test.place(result, rate)["where"]
                    for name, rate in candidates.items()}
print("on the range test's curve: " + "; ".join(
    f"{name} (η = {candidates[name]:.2g}) {where}" for name, where in candidate_places.items()))
histories, rows = {}, []
for name, learning_rate in candidates.items():
    run = build_model(float(learning_rate))
    run.set_weights(initial_weights)
    # A new pipeline for each run: one shared pipeline reshuffles at every pass, and the
    # three runs would see other batches; these see the same ones.
    train_batches = datasets.make_dataset(x_train, y_train, lab.batch_size, seed=lab.seed)
    history = run.fit(train_batches, epochs=lab.epochs, shuffle=False, verbose=0,
                      callbacks=lab.fit_callbacks(name, [live.run(name)]))
    histories[name] = history.history
    probabilities = run(x_val)                                   # (n_val, classes)
    rows.append({"run": name, "learning rate": learning_rate,
                 "final train loss": history.history["loss"][-1],
                 "val accuracy": float(np.mean(np.argmax(probabilities, axis=1) == y_val))})
results = pd.DataFrame(rows).set_index("run")
results.to_csv(lab.path("training.csv"))
if lab.shows(3):    # The final losses answer Predict 3: shown once it is predicted.
    print(results.to_string(float_format="%.4g"))
final_losses = {name: loss if np.isfinite(loss) else float("inf")   # inf: diverged
                for name, loss in results["final train loss"].items()}
sentence, answer, best = report.training_statement(final_losses, candidates,
                                                   candidate_places)   # ties: every letter
lab.reveal(3, sentence, answer=answer, final_losses=final_losses, best=best, places=candidate_places,
           rates=candidates, chosen_method=chosen_method)

# %% [markdown]
# Compare the three curves with Predict 3 and with where each rate sits on the range
# test's curve. A rate on the flat start moves the weights too little to make progress
# in the same number of epochs, and one past the minimum or beyond the sweep makes
# steps too large to settle; a rate on the fall can still be too large from scratch
# (the caveat below). The lab prints what this run's three rates did.

# %%
report.print_outcomes(final_losses, candidates, candidate_places, best)
#
# A caveat to try with `--optimizer adam` (in a notebook's parameters cell,
# `optimizer = "adam"`). The network keeps learning during the sweep, so by the time
# the sweep reaches the large rates it has been warmed up by the small ones; a rate
# that was fine for those warmed-up weights can be too large *from scratch*. That is
# why the chapter's rule takes a tenth of the rate at the minimum, and why it pays to
# compare the three suggestions (Predict 1): when they disagree by 10× or more, choose
# the smaller (the lab does, where it picks the suggestion it trains around), or warm up
# (the `schedules` lab).

# %%
figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(12, 4.4))
report.draw_training(loss_axis, accuracy_axis, histories, candidates)
lab.save_figure(figure, "training.png")
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the
# same name), or edit the line named, then run the lab again. Numbers quoted in the
# answers are from full runs with seed 0.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Run the lab with `optimizer = "adam"` (`--optimizer adam`).
# Before looking, answer Predict 3 again: does the suggestion still train best?

# %% [markdown] tags=["answer"]
# **Answer 1.** Yes, because the lab follows its own advice. The three rules disagree
# by a factor of 26 here (Predict 1), so the lab trains around the smallest suggestion,
# valley's 0.0066, not the steepest, 0.17. That rate ends lowest, at 0.0257 (99.1 %
# validation accuracy); 10× it at 0.0299 (99.6 %), 1/100 of it at 0.889. Trained from
# scratch at the steepest suggestion, 0.17, the loss ends at 0.0907 (94.7 %) and at
# 10× it at 1.054, while 0.0017 ends at 0.0726 (99.1 %): the caveat above, the sweep
# reached its large rates with weights already warmed up by the small ones. The
# disagreement between the rules is the warning sign.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Write the range test yourself: the exponential sweep
# η_i = start·(end/start)^(i/(steps−1)) and the bias-corrected smoothing, in
# `callbacks/lr_finder/finder.py` (the `lr_finder` assignment; check it with
# `python -m assignments check lr_finder`). Then find the steepest fall yourself from
# `range_test.csv` with `np.gradient(smoothed, np.log10(rates))`, and compare it with
# the lab's "steepest".
# *Syllabus: Learning Algorithms, exercise 2.*

# %% [markdown] tags=["answer"]
# **Answer 2.** In `LRFinder.__init__`, `self.schedule = start * (end / start) **
# (np.arange(steps) / (steps - 1))`; after each batch, `a = β·a + (1 − β)·loss` and the
# smoothed loss `a / (1 − β ** (i + 1))`. For the steepest fall,
# `rates[np.argmin(np.gradient(smoothed, np.log10(rates)))]` gives 0.534 on the default
# run's `range_test.csv`, the same rate as the lab's rule, which takes its slope across
# ±5 points and only up to the minimum so that one noisy batch or the cliff cannot win.
# Both find where the loss falls fastest per decade of η.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** Sweep three times longer: `steps = 300` (`--steps 300`).
# Which suggestions move, for SGD in Predict 1 and for Adam in Predict 2? Why would a
# longer sweep change them?

# %% [markdown] tags=["answer"]
# **Answer 3.** For SGD hardly at all: steepest 0.534 → 0.489, valley 0.0756 → 0.0702,
# minimum/10 0.272 → 0.274. Adam's steepest moves four times: 0.17 → 0.043. The
# smoothing remembers about 1/(1 − β) = 50 batches; over 100 steps for 7 decades that is
# 3.5 decades of η, over 300 steps 1.2 decades. A curve that falls sharply, as Adam's
# does, is drawn later (at larger rates) by a lagging average, and its steepest point
# with it. A longer sweep also trains the network more before the large rates arrive.
# The batches matter too: the same sweep fed through `datasets.make_dataset` (another
# shuffle of the same data) suggested 1.42 instead of 0.534 for SGD, so read a range
# test to within a factor of a few, never to two digits.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** Put the rules of thumb to the test for SGD with momentum: run
# with `optimizer = "momentum"` and add `"rule 0.01": 0.01, "rule 0.1": 0.1` to
# `candidates`. Which rate trains best, and does Predict 2's placement explain it?
# *Syllabus: The Learning Problem, rules of thumb.*

# %% [markdown] tags=["answer"]
# **Answer 4.** Momentum's three rules disagree by 19×, so the lab trains around the
# smallest suggestion, valley's 0.0175. Final training losses: 10× it (0.175) ends
# lowest at 0.0261 (96.9 % validation accuracy), the suggestion at 0.0479 (99.1 %),
# 1/100 of it at 0.953; the rules 0.1 at 0.0767 and 0.01 at 0.0903 (98.7 % each). Both
# rules beat the steepest suggestion, 0.33, which ends at 0.522 when trained from
# scratch (1/100 of it at 0.366, 10× it at 1.394). Predict 2 placed 0.01 and 0.1 on the
# fall of momentum's curve, at 0.031× and 0.31× the steepest suggestion. Once
# momentum's velocity has built up, its step is about 1/(1 − γ) = 10 times η·g, so a
# rate that looked fine for a sweep's one batch at each η is too large for 30 epochs.
# A rule of thumb is a good prior; the range test, read with its rules' disagreement,
# tells you whether this problem agrees with it.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** "Always use warm-up for Transformers." With `optimizer =
# "adam"`, train the three candidates around the steepest suggestion (set
# `chosen_method = "steepest"` where the lab picks it) with
# `custom.schedules.WarmupCosine(rate, 5, lab.epochs, steps_per_epoch=...)` instead of
# a constant rate. Does warm-up rescue the rate the lab would not train at? What would you have to run to tell warm-up's effect from the cosine's?

# %% [markdown] tags=["answer"]
# **Answer 5.** It does here: with 5 epochs of warm-up and a cosine to 0 over 30, the
# suggestion 0.17 ends at 0.0181 instead of 0.0907, now the lowest of the three (1/100
# of it at 0.206, 10× at 1.099) and below the 0.0257 that the lab's own choice, valley's
# 0.0066, reaches at a constant rate. Warm-up lets Adam's second-moment estimate v settle on
# small steps before the large rate arrives, which is the instability warm-up is for
# in Transformers. But this run changes two things at once; to separate them, also
# train with the cosine alone (no warm-up) and with warm-up to a constant rate, from
# the same weights, and compare the first epochs as well as the last.
