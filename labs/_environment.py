"""Where a lab runs: in a terminal or a notebook, quick mode from the environment, and
matplotlib's backend."""

import os
import sys

QUICK_ENV = "LABS_QUICK"


def in_notebook():
    """True inside a Jupyter or Colab kernel (not in a terminal IPython)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def quick_from_environment():
    """True when ``LABS_QUICK`` is set to 1, true or yes."""
    return os.environ.get(QUICK_ENV, "").strip().lower() in ("1", "true", "yes")


def use_headless_backend_outside_notebooks(notebook):
    """Agg outside notebooks, so figures are saved without a display; inline inside."""
    import matplotlib

    if not notebook:
        matplotlib.use("Agg")
