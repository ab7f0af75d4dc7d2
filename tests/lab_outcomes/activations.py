"""activations: each revealed winner, share and verdict follows from the numbers beside it,
and the measured peaks, saturation edges and dips are the ones the formulas give."""

import math

# A slope of 0.01 recovers more slowly (under seed 7 in quick mode, not at all), and a
# shallower stack changes every ratio.
FLAGS = ["--leaky-slope", "0.01", "--stack-depth", "6"]


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    predictions, records = outcomes["predictions"], outcomes["records"]

    at_minus_three = predictions["1"]["numbers"]
    slopes = at_minus_three["slopes"]
    assert at_minus_three["largest"] == [name for name, slope in slopes.items()
                                         if slope == max(slopes.values())]
    assert at_minus_three["negative"] == [name for name, slope in slopes.items() if slope < 0]
    # The choices name sets of activations with a negative slope at z = −3.
    negative = {name.split(" (")[0] for name in at_minus_three["negative"]}
    sets = {"a": set(), "b": {"Leaky ReLU"}, "c": {"Swish"}, "d": {"GELU"},
            "e": {"Swish", "GELU"}}
    expected = [letter for letter, names in sets.items() if names == negative] or ["f"]
    assert answered(predictions["1"]) == set(expected)

    depth = predictions["2"]["numbers"]
    assert depth["smallest"] == min(depth["ratios"], key=depth["ratios"].get)
    assert answered(predictions["2"]) == {{"sigmoid": "a", "tanh": "b", "ReLU": "c"}[
        depth["smallest"]]}

    large = predictions["3"]["numbers"]
    assert math.isclose(large["growth"], large["first_norm_after"] / large["first_norm_before"])
    assert 0 <= large["deeper_share"] <= 1 and 0 <= large["deeper_share_before"] <= 1
    assert 0 < large["mean_slope_after"] <= 1 and 0 < large["mean_slope_before"] <= 1
    share = large["deeper_share"]   # (a, b) under 5 %, (c, d) 5 % to 30 %, (e, f) over 30 %
    band = "ab" if share < 0.05 else "cd" if share <= 0.30 else "ef"
    assert answered(predictions["3"]) == {band[0] if large["growth"] > 1 else band[1]}

    dead = predictions["4"]["numbers"]
    for facts in dead["summary"].values():
        moved = abs(facts["last_loss"] - dead["guessing_loss"]) > dead["moved_threshold"]
        assert facts["moved"] == moved
        assert facts["frozen_layers"] == [layer + 1 for layer, change
                                          in enumerate(facts["kernel_changes"]) if change == 0]
    assert math.isclose(dead["guessing_loss"], math.log(2))
    relu, leaky = (facts["moved"] for facts in dead["summary"].values())
    moved = {"a": relu and leaky, "b": relu and not leaky, "c": leaky and not relu,
             "d": not relu and not leaky}
    assert answered(predictions["4"]) == {letter for letter, holds in moved.items() if holds}

    saturation = records["saturation"]
    assert math.isclose(saturation["peaks"]["sigmoid"], 0.25, abs_tol=1e-12)
    assert math.isclose(saturation["peaks"]["tanh"], 1.0, abs_tol=1e-12)
    # σ′(z) = 0.0025 and 1 − tanh²(z) = 0.01 solved exactly; the grid's step is 0.01.
    root = math.sqrt(0.99)
    assert abs(saturation["edges"]["sigmoid"] - math.log((1 + root) / (1 - root))) < 0.011
    assert abs(saturation["edges"]["tanh"] - math.atanh(root)) < 0.011

    dips = records["smooth_dips"]["lowest"]
    # Swish's minimum: z·σ(z) is lowest where σ(z)(1 + z(1 − σ(z))) = 0, z ≈ −1.2785.
    assert abs(dips["Swish"][1] + 1.2785) < 0.011 and abs(dips["Swish"][0] + 0.2785) < 1e-3
    assert abs(dips["GELU"][1] + 0.7518) < 0.011 and abs(dips["GELU"][0] + 0.1700) < 1e-3
    assert records["smooth_dips"]["relu_slope_at_zero"] == 0
