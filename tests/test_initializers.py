"""custom.initializers against keras.initializers: moments, a two-sample test, draw for draw.

Three independent checks of each rule and distribution:
* moments: mean 0 and the rule's variance (2/(n_in + n_out) or 2/n_in, written here), within
  five standard errors of a sample of 240 000 draws;
* a two-sample Kolmogorov-Smirnov test between our draws and Keras' (other seeds), at the
  significance level ALPHA; the same test rejects a rule of the wrong scale;
* with one integer seed, the same draws as Keras' initializer (both call ``keras.random``).
"""

import math

import keras
import numpy as np
import pytest
import scipy.stats

from custom import initializers

ALPHA = 0.01              # Significance of the two-sample test.
SHAPE = (400, 600)        # n_in = 400, n_out = 600: the two rules differ; 240 000 draws.
KERAS = {("glorot", "truncated_normal"): keras.initializers.GlorotNormal,
         ("glorot", "uniform"): keras.initializers.GlorotUniform,
         ("he", "truncated_normal"): keras.initializers.HeNormal,
         ("he", "uniform"): keras.initializers.HeUniform,
         # Keras has no class for the untruncated normals; its VarianceScaling draws them.
         ("glorot", "normal"): lambda seed: keras.initializers.VarianceScaling(
             1.0, "fan_avg", "untruncated_normal", seed=seed),
         ("he", "normal"): lambda seed: keras.initializers.VarianceScaling(
             2.0, "fan_in", "untruncated_normal", seed=seed)}
OURS = {"glorot": initializers.Glorot, "he": initializers.He}
RULE = {"glorot": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),   # the papers' formulas
        "he": lambda fan_in, fan_out: 2.0 / fan_in}


def draws(initializer, shape=SHAPE):
    return keras.ops.convert_to_numpy(initializer(shape, dtype="float64")).ravel()


@pytest.mark.parametrize("rule, distribution", [(rule, distribution) for rule in OURS
                                                for distribution in initializers.DISTRIBUTIONS])
def test_mean_and_variance_are_the_rules(rule, distribution):
    values = draws(OURS[rule](distribution, seed=11))
    variance = RULE[rule](*SHAPE)
    count = values.size
    # Standard errors: of the mean √(Var/N); of the variance Var·√((κ − 1)/N), κ ≤ 3 here.
    assert abs(values.mean()) < 5 * math.sqrt(variance / count)
    assert abs(values.var() / variance - 1) < 5 * math.sqrt(2 / count)
    if distribution == "uniform":
        assert np.abs(values).max() <= math.sqrt(3 * variance)          # ℓ = √(3·Var)
    if distribution == "truncated_normal":
        sigma = math.sqrt(variance) / 0.87962566103423978              # Keras' constant
        assert np.abs(values).max() <= 2 * sigma * (1 + 1e-6)


@pytest.mark.parametrize("rule, distribution", sorted(KERAS))
def test_two_sample_test_cannot_tell_ours_from_keras(rule, distribution):
    ours = draws(OURS[rule](distribution, seed=1))
    theirs = draws(KERAS[rule, distribution](seed=2))
    assert scipy.stats.ks_2samp(ours, theirs).pvalue > ALPHA
    # The other rule has another variance on this shape (2/1000 against 2/400): the same
    # test must reject it, or it could not have failed above.
    other = "he" if rule == "glorot" else "glorot"
    wrong = draws(OURS[other](distribution, seed=1))
    assert scipy.stats.ks_2samp(wrong, theirs).pvalue < ALPHA


@pytest.mark.parametrize("rule, distribution", sorted(KERAS))
@pytest.mark.parametrize("shape", [(64, 32), (3, 3, 16, 8), (7,)])
def test_one_seed_gives_keras_draws(rule, distribution, shape):
    ours = keras.ops.convert_to_numpy(OURS[rule](distribution, seed=5)(shape))
    theirs = keras.ops.convert_to_numpy(KERAS[rule, distribution](seed=5)(shape))
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=0)


def test_the_truncation_constant_is_keras():
    assert initializers.truncated_standard_deviation() == pytest.approx(0.87962566103423978,
                                                                       abs=1e-15)
    # Without truncation (a far bound), the standard deviation is 1.
    assert initializers.truncated_standard_deviation(40.0) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("shape, expected", [
    ((5,), (5, 5)), ((64, 32), (64, 32)),
    ((3, 3, 16, 8), (3 * 3 * 16, 3 * 3 * 8)),   # receptive field 9 times the channels
    ((5, 4, 2), (5 * 4, 5 * 2))])
def test_fans(shape, expected):
    assert initializers.fans(shape) == expected


def test_unseeded_draws_differ_between_calls_and_follow_the_global_seed():
    keras.utils.set_random_seed(3)
    first = draws(initializers.He(), (50, 50))
    second = draws(initializers.He(), (50, 50))
    keras.utils.set_random_seed(3)
    again = draws(initializers.He(), (50, 50))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize("arguments, message", [
    ({"distribution": "gaussian"}, "distribution must be one of"),
    ({"seed": -1}, "seed must be an integer >= 0"),
    ({"seed": 1.5}, "seed must be an integer >= 0"),
    ({"seed": True}, "seed must be an integer >= 0")])
@pytest.mark.parametrize("rule", sorted(OURS))
def test_bad_arguments_raise_one_line(rule, arguments, message):
    with pytest.raises(ValueError, match=message) as raised:
        OURS[rule](**arguments)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("shape", [(), (0, 3), (2.5, 3), (4, -1)])
def test_bad_shapes_raise(shape):
    with pytest.raises(ValueError, match="shape must be a non-empty tuple of positive integers"):
        initializers.He()(shape)


@pytest.mark.parametrize("rule", sorted(OURS))
def test_config_round_trips_through_keras(rule, tmp_path):
    initializer = OURS[rule]("uniform", seed=9)
    again = keras.initializers.deserialize(keras.initializers.serialize(initializer))
    assert type(again) is OURS[rule] and again.get_config() == initializer.get_config()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, kernel_initializer=again)])
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    kernel_initializer = loaded.layers[0].kernel_initializer
    assert type(kernel_initializer) is OURS[rule]
    assert kernel_initializer.get_config() == {"distribution": "uniform", "seed": 9}
    np.testing.assert_array_equal(loaded.layers[0].kernel.numpy(), model.layers[0].kernel.numpy())
