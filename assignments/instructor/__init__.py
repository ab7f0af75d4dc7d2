# ASSIGNMENTS: INSTRUCTOR ONLY
"""Instructor-only: models of students' known mistakes, and accepted alternative forms.

Left out of the student edition. Their numbers reach it only as data, in
``assignments/catalogue.json``, which the release computes from these models.
"""
