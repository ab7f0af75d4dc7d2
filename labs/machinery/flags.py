"""The flags of a lab, built from its declared hyperparameters.

Each hyperparameter ``name`` becomes ``--name`` (underscores as dashes) of the
declared type: ``--learning-rate 0.1``, ``--hidden-sizes 16 8``, and ``--run-eagerly``
/ ``--no-run-eagerly`` for a switch. ``--quick``, ``--out DIR``,
``--deterministic``, ``--tensorboard DIR``, ``--reveal all|answered`` and ``--ask`` are
always there. ``--help`` shows each default and its range.
"""

import argparse

from labs.machinery.hyperparameters import UsageError


class _Parser(argparse.ArgumentParser):
    """argparse, raising ``UsageError`` instead of printing usage and exiting."""

    def error(self, message):
        raise UsageError(message)


def flag(name):
    """``learning_rate`` → ``--learning-rate``."""
    return "--" + name.replace("_", "-")


def build_parser(lab_name, declared):
    """An argument parser with one flag per declared hyperparameter, plus the common ones."""
    parser = _Parser(prog=f"python -m labs {lab_name}", allow_abbrev=False)
    parser.add_argument("--quick", action="store_true", default=argparse.SUPPRESS,
                        help="smaller data and fewer epochs (also LABS_QUICK=1)")
    parser.add_argument("--out", default=argparse.SUPPRESS, metavar="DIR",
                        help=f"where figures and CSVs go (default outputs/{lab_name}/)")
    parser.add_argument("--deterministic", action="store_true", default=argparse.SUPPRESS,
                        help="bit-identical reruns through TensorFlow's op determinism")
    parser.add_argument("--tensorboard", default=argparse.SUPPRESS, metavar="DIR",
                        help="also log every fit for TensorBoard, one run folder per fit in "
                             "DIR (also LABS_TENSORBOARD=DIR)")
    parser.add_argument("--reveal", choices=("all", "answered"), default=argparse.SUPPRESS,
                        help="all: show every measured answer (the default in a terminal); "
                             "answered: only those of questions predicted (also LABS_REVEAL)")
    parser.add_argument("--ask", action="store_true", default=argparse.SUPPRESS,
                        help="ask each prediction's question here and wait for the answer "
                             "before the run reveals it")
    for name, declaration in declared.items():
        described = f"default {declaration.default!r}"
        if declaration.range_text():
            described += f"; {declaration.range_text()}"
        if declaration.kind is bool:
            parser.add_argument(flag(name), dest=name, action=argparse.BooleanOptionalAction,
                                default=argparse.SUPPRESS, help=described)
        else:
            parser.add_argument(flag(name), dest=name, type=declaration.kind,
                                nargs="+" if declaration.is_list else None,
                                default=argparse.SUPPRESS, metavar=name.upper(), help=described)
    return parser


def parse(lab_name, declared, argv, ignore_unknown=False):
    """The flags given in ``argv``, as name → value; only the flags that were given.

    Unknown flags are a ``UsageError`` unless ``ignore_unknown`` (a notebook kernel's argv).
    """
    parsed, unknown = build_parser(lab_name, declared).parse_known_args(argv)
    if unknown and not ignore_unknown:
        raise UsageError(f"unrecognized arguments: {' '.join(unknown)} "
                         f"(see python -m labs {lab_name} --help)")
    return vars(parsed)
