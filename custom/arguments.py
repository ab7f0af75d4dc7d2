"""Argument checks, one behaviour for the whole project: each returns the value or raises
``ValueError`` with one line naming the argument, the range and what it got.

The optimizers, the schedules, the callbacks, ``fit_with_tape`` and the labs' flags all
check their numbers here, so that they agree on what a number is:

* ``bool`` is not a number (``True`` is not a learning rate of 1);
* a string is not a number (``"0.1"`` is refused, not converted);
* NaN and ±infinity are refused whatever the bounds;
* an integer is a whole-number type (``int``, NumPy's integers), not ``3.0``.

Example:
    >>> number("dropout", 0.3, minimum=0, below=1)
    0.3
    >>> number("dropout", True, minimum=0, below=1)
    Traceback (most recent call last):
    ValueError: dropout must be a finite number >= 0 and < 1, got True
"""

import math
import numbers


def range_text(minimum=None, maximum=None, above=None, below=None):
    """The bounds in words, e.g. ">= 0 and < 1"; empty when there are none.

    ``minimum`` and ``maximum`` are inclusive (≥, ≤), ``above`` and ``below`` strict (>, <).
    """
    bounds = [(">=", minimum), (">", above), ("<=", maximum), ("<", below)]
    return " and ".join(f"{sign} {bound}" for sign, bound in bounds if bound is not None)


def outside(value, minimum=None, maximum=None, above=None, below=None):
    """Whether ``value`` (a finite number) lies outside the bounds."""
    return ((minimum is not None and not value >= minimum)
            or (above is not None and not value > above)
            or (maximum is not None and not value <= maximum)
            or (below is not None and not value < below))


def is_number(value, integer=False):
    """Whether ``value`` is a finite number (an integer with ``integer``), never a bool."""
    kind = numbers.Integral if integer else numbers.Real
    return (isinstance(value, kind) and not isinstance(value, bool)
            and (integer or math.isfinite(value)))


def number(name, value, *, minimum=None, maximum=None, above=None, below=None,
           integer=False):
    """``value`` as a float (an int with ``integer``), or ValueError naming ``name``.

    Raises:
        ValueError: "NAME must be a finite number >= 0 and < 1, got VALUE" (or "an
            integer >= 1").
    """
    if not is_number(value, integer) or outside(value, minimum, maximum, above, below):
        kind = "an integer" if integer else "a finite number"
        wanted = " ".join(filter(None, [kind, range_text(minimum, maximum, above, below)]))
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return int(value) if integer else float(value)


def boolean(name, value):
    """``value`` if it is True or False (not 0, 1 or a string), or ValueError naming ``name``."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value


def choice(name, value, choices):
    """``value`` if it is one of ``choices``, or ValueError naming ``name`` and the choices."""
    if isinstance(value, bool) or value not in choices:
        listed = ", ".join(repr(item) for item in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value
