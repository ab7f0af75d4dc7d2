"""diagnostics: the revealed labels are the logger's own verdicts, as its CSV recorded them,
and every comparison the lab prints follows from those labels.

The classifier's rules may change; this checks relations, not which label a run gets,
except where the lesson depends on it (the sigmoid net's vanishing gradients).
"""

# The run stopped too early gets twice as many epochs: its label may change.
FLAGS = ["--early-epochs", "8"]

SCENARIOS = ["good fit", "overfitting", "underfitting", "divergence", "oscillation",
             "stopped too early"]


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):

    first = outcomes["predictions"]["1"]["numbers"]
    labels, intended = first["labels"], first["intended"]
    assert list(labels) == SCENARIOS
    assert labels == first["csv_labels"]    # The revealed label is the CSV's last verdict.
    assert first["as_intended"] == [name for name in SCENARIOS if labels[name] == intended[name]]
    # (a) all six as intended, (b) five, (c) four, (d) three or fewer.
    assert answered(outcomes["predictions"]["1"]) == {"abcd"[min(6 - len(first["as_intended"]), 3)]}

    second = outcomes["predictions"]["2"]["numbers"]
    assert second["labels"] == labels
    assert second["differ"] == [name for name in SCENARIOS
                                if second["chapter_labels"][name] != labels[name]]
    # (a) they differ on none, (b) one or two, (c) three or four, (d) five or six.
    differ = len(second["differ"])
    assert answered(outcomes["predictions"]["2"]) == {
        "a" if differ == 0 else "b" if differ <= 2 else "c" if differ <= 4 else "d"}

    third = outcomes["predictions"]["3"]["numbers"]
    assert "vanishing gradients" in third["findings"]["sigmoid"]
    ratios = third["first_over_last"]
    assert ratios["sigmoid"] < ratios["relu"]
    # (a) the sigmoid net only, (b) the ReLU net only, (c) both, (d) neither.
    sigmoid, relu = ("vanishing gradients" in third["findings"][net] for net in ("sigmoid", "relu"))
    found = {"a": sigmoid and not relu, "b": relu and not sigmoid, "c": sigmoid and relu,
             "d": not sigmoid and not relu}
    assert answered(outcomes["predictions"]["3"]) == {letter for letter, holds in found.items()
                                                      if holds}
