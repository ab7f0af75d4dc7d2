"""How often ``classify`` is right on real, labelled runs, next to four published rules.

The runs are the fixtures of ``tests/fixtures/diagnostics/`` (see its
``generate.py``): real Keras fits, deliberately misconfigured, whose labels
were confirmed by evidence the classifier never sees (a hidden test set, what
happened when training continued, the control run). Only confirmed runs count.
Seed 0 is the development split (the thresholds were set while looking at
it); seeds 1 and 2 are held out.

For each method it prints per-class precision and recall and, for ours and
the seed's rules (the two that give every label), the confusion matrix. The
baselines that only detect some labels are scored on those labels: a
detector's precision is how often its alarm is right, its recall how many
of the runs with that label it catches.

    python -m benchmarks.diagnostics_accuracy            # a few seconds, no training
    python -m benchmarks.diagnostics_accuracy --write    # also rewrite diagnostics_results.md
"""

import pathlib
import sys

import pandas as pd

from callbacks import diagnostics
from callbacks.diagnostics import baselines

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "diagnostics"
RESULTS = ROOT / "benchmarks" / "diagnostics_results.md"
NONE = "(no verdict)"
OVERHEAD = "## Overhead"


def load_runs():
    """The confirmed runs, with every method's verdict on each."""
    labels = pd.read_csv(FIXTURES / "labels.csv")
    runs = labels[labels["confirmed"]].copy()
    methods = {"ours": lambda path: diagnostics.classify(path).label, **baselines.BASELINES}
    for name, method in methods.items():
        runs[name] = [method(FIXTURES / "runs" / f"{run}.csv") or NONE for run in runs["run"]]
    return labels, runs, list(methods)


def precision_recall(truth, predicted, label):
    """(precision, recall, support) of one label; precision is None when it was never predicted."""
    said = predicted == label
    is_label = truth == label
    hits = int((said & is_label).sum())
    precision = hits / said.sum() if said.sum() else None
    recall = hits / is_label.sum() if is_label.sum() else None
    return precision, recall, int(is_label.sum())


def per_class_table(runs, methods):
    """Markdown: one row per label, precision/recall of every method that can give that label."""
    can_say = {"ours": set(diagnostics.LABELS), "seed rules": set(diagnostics.LABELS),
               "Prechelt GL5": {"OVERFITTING"}, "UMLAUT": {"DIVERGING", "OVERFITTING"},
               "AUTOTRAINER": {"DIVERGING", "OSCILLATING", "UNDERFITTING"}}
    header = "| label | runs | " + " | ".join(f"{name} P / R" for name in methods) + " |"
    lines = [header, "|---|---:|" + "---:|" * len(methods)]
    for label in diagnostics.LABELS:
        cells = []
        for name in methods:
            if label not in can_say[name]:
                cells.append("–")
                continue
            precision, recall, support = precision_recall(runs["label"], runs[name], label)
            shown = "n/a" if precision is None else f"{precision:.2f}"
            cells.append(f"{shown} / {recall:.2f}" if recall is not None else "–")
        support = int((runs["label"] == label).sum())
        lines.append(f"| {label} | {support} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def confusion(runs, method):
    """Markdown confusion matrix: rows are the true labels, columns the method's verdicts."""
    columns = list(diagnostics.LABELS) + ([NONE] if (runs[method] == NONE).any() else [])
    short = {label: label[:5] for label in diagnostics.LABELS}
    short[NONE] = "none"
    lines = ["| true \\ said | " + " | ".join(short[c] for c in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for label in diagnostics.LABELS:
        row = runs[runs["label"] == label]
        counts = [int((row[method] == column).sum()) for column in columns]
        lines.append(f"| {label} | " + " | ".join(str(count) for count in counts) + " |")
    return "\n".join(lines)


def accuracy_line(runs, methods):
    parts = []
    for name in methods:
        right = (runs[name] == runs["label"]).mean()
        parts.append(f"{name} {right:.0%}")
    return ", ".join(parts)


def report(labels, runs, methods):
    held_out = runs[runs["split"] == "held_out"]
    development = runs[runs["split"] == "development"]
    no_validation = runs[~runs["with_validation"]]
    text = [
        "# Diagnostics: accuracy on real runs",
        "",
        "Made by `python -m benchmarks.diagnostics_accuracy --write` from the fixtures in "
        "`tests/fixtures/diagnostics/` (regenerate them with its `generate.py`).",
        "",
        f"{len(labels)} runs were trained; {len(runs)} had their intended label confirmed by "
        "hidden evidence and are scored here "
        f"({len(development)} development, seed 0; {len(held_out)} held out, seeds 1-2; "
        f"{len(no_validation)} logged without validation data).",
        "",
        "Exact-label accuracy (a method with no verdict counts as wrong):",
        "",
        f"* held out: {accuracy_line(held_out, methods)}",
        f"* development: {accuracy_line(development, methods)}",
        f"* no validation data: {accuracy_line(no_validation, methods)}",
        "",
        "## Per class, held-out runs (precision / recall)",
        "",
        "P = of the runs a method gave this label, the share that truly had it; "
        "R = of the runs with this label, the share it found. `n/a`: never said; "
        "`–`: the method has no rule for this label.",
        "",
        per_class_table(held_out, methods),
        "",
        "## Per class, all confirmed runs",
        "",
        per_class_table(runs, methods),
        "",
        "## Confusion matrix: ours, all confirmed runs",
        "",
        confusion(runs, "ours"),
        "",
        "## Confusion matrix: the seed's `analyze_learning_curves`, all confirmed runs",
        "",
        confusion(runs, "seed rules"),
        "",
        "## Reading the tables",
        "",
        "* **Scale.** The seed's rules call any loss above 0.5 underfitting, so they cannot "
        "say CONVERGED or STILL_IMPROVING for ten-class cross-entropy or for a mean squared "
        "error in the target's own units (diabetes, about 3 000 at its best); ours compare "
        "the loss with itself (ratios, changes of log-loss) and do not care about its units.",
        "* **No validation data.** The seed's rules, Prechelt's GL and UMLAUT's overfitting "
        "check all need `val_loss`; ours say so in the reason and judge the training loss.",
        "* **NaN.** The seed's `train_loss[-1] > train_loss[0]` is False for NaN, so a run "
        "that blew up to NaN is reported as still training.",
        "* **Detectors that fire once.** Prechelt's GL5 and UMLAUT look at one epoch at a "
        "time: a single noisy rise of the validation loss (UMLAUT: any rise while the training "
        "loss falls) raises the alarm, which is why their OVERFITTING precision is low on "
        "runs that merely jitter. Ours ask for a sustained rise (the median of the last three "
        "epochs 15 % above the best, at least 3 epochs after it).",
        "* **AUTOTRAINER** reads accuracy, so on regression only its NaN rule can fire. Its "
        "accuracy-swing rule (ζ = 0.03) also fires on small-data runs whose accuracy jumps by "
        "a few points (overfitting runs here), and its slow-convergence rule needs every "
        "epoch-to-epoch gain below δ = 0.01, which a real run rarely shows. Its gradient "
        "rules need the model, not a CSV.",
        "* **Where ours is weak.** OSCILLATING and CONVERGED have few confirmed runs (too "
        "high a learning rate usually either kills the network or merely jitters at a low "
        "loss, and a well-tuned run on small data keeps creeping down), so their numbers rest "
        "on a handful of examples. A flat curve at a high loss on noisy data is called "
        "UNDERFITTING when 60 % or more of the first epoch's loss is left: from a history "
        "alone, too little capacity and irreducible noise look the same.",
        "",
    ]
    return "\n".join(text)


def main(argv):
    labels, runs, methods = load_runs()
    text = report(labels, runs, methods)
    print(text)
    if "--write" in argv:
        # Keep the overhead section that benchmarks/diagnostics_overhead.py writes.
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        kept = old[old.index(OVERHEAD):] if OVERHEAD in old else ""
        RESULTS.write_text(text + "\n" + kept, encoding="utf-8")
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
