"""fit_vs_tape: the agreement it reveals follows from its differences and tolerance, and the
eager slowdown's band from the two measured times."""

# Another optimizer and Keras' implementation: the agreement must not depend on Adam.
FLAGS = ["--optimizer", "momentum", "--impl", "keras", "--batch-size", "16"]


def check(outcomes):
    agreement = outcomes["predictions"]["1"]["numbers"]
    tolerance = agreement["agreement_tolerance"]
    assert agreement["weights_agree"] == (agreement["weight_difference"] < tolerance)
    assert agreement["metrics_agree"] == (agreement["metric_difference"] < tolerance)
    assert agreement["weights_agree"] and agreement["metrics_agree"] and agreement["same_keys"]
    final = agreement["final_validation"]
    gap = final["model.fit"] - final["fit_with_tape"]
    assert agreement["validation_gap"] == gap
    assert abs(gap) <= agreement["metric_difference"]   # The last val_loss is one of the metrics.
    assert outcomes["predictions"]["1"]["answer"] == (
        "c" if abs(gap) < tolerance else "a" if gap < 0 else "b")

    speed = outcomes["predictions"]["2"]["numbers"]
    slowdown = speed["eager_seconds"] / speed["compiled_seconds"]
    assert abs(speed["slowdown"] - slowdown) <= 1e-9 * slowdown
    expected = ("about as fast" if slowdown < 2 else "2 to 5" if slowdown <= 5 else "more than 5")
    assert speed["band"].startswith(expected), (speed["band"], slowdown)
    assert outcomes["predictions"]["2"]["answer"] == {"about as fast": "a", "2 to 5": "b",
                                                      "more than 5": "c"}[expected]
