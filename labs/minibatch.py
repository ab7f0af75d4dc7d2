"""Mini-batches: the same network trained with batch sizes 1, 8, 32, 128 and the full batch.

What you learn: how the seed's mini-batch generator (``custom/minibatches.py``)
cuts an epoch into updates; why batch size 1 makes many noisy updates and the
full batch makes one exact one; what that means for the loss per epoch, per
update and per second; and why a framework like Keras makes tiny batches slow.

Follows: seed 000 ("Chapter 3: Learning Algorithms"), section 3 and exercise 4.
Run time: about 10 s on 2 CPU cores (about 6 s with --quick), start-up included.
"""

# %% [markdown]
# # Mini-batch gradient descent
#
# One epoch shows every training sample once. How many *updates* it makes
# depends on the batch size B: ⌈n / B⌉ of them. The seed's table:
#
# | batch size | name | gradient | updates per epoch |
# |---|---|---|---|
# | 1 | stochastic gradient descent | very noisy | n |
# | 32 to 256 | mini-batch | a good balance | n / B |
# | n | batch gradient descent | exact | 1 |
#
# Seed exercise 4 asks: train the same network with batch sizes 1, 8, 32, 128
# and the full batch; plot the training loss, measure the seconds per epoch and
# compare the final validation accuracy. We do exactly that with the NumPy
# network from `custom.numpy_net` and the generator from `custom.minibatches`.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas

import callbacks
import datasets
from custom import minibatches, numpy_training
from custom.numpy_net import Network
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("minibatch", {
    "n_train": param(1000, minimum=10),             # Digits to train on: 1000 updates
                                                    # an epoch at batch size 1.
    # The full batch is always added as the last one.
    "batch_sizes": param([1, 8, 32, 128], minimum=1),
    "epochs": param(20, minimum=1),                 # The full batch makes only 20 updates in all.
    "learning_rate": param(0.05, above=0),          # One plain-SGD rate for every
                                                    # batch size, as the seed does.
    "hidden_units": param(32, minimum=1),           # A 64-32-10 network.
    "keras_epochs": param(2, minimum=1),            # Timed epochs of model.fit per
                                                    # batch size (after a warm-up).
}, quick={"n_train": 300, "epochs": 6, "keras_epochs": 1})
# Full run: 1000 training samples, 20 epochs, 2 timed Keras epochs.

# %% [markdown]
# ## The generator
#
# `create_batches` draws one permutation of the samples per call and cuts it into
# slices. With 100 samples and B = 32 there are four batches, and the last one
# holds the 4 left over: it is smaller, not dropped.

# %%
demo_x, demo_y = np.zeros((100, 4)), np.zeros(100)
sizes = [len(x_batch) for x_batch, _ in minibatches.create_batches(demo_x, demo_y, 32)]
print(f"100 samples, batch size 32 → batch sizes {sizes}")

# %% [markdown]
# ## The data
#
# scikit-learn's 8×8 digits (offline), 64 pixels in [0, 1] per image, 10 classes.

# %%
x, y = datasets.load("digits")
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.3, seed=lab.seed,
                                                              stratify=True)
x_train, y_train = x_train[:lab.n_train], y_train[:lab.n_train]
batch_sizes = list(lab.batch_sizes) + [len(x_train)]        # … and the full batch
print(f"train {x_train.shape}, validation {x_val.shape}; batch sizes {batch_sizes}")

# %% [markdown]
# ## The experiment
#
# Every run starts from the same weights and sees the same sequence of shuffles.
# Each epoch is `custom.numpy_training.train_epoch`: for each batch, forward,
# backward, θ ← θ − η·g. After each epoch we evaluate the loss of the network
# *as it stands* on the whole training set (not the running mean over the epoch
# that `train_epoch` and Keras report, which for the full batch would be the
# loss before the epoch's only update), and keep the time the epoch took.

# %%
def train(batch_size, live_run):
    """NumPy training; ``live_run`` is a Keras callback whose hooks it calls as fit would."""
    network = Network([x.shape[1], lab.hidden_units, 10], output="softmax", seed=lab.seed)
    order = np.random.default_rng(lab.seed)                     # A new order every epoch.
    record = {"loss": [], "seconds": [], "updates": []}
    updates = 0
    live_run.set_params({"epochs": lab.epochs})
    live_run.on_train_begin()
    for epoch in range(lab.epochs):
        started = time.perf_counter()
        result = numpy_training.train_epoch(network, x_train, y_train, batch_size,
                                            lab.learning_rate, seed=order)
        record["seconds"].append(time.perf_counter() - started)
        updates += len(result.step_losses)                      # one update per batch
        record["loss"].append(network.loss(x_train, y_train))   # whole training set, now
        record["updates"].append(updates)
        live_run.on_epoch_end(epoch, {"loss": record["loss"][-1]})  # Outside the timing.
    live_run.on_train_end()
    predictions = network.predict(x_val).argmax(axis=1)
    record["val_accuracy"] = float(np.mean(predictions == y_val))
    return record


live = callbacks.LivePlot(title="batch sizes, NumPy")  # The curves while they train.
records = {batch_size: train(batch_size, live.run(f"B = {batch_size}"))
           for batch_size in batch_sizes}

rows = [{"batch_size": batch_size,
         "updates_per_epoch": minibatches.number_of_batches(len(x_train), batch_size),
         "numpy_seconds_per_epoch": float(np.median(record["seconds"])),
         "final_train_loss": record["loss"][-1],
         "val_accuracy": record["val_accuracy"]}
        for batch_size, record in records.items()]

# %% [markdown]
# ## The same batch sizes in Keras
#
# NumPy spends almost nothing per update, so its time per epoch mostly follows the
# arithmetic. Keras adds a fixed cost to every step (running the compiled step,
# updating metrics, calling callbacks), so with B = 1 that cost is paid n times an
# epoch. We time `keras_epochs` epochs of `model.fit` per batch size on the same
# training set, after one untimed epoch that builds the compiled step.

# %%
live = callbacks.LivePlot(title="model.fit warm-up epochs")  # Progress, outside the timing.
for row in rows:
    batch_size = row["batch_size"]
    keras.utils.set_random_seed(lab.seed)
    model = keras.Sequential([keras.Input((x.shape[1],)),
                              keras.layers.Dense(lab.hidden_units, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(lab.learning_rate),
                  loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, batch_size=batch_size, epochs=1, verbose=0,   # warm-up
              callbacks=[live.run(f"B = {batch_size}")])
    started = time.perf_counter()
    model.fit(x_train, y_train, batch_size=batch_size, epochs=lab.keras_epochs, verbose=0)
    row["keras_seconds_per_epoch"] = (time.perf_counter() - started) / lab.keras_epochs

table = pandas.DataFrame(rows)
table.to_csv(lab.path("minibatch.csv"), index=False)
print()
print(table.to_string(index=False, float_format=lambda value: f"{value:.4f}"))

# %% [markdown]
# ## Reading the figure
#
# Per *epoch* (left), small batches win: they make many updates for one pass
# over the data. Per *update* (middle), big batches win: each of their steps
# follows a better estimate of the true gradient. Per *second* (right), the
# middle ground wins: B = 1 pays the per-step cost n times, and in Keras that
# cost is large. That is why 32 to 256 is the usual choice. The table's final
# validation accuracy tells the same story: the full batch, with one update per
# epoch, has barely started. Seconds are measured, not computed: on a busy or
# shared machine they vary from run to run by tens of percent, so read the
# ratios between batch sizes rather than the numbers themselves.

# %%
figure, (by_epoch, by_update, by_time) = plt.subplots(1, 3, figsize=(15, 4.2))
for batch_size, record in records.items():
    label = f"B = {batch_size}" + (" (full)" if batch_size == len(x_train) else "")
    epochs = np.arange(1, lab.epochs + 1)
    by_epoch.plot(epochs, record["loss"], marker=".", label=label)
    by_update.plot(record["updates"], record["loss"], marker=".", label=label)
by_epoch.set_xlabel("epoch")
by_epoch.set_title("training loss per epoch")
by_update.set_xscale("log")
by_update.set_xlabel("updates so far (log scale)")
by_update.set_title("training loss per update")
for axes in (by_epoch, by_update):
    axes.set_ylabel("cross-entropy on the training set")
    axes.legend()
positions = np.arange(len(table))
by_time.bar(positions - 0.2, table["numpy_seconds_per_epoch"], 0.4, label="NumPy network")
by_time.bar(positions + 0.2, table["keras_seconds_per_epoch"], 0.4, label="Keras model.fit")
by_time.set_xticks(positions, [str(size) for size in table["batch_size"]])
by_time.set_yscale("log")
by_time.set_xlabel("batch size")
by_time.set_ylabel("seconds per epoch (log scale)")
by_time.set_title("wall-clock time per epoch")
by_time.legend()
lab.save_figure(figure, "minibatch.png")
lab.finish()
