"""Import TensorFlow without its start-up chatter on stderr.

On a machine without a GPU, TensorFlow's C++ core writes a dozen lines at import
(no CUDA driver, CPU instructions, oneDNN) that ``TF_CPP_MIN_LOG_LEVEL`` does not all
silence. They say nothing about a lesson or a benchmark, so the labs, the benchmarks
and the tests import TensorFlow through ``import_tensorflow_quietly`` first.
"""

import os
import sys
import tempfile

from custom import arguments

# Lines that TensorFlow's C++ core writes to stderr at start-up on a machine without a GPU.
STARTUP_NOISE = ("absl::InitializeLog", "port.cc", "cudart_stub.cc", "cpu_feature_guard.cc",
                 "rebuild TensorFlow with", "cuda_platform.cc", "cuda_executor.cc",
                 "computation_placer.cc")


def import_tensorflow_quietly(logical_cpus=1):
    """Import TensorFlow and find its devices, dropping its start-up chatter from stderr.

    Anything else TensorFlow writes during the import (a real error) is passed on.
    ``logical_cpus`` > 1 first splits the CPU into that many logical devices, which
    TensorFlow allows only before it has started them (the data_parallel lab's replicas).
    Where TensorFlow was imported already, nothing changes.
    """
    logical_cpus = arguments.number("logical_cpus", logical_cpus, minimum=1, integer=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            if logical_cpus > 1:
                tf.config.set_logical_device_configuration(
                    tf.config.list_physical_devices("CPU")[0],
                    [tf.config.LogicalDeviceConfiguration() for _ in range(logical_cpus)])
            tf.config.list_logical_devices()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        for line in captured.read().decode(errors="replace").splitlines():
            if not any(noise in line for noise in STARTUP_NOISE):
                print(line, file=sys.stderr)
