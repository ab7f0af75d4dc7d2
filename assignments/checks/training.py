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

Every comparing check runs ``values(subject, catalogue, part, ...)``; ``part`` names what
it covers, and the catalogue of known mistakes (``assignments/catalogue.py``) uses it too.
"""

import keras
import numpy as np
import pandas
import tensorflow as tf

from assignments import checking

CLIPPING_TOLERANCE = checking.Tolerance(rtol=1e-5, atol=1e-6)    # float32 round-off
EXACT = checking.Tolerance(rtol=0.0, atol=0.0)
SWEEP_TOLERANCE = checking.Tolerance(rtol=1e-9, atol=0.0)       # float64, any order of operations
SMOOTHING_TOLERANCE = checking.Tolerance(rtol=1e-9, atol=1e-12)
FIT_TOLERANCE = checking.Tolerance(rtol=1e-4, atol=1e-6)         # float32 training in model.fit

# ---------------------------------------------------------------- gradient_clipping

# The gradients of one case: a kernel, a variable without a gradient (None), a bias, a kernel.
SHAPES = ((4, 3), None, (3,), (3, 2))
CLIPPERS = ("clip_by_value", "clip_by_norm", "clip_by_global_norm")


def clipping_case(kind, scale, threshold, seed, poisoned=False):
    """One case of the clipping checks: "numpy" arrays or "tensor"s, elements N(0, scale²),
    the threshold c, the seed, and whether one element of g0 is +inf (an overflow)."""
    return (kind, float(scale), float(threshold), int(seed), bool(poisoned))


def gradients_of(case):
    """The case's gradients: float32 N(0, scale²) arrays, or tf tensors for kind "tensor"."""
    kind, scale, _, seed, poisoned = case
    rng = np.random.default_rng(seed)
    arrays = [None if shape is None else (scale * rng.standard_normal(shape)).astype(np.float32)
              for shape in SHAPES]
    if poisoned:
        arrays[0][0, 0] = np.inf
    if kind == "numpy":
        return arrays
    return [None if array is None else tf.constant(array) for array in arrays]


def describe_clipping_case(case):
    kind, scale, threshold, seed, poisoned = case
    what = "NumPy arrays" if kind == "numpy" else "tf tensors"
    overflow = ", and g0[0, 0] = inf" if poisoned else ""
    return (f"{what} of shapes {', '.join(str(shape) for shape in SHAPES)} (g1 is None), "
            f"elements N(0, {scale:g}²) (seed {seed}){overflow}, threshold c = {threshold:g}")


def gradient_slots(label, gradients):
    """Named arrays of one clipped list: ``<label>g<i>``, and ``g1 is None`` (1 or 0)."""
    name = label.rstrip(": ") or "the function"
    if not isinstance(gradients, (list, tuple)) or len(gradients) != len(SHAPES):
        raise ValueError(f"{name} must return a list of {len(SHAPES)} gradients, one per "
                         f"gradient given (None stays None), got {gradients!r:.80}")
    slots = {}
    for i, (shape, gradient) in enumerate(zip(SHAPES, gradients)):
        if shape is None:
            slots[f"{label}g{i} is None"] = np.array(float(gradient is None))
        elif gradient is None:
            slots[f"{label}g{i}"] = np.full(shape, np.nan)
        else:
            slots[f"{label}g{i}"] = np.asarray(keras.ops.convert_to_numpy(gradient), dtype=float)
    return slots


def outputs(arrays, axis):
    """``checking.Outputs`` of float arrays."""
    return checking.Outputs({name: np.asarray(array, dtype=float)
                             for name, array in arrays.items()}, axis)


def stack_cases(per_case, axis="case"):
    """A list of {name: array} (one per case) as Outputs whose arrays have the case first."""
    return outputs({name: np.stack([np.asarray(case[name], dtype=float) for case in per_case])
                    for name in per_case[0]}, axis)


def clipping_results(functions, part, case):
    """The named arrays of one case for ``part``; ``functions`` maps a name to a callable.

    Both the student's module and the twins (``TWINS``) are run through this, so the two
    are compared name by name.
    """
    gradients = gradients_of(case)
    threshold = case[2]
    if part == "clipping_norms":
        present = [(i, gradient) for i, gradient in enumerate(gradients) if gradient is not None]
        arrays = {f"‖g{i}‖": keras.ops.convert_to_numpy(functions["norm"](gradient))
                  for i, gradient in present}
        arrays["‖G‖"] = keras.ops.convert_to_numpy(functions["global_norm"](gradients))
        return arrays
    if part == "clipping_traced":
        traced = tf.function(lambda tensors: [functions[name](tensors, threshold)
                                              for name in CLIPPERS])
        logger, arrays = tf.get_logger(), {}
        level = logger.level
        logger.setLevel("ERROR")   # A fresh trace per case is the point: no retracing warning.
        try:
            clipped_lists = traced(gradients)
        finally:
            logger.setLevel(level)
        for name, clipped in zip(CLIPPERS, clipped_lists):
            arrays.update(gradient_slots(f"{name}: ", clipped))
        return arrays
    return gradient_slots("", functions[part](gradients, threshold))


def _tensors(gradients):
    return [None if gradient is None else tf.convert_to_tensor(gradient) for gradient in gradients]


# TensorFlow's own functions, called as the student's are (NumPy arrays become tensors).
TWINS = {
    "norm": lambda gradient: tf.norm(tf.convert_to_tensor(gradient)),
    "global_norm": lambda gradients: tf.linalg.global_norm(_tensors(gradients)),
    "clip_by_value": lambda gradients, c: [None if g is None else tf.clip_by_value(g, -c, c)
                                           for g in _tensors(gradients)],
    "clip_by_norm": lambda gradients, c: [None if g is None else tf.clip_by_norm(g, c)
                                          for g in _tensors(gradients)],
    "clip_by_global_norm": lambda gradients, c: tf.clip_by_global_norm(_tensors(gradients),
                                                                       c)[0],
}
TWIN_NAMES = {"clipping_norms": "tf.norm and tf.linalg.global_norm",
              "clip_by_value": "tf.clip_by_value", "clip_by_norm": "tf.clip_by_norm",
              "clip_by_global_norm": "tf.clip_by_global_norm",
              "clipping_traced": "tf.clip_by_value, tf.clip_by_norm and tf.clip_by_global_norm"}


def _clipping(subject, part, cases):
    functions = {name: getattr(subject, name) for name in ("norm", "global_norm", *CLIPPERS)}
    expected = stack_cases([clipping_results(TWINS, part, case) for case in cases])
    got = stack_cases([clipping_results(functions, part, case) for case in cases])
    inside = ", inside a tf.function" if part == "clipping_traced" else ""
    described = [describe_clipping_case(case) + inside for case in cases]
    return expected, got, TWIN_NAMES[part], CLIPPING_TOLERANCE, described


# ---------------------------------------------------------------- early_stopping

def stopping_case(values, external_stop=None, **arguments):
    """One scripted run: the monitored values, the callback's arguments, and the epoch at
    which another callback stops training (None: nobody else does)."""
    return (tuple(float(value) for value in values), tuple(sorted(arguments.items())),
            external_stop)


# What a scripted run gives, in this order.
STOPPING_RESULTS = ("training stopped at epoch (−1: never)", "stopped_epoch", "best_epoch",
                    "the weight left after on_train_end (its epoch's number)")


class StubModel:
    """The part of a Keras model that an early-stopping callback touches: one weight and
    ``stop_training``. The weight is set to the epoch's number before each epoch ends."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros((1, 1))]

    def get_weights(self):
        return [weight.copy() for weight in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(weight, dtype=float) for weight in weights]


def drive(callback, case):
    """Run the hooks as ``model.fit`` would on the case's values; return the named results."""
    values, arguments, external_stop = case
    monitor = dict(arguments).get("monitor", "val_loss")
    model = StubModel()
    callback.set_model(model)
    callback.on_train_begin()
    stopped_at = -1
    for epoch, value in enumerate(values):
        model.set_weights([np.full((1, 1), float(epoch))])   # The weight names its epoch.
        callback.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
        if epoch == external_stop:
            model.stop_training = True   # Another callback asks to stop.
        if model.stop_training:
            stopped_at = epoch
            break
    callback.on_train_end()
    return dict(zip(STOPPING_RESULTS, (stopped_at, callback.stopped_epoch, callback.best_epoch,
                                       float(model.get_weights()[0][0, 0]))))


def describe_stopping_case(case):
    values, arguments, external_stop = case
    text = (f"values {', '.join(f'{value:g}' for value in values)} with "
            f"{', '.join(f'{name}={value!r}' for name, value in arguments)}")
    if external_stop is not None:
        text += f"; another callback stops training at epoch {external_stop}"
    return text


def random_stopping_cases(count, seed):
    """Scripted runs with random falls, plateaus and bumps on a grid of eighths (exact in
    binary), and random arguments: the hidden checks' inputs."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        length = int(rng.integers(3, 20))
        values = 2.0 + np.cumsum(rng.choice([-2, -1, -1, 0, 0, 1, 2], size=length) / 8)
        mode = str(rng.choice(["min", "max", "auto"]))
        if mode == "max":
            values = values[::-1]
        arguments = dict(mode=mode, patience=int(rng.integers(0, 5)),
                         min_delta=float(rng.choice([0, 0, 0.125, 0.25])),
                         start_from_epoch=int(rng.choice([0, 0, 1, 3])),
                         restore_best_weights=bool(rng.random() < 0.7))
        if rng.random() < 0.3:
            arguments["baseline"] = float(rng.choice([1.5, 2.0, 2.5]))
        external_stop = int(rng.integers(length)) if rng.random() < 0.15 else None
        cases.append(stopping_case(values, external_stop, **arguments))
    return tuple(cases)


def _early_stopping(subject, part, cases):
    expected, got = [], []
    for case in cases:
        arguments = dict(case[1])
        expected.append(drive(keras.callbacks.EarlyStopping(**arguments), case))
        got.append(drive(subject(**arguments), case))
    return (stack_cases(expected), stack_cases(got), "keras.callbacks.EarlyStopping", EXACT,
            [describe_stopping_case(case) for case in cases])


# ---------------------------------------------------------------- lr_finder

def scripted_losses(steps, seed, diverge=False):
    """Noisy losses that fall (and, with ``diverge``, then climb steeply), as a sweep sees."""
    rng = np.random.default_rng(seed)
    i = np.arange(steps)
    losses = 0.5 + 2.0 * np.exp(-i / (0.2 * steps)) + 0.1 * rng.random(steps)
    if diverge:
        losses += np.exp((i - 0.6 * steps) / (0.05 * steps))
    return losses


def padded(values, length):
    """``values`` then NaN up to ``length``: a sweep that stopped early keeps its shape."""
    values = np.asarray(values, dtype=float)
    return np.concatenate([values, np.full(length - len(values), np.nan)])


def replay_scripted(finder, losses):
    """Drive an LRFinder by hand over scripted batch losses; return its LRFinderResult."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(), loss="mse")
    finder.set_model(model)
    finder.on_train_begin()
    for batch, loss in enumerate(losses):
        finder.on_train_batch_begin(batch)
        finder.on_train_batch_end(batch, {"loss": float(loss)})
        if model.stop_training:
            break
    finder.on_train_end()
    return finder.result


def ewm(losses, smoothing):
    """The twin of the bias-corrected moving average: pandas' ewm with α = 1 − β."""
    return pandas.Series(losses).ewm(alpha=1.0 - smoothing, adjust=True).mean().to_numpy()


def divergence_stop(smoothed, divergence):
    """How many steps the sweep records: up to the first non-finite smoothed loss, or the
    first above ``divergence`` × the least smoothed loss before it (LRFinder's rule)."""
    least = np.inf
    for i, value in enumerate(smoothed):
        if not np.isfinite(value) or value > divergence * least:
            return i + 1
        least = min(least, value)
    return len(smoothed)


def sweep_name(start, end, steps):
    return f"η_i from {start:g} to {end:g} in {steps} steps"


def _lr_finder(subject, part, **options):
    if part == "lr_sweep":
        expected, got = {}, {}
        for start, end, steps in options["sweeps"]:
            name = sweep_name(start, end, steps)
            expected[name] = np.geomspace(start, end, steps)
            schedule = subject.LRFinder(start=start, end=end, steps=steps).schedule
            got[name] = np.asarray(keras.ops.convert_to_numpy(schedule), dtype=float)
        return (outputs(expected, "step"), outputs(got, "step"),
                "numpy.geomspace", SWEEP_TOLERANCE, None)
    if part == "lr_smoothing":
        expected, got = {}, {}
        for smoothing, steps, seed in options["runs"]:
            losses = scripted_losses(steps, seed)
            name = f"smoothed loss, β = {smoothing:g}, losses of seed {seed}"
            expected[name] = ewm(losses, smoothing)
            finder = subject.LRFinder(start=1e-3, end=1.0, steps=steps, smoothing=smoothing,
                                      divergence=1e12)   # Never stops: every step is compared.
            got[name] = padded(replay_scripted(finder, losses).smoothed_losses, steps)
        return (outputs(expected, "step"), outputs(got, "step"),
                "pandas' Series.ewm(alpha=1−β, adjust=True).mean()", SMOOTHING_TOLERANCE, None)
    # "lr_divergence": a whole scripted sweep that diverges, at LRFinder's defaults.
    start, end, steps, seed = options["sweep"]
    losses = scripted_losses(steps, seed, diverge=True)
    smoothed = ewm(losses, 0.98)
    recorded = divergence_stop(smoothed, 4.0)
    expected = {"η_i": padded(np.geomspace(start, end, steps)[:recorded], steps),
                "smoothed loss": padded(smoothed[:recorded], steps)}
    result = replay_scripted(subject.LRFinder(start=start, end=end, steps=steps), losses)
    got = {"η_i": padded(result.learning_rates, steps),
           "smoothed loss": padded(result.smoothed_losses, steps)}
    return (outputs(expected, "step"), outputs(got, "step"),
            "numpy.geomspace, pandas' ewm and the stop at 4× the least smoothed loss",
            SMOOTHING_TOLERANCE, f"{sweep_name(start, end, steps)}, β = 0.98, divergence 4, "
                                 f"scripted losses of seed {seed} that climb after 60 % of it")


def regression_data(seed=0):
    """y = x·w + noise, 64 samples of 4 features: a linear model's range test in a second."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 4)).astype(np.float32)                            # (64, 4)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * rng.standard_normal((64, 1))
    return x, y.astype(np.float32)                                                 # (64, 1)


def real_run(subject, catalogue, start, end, steps, seed=0, batch_size=16):
    """``find_learning_rate`` on a linear model, against the same batches replayed with
    Keras' ``train_on_batch`` at the rates of ``numpy.geomspace`` (no catalogue: the
    scripted checks say why)."""
    x, y = regression_data(seed)
    models = []
    for _ in range(2):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(), loss="mse")
        models.append(model)
    yours, twin = models
    twin.set_weights(yours.get_weights())
    result = subject.find_learning_rate(yours, x, y, batch_size=batch_size, start=start,
                                        end=end, steps=steps, shuffle=False)
    rates, losses = np.geomspace(start, end, steps), []
    batches = len(x) // batch_size
    for i, rate in enumerate(rates):
        twin.optimizer.learning_rate = rate
        batch = slice((i % batches) * batch_size, (i % batches + 1) * batch_size)
        losses.append(float(twin.train_on_batch(x[batch], y[batch])))   # the loss before the step
    smoothed = ewm(losses, 0.98)
    recorded = divergence_stop(smoothed, 4.0)
    expected = {"η_i": rates, "batch loss": losses, "smoothed loss": smoothed}
    expected = outputs({name: padded(np.asarray(array)[:recorded], steps)
                        for name, array in expected.items()}, "step")
    got = outputs({"η_i": padded(result.learning_rates, steps),
                   "batch loss": padded(result.losses, steps),
                   "smoothed loss": padded(result.smoothed_losses, steps)}, "step")
    twin_name = "the batches replayed with train_on_batch at numpy.geomspace's rates"
    outcome = checking.compare(expected, got, [], FIT_TOLERANCE, twin_name)
    if outcome.passed:
        return outcome
    where = outcome.feedback.splitlines()[0]
    return checking.Outcome(False, f"{where}\nthe sweep and smoothing checks above name the "
                                   "likely cause")


# ---------------------------------------------------------------- all three

PARTS = {"clipping_norms": _clipping, "clip_by_value": _clipping, "clip_by_norm": _clipping,
         "clip_by_global_norm": _clipping, "clipping_traced": _clipping,
         "stopping_patience": _early_stopping, "stopping_restore": _early_stopping,
         "stopping_delta": _early_stopping, "stopping_baseline": _early_stopping,
         "stopping_random": _early_stopping,
         "lr_sweep": _lr_finder, "lr_smoothing": _lr_finder, "lr_divergence": _lr_finder}


def values(subject, catalogue, part, **options):
    """The student's numbers for ``part`` against the twin's and the catalogue; on a
    difference the feedback also says which case (inputs and arguments) it is in."""
    expected, got, twin_name, tolerance, described = PARTS[part](subject, part, **options)
    outcome = checking.compare(expected, got, catalogue, tolerance, twin_name)
    difference = checking.first_difference(expected, got, tolerance)
    if outcome.passed or described is None or difference is None \
            or isinstance(difference[3], str):
        return outcome
    if not isinstance(described, str):
        described = f"{got.axis} {difference[0]} is {described[difference[0]]}"
    return checking.Outcome(False, f"{outcome.feedback}\n{described}")


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
    return checking.Check(name, points, values, (("part", part), *options.items()))


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
                       (("start", 1e-3), ("end", 2.0), ("steps", 12))),
    ),
}
