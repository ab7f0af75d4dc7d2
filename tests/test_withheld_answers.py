"""A "Run all" without predictions gives no answer away before its reveal.

A lab run with ``--reveal answered`` and no ``lab.predict`` answers (a student notebook run
top to bottom, or a terminal run) withholds every measured answer at its reveal. What it
prints BEFORE that reveal must not give the answer away either: a table of final losses,
a verdict line, a running diagnosis label. This test reads lab runs made that way in quick mode and,
for each prediction, takes the deciding values of the answer the run recorded in
outcomes.json (the numbers with a decimal point or an exponent in its ``measured``
sentence, as they are printed there, and any diagnosis label it names) and asserts that
none of them appears in standard output before that prediction's "withheld" line.

Learning curves may be shown before a reveal (a student sees a run train), so the numbers
of ``LivePlot``'s one-line-per-epoch progress in a terminal are left out of the search; its
running diagnosis label is not (a lab that asks for the label hides it until the reveal).

The runs are tests/test_labs.py's (the session fixture ``labs_at_test_labs_settings``,
tests/conftest.py): every lab in quick mode with seed 7 and its ``tests/lab_outcomes`` flags,
made with ``--reveal answered`` and nothing predicted, its standard output kept; so the
check covers every lab (``LEAKS`` names the four left out, and why) at no cost of its own.
A number counts as printed when it appears whole, as the reveal writes it (``printed_in``).
Five labs were changed for the give-aways they had, each a way of hiding one:
``activations`` printed the slopes at z = −3 (Predict 1's answer, column by column), the
tables of gradient norms per layer (Predicts 2 and 3) and the losses of the dead-ReLU runs
(Predict 4) before each reveal: its tables now wait for the reveal; ``gradient_clipping``
printed the table of steps and final losses that answers Predicts 1 to 3: it now prints it
only for a predicted answer (``lab.shows(N)``); ``diagnostics`` printed each run's verdict
(the labels Predict 1 asks for) from ``DiagnosticsLogger`` and in ``LivePlot``'s progress
lines, and the table of labels that answers Predict 2: logger, live plot and table are now
quiet about the labels until they are revealed; ``tour``'s live plot showed the running
label Predict 2 asks for: it shows it only once Predict 2 is (``diagnosis=lab.shows(2)``);
``nesterov`` printed the two stability limits that decide Predict 2's sweep: they now come
with the table after its reveal.
"""

import json
import re

import pytest

from callbacks import diagnostics
from labs.machinery import catalog

# Labs whose run (seed 7, test_labs' flags) prints a deciding value of an answer before its
# reveal, as this check finds it, where the value was shown to be no give-away: lab → the
# prediction, the values found before its reveal, and why they give nothing away. A lab
# that really gave an answer away was changed instead (tour, nesterov).
LEAKS = {
    "curvature": "Predict 4: the plateau's starting ‖∇J‖ 0.00085 and J 0.809, no give-away: "
                 "the plateau cell prints them on purpose before it (the text then compares "
                 "the runs near J ≈ 0.81), and the question asks about the saddle run alone",
    "initialization": ("Predict 2: the spreads 0.0e+00 and 2.1e-01, no give-away: Predict 2 asks "
                       "for the accuracies (printed only once predicted); the per-layer spreads "
                       "measure what section 4 states before the question (the hidden units "
                       "stay equal, only the output layer breaks the tie), and 0.0e+00 is also "
                       "section 2's same-seed difference between our and Keras' draws"),
    "lr_finder": ("Predict 3: the winner's rate 0.042, no give-away: the three rates "
                  "(suggestion / 100, suggestion, suggestion × 10) are printed on purpose "
                  "before they are trained, and Predict 3 asks which of them ends lowest, "
                  "printed nowhere before its reveal"),
    "xor_keras": ("Predict 2: the largest weight difference 1.6e-06, no give-away: Predict 2 "
                  "asks how fit's epoch loss compares with NumPy's last-step loss (the block "
                  "gaps decide it, printed nowhere before); the weight difference is the Side by "
                  "side section's same-path measurement, which the sentence restates"),
}
# A number as the lab prints it: 0.0123, 1.2e-05, 85.0%, −0.0612 (a minus sign or a hyphen).
NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?%?")
# A LivePlot progress line in a terminal: "  name  epoch  3/20  loss …".
PROGRESS = re.compile(r"^  .*\bepoch +\d+(?:/\d+)?  .*$", re.MULTILINE)
WITHHELD = "  Measured: withheld without a prediction"
# A withheld reveal: its question and choices, then the withheld line.
REVEALS = re.compile(r"\nPredict \d+: .*?\n" + WITHHELD + r"[^\n]*\n", re.DOTALL)


def deciding_values(measured, known=""):
    """The values in a reveal's sentence that decide its answer: every number printed with
    a decimal point or an exponent, and every diagnosis label it names; not the numbers
    that ``known`` (the question, its choices, the hyperparameters) states beforehand."""
    stated = set(NUMBER.findall(known))
    numbers = {token for token in NUMBER.findall(measured)
               if ("." in token or "e" in token) and token not in stated}
    labels = {label for label in diagnostics.LABELS if re.search(rf"\b{label}\b", measured)}
    return numbers | labels


def printed_in(value, text):
    """Whether deciding ``value`` is printed in ``text`` as it is written in the reveal: a label
    as a word, a number as a whole number (2.9 is not in 2.9957, −log 0.05, nor 0.1 in 0.15)."""
    if value in diagnostics.LABELS:
        return re.search(rf"\b{value}\b", text) is not None
    return re.search(rf"(?<![\w.]){re.escape(value)}(?![\d])", text) is not None


def known_before(entry, hyperparameters):
    """What a student reads before the run: the question, its choices, the hyperparameters."""
    return " ".join([entry["question"], *(entry["choices"] or {}).values(),
                     *(f"{value:g}" if isinstance(value, float) else str(value)
                       for value in hyperparameters.values())])


def test_a_value_is_found_as_a_whole_number_not_as_the_start_of_another():
    text = "J 0.809, after 12 epochs; −log 0.05 = 2.9957; ‖G‖ 1.6e-06; 85.0% then CONVERGED"
    for shown in ("0.809", "1.6e-06", "85.0%", "CONVERGED", "2.9957"):
        assert printed_in(shown, text), shown
    for hidden in ("2.9", "0.80", "1.6e-0", "0.05e-06", "85.00%", "OVERFITTING", "12.0"):
        assert not printed_in(hidden, text), hidden


def test_deciding_values_are_the_decimals_exponents_and_labels_of_the_sentence():
    sentence = ("the largest weight difference is 1.2e-07, within 1e-05; Run B 85.0% "
                "then OVERFITTING, after 12 of 40 epochs (val loss 0.4321, −0.0612; α = 0.1)")
    assert deciding_values(sentence, "tolerance 1e-05, slope 0.1") == {
        "1.2e-07", "85.0%", "0.4321", "−0.0612", "OVERFITTING"}


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in catalog.names() if name not in LEAKS])
def test_run_all_without_predictions_prints_no_answer_before_its_reveal(
        name, labs_at_test_labs_settings):
    run = labs_at_test_labs_settings(name)   # Seed 7 and test_labs' flags, --reveal answered.
    printed = run.stdout
    assert run.status == 0, printed[-2000:]
    outcomes = json.loads((run.out / "outcomes.json").read_text(encoding="utf-8"))
    assert outcomes["reveal"] == "answered"
    entries = outcomes["predictions"]
    assert entries, f"{name} recorded no prediction"
    for number, entry in sorted(entries.items(), key=lambda item: int(item[0])):
        assert entry["predicted"] is None and not entry["shown"]
        reveal = printed.index(f"\nPredict {number}: ")
        withheld = printed.index(WITHHELD, reveal)
        assert "\nPredict " not in printed[reveal + 1:withheld], \
            f"Predict {number}'s reveal is not withheld"
        # Before it: what the lab printed, without the progress lines and without the
        # earlier reveals' own questions and choices (they may hold numbers too).
        before = PROGRESS.sub(lambda line: NUMBER.sub("", line.group(0)),
                              REVEALS.sub("\n", printed[:reveal]))
        values = deciding_values(entry["measured"],
                                 known_before(entry, outcomes["hyperparameters"]))
        assert values or entry["numbers"], f"Predict {number}: nothing to look for"
        leaked = sorted(value for value in values if printed_in(value, before))
        assert not leaked, (f"{name}: Predict {number}'s answer ({entry['measured']}) shows "
                            f"before its reveal: {leaked}")
    assert "This run's answer" not in printed
    assert not any(entry["measured"] in printed for entry in entries.values())
