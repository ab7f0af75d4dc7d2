"""Where a lab runs: in a terminal or a notebook, quick mode from the environment, and
matplotlib's backend."""

import os

QUICK_ENV = "LABS_QUICK"
REVEAL_ENV = "LABS_REVEAL"
# What a reveal shows: "all" every measured outcome (the instructor's edition, the tests,
# terminal runs), "answered" only those the student predicted (the notebooks' default).
REVEAL_MODES = ("all", "answered")


def in_notebook():
    """True inside a Jupyter or Colab kernel, not in a terminal IPython: the test LivePlot
    uses too (``callbacks.live_plot.in_notebook``)."""
    from callbacks.live_plot import in_notebook as kernel_running

    return kernel_running()


def quick_from_environment():
    """True when ``LABS_QUICK`` is set to 1, true or yes."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes")


def reveal_from_environment():
    """``LABS_REVEAL`` ("all" or "answered"), or None when it is unset or empty.

    Raises:
        UsageError: when it is set to anything else.
    """
    value = os.environ.get(REVEAL_ENV, "").strip().lower()
    if not value:
        return None
    check_reveal(value, REVEAL_ENV)
    return value


def check_reveal(value, where):
    """Raise ``UsageError`` naming ``where`` unless ``value`` is one of ``REVEAL_MODES``."""
    from labs.machinery.hyperparameters import UsageError

    if value not in REVEAL_MODES:
        raise UsageError(f"{where} must be one of {', '.join(map(repr, REVEAL_MODES))}, "
                         f"got {value!r}")


def default_reveal(notebook):
    """"answered" in a notebook, where a student answers each question in its cell; "all" in
    a terminal, where the instructor runs the lab (with ``--ask`` too: the room answers, and
    an unanswered question is still shown, since a terminal cannot run a cell again)."""
    return "answered" if notebook else "all"


def use_headless_backend_outside_notebooks(notebook):
    """Agg outside notebooks, so figures are saved without a display; inline inside."""
    import matplotlib

    if not notebook:
        matplotlib.use("Agg")
