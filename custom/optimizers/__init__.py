"""Optimizers written from scratch as real Keras optimizers, and a registry to swap them.

    custom.optimizers.SGD          plain, classic momentum, Nesterov (= keras.optimizers.SGD)
    custom.optimizers.EMAMomentum  v ← β·v + (1−β)·g; w ← w − η·v   (no Keras twin), the
                                   form of "Learning Algorithms"
    custom.optimizers.RMSprop      plain, centered, with momentum (= keras.optimizers.RMSprop)
    custom.optimizers.Adam         Adam and AMSGrad (= keras.optimizers.Adam), or textbook ε
                                   with textbook_epsilon=True

Each class takes the same arguments as its Keras twin, and their configs load into
each other (``Adam.from_config(keras.optimizers.Adam().get_config())`` and back), so
one can replace the other in any code.

Pick one by name, from scratch or the Keras built-in, with the same arguments::

    import custom.optimizers
    optimizer = custom.optimizers.get("momentum", learning_rate=0.05)
    twin = custom.optimizers.get("momentum", implementation="keras", learning_rate=0.05)
    custom.optimizers.names()   # every name ``get`` accepts

Each call returns a fresh optimizer: an optimizer keeps state (its velocities
and step count), so two models must never share one.

Your own optimizer (Adagrad, AdamW, Lion, …) joins the registry with ``register``,
and then runs in every lab that takes ``--optimizer``; put the call in
``custom/optimizers/registered.py``, which this package imports::

    custom.optimizers.register("adagrad", Adagrad, keras_twin=keras.optimizers.Adagrad)

``slots.slot`` finds a variable's slot inside ``update_step`` without Keras'
private methods (see ``custom/optimizers/slots.py``).
"""

import re


import keras

from custom.optimizers import _validation
from custom.optimizers.adam import Adam
from custom.optimizers.ema_momentum import EMAMomentum
from custom.optimizers.rmsprop import RMSprop
from custom.optimizers.sgd import SGD

IMPLEMENTATIONS = ("custom", "keras")

# Name → (from-scratch class, Keras built-in or None, defaults that the name implies).
_REGISTRY = {
    "sgd": (SGD, keras.optimizers.SGD, {}),
    "momentum": (SGD, keras.optimizers.SGD, {"momentum": 0.9}),
    "nesterov": (SGD, keras.optimizers.SGD, {"momentum": 0.9, "nesterov": True}),
    "ema_momentum": (EMAMomentum, None, {}),
    "rmsprop": (RMSprop, keras.optimizers.RMSprop, {}),
    "adam": (Adam, keras.optimizers.Adam, {}),
}

# Arguments of the from-scratch classes that select a form Keras does not have.
_CUSTOM_ONLY = {"textbook_epsilon": True}

# Decay coefficients that must lie in [0, 1), whichever implementation is asked for,
# and momentum, which Keras allows in [0, 1].
_UNIT_INTERVAL = ("rho", "beta_1", "beta_2")
_CLOSED_UNIT_INTERVAL = ("momentum",)
# Switches that must be True or False (Keras would take any truthy value).
_SWITCHES = ("nesterov", "centered", "amsgrad")


def register(name, optimizer_class, keras_twin=None, **defaults):
    """Add an optimizer to the registry, so that ``get`` and every lab's ``--optimizer`` know it.

    Args:
        name: a new lowercase name, letters, digits and underscores (e.g. "adagrad").
        optimizer_class: a ``keras.optimizers.Optimizer`` subclass, built from scratch.
        keras_twin: the Keras built-in that computes the same rule, or None. With a twin,
            ``implementation="keras"`` and ``python -m assignments check NAME`` use it.
        **defaults: arguments that the name implies, as ``momentum=0.9`` for "momentum".

    Raises:
        ValueError: a malformed or taken name, or a class that is not a Keras optimizer.

    Example:
        >>> register("adagrad", Adagrad, keras_twin=keras.optimizers.Adagrad)
        >>> get("adagrad", learning_rate=0.1)
    """
    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"an optimizer name is lowercase letters, digits and underscores, "
                         f"got {name!r}")
    if name in _REGISTRY:
        raise ValueError(f"optimizer {name!r} is registered already; choose another name")
    for argument, value in (("optimizer_class", optimizer_class), ("keras_twin", keras_twin)):
        if value is None and argument == "keras_twin":
            continue
        if not (isinstance(value, type) and issubclass(value, keras.optimizers.Optimizer)):
            raise ValueError(f"{argument} must be a keras.optimizers.Optimizer subclass, "
                             f"got {value!r}")
    _REGISTRY[name] = (optimizer_class, keras_twin, dict(defaults))


def lookup(name):
    """(from-scratch class, Keras twin or None, implied defaults) registered as ``name``."""
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; choose from: {', '.join(names())}")
    optimizer_class, twin, defaults = _REGISTRY[key]
    return optimizer_class, twin, dict(defaults)


def names(implementation="custom"):
    """Every optimizer name that ``get`` accepts for ``implementation``."""
    _check_implementation(implementation)
    return [name for name, (_, built_in, _) in _REGISTRY.items()
            if implementation == "custom" or built_in is not None]


def get(name, implementation="custom", **kwargs):
    """A fresh optimizer called ``name``, from scratch or the Keras built-in.

    Args:
        name: one of ``names()``: sgd, momentum, nesterov, ema_momentum, rmsprop,
            adam (case-insensitive). ``momentum`` and ``nesterov`` default to
            momentum 0.9.
        implementation: ``"custom"`` (the classes in this package) or
            ``"keras"`` (``keras.optimizers.*`` with the same arguments).
        **kwargs: the optimizer's arguments, e.g. ``learning_rate=0.01``, a
            ``LearningRateSchedule``, ``clipnorm=1.0``.

    Raises:
        ValueError: an unknown name or implementation, a form Keras lacks
            (``ema_momentum``, ``textbook_epsilon=True``), or an argument out
            of range. The message lists what is valid.
    """
    _check_implementation(implementation)
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise ValueError(f"unknown optimizer {name!r}; choose from: {', '.join(names())}")
    custom_class, built_in, implied = _REGISTRY[key]
    for argument, value in implied.items():
        if argument == "nesterov" and kwargs.get("nesterov", True) is not True:
            raise ValueError("optimizer 'nesterov' always has nesterov=True; use 'momentum' for "
                             "classic momentum")
        kwargs.setdefault(argument, value)
    if implementation == "custom":
        return custom_class(**kwargs)
    if built_in is None:
        raise ValueError(f"Keras has no built-in {key!r} optimizer; with implementation='keras' "
                         f"choose from: {', '.join(names('keras'))}")
    for argument, value in _CUSTOM_ONLY.items():
        if kwargs.get(argument) == value:
            raise ValueError(f"Keras' {built_in.__name__} has no {argument}={value!r} form; use "
                             f"implementation='custom' for it")
        kwargs.pop(argument, None)
    return built_in(**_checked_for_keras(kwargs))


def _check_implementation(implementation):
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(f"implementation must be one of {', '.join(IMPLEMENTATIONS)}, "
                         f"got {implementation!r}")


def _checked_for_keras(kwargs):
    """The same range checks as the from-scratch classes, and floats where Keras wants them."""
    checked = dict(kwargs)
    if "learning_rate" in checked:
        checked["learning_rate"] = _validation.learning_rate(checked["learning_rate"])
    for argument in _UNIT_INTERVAL:
        if argument in checked:
            checked[argument] = _validation.unit_interval(argument, checked[argument])
    for argument in _CLOSED_UNIT_INTERVAL:
        if argument in checked:
            checked[argument] = _validation.unit_interval(argument, checked[argument],
                                                          include_one=True)
    if "epsilon" in checked:
        checked["epsilon"] = _validation.non_negative("epsilon", checked["epsilon"])
    for argument in _SWITCHES:
        if argument in checked and not isinstance(checked[argument], bool):
            raise ValueError(f"{argument} must be True or False, got {checked[argument]!r}")
    return checked


# The optimizers a student registers (last, so that they may use everything above).
from custom.optimizers import registered  # noqa: E402,F401

__all__ = ["Adam", "EMAMomentum", "IMPLEMENTATIONS", "RMSprop", "SGD", "get", "lookup", "names",
           "register"]
