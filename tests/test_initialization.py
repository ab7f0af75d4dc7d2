"""The initialization lab's measurements: the per-layer std table from a seed, against the
variance formula written here, and the symmetry claim.

The formula: for ReLU units, zero biases and a width × width kernel of variance Var(W),
Var(z_{l+1}) = n · Var(W) · Var(z_l) / 2, so the last of D hidden layers has
(n · Var(W) / 2)^((D − 1)/2) times the first one's standard deviation; the backward pass
multiplies ∂L/∂a by the same factor per layer on its way down.
"""

import math

import keras
import numpy as np
import pytest

import datasets
from custom import initializers, model_state
from labs.helpers import initialization
from labs.helpers import initialization_report as report

DEPTH, WIDTH = 20, 128
FACTOR = 2.0      # Measured and formula agree within this factor over the whole depth.


def formula(variance, depth=DEPTH, width=WIDTH):
    return (width * variance / 2) ** ((depth - 1) / 2)


@pytest.fixture(scope="module")
def probe():
    x, y = datasets.digits()
    x = datasets.Standardizer().fit(x).transform(x)
    return x[:512], y[:512]


def measure(make, probe, seed, activation="relu"):
    model = initialization.mlp(64, 10, DEPTH, WIDTH, activation, make, seed)
    return model, initialization.layer_statistics(model, *probe)


@pytest.mark.parametrize("seed", [0, 1])
def test_relu_table_follows_the_variance_formula(probe, seed):
    starts = {"He": (initializers.He, 2 / WIDTH),
              "Glorot": (initializers.Glorot, 2 / (WIDTH + WIDTH)),
              "small": (lambda: keras.initializers.RandomNormal(stddev=0.01), 0.01 ** 2)}
    measured_by_start = {}
    for name, (make, variance) in starts.items():
        _, measured = measure(make, probe, seed)
        measured_by_start[name] = measured
        forward = measured["activation_std"][-1] / measured["activation_std"][0]
        backward = measured["gradient_std"][0] / measured["gradient_std"][-1]
        expected = formula(variance)
        for ratio in (forward, backward):
            assert expected / FACTOR <= ratio <= expected * FACTOR, (name, ratio, expected)
    # He keeps the activations' std within a factor of 2 over 20 layers; σ = 0.01 shrinks
    # it by more than fifteen orders of magnitude.
    he, small = measured_by_start["He"], measured_by_start["small"]
    assert np.all(np.abs(np.log2(he["activation_std"] / he["activation_std"][0])) <= 1)
    assert small["activation_std"][-1] / small["activation_std"][0] < 1e-15
    assert initialization.relu_prediction(WIDTH, 2 / WIDTH, DEPTH) == 1.0


def test_the_hand_written_pass_is_the_model_and_its_last_gradient_the_softmax_rule(probe):
    model, measured = measure(initializers.Glorot, probe, 0, activation="tanh")
    x, y = probe
    np.testing.assert_allclose(measured["output"], model(x).numpy(), rtol=0, atol=1e-6)
    # For the mean cross-entropy of a softmax layer, ∂L/∂a_D = (p − onehot(y)) · W_outᵀ / N.
    probabilities = model(x).numpy().astype(np.float64)
    error = (probabilities - np.eye(10)[y]) / len(x)            # (batch, classes)
    last = error @ model.layers[-1].kernel.numpy().T.astype(np.float64)   # (batch, width)
    assert measured["gradient_std"][-1] == pytest.approx(last.std(), rel=1e-4)


def test_zeros_carry_no_signal_and_no_gradient(probe):
    _, measured = measure(keras.initializers.Zeros, probe, 0)
    for key in ("z_std", "activation_std", "gradient_std"):
        assert np.all(measured[key] == 0)


def test_kernel_variance_of_each_start():
    made = initialization.schemes(0.01, 1.0)
    variances = {name: initialization.kernel_variance(make(), WIDTH) for name, make in made.items()}
    assert variances == {"zeros": 0.0, "normal σ = 0.01": pytest.approx(1e-4),
                         "normal σ = 1": 1.0, "Glorot": 1 / WIDTH, "He": 2 / WIDTH}


def test_unit_spread_and_distinct_units_on_known_weights():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
    model.layers[0].set_weights([np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.5, 2.0]]),
                                 np.array([0.0, 0.0, -0.25, 1e-7])])
    np.testing.assert_allclose(initialization.unit_spread(model), [0.5])
    assert initialization.distinct_units(model, 1e-6) == [2]      # units 0, 1, 3 are one
    assert initialization.distinct_units(model, 1e-8) == [3]


def small_tanh_net_trainer():
    """``train(make, nudge=0.0)``: five epochs of Adam on two moons for the 2-16-16-16-2 tanh
    net started from ``make()`` (and ``nudge`` added to one incoming weight of unit 1 of
    the first hidden layer), returning its units' spread and its largest weight. One
    compiled model serves every start: its weights and Adam's fresh state are put back
    before each run (custom.model_state), so its train step is traced once."""
    x, y = datasets.two_moons(n_samples=256, noise=0.2, seed=0)
    model = initialization.mlp(2, 2, 3, 16, "tanh", keras.initializers.Zeros, 0)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    _, fresh_adam = model_state.snapshot(model)

    def train(make, nudge=0.0):
        weights = initialization.mlp(2, 2, 3, 16, "tanh", make, 0).get_weights()  # seeds 0
        weights[0][0, 1] += nudge
        model_state.restore(model, (weights, fresh_adam))
        model.fit(x, y, batch_size=64, epochs=5, verbose=0)
        scale = max(float(np.abs(weight).max()) for weight in model.get_weights())
        return initialization.unit_spread(model), scale

    return train


def test_equal_weights_stay_equal_to_float_precision():
    train_small_tanh_net = small_tanh_net_trainer()
    spread, scale = train_small_tanh_net(lambda: keras.initializers.Constant(0.5))
    assert np.all(spread[:-1] <= 1e-6 * scale)       # every hidden layer: one unit, copied
    assert spread[-1] > 1e-3                         # the output units have their own targets
    # A nudge of 1e-3 to one weight of layer 1 is seen there. Layers 2 and 3 stay symmetric:
    # each of their units still sees the same inputs through the same weights, and sends
    # the same weights up, so each gets the same gradient.
    nudged, nudged_scale = train_small_tanh_net(lambda: keras.initializers.Constant(0.5),
                                                nudge=1e-3)
    assert nudged[0] >= 1e-3
    assert np.all(nudged[1:-1] <= 1e-6 * nudged_scale)
    random_start, _ = train_small_tanh_net(initializers.He)
    assert np.all(random_start > 0.1)


def test_relu_prediction_is_the_written_formula():
    for variance in (1e-4, 2 / WIDTH, 1.0):
        assert math.isclose(initialization.relu_prediction(WIDTH, variance, DEPTH),
                            formula(variance), rel_tol=1e-12)


def test_restart_is_a_freshly_built_model():
    """A compiled model trained for a while, then restarted, trains as a new model would
    from the same starting weights: the momentum and the step count are gone."""
    x, y = datasets.two_moons(n_samples=128, noise=0.2, seed=0)

    def compiled(model):
        model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                      loss="sparse_categorical_crossentropy")
        return model

    def fit(model):
        model.fit(datasets.make_dataset(x, y, 32, seed=0), epochs=2, verbose=0, shuffle=False)

    used = compiled(initialization.mlp(2, 2, 3, 8, "relu", initializers.He, 0))
    fit(used)                                        # momentum and iterations now non-zero
    trained = used.get_weights()
    _, kept_momentum = model_state.snapshot(used)    # the optimizer as those epochs left it
    initialization.restart(used, initializers.Glorot, 1)
    start = used.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(trained[::2], start[::2]))
    assert all(np.all(bias == 0) for bias in start[1::2])
    assert int(used.optimizer.iterations.numpy()) == 0
    fresh = compiled(initialization.mlp(2, 2, 3, 8, "relu", initializers.Glorot, 5))
    fresh.set_weights(start)
    fit(used)
    fit(fresh)
    assert float(used.optimizer.learning_rate.numpy()) == pytest.approx(0.05)
    for a, b in zip(used.get_weights(), fresh.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # Without clearing the momentum, the same two epochs end elsewhere: the model after its
    # first two epochs, given the start's weights only (custom.model_state puts them back
    # with the optimizer's momentum and step count as those epochs left them).
    model_state.restore(used, (start, kept_momentum))
    stale = used
    fit(stale)
    assert max(np.abs(a - b).max() for a, b in zip(stale.get_weights(),
                                                    fresh.get_weights())) > 1e-4


def test_compare_with_keras_agrees_with_keras_on_one_seed_and_refuses_a_wrong_twin(capsys):
    found = report.compare_with_keras({"He": (initializers.He, keras.initializers.HeNormal)},
                                      (16, 64), seed=3, alpha=0.01)["He"]
    assert found["same_seed"] <= 1e-6 * found["keras_scale"]
    assert found["variance"] == pytest.approx(2 / 16)
    assert found["draws"] == 16 * 64 and 0 <= found["p_value"] <= 1
    wrong = report.compare_with_keras({"He": (initializers.Glorot, keras.initializers.HeNormal)},
                                      (16, 64), seed=3, alpha=0.01)["He"]
    assert wrong["same_seed"] > 1e-3 * wrong["keras_scale"]
    assert "does not reject" in capsys.readouterr().out


def test_measure_starts_and_relu_factors_follow_the_formula(probe):
    x, y = probe
    starts = {"He": initializers.He, "zeros": keras.initializers.Zeros}
    statistics, differences, rows = report.measure_starts(starts, x, y, depth=6, width=WIDTH,
                                                          seed=0)
    assert set(statistics) == {(activation, name) for activation in ("tanh", "relu")
                               for name in starts}
    assert max(differences.values()) <= 1e-5 and len(rows) == 2 * 2 * 6
    ratios, predicted = report.relu_factors(statistics, starts, WIDTH, 6, show=False)
    assert ratios["zeros"] == 0.0
    stds = statistics["relu", "He"]["activation_std"]
    assert ratios["He"] == pytest.approx(stds[-1] / stds[0])
    assert predicted["He"] == pytest.approx(formula(2 / WIDTH, depth=6))
    assert 1 / FACTOR <= ratios["He"] / predicted["He"] <= FACTOR


def test_train_symmetric_keeps_a_constant_nets_units_equal():
    x, y = datasets.two_moons(n_samples=64, noise=0.2, seed=0)
    net = {"depth": 2, "width": 4, "learning_rate": 0.01, "batch_size": 32}
    constant = report.train_symmetric(lambda: keras.initializers.Constant(0.5), x, y, net,
                                      epochs=2, seed=0, tolerance=1e-6, callbacks=[])
    assert constant["distinct"][:-1] == [1, 1]
    assert max(constant["spread"][:-1]) <= 1e-6 * constant["scale"]
    he = report.train_symmetric(initializers.He, x, y, net, 2, 0, 1e-6, [])
    assert he["distinct"][:-1] == [4, 4] and 0 <= he["accuracy"] <= 1


@pytest.mark.filterwarnings("ignore:No artists with labels")
def test_run_record_reads_the_first_and_last_ratio_columns_and_the_figures_draw_them():
    import types

    import pandas

    frame = pandas.DataFrame({"grad_norm": [1.0, 2.0], "grad_ratio/dense_1": [0.1, 0.2],
                              "grad_ratio/dense": [0.3, 0.4], "dead/dense": [0.0, 0.5]})
    history = types.SimpleNamespace(history={"val_accuracy": [0.5, 0.75]})
    diagnosis = types.SimpleNamespace(label="GOOD", findings=[("dead units", "e", "a")])
    run = report.run_record(history, diagnosis, frame)
    assert run["first_ratio"] == [0.3, 0.4] and run["last_ratio"] == [0.1, 0.2]
    assert run["dead"] == {"dead/dense": [0.0, 0.5]} and run["findings"] == ["dead units"]
    figure = report.training_figure({"He": run}, "five starts")
    assert list(figure.axes[0].lines[0].get_ydata()) == [0.5, 0.75]
    assert figure.axes[0].lines[0].get_label() == "He: dead units"
    statistics = {(activation, name): {"activation_std": np.array([1.0, 0.5]),
                                       "gradient_std": np.array([0.0, 0.0])}
                  for activation in ("tanh", "relu") for name in ("He",)}
    panels = report.statistics_figure(statistics, ["He"], 2).axes
    assert list(panels[0].lines[0].get_ydata()) == [1.0, 0.5]
    assert len(panels[1].lines) == 0      # all zeros: no line on a log scale
