"""A lab's hyperparameters: each value declared with its type and range, then checked.

The block at the top of a lab declares every value that a flag may change::

    lab = runtime.start("tour", {
        "epochs": param(40, minimum=1),                  # Enough for the curves to flatten.
        "learning_rate": param(0.05, above=0),           # The schedule's peak.
        "dropout": param(0.3, minimum=0, below=1),       # p, the share of units dropped.
        "optimizer": param("adam", choices=custom.optimizers.names()),
    })

* The default's type is the value's type: ``40`` an integer, ``0.05`` a float,
  ``"adam"`` a string, ``False`` a switch, ``[16, 8]`` a list of integers.
* ``minimum`` and ``maximum`` are inclusive bounds (≥, ≤); ``above`` and ``below``
  are strict ones (>, <). ``choices`` lists the allowed values.
* Every float must be a finite number: NaN and ±inf are refused whatever the bounds.

``check_values`` checks every value (after quick mode and flags) before the lab does
any work, and raises ``UsageError`` with one line naming the value and its range.
"""

import contextlib

from custom import arguments

# Keras' set_random_seed takes a seed below 2³².
LARGEST_SEED = 2**32 - 1


class UsageError(ValueError):
    """A flag or hyperparameter value that the lab cannot use."""


class Hyperparameter:
    """One declared value: its default, and so its type, and the range it must lie in."""

    def __init__(self, default, minimum=None, maximum=None, above=None, below=None,
                 choices=None):
        elements = default if isinstance(default, list) else [default]
        if not elements or len({type(element) for element in elements}) != 1:
            raise TypeError(f"a default must be one value or a non-empty list of one type, "
                            f"got {default!r}")
        self.kind = type(elements[0])
        if self.kind not in (bool, int, float, str):
            raise TypeError(f"a default must be a bool, int, float or str, got {default!r}")
        self.default = default
        self.is_list = isinstance(default, list)
        self.minimum, self.maximum, self.above, self.below = minimum, maximum, above, below
        self.choices = tuple(choices) if choices is not None else None
        for element in elements:
            problem = self.problem(element)
            if problem:
                raise ValueError(f"the default {element!r} {problem}")

    def range_text(self):
        """The allowed range in words, e.g. ">= 0 and < 1"; empty when anything goes."""
        if self.choices is not None:
            return "one of " + ", ".join(str(choice) for choice in self.choices)
        return arguments.range_text(self.minimum, self.maximum, self.above, self.below)

    def problem(self, element):
        """What is wrong with one value, as the end of a sentence; None when it is fine.

        Numbers are judged by ``custom/arguments.py``, as every argument in the project is.
        """
        if self.kind in (int, float) and not arguments.is_number(element, self.kind is int):
            return " ".join(["must be a finite number", self.range_text()]).strip()
        if self.choices is not None and element not in self.choices:
            return f"must be {self.range_text()}"
        if self.kind in (int, float) and arguments.outside(
                element, self.minimum, self.maximum, self.above, self.below):
            return f"must be {self.range_text()}"
        return None

    def check(self, name, value):
        """Raise ``UsageError`` unless ``value`` (one value, or a list) is in range."""
        if isinstance(value, (list, tuple)) != self.is_list:
            wanted = "a list of" if self.is_list else "one"
            raise UsageError(f"{name} must be {wanted} {self.kind.__name__}, got {value!r}")
        elements = value if self.is_list else [value]
        for element in elements:
            if self.kind is float and isinstance(element, int) and not isinstance(element, bool):
                element = float(element)
            if not isinstance(element, self.kind) or isinstance(element, bool) != (
                    self.kind is bool):
                raise UsageError(f"{name} must be of type {self.kind.__name__}, got {value!r}")
            problem = self.problem(element)
            if problem:
                raise UsageError(f"{name} {problem}, got {value!r}")


def param(default, *, minimum=None, maximum=None, above=None, below=None, choices=None):
    """Declare a hyperparameter: its default (which gives its type) and its range.

    Args:
        default: the value; its type (bool, int, float, str, or a list of one of
            them) is the flag's type.
        minimum, maximum: inclusive bounds (value ≥ minimum, value ≤ maximum).
        above, below: strict bounds (value > above, value < below).
        choices: the allowed values, for a string.

    Example:
        >>> param(0.3, minimum=0, below=1).range_text()
        '>= 0 and < 1'
    """
    return Hyperparameter(default, minimum=minimum, maximum=maximum, above=above, below=below,
                          choices=choices)


# Every lab takes --seed; its value seeds Python, NumPy and TensorFlow.
SEED = param(0, minimum=0, maximum=LARGEST_SEED)


def check_declarations(declared, quick):
    """Raise ``TypeError`` for a value not declared with ``param``, or a quick override of
    a name the block does not declare (mistakes in the lab's code, not in its flags)."""
    for name, declaration in declared.items():
        if not isinstance(declaration, Hyperparameter):
            raise TypeError(f"hyperparameter {name!r}: declare it with param({declaration!r}, "
                            "...) to give its range")
    for name in quick or {}:
        if name not in declared:
            raise TypeError(f"quick mode overrides {name!r}, which the block does not declare")


def check_values(values, declared):
    """Raise ``UsageError`` for the first value outside its declared range.

    One pair is checked together: an ``optimizer`` with its ``impl`` must name an
    optimizer that that implementation has (Keras has no EMA momentum).
    """
    for name, declaration in declared.items():
        declaration.check(name, values[name])
    if "optimizer" in values and "impl" in values:
        import custom.optimizers

        try:
            custom.optimizers.get(values["optimizer"], implementation=values["impl"])
        except ValueError as error:
            raise UsageError(str(error)) from None


class Declared(Exception):
    """Raised by ``runtime.start`` in place of starting the lab while ``reading_declarations``
    is on, carrying the lab's declared block (``notebook_parameters.declarations``)."""

    def __init__(self, hyperparameters, quick):
        super().__init__("declared")
        self.hyperparameters = hyperparameters
        self.quick = quick or {}


_reading_declarations = False


@contextlib.contextmanager
def reading_declarations():
    """While on, a lab that reaches ``runtime.start`` hands its block back (``Declared``)."""
    global _reading_declarations
    before, _reading_declarations = _reading_declarations, True
    try:
        yield
    finally:
        _reading_declarations = before


def hand_back_when_reading(hyperparameters, quick):
    """Raise ``Declared`` when ``reading_declarations`` is on; ``runtime.start`` calls it."""
    if _reading_declarations:
        raise Declared(hyperparameters, quick)
