"""Checks of the lr_finder task (Learning Algorithms, exercise 2), against numpy and pandas.

The sweep against ``numpy.geomspace``; the smoothed losses against pandas'
``Series.ewm(alpha=1−β, adjust=True).mean()``, which weighs the losses exactly as the
bias-corrected moving average does; and one real range test through
``find_learning_rate``, replayed batch by batch with Keras' ``train_on_batch``.
"""

import keras
import numpy as np
import pandas

from assignments import checking

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


def compared(subject, part, **options):
    if part == "lr_sweep":
        expected, got = {}, {}
        for start, end, steps in options["sweeps"]:
            name = sweep_name(start, end, steps)
            expected[name] = np.geomspace(start, end, steps)
            schedule = subject.LRFinder(start=start, end=end, steps=steps).schedule
            got[name] = np.asarray(keras.ops.convert_to_numpy(schedule), dtype=float)
        return (checking.outputs(expected, "step"), checking.outputs(got, "step"),
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
        return (checking.outputs(expected, "step"), checking.outputs(got, "step"),
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
    return (checking.outputs(expected, "step"), checking.outputs(got, "step"),
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
    expected = checking.outputs({name: padded(np.asarray(array)[:recorded], steps)
                        for name, array in expected.items()}, "step")
    got = checking.outputs({"η_i": padded(result.learning_rates, steps),
                   "batch loss": padded(result.losses, steps),
                   "smoothed loss": padded(result.smoothed_losses, steps)}, "step")
    twin_name = "the batches replayed with train_on_batch at numpy.geomspace's rates"
    outcome = checking.compare(expected, got, [], FIT_TOLERANCE, twin_name)
    if outcome.passed:
        return outcome
    where = outcome.feedback.splitlines()[0]
    return checking.Outcome(False, f"{where}\nthe sweep and smoothing checks above name the "
                                   "likely cause")
