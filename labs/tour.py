"""The tour: train a small network on two moons and read what it learned.

What you learn: the shape of every lab in this module. A seeded data set is
split and standardised, a Keras model is trained with ``model.fit``, and its
learning curves and decision boundary are saved as figures.

Follows: seed 000 ("Chapter 3: Learning Algorithms"), sections 1 and 5.
Run time: about 15 s on 2 CPU cores (about 10 s with --quick).
"""

# %% [markdown]
# # The tour
#
# Every lab in this module starts the same way: one block of hyperparameters,
# each with its reason. Flags override them (`python -m labs tour --epochs 5`),
# and quick mode (`--quick`, or `LABS_QUICK=1`) shrinks them for tests.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import datasets
from labs import _plots, _runtime

lab = _runtime.start("tour", {
    "n_samples": 600,        # Two moons is easy to see and hard for a straight line.
    "noise": 0.2,            # Enough overlap that 100 % validation accuracy is out of reach.
    "hidden_units": 16,      # One hidden layer of 16 ReLU units bends the boundary enough.
    "epochs": 60,            # The curves have flattened by then.
    "batch_size": 32,
    "learning_rate": 0.01,   # Adam with a rate a little above its default trains in seconds.
}, quick={"n_samples": 200, "epochs": 10})

# %% [markdown]
# ## The data
#
# `datasets.two_moons` is deterministic for a given seed. We hold out 25 % for
# validation and standardise with statistics of the training part only, so that
# nothing about the validation set leaks into training.

# %%
x, y = datasets.two_moons(n_samples=lab.n_samples, noise=lab.noise, seed=lab.seed)
(x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.25, seed=lab.seed)
scaler = datasets.Standardizer().fit(x_train)
x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
print(f"train {x_train.shape}, validation {x_val.shape}")  # (n, 2) each

# %% [markdown]
# ## The model and its training
#
# A 2-16-1 network: one ReLU hidden layer and a sigmoid output that gives
# P(class 1). Binary cross-entropy is the loss; Adam is the optimizer.

# %%
model = keras.Sequential([
    keras.Input(shape=(2,)),
    keras.layers.Dense(lab.hidden_units, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer=keras.optimizers.Adam(lab.learning_rate),
              loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, validation_data=(x_val, y_val),
                    epochs=lab.epochs, batch_size=lab.batch_size, verbose=0)
final = {key: values[-1] for key, values in history.history.items()}
print("final epoch: " + ", ".join(f"{key} {value:.3f}" for key, value in final.items()))

# %% [markdown]
# ## What it learned
#
# The learning curves show loss falling on both parts; the decision boundary
# shows the bent line that a single hidden layer can draw.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
_plots.learning_curves(left, history, title="two moons: binary cross-entropy")
_plots.decision_boundary(right, lambda points: model.predict(points, verbose=0), x_val, y_val,
                         title=f"validation accuracy {final['val_accuracy']:.1%}")
lab.save_figure(figure, "tour.png")
lab.finish()
