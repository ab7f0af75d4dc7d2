"""Data parallelism: the same training on two replicas, and in two processes, as on one device.

What you learn: how training is spread over several devices or machines with
``tf.distribute``: each replica holds a copy of the weights and gets a share of every
global batch, the replicas' gradients are added up (an all-reduce), and every copy takes
the same step. You see that two replicas of 32 samples end on the same weights as one
device with 64, that this holds only because each replica divides its loss by the
*global* batch (a summed variant drifts), how the learning rate scales when the global
batch grows, and the same training function run by two worker processes under
``MultiWorkerMirroredStrategy``.

Follows: "Gradient Descent" (SGD on mini-batches) and "Learning Algorithms", section 3
(the impact of batch size), on the training loop of ``custom.training.fit_with_tape``.
Run time: about 16 s on 2 CPU cores (about 8 s with --quick), start-up included.
"""

# %% [markdown]
# # Data parallelism
#
# "Gradient Descent" estimates the gradient from a mini-batch of B samples:
# g = (1/B)·Σᵢ ∇ℓᵢ. Nothing in that sum says the B terms must be computed on one device.
# Split the batch into R shares, one per *replica* (a GPU, a CPU core, a machine), let
# each replica compute the part of the sum for its own samples, add the R parts up, and
# every replica has the whole batch's gradient. That is data parallelism:
#
# 1. every replica holds a full copy of the weights θ;
# 2. each global batch of B samples is split into R shares of B/R;
# 3. replica r computes L_r = Σ_{i ∈ share r} ℓᵢ / B, the share's part of the mean;
# 4. an **all-reduce** adds the gradients: g = Σ_r ∂L_r/∂θ, the same on every replica;
# 5. every replica applies the same step θ ← θ − η·g, so the copies stay equal.
#
# `custom.training.fit_with_tape(..., strategy=strategy)` does exactly this with
# TensorFlow's `tf.distribute` (step 3 is `tf.nn.compute_average_loss`, step 4 happens
# inside the optimizer; read `custom/distributed.py`). The network, the optimizer (our
# own SGD from `custom.optimizers`) and the callbacks do not change.

# %%
import matplotlib.pyplot as plt
import numpy as np

import custom.optimizers
from labs.machinery import runtime
from labs.helpers import data_parallel
from labs.machinery.runtime import param

lab = runtime.start("data_parallel", {
    "samples": param(512, minimum=64),          # Two moons: 8 global batches of 64 an epoch.
    "noise": param(0.2, minimum=0),             # Some overlap, so the loss stays above 0.
    "hidden_units": param(16, minimum=1),       # One tanh layer: small, so the lab is fast.
    "global_batch": param(64, minimum=2),       # Split over two replicas: 32 each.
    "learning_rate": param(0.1, above=0),       # Plain SGD learns two moons at this rate.
    # Any name of custom.optimizers.names(); the lesson's equalities are SGD's (Exercise 3).
    "optimizer": param("sgd", choices=custom.optimizers.names()),
    "epochs": param(8, minimum=1),              # Enough for the loss curves to bend.
    "multi_worker": param(True),                # Also run the two worker processes
                                                # (each starts its own Python and TensorFlow).
    # Quick mode: 256 samples, 3 epochs and no worker processes (full: 512, 8, two workers).
}, quick={"samples": 256, "epochs": 3, "multi_worker": False})
REPLICAS = 2   # The devices that share each global batch.
lab.require(lab.global_batch % 2 == 0,
            f"global_batch must be even (two replicas share it), got {lab.global_batch}")
# Two logical CPU devices, before anything starts TensorFlow's devices (see below).
two_cpus = data_parallel.configure_two_cpus()

# float32 keeps about 7 significant digits: the same numbers added in another order can
# differ in the last ones. Two weights closer than 1e-5 count as equal to float32
# rounding (Predicts 1, 2 and 4 use it).
TOLERANCE = 1e-5
config = {name: lab.hyperparameters[name] for name in
          ("samples", "noise", "seed", "hidden_units", "global_batch", "learning_rate", "epochs",
           "optimizer")}

# %% [markdown]
# ## One device: the reference
#
# `data_parallel.train(config, strategy)` is the one training function of this lab. It
# builds the network inside the strategy's scope (so its variables become the strategy's
# mirrored variables), compiles it with our from-scratch optimizer (`optimizer`, SGD by
# default), and calls
# `fit_with_tape(..., batch_size=global_batch, strategy=strategy)`. With no strategy it is
# ordinary training on one device. The batches come in a fixed order (`shuffle=False`) so
# that every run sees the same batches.

# %%
one_device = data_parallel.train(config, callbacks=lab.fit_callbacks("one device"))
print(f"one device, batch {lab.global_batch}: loss after epoch {lab.epochs} "
      f"{one_device['losses'][-1]:.4f}")

# %% [markdown]
# ## Two replicas on one laptop
#
# A laptop without a GPU has one CPU device. TensorFlow can split it into two *logical*
# devices, `/cpu:0` and `/cpu:1`, with `tf.config.set_logical_device_configuration`, but
# only before it has started its devices, which is why the lab does it right after its
# hyperparameters (`data_parallel.configure_two_cpus`). Then:
#
# ```python
# strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
# with strategy.scope():
#     model = make_model()          # every variable is created once per replica
#     model.compile(optimizer=custom.optimizers.get("sgd", learning_rate=0.1), loss="bce")
# fit_with_tape(model, x, y, batch_size=64, strategy=strategy)   # 32 per replica
# ```
#
# If TensorFlow has started already in this process (a notebook that ran other cells,
# another lab run before this one), the two-replica runs go to a fresh Python process,
# which prints their weights back; the numbers are the same.

# %% [markdown] tags=["prediction"]
# **Predict 1.** One device trains on global batches of B = `global_batch` samples (64);
# two replicas train on the same batches, B/2 samples each, and add their gradients. After
# the same number of steps, what is the largest difference between the two sets of weights?
# - (a) exactly 0
# - (b) float32 rounding: above 0, but at most 1e-5
# - (c) visibly different: more than 1e-5

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b" or "c"

# %%
if two_cpus:
    runs = data_parallel.mirrored_runs(config, callbacks_for=lab.fit_callbacks)
else:
    print("TensorFlow has already started its devices in this process: the two-replica "
          "runs go to a fresh Python process.")
    runs = data_parallel.mirrored_runs_in_subprocess(config)

gap = data_parallel.largest_gap(one_device, runs["two_replicas"])
agree = gap <= TOLERANCE
lab.reveal(1, f"the largest weight difference is {gap:.1e}, "
              + (f"within float32 rounding (tolerance {TOLERANCE:.0e}): the same training"
                 if agree else f"above the tolerance {TOLERANCE:.0e}: the runs DISAGREE"),
           answer="a" if gap == 0 else "b" if agree else "c",
           gap=gap, rounding_tolerance=TOLERANCE, agree=agree)
lab.check(agree, f"two replicas differ from one device by {gap:.1e} > {TOLERANCE:.0e}")

# %% [markdown]
# ## Why they agree: the division by the global batch
#
# Each replica divides the sum of its 32 losses by B = 64, the *global* batch, not by its
# own 32. Adding the two replicas' gradients then gives exactly the mean over 64:
# (Σ₁…₃₂ ∇ℓᵢ + Σ₃₃…₆₄ ∇ℓᵢ) / 64. Suppose instead that each replica took the mean over its
# own share, as it would alone on one device, and the all-reduce added the two means.
# The `summed` run does that (its loss is R times the cross-entropy, which is the same
# as dividing by B/R).

# %% [markdown] tags=["prediction"]
# **Predict 2.** In the summed run each replica averages over its own B/2 samples and the
# two averages are added. Which one-device run does it reproduce, to within float32
# rounding (1e-5)?
# - (a) the one-device run above, at the same learning rate η
# - (b) a one-device run at twice the learning rate, 2η
# - (c) neither of them

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: "a", "b" or "c"

# %%
summed = runs["two_replicas_summed"]
drift = data_parallel.largest_gap(one_device, summed)
doubled = data_parallel.train(config, learning_rate=REPLICAS * lab.learning_rate,
                               callbacks=lab.fit_callbacks("one device, doubled rate"))
summed_vs_doubled = data_parallel.largest_gap(doubled, summed)
reproduces = summed_vs_doubled <= TOLERANCE
lab.reveal(2, f"the summed run drifts {drift:.1e} from the one-device run, and it is "
              + ("the one-device run at twice the learning rate "
                 f"(η = {REPLICAS * lab.learning_rate:g}, difference {summed_vs_doubled:.1e})"
                 if reproduces else
                 f"not the run at twice the rate either (difference {summed_vs_doubled:.1e})"),
           answer="b" if reproduces else "a" if drift <= TOLERANCE else "c",
           drift=drift, summed_vs_doubled=summed_vs_doubled,
           rounding_tolerance=TOLERANCE, reproduces=reproduces, replicas=REPLICAS)
if lab.optimizer == "sgd":   # For SGD, R times the gradient is R times the rate exactly.
    lab.check(reproduces, f"the summed run is not one device at {REPLICAS}·η "
                          f"(difference {summed_vs_doubled:.1e})")

# %% [markdown]
# Adding R means gives R times the mean gradient, and for plain SGD a gradient R times too
# large is the same as a learning rate R times too large. With 8 GPUs, that is a rate
# 8 times what you chose. The fix is the one line `tf.nn.compute_average_loss(losses,
# global_batch_size=B)`; Keras' `model.fit` makes the same division for you.

# %% [markdown]
# ## A larger global batch: the linear scaling rule
#
# Two replicas can each take B samples, a global batch of 2B. Each epoch then makes half
# as many steps, each with a less noisy gradient. The *linear scaling rule* (Goyal et al.,
# 2017) says: when the global batch grows k times, grow the learning rate k times, so that
# one step of the large batch moves about as far as k steps of the small one.

# %% [markdown] tags=["prediction"]
# **Predict 3.** A global batch of 2B on two replicas, once at the same rate η and once at
# 2η. Which of the two loss curves stays closer to the curve of batch B at η?
# - (a) batch 2B at the same rate η
# - (b) batch 2B at the scaled rate 2η

# %% tags=["your-prediction"]
lab.predict(3, None)  # your answer: "a" or "b"

# %%
same_rate = runs["large_batch_same_rate"]["losses"]
scaled_rate = runs["large_batch_scaled_rate"]["losses"]
reference = np.asarray(one_device["losses"])
# The distance of two loss curves: the mean over the epochs of |L_large(e) − L_reference(e)|.
distances = {"same rate η": float(np.mean(np.abs(np.asarray(same_rate) - reference))),
             "scaled rate 2η": float(np.mean(np.abs(np.asarray(scaled_rate) - reference)))}
closer = min(distances, key=distances.get)
large = 2 * lab.global_batch
lab.reveal(3, f"batch {large} at the {closer} stays closer to batch {lab.global_batch} at η: "
              "mean distance " + ", ".join(f"{name} {value:.4f}"
                                           for name, value in distances.items()),
           answer={"same rate η": "a", "scaled rate 2η": "b"}[closer],
           distances=distances, closer=closer, reference=one_device["losses"],
           curves={"same rate η": same_rate, "scaled rate 2η": scaled_rate})

figure, ax = plt.subplots(figsize=(7, 4))
epochs = np.arange(1, lab.epochs + 1)
half = lab.global_batch // 2
ax.plot(epochs, reference, "k-", linewidth=3, alpha=0.4,
        label=f"one device, batch {lab.global_batch}, η")
ax.plot(epochs, runs["two_replicas"]["losses"], "k--", label=f"two replicas × {half}, η")
ax.plot(epochs, same_rate, "o-", label=f"two replicas × {lab.global_batch}, η")
ax.plot(epochs, scaled_rate, "s-", label=f"two replicas × {lab.global_batch}, 2η")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (binary cross-entropy)")
ax.set_title(f"data parallelism: global batch and learning rate (η = {lab.learning_rate:g})")
ax.legend()
lab.save_figure(figure, "data_parallel_losses.png")

# %% [markdown]
# ## More than one machine
#
# On several machines the replicas are processes that talk over the network.
# `tf.distribute.MultiWorkerMirroredStrategy` reads who is who from the environment
# variable `TF_CONFIG`, the same list of every worker's address on every host, and
# each host's own index:
#
# ```python
# os.environ["TF_CONFIG"] = json.dumps({
#     "cluster": {"worker": ["127.0.0.1:20001", "127.0.0.1:20002"]},
#     "task": {"type": "worker", "index": 0}})        # 1 on the second worker
# strategy = tf.distribute.MultiWorkerMirroredStrategy()
# result = train(config, strategy)                     # the same function as above
# ```
#
# Here the two "machines" are two processes on this laptop, on ports of 127.0.0.1 chosen
# when the lab runs. Each worker draws each global batch and keeps its own share of it, and
# their all-reduce goes through the network stack.

# %% [markdown] tags=["prediction"]
# **Predict 4.** Two worker processes, one replica each, run the same training function.
# Where do their weights end, to within float32 rounding (1e-5)?
# - (a) on the weights of the single process, both of them
# - (b) on the same weights as each other, but not the single process's
# - (c) on different weights from each other
# - (d) nowhere: this run does not start them (`multi_worker` off, as in quick mode)

# %% tags=["your-prediction"]
lab.predict(4, None)  # your answer: "a", "b", "c" or "d"

# %%
if lab.multi_worker:
    workers = data_parallel.multi_worker(config)
    worker_gaps = [data_parallel.largest_gap(one_device, worker) for worker in workers]
    between = data_parallel.largest_gap(workers[0], workers[1])
    same = max(worker_gaps) <= TOLERANCE and between <= TOLERANCE
    lab.reveal(4, f"{len(workers)} workers ({workers[0]['replicas']} replicas in all) end "
                  f"{max(worker_gaps):.1e} from the single process and {between:.1e} from "
                  "each other: " + ("the same weights" if same else "DIFFERENT weights"),
               answer="a" if same else "b" if between <= TOLERANCE else "c",
               worker_gaps=worker_gaps, between=between, rounding_tolerance=TOLERANCE,
               same=same, ran=True)
    lab.check(same, f"the workers differ from one process by {max(worker_gaps):.1e}")
else:
    lab.reveal(4, "not run (multi_worker is off)", answer="d", ran=False)

# %% [markdown]
# Run the lab with `--tensorboard logs` (every lab takes it) to see the curves of the runs
# made in this process in TensorBoard (`tensorboard --logdir logs`; in a notebook, set
# `LABS_TENSORBOARD=logs`, then `%load_ext tensorboard` and `%tensorboard --logdir logs`).
# `outcomes.json` stays the record of what was measured.

# %%
lab.finish()

# %% [markdown]
# ## Exercises
#
# Change a value in the parameters cell at the top (in a terminal, the flag of the same
# name: `global_batch = 66` is `--global-batch 66`) and run the lab again.

# %% [markdown] tags=["exercise"]
# **Exercise 1 (easy).** With a global batch of 64 on 2 replicas, how many samples does
# each replica see per step, how many steps make one epoch of the default 512 samples, and
# how many would 8 replicas with a global batch of 512 make?
# *Syllabus: Learning Algorithms, exercise 4.*

# %% [markdown] tags=["answer"]
# **Answer 1.** Each replica sees 64 / 2 = 32 samples per step, and an epoch of 512 samples
# is 512 / 64 = 8 steps, whatever the number of replicas: the replicas split each step,
# they do not add steps. With 8 replicas and a global batch of 512 each replica still sees
# 64 samples, but one epoch is a single step, so the learning rate (and often a warm-up)
# must change, as Prediction 3 measures.

# %% [markdown] tags=["exercise"]
# **Exercise 2 (medium).** Set `global_batch = 66` (`--global-batch 66`). The 512 samples
# then end with a short batch of 50. Read Prediction 1's line: do the runs still agree to
# the tolerance? Why does dividing by the global batch of *that step* matter there?
# *Syllabus: Session plan, training loop.*

# %% [markdown] tags=["answer"]
# **Answer 2.** They should: 66 splits into 33 + 33 and the last batch of 50 into 25 + 25.
# Each replica divides by the global size of the step it is in (`custom/distributed.py` adds
# the replicas' share sizes with an all-reduce), so the short batch is averaged over its 50
# samples, as on one device, and the difference stays at float32 rounding. Dividing by a
# fixed 66 would make the last step of every epoch 50/66 of one device's, and the runs would
# drift apart a little more at every epoch.

# %% [markdown] tags=["exercise"]
# **Exercise 3 (hard).** Set `optimizer = "adam"` (`--optimizer adam`) and run again. Do two
# replicas still equal one device? Is the summed run still the one-device run at twice the
# rate? Explain both of Prediction 2's numbers from Adam's update rule.
# *Syllabus: Session plan, update rule and stopping.*

# %% [markdown] tags=["answer"]
# **Answer 3.** Two replicas should still equal one device: the all-reduce gives every
# replica the same mean gradient, and Adam's update is a function of that gradient alone.
# The summed run, though, is not the run at twice the rate: Adam divides m̂ by √v̂, so a
# gradient R times larger makes m̂ and √v̂ both R times larger and the step barely changes
# (only ε notices), and the summed run ends close to the one-device run at η instead. The
# summed mistake is hidden by Adam and shows with SGD, which is one reason it goes unnoticed
# in real code until someone switches optimizer.

# %% [markdown] tags=["exercise"]
# **Exercise 4 (open-ended).** The linear scaling rule fails for very large batches. Raise
# `global_batch` to 256 and the rate with it, and describe what you see in the first
# epochs. What do large-batch recipes add (warm-up, LARS/LAMB), and why would they help?

# %% [markdown] tags=["answer"]
# **Answer 4.** With a batch of 256 an epoch of 512 samples is two steps, and at 4η the
# first steps, taken from random weights where the gradient changes fast, can overshoot:
# the loss may jump or train slower than the small batch at η. The rule assumes that k
# small steps at η move the weights about as far as one big step at kη, which holds only
# while the gradient changes little over those k steps. Warm-up (start at a small rate and
# raise it over the first epochs, see the schedules lab) avoids the early overshoot, and
# LARS and LAMB scale each layer's step by the ratio of its weight norm to its update norm,
# so no layer moves too far in one step.
