"""normalization: the agreements with Keras, the verdict of every learning rate and the
batch-of-two comparison follow from the numbers the lab printed them from."""

import math

import numpy as np

# A shallower network and batches of 4 in the last comparison: the verdicts and the
# winner at the tiny batch can all come out differently.
FLAGS = ["--depth", "4", "--tiny-batch", "4"]


def verdict(initial, final):
    """The lab's rule, written again: diverges above L₀ or not finite, trains below L₀ / 2."""
    if not math.isfinite(final) or final > initial:
        return "diverges"
    return "trains" if final < initial / 2 else "stalls"


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    assert outcomes["hyperparameters"]["tiny_batch"] == 4
    records = outcomes["records"]
    for mode in ("training", "inference"):
        agreement = records[f"keras_{mode}"]
        assert max(agreement["output_difference"], agreement["weight_difference"]) \
            <= agreement["tolerance"]
    backward = records["numpy_backward"]          # The default --impl custom runs it.
    assert set(backward["differences"]) == {"dx", "dγ", "dβ"}
    assert max(backward["differences"].values()) <= backward["tolerance"]

    first = outcomes["predictions"]["1"]["numbers"]["differences"]
    assert first["inference"] == 0.0              # Fixed statistics: the batch cannot matter.
    assert first["training"] > 0.0
    # Outputs differ (by more than float32 rounding) in (a) neither mode, (b) training mode
    # only, (c) inference mode only, (d) both.
    same = outcomes["predictions"]["1"]["numbers"]["same_output"]
    assert same == 1e-6
    training, inference = first["training"] > same, first["inference"] > same
    found = {"a": not training and not inference, "b": training and not inference,
             "c": inference and not training, "d": training and inference}
    assert answered(outcomes["predictions"]["1"]) == {letter for letter, holds in found.items()
                                                      if holds}

    second = outcomes["predictions"]["2"]["numbers"]
    rates = outcomes["hyperparameters"]["learning_rates"]
    assert len(second["runs"]) == 2 * len(rates)
    for run in second["runs"].values():
        assert run["verdict"] == verdict(run["initial_loss"], run["final_loss"])
    for kind, found in second["summary"].items():
        for outcome, listed in found.items():
            assert listed == [run["learning_rate"] for run in second["runs"].values()
                              if run["normalization"] == kind and run["verdict"] == outcome]
    # Trains at more rates: (a) without normalization, (b) with batch norm, (c) neither.
    trains = {kind: sum(run["verdict"] == "trains" for run in second["runs"].values()
                        if run["normalization"] == kind) for kind in ("none", "batch")}
    assert answered(outcomes["predictions"]["2"]) == {
        "c" if trains["none"] == trains["batch"] else
        "a" if trains["none"] > trains["batch"] else "b"}

    third = outcomes["predictions"]["3"]["numbers"]
    final = third["final_accuracy"]
    assert final == {kind: curve[-1] for kind, curve in third["val_accuracy"].items()}
    if final["batch"] == final["layer"]:
        assert third["higher"] == "neither"
    else:
        assert third["higher"] == max(final, key=final.get)
    # (a) batch norm higher, (b) layer norm higher, (c) the same.
    assert answered(outcomes["predictions"]["3"]) == {
        "c" if final["batch"] == final["layer"] else
        "a" if final["batch"] > final["layer"] else "b"}
    x_hat = np.array(third["x_hat"])              # (2, width): two digits' x̂
    assert x_hat.shape[0] == 2
    assert np.isclose(third["opposite"], np.abs(x_hat[0] + x_hat[1]).max())
    assert third["opposite"] < 1e-5               # Two samples: x̂₂ = −x̂₁ by the maths.
    assert np.isclose(third["median_size"], np.median(np.abs(x_hat)))
