"""early_stopping: the stopping epoch, the kept epoch and the rate cuts follow from the curves."""

import numpy as np

# Patience 2 instead of quick mode's 3, and cuts to half instead of 30 %: the stopping epoch,
# the kept epoch and the cuts all move.
FLAGS = ["--patience", "2", "--factor", "0.5"]


def stopping_rule(val_losses, patience, max_epochs):
    """Epochs trained and the 1-based epoch kept, by the rule in callbacks/early_stopping.py."""
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses[:max_epochs]):
        wait += 1
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        elif wait >= patience and epoch > 0:
            return epoch + 1, best_epoch + 1
    return len(val_losses), best_epoch + 1


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    stop = outcomes["predictions"]["1"]["numbers"]
    assert stop["patience"] == outcomes["hyperparameters"]["patience"]
    assert len(stop["val_losses"]) == stop["epochs_run"] <= stop["max_epochs"]
    assert (stop["epochs_run"], stop["epoch_kept"]) == stopping_rule(
        stop["val_losses"], stop["patience"], stop["max_epochs"])
    assert stop["epoch_kept"] == int(np.argmin(stop["val_losses"])) + 1
    assert np.isclose(stop["stopped_val_loss"], stop["val_losses"][stop["epoch_kept"] - 1],
                      rtol=1e-4)
    assert stop["lowered"] == (stop["stopped_val_loss"] < stop["full_val_loss"])
    assert all(run == [stop["epochs_run"], stop["epoch_kept"]] for run in stop["runs"].values())
    # (a, b) stopped before the last epoch, (c, d) trained to it; a and c: the kept weights'
    # validation loss is below the full run's final one.
    early = stop["epochs_run"] < outcomes["hyperparameters"]["max_epochs"]
    letters = "ab" if early else "cd"
    assert answered(outcomes["predictions"]["1"]) == {
        letters[0] if stop["stopped_val_loss"] < stop["full_val_loss"] else letters[1]}

    full = outcomes["records"]["full_run"]
    assert full["lowest_epoch"] == int(np.argmin(full["val_losses"])) + 1
    # Until it stopped, the early-stopping run saw exactly the full run's curve.
    assert np.allclose(full["val_losses"][:stop["epochs_run"]], stop["val_losses"], rtol=1e-5)

    cut = outcomes["predictions"]["2"]["numbers"]
    rates = np.array(cut["rates"])
    assert cut["cuts"] == int(np.sum(rates[1:] < rates[:-1]))
    factor = outcomes["hyperparameters"]["factor"]
    assert np.isclose(rates[-1], max(rates[0] * factor ** cut["cuts"],
                                     outcomes["hyperparameters"]["min_lr"]), rtol=1e-5)
    assert cut["lower"] == (cut["cut_final"] < cut["uncut_final"])
    # (a) no cut; (b, c) one or two cuts; (d, e) three or more; b and d: it ends lower.
    if cut["cuts"] == 0:
        expected = "a"
    else:
        letters = "bc" if cut["cuts"] <= 2 else "de"
        expected = letters[0] if cut["cut_final"] < cut["uncut_final"] else letters[1]
    assert answered(outcomes["predictions"]["2"]) == {expected}
    assert cut["uncut_final"] == outcomes["records"]["no_callback"]["val_losses"][-1]
    assert outcomes["records"]["keras_on_schedule"]["raised"] is True

    # Loss and accuracy of the restored weights against the full run's, and whether the
    # two measures disagree on which is better (the lab says so when they do).
    both = outcomes["records"]["loss and accuracy"]
    assert both["stopped_val_loss"] == stop["stopped_val_loss"]
    assert both["full_val_loss"] == stop["full_val_loss"]
    loss_better = both["stopped_val_loss"] < both["full_val_loss"]
    accuracy_difference = both["stopped_val_accuracy"] - both["full_val_accuracy"]
    assert both["disagree"] == ((loss_better and accuracy_difference < 0) or (
        both["stopped_val_loss"] > both["full_val_loss"] and accuracy_difference > 0))
    assert both["samples_apart"] == round(abs(accuracy_difference) * both["validation_samples"])
