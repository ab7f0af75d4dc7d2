"""The one seeding helper: the same seed gives the same numbers on every screen."""


def seed_everything(seed, deterministic=False):
    """Seed Python, NumPy and TensorFlow through ``keras.utils.set_random_seed``.

    With ``deterministic=True`` TensorFlow also picks deterministic kernels, so
    that two runs give bit-identical numbers at some cost in speed. Multi-threaded
    CPU reductions can otherwise differ in the last bits from run to run.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
