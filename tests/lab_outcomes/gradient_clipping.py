"""gradient_clipping: whether a run blew up, which clipping won and how many epochs each
model.fit run completed follow from the numbers the lab printed them from."""

import math

import numpy as np

# A higher threshold and a shallower network: the unclipped run may survive, and a
# different rule may win.
FLAGS = ["--clip-threshold", "3", "--depth", "4"]


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


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
    else:   # All of them when the last update was the one that blew it up.
        assert first["steps"] <= first["planned_steps"]
    assert len(first["norms"]) == first["steps"]
    epochs = outcomes["hyperparameters"]["epochs"]
    assert first["planned_steps"] == epochs * first["steps_per_epoch"]
    # (a) it survived, (b) it blew up within its first epoch, (c) later.
    assert answered(outcomes["predictions"]["1"]) == {
        "a" if first["survived"] else "b" if first["steps"] <= first["steps_per_epoch"] else "c"}

    second = outcomes["predictions"]["2"]["numbers"]
    losses, steps = second["final_losses"], second["steps"]
    clipped = list(second["rescued"])
    assert second["best_clipped"] == min(clipped, key=losses.get)
    for name, rescued in second["rescued"].items():
        assert rescued == (math.isfinite(losses[name]) and steps[name] == second["planned_steps"])
    assert second["reference"] not in clipped
    # (a, b) by value, (c, d) by norm, (e, f) by global norm ends lowest; a, c and e: below
    # the unclipped run at the smaller rate.
    best = second["best_clipped"]
    letters = {"by value": "ab", "by norm": "cd", "by global norm": "ef"}[best.rsplit(" ", 1)[0]]
    beats = losses[best] < losses[second["reference"]]
    assert answered(outcomes["predictions"]["2"]) == {letters[0] if beats else letters[1]}

    # The first step's norm printed under the figure is the unclipped run's first norm.
    first_step = records["first_step"]
    assert np.isclose(first["norms"][0], list(first_step["norms"].values())[0])

    third = outcomes["predictions"]["3"]["numbers"]
    for name, per_epoch in third["losses"].items():
        assert third["epochs_run"][name] == len(per_epoch) <= third["epochs"]
        assert third["finite"][name] == math.isfinite(per_epoch[-1])
    # (a) both complete every epoch to a finite loss, (b) only the clipped run, (c) only the
    # unclipped one, (d) neither.
    complete = {name: third["epochs_run"][name] == third["epochs"] and third["finite"][name]
                for name in third["losses"]}
    unclipped = complete["no clipping"]
    clipped_run = next(value for name, value in complete.items() if name != "no clipping")
    found = {"a": unclipped and clipped_run, "b": clipped_run and not unclipped,
             "c": unclipped and not clipped_run, "d": not unclipped and not clipped_run}
    assert answered(outcomes["predictions"]["3"]) == {letter for letter, holds in found.items()
                                                      if holds}
