"""Your own optimizers: register them here and every lab's ``--optimizer`` takes them.

Write the optimizer in its own file in this folder (one class per file, as
``adam.py`` is), find its slots with ``custom.optimizers.slots.slot``, then
register it below. For example, for ``custom/optimizers/adagrad.py``::

    import keras

    import custom.optimizers
    from custom.optimizers.adagrad import Adagrad

    custom.optimizers.register("adagrad", Adagrad, keras_twin=keras.optimizers.Adagrad)

Then ``python -m labs fit_vs_tape --optimizer adagrad --impl custom`` trains with
yours, ``--impl keras`` with the twin, and ``python -m assignments check adagrad``
compares the two step by step.
"""
