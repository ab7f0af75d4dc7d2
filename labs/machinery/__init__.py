"""The machinery every lesson shares: nothing here is a lesson, and a student need not open it.

``runtime.start`` turns a lesson's hyperparameter block into a ``Lab`` (with ``flags``,
``hyperparameters``, ``environment``, ``output`` and ``seeding``, one job each); ``classroom``
reads prediction, exercise and answer cells; ``twins`` picks a task's code or its trusted
twin; ``plots`` draws the shared figures; ``notebooks``, ``notebook_index``,
``notebook_parameters`` and ``notebook_setup`` make the notebooks; ``sessions``,
``sessions_text`` and ``session_notebooks`` make the class plans; ``tally`` counts a class's
predictions.
"""
