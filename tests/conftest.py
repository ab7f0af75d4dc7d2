"""Shared test set-up: a headless matplotlib, and a quiet TensorFlow."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

from custom import quiet_import  # noqa: E402  (after the environment is set)

quiet_import.import_tensorflow_quietly()
