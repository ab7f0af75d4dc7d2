"""initialization: the layer-by-layer factors, which starts stay within a factor of 2, the
symmetric net's count of distinct units, the best start and the logger's findings follow
from the numbers the lab printed them from."""

import math

import numpy as np

# A shallower, narrower net and a less extreme large normal: the factors, the findings and
# perhaps the winner change.
FLAGS = ["--depth", "12", "--width", "64", "--large-std", "0.5"]

EXPLODING_GROWTH, VANISHING_RATIO, DEAD_SHARE, LATE = 100.0, 0.01, 0.5, 3   # the logger's rules


def late(values):
    finite = [value for value in values if math.isfinite(value)]
    return float(np.median(finite[-LATE:])) if finite else math.nan


def findings(run):
    """The gradient findings, from the logged columns, by the rules of the logger's docstring."""
    norms = run["grad_norm"]
    if not all(math.isfinite(value) for value in norms):
        return ["exploding gradients"]          # Nothing else can be read from NaN weights.
    found = []
    if norms[0] > 0 and late(norms) >= EXPLODING_GROWTH * norms[0]:
        found.append("exploding gradients")
    early, last = late(run["first_ratio"]), late(run["last_ratio"])
    if math.isfinite(early) and last > 0 and early <= VANISHING_RATIO * last:
        found.append("vanishing gradients")
    if any(late(shares) >= DEAD_SHARE for shares in run["dead"].values()):
        found.append("dead units")
    return found


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    hyper = outcomes["hyperparameters"]
    assert (hyper["depth"], hyper["width"], hyper["large_std"]) == (12, 64, 0.5)
    for rule in ("Glorot", "He"):
        agreement = outcomes["records"][f"keras_{rule}"]
        assert agreement["same_seed"] <= 1e-6
        assert abs(agreement["ours"] / agreement["variance"] - 1) < 5 * math.sqrt(
            2 / agreement["draws"])

    first = outcomes["predictions"]["1"]["numbers"]
    depth, width = first["depth"], first["width"]
    variances = {"zeros": 0.0, f"normal σ = {hyper['small_std']:g}": hyper["small_std"] ** 2,
                 f"normal σ = {hyper['large_std']:g}": hyper["large_std"] ** 2,
                 "Glorot": 2 / (width + width), "He": 2 / width}
    for name, stds in first["activation_std"].items():
        expected = 0.0 if stds[0] == 0 else stds[-1] / stds[0]
        assert math.isclose(first["ratios"][name], expected, rel_tol=1e-9)
        formula = (width * variances[name] / 2) ** ((depth - 1) / 2)   # (n·Var(W)/2)^((D−1)/2)
        assert math.isclose(first["predicted"][name], formula, rel_tol=1e-9)
    assert first["within_two"] == [name for name in first["asked"]
                                   if 0.5 <= first["ratios"][name] <= 2.0]
    glorot, he, small = first["asked"]
    sets = {"a": {glorot, he, small}, "b": {glorot, he}, "c": {he}, "d": {glorot}, "e": set()}
    expected = [letter for letter, names in sets.items() if names == set(first["within_two"])]
    assert answered(outcomes["predictions"]["1"]) == set(expected or ["f"])
    assert small == f"normal σ = {hyper['small_std']:g}"
    for name, off in first["off_by"].items():
        ratio, predicted = first["ratios"][name], first["predicted"][name]
        assert math.isclose(off, max(ratio, predicted) / min(ratio, predicted), rel_tol=1e-9)

    second = outcomes["predictions"]["2"]["numbers"]
    for name, spreads in second["spread"].items():
        limit = second["rounding_tolerance"] * second["scale"][name]
        # One unit where every unit is within the tolerance of the first; more where not.
        for spread, count in zip(spreads, second["distinct"][name]):
            assert (count == 1) == (spread <= limit), (name, spread, count)
    constant = next(name for name in second["spread"] if name.startswith("constant"))
    assert second["hidden_distinct"] == second["distinct"][constant][:-1]
    # The constant net's accuracy against He's: (a) within 2 points, (b) more than 2 points
    # higher, (c) 2 to 10 points lower, (d) more than 10 points lower.
    below = second["accuracy"]["He"] - second["accuracy"][constant]
    expected = ("a" if abs(below) <= 0.02 else "b" if below < 0 else
                "c" if below <= 0.10 else "d")
    assert answered(outcomes["predictions"]["2"]) == {expected}

    third = outcomes["predictions"]["3"]["numbers"]
    final = {name: run["val_accuracy"][-1] for name, run in third["runs"].items()}
    assert third["final"] == final
    finite = {name: value for name, value in final.items() if math.isfinite(value)}
    assert third["best"] == max(finite, key=finite.get)
    starts = ["zeros", f"normal σ = {hyper['small_std']:g}", f"normal σ = {hyper['large_std']:g}",
              "Glorot", "He"]                                   # the choices (a) to (e)
    assert list(final) == starts
    assert answered(outcomes["predictions"]["3"]) == {
        letter for letter, name in zip("abcde", starts) if final[name] == finite[third["best"]]}
    for name, run in third["runs"].items():
        assert run["findings"] == findings(run), name
        assert len(run["val_accuracy"]) <= hyper["epochs"]
