"""The ``debugging`` lab's runs: what a recipe is, how one is trained, and where the runs are.

A **recipe** says everything a run needs: the data, whether the inputs are standardised and
the labels kept with their samples, the network, the output and its loss, the optimizer and
its schedule. ``BASE`` is a sound recipe. Each run of the lab is two recipes, the broken one
and its repair, which differ in one entry.

Which run went wrong for which reason is the lab's question, so the runs of this edition are
packed into ``debugging_runs.txt`` (written by ``python -m assignments release``), and this
module unpacks them for the lab. Reading the packed file before the reveal is reading the
answer sheet. Where that file is absent (the instructor's edition), the runs come, in their
fixed order, from the instructor's own module.
"""

import base64
import dataclasses
import json
import math
import pathlib
import zlib

import keras
import numpy as np

import datasets

RUNS_FILE = pathlib.Path(__file__).with_name("debugging_runs.txt")

BASE = {
    "data": "circles",            # Two rings: a straight line cannot separate them.
    "standardise": True,          # z = (x − mean) / std, fitted on the training part.
    "shuffle_labels": False,      # True: the labels are permuted apart from their samples.
    "hidden": [16, 16],           # ReLU layers between input and output.
    "l2": 0.0,                    # λ of the penalty λ·Σw² on every hidden kernel.
    "output": "probabilities",    # "logits": a linear output layer, same loss.
    "from_logits": False,         # What the loss is told the output is.
    "optimizer": "adam",
    "learning_rate": 0.02,
    "schedule": "cosine over the run",  # Or "constant", or "cosine over `epochs` steps".
}

# The candidate causes the students choose from, in alphabetical order. Seven of them are
# the runs' causes, one each; the others no run has, so that naming a cause is a
# diagnosis and not a matching exercise.
CANDIDATES = (
    "L2 penalty far too strong",
    "a schedule that decays to zero too early",
    "a validation set from another distribution than the training set",
    "dropout left on at evaluation",
    "inputs not standardised",
    "labels shuffled",
    "learning rate far too high",
    "logits fed to a loss that expects probabilities",
    "too few training samples for the network's size",
    "too little capacity",
    "weights initialised to zero",
)
# The candidate that the lab's section on a penalty in the reported loss is about.
STRONG_PENALTY = CANDIDATES[0]


@dataclasses.dataclass(frozen=True)
class Run:
    """One run of the lab: its letter, its cause and fix, its broken and repaired recipes."""

    letter: str
    cause: str
    fix_text: str
    broken: dict
    fixed: dict

    def recipe(self, fixed):
        return self.fixed if fixed else self.broken

    def changed(self):
        """The entries the repair changes, in the order of ``BASE``."""
        return [key for key in BASE if self.broken[key] != self.fixed[key]]

    def change_text(self):
        """What the repair changes, e.g. ``batch_size 32 → 64``."""
        return ", ".join(f"{key} {self.broken[key]!r} → {self.fixed[key]!r}"
                         for key in self.changed())


def pack(runs):
    """The text of a runs file: the runs as JSON, compressed, in base64 lines."""
    payload = json.dumps([dataclasses.asdict(run) for run in runs]).encode("utf-8")
    packed = base64.b64encode(zlib.compress(payload, 9)).decode("ascii")
    lines = [packed[start:start + 76] for start in range(0, len(packed), 76)]
    return ("# The debugging lab's runs in this edition, packed: reading them is reading the "
            "answers.\n" + "\n".join(lines) + "\n")


def unpack(text):
    """The runs of a runs file's text (``pack``'s inverse)."""
    packed = "".join(line.strip() for line in text.splitlines() if not line.startswith("#"))
    try:
        rows = json.loads(zlib.decompress(base64.b64decode(packed, validate=True)))
    except (ValueError, zlib.error) as error:
        raise ValueError(f"{RUNS_FILE.name} is damaged ({error}); release the edition "
                         "again") from None
    return [Run(**row) for row in rows]


def load_runs(path=RUNS_FILE):
    """The lab's runs from the packed file of a student edition; None where there is none
    (the instructor's edition, whose ``debugging_cases.runs`` gives them)."""
    if pathlib.Path(path).exists():
        return unpack(pathlib.Path(path).read_text(encoding="utf-8"))
    return None


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
        # Samples and labels permuted with two different permutations.
        y_train = np.random.default_rng(seed + 1).permutation(y_train)
    return (x_train, y_train), (x_val, y_val), num_classes


def build_model(recipe, n_features, num_classes, epochs, steps_per_epoch,
                steps_per_execution=None):
    """The recipe's network, compiled with its loss, accuracy (for classes) and optimizer.

    ``steps_per_execution`` (default ``steps_per_epoch``) is how many steps ``fit`` runs in
    one call of its traced loop: the same steps in the same order, without returning to
    Python after each batch. Callbacks still see every epoch's end.
    """
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
                  metrics=metrics, steps_per_execution=steps_per_execution or steps_per_epoch)
    return model


def make_optimizer(recipe, epochs, steps_per_epoch):
    """The recipe's optimizer; a cosine schedule decays from its rate to 0 over its steps."""
    rate = recipe["learning_rate"]
    if recipe["schedule"] == "cosine over the run":
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=epochs * steps_per_epoch)
    elif recipe["schedule"] == "cosine over `epochs` steps":
        # Keras counts decay_steps in optimizer steps (batches), not in epochs.
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=epochs)
    if recipe["optimizer"] == "sgd":
        return keras.optimizers.SGD(rate)
    if recipe["optimizer"] == "momentum":
        return keras.optimizers.SGD(rate, momentum=0.9)
    return keras.optimizers.Adam(rate)


def steps_per_epoch(n_train, batch_size):
    return math.ceil(n_train / batch_size)
