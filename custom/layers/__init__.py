"""Layers written from scratch as real Keras layers, and a switch to their Keras twins.

    custom.layers.BatchNormalization   batch statistics in training, moving averages at
                                       inference (= keras.layers.BatchNormalization)

Pick one by name, from scratch or the Keras built-in, with the same arguments, as
``custom.optimizers.get`` does for optimizers (a lab's ``--impl custom|keras``)::

    import custom.layers
    layer = custom.layers.get("batch_normalization", momentum=0.9)
    twin = custom.layers.get("batch_normalization", implementation="keras", momentum=0.9)
"""

import keras

from custom.layers.batch_normalization import BatchNormalization

IMPLEMENTATIONS = ("custom", "keras")

# Name → (from-scratch class, Keras built-in).
_REGISTRY = {
    "batch_normalization": (BatchNormalization, keras.layers.BatchNormalization),
}


def names():
    """Every layer name that ``get`` accepts."""
    return list(_REGISTRY)


def get(name, implementation="custom", **kwargs):
    """A fresh layer called ``name``, from scratch or the Keras built-in.

    Args:
        name: one of ``names()`` ("batch_normalization").
        implementation: ``"custom"`` (this package) or ``"keras"`` (``keras.layers.*``).
        **kwargs: the layer's arguments, e.g. ``momentum=0.9``, ``epsilon=1e-3``, ``name``.

    Raises:
        ValueError: an unknown name or implementation, or an argument out of range.
    """
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(f"implementation must be one of {', '.join(IMPLEMENTATIONS)}, "
                         f"got {implementation!r}")
    if name not in _REGISTRY:
        raise ValueError(f"unknown layer {name!r}; choose from: {', '.join(names())}")
    custom_class, built_in = _REGISTRY[name]
    layer = custom_class(**kwargs)       # Its checks run for both, so both refuse the same values.
    if implementation == "custom":
        return layer
    return built_in(**kwargs)


__all__ = ["BatchNormalization", "IMPLEMENTATIONS", "get", "names"]
