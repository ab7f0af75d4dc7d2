"""data_parallel: whether two replicas, the summed variant and two worker processes agree
with one device, and which large-batch curve is closer, follow from the recorded numbers."""

import numpy as np

# Another global batch and rate: 32 splits into 16 + 16, and the rules must still hold.
# Quick mode leaves the worker processes out; the flag brings them back.
FLAGS = ["--global-batch", "32", "--learning-rate", "0.05", "--multi-worker"]


def check(outcomes):
    assert outcomes["hyperparameters"]["global_batch"] == 32
    predictions = outcomes["predictions"]

    first = predictions["1"]["numbers"]
    assert first["agree"] == (first["gap"] <= first["tolerance"])

    second = predictions["2"]["numbers"]
    assert second["reproduces"] == (second["summed_vs_doubled"] <= second["tolerance"])
    assert second["replicas"] == 2

    # The closer curve is the one with the smaller mean absolute distance per epoch,
    # recomputed here from the curves the lab recorded.
    third = predictions["3"]["numbers"]
    reference = np.asarray(third["reference"])
    distances = {name: float(np.mean(np.abs(np.asarray(curve) - reference)))
                 for name, curve in third["curves"].items()}
    assert np.allclose([distances[name] for name in sorted(distances)],
                       [third["distances"][name] for name in sorted(distances)])
    assert third["closer"] == min(distances, key=distances.get)
    assert len(reference) == outcomes["hyperparameters"]["epochs"]

    fourth = predictions["4"]["numbers"]
    assert fourth["ran"] == outcomes["hyperparameters"]["multi_worker"]
    if fourth["ran"]:
        assert len(fourth["worker_gaps"]) == 2
        assert fourth["same"] == (max(fourth["worker_gaps"]) <= fourth["tolerance"]
                                  and fourth["between"] <= fourth["tolerance"])
