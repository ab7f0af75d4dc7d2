"""Read a training history from whatever the student has: a dict, a DataFrame or a CSV.

Every form becomes one ``dict`` of column name → float NumPy array, all of the
same length, with ``NaN`` where a value is missing (Keras' ``CSVLogger`` writes
``NA`` for a metric an epoch did not log). The CSV may be ours
(``DiagnosticsLogger``) or Keras' ``CSVLogger``; a ``diagnosis`` column is
dropped, because the classifier must judge the curves, not an earlier verdict.
"""

import math
import os
import pathlib

import numpy as np

# Columns that describe the run rather than measure it.
NOT_METRICS = ("epoch", "diagnosis")


class HistoryError(ValueError):
    """The history cannot be read: a missing, empty or garbled file, or no ``loss`` column."""


def read_history(history):
    """Columns of ``history`` as float arrays of equal length.

    Args:
        history: a dict of lists (``model.fit(...).history``), a Keras ``History``
            object, a pandas ``DataFrame``, or a path to a CSV file.

    Returns:
        dict name → float64 array, always with a ``loss`` column, without
        ``epoch`` and ``diagnosis``.

    Raises:
        HistoryError: the file is missing, empty or garbled, a column is not
            numeric, the columns have different lengths, or there is no ``loss``.
    """
    history = getattr(history, "history", history)  # A keras.callbacks.History.
    if isinstance(history, (str, os.PathLike)):
        columns = _read_csv(pathlib.Path(history))
    elif hasattr(history, "to_dict") and hasattr(history, "columns"):  # A DataFrame.
        columns = {str(name): list(history[name]) for name in history.columns}
    elif isinstance(history, dict):
        columns = {str(name): values if isinstance(values, list) else list(np.ravel(values))
                   for name, values in history.items()}
    else:
        raise HistoryError(f"cannot read a history from a {type(history).__name__}; "
                           "give a dict of lists, a DataFrame or a CSV path")
    return _to_arrays(columns)


def _read_csv(path):
    import pandas

    if not path.is_file():
        raise HistoryError(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise HistoryError(f"{path} is empty")
    try:
        frame = pandas.read_csv(path, na_values=["NA", "nan", "NaN", ""], keep_default_na=True)
    except (pandas.errors.ParserError, pandas.errors.EmptyDataError, UnicodeDecodeError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise HistoryError(f"{path} is not a readable CSV ({first_line})") from None
    if frame.empty:
        raise HistoryError(f"{path} has a header but no rows")
    return {str(name).strip(): list(frame[name]) for name in frame.columns}


def _to_float(name, value):
    if value is None:
        return math.nan
    if isinstance(value, str):
        text = value.strip()
        if text in ("", "NA", "nan", "NaN"):
            return math.nan
        value = text
    try:
        return float(value)
    except (TypeError, ValueError):
        raise HistoryError(f"column {name!r} holds a non-number: {value!r}") from None


def _to_arrays(columns):
    if "loss" not in columns:
        available = ", ".join(sorted(columns)) or "none"
        raise HistoryError(f"no 'loss' column (columns found: {available})")
    arrays = {}
    for name, values in columns.items():
        if name in NOT_METRICS:
            continue
        try:  # Fast path: numbers and None only (a logger calls this after every epoch).
            arrays[name] = np.array([math.nan if value is None else value for value in values],
                                    dtype=np.float64).ravel()  # [[v], …] as [v, …].
        except (TypeError, ValueError):  # Strings such as "NA": convert one by one.
            arrays[name] = np.array([_to_float(name, value) for value in values],
                                    dtype=np.float64)
    lengths = {len(values) for values in arrays.values()}
    if len(lengths) != 1:
        sizes = ", ".join(f"{name}: {len(values)}" for name, values in arrays.items())
        raise HistoryError(f"columns have different lengths ({sizes})")
    if lengths == {0}:
        raise HistoryError("the history has no epochs")
    return arrays


def validation_logged(columns):
    """True when the history holds a validation loss.

    Keras' ``CSVLogger`` writes ``val_*`` columns full of ``NA`` when a fit had no
    validation data. A validation column that is all missing while the training
    loss is finite is therefore "no validation"; when the training loss is NaN as
    well, the NaN validation loss is real.
    """
    val = columns.get("val_loss")
    if val is None:
        return False
    return bool(np.isfinite(val).any() or not np.isfinite(columns["loss"]).all())


def accuracy_key(columns, validation=False):
    """The name of the accuracy column (``accuracy``, ``acc``, ``binary_accuracy``, …) or None."""
    prefix = "val_" if validation else ""
    for name in ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
                 "binary_accuracy"):
        if prefix + name in columns:
            return prefix + name
    return None
