"""The public checks of every task, each against a trusted twin. See ``assignments/tasks.py``."""
