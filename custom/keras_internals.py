"""Every place this project reads past Keras' public API, in one module.

Each function below reads one private attribute or module of Keras, for a thing that the
public API does not offer; the comment above it names what is missing. When a Keras
release renames or drops one of them, the function raises ``KerasInternalsChanged``
naming it and the installed version, rather than letting a lab print a wrong number, and
``tests/test_keras_internals.py`` fails on the first of them.

Nothing else in ``custom/``, ``callbacks/`` or ``labs/`` touches ``keras.src`` or a
Keras object's underscore attribute.
"""

import keras


class KerasInternalsChanged(RuntimeError):
    """The installed Keras no longer has an internal this project relies on."""


def _read(owner, name, what):
    try:
        return getattr(owner, name)
    except AttributeError:
        raise KerasInternalsChanged(
            f"Keras {keras.__version__} has no {type(owner).__name__}.{name} ({what}); "
            "install a Keras version inside requirements.txt's range") from None


def learning_rate_of(optimizer):
    """The optimizer's rate as it keeps it: a variable, or a ``LearningRateSchedule``.

    Missing from the public API: ``optimizer.learning_rate`` returns only the current
    value, so a callback cannot tell a schedule from a constant or swap one for another.
    """
    return _read(optimizer, "_learning_rate", "the learning rate's variable or schedule")


def variable_index(optimizer, variable):
    """The position of ``variable`` among the trainable variables the optimizer was built
    with: the index of its slots in lists made by ``add_optimizer_variables``.

    Missing from the public API: Keras' own optimizers call this private method in
    ``update_step``; no public one maps a variable to its slot.
    """
    return _read(optimizer, "_get_variable_index", "a variable's slot index")(variable)


def compiled_loss_and_metrics(model):
    """The objects that ``compile`` made for the loss and for the metrics (None before
    ``compile``), whose identity says whether the model was compiled again.

    Missing from the public API: ``model.loss`` and ``model.metrics`` are the arguments
    and the metric objects, not the compiled containers that a traced step calls.
    """
    return (_read(model, "_compile_loss", "the compiled loss"),
            _read(model, "_compile_metrics", "the compiled metrics"))


def metric_direction(metric):
    """"up" when a larger value of a Keras metric is better (accuracy), "down" when smaller
    is (errors), None when the metric does not say (a metric written by a user).

    Missing from the public API: Keras' metrics declare it only in ``_direction``, which
    Keras' own ``EarlyStopping`` reads the same way.
    """
    return getattr(metric, "_direction", None)


def print_message(message):
    """Print the way Keras' callbacks do: on stdout, or through absl logging when Keras'
    interactive logging is off (``keras.config.disable_interactive_logging``).

    Missing from the public API: ``print_msg`` lives only in ``keras.src.utils.io_utils``.
    """
    from keras.src.utils import io_utils  # Imported here: the module path is private too.

    io_utils.print_msg(message)
