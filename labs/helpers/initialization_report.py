"""What the ``initialization`` lab prints and draws, so that the lesson shows only its steps.

    compare_with_keras   our Glorot and He against Keras' (same seed, variance, a KS test)
    measure_starts       the per-layer statistics of the deep net under every start
    print_spread         the std of a and of ∂L/∂a at a few hidden layers, per start
    relu_factors         the ReLU std's factor over the depth, measured and by the formula
    train_symmetric      the small tanh net trained from one start; how far its units spread
    run_record           what one training run's history and diagnostics CSV say
    print_training       each start's epochs, validation accuracy, label and findings
    statistics_figure    the std of a and of ∂L/∂a per layer, tanh and ReLU, every start
    training_figure      validation accuracy per epoch, every start, with its findings

``tests/test_initialization.py`` checks these against rules written there.
"""

import keras
import matplotlib.pyplot as plt
import numpy as np
import scipy.stats

import datasets
from labs.helpers import initialization


def compare_with_keras(twins, shape, seed, alpha):
    """For each rule → (our initializer class, Keras' class): draw ``shape`` with ``seed`` from
    both (they must agree), and with ``seed + 1`` from Keras' for a two-sample KS test at
    significance ``alpha``. Prints one row per rule; returns rule → the numbers, including
    ``keras_scale``, the largest |w| of Keras' same-seed draw."""
    found = {}
    print(f"kernel {shape}: {'rule':<7} {'Var rule':>9} {'Var ours':>9} {'Var Keras':>9} "
          f"{'same seed |Δ|':>13} {'KS p':>6}")
    for rule, (ours, theirs) in twins.items():
        mine = keras.ops.convert_to_numpy(ours(seed=seed)(shape)).ravel()
        keras_same = keras.ops.convert_to_numpy(theirs(seed=seed)(shape)).ravel()
        keras_other = keras.ops.convert_to_numpy(theirs(seed=seed + 1)(shape)).ravel()
        variance = ours().variance(shape)
        same_seed = float(np.abs(mine - keras_same).max())
        p_value = float(scipy.stats.ks_2samp(mine, keras_other).pvalue)
        print(f"{'':<15}{rule:<7} {variance:>9.2e} {mine.var():>9.2e} {keras_other.var():>9.2e} "
              f"{same_seed:>13.1e} {p_value:>6.2f}")
        print(f"  {rule}: the KS test {'rejects' if p_value < alpha else 'does not reject'} "
              f"'same distribution' at α = {alpha:g} (p = {p_value:.2f})")
        found[rule] = {"variance": variance, "ours": float(mine.var()),
                       "keras": float(keras_other.var()), "same_seed": same_seed,
                       "p_value": p_value, "alpha": alpha, "draws": mine.size,
                       "keras_scale": float(np.abs(keras_same).max())}
    return found


def measure_starts(starts, x, y, depth, width, seed):
    """The 64-input, 10-output net of ``depth`` hidden layers under tanh and ReLU and every
    start, measured on (x, y) by ``initialization.layer_statistics``.

    Returns:
        ``(statistics, differences, rows)``: (activation, start) → the measured statistics;
        (activation, start) → the largest |hand-written output − model output|; and one row
        per hidden layer for the CSV.
    """
    statistics, differences, rows = {}, {}, []
    for activation in ("tanh", "relu"):
        for name, make in starts.items():
            model = initialization.mlp(64, 10, depth, width, activation, make, seed)
            measured = initialization.layer_statistics(model, x, y)
            differences[activation, name] = float(np.abs(measured["output"]
                                                         - model(x).numpy()).max())
            statistics[activation, name] = measured
            for layer in range(depth):
                rows.append({"activation": activation, "start": name, "layer": layer + 1,
                             **{key: measured[key][layer] for key in
                                ("z_std", "activation_std", "gradient_std")}})
    return statistics, differences, rows


def relu_factors(statistics, starts, width, depth, show):
    """Per start: the ReLU net's last/first hidden-layer std of a (0 when the first is 0, as
    under zeros) and ``initialization.relu_prediction``'s; a table when ``show``."""
    ratios, predicted = {}, {}
    if show:
        print(f"\n{'ReLU, start':<16} {'Var(W)':>9} {'measured':>9} {'formula':>9}")
    for name, make in starts.items():
        stds = statistics["relu", name]["activation_std"]
        ratios[name] = float(stds[-1] / stds[0]) if stds[0] > 0 else 0.0
        variance = initialization.kernel_variance(make(), width)
        predicted[name] = initialization.relu_prediction(width, variance, depth)
        if show:
            print(f"{name:<16} {variance:>9.2e} {ratios[name]:>9.1e} {predicted[name]:>9.1e}")
    return ratios, predicted


def train_symmetric(make, x, y, net, epochs, seed, tolerance, callbacks):
    """The 2-input tanh net of ``net`` (depth, width, learning_rate, batch_size) from the
    start ``make``, trained by Adam; returns each Dense layer's largest |unit − first unit|
    (output last), the largest |w|, the distinct units per layer (to ``tolerance`` × that)
    and the last training accuracy."""
    model = initialization.mlp(2, 2, net["depth"], net["width"], "tanh", make, seed)
    model.compile(optimizer=keras.optimizers.Adam(net["learning_rate"]),
                  loss="sparse_categorical_crossentropy",
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    # Adam's moments now, and a metric object instead of the name "accuracy" (which Keras
    # resolves to a new metric there): made inside fit's first step, either would make
    # TensorFlow trace that step twice (the same training, only slower).
    model.optimizer.build(model.trainable_variables)
    history = model.fit(datasets.make_dataset(x, y, net["batch_size"], seed=seed), epochs=epochs,
                        verbose=0, shuffle=False,  # The dataset shuffles itself.
                        callbacks=callbacks)
    scale = max(float(np.abs(weight).max()) for weight in model.get_weights())
    return {"spread": initialization.unit_spread(model), "scale": scale,
            "distinct": initialization.distinct_units(model, tolerance * scale),
            "accuracy": float(history.history["accuracy"][-1])}


def print_training(trained, final):
    """One row per start: epochs run, final validation accuracy, label and findings."""
    print(f"\n{'start':<16} {'epochs':>6} {'val acc':>8}  {'label':<16} findings")
    for name, run in trained.items():
        print(f"{name:<16} {len(run['val_accuracy']):>6} {final[name]:>8.1%}  "
              f"{run['label']:<16} " + (", ".join(run["findings"]) or "none"))


def print_spread(statistics, shown):
    """The std of the activations and of the gradient at the hidden layers ``shown`` (from 1),
    one row per (activation, start) of ``statistics``."""
    for key, title in (("activation_std", "std of the activations a"),
                       ("gradient_std", "std of the gradient ∂L/∂a")):
        print(f"\n{title}, at hidden layer:")
        print(f"{'':<6}{'start':<16}" + "".join(f"{layer:>9}" for layer in shown))
        for (activation, name), measured in statistics.items():
            print(f"{activation:<6}{name:<16}"
                  + "".join(f"{measured[key][layer - 1]:>9.1e}" for layer in shown))


def run_record(history, diagnosis, frame):
    """One training run: validation accuracy per epoch, the logger's label and findings, and
    from its CSV ``frame`` the gradient norm, the first and last layers' ratio and dead shares."""
    ratio_columns = sorted(column for column in frame if column.startswith("grad_ratio/"))
    return {"val_accuracy": history.history["val_accuracy"], "label": diagnosis.label,
            "findings": [finding for finding, _, _ in diagnosis.findings],
            "grad_norm": frame["grad_norm"].tolist(),
            "first_ratio": frame[ratio_columns[0]].tolist(),
            "last_ratio": frame[ratio_columns[-1]].tolist(),
            "dead": {column: frame[column].tolist() for column in frame
                     if column.startswith("dead/")}}


def statistics_figure(statistics, starts, depth):
    """2 × 2 panels: tanh and ReLU rows, std of a and of ∂L/∂a columns, one line per start
    (log scale; a start whose values are all 0 draws no line)."""
    figure, axes = plt.subplots(2, 2, figsize=(12, 7.5), sharex=True)
    layers = np.arange(1, depth + 1)
    for row, activation in enumerate(("tanh", "relu")):
        for column, (key, label) in enumerate((("activation_std", "std of a"),
                                               ("gradient_std", "std of ∂L/∂a"))):
            panel = axes[row, column]
            for index, name in enumerate(starts):                  # one colour per start
                values = statistics[activation, name][key]
                if np.any(values > 0):
                    panel.semilogy(layers, np.where(values > 0, values, np.nan), "o-",
                                   color=f"C{index}", markersize=3, label=name)
            panel.set(title=f"{activation}: {label} per layer", ylabel=f"{label} (log scale)")
            panel.legend(fontsize=8)
    for panel in axes[1]:
        panel.set_xlabel("hidden layer (1 = next to the input)")
        panel.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    return figure


def training_figure(trained, title):
    """Validation accuracy per epoch for each start, labelled with the logger's findings."""
    figure, panel = plt.subplots(figsize=(7, 4))
    for index, (name, run) in enumerate(trained.items()):   # the colours of the first figure
        panel.plot(np.arange(1, len(run["val_accuracy"]) + 1), run["val_accuracy"], "o-",
                   color=f"C{index}", markersize=9 - 1.5 * index, linewidth=3 - 0.4 * index,
                   label=f"{name}: {', '.join(run['findings']) or 'no finding'}")
    panel.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    panel.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1), title=title)
    panel.legend(fontsize=8)
    return figure
