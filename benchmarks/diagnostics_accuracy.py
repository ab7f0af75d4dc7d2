"""How often ``classify`` is right on real, labelled runs, next to four published rules.

The runs are the fixtures of ``tests/fixtures/diagnostics/`` (see its
``generate.py``): real Keras fits, deliberately misconfigured, whose labels
were confirmed by evidence the classifier never sees (a hidden test set, what
happened when training continued, the control run). Only confirmed runs count.
Seeds 0-6 are the development split (the rules were written and revised while
looking at them); seeds 7 and 8 are held out: they were trained after the rules
were frozen; the changes after they were scored (rule 2's widening gap needs the
validation loss above the training loss; a loss that never rose is never DIVERGING; on
8-12-epoch runs rule 2 reads the noise since the best) change none of their labels.

For each method it prints per-class precision and recall and, for ours and
the rules of "Learning Algorithms" (``seed rules``; the two that give every
label), the confusion matrix. The baselines that only detect some labels are
scored on those labels: a detector's precision is how often its alarm is
right, its recall how many of the runs with that label it catches.

    python -m benchmarks.diagnostics_accuracy            # a few seconds, no training
    python -m benchmarks.diagnostics_accuracy --write    # also rewrite diagnostics_results.md
"""

import pathlib
import sys

import pandas as pd

from callbacks import diagnostics
from benchmarks import diagnostics_baselines as baselines

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "diagnostics"
RESULTS = ROOT / "benchmarks" / "diagnostics_results.md"
NONE = "(no verdict)"
OVERHEAD = "## Overhead"


# Number of classes of each fixture data set (regression has none): what
# DiagnosticsLogger(num_classes=...) or --num-classes would tell the classifier.
CLASSES = {"two_moons": 2, "circles": 2, "breast_cancer": 2, "breast_cancer_noisy": 2,
           "spirals": 3, "spirals5": 5, "spirals5_clean": 5, "digits": 10, "digits_noisy": 10,
           "digits_noisy20": 10, "blobs10": 10}


def load_runs():
    """The confirmed runs, with every method's verdict on each.

    ``ours`` is given K (as DiagnosticsLogger records it); ``ours, K unknown`` reads
    a bare Keras CSVLogger file as the CLI does without ``--num-classes``.
    """
    labels = pd.read_csv(FIXTURES / "labels.csv")
    runs = labels[labels["confirmed"]].copy()
    paths = [FIXTURES / "runs" / f"{run}.csv" for run in runs["run"]]
    runs["ours"] = [diagnostics.classify(path, num_classes=CLASSES.get(name)).label
                    for path, name in zip(paths, runs["dataset"])]
    runs["ours, K unknown"] = [diagnostics.classify(path).label for path in paths]
    for name, method in baselines.BASELINES.items():
        runs[name] = [method(path) or NONE for path in paths]
    return labels, runs, ["ours", "ours, K unknown", *baselines.BASELINES]


def macro_f1(truth, predicted):
    """Mean over the six labels of F1 = 2PR / (P + R); a label never said scores 0."""
    scores = []
    for label in diagnostics.LABELS:
        precision, recall, support = precision_recall(truth, predicted, label)
        if not support:
            continue
        precision = precision or 0.0
        total = precision + recall
        scores.append(2 * precision * recall / total if total else 0.0)
    return sum(scores) / len(scores)


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
               "ours, K unknown": set(diagnostics.LABELS),
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
        parts.append(f"{name} {right:.0%} (macro-F1 {macro_f1(runs['label'], runs[name]):.2f})")
    return ", ".join(parts)


def design_table(labels):
    """Markdown: every design with its intended label, family and confirmed / trained runs."""
    lines = ["| design | intended label | family | data sets | confirmed / trained |",
             "|---|---|---|---|---:|"]
    for design, group in labels.groupby("design", sort=False):
        families = ", ".join(sorted(set(group["family"])))
        lines.append(f"| {design} | {group['label'].iloc[0]} | {families} | "
                     f"{', '.join(sorted(set(group['dataset'])))} | "
                     f"{int(group['confirmed'].sum())} / {len(group)} |")
    return "\n".join(lines)


def target_lines(runs, methods, name):
    """Markdown bullets: each target of the issue, measured on ``runs``, met or not."""
    ours = macro_f1(runs["label"], runs["ours"])
    best_name = max(methods[2:], key=lambda method: macro_f1(runs["label"], runs[method]))
    best = macro_f1(runs["label"], runs[best_name])
    recalls = {label: float((group["ours"] == label).mean())
               for label, group in runs.groupby("label")}
    lowest = min(recalls, key=recalls.get)

    def verdict(ok):
        return "met" if ok else "**not met**"

    return [f"* {name}: macro-F1 {ours:.3f} (≥ 0.90: {verdict(ours >= 0.90)}); lowest recall "
            f"{recalls[lowest]:.2f}, {lowest} (≥ 0.8: {verdict(recalls[lowest] >= 0.8)}); "
            f"{ours - best:+.2f} over the best baseline, {best_name} at {best:.2f} "
            f"(≥ +0.2: {verdict(ours - best >= 0.2)})"]


def coverage_table(runs):
    """Markdown: confirmed runs per label, with their data sets, model families and splits."""
    lines = ["| label | confirmed runs | held out | data sets | model families |",
             "|---|---:|---:|---|---|"]
    for label in diagnostics.LABELS:
        group = runs[runs["label"] == label]
        held = int((group["split"] == "held_out").sum())
        lines.append(f"| {label} | {len(group)} | {held} | "
                     f"{', '.join(sorted(set(group['dataset'])))} | "
                     f"{', '.join(sorted(set(group['family'])))} |")
    return "\n".join(lines)


def report(labels, runs, methods):
    held_out = runs[runs["split"] == "held_out"]
    development = runs[runs["split"] == "development"]
    no_validation = runs[~runs["with_validation"]]
    once_held = development[development["seed"] >= 1]
    seeds = f"seeds {held_out['seed'].min()}-{held_out['seed'].max()}"
    text = [
        "# Diagnostics: accuracy on real runs",
        "",
        "Made by `python -m benchmarks.diagnostics_accuracy --write` from the fixtures in "
        "`tests/fixtures/diagnostics/` (regenerate them with its `generate.py`).",
        "",
        f"{len(labels)} runs were trained; {len(runs)} had their intended label confirmed by "
        "hidden evidence and are scored here "
        f"({len(development)} development, seeds {development['seed'].min()}-"
        f"{development['seed'].max()}; {len(held_out)} held out, {seeds}; "
        f"{len(no_validation)} logged without validation data).",
        "",
        f"The held-out runs ({seeds}) were trained after the rules were frozen and were "
        "scored once. One change came after, prompted by a run outside the fixtures: "
        "rule 2's widening gap now needs the validation loss to end above the training "
        "loss. Classifying every fixture run with and without it gives the same labels, "
        "with K or without; the run that prompted it is a regression test in "
        "`tests/test_diagnostics_cases.py`. Two more came after, for runs outside the "
        "fixtures that got false labels: a training loss that never rose more than 1 % "
        "above its best so far is never DIVERGING (a strong L2 penalty starts far above "
        "the chance loss and falls to it), and on runs of 8-12 epochs rule 2 reads the "
        "step noise from the epochs since the best. `python -m benchmarks."
        "diagnostics_rule_changes --before ae694a6` classifies every fixture history at "
        "every prefix with K None, 2, 3 and 10 under the old and the new rules: of 74 368 "
        "calls, 95 labels moved, each where one of the two rules applies (61 DIVERGING → "
        "UNDERFITTING or STILL_IMPROVING on a loss that never rose; 34 → OVERFITTING on "
        "8-12 epochs with a late rise). All of them are earlier prefixes of the scored "
        "runs, or the two new regression cases of `tests/test_diagnostics_cases.py` "
        "(`strong_penalty` DIVERGING → UNDERFITTING, `short_late_rise` CONVERGED → "
        "OVERFITTING); no scored run's label changed, so every score below is the same "
        "before and after (held-out macro-F1 0.928 both). The development seeds include "
        "1-6, held out in an earlier round, whose errors were looked at while the rules "
        "were revised: their scores are not a held-out measure any more.",
        "",
        "Targets: held-out macro-F1 ≥ 0.90, every class recall ≥ 0.8, and ≥ 0.2 above the "
        "best published baseline's macro-F1.",
        "",
        *target_lines(held_out, methods, f"held out, {seeds}"),
        "",
        coverage_table(runs),
        "",
        "Exact-label accuracy and macro-F1 over the six labels (a method with no verdict "
        "counts as wrong; a label a method never says scores F1 = 0):",
        "",
        f"* held out, {seeds} ({len(held_out)} runs): {accuracy_line(held_out, methods)}",
        f"* development seeds 1-6 ({len(once_held)} runs, held out once, then looked at): "
        f"{accuracy_line(once_held, methods)}",
        f"* development, all ({len(development)} runs): "
        f"{accuracy_line(development, methods)}",
        f"* no validation data: {accuracy_line(no_validation, methods)}",
        "",
        f"## Per class, held-out runs ({seeds}; precision / recall)",
        "",
        "P = of the runs a method gave this label, the share that truly had it; "
        "R = of the runs with this label, the share it found. `n/a`: never said; "
        "`–`: the method has no rule for this label.",
        "",
        per_class_table(held_out, methods),
        "",
        f"## Confusion matrix: ours, held-out runs ({seeds})",
        "",
        confusion(held_out, "ours"),
        "",
        f"## Confusion matrix: the `analyze_learning_curves` of \"Learning Algorithms\", "
        f"held-out runs ({seeds})",
        "",
        confusion(held_out, "seed rules"),
        "",
        "## Per class, all confirmed runs",
        "",
        per_class_table(runs, methods),
        "",
        "## Confusion matrix: ours, all confirmed runs",
        "",
        confusion(runs, "ours"),
        "",
        "## Reading the tables",
        "",
        "* **Scale.** The rules of \"Learning Algorithms\" call any loss above 0.5 "
        "underfitting, so they cannot say CONVERGED or STILL_IMPROVING for ten-class "
        "cross-entropy or for a mean squared error in the target's own units (diabetes, "
        "about 3 000 at its best); ours compare the loss with itself (ratios, changes of "
        "log-loss) and do not care about its units.",
        "* **No validation data.** The chapter's rules, Prechelt's GL and UMLAUT's overfitting "
        "check all need `val_loss`; ours say so in the reason and judge the training loss.",
        "* **NaN.** The chapter's `train_loss[-1] > train_loss[0]` is False for NaN, so a run "
        "that blew up to NaN is reported as still training.",
        "* **Detectors that fire once.** Prechelt's GL5 and UMLAUT look at one epoch at a "
        "time: a single noisy rise of the validation loss (UMLAUT: any rise while the training "
        "loss falls) raises the alarm, which is why their OVERFITTING precision is low on "
        "runs that merely jitter. Ours ask for a sustained rise (the median of the last three "
        "epochs 15 % above the best, at least 3 epochs after it) that is more than the "
        "curve's own epoch-to-epoch noise or comes with a widening gap to the training loss.",
        "* **AUTOTRAINER** reads accuracy, so on regression only its NaN rule can fire. Its "
        "accuracy-swing rule (ζ = 0.03) also fires on small-data runs whose accuracy jumps by "
        "a few points (overfitting runs here), and its slow-convergence rule needs every "
        "epoch-to-epoch gain below δ = 0.01, which a real run rarely shows. Its gradient "
        "rules need the model, not a CSV.",
        "* **Many classes.** Chance is 1/K: `ours` is given K (as `DiagnosticsLogger` "
        "records it from the output layer); `ours, K unknown` reads a bare CSVLogger file and "
        "judges accuracy against the first epoch's instead. A run that settles at a noise "
        "floor (noisy labels, overlapping classes) is CONVERGED when its accuracy is well "
        "above chance; from a history alone, too small a model and a noise floor at the "
        "same accuracy still look the same.",
        "* **Where ours is weak.** Oscillation that neither settles nor blows up was hard "
        "to produce: of the designs below, high-rate SGD on ReLU MLPs mostly settled or died, "
        "and it was confirmed mainly for linear models and tanh MLPs under plain SGD far "
        "above their stable rate on noisy labels. The designs with few confirmed runs are "
        "the ones whose continuation did not bear the intended label out.",
        "",
        "## Designs: how many runs the hidden evidence confirmed",
        "",
        design_table(labels),
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
