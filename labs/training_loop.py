"""The complete training loop: the 4-16-8-3 network by hand, with fit_with_tape and with model.fit.

What you learn: every step of a training loop (shuffle, batch, forward, loss,
backward, update, evaluate); that the chapter's synthetic data has random labels,
so a network can only memorise it; and that the same algorithm written three
ways (NumPy by hand, ``custom.training.fit_with_tape``, ``model.fit``) gives the
same curves on real data when it starts from the same weights and sees the same
batches.

Follows: "Learning Algorithms", section 5.3 (the complete training loop).
Run time: about 11 s on 2 CPU cores (about 9 s with --quick), start-up included.
"""

# %% [markdown]
# # The complete training loop
#
# "Learning Algorithms" ends with a `SimpleNetwork([4, 16, 8, 3])` trained for 100 epochs of
# mini-batch SGD (batch 32, learning rate 0.1) on 500 samples with 4 Gaussian
# features and 3 classes. One epoch of that loop:
#
#     shuffle the training set
#     for each mini-batch:
#         forward:   ŷ = softmax(ReLU(ReLU(x·W1 + b1)·W2 + b2)·W3 + b3)
#         loss:      L = −(1/m)·Σ log ŷ[target]
#         backward:  dz3 = (ŷ − y)/m, then the chain rule down to dW1, db1
#         update:    θ ← θ − η·∂L/∂θ
#     evaluate loss and accuracy on the training and validation sets
#
# The NumPy network of `custom.numpy_net` implements exactly these lines.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas

import callbacks
import datasets
from custom import numpy_training
from custom.training import fit_with_tape
from labs.machinery import runtime, twins
from labs.machinery.runtime import param

lab = runtime.start("training_loop", {
    "hidden_sizes": param([16, 8], minimum=1),  # The chapter's two hidden layers.
    "epochs": param(100, minimum=1),            # The chapter's 100 epochs on random labels.
    "real_epochs": param(15, minimum=1),        # Digits: enough for about
                                                # 90 % validation accuracy.
    "batch_size": param(32, minimum=1),         # The chapter's batch size.
    "learning_rate": param(0.1, above=0),       # The chapter's learning rate, plain SGD.
}, quick={"epochs": 30, "real_epochs": 3})  # Full run: 100 and 15 epochs.
Network = twins.network   # custom.numpy_net.Network, or its twin until backprop is written

# The lesson's fixed values: edit them here (they are not flags).
RANDOM_SAMPLES, RANDOM_FEATURES, RANDOM_CLASSES = 500, 4, 3   # The chapter's random labels,
TRAIN_SHARE = 0.8           # split 80 / 20 as the chapter does.
VALIDATION_SHARE = 0.3      # Digits: 30 % validate (stratified).
DIGIT_CLASSES = 10          # Ten digits.
TOLERANCE = 1e-4            # Largest |loss difference| that still counts as the same algorithm.

# %% [markdown]
# ## The loop by hand, in NumPy
#
# `custom.numpy_training.train_epoch` runs one epoch of the chapter's loop for the
# NumPy network: for each shuffled batch, forward, loss, backward, θ ← θ − η·g.
# Like Keras, it reports as the epoch's training loss (and accuracy) the mean
# over the batches seen during that epoch, each measured before its update and
# weighted by its size. The validation set is evaluated after the epoch.

# %%
def train_by_hand(network, x_train, y_train, x_val, y_val, epochs, live_run, shuffle=True):
    """The chapter's loop; ``live_run`` is a Keras callback whose hooks it calls as fit would."""
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    order = np.random.default_rng(lab.seed)                       # a new shuffle every epoch
    live_run.set_params({"epochs": epochs})
    live_run.on_train_begin()
    for epoch in range(epochs):
        result = numpy_training.train_epoch(network, x_train, y_train, lab.batch_size,
                                            lab.learning_rate, seed=order, shuffle=shuffle)
        history["loss"].append(result.loss)                       # mean over the epoch
        history["accuracy"].append(result.accuracy)
        history["val_loss"].append(network.loss(x_val, y_val))    # evaluate after the epoch
        history["val_accuracy"].append(np.mean(network.outputs.argmax(axis=1) == y_val))
        live_run.on_epoch_end(epoch, {key: values[-1] for key, values in history.items()})
    live_run.on_train_end()
    return history


# %% [markdown]
# ## The chapter's data: labels drawn at random
#
# `datasets.random_labels` makes the chapter's data: the features are Gaussian and
# each label is drawn independently of them. There is no rule to find, so the
# best a network can do on new samples is guess: 1/3 accuracy. What it *can* do
# is memorise the training samples one by one, as far as its weights allow
# (4-16-8-3 has 243 of them for 400 training samples).
#
# How far from 1/3 counts as "at chance"? On n samples guessed at random the
# accuracy has a standard error √(⅓·⅔/n): about 4.7 % on the 100 validation
# samples and 2.4 % on the 400 training samples. The lab calls an accuracy
# within two standard errors of 1/3 "at chance".

# %% [markdown] tags=["prediction"]
# **Predict 1.** After the epochs of the parameters cell (100 in a full run), how
# many of the 400 training samples will the network (4-16-8-3 unless you changed
# `hidden_sizes`) classify correctly? Guessing gets about 133 right. (a number of
# samples; within 20 % counts as right)

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: a number of samples

# %%
x, y = datasets.random_labels(n_samples=RANDOM_SAMPLES, n_features=RANDOM_FEATURES,
                              n_classes=RANDOM_CLASSES, seed=lab.seed)
split = int(TRAIN_SHARE * len(x))                           # the chapter's 80 / 20 split
random_network = Network([RANDOM_FEATURES, *lab.hidden_sizes, RANDOM_CLASSES],
                         output="softmax", seed=lab.seed)
random_history = train_by_hand(random_network, x[:split], y[:split], x[split:], y[split:],
                               lab.epochs,
                               callbacks.LivePlot(title="random labels").run("NumPy"))
chance = 1 / RANDOM_CLASSES
n_train, n_val = split, len(x) - split


def against_chance(accuracy, n_samples):
    """"above", "at" or "below" chance; within two standard errors √(⅓·⅔/n) is "at"."""
    two_errors = 2 * np.sqrt(chance * (1 - chance) / n_samples)
    if abs(accuracy - chance) <= two_errors:
        return "at chance", two_errors
    return ("above chance" if accuracy > chance else "below chance"), two_errors


train_correct = int(np.sum(random_network.predict(x[:split]).argmax(axis=1) == y[:split]))
train_accuracy = train_correct / n_train                    # evaluated after training
val_accuracy = float(random_history["val_accuracy"][-1])
train_verdict, train_two_errors = against_chance(train_accuracy, n_train)
val_verdict, val_two_errors = against_chance(val_accuracy, n_val)
val_losses = random_history["val_loss"]
best_epoch = int(np.argmin(np.where(np.isfinite(val_losses), val_losses, np.inf))) + 1
architecture = "-".join(map(str, random_network.layer_sizes))
lab.reveal(1, f"after {lab.epochs} epochs the {architecture} network classifies "
              f"{train_correct} of {n_train} training samples correctly ({train_accuracy:.1%}, "
              f"{100 * (train_accuracy - chance):+.1f} points from 1/3; two standard errors "
              f"are {100 * train_two_errors:.1f} points: {train_verdict}) and "
              f"{val_accuracy:.1%} of the {n_val} validation samples "
              f"({100 * (val_accuracy - chance):+.1f} points; two standard errors, "
              f"{100 * val_two_errors:.1f} points: {val_verdict}). The validation loss was "
              f"lowest, {val_losses[best_epoch - 1]:.3f}, after epoch {best_epoch}, and is "
              f"{val_losses[-1]:.3f} at the end.",
           answer=train_correct, train_correct=train_correct, n_train=n_train,
           train_accuracy=train_accuracy, val_accuracy=val_accuracy, n_val=n_val, chance=chance,
           train_two_errors=train_two_errors, val_two_errors=val_two_errors,
           train_verdict=train_verdict, val_verdict=val_verdict, val_losses=val_losses,
           best_epoch=best_epoch)

# %% [markdown]
# Memorising shows as a training accuracy above chance with a validation accuracy that
# stays at chance, and a validation loss that rises once the network starts fitting noise:
# compare the numbers above with that picture.

# %% [markdown]
# ## Real data, three ways
#
# The 8×8 digits have 64 pixels and 10 classes, so the network becomes
# 64-16-8-10: the chapter's hidden layers with the data's own input and output.
# We train it three times from the *same* initial weights (copied from the NumPy
# network into two Keras models) and without shuffling, so that all three see
# the same batches in the same order:
#
# 1. by hand in NumPy (the function above);
# 2. `fit_with_tape`, our `tf.GradientTape` loop, which does what `fit` does;
# 3. Keras' own `model.fit`.
#
# If the three agree, the hand-written backward pass, the tape and Keras all
# compute the same algorithm, up to float32 (Keras) against float64 (NumPy)
# round-off. The lab calls them *in agreement* when no training or validation loss
# differs by more than 1e-4 at any epoch: float32 keeps about 7 significant digits,
# while a real difference (another batch order, a wrong gradient term) moves the
# loss in the second or third decimal.

# %% [markdown] tags=["prediction"]
# **Predict 2.** The NumPy loop computes in float64, both Keras loops in float32. Which
# two loops will stay closest to each other (the smallest largest loss difference over
# all the epochs)?
# - (a) NumPy by hand and `fit_with_tape`
# - (b) NumPy by hand and `model.fit`
# - (c) `fit_with_tape` and `model.fit`

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b" or "c"

# %%
x, y = datasets.load("digits")
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, VALIDATION_SHARE, seed=lab.seed,
                                                              stratify=True)
sizes = [x.shape[1], *lab.hidden_sizes, DIGIT_CLASSES]
by_hand = Network(sizes, output="softmax", seed=lab.seed)
initial_weights = by_hand.get_weights()


def keras_copy():
    model = keras.Sequential([keras.Input((sizes[0],))]
                             + [keras.layers.Dense(units, activation="relu")
                                for units in sizes[1:-1]]
                             + [keras.layers.Dense(sizes[-1], activation="softmax")])
    model.set_weights(initial_weights)
    # A metric object, not the name "accuracy", which Keras resolves to a new metric inside
    # the first traced step: TensorFlow would then trace that step twice.
    model.compile(optimizer=keras.optimizers.SGD(lab.learning_rate),
                  loss="sparse_categorical_crossentropy",
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


live = callbacks.LivePlot(title="digits, three loops")  # The curves while they train.
histories = {"NumPy by hand": train_by_hand(by_hand, x_train, y_train, x_val, y_val,
                                            lab.real_epochs, live.run("NumPy"), shuffle=False)}
histories["fit_with_tape"] = fit_with_tape(
    keras_copy(), x_train, y_train, batch_size=lab.batch_size, epochs=lab.real_epochs,
    validation_data=(x_val, y_val), shuffle=False, verbose=0,
    callbacks=lab.fit_callbacks("fit_with_tape", [live.run("fit_with_tape")])).history
histories["model.fit"] = keras_copy().fit(
    x_train, y_train, batch_size=lab.batch_size, epochs=lab.real_epochs,
    validation_data=(x_val, y_val), shuffle=False, verbose=0,
    callbacks=lab.fit_callbacks("model.fit", [live.run("model.fit")])).history

runs = [("digits", name, lab.real_epochs, history) for name, history in histories.items()]
runs.append(("random labels", "NumPy by hand", lab.epochs, random_history))
table = pandas.DataFrame([{"data": data, "way": way, "epochs": epochs,
                           "train_loss": history["loss"][-1],
                           "train_accuracy": history["accuracy"][-1],
                           "val_loss": history["val_loss"][-1],
                           "val_accuracy": history["val_accuracy"][-1]}
                          for data, way, epochs, history in runs])
table.to_csv(lab.path("training_loop.csv"), index=False)
gaps = {}          # "A vs B, metric" → the largest |A − B| over the epochs.
pairs = [("NumPy by hand", "fit_with_tape"), ("NumPy by hand", "model.fit"),
         ("fit_with_tape", "model.fit")]
for first, second in pairs:
    for metric in ("loss", "val_loss"):
        gaps[f"{first} vs {second}, {metric}"] = float(np.max(np.abs(
            np.subtract(histories[first][metric], histories[second][metric]))))
largest_gap = float(np.max(list(gaps.values())))   # NaN if a loop diverged: no agreement
numpy_vs_fit = gaps["NumPy by hand vs model.fit, val_loss"]
agree = largest_gap <= TOLERANCE
pair_gaps = {f"{first} vs {second}": max(gaps[f"{first} vs {second}, {metric}"]
                                         for metric in ("loss", "val_loss"))
             for first, second in pairs}                     # In the order of the choices.
closest_gap = min(pair_gaps.values())
closest_pairs = [pair for pair, gap in pair_gaps.items() if gap == closest_gap]
loops_shown = lab.reveal(
    2, f"closest: {' and '.join(closest_pairs)}, at most {closest_gap:.1e} apart; "
       f"the largest |val_loss(NumPy) − val_loss(model.fit)| over {lab.real_epochs} "
       f"epochs is {numpy_vs_fit:.1e}; the largest loss difference between any two of "
       f"the three loops is {largest_gap:.1e}, "
       f"{'within' if agree else 'beyond'} the tolerance {TOLERANCE:.0e}: the three "
       f"{'agree' if agree else 'DISAGREE'}.",
    answer=tuple("abc"[list(pair_gaps).index(pair)] for pair in closest_pairs),
    gaps=gaps, pair_gaps=pair_gaps, closest_pairs=closest_pairs,
    numpy_vs_fit=numpy_vs_fit, largest_gap=largest_gap,
    agreement_tolerance=TOLERANCE, agree=bool(agree))
if loops_shown:   # The table's losses answer Predict 2, so it prints after the reveal.
    print()
    print(table.to_string(index=False, float_format=lambda value: f"{value:.4f}"))
lab.check(agree, f"the three loops differ by {largest_gap:.1e} > {TOLERANCE:.0e}")

# %% [markdown]
# ## The figure
#
# Left: the chapter's random labels, training and validation accuracy against the
# chance line, which Predict 1 read in numbers. Middle and right: on digits the
# three implementations draw one curve each, so where they agree (Predict 2) the
# curves lie on top of each other; compare the training and validation curves
# to see whether, unlike on random labels, there is a rule that carries over to
# new samples.

# %%
figure, (memorise, losses, accuracies) = plt.subplots(1, 3, figsize=(15, 4.2))
epochs = np.arange(1, lab.epochs + 1)
memorise.plot(epochs, random_history["accuracy"], label="train accuracy")
memorise.plot(epochs, random_history["val_accuracy"], "--", label="val accuracy")
memorise.axhline(chance, color="grey", linestyle=":", label=f"chance, 1/{RANDOM_CLASSES}")
memorise.set_xlabel("epoch")
memorise.set_ylabel("accuracy")
memorise.set_title("the chapter's data (random labels): memorising")
memorise.legend()
real_epochs = np.arange(1, lab.real_epochs + 1)
styles = {"NumPy by hand": ("-", 6), "fit_with_tape": ("--", 4), "model.fit": (":", 2)}
for name, history in histories.items():
    style, width = styles[name]
    for axes, metric in ((losses, "loss"), (accuracies, "accuracy")):
        axes.plot(real_epochs, history[metric], style, linewidth=width, alpha=0.7,
                  label=f"{name}, train")
        axes.plot(real_epochs, history[f"val_{metric}"], style, linewidth=width, alpha=0.7,
                  label=f"{name}, val")
for axes, metric in ((losses, "cross-entropy"), (accuracies, "accuracy")):
    axes.set_xlabel("epoch")
    axes.set_ylabel(metric)
    axes.set_title(f"digits, three ways: {metric}")
    axes.legend(fontsize=7)
lab.save_figure(figure, "training_loop.png")
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the
# same name), or edit the cell named, then run the lab again.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Set `hidden_sizes = [64, 32]` in the parameters cell
# (`--hidden-sizes 64 32`). Count the network's weights and predict Predict 1's numbers.

# %% [markdown] tags=["answer"]
# **Answer 1.** 4-64-32-3 has (4+1)·64 + (64+1)·32 + (32+1)·3 = 2 499 weights against 243,
# so it memorises more of the random labels, while validation has nothing to learn and
# stays at chance. Full run, seed 0: 267 of 400 right (66.8 %) against 203 (50.7 %), and
# 31 % validation accuracy against 33 %; its validation loss ends at 1.62 against 1.20,
# more confidently wrong on samples it has never seen.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** In the digits cell, call `train_by_hand(...)` with
# `shuffle=True`. What does Predict 2 say now, how does the lab end, and why is that right?

# %% [markdown] tags=["answer"]
# **Answer 2.** The NumPy loop now draws its own batch order, the two Keras loops do not,
# so they no longer run the same computation. With seed 0 the NumPy validation loss ends
# at 0.446 against 0.233, a difference of 0.21 far beyond 1e-4: the reveal says
# DISAGREE, the lab prints CHECK FAILED and exits with status 1. The lesson's claim holds
# only for the same batches in the same order, so the lab must not print "agree" here.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (medium).** The session plan's minimal loop stops early. Add early stopping
# to `train_by_hand`: keep the weights (`network.get_weights()`) with the lowest
# validation loss so far, stop after `patience` epochs without improvement, and restore
# them (`network.set_weights`). With patience 5 on the random labels, when does it stop,
# and what happens to the memorising?
# *Syllabus: Session plan, training loop.*

# %% [markdown] tags=["answer"]
# **Answer 3.** After the epoch's `train_epoch` call:
#
#     val_loss = network.loss(x_val, y_val)
#     if val_loss < best_loss:                      # an improvement: remember it
#         best_loss, best_weights, best_epoch, waited = (
#             val_loss, network.get_weights(), epoch, 0)
#     else:
#         waited += 1
#         if waited >= patience:                    # patience epochs without one
#             break
#
# with `best_loss = np.inf`, `waited = 0` before the loop and
# `network.set_weights(best_weights)` after it. Seed 0, default parameters: the
# validation loss is lowest (1.100) after epoch 2, so the loop stops after epoch 7 and
# restores weights that get 148 of 400 training samples right instead of 203, before
# most of the memorising (patience 10: stops after epoch 22, best epoch 12).
# `keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
# restore_best_weights=True)` is the same rule for `model.fit` and `fit_with_tape`.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (hard).** The table's `train_loss` is Keras' number: the mean of the batch
# losses, each taken *before* its update. For the digits run, also record
# `network.loss(x_train, y_train)` after each epoch. Which is lower, and why either way?

# %% [markdown] tags=["answer"]
# **Answer 4.** Seed 0: the after-epoch loss is lower in epochs 1–4 (1.773 against 2.035
# in epoch 1) and 9–15 (0.127 against 0.149 in epoch 15), higher in epochs 5–8 (0.618
# against 0.589 in epoch 5). The mean includes early batches measured with the older
# weights, which flatters the end-of-epoch weights while the loss falls fast; but each
# batch is measured just before a step fitted to it, and the last steps fit the last
# batches rather than the whole set. Only the after-epoch number is measured like the
# validation loss.

# %% [markdown] tags=["exercise"]
# **Exercise 5 (open-ended).** How many random labels can a network memorise per weight?
# Plot the training samples classified correctly against the number of weights for
# several `hidden_sizes`, and say what limits the count besides the weights.

# %% [markdown] tags=["answer"]
# **Answer 5.** Expect a count that rises with the weights and flattens well below 400.
# Full runs with seed 0: 243 weights give 203 right, 2 499 give 267, 4-128-64-3's 9 091
# give 276; about 133 are right by chance alone. Epochs and the learning rate limit it
# too: 4-16-8-3 after 300 epochs gets 245 right, not 203, so 100 epochs of SGD at 0.1
# have not finished memorising. Samples with nearly equal features but different labels
# need a sharply bent function, which takes many weights and many steps.
