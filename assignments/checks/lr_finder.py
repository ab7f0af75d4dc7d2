"""Checks of the lr_finder task (Learning Algorithms, exercise 2), against numpy and pandas.

The sweep against ``numpy.geomspace``; the smoothed losses against pandas'
``Series.ewm(alpha=1−β, adjust=True).mean()``, which weighs the losses exactly as the
bias-corrected moving average does; and one real range test through
``find_learning_rate``, replayed batch by batch with Keras' ``train_on_batch``.
"""

import numpy as np

from assignments import checking, lazy

# Imported when a check first runs, so that the task table loads without them (lazy.py).
keras = lazy.module("keras")
pandas = lazy.module("pandas")

SWEEP_TOLERANCE = checking.Tolerance(rtol=1e-9, atol=0.0)       # float64, any order of operations
SMOOTHING_TOLERANCE = checking.Tolerance(rtol=1e-9, atol=1e-12)
FIT_TOLERANCE = checking.Tolerance(rtol=1e-4, atol=1e-6)         # float32 training in model.fit

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


def produced(subject, part, **options):
    """The student's sweep ("lr_sweep"), smoothed losses ("lr_smoothing"), or a whole
    scripted sweep that diverges ("lr_divergence"), as named arrays along the steps."""
    got = {}
    if part == "lr_sweep":
        for start, end, steps in options["sweeps"]:
            schedule = subject.LRFinder(start=start, end=end, steps=steps).schedule
            got[sweep_name(start, end, steps)] = np.asarray(
                keras.ops.convert_to_numpy(schedule), dtype=float)
    elif part == "lr_smoothing":
        for smoothing, steps, seed in options["runs"]:
            finder = subject.LRFinder(start=1e-3, end=1.0, steps=steps, smoothing=smoothing,
                                      divergence=1e12)   # Never stops: every step is compared.
            result = replay_scripted(finder, scripted_losses(steps, seed))
            got[smoothing_name(smoothing, seed)] = padded(result.smoothed_losses, steps)
    else:
        start, end, steps, seed = options["sweep"]
        result = replay_scripted(subject.LRFinder(start=start, end=end, steps=steps),
                                 scripted_losses(steps, seed, diverge=True))
        got = {"η_i": padded(result.learning_rates, steps),
               "smoothed loss": padded(result.smoothed_losses, steps)}
    return checking.outputs(got, "step")


def smoothing_name(smoothing, seed):
    return f"smoothed loss, β = {smoothing:g}, losses of seed {seed}"


def expected(part, **options):
    """numpy.geomspace, pandas' ewm, and LRFinder's stopping rule on the same inputs."""
    if part == "lr_sweep":
        return checking.Expectation(
            checking.outputs({sweep_name(start, end, steps): np.geomspace(start, end, steps)
                              for start, end, steps in options["sweeps"]}, "step"),
            "numpy.geomspace", SWEEP_TOLERANCE)
    if part == "lr_smoothing":
        return checking.Expectation(
            checking.outputs({smoothing_name(smoothing, seed):
                              ewm(scripted_losses(steps, seed), smoothing)
                              for smoothing, steps, seed in options["runs"]}, "step"),
            "pandas' Series.ewm(alpha=1−β, adjust=True).mean()", SMOOTHING_TOLERANCE)
    start, end, steps, seed = options["sweep"]
    smoothed = ewm(scripted_losses(steps, seed, diverge=True), 0.98)
    recorded = divergence_stop(smoothed, 4.0)
    return checking.Expectation(
        checking.outputs({"η_i": padded(np.geomspace(start, end, steps)[:recorded], steps),
                          "smoothed loss": padded(smoothed[:recorded], steps)}, "step"),
        "numpy.geomspace, pandas' ewm and the stop at 4× the least smoothed loss",
        SMOOTHING_TOLERANCE, f"{sweep_name(start, end, steps)}, β = 0.98, divergence 4, "
                             f"scripted losses of seed {seed} that climb after 60 % of it")


def regression_data(seed=0):
    """y = x·w + noise, 64 samples of 4 features: a linear model's range test in a second."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 4)).astype(np.float32)                            # (64, 4)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + 0.1 * rng.standard_normal((64, 1))
    return x, y.astype(np.float32)                                                 # (64, 1)


def real_models(seed):
    """Two copies of a linear model with the same weights: the student's and the twin's."""
    models = []
    for _ in range(2):
        keras.utils.set_random_seed(seed)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(), loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    return models


def real_run(subject, start, end, steps, seed=0, batch_size=16):
    """``find_learning_rate`` on a linear model: rates, batch losses and smoothed losses,
    and the starting weights (the twin replays the batches from them)."""
    x, y = regression_data(seed)
    model = real_models(seed)[0]
    starting = [weight.copy() for weight in model.get_weights()]
    result = subject.find_learning_rate(model, x, y, batch_size=batch_size, start=start,
                                        end=end, steps=steps, shuffle=False)
    return checking.outputs({"η_i": padded(result.learning_rates, steps),
                             "batch loss": padded(result.losses, steps),
                             "smoothed loss": padded(result.smoothed_losses, steps),
                             "kernel at the start": starting[0].reshape(-1),
                             "bias at the start": starting[1].reshape(-1)}, "step")


def expected_real_run(start, end, steps, seed=0, batch_size=16):
    """The same batches replayed with Keras' ``train_on_batch`` at the rates of
    ``numpy.geomspace``, from the student's starting weights (no catalogue: the scripted
    checks say why)."""
    def verdict(got, catalogue, hidden):
        x, y = regression_data(seed)
        twin = real_models(seed)[1]
        kernel, bias = got.arrays.get("kernel at the start"), got.arrays.get("bias at the start")
        if kernel is None or bias is None or kernel.shape != (4,) or bias.shape != (1,):
            return checking.Outcome(False, "the model's starting weights were not reported")
        twin.set_weights([kernel.reshape(4, 1).astype("float32"), bias.astype("float32")])
        rates, losses = np.geomspace(start, end, steps), []
        batches = len(x) // batch_size
        for i, rate in enumerate(rates):
            twin.optimizer.learning_rate = rate
            batch = slice((i % batches) * batch_size, (i % batches + 1) * batch_size)
            losses.append(float(twin.train_on_batch(x[batch], y[batch])))   # before the step
        smoothed = ewm(losses, 0.98)
        recorded = divergence_stop(smoothed, 4.0)
        expected = checking.outputs({name: padded(np.asarray(array)[:recorded], steps)
                                     for name, array in (("η_i", rates), ("batch loss", losses),
                                                         ("smoothed loss", smoothed))}, "step")
        compared = checking.outputs({name: got.arrays.get(name, np.array([]))
                                     for name in expected.arrays}, "step")
        twin_name = "the batches replayed with train_on_batch at numpy.geomspace's rates"
        outcome = checking.compare(expected, compared, [], FIT_TOLERANCE, twin_name, hidden)
        if outcome.passed:
            return outcome
        where = outcome.feedback.splitlines()[0]
        return checking.Outcome(False, f"{where}\nthe sweep and smoothing checks above name "
                                       "the likely cause")

    return checking.Expectation(verdict=verdict)
