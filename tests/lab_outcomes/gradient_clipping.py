"""gradient_clipping: whether a run blew up, which clipping won and how many epochs each
model.fit run completed follow from the numbers the lab printed them from."""

import math

import numpy as np

# A higher threshold and a shallower network: the unclipped run may survive, and a
# different rule may win.
FLAGS = ["--clip-threshold", "3", "--depth", "4"]


def check(outcomes):
    assert outcomes["hyperparameters"]["clip_threshold"] == 3.0
    records = outcomes["records"]
    for argument in ("clipvalue", "clipnorm", "global_clipnorm"):
        agreement = records[f"keras_{argument}"]
        assert agreement["difference"] <= agreement["tolerance"]

    first = outcomes["predictions"]["1"]["numbers"]
    assert first["survived"] == math.isfinite(first["final_loss"])
    if first["survived"]:
        assert first["steps"] == first["planned_steps"]
    else:
        assert first["steps"] < first["planned_steps"]
    assert len(first["norms"]) == first["steps"]

    second = outcomes["predictions"]["2"]["numbers"]
    losses, steps = second["final_losses"], second["steps"]
    clipped = list(second["rescued"])
    assert second["best_clipped"] == min(clipped, key=losses.get)
    for name, rescued in second["rescued"].items():
        assert rescued == (math.isfinite(losses[name]) and steps[name] == second["planned_steps"])
    assert second["reference"] not in clipped

    # The first step's norm printed under the figure is the unclipped run's first norm.
    first_step = records["first_step"]
    assert np.isclose(first["norms"][0], list(first_step["norms"].values())[0])

    third = outcomes["predictions"]["3"]["numbers"]
    for name, per_epoch in third["losses"].items():
        assert third["epochs_run"][name] == len(per_epoch) <= third["epochs"]
        assert third["finite"][name] == math.isfinite(per_epoch[-1])
