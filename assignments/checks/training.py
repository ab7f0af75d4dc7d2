"""Checks for the Learning Algorithms chapter's exercises 2, 5 and 6, each against a trusted twin.

* ``gradient_clipping`` (exercise 6): ``custom.clipping``'s functions against ``tf.norm``,
  ``tf.linalg.global_norm``, ``tf.clip_by_value``, ``tf.clip_by_norm`` and
  ``tf.clip_by_global_norm``, on NumPy arrays and on tensors, with a ``None`` gradient in
  the list and thresholds that leave some gradients inside the limit (they must pass as
  they are); by global norm, an overflowed (inf) gradient makes every gradient NaN, as in
  TensorFlow. Float32 round-off: rtol 1e-5, atol 1e-6.
* ``early_stopping`` (exercise 5): the student's ``EarlyStopping`` and
  ``keras.callbacks.EarlyStopping`` driven by the same scripted metrics, by hand
  (``on_epoch_end(epoch, logs)`` over a list). Before each epoch the model's one weight is
  set to the epoch's number, so the weight left after ``on_train_end`` names the epoch it
  came from. Compared: where training stopped, ``stopped_epoch``, ``best_epoch``, that
  weight. Exact.
* ``lr_finder`` (exercise 2): the sweep against ``numpy.geomspace``; the smoothed losses
  against pandas' ``Series.ewm(alpha=1−β, adjust=True).mean()``, which weighs the losses
  exactly as the bias-corrected moving average does; and one real range test through
  ``find_learning_rate``, replayed batch by batch with Keras' ``train_on_batch``.

The two halves of each check live in ``clipping.py``, ``stopping.py`` and ``lr_finder.py``
beside this file; here are the public checks' inputs and the entry points. Every comparing
check is ``values(subject, part, ...)`` (the student's numbers) and ``expected_values(part,
...)`` (the twin's); ``part`` names what it covers, and the catalogue of known mistakes
(``assignments/catalogue.py``) uses it too.
"""

from assignments import checking
from assignments.checks import clipping, lr_finder, stopping
from assignments.checks.clipping import clipping_case
from assignments.checks.lr_finder import real_run
from assignments.checks.stopping import stopping_case

# part → the module holding its two halves, ``produced`` and ``expected``.
PARTS = {"clipping_norms": clipping, "clip_by_value": clipping, "clip_by_norm": clipping,
         "clip_by_global_norm": clipping, "clipping_traced": clipping,
         "stopping_patience": stopping, "stopping_restore": stopping,
         "stopping_delta": stopping, "stopping_baseline": stopping,
         "stopping_random": stopping,
         "lr_sweep": lr_finder, "lr_smoothing": lr_finder, "lr_divergence": lr_finder}


def values(subject, part, **options):
    """The student's numbers for ``part``."""
    return PARTS[part].produced(subject, part, **options)


def expected_values(part, **options):
    """The twin's numbers for ``part``, with each case described for the feedback."""
    return PARTS[part].expected(part, **options)


# ---------------------------------------------------------------- the public checks

CLIPPING_CASES = (
    clipping_case("numpy", 0.1, 1.0, 0),     # Every gradient inside the limit: unchanged.
    clipping_case("numpy", 1.0, 2.0, 1),     # Some tensors inside the limit, some outside.
    clipping_case("numpy", 50.0, 1.0, 2),    # Exploding: everything far outside.
    clipping_case("tensor", 1.0, 2.0, 3),
    clipping_case("tensor", 0.1, 3.0, 4),
)
# An overflowed gradient: by global norm, every gradient becomes NaN, as in TensorFlow.
OVERFLOW_CASES = (clipping_case("numpy", 1.0, 2.0, 7, poisoned=True),
                  clipping_case("tensor", 1.0, 2.0, 8, poisoned=True))
TRACED_CASES = (clipping_case("tensor", 50.0, 1.0, 5), clipping_case("tensor", 1.0, 2.0, 6))


def check(name, points, part, **options):
    """A check that compares the numbers of ``part`` on the given inputs (``values``)."""
    return checking.Check(name, points, values, expected_values,
                          (("part", part), *options.items()))


PATIENCE_CASES = (
    stopping_case([3.0, 2.0, 2.0, 2.0, 1.0], patience=2),
    stopping_case([2.0, 2.5, 1.5, 1.75, 1.875, 1.0], patience=3),
    stopping_case([5.0, 4.0, 3.0, 3.5, 3.25, 3.125, 2.0], patience=2),
    stopping_case([1.0, 1.0, 1.0, 1.0], patience=0),
    stopping_case([4.0, 3.0, 2.0, 1.0], patience=1),
)
RESTORE_CASES = (
    stopping_case([3.0, 2.0, 2.0, 2.0, 1.0], patience=2, restore_best_weights=True),
    stopping_case([4.0, 2.0, 3.0, 2.5], patience=5, restore_best_weights=True),
    stopping_case([3.0, 1.0, 2.0, 2.5, 2.25], 3, patience=10, restore_best_weights=True),
    stopping_case([2.0, 2.0, 2.0, 2.0], patience=2, restore_best_weights=True),
    stopping_case([2.0, 1.5, 1.75, 1.25, 1.375, 1.5], patience=2, restore_best_weights=True),
)
DELTA_CASES = (
    stopping_case([0.5, 0.75, 0.875, 0.8125, 0.84375], mode="max", patience=2,
                  restore_best_weights=True),
    stopping_case([2.0, 1.75, 1.625, 1.0], min_delta=0.5, patience=2, restore_best_weights=True),
    stopping_case([0.5, 0.625, 0.875, 0.9375, 1.0, 0.75], mode="max", min_delta=0.25,
                  patience=2, restore_best_weights=True),
    stopping_case([3.0, 2.875, 2.75, 2.5, 2.375, 2.25], min_delta=0.125, patience=1),
)
BASELINE_CASES = (
    stopping_case([1.0, 5.0, 6.0, 7.0, 8.0, 9.0], patience=1, start_from_epoch=3),
    stopping_case([3.0, 2.0, 2.5, 2.25], patience=3, baseline=1.0, restore_best_weights=True),
    stopping_case([3.0, 2.0, 1.5, 0.75, 1.0, 1.25], patience=2, baseline=1.0,
                  restore_best_weights=True),
    stopping_case([0.5, 0.625, 0.5625, 0.75, 0.6875], mode="max", baseline=0.8125, patience=2,
                  restore_best_weights=True),
    stopping_case([0.5, 3.0, 2.0, 2.5, 2.25, 2.75], patience=2, start_from_epoch=1,
                  restore_best_weights=True),
)
SWEEPS = ((1e-7, 10.0, 100), (1e-3, 1.0, 7), (0.01, 0.1, 2), (1e-5, 100.0, 15))
SMOOTHING_RUNS = ((0.98, 30, 0), (0.9, 20, 1), (0.5, 10, 2), (0.0, 5, 3))

PUBLIC = {
    "gradient_clipping": (
        check("norm and global_norm against tf.norm and tf.linalg.global_norm", 2,
              "clipping_norms", cases=CLIPPING_CASES),
        check("clip_by_value against tf.clip_by_value", 2, "clip_by_value",
              cases=CLIPPING_CASES),
        check("clip_by_norm against tf.clip_by_norm; inside the limit, unchanged", 2,
              "clip_by_norm", cases=CLIPPING_CASES),
        check("clip_by_global_norm against tf.clip_by_global_norm; an inf makes all NaN", 2,
              "clip_by_global_norm", cases=CLIPPING_CASES + OVERFLOW_CASES),
        check("all three on tensors inside a tf.function", 2, "clipping_traced",
              cases=TRACED_CASES),
    ),
    "early_stopping": (
        check("patience on a falling loss", 3, "stopping_patience", cases=PATIENCE_CASES),
        check("restore_best_weights, however training ends", 3, "stopping_restore",
              cases=RESTORE_CASES),
        check("mode 'max' and min_delta", 2, "stopping_delta", cases=DELTA_CASES),
        check("baseline and start_from_epoch", 2, "stopping_baseline", cases=BASELINE_CASES),
    ),
    "lr_finder": (
        check("the sweep η_i against numpy.geomspace", 3, "lr_sweep", sweeps=SWEEPS),
        check("the smoothed losses against pandas' ewm", 3, "lr_smoothing",
              runs=SMOOTHING_RUNS),
        check("a scripted sweep that diverges stops at the same step", 2, "lr_divergence",
              sweep=(1e-6, 10.0, 60, 4)),
        checking.Check("a real range test through find_learning_rate", 2, real_run,
                       lr_finder.expected_real_run,
                       (("start", 1e-3), ("end", 2.0), ("steps", 12)), catalogued=False),
    ),
}
