"""Normalization: batch norm from scratch, over a range of learning rates, and against layer norm.

What you learn: what batch normalization computes in training and at inference (the
batch's statistics, then moving averages), written from scratch in
``custom/layers/batch_normalization.py`` and equal to Keras' layer; that it makes a
sample's output depend on the rest of its batch; over which learning rates the same deep
network trains with and without it; and how batch norm and layer norm compare when
batches are tiny. With ``impl = "custom"`` (the default) the lab also checks your NumPy
backward pass (the ``batchnorm`` assignment) against ``tf.GradientTape``.

Follows: "Chapter 3: Learning Algorithms", whose preview names Batch Normalization next.
Run time: about 20 s on 2 CPU cores (about 14 s with --quick), start-up included.
"""

# %% [markdown]
# # Normalization
#
# "Learning Algorithms" ends by naming the next tools for stable training, Batch
# Normalization among them. A deep network's layers each see inputs whose scale and
# offset keep changing as the layers before them learn; batch normalization re-centres
# and re-scales every feature of a layer's input, so that each layer sees values of a
# steady size. For a batch of m samples, feature by feature:
#
# | step | training mode | inference mode |
# |---|---|---|
# | mean | μ_B = (1/m)·Σ x | the moving mean μ_run |
# | variance | σ²_B = (1/m)·Σ (x − μ_B)² | the moving variance σ²_run |
# | normalize | x̂ = (x − μ_B) / √(σ²_B + ε) | x̂ = (x − μ_run) / √(σ²_run + ε) |
# | scale and shift | y = γ·x̂ + β | y = γ·x̂ + β |
# | bookkeeping | μ_run ← p·μ_run + (1 − p)·μ_B, and σ²_run likewise | nothing changes |
#
# γ and β are trained like any weight; μ_run and σ²_run are not trained, only averaged,
# with Keras' momentum p = 0.99 by default (0.9 here, so that a short run settles).
# Keras keeps the biased σ²_B (divided by m) in its moving variance, as we do; the paper
# and PyTorch keep m/(m − 1)·σ²_B. ε (1e-3 in Keras) keeps x̂ finite when a feature is
# constant over the batch.
#
# Layer normalization computes the same x̂ with the mean and variance over the *features*
# of each sample instead of over the batch: it needs no batch, and behaves the same in
# training and at inference.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import callbacks
import custom.layers
import datasets
from labs.helpers import normalization as report
from labs.machinery import runtime, twins
from labs.machinery.runtime import param

lab = runtime.start("normalization", {
    "n_train": param(1200, minimum=64),           # Digits to train on; the other 597 validate.
    "depth": param(6, minimum=1),                 # Six hidden ReLU layers: deep enough for
                                                  # the learning rate to matter a lot.
    "width": param(64, minimum=1),                # Units per hidden layer.
    "learning_rates": param([0.01, 0.03, 0.1, 0.3, 1.0, 3.0], above=0),  # Plain SGD's η.
    "epochs": param(5, minimum=1),                # Per learning rate: 38 batches of 32 each.
    "batch_size": param(32, minimum=2),
    "momentum": param(0.9, minimum=0, below=1),   # p of the moving averages (Keras: 0.99).
    "tiny_batch": param(2, minimum=2),            # The batch size of the last comparison.
    "tiny_batch_samples": param(600, minimum=4),  # Samples it trains on, one epoch each:
    "tiny_batch_epochs": param(2, minimum=1),     # 300 steps of 2 per epoch.
    "tiny_batch_rate": param(0.03, above=0),
    # custom: our BatchNormalization (and your NumPy batchnorm task); keras: the built-in.
    "impl": param("custom", choices=custom.layers.IMPLEMENTATIONS),
}, quick={"learning_rates": [0.03, 0.3, 3.0], "epochs": 3, "tiny_batch_samples": 300,
          "tiny_batch_epochs": 1})   # Full run: six rates, 5 epochs, 600 samples twice.

# The lesson's fixed values: edit them here (they are not flags).
HIDDEN_MEAN, HIDDEN_SPREAD = 3.0, 2.0   # The test batch: far from mean 0 and variance 1.
EPSILON = 1e-3             # Keras' BatchNormalization ε, for the NumPy backward pass too.
LAYER_TOLERANCE = 1e-5     # Ours against Keras' layer: float32 round-off is about 1e-6.
VALIDATION_BATCH = 1024    # Validation in one batch: it runs in inference mode (the moving
                           # averages, no update), so its batch size changes nothing.
BACKWARD_TOLERANCE = 1e-7  # NumPy backward against tf.GradientTape, both in float64.
SAME_OUTPUT = 1e-6         # Outputs closer than this are the same to float32 rounding.
CLASSES = 10               # Ten digits, ten logits.

# %% [markdown]
# ## The data
#
# scikit-learn's 8×8 handwritten digits (bundled, offline), pixels scaled to [0, 1]:
# ten classes, so a network that has learned nothing has a cross-entropy of ln 10 ≈ 2.30.

# %%
x, y = datasets.digits()
order = np.random.default_rng(lab.seed).permutation(len(x))
x, y = x[order], y[order]
lab.require(lab.n_train < len(x) - 10, f"n_train must be below {len(x) - 10}, got {lab.n_train}")
lab.require(lab.tiny_batch_samples <= lab.n_train,
            f"tiny_batch_samples must be at most n_train = {lab.n_train}")
x_train, y_train = x[:lab.n_train], y[:lab.n_train]          # (n_train, 64), (n_train,)
x_val, y_val = x[lab.n_train:], y[lab.n_train:]              # (rest, 64), (rest,)
print(f"train {x_train.shape}, validation {x_val.shape}")
# The validation samples in batches of VALIDATION_BATCH, as a tf.data pipeline: fit reads it
# at far less cost than arrays.
validation = datasets.make_dataset(x_val, y_val, VALIDATION_BATCH, shuffle=False)

# %% [markdown]
# ## Our layer equals Keras' layer
#
# Both layers get the same γ, β, moving mean and moving variance, and the same batch.
# In training mode they must give the same output and move their moving averages the
# same way; in inference mode, the same output from those averages. Float32 round-off
# is about 1e-6 on values of this size; the lab checks `LAYER_TOLERANCE` (1e-5).

# %%
rng = np.random.default_rng(lab.seed)
hidden = (HIDDEN_MEAN + HIDDEN_SPREAD * rng.standard_normal((lab.batch_size, lab.width))
          ).astype("float32")                                # (batch, width)
start_weights = [rng.standard_normal(lab.width).astype("float32") for _ in range(3)] \
    + [rng.uniform(0.5, 2.0, lab.width).astype("float32")]   # γ, β, μ_run, σ²_run
ours = custom.layers.get("batch_normalization", "custom", momentum=lab.momentum)
theirs = custom.layers.get("batch_normalization", "keras", momentum=lab.momentum)
ours.build((None, lab.width))
theirs.build((None, lab.width))
for mode in ("training", "inference"):
    output_gap, weight_gap = report.layer_differences(ours, theirs, hidden, start_weights,
                                                      training=mode == "training")
    lab.agreement(f"keras_{mode}", f"Our BatchNormalization and Keras', {mode} mode "
                  f"(outputs {output_gap:.1e}, weights {weight_gap:.1e})",
                  max(output_gap, weight_gap), LAYER_TOLERANCE,
                  output_difference=output_gap, weight_difference=weight_gap)

# %% [markdown]
# ## Your backward pass, by hand
#
# The `batchnorm` assignment writes the same layer in NumPy, forward and backward
# (`custom/numpy_batchnorm.py`): dx has three terms, one through x̂ directly, one through
# the mean and one through the variance, because μ_B and σ²_B depend on every sample of
# the batch. Here your dx, dγ and dβ meet `tf.GradientTape` through Keras' layer, in
# float64. (With `impl = "keras"`, `--impl keras` in a terminal, this part is skipped.)

# %%
if lab.impl == "custom" and twins.available(
        "batchnorm", "the comparison of your NumPy backward pass with tf.GradientTape"):
    upstream = rng.standard_normal(hidden.shape)                     # dL/dy (batch, width)
    gaps = report.backward_against_tape(hidden.astype(float), upstream,
                                        start_weights[0].astype(float),   # γ
                                        start_weights[1].astype(float),   # β
                                        lab.momentum, EPSILON)
    lab.agreement("numpy_backward", "Your NumPy backward pass and tf.GradientTape ("
                  + ", ".join(f"{name} {gap:.1e}" for name, gap in gaps.items()) + ")",
                  max(gaps.values()), BACKWARD_TOLERANCE, differences=gaps)

# %% [markdown]
# ## Does a sample's output depend on its batch?
#
# In training mode, μ_B and σ²_B come from the batch. In inference mode the layer uses
# its moving averages instead, numbers fixed before the batch arrives.

# %% [markdown] tags=["prediction"]
# **Predict 1.** Put the same sample in two batches of `batch_size` samples that have only
# that sample in common. In which mode will its two outputs differ by more than float32
# rounding (1e-6)?
# - (a) in neither mode
# - (b) in training mode only
# - (c) in inference mode only
# - (d) in both modes

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b", "c" or "d"

# %%
layer = custom.layers.get("batch_normalization", lab.impl, momentum=lab.momentum)
layer.build((None, lab.width))
layer.set_weights(start_weights)
other = (HIDDEN_MEAN + HIDDEN_SPREAD * rng.standard_normal(hidden.shape)).astype("float32")
other[0] = hidden[0]                                          # The same first sample.
gap_by_mode = {}
for mode in ("training", "inference"):
    first = np.asarray(layer(hidden, training=mode == "training"))[0]
    second = np.asarray(layer(other, training=mode == "training"))[0]
    gap_by_mode[mode] = float(np.abs(first - second).max())
lab.reveal(1, f"in training mode the sample's outputs differ by up to "
              f"{gap_by_mode['training']:.3g}; in inference mode by "
              f"{gap_by_mode['inference']:.3g}",
           answer={(False, False): "a", (True, False): "b", (False, True): "c",
                   (True, True): "d"}[gap_by_mode["training"] > SAME_OUTPUT,
                                      gap_by_mode["inference"] > SAME_OUTPUT],
           differences=gap_by_mode, same_output=SAME_OUTPUT)

# %% [markdown]
# ## The same network over a range of learning rates
#
# A 64-64-…-64-10 ReLU network with `depth` hidden layers, trained with plain SGD for
# `epochs` epochs at each learning rate, twice: without normalization, and with batch
# normalization after every hidden layer's Dense (which then needs no bias: β takes its
# place). Each rate starts from the same weights. A run's verdict is computed from its
# training loss, against the loss L₀ of the untrained network:
#
# * **trains**: the last epoch's loss is below L₀ / 2;
# * **diverges**: the last loss is not a finite number, or is above L₀;
# * **stalls**: anything in between.

# %% [markdown] tags=["prediction"]
# **Predict 2.** Over the learning rates `learning_rates`, which network will train (the
# verdict **trains**) at more of them?
# - (a) the network without normalization
# - (b) the network with batch normalization
# - (c) both at the same number of rates

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b" or "c"

# %%
def network(normalization):
    """The network with no normalization, "batch" (custom or Keras, by --impl) or "layer"."""
    keras.utils.set_random_seed(lab.seed)            # The same Dense weights every time.
    layers = [keras.Input((x.shape[1],))]
    for _ in range(lab.depth):
        layers.append(keras.layers.Dense(lab.width, use_bias=normalization is None))
        if normalization == "batch":
            layers.append(custom.layers.get("batch_normalization", lab.impl,
                                            momentum=lab.momentum))
        elif normalization == "layer":
            layers.append(keras.layers.LayerNormalization())
        layers.append(keras.layers.Activation("relu"))
    layers.append(keras.layers.Dense(CLASSES))       # One logit per class.
    return keras.Sequential(layers, name=normalization or "plain")


def verdict(initial_loss, final_loss):
    """trains, stalls or diverges, by the rule above."""
    if not np.isfinite(final_loss) or final_loss > initial_loss:
        return "diverges"
    return "trains" if final_loss < initial_loss / 2 else "stalls"


loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
sweep = {}
for normalization in (None, "batch"):
    model = network(normalization)
    optimizer = keras.optimizers.SGD(learning_rate=lab.learning_rates[0])
    # A metric object, not the name "accuracy", which Keras resolves to a new metric inside
    # the first traced step: TensorFlow would then trace that step twice.
    model.compile(optimizer=optimizer, loss=loss,
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    start = model.get_weights()
    initial = float(model.evaluate(x_train, y_train, verbose=0)[0])     # L₀
    for rate in lab.learning_rates:
        # One compiled model per kind, reset for each rate: the same start, no retracing.
        model.set_weights(start)
        optimizer.learning_rate.assign(rate)
        with np.errstate(over="ignore", invalid="ignore"):
            history = model.fit(x_train, y_train, batch_size=lab.batch_size, epochs=lab.epochs,
                                validation_data=validation, verbose=0,
                                validation_freq=lab.epochs,   # Only the last one is read.
                                callbacks=lab.fit_callbacks(f"{model.name}, η = {rate:g}"))
        sweep[normalization or "none", rate] = {
            "initial_loss": initial, "losses": history.history["loss"],
            "val_accuracy": history.history["val_accuracy"][-1]}

for run in sweep.values():
    run["verdict"] = verdict(run["initial_loss"], run["losses"][-1])
# The verdicts answer Predict 2: the table is shown once it is predicted.
report.sweep_table(sweep, lab.path("normalization_rates.csv"), lab.shows(2))
sentence, answer, numbers = report.sweep_statement(sweep, lab.learning_rates)
lab.reveal(2, sentence, answer=answer, **numbers)

# %% [markdown]
# ## Batch norm against layer norm at batch size 2
#
# With two samples, μ_B is their midpoint and σ²_B is a quarter of their squared
# difference, so x̂ = ±√(σ²_B / (σ²_B + ε)): the two samples get opposite values, whose
# size depends only on how far apart they are compared with √ε (near 1 once they are far
# apart), never on where they sit. The moving averages, which inference uses, are
# built from such noisy two-sample estimates. Layer normalization does not look at the
# batch at all. (The lab shows it on two digits after the first Dense layer: the
# second's x̂ is the first's with the sign flipped; it also prints the median |x̂|.) Both
# networks train `tiny_batch_epochs` epochs on `tiny_batch_samples`
# digits at batch size `tiny_batch`, with plain SGD at `tiny_batch_rate`.

# %% [markdown] tags=["prediction"]
# **Predict 3.** At batch size `tiny_batch`, which network will reach the higher
# validation accuracy?
# - (a) the one with batch normalization
# - (b) the one with layer normalization
# - (c) neither: the same accuracy

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a", "b" or "c"

# %%
# Two digits through the first Dense layer, then a fresh batch norm (γ = 1, β = 0: y = x̂).
two = x_train[:2] @ network("batch").layers[0].get_weights()[0]   # (2, width)
probe = custom.layers.get("batch_normalization", lab.impl, momentum=lab.momentum)
x_hat = np.asarray(probe(two, training=True))                     # (2, width)
opposite = float(np.abs(x_hat[0] + x_hat[1]).max())               # 0 when x̂₂ = −x̂₁
median_size = float(np.median(np.abs(x_hat)))
tiny = {}
live = callbacks.LivePlot(metric="accuracy", title=f"batch size {lab.tiny_batch}")
for kind in ("batch", "layer"):
    model = network(kind)
    model.compile(optimizer=keras.optimizers.SGD(lab.tiny_batch_rate), loss=loss,
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    history = model.fit(x_train[:lab.tiny_batch_samples], y_train[:lab.tiny_batch_samples],
                        batch_size=lab.tiny_batch, epochs=lab.tiny_batch_epochs,
                        validation_data=validation, verbose=0,   # One step, not 299 of 2.
                        callbacks=lab.fit_callbacks(f"{kind} norm, batch {lab.tiny_batch}",
                                                    [live.run(kind)]))
    tiny[kind] = history.history["val_accuracy"]
final_accuracy = {kind: accuracies[-1] for kind, accuracies in tiny.items()}
higher = max(final_accuracy, key=final_accuracy.get)
if final_accuracy["batch"] == final_accuracy["layer"]:
    higher = "neither"
lab.reveal(3, f"{higher} normalization ends higher: validation accuracy "
              f"{final_accuracy['batch']:.3f} with batch norm, {final_accuracy['layer']:.3f} "
              f"with layer norm. On two digits, batch norm's x̂ of the second is minus the "
              f"first's to within {opposite:.1g}, and the median |x̂| is {median_size:.3f}",
           answer={"batch": "a", "layer": "b", "neither": "c"}[higher],
           val_accuracy=tiny, higher=higher, final_accuracy=final_accuracy,
           opposite=opposite, median_size=median_size, x_hat=x_hat.tolist(),
           tiny_batch=lab.tiny_batch)

# %% [markdown]
# ## Reading the figure
#
# On the left, the last epoch's training loss at each learning rate, on a log scale, with
# the untrained loss L₀ dashed and L₀ / 2 dotted: a point under the dotted line trained, a
# point above the dashed one (or missing: not a finite number) diverged. On the right, the
# validation accuracy per epoch of the two networks at batch size `tiny_batch`.

# %%
figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
report.draw(left, right, sweep, lab.learning_rates, tiny, lab.epochs, lab.tiny_batch)
lab.save_figure(figure, "normalization.png", show=lab.shows(2) and lab.shows(3))
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name: `tiny_batch = 32` is `--tiny-batch 32`) and run the lab again.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** Run the lab with `impl = "keras"` (`--impl keras`). Which numbers
# change, and why do Predict 2's verdicts stay as they were (or, if one moved, why could it)?
# *Syllabus: The Learning Problem, learning-rate comparison.*

# %% [markdown] tags=["answer"]
# **Answer 1.** The first section shows that our layer and Keras' give the same outputs and
# moving averages to float32 round-off (its table prints the largest differences), so a
# network built with either starts from the same weights and takes steps that differ only
# in the last bits. Over a few epochs such differences usually stay small, so compare the
# two tables' losses digit by digit; a verdict can only move if a final loss sits almost
# exactly on L₀ or L₀ / 2, or a run on the edge of diverging tips over. The NumPy
# backward-pass section is skipped with `keras`.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Set `tiny_batch = 32` (`--tiny-batch 32`) and compare Predict 3's
# line with the run at batch size 2. Then try `tiny_batch = 8`. At which batch size does
# batch norm catch up with layer norm? *Syllabus: Learning Algorithms, exercise 4.*

# %% [markdown] tags=["answer"]
# **Answer 2.** With more samples per batch, μ_B and σ²_B are better estimates of the
# feature's true mean and variance: x̂ stops being ±1 and keeps the sample's actual
# position, and the moving averages that inference uses average far less noise. Batch
# norm's validation accuracy should climb towards layer norm's as the batch grows (with
# fewer steps per epoch, too: compare at equal steps if you can). Where it catches up
# depends on the rate and the number of steps: read it off your runs, not off this answer.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (hard).** Write batch normalization's forward and backward pass in NumPy: the
# `batchnorm` assignment (`python -m assignments check batchnorm`). Then explain from the
# equations why leaving out the mean's term in dx still gives the right dγ and dβ.
# *Syllabus: Learning Algorithms, exercise 1.*

# %% [markdown] tags=["answer"]
# **Answer 3.** dβ = Σ dy and dγ = Σ dy·x̂ depend only on the upstream gradient and on x̂,
# which the forward pass has already computed; neither goes back through μ_B or σ²_B.
# Only dx does: every sample's x enters μ_B and σ²_B, which enter every other sample's x̂,
# so dx = dx̂/s + dσ²·2(x − μ)/m + dμ/m. Dropping dμ/m changes dx alone, which is why the
# checks that compare dx catch it while dγ and dβ still match.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (open-ended).** Batch normalization is often said to regularize a network,
# because each sample's output carries noise from the rest of its batch (Predict 1). Design
# a run that tests this with this lab's pieces: what would you compare, and which number
# would convince you? *Syllabus: Session plan, regularization.*

# %% [markdown] tags=["answer"]
# **Answer 4.** One design: take a network that overfits (few training samples, many
# units, as in the regularization lab), train it with and without batch normalization at
# the same learning rate and for the same number of epochs, and compare the gap between
# training and validation loss at the end, over several seeds. If batch norm's noise acts
# as a regularizer the gap shrinks; to separate that from faster optimization, compare
# also at equal training loss, and repeat with a larger batch, where the noise is smaller.
