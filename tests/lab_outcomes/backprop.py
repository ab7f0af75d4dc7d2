"""backprop: which arrays a forgotten ReLU′ breaks, the tape against backprop, and how many
XOR restarts reach 100 %, each against the numbers it was printed from."""

# Two hidden units get stuck on XOR far more often than eight, and three restarts change
# every count, so the XOR statement must come out differently from the default run's.
FLAGS = ["--hidden-units", "2", "--restarts", "3"]


def check(outcomes):
    hyperparameters = outcomes["hyperparameters"]

    broken = outcomes["predictions"]["1"]["numbers"]
    tolerance = broken["tolerance"]
    assert broken["failing"] == [name for name, error in broken["broken_errors"].items()
                                 if error >= tolerance]
    assert broken["failing"], "the check must catch the missing ReLU′"
    assert all(error < tolerance for error in broken["correct_errors"].values())
    # The output layer has no ReLU: its arrays cannot be touched by the bug.
    assert "W3" not in broken["failing"] and "b3" not in broken["failing"]

    tape = outcomes["predictions"]["2"]["numbers"]
    assert tape["largest"] == max(tape["gradient_differences"].values())
    assert tape["largest"] < tape["tolerance"]
    assert max(tape["loss_differences"].values()) < 1e-12

    xor = outcomes["predictions"]["3"]["numbers"]
    assert xor["restarts"] == hyperparameters["restarts"]
    widths = {f"2-{hyperparameters[key]}-1" for key in ("seed_hidden_units", "hidden_units")}
    assert set(xor["solved"]) == widths
    for name, accuracies in xor["accuracies"].items():
        assert len(accuracies) == hyperparameters["restarts"]
        assert xor["solved"][name] == sum(accuracy == 1.0 for accuracy in accuracies)
