"""data_parallel: whether two replicas, the summed variant and two worker processes agree
with one device, and which large-batch curve is closer, follow from the recorded numbers."""

import numpy as np

# Another global batch and rate: 32 splits into 16 + 16, and the rules must still hold.
# Quick mode leaves the worker processes out. tests/test_multi_worker.py runs the lab with
# these flags and --multi-worker, and checks it with ``check`` too: the suite's one run of
# the two worker processes.
FLAGS = ["--global-batch", "32", "--learning-rate", "0.05"]


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    assert outcomes["hyperparameters"]["global_batch"] == 32
    predictions = outcomes["predictions"]

    first = predictions["1"]["numbers"]
    assert first["agree"] == (first["gap"] <= first["rounding_tolerance"])
    assert answered(predictions["1"]) == {
        "a" if first["gap"] == 0 else "b" if first["agree"] else "c"}

    second = predictions["2"]["numbers"]
    tolerance = second["rounding_tolerance"]
    assert second["reproduces"] == (second["summed_vs_doubled"] <= tolerance)
    assert second["replicas"] == 2
    # (a) the same-rate run, (b) the run at 2η, (c) neither, each to within the tolerance.
    assert answered(predictions["2"]) == {
        "b" if second["summed_vs_doubled"] <= tolerance
        else "a" if second["drift"] <= tolerance else "c"}

    # The closer curve is the one with the smaller mean absolute distance per epoch,
    # recomputed here from the curves the lab recorded.
    third = predictions["3"]["numbers"]
    reference = np.asarray(third["reference"])
    distances = {name: float(np.mean(np.abs(np.asarray(curve) - reference)))
                 for name, curve in third["curves"].items()}
    assert np.allclose([distances[name] for name in sorted(distances)],
                       [third["distances"][name] for name in sorted(distances)])
    assert third["closer"] == min(distances, key=distances.get)
    assert answered(predictions["3"]) == {"a" if third["closer"] == "same rate η" else "b"}
    assert len(reference) == outcomes["hyperparameters"]["epochs"]

    fourth = predictions["4"]["numbers"]
    assert fourth["ran"] == outcomes["hyperparameters"]["multi_worker"]
    if fourth["ran"]:
        assert len(fourth["worker_gaps"]) == 2
        tolerance = fourth["rounding_tolerance"]
        assert fourth["same"] == (max(fourth["worker_gaps"]) <= tolerance
                                  and fourth["between"] <= tolerance)
        together = fourth["between"] <= tolerance
        assert answered(predictions["4"]) == {
            "a" if fourth["same"] else "b" if together else "c"}
    else:
        assert answered(predictions["4"]) == {"d"}
