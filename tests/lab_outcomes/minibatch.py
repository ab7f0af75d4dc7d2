"""minibatch: the winners it names are the arg-min and arg-max of the numbers it printed,
and its speed statements are computed from the measured seconds."""

import math

# A larger rate changes which batch size wins (at 0.5, B = 1 no longer learns in full mode).
FLAGS = ["--learning-rate", "0.3", "--batch-sizes", "1", "16", "64"]


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    predictions = outcomes["predictions"]
    epochs = predictions["1"]["numbers"]
    losses, accuracies = epochs["final_losses"], epochs["val_accuracies"]
    assert losses.keys() == accuracies.keys() == {"1", "16", "64", str(epochs["full_batch"])}
    assert str(epochs["lowest"]) == min(losses, key=losses.get)
    assert str(epochs["highest"]) == max(losses, key=losses.get)
    assert str(epochs["best_accuracy"]) == max(accuracies, key=accuracies.get)
    sizes = sorted(int(size) for size in losses)          # the smallest first, the full batch last

    def position(size):
        return "smallest" if int(size) == sizes[0] else "full" if int(size) == sizes[-1] \
            else "between"

    pairs = {("smallest", "full"): "a", ("full", "smallest"): "b", ("between", "full"): "c",
             ("between", "smallest"): "d"}
    assert answered(predictions["1"]) == {
        pairs.get((position(epochs["lowest"]), position(epochs["highest"])), "e")}

    timed = predictions["2"]["numbers"]
    totals = {size: sum(seconds) for size, seconds in timed["seconds"].items()}
    assert math.isclose(timed["budget"], min(totals.values()), rel_tol=1e-9)
    for size, seconds in timed["seconds"].items():
        finished = 0
        for elapsed in (sum(seconds[:count + 1]) for count in range(len(seconds))):
            finished += elapsed <= timed["budget"] * (1 + 1e-12)
        assert timed["epochs_in_budget"][size] == finished
        expected = (timed["losses"][size][finished - 1] if finished
                    else timed["initial_losses"][size])
        assert timed["loss_at_budget"][size] == expected
    loss_at_budget = timed["loss_at_budget"]
    assert str(timed["winner"]) == min(loss_at_budget, key=loss_at_budget.get)
    assert answered(predictions["2"]) == {
        {"smallest": "a", "between": "b", "full": "c"}[position(timed["winner"])]}

    speeds = predictions["3"]["numbers"]
    rows = {str(row["batch_size"]): row for row in speeds["rows"]}
    for size, ratio in speeds["keras_over_numpy"].items():
        row = rows[size]
        seconds = row["keras_seconds_per_epoch"], row["numpy_seconds_per_epoch"]
        assert math.isclose(ratio, seconds[0] / seconds[1])
    assert str(speeds["smallest"]) == "1" and str(speeds["full_batch"]) == str(epochs["full_batch"])
    # Keras over NumPy at the smallest batch: (a) < 2, (b) 2 to 10, (c) 10 to 100, (d) > 100.
    ratio = speeds["keras_over_numpy"][str(speeds["smallest"])]
    assert answered(predictions["3"]) == {
        "a" if ratio < 2 else "b" if ratio <= 10 else "c" if ratio <= 100 else "d"}
    for size, row in rows.items():
        assert math.isclose(row["final_train_loss"], losses[size])
        assert math.isclose(row["val_accuracy"], accuracies[size])
