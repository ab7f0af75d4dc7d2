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

    path = outcomes["predictions"]["2"]["numbers"]
    same = (path["weight_gap"] < path["weight_tolerance"]
            and path["probability_gap"] < path["probability_tolerance"])
    assert path["same_path"] == same
    assert same and path["keras_accuracy"] == path["numpy_accuracy"] == 1.0
