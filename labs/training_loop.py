"""The complete training loop: the 4-16-8-3 network by hand, with fit_with_tape and with model.fit.

What you learn: every step of a training loop (shuffle, batch, forward, loss,
backward, update, evaluate); that the seed's synthetic data has random labels,
so a network can only memorise it; and that the same algorithm written three
ways (NumPy by hand, ``custom.training.fit_with_tape``, ``model.fit``) gives the
same curves on real data when it starts from the same weights and sees the same
batches.

Follows: seed 000 ("Chapter 3: Learning Algorithms"), section 5.3.
Run time: about 8 s on 2 CPU cores (about 6 s with --quick), start-up included.
"""

# %% [markdown]
# # The complete training loop
#
# Seed 000 ends with a `SimpleNetwork([4, 16, 8, 3])` trained for 100 epochs of
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
from custom.numpy_net import Network
from custom.training import fit_with_tape
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("training_loop", {
    "hidden_sizes": param([16, 8], minimum=1),  # The seed's two hidden layers.
    "epochs": param(100, minimum=1),            # The seed's 100 epochs on random labels.
    "real_epochs": param(15, minimum=1),        # Digits: enough for about
                                                # 90 % validation accuracy.
    "batch_size": param(32, minimum=1),         # The seed's batch size.
    "learning_rate": param(0.1, above=0),       # The seed's learning rate, plain SGD.
}, quick={"epochs": 30, "real_epochs": 3})  # Full run: 100 and 15 epochs.

# %% [markdown]
# ## The loop by hand, in NumPy
#
# `custom.numpy_training.train_epoch` runs one epoch of the seed's loop for the
# NumPy network: for each shuffled batch, forward, loss, backward, θ ← θ − η·g.
# Like Keras, it reports as the epoch's training loss (and accuracy) the mean
# over the batches seen during that epoch, each measured before its update and
# weighted by its size. The validation set is evaluated after the epoch.

# %%
def train_by_hand(network, x_train, y_train, x_val, y_val, epochs, live_run, shuffle=True):
    """The seed's loop; ``live_run`` is a Keras callback whose hooks it calls as fit would."""
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
# ## The seed's data: labels drawn at random
#
# `datasets.random_labels` makes the seed's data: the features are Gaussian and
# each label is drawn independently of them. There is no rule to find, so the
# best a network can do on new samples is guess: 1/3 accuracy. What it *can* do
# is memorise the 400 training samples one by one. Watch the training accuracy
# climb above chance while the validation accuracy stays there and the
# validation loss rises: that is pure memorisation. How far it climbs depends on
# how many weights the network has to memorise with: 4-16-8-3 has only 243, so
# after 100 epochs it remembers about half of the 400 samples.

# %%
x, y = datasets.random_labels(n_samples=500, n_features=4, n_classes=3, seed=lab.seed)
split = int(0.8 * len(x))                                   # the seed's 80 / 20 split
random_network = Network([4, *lab.hidden_sizes, 3], output="softmax", seed=lab.seed)
random_history = train_by_hand(random_network, x[:split], y[:split], x[split:], y[split:],
                               lab.epochs, callbacks.LivePlot(title="random labels").run("NumPy"))
print(f"random labels after {lab.epochs} epochs: train accuracy "
      f"{random_history['accuracy'][-1]:.1%}, validation accuracy "
      f"{random_history['val_accuracy'][-1]:.1%} (chance: 33.3%)")

# %% [markdown]
# ## Real data, three ways
#
# The 8×8 digits have 64 pixels and 10 classes, so the network becomes
# 64-16-8-10: the seed's hidden layers with the data's own input and output.
# We train it three times from the *same* initial weights (copied from the NumPy
# network into two Keras models) and without shuffling, so that all three see
# the same batches in the same order:
#
# 1. by hand in NumPy (the function above);
# 2. `fit_with_tape`, our `tf.GradientTape` loop, which does what `fit` does;
# 3. Keras' own `model.fit`.
#
# If the three agree, the hand-written backward pass, the tape and Keras all
# compute the same algorithm. Any remaining difference is float32 (Keras)
# against float64 (NumPy) round-off.

# %%
x, y = datasets.load("digits")
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.3, seed=lab.seed,
                                                              stratify=True)
sizes = [x.shape[1], *lab.hidden_sizes, 10]
by_hand = Network(sizes, output="softmax", seed=lab.seed)
initial_weights = by_hand.get_weights()


def keras_copy():
    model = keras.Sequential([keras.Input((sizes[0],))]
                             + [keras.layers.Dense(units, activation="relu")
                                for units in sizes[1:-1]]
                             + [keras.layers.Dense(sizes[-1], activation="softmax")])
    model.set_weights(initial_weights)
    model.compile(optimizer=keras.optimizers.SGD(lab.learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


live = callbacks.LivePlot(title="digits, three loops")  # The curves while they train.
histories = {"NumPy by hand": train_by_hand(by_hand, x_train, y_train, x_val, y_val,
                                            lab.real_epochs, live.run("NumPy"), shuffle=False)}
histories["fit_with_tape"] = fit_with_tape(
    keras_copy(), x_train, y_train, batch_size=lab.batch_size, epochs=lab.real_epochs,
    validation_data=(x_val, y_val), shuffle=False, verbose=0,
    callbacks=[live.run("fit_with_tape")]).history
histories["model.fit"] = keras_copy().fit(
    x_train, y_train, batch_size=lab.batch_size, epochs=lab.real_epochs,
    validation_data=(x_val, y_val), shuffle=False, verbose=0,
    callbacks=[live.run("model.fit")]).history

rows = []
for name, history in histories.items():
    rows.append({"data": "digits", "way": name, "epochs": lab.real_epochs,
                 "train_loss": history["loss"][-1], "train_accuracy": history["accuracy"][-1],
                 "val_loss": history["val_loss"][-1],
                 "val_accuracy": history["val_accuracy"][-1]})
rows.append({"data": "random labels", "way": "NumPy by hand", "epochs": lab.epochs,
             "train_loss": random_history["loss"][-1],
             "train_accuracy": random_history["accuracy"][-1],
             "val_loss": random_history["val_loss"][-1],
             "val_accuracy": random_history["val_accuracy"][-1]})
table = pandas.DataFrame(rows)
table.to_csv(lab.path("training_loop.csv"), index=False)
print()
print(table.to_string(index=False, float_format=lambda value: f"{value:.4f}"))
largest_gap = max(abs(a - b) for a, b in zip(histories["NumPy by hand"]["val_loss"],
                                             histories["model.fit"]["val_loss"]))
print(f"\nlargest |val_loss(NumPy) − val_loss(model.fit)| over the epochs: {largest_gap:.2e}")

# %% [markdown]
# ## The figure
#
# Left: the seed's random labels. Training accuracy rises far above chance,
# validation accuracy does not move from it: memorising is not learning.
# Middle and right: on digits the three implementations draw one curve each, on
# top of each other, and training and validation improve together, because here
# there is a rule to learn.

# %%
figure, (memorise, losses, accuracies) = plt.subplots(1, 3, figsize=(15, 4.2))
epochs = np.arange(1, lab.epochs + 1)
memorise.plot(epochs, random_history["accuracy"], label="train accuracy")
memorise.plot(epochs, random_history["val_accuracy"], "--", label="val accuracy")
memorise.axhline(1 / 3, color="grey", linestyle=":", label="chance, 1/3")
memorise.set_xlabel("epoch")
memorise.set_ylabel("accuracy")
memorise.set_title("seed data (random labels): memorising")
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
