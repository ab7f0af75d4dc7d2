"""The broken runs of the ``debugging`` lab: each a recipe with one ingredient wrong, and its fix.

Students: this file gives the answers away. Read it after the reveal, not before.

A **recipe** says everything a run needs: the data, whether the inputs are standardised and
the labels kept with their samples, the network, the output and its loss, the optimizer and
its schedule. ``BASE`` is a sound recipe; each case changes a few of its entries to set up
its task (``setting``), then one more to break it (``broken``). Its ``fix`` sets that entry
back, and nothing else, so the repaired run differs from the broken one by exactly the cause.
"""

import dataclasses
import math

import keras
import numpy as np

import datasets

BASE = {
    "data": "circles",            # Two rings: a straight line cannot separate them.
    "standardise": True,          # z = (x − mean) / std, fitted on the training part.
    "shuffle_labels": False,      # True: the labels are shuffled apart from their samples.
    "hidden": [16, 16],           # ReLU layers between input and output.
    "l2": 0.0,                    # λ of the penalty λ·Σw² on every hidden kernel.
    "output": "probabilities",    # "logits": a linear output layer, same loss.
    "from_logits": False,         # What the loss is told the output is.
    "optimizer": "adam",
    "learning_rate": 0.02,
    "schedule": "cosine over the run",  # Or "constant", or "cosine over `epochs` steps".
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One broken run: its task, what breaks it, and the one change that repairs it."""

    letter: str
    cause: str         # The hidden cause, in a few words.
    fix_text: str      # The fix, in one sentence.
    setting: dict      # The task: entries of BASE that this case sets for both runs.
    broken: dict       # The cause: the entries that break the run.
    fix: dict          # Those entries set right.

    def recipe(self, fixed):
        return {**BASE, **self.setting, **(self.fix if fixed else self.broken)}


# The letters are in a different order from the causes' list in the lab, on purpose.
CASES = (
    Case("A", "inputs not standardised",
         "standardise the inputs with statistics of the training part "
         "(datasets.Standardizer), so that every feature has mean 0 and spread 1",
         {"data": "breast_cancer_balanced", "optimizer": "sgd", "learning_rate": 0.01,
          "schedule": "constant"},
         {"standardise": False}, {"standardise": True}),
    Case("B", "labels shuffled",
         "shuffle samples and labels together (one permutation for both), never apart",
         {}, {"shuffle_labels": True}, {"shuffle_labels": False}),
    Case("C", "learning rate far too high",
         "lower the learning rate 10× (the LR range test of lr_finder finds a safe one)",
         {"data": "linear_regression", "hidden": [], "optimizer": "sgd", "schedule": "constant"},
         {"learning_rate": 1.5}, {"learning_rate": 0.15}),
    Case("D", "logits fed to a loss that expects probabilities",
         "tell the loss what it gets: from_logits=True (or add the softmax layer)",
         {"data": "digits", "hidden": [32], "output": "logits", "optimizer": "sgd",
          "learning_rate": 0.1},
         {"from_logits": False}, {"from_logits": True}),
    Case("E", "L2 penalty far too strong",
         "divide λ by 10 000 (λ = 1e-4): a penalty should nudge the weights, not flatten them",
         {}, {"l2": 1.0}, {"l2": 1e-4}),
    Case("F", "too little capacity",
         "give the network hidden ReLU layers (16 and 16 units): rings need a curved boundary",
         {}, {"hidden": []}, {"hidden": [16, 16]}),
    Case("G", "a schedule that decays to zero too early",
         "count the schedule's decay_steps in optimizer steps, epochs × steps per epoch: "
         "Keras schedules count batches, not epochs",
         {}, {"schedule": "cosine over `epochs` steps"}, {"schedule": "cosine over the run"}),
)


def load_data(recipe, n_samples, seed):
    """``(x_train, y_train), (x_val, y_val), num_classes`` for a recipe (None for regression).

    ``n_samples`` sizes the synthetic data sets; the digits are all 1797 images.

    ``breast_cancer_balanced`` keeps all 212 malignant tumours and 212 benign ones drawn at
    random, so that guessing is right half of the time, as on the rings.
    """
    name = recipe["data"]
    if name == "breast_cancer_balanced":
        x, y = datasets.breast_cancer()
        rng = np.random.default_rng(seed)
        malignant, benign = np.flatnonzero(y == 0), np.flatnonzero(y == 1)
        keep = np.concatenate([malignant, rng.choice(benign, len(malignant), replace=False)])
        x, y, num_classes = x[keep], y[keep], 2
    elif name == "digits":
        x, y = datasets.digits()
        order = np.random.default_rng(seed).permutation(len(x))  # All 1797 images.
        x, y, num_classes = x[order], y[order], 10
    elif name == "circles":
        x, y = datasets.circles(n_samples=n_samples, noise=0.1, seed=seed)
        num_classes = 2
    else:
        x, y = datasets.load(name, n_samples=n_samples, noise=0.1, seed=seed)
        num_classes = None
    (x_train, y_train), (x_val, y_val) = datasets.train_val_split(x, y, 0.25, seed=seed)
    if recipe["standardise"]:
        scaler = datasets.Standardizer().fit(x_train)
        x_train, x_val = scaler.transform(x_train), scaler.transform(x_val)
    if recipe["shuffle_labels"]:
        # The bug: samples and labels shuffled with two different permutations.
        y_train = np.random.default_rng(seed + 1).permutation(y_train)
    return (x_train, y_train), (x_val, y_val), num_classes


def build_model(recipe, n_features, num_classes, epochs, steps_per_epoch):
    """The recipe's network, compiled with its loss, accuracy (for classes) and optimizer."""
    regularizer = keras.regularizers.L2(recipe["l2"]) if recipe["l2"] else None
    layers = [keras.Input(shape=(n_features,))]
    layers += [keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer)
               for units in recipe["hidden"]]
    logits = recipe["output"] == "logits"
    if num_classes is None:
        layers.append(keras.layers.Dense(1))
        loss, metrics = keras.losses.MeanSquaredError(), []
    elif num_classes == 2:
        layers.append(keras.layers.Dense(1, activation=None if logits else "sigmoid"))
        loss = keras.losses.BinaryCrossentropy(from_logits=recipe["from_logits"])
        # With logits, class 1 is a positive output: threshold 0 instead of 0.5.
        metrics = [keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if logits else 0.5)]
    else:
        layers.append(keras.layers.Dense(num_classes, activation=None if logits else "softmax"))
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=recipe["from_logits"])
        metrics = [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    model = keras.Sequential(layers)
    model.compile(optimizer=make_optimizer(recipe, epochs, steps_per_epoch), loss=loss,
                  metrics=metrics)
    return model


def make_optimizer(recipe, epochs, steps_per_epoch):
    """The recipe's optimizer; a cosine schedule decays from its rate to 0 over its steps."""
    rate = recipe["learning_rate"]
    if recipe["schedule"] == "cosine over the run":
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=epochs * steps_per_epoch)
    elif recipe["schedule"] == "cosine over `epochs` steps":
        # The bug: Keras counts decay_steps in optimizer steps (batches), so a schedule
        # meant to last `epochs` epochs reaches 0 after `epochs` batches.
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=epochs)
    if recipe["optimizer"] == "sgd":
        return keras.optimizers.SGD(rate)
    if recipe["optimizer"] == "momentum":
        return keras.optimizers.SGD(rate, momentum=0.9)
    return keras.optimizers.Adam(rate)


def steps_per_epoch(n_train, batch_size):
    return math.ceil(n_train / batch_size)


def change_text(case):
    """What the fix changes, e.g. ``learning_rate 1.5 → 0.15``."""
    return ", ".join(f"{key} {case.broken[key]!r} → {case.fix[key]!r}" for key in case.fix)
