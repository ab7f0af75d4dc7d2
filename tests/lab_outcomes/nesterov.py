"""What the nesterov lab's statements must agree with, under seed 7 and a changed momentum
and learning rate."""

import math

from tests._arrivals import earliest

# μ = 0.5 and η = 0.003 move both limits and change the sweep's winners from the default run's.
FLAGS = ["--momentum", "0.5", "--ravine-learning-rate", "0.003"]


def check(outcomes):
    values = outcomes["hyperparameters"]

    # Predict 1: the two forms are equal after the change of variables, not before; the
    # answer follows from the gaps and the tolerance.
    first = outcomes["predictions"]["1"]
    forms = first["numbers"]
    tolerance = forms["forms_tolerance"]
    assert all(gap < tolerance for gap in forms["mapped_gaps"].values())
    assert all(gap > 1000 * tolerance for gap in forms["raw_gaps"].values())
    assert forms["compared_steps"] == values["ravine_steps"] + 1
    assert first["answer"] == ("a" if max(forms["raw_gaps"].values()) < tolerance else
                               "b" if max(forms["mapped_gaps"].values()) < tolerance else "c")
    assert first["answer"] == "b"
    for name, gap in forms["mapped_gaps"].items():
        assert outcomes["records"][f"forms, {name}"] == {"difference": gap,
                                                         "tolerance": tolerance, "agree": True}

    # Predict 2: the winner at each rate is the one that arrived first; the limits are the
    # formulas for λ_max = 200; no run above its limit arrived.
    second = outcomes["predictions"]["2"]["numbers"]
    momentum = values["momentum"]
    limits = {"momentum": 2 * (1 + momentum) / 200,
              "Nesterov": 2 * (1 + momentum) / ((1 + 2 * momentum) * 200)}
    for kind, limit in limits.items():
        assert math.isclose(second["limits"][kind], limit, rel_tol=1e-9)
    names = {None: "neither", "tie": "a tie"}
    assert len(second["winners"]) == 7
    for rate, winner in second["winners"].items():
        steps = {kind: second["steps"][kind][rate] for kind in limits}
        assert winner == names.get(earliest(steps), earliest(steps))
        for kind, limit in limits.items():
            if float(rate) > limit * 1.001:
                assert steps[kind] is None, f"{kind} arrived at η = {rate} above its limit"
            if steps[kind] is not None:
                assert 0 < steps[kind] <= values["ravine_steps"]
    assert second["main_rate"] == f"{values['ravine_learning_rate']:g}"
    main_winner = second["winners"][second["main_rate"]]
    everywhere = all(found == main_winner for found in second["winners"].values())
    assert second["everywhere"] == everywhere
    kinds = {"momentum": "ab", "Nesterov": "cd"}
    expected = kinds[main_winner][0 if everywhere else 1] if main_winner in kinds else "e"
    assert outcomes["predictions"]["2"]["answer"] == expected
