"""fit_with_tape under MultiWorkerMirroredStrategy in two worker processes equals one process.

The workers are real processes on this machine, each with its TF_CONFIG, talking over
ports of 127.0.0.1 chosen at run time (``labs/helpers/data_parallel.py``). They are killed
when they overrun, whatever happens. The suite starts them once: in the data_parallel lab
run with ``--multi-worker``, which is checked here as tests/test_labs.py checks every lab, and
whose workers' results are checked against its one-process run.
"""

import json
import subprocess

import numpy as np
import pytest

from labs.helpers import data_parallel

CONFIG = {"samples": 192, "noise": 0.2, "seed": 3, "hidden_units": 8, "global_batch": 32,
          "learning_rate": 0.1, "epochs": 2, "optimizer": "sgd"}
# Two replicas add two half-batch sums in another order than one process: float32 rounding.
TOLERANCE = 1e-6


@pytest.mark.slow
def test_the_lab_says_what_its_two_worker_processes_did_and_they_end_on_one_process(
        tmp_path, monkeypatch):
    """The data_parallel lab in quick mode with --multi-worker and the flags of
    tests/lab_outcomes/data_parallel.py, run and checked as tests/test_labs.py runs every lab
    (its statements agree with its numbers). The workers' results and the lab's one-process
    run, recorded on their way to the lab, must also agree to float32 rounding."""
    from tests import test_labs

    workers, one_process = [], []
    real_multi_worker, real_train = data_parallel.multi_worker, data_parallel.train

    def recording_multi_worker(config, **keywords):
        results = real_multi_worker(config, **keywords)
        workers.extend(results)
        return results

    def recording_train(config, strategy=None, **keywords):
        result = real_train(config, strategy, **keywords)
        if strategy is None and keywords.get("learning_rate") is None:   # The reference run.
            one_process.append(result)
        return result

    monkeypatch.setattr(data_parallel, "multi_worker", recording_multi_worker)
    monkeypatch.setattr(data_parallel, "train", recording_train)
    checks = test_labs.outcome_check("data_parallel")
    assert "--multi-worker" not in checks.FLAGS   # The workers start here, not there too.
    outcomes = test_labs.run_and_check("data_parallel", test_labs.SEED, checks,
                                       [*checks.FLAGS, "--multi-worker"], tmp_path, monkeypatch)
    assert outcomes["predictions"]["4"]["numbers"]["ran"] is True

    reference, = one_process
    assert [worker["replicas"] for worker in workers] == [2, 2]
    for worker in workers:
        assert data_parallel.largest_gap(worker, reference) <= TOLERANCE
        np.testing.assert_allclose(worker["losses"], reference["losses"], rtol=0, atol=1e-6)
    assert data_parallel.largest_gap(workers[0], workers[1]) == 0.0


def test_workers_that_overrun_are_killed(monkeypatch):
    started = []
    real_popen = subprocess.Popen

    def recording_popen(*arguments, **keywords):
        process = real_popen(*arguments, **keywords)
        started.append(process)
        return process

    monkeypatch.setattr(data_parallel.subprocess, "Popen", recording_popen)
    with pytest.raises(subprocess.TimeoutExpired):
        data_parallel.multi_worker(CONFIG, timeout=0.2)   # Less than importing TensorFlow.
    assert len(started) == data_parallel.WORKERS
    assert all(process.poll() is not None for process in started)


def test_each_worker_is_told_every_address_on_127_0_0_1_and_its_own_index():
    ports = data_parallel.free_ports(2)
    assert len(set(ports)) == 2
    for index in range(2):
        config = json.loads(data_parallel.tf_config(ports, index))
        assert config["cluster"]["worker"] == [f"127.0.0.1:{port}" for port in ports]
        assert config["task"] == {"type": "worker", "index": index}


def test_the_front_door_starts_tensorflow_with_two_cpus_for_the_lab_that_splits_them(
        monkeypatch):
    # TensorFlow allows the split only before it starts its devices: run alone, the lab's
    # two-replica runs then stay in its own process instead of starting a second Python.
    from custom import quiet_import
    from labs import __main__ as front_door
    from labs.machinery import catalog

    asked = []
    monkeypatch.setattr(quiet_import, "import_tensorflow_quietly", asked.append)
    monkeypatch.setattr(front_door.runpy, "run_module", lambda *args, **kwargs: None)
    assert front_door.run_lab("data_parallel", ["--quick"]) == 0
    assert front_door.run_lab("tour", ["--quick"]) == 0
    assert asked == [2, 1]
    assert set(catalog.LOGICAL_CPUS) <= set(catalog.names())


def test_a_test_process_has_two_cpus_so_the_lab_runs_its_replicas_in_it():
    # tests/conftest.py starts TensorFlow with two logical CPUs: the lab's configure_two_cpus
    # finds them, and the lab calls mirrored_runs here, not mirrored_runs_in_subprocess.
    import tensorflow as tf

    assert len(tf.config.list_logical_devices("CPU")) == 2
    assert data_parallel.configure_two_cpus() is True
    assert len(tf.config.list_logical_devices("CPU")) == 2   # Asking again changes nothing.
    # One MirroredStrategy over the two CPUs for every two-replica run of the process.
    assert data_parallel.two_cpu_strategy() is data_parallel.two_cpu_strategy()
    assert data_parallel.two_cpu_strategy().num_replicas_in_sync == 2


@pytest.mark.parametrize("count", [0, -1, 1.5, "2"])
def test_a_logical_cpu_count_below_one_or_not_an_integer_is_refused(count):
    from custom import quiet_import

    with pytest.raises(ValueError, match="logical_cpus must be an integer >= 1"):
        quiet_import.import_tensorflow_quietly(count)
