"""fit_vs_tape: the agreement it reveals follows from its differences and tolerance, and the
eager slowdown's band from the two measured times."""

# Another optimizer and Keras' implementation: the agreement must not depend on Adam.
FLAGS = ["--optimizer", "momentum", "--impl", "keras", "--batch-size", "16"]


def check(outcomes):
    agreement = outcomes["predictions"]["1"]["numbers"]
    assert agreement["weights_agree"] == (agreement["weight_difference"] < agreement["tolerance"])
    assert agreement["metrics_agree"] == (agreement["metric_difference"] < agreement["tolerance"])
    assert agreement["weights_agree"] and agreement["metrics_agree"] and agreement["same_keys"]

    speed = outcomes["predictions"]["2"]["numbers"]
    slowdown = speed["eager_seconds"] / speed["compiled_seconds"]
    assert abs(speed["slowdown"] - slowdown) <= 1e-9 * slowdown
    expected = ("about as fast" if slowdown < 2 else "2 to 5" if slowdown <= 5 else "more than 5")
    assert speed["band"].startswith(expected), (speed["band"], slowdown)
