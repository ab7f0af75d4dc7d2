"""What LivePlot costs: the same ``model.fit`` without it, with its terminal lines, and with its
notebook figure, interleaved round by round.

Two of the labs' models, trained as the labs train them (30 epochs each):

* ``optimizers``: the 2-16-1 network on 450 two-moons samples, batch 32 (epochs of a few
  milliseconds: the hardest case for a live figure, which the throttle must carry);
* ``regularization``: the 2-128-128-128-1 network on 100 samples, batch 10, validated on 500.

The notebook mode runs outside a kernel here, so ``IPython.display.display`` is replaced by a
stand-in that formats the image as the kernel does before sending it (base64 of the PNG).
Everything else, rendering the figure and the diagnosis in its title included, is the real
code. The target is a ratio ≤ 1.05 against the plain fit. On a shared machine the ratio of
whole fits moves by ±10 % between runs, so the time spent inside LivePlot's hooks is also
measured directly, as a share of the same fits: the steadier number.

    python -m benchmarks.live_plot            # about 3 minutes on 2 cores
"""

import io
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from IPython import display as ipython_display  # noqa: E402
from IPython.core import formatters  # noqa: E402

import callbacks  # noqa: E402
import datasets  # noqa: E402
from benchmarks import _hooks, _timing  # noqa: E402

EPOCHS = 30
TARGET = 1.05          # whole fits with LivePlot / without
SHARE_TARGET = 0.05    # time inside its hooks, as a share of the fit
ROUNDS = 7


class FormattingDisplay:
    """A display handle that does what the kernel does before sending: format the image."""

    def __call__(self, image, display_id=None):
        formatters.format_display_data(image)
        return self

    def update(self, image):
        formatters.format_display_data(image)


# LivePlot, adding up the seconds spent inside its own hooks (spent).
TimedLivePlot = _hooks.timed(callbacks.LivePlot)


def optimizers_problem():
    x, y = datasets.two_moons(n_samples=600, noise=0.2, seed=0)
    (x_train, y_train), _ = datasets.train_val_split(x, y, 0.25, seed=0)
    x_train = datasets.Standardizer().fit(x_train).transform(x_train)

    def make_model():
        model = keras.Sequential([keras.Input(shape=(2,)),
                                  keras.layers.Dense(16, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
        return model

    return make_model, dict(x=x_train, y=y_train, batch_size=32, shuffle=False)


def regularization_problem():
    x, y = datasets.two_moons(n_samples=600, noise=0.3, seed=0)
    y = y.reshape(-1, 1).astype("float32")

    def make_model():
        model = keras.Sequential([keras.Input((2,)),
                                  *[keras.layers.Dense(128, activation="relu") for _ in range(3)],
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.BinaryCrossentropy(from_logits=True),
                      metrics=[keras.metrics.BinaryAccuracy(threshold=0.0, name="accuracy")])
        return model

    return make_model, dict(x=x[:100], y=y[:100], validation_data=(x[100:], y[100:]),
                            batch_size=10)


def candidates(make_model, arguments, shares, draws):
    """name → one fit of EPOCHS epochs: without LivePlot, with its terminal lines, its figure."""

    def fit(live):
        keras.utils.set_random_seed(0)
        model = make_model()
        started = time.perf_counter()
        model.fit(epochs=EPOCHS, verbose=0, callbacks=[live] if live else [], **arguments)
        if live is not None:
            shares[live.mode].append(live.spent / (time.perf_counter() - started))
            draws[live.mode].append(live.draws)

    return {
        "without": lambda: fit(None),
        "terminal": lambda: fit(TimedLivePlot(mode="terminal", stream=io.StringIO())),
        "notebook": lambda: fit(TimedLivePlot(mode="notebook")),
    }


def measure():
    """Fits without LivePlot, with its terminal lines and with its figure, on two labs' models.

    Returns:
        a list of (model name, timings, shares, epoch seconds): ``timings`` maps
        "without", "terminal" and "notebook" to the seconds of each fit, ``shares`` the
        two modes to the fraction of each fit spent inside LivePlot's hooks.
    """
    ipython_display.display = FormattingDisplay()
    measured = []
    for name, problem in (("optimizers", optimizers_problem),
                          ("regularization", regularization_problem)):
        shares = {"terminal": [], "notebook": []}
        draws = {"terminal": [], "notebook": []}
        timings = _timing.interleaved(candidates(*problem(), shares, draws), rounds=ROUNDS,
                                      warmup=1)
        epoch = statistics.median(timings["without"]) / EPOCHS
        measured.append((name, timings, shares, epoch, statistics.median(draws["notebook"])))
    return measured


def main():
    rows = []
    for name, timings, shares, epoch, draws in measure():
        print(f"{name}: {EPOCHS} epochs of {epoch * 1e3:.0f} ms; inside LivePlot's hooks: "
              f"terminal {statistics.median(shares['terminal']):.2%} of the fit, notebook "
              f"{statistics.median(shares['notebook']):.2%} ({draws:.0f} figures drawn per fit)")
        rows.append((f"{name}: terminal / without", timings["without"], timings["terminal"]))
        rows.append((f"{name}: notebook / without", timings["without"], timings["notebook"]))
    print(f"\nmodel.fit, {EPOCHS} epochs, {ROUNDS} interleaved rounds (medians):")
    print(_timing.ratio_table(rows, target=TARGET))


if __name__ == "__main__":
    main()
