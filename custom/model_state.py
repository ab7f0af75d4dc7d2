"""A compiled model's training state, saved and put back: its weights and its optimizer's.

A run that must start again exactly where another started (the range test's restore in
``callbacks.LRFinder``, a lab's runs that share one compiled model) puts back the weights
and every variable of the optimizer: its step count, its learning rate and its slots
(momentum's velocities, Adam's moments). Reusing the model this way costs no new trace of
its train step, which a fresh model would.
"""

import numpy as np


def snapshot(model):
    """``(weights, optimizer values)`` of the compiled ``model``, as NumPy copies.

    The optimizer is built first if ``fit`` has not built it yet, so that its slots are in
    the snapshot (and are not made inside the first traced step, which TensorFlow would
    then trace twice).

    Raises:
        ValueError: when ``model`` is not compiled.
    """
    if getattr(model, "optimizer", None) is None:
        raise ValueError("snapshot needs a compiled model (model.optimizer is None)")
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    return (model.get_weights(),
            [np.array(variable.numpy()) for variable in model.optimizer.variables])


def restore(model, state):
    """Put ``model`` back to ``state`` (a ``snapshot`` of it): its next run starts as the
    one after the snapshot did.

    Raises:
        ValueError: when ``state`` holds another number of optimizer variables than the
            model's optimizer has (a snapshot of another model or optimizer).
    """
    weights, optimizer_values = state
    variables = model.optimizer.variables
    if len(optimizer_values) != len(variables):
        raise ValueError(f"the snapshot holds {len(optimizer_values)} optimizer variables and "
                         f"the model's optimizer has {len(variables)}: restore a snapshot of "
                         "the same model and optimizer")
    model.set_weights(weights)
    for variable, value in zip(variables, optimizer_values):
        variable.assign(value)
