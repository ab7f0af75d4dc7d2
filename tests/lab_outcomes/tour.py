"""tour: the three runs agree within their tolerance, and the diagnostics' label is the one
the classifier gives the curves the tape run logged."""

import callbacks.diagnostics

# Plain SGD learns more slowly than Adam within the quick run's epochs, so the verdict and
# the epochs early stopping allows may change; agreement must hold for any optimizer.
FLAGS = ["--optimizer", "sgd", "--learning-rate", "0.5"]


def check(outcomes):
    runs = outcomes["predictions"]["1"]["numbers"]
    assert runs["agree"] == (max(runs["differences"].values()) <= runs["weight_tolerance"])
    assert outcomes["predictions"]["1"]["answer"] == "abc"[len(set(runs["epochs_run"].values()))
                                                           - 1]
    assert runs["agree"]
    assert len(set(runs["epochs_run"].values())) == 1, runs["epochs_run"]
    assert max(runs["epochs_run"].values()) <= outcomes["hyperparameters"]["epochs"]

    verdict = outcomes["predictions"]["2"]["numbers"]
    columns = verdict["columns"]
    assert len(columns["loss"]) == runs["epochs_run"]["custom + tape"]
    assert verdict["label"] == callbacks.diagnostics.classify(columns).label
    assert verdict["label"] in callbacks.diagnostics.LABELS
    assert sorted(verdict["label_choices"]) == sorted(callbacks.diagnostics.LABELS)
    answer = outcomes["predictions"]["2"]["answer"]
    assert answer == verdict["label_choices"][verdict["label"]]
    assert outcomes["predictions"]["2"]["choices"][answer] == verdict["label"]
