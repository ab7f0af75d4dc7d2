# ASSIGNMENTS: INSTRUCTOR ONLY (it copies the solutions' maths as NumPy references)
"""The from-scratch optimizers pass Keras' own optimizer tests, and swap configs with Keras.

Keras ships its unit tests inside the installed package (``keras/src/optimizers/
sgd_test.py``, ``rmsprop_test.py``, ``adam_test.py``). Each of those test methods is run
here with the module's optimizer class replaced by ours, so the drop-in promise is
checked against Keras' own expectations (golden values for Nesterov, centered RMSprop
and AMSGrad, weight decay, clipping, EMA, serialization). Differences kept on purpose
are listed in ``KNOWN_DIFFERENCES`` and each is tested here in its own form.
"""

import importlib
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import _keras_own_tests
import custom.optimizers

# Keras test module → (the class name it tests, our class).
KERAS_TEST_MODULES = {
    "keras.src.optimizers.sgd_test": ("SGD", custom.optimizers.SGD),
    "keras.src.optimizers.rmsprop_test": ("RMSprop", custom.optimizers.RMSprop),
    "keras.src.optimizers.adam_test": ("Adam", custom.optimizers.Adam),
}

# Keras test → why ours differs. Each is checked in its own form further down.
KNOWN_DIFFERENCES = {
    "keras.src.optimizers.sgd_test.SGDTest.test_invalid_momentum":
        "same ValueError for the same values, worded as ours: 'momentum must be a finite number >= 0 and <= 1'",
}


def run_keras_test(monkeypatch, module_name, test_class, method, replacement):
    class_name = KERAS_TEST_MODULES[module_name][0]
    return _keras_own_tests.run(monkeypatch, module_name, test_class, method,
                                {class_name: replacement})


@pytest.mark.parametrize(
    "module_name, test_class, method",
    _keras_own_tests.test_methods({module: f"{name}Test" for module, (name, _)
                                   in KERAS_TEST_MODULES.items()}, KNOWN_DIFFERENCES),
    ids=_keras_own_tests.test_id)
def test_passes_keras_own_test(monkeypatch, module_name, test_class, method):
    problems = run_keras_test(monkeypatch, module_name, test_class, method,
                              KERAS_TEST_MODULES[module_name][1])
    assert not problems, problems[0]


def test_keras_own_test_catches_a_wrong_optimizer(monkeypatch):
    """The harness can fail: uncentered RMSprop misses Keras' centered golden values."""
    def uncentered(**kwargs):
        kwargs["centered"] = False
        return custom.optimizers.RMSprop(**kwargs)

    module_name = "keras.src.optimizers.rmsprop_test"
    test_class = importlib.import_module(module_name).RMSpropTest
    problems = run_keras_test(monkeypatch, module_name, test_class,
                              "test_correctness_with_golden", uncentered)
    assert problems and "Not equal to tolerance" in problems[0]


@pytest.mark.parametrize("momentum", [-1.0, 2.0, 1.0 + 1e-9, float("nan")])
def test_invalid_momentum_raises_like_keras(momentum):
    """Keras' test_invalid_momentum, with our wording of the same ValueError."""
    with pytest.raises(ValueError, match=re.escape("momentum must be a finite number >= 0 and <= 1")):
        custom.optimizers.SGD(momentum=momentum)
    if momentum == momentum:  # Keras lets a NaN through; ours refuses it.
        with pytest.raises(ValueError, match=re.escape("`momentum` must be a float between")):
            keras.optimizers.SGD(momentum=momentum)


def test_boundary_momenta_are_accepted_like_keras():
    for momentum in (0.0, 1.0):
        for nesterov in (False, True):
            ours = custom.optimizers.SGD(momentum=momentum, nesterov=nesterov)
            theirs = keras.optimizers.SGD(momentum=momentum, nesterov=nesterov)
            assert ours.get_config()["momentum"] == theirs.get_config()["momentum"] == momentum
    assert custom.optimizers.RMSprop(momentum=1.0).momentum == 1.0


# --- Configs: from Keras into ours and back, with every Keras argument ---------------------

BASE_ARGUMENTS = {"weight_decay": 0.004, "use_ema": True, "ema_momentum": 0.9,
                  "ema_overwrite_frequency": 5, "loss_scale_factor": 128.0,
                  "gradient_accumulation_steps": 2, "name": "twin"}
CLIPPINGS = [{"clipnorm": 1.0}, {"clipvalue": 0.5}, {"global_clipnorm": 2.0}]
OWN_ARGUMENTS = {
    "SGD": {"learning_rate": 0.5, "momentum": 0.06, "nesterov": True},
    "RMSprop": {"learning_rate": 0.5, "rho": 0.8, "momentum": 0.05, "epsilon": 1e-6,
                "centered": True},
    "Adam": {"learning_rate": 0.5, "beta_1": 0.5, "beta_2": 0.67, "epsilon": 1e-5,
             "amsgrad": True},
}


def every_argument(class_name, clipping, schedule):
    arguments = dict(OWN_ARGUMENTS[class_name], **BASE_ARGUMENTS, **clipping)
    if schedule:
        arguments["learning_rate"] = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    return arguments


@pytest.mark.parametrize("class_name", OWN_ARGUMENTS)
@pytest.mark.parametrize("clipping", CLIPPINGS, ids=lambda clipping: next(iter(clipping)))
@pytest.mark.parametrize("schedule", [False, True], ids=["constant", "schedule"])
def test_configs_load_from_keras_and_back(class_name, clipping, schedule):
    ours_class = getattr(custom.optimizers, class_name)
    keras_class = getattr(keras.optimizers, class_name)
    keras_config = keras_class(**every_argument(class_name, clipping, schedule)).get_config()
    ours = ours_class.from_config(dict(keras_config))  # from_config rewrites its argument
    assert type(ours) is ours_class
    assert ours.get_config() == keras_config

    ours_config = ours_class(**every_argument(class_name, clipping, schedule)).get_config()
    assert ours_config == keras_config
    theirs = keras_class.from_config(dict(ours_config))
    assert theirs.get_config() == ours_config

    # Through keras' serialization the registered class comes back, not Keras' own.
    clone = keras.optimizers.deserialize(keras.optimizers.serialize(ours))
    assert type(clone) is ours_class and clone.get_config() == keras_config


def test_default_configs_are_keras_configs():
    for class_name in OWN_ARGUMENTS:
        ours = getattr(custom.optimizers, class_name)(name="same").get_config()
        theirs = getattr(keras.optimizers, class_name)(name="same").get_config()
        assert ours == theirs


def test_textbook_epsilon_is_the_one_config_keras_refuses():
    config = custom.optimizers.Adam(textbook_epsilon=True).get_config()
    assert config["textbook_epsilon"] is True
    assert custom.optimizers.Adam.from_config(dict(config)).textbook_epsilon is True
    with pytest.raises(ValueError, match="Argument\\(s\\) not recognized.*textbook_epsilon"):
        keras.optimizers.Adam.from_config(dict(config))


@pytest.mark.parametrize("class_name, arguments", [
    ("SGD", {"momentum": 0.9}), ("RMSprop", {"momentum": 0.9, "centered": True}),
    ("Adam", {"amsgrad": True})])
def test_slots_line_up_with_keras(class_name, arguments):
    """The same optimizer variables in the same order and shapes, so states can be swapped."""
    weights = [tf.Variable(np.ones((3, 2), np.float32)), tf.Variable(np.ones(2, np.float32))]
    ours = getattr(custom.optimizers, class_name)(**arguments)
    theirs = getattr(keras.optimizers, class_name)(**arguments)
    ours.build(weights)
    theirs.build(weights)
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    assert len(ours.variables) == len(theirs.variables)


# --- AMSGrad where the maximum matters, in both ε forms ------------------------------------

def numpy_amsgrad(gradients, learning_rate, textbook, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """AMSGrad in float64 on one scalar: Keras' ε̂ form, or the textbook (PyTorch) form."""
    weight, m, v, v_max, path = 1.0, 0.0, 0.0, 0.0, []
    for step, g in enumerate(gradients, start=1):
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        v_max = max(v_max, v)
        if textbook:
            m_hat, v_hat = m / (1 - beta_1 ** step), v_max / (1 - beta_2 ** step)
            weight -= learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
        else:
            alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
            weight -= alpha * m / (np.sqrt(v_max) + epsilon)
        path.append(weight)
    return np.array(path)


@pytest.mark.parametrize("textbook", [False, True], ids=["keras_epsilon", "textbook_epsilon"])
def test_amsgrad_keeps_the_largest_second_moment(textbook):
    # Large gradients, then small ones: v shrinks (fast, with β₂ = 0.9), vₘₐₓ does not.
    gradients = [5.0] * 20 + [0.01] * 80
    rate = 2.0 ** -7  # Exact in float32, the precision the optimizer keeps its rate in.
    expected = numpy_amsgrad(gradients, rate, textbook, beta_2=0.9)
    weight = tf.Variable([1.0], dtype="float64")
    optimizer = custom.optimizers.Adam(learning_rate=rate, beta_2=0.9, amsgrad=True,
                                       textbook_epsilon=textbook)
    plain = custom.optimizers.Adam(learning_rate=rate, beta_2=0.9, textbook_epsilon=textbook)
    plain_weight = tf.Variable([1.0], dtype="float64")
    path, plain_path = [], []
    for g in gradients:
        optimizer.apply([tf.constant([g], "float64")], [weight])
        plain.apply([tf.constant([g], "float64")], [plain_weight])
        path.append(float(weight.numpy()[0]))
        plain_path.append(float(plain_weight.numpy()[0]))
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-12)
    # Without the maximum the small gradients would take much larger steps.
    assert abs(plain_path[-1] - path[-1]) > 0.05
