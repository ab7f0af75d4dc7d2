"""Debugging in pairs: seven broken runs, each with a hidden cause to find from its curves.

What you learn: to read a failed run the way you would debug one: its learning
curves, the ``DiagnosticsLogger`` verdict (label, reason, advice), a few vital
signs (input scale, output range, weight norm, learning rate, accuracy) and one
quick experiment (can the recipe fit a single batch?); then to name the cause,
apply the one-line fix and see the repaired run beside the broken one. You also
learn where the verdict is a poor guide: a label names a symptom, and several
causes share one.

Follows: the class session plan's "Pitfalls & debugging lab (pairs)" and its
objective 5 (diagnose common training failures, such as a bad learning rate or
a mix-up of logits and probabilities, and apply fixes), after "Learning
Algorithms", section 5.2, on reading learning curves (the ``diagnostics`` lab).
Run time: about 24 s on 2 CPU cores (about 24 s with --quick), start-up included.
"""

# %% [markdown]
# # Debugging in pairs
#
# Work in pairs. Seven small training runs, **Run A** to **Run G**, went wrong,
# each for one reason. For each run you get what you would get on a real
# project: its data, the curves while it trains, the `DiagnosticsLogger` verdict
# at the end, and a table of vital signs. Your job is to name the cause and the
# fix.
#
# The lab prints the candidate causes, in alphabetical order. Each run has a
# different one of them, and some candidates belong to no run at all, so rule
# causes out as well as in.

# %%
import numpy as np
import pandas as pd

from labs.machinery import runtime  # Import labs first: the helpers' `datasets` is then ours.
from labs.helpers import debugging_recipes as recipes
from labs.helpers import debugging_report as report
from labs.machinery.runtime import param

lab = runtime.start("debugging", {
    "epochs": param(30, minimum=5),         # Long enough for every curve to settle
                                            # into its shape.
    "n_samples": param(600, minimum=80),    # Samples in each synthetic data set (the
                                            # digits use all 1797); 25 % validate.
    "batch_size": param(32, minimum=1),
    "batch_test_size": param(16, minimum=2),     # Samples in the one-batch test.
    "batch_test_steps": param(200, minimum=1),   # Steps of the one-batch test: plenty
                                                 # for 16 samples.
}, quick={"epochs": 20, "batch_test_steps": 150})
# Full run: epochs 30, batch_test_steps 200.
FITTED = 0.9   # The one-batch test is passed at this accuracy on the batch (Predict 2: 90 %).

runs = recipes.load_runs()  # Run A, Run B, …: each a broken recipe and its repair.
if runs is None:            # The instructor's edition: the runs in their fixed order.
    from labs.helpers import debugging_cases

    runs = debugging_cases.runs(None)
unused = len(recipes.CANDIDATES) - len(runs)
print(f"The {len(recipes.CANDIDATES)} candidate causes, in alphabetical order "
      f"({len(runs)} runs, one cause each; {unused} candidates belong to no run):")
for cause in recipes.CANDIDATES:
    print(f"  - {cause}")
lab.check(len({run.cause for run in runs}) == len(runs), "two runs share a cause")
lab.check({run.cause for run in runs} <= set(recipes.CANDIDATES) and unused >= 3,
          "the candidates must hold every run's cause and at least three others")
for run in runs:  # Each fix is a one-entry change: the repaired run differs by its cause.
    lab.check(len(run.changed()) == 1, f"run {run.letter}'s fix changes {run.changed()}")

# %% [markdown] tags=["prediction"]
# **Predict 1.** The classifier has six labels (DIVERGING, OSCILLATING,
# OVERFITTING, UNDERFITTING, CONVERGED, STILL_IMPROVING) and there are seven
# runs with seven different causes. How many different labels will the seven
# broken runs get?
# - (a) one: every run gets the same label
# - (b) two
# - (c) three
# - (d) four
# - (e) five or six

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c", "d" or "e"

# %%
def train(run, fixed, live_title, number):
    """Train the run's broken (or fixed) recipe, logged to a CSV; return what the run left
    (``report.train``). Its verdict is printed only when prediction ``number``, which its
    label answers, is revealed (``lab.shows``)."""
    return report.train(lab, run, fixed, live_title, verbose=lab.shows(number))


# %% [markdown]
# ## Seven broken runs
#
# Each run prints its data, then its curves epoch by epoch (in a notebook, one
# live figure per run), then the logger's three-line verdict. The live label is
# `classify` on the epochs so far, given the same number of classes as the
# logger, so after the last epoch it is the logger's verdict; before that it
# can change as the run goes on.

# %%
broken = {}
for run in runs:
    print(f"\n--- Run {run.letter}: {report.DATA_NAMES[run.broken['data']]}, "
          f"{lab.epochs} epochs")
    broken[run.letter] = train(run, fixed=False, live_title=f"Run {run.letter}", number=1)

labels = {letter: run["diagnosis"].label for letter, run in broken.items()}
counts = pd.Series(labels).value_counts()
most_common = [label for label, count in counts.items() if count == counts.max()]
lab.reveal(1, f"{len(counts)} different labels for 7 runs: "
              + ", ".join(f"{label} × {count}" for label, count in counts.items())
              + f"; the most common: {' and '.join(most_common)}.",
           answer="abcde"[min(len(counts), 5) - 1],
           labels=labels, counts=counts.to_dict(), most_common=most_common)
for letter, result in broken.items():
    lab.record(f"verdict {letter}", label=labels[letter],
               **report.classified_columns(result["csv"], result["num_classes"]))

# %% [markdown]
# ## The evidence: curves and vital signs
#
# Loss on the left of each pair, accuracy on the right (the regression run has no
# accuracy: its panel says so). The title carries the label.

# %%
figure = report.curves_grid(
    [(f"Run {letter}", result["csv"], result["diagnosis"]) for letter, result in broken.items()])
lab.save_figure(figure, "broken_runs.png", show=lab.shows(1))   # Titled with the labels.

# %% [markdown]
# The vital signs are what an experienced engineer checks first when a run
# fails: the largest spread (standard deviation) of an input feature, which is 1
# once the inputs are standardised; the range of the network's outputs on the
# validation set (probabilities lie in [0, 1]); the size of the weights ‖W‖ (all
# weights and biases); the number of parameters; the share of hidden ReLU units
# that output 0 for every training sample (dead: they pass no gradient back);
# the learning rate at the last epoch; and the last epoch's training and
# validation accuracy.

# %%
signs = pd.DataFrame({f"Run {letter}": report.vital_signs(result)
                      for letter, result in broken.items()})
print(signs.T.to_string(float_format=lambda value: f"{value:.3g}"))
lab.record("vital signs", **{column: signs[column].to_dict() for column in signs})

# %% [markdown]
# ## One more check: can the recipe fit one batch?
#
# Several runs may share the label UNDERFITTING, and the label cannot say why.
# A quick experiment can: train the same broken recipe, fresh, on one batch of
# training samples (`batch_test_size` of them) and nothing else, for many steps
# (`batch_test_steps`). A network that can learn at all should fit a small batch
# almost perfectly, whatever its labels.

# %% [markdown] tags=["prediction"]
# **Predict 2.** Of the runs labelled UNDERFITTING, how many will have a recipe
# that fits one batch of training samples (at least 90 % accuracy on that
# batch)? Think also about what a run that fits the batch but not the
# validation set would tell you.
# - (a) none of them
# - (b) some of them, not all
# - (c) all of them

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b" or "c"

# %%
underfitting = [letter for letter, label in labels.items()
                if label == "UNDERFITTING" and broken[letter]["num_classes"]]
batch_test = {}
by_letter = {run.letter: run for run in runs}
for letter in underfitting:
    batch_test[letter] = report.fit_one_batch(by_letter[letter].broken, broken[letter],
                                              lab.batch_test_size, lab.batch_test_steps,
                                              lab.epochs, lab.batch_size, lab.seed,
                                              lab.fit_callbacks(f"run {letter}, one batch"))
    if lab.shows(2):   # The batch accuracy answers Predict 2.
        print(f"Run {letter}: accuracy {batch_test[letter]['batch accuracy']:.0%} on the "
              f"batch of {lab.batch_test_size}, "
              f"{batch_test[letter]['validation accuracy']:.0%} on validation")
fitted = [letter for letter, result in batch_test.items() if result["batch accuracy"] >= FITTED]
validation = {letter: batch_test[letter]["validation accuracy"] for letter in fitted}
lab.reveal(2, (f"of the UNDERFITTING runs {', '.join(underfitting) or 'none'}, "
               f"{', '.join(fitted) or 'none'} fit the batch to ≥ 90 %"
               + "".join(f"; Run {letter} then scores {accuracy:.0%} on validation"
                         for letter, accuracy in validation.items()) + "."),
           answer="a" if not fitted else "c" if fitted == underfitting else "b",
           underfitting=underfitting, batch_test=batch_test, fitted=fitted, threshold=FITTED)

# %% [markdown]
# **Your diagnosis.** Write your pair's diagnosis for each run, A to G: which
# cause, and the one change you would make. Then run the cells that follow.

# %% [markdown]
# ## The reveal
#
# Each run starts from a sound recipe for its task (`recipes.BASE`: standardised
# inputs, a 16-16 ReLU network, Adam with a cosine schedule over the whole run;
# the runs on other data set their own data, network or optimizer) and changes
# one entry to break it. The fix sets that entry right and changes nothing else
# (the lab checked this at the start).

# %%
lab.record("causes", causes={run.letter: run.cause for run in runs}, labels=labels)
for run in runs:
    print(f"Run {run.letter}, {run.cause}. Fix: {run.fix_text}.\n"
          f"    change: {run.change_text()}")

# %% [markdown] tags=["prediction"]
# **Predict 3.** Now each fixed recipe is trained with the same seed. How many
# of the seven repaired runs will the classifier call healthy (CONVERGED or
# STILL_IMPROVING)?
# - (a) all seven
# - (b) six
# - (c) five
# - (d) four or fewer

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b", "c" or "d"

# %%
fixed = {}
for run in runs:
    print(f"\n--- Run {run.letter} fixed ({run.cause})")
    fixed[run.letter] = train(run, fixed=True, live_title=f"Run {run.letter} fixed",
                              number=3)
fixed_labels = {letter: run["diagnosis"].label for letter, run in fixed.items()}
healthy = [letter for letter, label in fixed_labels.items()
           if label in ("CONVERGED", "STILL_IMPROVING")]
still_broken = [f"{letter} ({fixed_labels[letter]})" for letter in fixed_labels
                if letter not in healthy]
repairs_shown = lab.reveal(
    3, f"{len(healthy)} of 7 repaired runs are healthy"
       + (f"; not healthy: {', '.join(still_broken)}" if still_broken else "") + ". "
       + "; ".join(f"{letter}: {labels[letter]} → {fixed_labels[letter]}"
                   for letter in fixed_labels) + ".",
    answer={7: "a", 6: "b", 5: "c"}.get(len(healthy), "d"),
    broken_labels=labels, fixed_labels=fixed_labels, healthy=healthy)
for letter, result in fixed.items():
    lab.record(f"verdict {letter} fixed", label=fixed_labels[letter],
               **report.classified_columns(result["csv"], result["num_classes"]))
comparison = report.before_and_after(broken, fixed)
if repairs_shown:    # Its labels answer Predict 3.
    print(comparison.to_string(index=False, float_format=lambda value: f"{value:.3g}"))
lab.record("before and after", **comparison.set_index("run").to_dict())
for row in comparison.itertuples():  # The lesson shows each fix repairing its run.
    lab.check(row.fixed_val_loss < row.broken_val_loss or not np.isfinite(row.broken_val_loss),
              f"run {row.run}'s fix did not lower its validation loss")

# %% [markdown]
# Each broken run beside its repair, titled with its verdict.

# %%
panels = []
for run in runs:
    panels.append((f"Run {run.letter}\n{run.cause}", broken[run.letter]["csv"],
                   broken[run.letter]["diagnosis"]))
    panels.append((f"Run {run.letter} fixed\n{run.change_text()}",
                   fixed[run.letter]["csv"], fixed[run.letter]["diagnosis"]))
lab.save_figure(report.loss_grid(panels), "broken_and_fixed.png",
                show=lab.shows(1) and lab.shows(3))

# %% [markdown]
# ## What the label could tell, and what it could not
#
# The table groups the broken runs by label. Where one label holds several
# causes, the label alone cannot tell them apart; the evidence that can:
#
# * **Learning rate far too high**: the loss is large from the first epoch and
#   grows by orders of magnitude until it overflows (inf, then NaN). For this
#   standardised line fit the mean squared error has curvature 2, so gradient
#   descent is stable only for η < 2/2 = 1 ("Gradient Descent").
# * **Inputs not standardised**: some features spread over hundreds of units (see
#   the vital signs), so the first steps are enormous; a huge first-epoch loss
#   followed by a flat curve at chance, with many dead ReLU units, is units
#   killed by those steps, not a rate that is too high for standardised data.
# * **L2 far too strong**: the loss Keras reports includes the penalty λ·Σw², so
#   epoch 1's loss is mostly penalty; the penalty then pulls every hidden kernel
#   towards 0, and the network gives nearly the same output for every input
#   (compare its output min and max).
# * **Labels shuffled**: training accuracy can rise only by memorising, and
#   validation stays at chance. A recipe that fits one batch yet stays at chance
#   on validation has labels that carry no signal about the inputs.
# * **Too little capacity**: a model that cannot fit even one small batch lacks
#   capacity, or its loss or optimizer is broken; few parameters point at
#   capacity, and a wider or deeper network fixes it.
# * **Logits into a probability loss**: the outputs leave [0, 1] (see the vital
#   signs); the loss clips them to [10⁻⁷, 1 − 10⁻⁷] before taking logs, so every
#   output outside [0, 1] passes no gradient back, and the rest are read as
#   probabilities they are not.
# * **Schedule to zero too early**: the `learning_rate` column of the CSV is 0
#   long before the end; the curves go flat because nothing moves any more.

# %%
groups = pd.Series({f"Run {run.letter}": run.cause for run in runs}).groupby(
    pd.Series({f"Run {letter}": label for letter, label in labels.items()}))
shared = {label: sorted(members.index) for label, members in groups if len(members) > 1}
for label, members in groups:
    if lab.shows(1):    # The labels answer Predict 1: shown once it is predicted.
        print(f"{label}: " + "; ".join(f"{run} ({cause})" for run, cause in members.items()))
lab.record("labels shared by several causes", shared=shared, labels=labels)

# %% [markdown]
# A high first epoch is not a blow-up. The loss Keras reports for the run with the
# strong L2 penalty (the reveal named its letter) includes the penalty, so its first
# epoch sits far above the cross-entropy of a coin toss, ln 2. Short of a NaN or inf
# loss, the classifier calls a run DIVERGING only when its loss rises again (more than
# 1 % above its best so far). Here is what that run's curve did, and the verdict it got.

# %%
penalty = next(run.letter for run in runs if run.cause == recipes.STRONG_PENALTY)
penalty_loss = pd.read_csv(broken[penalty]["csv"])["loss"]
coin_toss = np.log(2.0)  # The cross-entropy of guessing 50 % on two classes.
rose_by = float((penalty_loss / penalty_loss.cummin().shift(1)).max() - 1.0)
print(f"Run {penalty}: epoch 1's loss {penalty_loss.iloc[0]:.3g} is "
      f"{penalty_loss.iloc[0] / coin_toss:.1f}× ln 2 = {coin_toss:.4f}; it never rose more "
      f"than {max(rose_by, 0.0):.2%} above its best so far and ends at "
      f"{penalty_loss.iloc[-1]:.4f} ({penalty_loss.iloc[-1] / coin_toss:.1%} of ln 2), with "
      f"training accuracy {report.last_row(broken[penalty]['csv'])['accuracy']:.1%}: "
      f"labelled {labels[penalty]}.")
lab.record("strong penalty", letter=penalty, label=labels[penalty],
           first_loss=float(penalty_loss.iloc[0]),
           last_loss=float(penalty_loss.iloc[-1]), chance_loss=float(coin_toss),
           rose_by=rose_by)

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Work on them in pairs, like the runs. Each says which file, flag or cell to change.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Open the CSV of the run whose schedule decayed to zero
# too early (`run_<letter>.csv` in the output folder; the reveal named its letter)
# and read its `learning_rate` column. At which epoch does it first reach 0, and
# how does that follow from the fix the reveal printed and the number of batches
# per epoch?
# *Syllabus: Session plan, debugging in pairs.*

# %% [markdown] tags=["answer"]
# **Answer 1.** Keras schedules count optimizer steps (batches), not epochs. Run G
# passes `decay_steps=epochs`, so the cosine reaches 0 after `epochs` batches. With
# the default parameters there are 0.75 · 600 = 450 training samples, so
# ⌈450 / 32⌉ = 15 batches per epoch, and 30 batches end with epoch 2: the column
# reads 0 from the second epoch on, the row `epoch 1` (the CSV counts from 0; in
# quick mode the 20 batches also end during the second epoch). From then
# on every update is zero, which is why the curves are flat. The fix passes
# `decay_steps=epochs * steps_per_epoch`.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Train the strong-penalty run again with a λ a hundred
# times smaller: in a new cell at the end of the lab, take that run's broken recipe
# (`by_letter[penalty].broken`, with `penalty` its letter), divide its `l2` by 100,
# and train it as `train` does. Before you run it, predict its label and its first-epoch loss. Explain
# both from the penalty term.
# *Syllabus: Session plan, debugging in pairs.*

# %% [markdown] tags=["answer"]
# **Answer 2.** The loss Keras reports is the cross-entropy plus λ·Σw². With λ = 1
# the penalty dominates epoch 1 (in the default run, seed 0, epoch 1's loss is
# about 9.2, thirteen times the ln 2 ≈ 0.69 of a coin toss), and the optimizer
# spends the run pulling every hidden kernel to 0 until the network outputs the
# same value everywhere: a huge first loss that falls every epoch to about ln 2 and
# stays there, at chance. A loss that never rises is not a blow-up, so the label
# names the flat curve at chance (the lab prints Run E's verdict and its loss against
# ln 2 after the table of labels). At λ = 0.01 the penalty is a hundred
# times smaller, so the first-epoch loss stays near ln 2 and the network has room
# to learn the rings. Measured with seed 0: epoch 1's loss 0.81, training accuracy
# 99 %, labelled STILL_IMPROVING in full mode and CONVERGED with `--quick`; the
# penalty still shows as a final loss well above the fixed run's.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (hard).** Write `outputs_are_probabilities(model, x)`, a check to
# run *before* training: it returns False when the untrained model's outputs on
# `x` leave [0, 1], or (for several classes) do not sum to 1 per row. Run it on
# every broken recipe (build each with `recipes.build_model`). Which run does it
# flag, and why does no other check in the lab catch that bug before training?
# *Syllabus: Session plan, logits and probabilities.*

# %% [markdown] tags=["answer"]
# **Answer 3.** One version: `p = model.predict(x, verbose=0)`; return
# `p.min() >= 0 and p.max() <= 1 and (p.shape[1] == 1 or np.allclose(p.sum(1), 1,
# atol=1e-4))`. Only Run D is flagged: its last layer is linear, so its outputs are
# logits, which take any sign and need not sum to 1, while its loss was told
# `from_logits=False`. Run C is a regression, whose outputs are not meant to be
# probabilities, so the check should skip it. The curves show the bug only after
# training, as a loss far above zero with accuracy near chance, which several
# causes produce; this check names it before the first step, the cheapest place
# to catch a mix-up of logits and probabilities.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (open-ended).** The session plan lists "missing zero_grad" among
# common failures: in PyTorch, gradients add up across steps unless they are
# zeroed. Keras' `fit` never does that, but a hand-written loop can. Write a
# GradientTape loop (start from `custom.training.fit_with_tape`) that adds each
# step's gradients to the previous ones before applying them, train the circles
# recipe with it, log it with `DiagnosticsLogger`, and compare its curves and
# verdict with the correct loop. Which of the seven causes does it resemble most?
# *Syllabus: Session plan, debugging in pairs.*

# %% [markdown] tags=["answer"]
# **Answer 4.** After t steps the applied gradient is the sum of t gradients, so
# with plain SGD the step grows roughly in proportion to t: the loop behaves like
# a learning rate that keeps rising. Expect a run that first learns, then
# overshoots, bounces and may blow up: it resembles "learning rate far too high"
# (OSCILLATING or DIVERGING), but it starts healthy, which a rate that was too
# high from the first step does not. With Adam the division by √v partly hides it,
# since v grows with the summed gradient too, so the symptom is milder and later.
# The fix is to apply each step's own gradient, which is what `fit_with_tape` does.
