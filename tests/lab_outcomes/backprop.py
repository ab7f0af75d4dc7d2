"""backprop: which arrays a forgotten ReLU′ breaks, the tape against backprop, and how many
XOR restarts reach 100 %, each against the numbers it was printed from."""

# Two hidden units get stuck on XOR far more often than eight, and three restarts change
# every count, so the XOR statement must come out differently from the default run's.
FLAGS = ["--hidden-units", "2", "--restarts", "3"]


def check(outcomes):
    hyperparameters = outcomes["hyperparameters"]

    broken = outcomes["predictions"]["1"]["numbers"]
    tolerance = broken["pass_mark"]
    assert broken["failing"] == [name for name, error in broken["broken_errors"].items()
                                 if error >= tolerance]
    assert broken["failing"], "the check must catch the missing ReLU′"
    assert all(error < tolerance for error in broken["correct_errors"].values())
    # The output layer has no ReLU: its arrays cannot be touched by the bug.
    assert "W3" not in broken["failing"] and "b3" not in broken["failing"]
    matching = [letter for letter, names in broken["failing_choices"].items()
                if sorted(names) == sorted(broken["failing"])]
    assert outcomes["predictions"]["1"]["answer"] == (matching or ["e"])[0]

    tape = outcomes["predictions"]["2"]["numbers"]
    assert tape["largest"] == max(tape["gradient_differences"].values())
    assert tape["largest"] < tape["agreement_tolerance"]
    records = outcomes["records"]
    assert records["tape gradients"] == {"difference": tape["largest"],
                                         "tolerance": tape["agreement_tolerance"], "agree": True}
    assert records["tape losses"]["difference"] == max(tape["loss_differences"].values())
    assert records["tape losses"]["agree"]
    assert tape["tape_error"] == max(tape["relative_errors"].values())
    ratio = tape["tape_error"] / tape["difference_error"]
    assert abs(tape["ratio"] - ratio) <= 1e-12 * ratio
    assert outcomes["predictions"]["2"]["answer"] == ("a" if ratio < 1e-2 else
                                                      "b" if ratio <= 1e2 else "c")
    assert max(tape["loss_differences"].values()) < 1e-12

    xor = outcomes["predictions"]["3"]["numbers"]
    assert xor["restarts"] == hyperparameters["restarts"]
    widths = {f"2-{hyperparameters[key]}-1" for key in ("seed_hidden_units", "hidden_units")}
    assert set(xor["solved"]) == widths
    for name, accuracies in xor["accuracies"].items():
        assert len(accuracies) == hyperparameters["restarts"]
        assert xor["solved"][name] == sum(accuracy == 1.0 for accuracy in accuracies)
    seed_count = xor["solved"][f"2-{hyperparameters['seed_hidden_units']}-1"]
    wide_count = xor["solved"][f"2-{hyperparameters['hidden_units']}-1"]
    assert outcomes["predictions"]["3"]["answer"] == (
        "a" if seed_count > wide_count else "b" if wide_count > seed_count else "c")
