"""What the curvature lab's statements must agree with, under seed 7 and a changed momentum,
curvature and saddle offset."""

import math

from tests._arrivals import earliest

FLAGS = ["--momentum", "0.5", "--largest-eigenvalue", "40", "--saddle-offset", "0.001"]


def check(outcomes):
    values = outcomes["hyperparameters"]
    smallest, largest = values["smallest_eigenvalue"], values["largest_eigenvalue"]

    # Predict 1: the runs that grew are those whose distance ratio exceeds 1; the closest is
    # the arg-min; each measured steepest factor is 1 − ηλ_max for the η the lab ran.
    first = outcomes["predictions"]["1"]["numbers"]
    distance = first["distance"]
    assert first["grew"] == [name for name in distance if distance[name] > 1]
    grew = first["grew"]
    assert outcomes["predictions"]["1"]["answer"] == (
        "a" if not grew else "b" if grew == ["just above"] else
        "c" if "just above" in grew else "d")
    assert first["closest"] == min(distance, key=distance.get)
    expected = {"just below": 1 - 2 * values["below_limit"],
                "just above": 1 - 2 * values["above_limit"],
                "η*": 1 - 2 * largest / (smallest + largest)}
    for name, factor in expected.items():
        # Keras keeps η as a float32 number: 1 − ηλ_max agrees with the formula to ~1e-7.
        assert math.isclose(first["steepest_predicted"][name], factor, abs_tol=1e-6)
        assert math.isclose(first["steepest_measured"][name], first["steepest_predicted"][name],
                            abs_tol=1e-9)
    assert "just above" in first["grew"] and "just below" not in first["grew"]
    factors = outcomes["records"]["factors"]
    assert factors["difference"] < factors["tolerance"] and factors["agree"]

    # Predict 2: the lowest ‖∇J‖ comes before the highest after it; it rose if the highest
    # is later and larger. Predict 3: "first" is the earlier run.
    second = outcomes["predictions"]["2"]["numbers"]
    assert second["high_step"] >= second["low_step"] and second["high"] >= second["low"]
    rose = second["high_step"] > second["low_step"] and second["high"] > second["low"]
    assert second["rose"] == rose
    assert outcomes["predictions"]["2"]["answer"] == ("b" if rose else "a")
    third = outcomes["predictions"]["3"]
    winner = earliest(third["numbers"]["valley_steps"])
    first_run = {None: "neither run", "tie": "both runs at once"}.get(winner, winner)
    assert third["numbers"]["first"] == first_run
    assert third["answer"] == {"gradient descent": "a", "momentum": "b",
                               "both runs at once": "c", "neither run": "d"}[first_run]

    # Predict 4: a stop is where ‖∇J‖ < ε first held, J above its minimum; the verdict
    # follows from the sign of the Hessian's smallest eigenvalue.
    fourth = outcomes["predictions"]["4"]
    stopping = fourth["numbers"]
    assert stopping["epsilon"] == values["gradient_tolerance"]
    saddle = stopping["stops"]["saddle"]
    assert fourth["answer"] == ("c" if saddle["step"] is None else
                                "b" if saddle["smallest_eigenvalue"] < 0 else "a")
    for stop in stopping["stops"].values():
        if stop["step"] is None:
            continue
        assert stop["norm"] < stopping["epsilon"] and stop["gap"] > 0
        assert stop["verdict"] == ("not a minimum" if stop["smallest_eigenvalue"] < 0
                                   else "no negative curvature")

