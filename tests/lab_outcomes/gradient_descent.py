"""gradient_descent: where descent stops, which rate wins, what the chapter's rule calls η = 1.1,
and NumPy against GradientTape; each answer key follows from the numbers beside it."""

import math

# η = 0.4 makes x shrink faster than y on the bowl (the default makes y faster), 8 steps
# change every final loss of the table, and η = 0.1 on the quartic hops over the hump.
FLAGS = ["--learning-rate", "0.4", "--steps", "8", "--quartic-learning-rate", "0.1"]


def check(outcomes):
    hyperparameters = outcomes["hyperparameters"]
    learning_rate, steps = hyperparameters["learning_rate"], hyperparameters["steps"]

    bowl = outcomes["records"]["bowl_factors"]
    assert math.isclose(bowl["factor_x"], 1 - 2 * learning_rate)
    assert math.isclose(bowl["factor_y"], 1 - 4 * learning_rate)
    assert bowl["faster"] == ("y" if abs(bowl["factor_y"]) < abs(bowl["factor_x"]) else "x")

    quartic = outcomes["predictions"]["1"]["numbers"]
    assert quartic["learning_rate"] == hyperparameters["quartic_learning_rate"]
    critical = sorted(quartic["critical_points"])
    names = dict(zip(critical, ("the global minimum", "the hump", "the local minimum")))
    for start, end in quartic["ends"].items():
        if not math.isfinite(end):
            assert quartic["stopped_at"][start] == "nowhere: it diverged"
            continue
        nearest = min(critical, key=lambda point: abs(point - end))
        expected = names[nearest] if abs(end - nearest) < 0.01 else "between critical points"
        assert quartic["stopped_at"][start] == expected
    first = outcomes["predictions"]["1"]
    assert first["answer"] == {"the global minimum": "a", "the local minimum": "b"}.get(
        quartic["stopped_at"]["+3"], "c")
    assert set(first["choices"]) == {"a", "b", "c"}

    lowest = outcomes["predictions"]["2"]
    table = lowest["numbers"]
    smallest = min(table["final_losses"].values())
    winners = [rate for rate, final in table["final_losses"].items() if final == smallest]
    assert table["lowest"] in winners and table["lowest_rates"] == winners
    key = {rate: choice for choice, rate in zip("abcd", ("0.01", "0.1", "0.5", "1.1"))}
    expected = [key[rate] for rate in winners]
    assert lowest["answer"] == (expected[0] if len(expected) == 1 else expected)
    assert lowest["choices"][key[winners[0]]] == f"η = {winners[0]}"

    verdicts = outcomes["predictions"]["3"]
    table = verdicts["numbers"]
    for rate, final in table["final_losses"].items():
        # x ← (1 − 2η)·x from x = 10: the loss after `steps` steps is 100·(1 − 2η)^(2·steps).
        assert math.isclose(final, 100 * (1 - 2 * float(rate)) ** (2 * steps), abs_tol=1e-12)
        chapter_rule = ("DIVERGED" if final > 1e10 else "CONVERGED" if final < 0.01 else "SLOW")
        ours = ("DIVERGED" if final > table["initial_loss"] else
                "CONVERGED" if final < 1e-3 * table["initial_loss"] else "SLOW")
        assert table["chapter_verdicts"][rate] == chapter_rule
        assert table["our_verdicts"][rate] == ours
    assert verdicts["answer"] == {"DIVERGED": "a", "SLOW": "b", "CONVERGED": "c"}[
        table["chapter_verdicts"]["1.1"]]
    assert verdicts["choices"][verdicts["answer"]] == table["chapter_verdicts"]["1.1"]
    for rule, verdicts in (("chapter", table["chapter_verdicts"]),
                           ("ours", table["our_verdicts"])):
        diverged = [rate for rate, verdict in verdicts.items() if verdict == "DIVERGED"]
        assert table["diverged"][rule] == (diverged or ["none"])

    bumpy = outcomes["records"]["bumpy"]
    assert bumpy["global_minimum"] in bumpy["minima"]
    settled = [rate for rate, run in bumpy["outcomes"].items()
               if run["verdict"] == "SETTLED" and run["nearest_minimum"] == bumpy["global_minimum"]]
    assert bumpy["settled_global"] == settled
    for run in bumpy["outcomes"].values():
        expected = ("DIVERGED" if abs(run["w"]) >= 10 else
                    "SETTLED" if run["spread"] < 1e-6 else "STILL MOVING")
        assert run["verdict"] == expected

    tape_reveal = outcomes["predictions"]["4"]
    tape = tape_reveal["numbers"]
    same_rule = tape["reason_numpy"] == tape["reason_tape"]
    same_step = tape["steps_numpy"] == tape["steps_tape"]
    assert tape_reveal["answer"] == ("c" if not same_rule else "a" if same_step else "b")
    assert tape["paths_agree"] == (tape["steps_numpy"] == tape["steps_tape"]
                                   and tape["difference"] < tape["path_tolerance"])
    assert tape["gradient_difference"] < tape["gradient_tolerance"]
    assert tape["steps_numpy"] <= hyperparameters["max_steps"]
