"""Diagnose a training log from the command line.

    python -m callbacks.diagnostics RUN.csv            label, reason and advice
    python -m callbacks.diagnostics RUN.csv --json     one JSON object: label, reason, advice
    python -m callbacks.diagnostics RUN.csv --plot out.png

RUN.csv is a ``DiagnosticsLogger`` or Keras ``CSVLogger`` file. Exit status 0
on success; 2 with a one-line error for a missing, empty or garbled file, or
one without a ``loss`` column.
"""

import argparse
import json
import sys

from callbacks.diagnostics import classifier
from callbacks.diagnostics import history as history_module

PROGRAM = "python -m callbacks.diagnostics"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"{PROGRAM}: error: {message}", file=sys.stderr)
        sys.exit(2)


def main(argv=None):
    parser = _Parser(prog=PROGRAM, description="Label a learning curve and say what to try.")
    parser.add_argument("csv", help="a DiagnosticsLogger or Keras CSVLogger file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", metavar="PNG", help="also save the curves with the diagnosis")
    arguments = parser.parse_args(argv)
    try:
        diagnosis = classifier.classify(arguments.csv)
    except history_module.HistoryError as error:
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
            plot.save(arguments.csv, diagnosis, arguments.plot)
        except OSError as error:
            print(f"{PROGRAM}: error: cannot write {arguments.plot}: {error.strerror}",
                  file=sys.stderr)
            return 2
        if not arguments.json:
            print(f"plot:   {arguments.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
