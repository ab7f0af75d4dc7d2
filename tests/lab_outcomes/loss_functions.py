"""loss_functions: the clipped cost of a certain mistake, the mix-ups' losses and gradients,
and where softmax-then-log breaks, each against the numbers it was printed from."""

import math

# A sweep of ±60 stays inside float32's range: softmax-then-log neither overflows (g < −88)
# nor underflows (g > 103), so the statements about ∞ and NaN must come out differently.
FLAGS = ["--logit-range", "60", "--points", "121"]
FLOAT32 = 1e-6


def check(outcomes):
    hyperparameters = outcomes["hyperparameters"]

    certain = outcomes["predictions"]["1"]["numbers"]
    assert certain["probability"] == 0.0
    assert math.isclose(certain["chapters"], -math.log(certain["chapter_epsilon"]), rel_tol=1e-9)
    assert math.isclose(certain["keras"], -math.log(certain["keras_epsilon"]), rel_tol=FLOAT32)
    # Both finite, the chapters' smaller ε the larger loss: (c).
    assert outcomes["predictions"]["1"]["answer"] == (
        "c" if certain["chapters"] > certain["keras"] else "d")

    three = outcomes["records"]["three_sigmoids"]
    assert math.isclose(three["chapters"], math.log(2), rel_tol=1e-9)
    assert math.isclose(three["keras"], math.log(3), rel_tol=FLOAT32)
    assert math.isclose(three["renormalised"], three["keras"], rel_tol=FLOAT32)

    mixups = outcomes["predictions"]["2"]["numbers"]
    assert mixups["smallest"] == min(mixups["losses"], key=mixups["losses"].get)
    least = min(mixups["losses"].values())
    smallest = [mixups["case_choices"][name] for name, value in mixups["losses"].items()
                if value == least]
    assert list(mixups["case_choices"].values()) == ["a", "b", "c", "d"]
    assert outcomes["predictions"]["2"]["answer"] == (smallest[0] if len(smallest) == 1
                                                      else smallest)
    gradients = outcomes["predictions"]["3"]["numbers"]
    zero = [name for name, gradient in gradients["gradients"].items() if not any(gradient)]
    assert gradients["zero_gradient"] == zero
    wrong = [name.startswith("wrong: logits") for name in zero if name.startswith("wrong")]
    assert outcomes["predictions"]["3"]["answer"] == {(): "a", (True,): "b", (False,): "c",
                                                      (True, False): "d"}[tuple(wrong)]
    twice = mixups["losses"]["wrong: softmax(z), from_logits=True"]
    assert math.isclose(mixups["twice_over_right"],
                        twice / mixups["losses"]["right: logits, from_logits=True"])
    for name, gradient in gradients["gradients"].items():
        if name.startswith("right"):
            assert all(abs(a - b) <= FLOAT32 for a, b in zip(gradient,
                                                             gradients["right_gradient"]))

    sweep = outcomes["predictions"]["4"]["numbers"]
    gaps, naive, fused = sweep["gaps"], sweep["naive"], sweep["fused"]
    assert len(gaps) == hyperparameters["points"]
    assert math.isclose(gaps[-1], hyperparameters["logit_range"], rel_tol=1e-6)
    infinite = [g for g, value in zip(gaps, naive) if math.isinf(value)]
    not_a_number = [g for g, value in zip(gaps, naive) if math.isnan(value)]
    inexact = [g for g, value, exact in zip(gaps, naive, fused)
               if math.isfinite(value) and abs(value - exact) > 0.01]
    assert sweep["first_infinite"] == (min(infinite) if infinite else None)
    assert sweep["last_not_a_number"] == (max(not_a_number) if not_a_number else None)
    assert sweep["first_inexact"] == (min(inexact) if inexact else None)
    failed = [g for g, value in zip(gaps, naive) if not math.isfinite(value)]
    high, low = any(g > 0 for g in failed), any(g < 0 for g in failed)
    assert (sweep["fails_high"], sweep["fails_low"]) == (high, low)
    assert outcomes["predictions"]["4"]["answer"] == ("d" if high and low else "b" if high
                                                      else "c" if low else "a")
    assert sweep["fused_at_end"] == fused[-1]
    # The fused loss is log(1 + e^g), about g for large g, and Keras' agrees with it.
    assert math.isclose(fused[-1], math.log1p(math.exp(gaps[-1])), rel_tol=1e-9)
    assert sweep["keras_fused_error"] < 10 * FLOAT32
