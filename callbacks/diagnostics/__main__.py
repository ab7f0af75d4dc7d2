"""Diagnose training logs from the command line: one file, or every CSV in a folder.

    python -m callbacks.diagnostics RUN.csv                 label, reason and advice
    python -m callbacks.diagnostics RUN.csv --json          one JSON object
    python -m callbacks.diagnostics RUN.csv --plot out.png  also save the curves
    python -m callbacks.diagnostics RUNS_DIR                one table row per CSV
    python -m callbacks.diagnostics RUNS_DIR --json         one JSON line per CSV
    ... --num-classes 10                                    chance is 1/10

A CSV is a ``DiagnosticsLogger`` or Keras ``CSVLogger`` file. For one file the
exit status is 0 on success and 2, with a one-line error, for a missing, empty
or garbled file or one without a ``loss`` column. For a folder, a bad file is
reported on its own row (label ``ERROR``) and the others are still labelled;
the exit status is 0, and 2 only when the folder itself is missing.
"""

import argparse
import json
import math
import pathlib
import sys

from callbacks.diagnostics import classifier
from callbacks.diagnostics import history as history_module

PROGRAM = "python -m callbacks.diagnostics"
ERROR = "ERROR"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"{PROGRAM}: error: {message}", file=sys.stderr)
        sys.exit(2)


def main(argv=None):
    parser = _Parser(prog=PROGRAM, description="Label learning curves and say what to try.")
    parser.add_argument("path", help="a DiagnosticsLogger or Keras CSVLogger file, or a folder "
                                     "of them")
    parser.add_argument("--json", action="store_true",
                        help="print JSON (one object, or one line per file of a folder)")
    parser.add_argument("--plot", metavar="PNG", help="also save the curves (one file only)")
    parser.add_argument("--num-classes", type=int, default=None, metavar="K",
                        help="number of classes, so chance is 1/K (default: from the logs)")
    arguments = parser.parse_args(argv)
    if arguments.num_classes is not None and arguments.num_classes < 2:
        parser.error(f"--num-classes must be an integer >= 2, got {arguments.num_classes}")
    path = pathlib.Path(arguments.path)
    if path.is_dir():
        return _folder(path, arguments)
    if arguments.path.endswith(("/", "\\")) or (not path.exists() and not path.suffix):
        print(f"{PROGRAM}: error: no such folder: {path}", file=sys.stderr)
        return 2
    return _one_file(arguments)


def _one_file(arguments):
    try:
        diagnosis = classifier.classify(arguments.path, num_classes=arguments.num_classes)
    except (history_module.HistoryError, ValueError) as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 2
    if arguments.json:
        print(json.dumps(diagnosis.as_dict()))
    else:
        print(f"label:  {diagnosis.label}")
        print(f"reason: {diagnosis.reason}")
        print(f"advice: {diagnosis.advice}")
    if arguments.plot:
        from callbacks.diagnostics import plot

        try:
            plot.save(arguments.path, diagnosis, arguments.plot)
        except OSError as error:
            print(f"{PROGRAM}: error: cannot write {arguments.plot}: {error.strerror}",
                  file=sys.stderr)
            return 2
        if not arguments.json:
            print(f"plot:   {arguments.plot}")
    return 0


def folder_rows(folder, num_classes=None):
    """One dict per CSV in ``folder`` (sorted by name): run, label, key numbers or the error."""
    rows = []
    for path in sorted(folder.glob("*.csv")):
        row = {"run": path.stem, "label": ERROR, "epochs": None, "final_loss": None,
               "best_val_loss": None, "final_accuracy": None, "findings": [], "reason": ""}
        try:
            columns = history_module.read_history(path)
            diagnosis = classifier.classify(columns, num_classes=num_classes)
        except (history_module.HistoryError, ValueError) as error:
            row["reason"] = str(error).replace(str(path), path.name)
            rows.append(row)
            continue
        row["label"], row["reason"] = diagnosis.label, diagnosis.reason
        row["findings"] = [name for name, _, _ in diagnosis.findings]
        row["epochs"] = len(columns["loss"])
        row["final_loss"] = _number(columns["loss"][-1])
        if history_module.validation_logged(columns):
            row["best_val_loss"] = _number(min(columns["val_loss"], key=_finite_or_inf))
        accuracy = history_module.accuracy_key(columns)
        if accuracy:
            row["final_accuracy"] = _number(columns[accuracy][-1])
        rows.append(row)
    return rows


def _folder(folder, arguments):
    if arguments.plot:
        print(f"{PROGRAM}: error: --plot takes one CSV file, not a folder", file=sys.stderr)
        return 2
    rows = folder_rows(folder, arguments.num_classes)
    if arguments.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    if not rows:
        print(f"no CSV files in {folder}")
        return 0
    width = max(len(row["run"]) for row in rows)
    print(f"{'run':<{width}}  {'label':<15}  {'epochs':>6}  {'loss':>10}  {'best val':>10}  "
          f"{'accuracy':>8}  findings")
    for row in rows:
        if row["label"] == ERROR:
            print(f"{row['run']:<{width}}  {ERROR:<15}  {row['reason']}")
            continue
        print(f"{row['run']:<{width}}  {row['label']:<15}  {row['epochs']:>6}  "
              f"{_cell(row['final_loss'], '.4g'):>10}  {_cell(row['best_val_loss'], '.4g'):>10}  "
              f"{_cell(row['final_accuracy'], '.1%'):>8}  {', '.join(row['findings']) or '–'}")
    return 0


def _finite_or_inf(value):
    return value if math.isfinite(value) else math.inf


def _number(value):
    """A float for JSON: NaN and inf become None (JSON has no such numbers)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _cell(value, form):
    return "–" if value is None else format(value, form)


if __name__ == "__main__":
    sys.exit(main())
