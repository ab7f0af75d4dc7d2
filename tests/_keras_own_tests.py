"""Run Keras' own unit tests, which ship inside the installed package, against our classes.

A Keras test module names the class it tests as a module global (``SGD``) or through
a module (``callbacks.EarlyStopping``). ``run`` replaces that global for one test
method, runs the method with unittest, and returns its failures, so a test module
here can parametrize over every method Keras ships:

    for module_name, test_class, method in test_methods(MODULES, KNOWN_DIFFERENCES): ...
    problems = run(monkeypatch, module_name, test_class, method, {"SGD": custom.optimizers.SGD})
"""

import importlib
import unittest
import warnings

import keras
import pytest
from absl import logging as absl_logging


def test_methods(modules, known_differences):
    """(module name, test class, method name) for each method, less the known differences.

    Args:
        modules: Keras test module name → the name of its ``TestCase`` class.
        known_differences: "module.Class.method" → why ours differs on purpose.
    """
    found = []
    for module_name, class_name in modules.items():
        with warnings.catch_warnings():
            # Keras' tests carry pytest marks of their own repository (requires_trainable_backend).
            warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
            test_class = getattr(importlib.import_module(module_name), class_name)
        for method in unittest.defaultTestLoader.getTestCaseNames(test_class):
            if f"{module_name}.{class_name}.{method}" not in known_differences:
                found.append((module_name, test_class, method))
    return found


def run(monkeypatch, module_name, test_class, method, replacements):
    """Run one Keras test method with the module's globals replaced; return the failures.

    Keras' ``TestCase`` and some tests change process-wide settings (traceback
    filtering, interactive logging, absl verbosity); they are put back afterwards.
    """
    module = importlib.import_module(module_name)
    for name, replacement in replacements.items():
        monkeypatch.setattr(module, name, replacement)
    filtering = keras.config.is_traceback_filtering_enabled()
    interactive = keras.config.is_interactive_logging_enabled()
    verbosity = absl_logging.get_verbosity()
    result = unittest.TestResult()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. Keras' "missing metric" warnings by design
            test_class(method).run(result)
    finally:
        if filtering:
            keras.config.enable_traceback_filtering()
        if interactive:
            keras.config.enable_interactive_logging()
        absl_logging.set_verbosity(verbosity)
    return [text for _, text in result.failures + result.errors]


def test_id(item):
    """A short pytest id: the test class's or method's own name."""
    return getattr(item, "__name__", str(item).split(".")[-1])
