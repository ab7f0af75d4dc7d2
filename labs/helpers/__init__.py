"""Helpers that each serve one lesson and carry its name: ``lr_finder.py`` serves
``labs/lr_finder.py``.

They hold what a lesson measures, prints or draws in more lines than its notebook should show,
so that the lesson keeps the story and the tests can check the helper on its own.
"""
