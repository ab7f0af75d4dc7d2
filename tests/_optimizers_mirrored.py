"""Train with each custom optimizer on one device and under MirroredStrategy; print the gap.

Run by tests/test_optimizers_saving.py in a subprocess, because the two logical CPU
devices must be configured before TensorFlow initialises its runtime, and the test
process has already initialised it. Prints one JSON object: name → max |difference|.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import tensorflow as tf  # noqa: E402

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import keras  # noqa: E402
import numpy as np  # noqa: E402

import custom.optimizers  # noqa: E402


def train(name, strategy):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype(np.float32)  # (samples, features)
    y = (x @ rng.normal(size=(5, 1))).astype(np.float32)  # (samples, 1)
    keras.utils.set_random_seed(3)
    with strategy.scope():
        model = keras.Sequential([keras.Input(shape=(5,)),
                                  keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=custom.optimizers.get(name, learning_rate=0.01), loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)  # 4 steps
    return model.get_weights(), int(model.optimizer.iterations.numpy())


mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
assert mirrored.num_replicas_in_sync == 2, "two logical CPU devices were not created"
gaps = {}
for name in custom.optimizers.names():
    single, single_steps = train(name, tf.distribute.get_strategy())
    distributed, distributed_steps = train(name, mirrored)
    if single_steps != distributed_steps:
        gaps[name] = float("inf")
        continue
    gaps[name] = max(float(np.max(np.abs(a - b))) for a, b in zip(single, distributed))
print(json.dumps({"replicas": mirrored.num_replicas_in_sync, "gaps": gaps}))
