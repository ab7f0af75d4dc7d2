"""What the ``lr_finder`` lab prints and draws, so that the lab keeps the lesson.

The lab keeps its data, model, range tests, runs, predictions and text; this module
builds the sentences that state an outcome from the run's numbers and draws the figures.
``labs/helpers/lr_finder.py`` places a rate on a range test's curve.
"""

import numpy as np

RULES = ("steepest", "valley", "minimum/10")   # Predict 1's order of the choices.


def agreement_statement(suggestions, factor):
    """Predict 1's sentence, answer and numbers: do the three rules agree within
    ``factor``, and which suggests the largest rate."""
    spread = max(suggestions.values()) / min(suggestions.values())
    largest = max(suggestions, key=suggestions.get)
    agree = bool(spread <= factor)
    sentence = (f"the suggestions span a factor of {spread:.2g} "
                f"({'within' if agree else 'beyond'} {factor:g}: they "
                f"{'agree' if agree else 'disagree'}); {largest} suggests the largest, "
                f"{max(suggestions.values()):.3g}.")
    answer = "abcdef"[RULES.index(largest) + (0 if agree else 3)]
    return sentence, answer, dict(suggestions=suggestions, spread=spread, factor=factor,
                                  agree=agree, largest=largest)


def chosen_rule(suggestions, factor, shown):
    """The rule whose rate the lab trains around: the smallest suggestion when the rules
    disagree by ``factor`` or more, else the steepest. Prints why, once ``shown``."""
    spread = max(suggestions.values()) / min(suggestions.values())
    method = min(suggestions, key=suggestions.get) if spread >= factor else "steepest"
    if not shown:   # How far the rules disagree answers Predict 1.
        print(f"The lab trains around {method}'s suggestion, {suggestions[method]:.3g} "
              f"(why: once Predict 1 is revealed).")
    elif spread >= factor:
        print(f"The rules disagree by {spread:.2g}× (at least {factor:g}×), so the lab trains "
              f"around the smallest suggestion, {method}'s {suggestions[method]:.3g}.")
    else:
        print(f"The rules disagree by less than {factor:g}× ({spread:.2g}×), so the lab trains "
              f"around the steepest suggestion, {suggestions['steepest']:.3g}.")
    return method, spread


def rules_statement(rule_places):
    """Predict 2's sentence and answer: where each rule of thumb falls on its optimizer's
    range test, Adam's 0.001 giving the letter."""
    sentence = "; ".join(f"{name.split()[0]}'s rule {place['rate']:g} is "
                         f"{place['factor']:.2g}× its range test's suggestion "
                         f"{place['suggestion']:.2g}, {place['where']}"
                         for name, place in rule_places.items()) + "."
    return sentence, {"on the flat start": "a", "on the fall": "b",
                      "past the minimum": "c"}.get(rule_places["adam 0.001"]["where"], "d")


def draw_rules(axes, rule_results, rules_of_thumb):
    """One panel per optimizer: its range test with its rules of thumb shaded."""
    for ax, (optimizer, rules) in zip(axes, rules_of_thumb.items()):
        rule_results[optimizer].plot(ax, title=f"range test: {optimizer} on spirals")
        ax.axvspan(min(rules) * 0.97, max(rules) * 1.03, color="orange", alpha=0.3,
                   label="rule of thumb: " + " to ".join(f"{rule:g}" for rule in rules))
        ax.legend(fontsize=8)


def training_statement(final_losses, candidates, places):
    """Predict 3's sentence and answer: which of the three rates ends lowest (a NaN or inf
    loss counts as inf; every letter where they tie)."""
    best = min(final_losses, key=final_losses.get)
    sentence = (f"{best} (η = {candidates[best]:.2g}, {places[best]}) ends lowest, at "
                f"{final_losses[best]:.4g}; "
                + ", ".join(f"{name} {loss:.4g}" for name, loss in final_losses.items()) + ".")
    answer = tuple(letter for letter, name in zip("abc", candidates)
                   if final_losses[name] == final_losses[best])
    return sentence, answer, best


def print_outcomes(final_losses, candidates, places, best):
    """One line per rate: where it sits on the range test's curve and where it ended."""
    for name, where in places.items():
        loss = final_losses[name]
        print(f"{name} (η = {candidates[name]:.2g}) sits {where} and ends at "
              + (f"{loss:.4g}" if np.isfinite(loss) else "a loss that is not finite (diverged)")
              + ("" if name == best or not np.isfinite(loss)
                 else f", {loss / final_losses[best]:.2g}× the lowest"))


def draw_training(loss_axis, accuracy_axis, histories, candidates):
    """Training loss (log scale) and accuracy per epoch at the three rates."""
    for name, history in histories.items():
        label = f"{name} (η = {candidates[name]:.2g})"
        epochs_axis = np.arange(1, len(history["loss"]) + 1)
        loss_axis.plot(epochs_axis, history["loss"], label=label)
        accuracy_axis.plot(epochs_axis, history["accuracy"], label=label)
    loss_axis.set_yscale("log")
    for axis, label in [(loss_axis, "training loss (log scale)"),
                        (accuracy_axis, "training accuracy")]:
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.set_title(f"{label.split(' (')[0]} at three learning rates")
        axis.grid(True, alpha=0.3)
        axis.legend()
