"""xor_keras: the seeds it reports follow from their accuracies, and "the same path" from
the measured gaps and their tolerances."""

# Two hidden units fail more often (seed 7 may need several restarts), and the lab must
# still tell the truth about how many it took.
FLAGS = ["--hidden-units", "2", "--restarts", "20"]


def check(outcomes):
    restarts = outcomes["predictions"]["1"]["numbers"]
    accuracies = restarts["accuracies"]
    assert len(restarts["seeds"]) == len(accuracies) == len(restarts["final_losses"])
    assert restarts["seeds"] == list(range(7, 7 + len(accuracies)))
    assert accuracies[-1] == 1.0 and all(accuracy < 1.0 for accuracy in accuracies[:-1])
    assert restarts["stalled"] == restarts["seeds"][:-1]
    assert restarts["kept_seed"] == restarts["seeds"][-1]
    tried = len(restarts["seeds"])
    assert outcomes["predictions"]["1"]["answer"] == ("a" if tried == 1 else "b" if tried <= 3
                                                      else "c")

    path = outcomes["predictions"]["2"]["numbers"]
    same = (path["weight_gap"] < path["weight_tolerance"]
            and path["probability_gap"] < path["probability_tolerance"])
    assert path["same_path"] == same
    assert same and path["keras_accuracy"] == path["numpy_accuracy"] == 1.0
    gaps = [epoch - last for epoch, last in zip(path["epoch_losses"], path["block_last"])]
    assert path["block_gaps"] == gaps and len(gaps) == len(path["epoch_losses"])
    level = [abs(gap) <= 1e-6 * max(1.0, abs(last))
             for gap, last in zip(gaps, path["block_last"])]
    assert path["level"] == level
    expected = ("b" if all(level) else "a" if all(gap > 0 for gap in gaps) else
                "c" if all(gap < 0 for gap in gaps) else "d")
    assert outcomes["predictions"]["2"]["answer"] == expected
