"""diagnostics: the revealed labels are the logger's own verdicts, as its CSV recorded them,
and every comparison the lab prints follows from those labels.

The classifier's rules may change; this checks relations, not which label a run gets,
except where the lesson depends on it (the sigmoid net's vanishing gradients).
"""

# The run stopped too early gets twice as many epochs: its label may change.
FLAGS = ["--early-epochs", "8"]

SCENARIOS = ["good fit", "overfitting", "underfitting", "divergence", "oscillation",
             "stopped too early"]


def check(outcomes):

    first = outcomes["predictions"]["1"]["numbers"]
    labels, intended = first["labels"], first["intended"]
    assert list(labels) == SCENARIOS
    assert labels == first["csv_labels"]    # The revealed label is the CSV's last verdict.
    assert first["as_intended"] == [name for name in SCENARIOS if labels[name] == intended[name]]

    second = outcomes["predictions"]["2"]["numbers"]
    assert second["labels"] == labels
    assert second["differ"] == [name for name in SCENARIOS
                                if second["chapter_labels"][name] != labels[name]]

    third = outcomes["predictions"]["3"]["numbers"]
    assert "vanishing gradients" in third["findings"]["sigmoid"]
    ratios = third["first_over_last"]
    assert ratios["sigmoid"] < ratios["relu"]
