"""The debugging lab's statements against its numbers: each label is what ``classify`` makes
of the recorded curves, each count and list follows from the labels and measurements."""

import collections
import math

from callbacks.diagnostics import classify

# Fewer epochs and a shorter one-batch test: labels, counts and lists may all come out
# differently, and must still follow from the numbers.
FLAGS = ["--epochs", "15", "--batch-test-steps", "40"]

HEALTHY = ("CONVERGED", "STILL_IMPROVING")


def relabel(record):
    """The label ``classify`` gives the curves a verdict was recorded with."""
    return classify(record["columns"], num_classes=record["num_classes"]).label


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    predictions, records = outcomes["predictions"], outcomes["records"]

    first = predictions["1"]["numbers"]
    labels = first["labels"]
    assert sorted(labels) == list("ABCDEFG")
    counts = collections.Counter(labels.values())
    assert first["counts"] == dict(counts)
    assert sorted(first["most_common"]) == sorted(
        label for label, count in counts.items() if count == max(counts.values()))
    for letter, label in labels.items():
        record = records[f"verdict {letter}"]
        assert record["label"] == label == relabel(record), letter
    # (a) one label, (b) two, (c) three, (d) four, (e) five or six.
    assert answered(predictions["1"]) == {"abcde"[min(len(counts), 5) - 1]}

    second = predictions["2"]["numbers"]
    assert second["underfitting"] == [
        letter for letter, label in labels.items()
        if label == "UNDERFITTING" and records[f"verdict {letter}"]["num_classes"]]
    assert sorted(second["batch_test"]) == sorted(second["underfitting"])
    assert second["fitted"] == [letter for letter in second["underfitting"]
                                if second["batch_test"][letter]["batch accuracy"]
                                >= second["threshold"]]
    # (a) none of the UNDERFITTING runs fits the batch, (b) some, not all, (c) all.
    fitted, underfitting = set(second["fitted"]), set(second["underfitting"])
    assert answered(predictions["2"]) == {
        "a" if not fitted else "c" if fitted == underfitting else "b"}

    causes = records["causes"]
    assert causes["labels"] == labels
    assert len(set(causes["causes"].values())) == len(causes["causes"]) == 7

    fourth = predictions["3"]["numbers"]
    assert fourth["broken_labels"] == labels
    for letter, label in fourth["fixed_labels"].items():
        record = records[f"verdict {letter} fixed"]
        assert record["label"] == label == relabel(record), letter
    assert fourth["healthy"] == [letter for letter, label in fourth["fixed_labels"].items()
                                 if label in HEALTHY]
    # (a) all seven healthy, (b) six, (c) five, (d) four or fewer.
    assert answered(predictions["3"]) == {"abcd"[min(7 - len(fourth["healthy"]), 3)]}

    table = records["before and after"]
    for letter in labels:
        assert table["broken_label"][letter] == labels[letter]
        assert table["fixed_label"][letter] == fourth["fixed_labels"][letter]
        broken, fixed = table["broken_val_loss"][letter], table["fixed_val_loss"][letter]
        assert fixed < broken or not math.isfinite(broken), letter  # The lab checks it too.

    penalty = records["strong penalty"]
    loss = records[f"verdict {penalty['letter']}"]["columns"]["loss"]
    assert penalty["label"] == labels[penalty["letter"]]
    assert penalty["first_loss"] == loss[0] and penalty["last_loss"] == loss[-1]
    assert math.isclose(penalty["chance_loss"], math.log(2.0))
    rose_by = max(loss[t] / min(loss[:t]) - 1.0 for t in range(1, len(loss)))
    assert math.isclose(penalty["rose_by"], rose_by, rel_tol=1e-9, abs_tol=1e-12)
    if rose_by <= 0.01:  # A loss that never rose more than 1 % above its best is no blow-up.
        assert labels[penalty["letter"]] != "DIVERGING"

    shared = records["labels shared by several causes"]
    assert shared["labels"] == labels
    assert shared["shared"] == {
        label: sorted(f"Run {letter}" for letter in labels if labels[letter] == label)
        for label, count in counts.items() if count > 1}
