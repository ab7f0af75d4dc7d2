"""What the ``diagnostics`` lab measures, prints and draws, so that the lab keeps the lesson.

The lab keeps its scenarios, runs, predictions and text; this module builds the sentences
that state an outcome from the run's labels and ratios, the verdict table, and the
figure of gradient ratios.
"""

import keras
import pandas as pd

from benchmarks import diagnostics_baselines as baselines


def cosine_to_zero(learning_rate, epochs, steps_per_epoch):
    """A cosine schedule that reaches 0 at the last step: the good fit settles, then stops."""
    return keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps_per_epoch)


def labels_statement(labels, intended):
    """Predict 1's sentence, answer and the runs whose label is the one intended."""
    as_intended = [name for name in labels if labels[name] == intended[name]]
    sentence = ("; ".join(f"{name}: {label}" for name, label in labels.items())
                + f". {len(as_intended)} of {len(labels)} runs got the label they were set up "
                f"to show" + ("" if len(as_intended) == len(labels) else ", not "
                              + ", ".join(name for name in labels if name not in as_intended)))
    return sentence, {6: "a", 5: "b", 4: "c"}.get(len(as_intended), "d"), as_intended


def verdict_table(results, evidence_length=90):
    """One row per run: its label, the chapter's rules' label and the classifier's evidence."""
    return pd.DataFrame([{"scenario": name, "label": diagnosis.label,
                          "chapter rules": baselines.seed_rules(csv_path) or "-",
                          "evidence": diagnosis.reason[:evidence_length]}
                         for name, (csv_path, diagnosis) in results.items()])


def rules_statement(labels, chapter_labels):
    """Predict 2's sentence, answer and the runs on which the chapter's rules differ."""
    differ = [name for name in labels if chapter_labels[name] != labels[name]]
    sentence = ((f"they differ on {len(differ)} of {len(labels)}: " + "; ".join(
        f"{name} (chapter rules {chapter_labels[name]}, classify {labels[name]})"
        for name in differ)) if differ else "they agree on all six runs")
    return sentence, {0: "a", 1: "b", 2: "b", 3: "c", 4: "c"}.get(len(differ), "d"), differ


def draw_ratios(ax, gradient_runs, show):
    """Each net's gradient/weight ratio per layer at the last epoch; returns, per
    activation, the first layer's ratio over the last's and the gradient findings.
    Prints one line per net when ``show``."""
    first_over_last, findings_of = {}, {}
    for activation, (frame, diagnosis) in gradient_runs.items():
        ratio_columns = sorted(name for name in frame.columns if name.startswith("grad_ratio/"))
        ratios = frame[ratio_columns].iloc[-1].to_numpy()
        ax.semilogy(range(1, len(ratios) + 1), ratios, "o-", label=activation)
        first_over_last[activation] = ratios[0] / ratios[-1]   # ρ of layer 1 / ρ of the last
        findings_of[activation] = [name for name, _, _ in diagnosis.findings]
        if show:
            print(f"{activation}: first/last layer ratio {ratios[0] / ratios[-1]:.1e}; "
                  f"{', '.join(findings_of[activation] or ['no gradient finding'])}; "
                  f"label {diagnosis.label}")
    ax.set_xlabel("layer (1 = nearest the input)")
    ax.set_ylabel("‖gradient‖ / ‖weights‖ at the last epoch")
    ax.set_title("Gradient/weight ratio per layer")
    ax.legend()
    return first_over_last, findings_of


def vanishing_statement(first_over_last, findings_of):
    """Predict 3's sentence and answer: which net got the vanishing-gradients finding."""
    vanishing = tuple("vanishing gradients" in findings_of[activation]
                      for activation in ("sigmoid", "relu"))        # (sigmoid's, ReLU's)
    sentence = "; ".join(
        f"{activation}: the first layer's ratio is {value:.1e} of the last layer's, "
        + ("with" if "vanishing gradients" in findings_of[activation] else "without")
        + " the vanishing-gradients finding" for activation, value in first_over_last.items())
    return sentence, {(True, False): "a", (False, True): "b", (True, True): "c",
                      (False, False): "d"}[vanishing]
