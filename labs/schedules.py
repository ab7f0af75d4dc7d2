"""Learning-rate schedules: plot the seeds' four and 1cycle, then train the same model with each.

What you learn: how the four schedules of the seeds (step decay, exponential decay,
cosine annealing, warm-up + cosine) and Smith's 1cycle change the learning rate over
training; how they are written as Keras ``LearningRateSchedule`` objects that the
optimizer calls with its step counter; why our exponential decay and Keras' own
``ExponentialDecay`` give different curves for the same number; and what each
schedule does to the training curves of the same model on the same data.

Follows: seed 001 ("Learning Rate Schedules" and its figure), seed 000 (section 4,
the learning-rate table), seed 004 (the Keras map: ``tf.keras.optimizers.schedules``).
Run time: about 14 s on 2 CPU cores (about 7 s with --quick), start-up included.
"""

# %% [markdown]
# # Learning-rate schedules
#
# A fixed learning rate has to compromise: large enough to make progress early,
# small enough to settle into a minimum late. A *schedule* changes the rate as
# training goes on. The seed lists four of them; we add Smith's 1cycle. The
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
from labs import _runtime
from labs._runtime import param

lab = _runtime.start("schedules", {
    "epochs": param(100, minimum=2),                # The seed's horizon: T = 100 epochs,
                                                    # drops every 20, warm-up 10.
    "learning_rate": param(0.1, above=0),           # The seed's initial (or peak) rate.
    # SGD with momentum 0.9: the optimizer schedules were made for.
    "optimizer": param("momentum", choices=custom.optimizers.names()),
    # Our from-scratch SGD (--impl keras for keras.optimizers.SGD).
    "impl": param("custom", choices=("custom", "keras")),
    "n_samples": param(600, minimum=20),            # Three spiral arms: hard
                                                    # enough that the rate matters.
    "batch_size": param(32, minimum=1),
    "hidden_units": param(32, minimum=1),
}, quick={"epochs": 12, "n_samples": 240})   # Full run: 100 epochs on 600 samples.

# %% [markdown]
# ## The schedules, as in the seed's figure
#
# Each schedule is a class in `custom/schedules/`, with its formula in the
# docstring. With the seed's defaults (η₀ = 0.1; drop 0.5 every 20; rate 0.05;
# T = 100; warm-up 10 of 100) they are:
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
# the seed's per-epoch curves even though the optimizer calls them every batch.
# The horizon scales with `epochs`, so quick mode keeps the shapes.

# %%
epochs = lab.epochs
peak = lab.learning_rate


def make_schedules(steps_per_epoch=None):
    """The five schedules with the seed's proportions, over ``epochs`` epochs."""
    return {
        "step decay": custom.schedules.StepDecay(peak, 0.5, max(epochs // 5, 1),
                                                 steps_per_epoch=steps_per_epoch),
        "exponential decay": custom.schedules.ExponentialDecay(
            peak, 0.05 * 100 / epochs, steps_per_epoch=steps_per_epoch),
        "cosine annealing": custom.schedules.CosineAnnealing(peak, epochs,
                                                             steps_per_epoch=steps_per_epoch),
        "warm-up + cosine": custom.schedules.WarmupCosine(peak, max(epochs // 10, 1), epochs,
                                                          steps_per_epoch=steps_per_epoch),
        "1cycle": custom.schedules.OneCycle(peak, epochs, steps_per_epoch=steps_per_epoch),
    }


epoch_axis = np.arange(epochs)
curves = {name: custom.schedules.sample(schedule, epoch_axis)
          for name, schedule in make_schedules().items()}
pd.DataFrame({"epoch": epoch_axis, **curves}).to_csv(lab.path("schedules.csv"), index=False)
print(pd.DataFrame(curves, index=epoch_axis).iloc[::max(epochs // 10, 1)].round(5)
      .to_string())

# %% [markdown]
# ## Our exponential decay and Keras' `ExponentialDecay`
#
# The seed writes η₀·e^(−k·t) with k = 0.05, a *continuous rate*. Keras writes
# η₀·r^(t / decay_steps), where r is the *factor kept* per `decay_steps` steps.
# They draw the same curve when r = e^(−k·decay_steps): `ExponentialDecay(0.1,
# decay_steps=1, decay_rate=e^(−0.05) ≈ 0.951)`. Passing the seed's 0.05 to Keras
# as `decay_rate` keeps only 5 % of the rate each step, and training stops dead.
# Seed 004's `decay_rate=0.96, decay_steps=100000` is a third reading: 4 % less
# every 100 000 steps, nearly constant over a short run.

# %%
rate = 0.05 * 100 / epochs
exponential_forms = {
    "ours: η₀·e^(−k·t), k = %.3g" % rate: make_schedules()["exponential decay"],
    "Keras, decay_rate = e^(−k) = %.4f" % math.exp(-rate):
        keras.optimizers.schedules.ExponentialDecay(peak, decay_steps=1,
                                                    decay_rate=math.exp(-rate)),
    "Keras, decay_rate = %.3g (the seed's number)" % rate:
        keras.optimizers.schedules.ExponentialDecay(peak, decay_steps=1, decay_rate=rate),
    "Keras, seed 004: 0.96 per 100 000 steps":
        keras.optimizers.schedules.ExponentialDecay(peak, decay_steps=100000, decay_rate=0.96),
}
exponential_curves = {name: custom.schedules.sample(schedule, epoch_axis)
                      for name, schedule in exponential_forms.items()}
gap = np.max(np.abs(list(exponential_curves.values())[0] - list(exponential_curves.values())[1]))
print(f"largest gap between ours and Keras at the equivalent rate: {gap:.2e}")

figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.6))
colors = {"constant": "black", **{name: f"C{index}" for index, name in enumerate(curves)}}
for name, values in curves.items():
    left.plot(epoch_axis, values, linewidth=2, color=colors[name], label=name)
left.set_xlabel("epoch")
left.set_ylabel("learning rate")
left.set_title("Common learning-rate schedules (seed 001)")
left.grid(True, alpha=0.3)
left.legend()
for (name, values), style in zip(exponential_curves.items(), ["-", "--", ":", "-."]):
    right.plot(epoch_axis, values, style, linewidth=2, label=name)
right.set_yscale("log")
right.set_xlabel("step (here: epoch)")
right.set_ylabel("learning rate (log scale)")
right.set_title("one exponential decay, three readings of decay_rate")
right.grid(True, alpha=0.3)
right.legend(fontsize=8)
lab.save_figure(figure, "schedules.png")

# %% [markdown]
# ## Training the same model with each schedule
#
# The same 2-32-32-3 network, the same initial weights, the same batches, and the
# same optimizer: only the schedule changes. A constant rate η₀ is the baseline.
# A small callback records the rate the optimizer actually used in each epoch,
# read through `callbacks.current_learning_rate`, to show the schedules really act.

# %%
x, y = datasets.spirals(n_samples=lab.n_samples, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.25, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
steps_per_epoch = math.ceil(len(x_train) / lab.batch_size)
# A tf.data pipeline with a fixed shuffle seed: every run sees the same batches, and
# fit skips re-wrapping the arrays each epoch (about twice as fast on small data).
train_batches = datasets.make_dataset(x_train, y_train, lab.batch_size, seed=lab.seed)

keras.utils.set_random_seed(lab.seed)
template = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])
initial_weights = template.get_weights()


class RecordRate(keras.callbacks.Callback):
    """The learning rate at the start of each epoch."""

    def on_train_begin(self, logs=None):
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(callbacks.current_learning_rate(self.model.optimizer))


runs = {"constant": peak, **make_schedules(steps_per_epoch)}
live = callbacks.LivePlot(title="one model, six schedules")  # Curves while they train.
histories, used_rates, rows = {}, {}, []
for name, learning_rate in runs.items():
    model = keras.models.clone_model(template)
    model.set_weights(initial_weights)
    optimizer = custom.optimizers.get(lab.optimizer, implementation=lab.impl,
                                      learning_rate=learning_rate)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    record = RecordRate()
    history = model.fit(train_batches, epochs=epochs, shuffle=False, verbose=0,
                        callbacks=[record, live.run(name)])
    histories[name], used_rates[name] = history.history, record.rates
    probabilities = model(x_val)                           # (n_val, 3), no tracing needed
    validation_loss = float(keras.ops.mean(
        keras.losses.sparse_categorical_crossentropy(y_val, probabilities)))
    validation_accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y_val))
    rows.append({"schedule": name, "final train loss": history.history["loss"][-1],
                 "final train accuracy": history.history["accuracy"][-1],
                 "val loss": validation_loss, "val accuracy": validation_accuracy})

results = pd.DataFrame(rows).set_index("schedule")
results.to_csv(lab.path("training.csv"))
print(results.round(4).to_string())
for name in curves:   # What fit used is what we plotted.
    np.testing.assert_allclose(used_rates[name], curves[name], rtol=1e-6, atol=1e-12)

# %% [markdown]
# ## What the curves say
#
# Read the three panels together (validation numbers are in the table above,
# measured once at the end). The rates that fit used (left) are the schedules
# plotted earlier, checked to 1e-6. In the full 100-epoch run, the constant rate
# never settles: its loss keeps jumping by an order of magnitude up to the last
# epoch. Every schedule that lowers the rate ends quieter and lower. Exponential
# decay drops the rate so early that its loss flattens at a higher level than the
# others, while cosine, warm-up + cosine and 1cycle, which keep a large rate for
# longer and then anneal it to nearly 0, end lowest. Step decay calms down in
# stages, one at each drop. With `--quick` (12 epochs) the run is too short for
# the constant rate's noise to hurt, so there it can even come out ahead. The
# exact numbers vary a little with threads, but the picture does not.
# %%
figure, (rates_axis, loss_axis, accuracy_axis) = plt.subplots(1, 3, figsize=(16, 4.6))
for name in runs:
    epochs_axis = np.arange(1, epochs + 1)
    style = dict(color=colors[name], linestyle="--" if name == "constant" else "-", label=name)
    rates_axis.plot(epochs_axis, used_rates[name], **style)
    loss_axis.plot(epochs_axis, histories[name]["loss"], **style)
    accuracy_axis.plot(epochs_axis, histories[name]["accuracy"], **style)
for axis, label, title in [(rates_axis, "learning rate used", "the rate fit used"),
                           (loss_axis, "training loss", "training loss (log scale)"),
                           (accuracy_axis, "training accuracy", "training accuracy")]:
    axis.set_xlabel("epoch")
    axis.set_ylabel(label)
    axis.set_title(title)
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8)
loss_axis.set_yscale("log")
lab.save_figure(figure, "training.png")
lab.finish()
