"""``DiagnosticsLogger``: a CSV row per epoch with a running diagnosis, a verdict at the end."""

import csv
import math
import os
import pathlib

import keras

from callbacks import learning_rate as learning_rate_module
from callbacks.diagnostics import chance as chance_module
from callbacks.diagnostics import classifier
from callbacks.diagnostics import gradients as gradients_module
from callbacks.diagnostics import history as history_module
from callbacks.diagnostics.findings import DEAD_PREFIX, GLOBAL_NORM, RATIO_PREFIX
from custom import arguments

MISSING = "NA"  # What Keras' CSVLogger writes for a metric an epoch did not log.
GRADIENT_COLUMNS = (GLOBAL_NORM, RATIO_PREFIX, DEAD_PREFIX)  # What gradients=True adds.


class DiagnosticsLogger(keras.callbacks.Callback):
    """Write ``epoch, <every metric>, learning_rate, diagnosis`` after every epoch.

    * Each row is flushed as soon as it is written, so a run that crashes or is
      interrupted still leaves a valid CSV that ``classify`` can read.
    * The columns stay stable: a metric that an epoch does not log is written
      as ``NA``. A metric that appears later adds a column; the file is then
      rewritten (through a temporary file and an atomic rename) with ``NA`` in
      the earlier rows, so no row is ever lost.
    * ``append=True`` continues an existing file: no second header, and epoch
      numbers carry on after the last one written. If that file is not a CSV
      with ``epoch`` and ``loss`` columns, training stops with a ``ValueError``
      naming the file, and the file is left exactly as it was.
    * ``learning_rate`` comes from the logs, or else from the optimizer
      (``callbacks.learning_rate.current_learning_rate``, schedules included).
    * ``diagnosis`` is ``classify`` applied to every row so far: the label a
      student would get if training stopped at that epoch.

    At the end of training it prints a three-line verdict (label and evidence,
    advice, where the CSV is) and, with ``plot``, saves the curves with the
    diagnosis and its key epochs marked.

    * ``num_classes`` (K) is written as a column, so that ``classify`` reading the
      CSV later takes chance as 1/K. Without the argument it is read from the
      model's output layer (one sigmoid unit: 2; K softmax units: K), else omitted.
    * ``gradients=True`` also writes, once per epoch, the gradient health measured
      on the fixed ``probe`` batch (``gradients.py``: global gradient norm, each
      layer's gradient/weight norm ratio, dead-unit share of ReLU layers), and the
      verdict adds findings such as vanishing gradients (``findings.py``).

    Args:
        filename: path of the CSV file.
        append: continue an existing file instead of overwriting it. Default False.
        plot: path of a PNG to save at the end of training, or None (default).
        verbose: print the verdict at the end of training. Default True.
        num_classes: K for a classifier, or None (default: from the model, if it tells).
        gradients: measure gradient health every epoch. Default False.
        probe: ``(x, y)``, a small fixed batch (e.g. 256 training samples); needed
            with ``gradients=True``.
        tensorboard: a TensorBoard run folder (the ``log_dir`` of the run's
            ``keras.callbacks.TensorBoard``), or None (default). At the end of training the
            verdict, its evidence and advice are written there, in ``train/``, as a text
            summary named "diagnosis", beside the run's curves.

    Example:
        >>> model.fit(x, y, validation_split=0.2, epochs=30,
        ...           callbacks=[callbacks.DiagnosticsLogger("run.csv")])
    """

    def __init__(self, filename, append=False, plot=None, verbose=True, num_classes=None,
                 gradients=False, probe=None, tensorboard=None):
        super().__init__()
        arguments.boolean("gradients", gradients)
        if gradients and (not isinstance(probe, (tuple, list)) or len(probe) != 2):
            raise ValueError("gradients=True needs probe=(x, y), a fixed batch to measure on")
        if num_classes is not None:
            chance_module.number_of_classes({}, num_classes)  # Raises ValueError if invalid.
        if not isinstance(filename, (str, os.PathLike)) or not str(filename):
            raise ValueError(f"filename must be a non-empty path, got {filename!r}")
        arguments.boolean("append", append)
        if tensorboard is not None and (not isinstance(tensorboard, (str, os.PathLike))
                                        or not str(tensorboard)):
            raise ValueError(f"tensorboard must be a folder path or None, got {tensorboard!r}")
        self.tensorboard = tensorboard
        self.filename = pathlib.Path(filename)
        self.append = append
        self.plot = pathlib.Path(plot) if plot is not None else None
        self.verbose = bool(verbose)
        self.num_classes = num_classes
        self.gradients = gradients
        self.probe = probe
        self._probe = None
        self._classes = num_classes
        self.diagnosis = None
        self._reset()

    def _reset(self):
        self.columns = []          # Metric names, in file order, between epoch and learning_rate.
        self.rows = []             # Every row of the file as a dict of strings.
        self.history = {}          # Metric name → list of floats, for classify.
        self._file = None
        self._writer = None
        self._epoch_offset = None
        self._last_epoch = -1

    # Keras hooks ---------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._reset()  # A callback reused for a second fit starts from a clean state.
        self.diagnosis = None
        if self.gradients:
            self._probe = gradients_module.Probe(self.model, *self.probe)
        self._classes = self.num_classes or chance_module.classes_of(self.model)
        if self.append and self.filename.is_file() and self.filename.stat().st_size > 0:
            self._load_existing()
        else:
            self.filename.parent.mkdir(parents=True, exist_ok=True)
            self._open(mode="w", header=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self._epoch_offset is None:  # Resuming with fit(initial_epoch=0) continues the count.
            self._epoch_offset = max(0, self._last_epoch + 1 - epoch)
        epoch = epoch + self._epoch_offset
        learning_rate = logs.pop("learning_rate", None)
        if learning_rate is None:
            learning_rate = self._optimizer_learning_rate()
        if self._classes is not None:
            logs["num_classes"] = self._classes
        if self._probe is not None:
            logs.update(self._probe.measure())
        new = [name for name in logs if name not in self.columns]
        if new:
            self.columns.extend(sorted(new))
            if self.rows:
                self._rewrite()
            else:
                self._open(mode="w", header=True)
        for name in self.columns:
            self.history.setdefault(name, [math.nan] * len(self.rows))
            self.history[name].append(_as_float(logs.get(name)))
        row = {"epoch": str(epoch), "learning_rate": _format(learning_rate),
               "diagnosis": self._running_label()}
        row.update({name: _format(logs[name]) if name in logs else MISSING
                    for name in self.columns})
        self.rows.append(row)
        self._writer.writerow(row)
        self._file.flush()
        self._last_epoch = epoch

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
        if not self.rows or "loss" not in self.history:
            return
        self.diagnosis = classifier.classify(self.history)
        if self.verbose:
            print(f"Diagnosis: {self.diagnosis.label}: {self.diagnosis.reason}")
            print(f"  Advice: {self.diagnosis.advice}")
            for name, evidence, advice in self.diagnosis.findings:
                print(f"  Also {name}: {evidence}. Advice: {advice}.")
            print(f"  Log: {self.filename} ({len(self.rows)} epochs)")
        if self.tensorboard is not None:
            write_text_summary(self.tensorboard, self.diagnosis, len(self.rows) - 1)
        if self.plot is not None:
            from callbacks.diagnostics import plot as plot_module

            plot_module.save(self.history, self.diagnosis, self.plot)

    # File handling ----------------------------------------------------------------------------

    def _fieldnames(self):
        return ["epoch", *self.columns, "learning_rate", "diagnosis"]

    def _open(self, mode, header):
        if self._file is not None:
            self._file.close()
        self._file = open(self.filename, mode, newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._file, fieldnames=self._fieldnames(),
                                      restval=MISSING)
        if header:
            self._writer.writeheader()
            self._file.flush()

    def _rewrite(self):
        """Write header and every row to a temporary file, then rename it over the log."""
        if self._file is not None:
            self._file.close()
            self._file = None
        temporary = self.filename.with_name(self.filename.name + ".tmp")
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=self._fieldnames(), restval=MISSING)
            writer.writeheader()
            writer.writerows(self.rows)
        os.replace(temporary, self.filename)
        self._open(mode="a", header=False)

    def _load_existing(self):
        """Read the file being appended to; refuse (and leave it untouched) if it is garbled."""
        problem = f"cannot append to {self.filename}"
        try:
            history_module.read_history(self.filename)
            with open(self.filename, newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
        except (ValueError, csv.Error, UnicodeDecodeError) as error:
            raise ValueError(f"{problem}: {error}; the file was left unchanged "
                             "(use append=False or another filename)") from None
        header = list(rows[0].keys()) if rows else []
        if "epoch" not in header or any(None in row for row in rows):
            raise ValueError(f"{problem}: it is not a log with an 'epoch' column and "
                             "rows as long as its header; the file was left unchanged")
        try:
            self._last_epoch = max(int(float(row["epoch"])) for row in rows)
        except ValueError:
            raise ValueError(f"{problem}: its 'epoch' column holds a non-number; "
                             "the file was left unchanged") from None
        self.columns = [name for name in header
                        if name not in ("epoch", "learning_rate", "diagnosis")]
        self.rows = [{name: row.get(name, MISSING) for name in self._fieldnames()}
                     for row in rows]
        for name in self.columns:
            self.history[name] = [_as_float(row[name]) for row in rows]
        if header == self._fieldnames():
            self._open(mode="a", header=False)
        else:  # A Keras CSVLogger file: add our two columns, keeping every row.
            self._rewrite()

    # Values ---------------------------------------------------------------------------------

    def _optimizer_learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return math.nan
        try:
            return learning_rate_module.current_learning_rate(optimizer)
        except (AttributeError, TypeError, ValueError):
            return math.nan

    def _running_label(self):
        if "loss" not in self.history:
            return MISSING
        # The label reads the curves; the gradient columns only feed the findings, which the
        # running label does not show, so they are left out (a cheaper call each epoch).
        curves = {name: values for name, values in self.history.items()
                  if not name.startswith(GRADIENT_COLUMNS)}
        try:
            return classifier.classify(curves).label
        except ValueError:  # For example, no loss value yet.
            return MISSING


def diagnosis_markdown(diagnosis):
    """The verdict as TensorBoard shows text: label and evidence, advice, other findings."""
    lines = [f"**{diagnosis.label}**: {diagnosis.reason}", "", f"Advice: {diagnosis.advice}"]
    for name, evidence, advice in diagnosis.findings:
        lines += ["", f"Also **{name}**: {evidence}. Advice: {advice}."]
    return "\n".join(lines)


def write_text_summary(run_folder, diagnosis, step):
    """Write ``diagnosis`` as the text summary "diagnosis" in ``run_folder/train``."""
    import tensorflow as tf

    writer = tf.summary.create_file_writer(str(pathlib.Path(run_folder) / "train"))
    with writer.as_default():
        tf.summary.text("diagnosis", diagnosis_markdown(diagnosis), step=step)
    writer.close()


def _as_float(value):
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _format(value):
    value = _as_float(value)
    return repr(value) if math.isfinite(value) else str(value)
