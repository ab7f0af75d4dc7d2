"""lr_finder: the three suggestions' agreement, where the rules of thumb fall on the range
test's curve, and which of three rates trains best, each against its numbers."""

import math

FLAGS = ["--optimizer", "adam"]   # Another curve: the suggestions and the winner can change.
FLAT_SHARE = 0.1


def where(place):
    """The verdict of labs/range_test.place, from the numbers it recorded."""
    if place["rate"] < place["first_rate"]:
        return "below the sweep"
    if place["rate"] > place["last_rate"]:
        return "beyond where the sweep stopped"
    if place["rate"] > place["rate_at_minimum"]:
        return "past the minimum"
    fall = place["top_loss"] - place["lowest_loss"]
    if place["rate"] <= place["top_rate"] or \
            place["top_loss"] - place["smoothed"] < FLAT_SHARE * fall:
        return "on the flat start"
    return "on the fall"


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    restored = outcomes["records"]["restored"]
    assert restored["untouched"] and restored["optimizer_steps_after"] == 0

    agreement = outcomes["predictions"]["1"]["numbers"]
    suggestions = agreement["suggestions"]
    assert set(suggestions) == {"steepest", "valley", "minimum/10"}
    assert math.isclose(agreement["spread"], max(suggestions.values()) / min(suggestions.values()))
    assert agreement["agree"] == (agreement["spread"] <= agreement["factor"])
    assert agreement["largest"] == max(suggestions, key=suggestions.get)
    # (a, b, c): they agree; (d, e, f): they do not; steepest, valley, minimum/10 in turn.
    rule = ["steepest", "valley", "minimum/10"].index(agreement["largest"])
    assert answered(outcomes["predictions"]["1"]) == {
        "abcdef"[rule + (0 if agreement["spread"] <= agreement["factor"] else 3)]}

    rules = outcomes["predictions"]["2"]["numbers"]
    assert rules["flat_share"] == FLAT_SHARE
    assert set(rules["places"]) == {"adam 0.001", "momentum 0.01", "momentum 0.1"}
    for name, place in rules["places"].items():
        assert place["where"] == where(place), name
        assert math.isclose(place["factor"], place["rate"] / place["suggestion"])
        assert place["first_rate"] <= place["top_rate"] <= place["rate_at_minimum"]
        assert place["lowest_loss"] <= place["top_loss"]
    if outcomes["hyperparameters"]["optimizer"] == "adam":   # FLAGS' optimizer: the lab's
        # own range test is the rule's curve.
        assert math.isclose(rules["places"]["adam 0.001"]["suggestion"],
                            suggestions["steepest"])
    # Adam's 0.001: (a) on the flat start, (b) on the fall, (c) past the minimum, (d) outside.
    adam = where(rules["places"]["adam 0.001"])
    assert answered(outcomes["predictions"]["2"]) == {
        {"on the flat start": "a", "on the fall": "b", "past the minimum": "c"}.get(adam, "d")}

    training = outcomes["predictions"]["3"]["numbers"]
    losses, rates = training["final_losses"], training["rates"]
    assert set(losses) == set(rates) == set(training["places"]) == {
        "suggestion / 100", "suggestion", "suggestion × 10"}
    assert training["best"] == min(losses, key=losses.get)
    # (a) 1/100 of the suggestion, (b) the suggestion, (c) 10× it.
    names = ["suggestion / 100", "suggestion", "suggestion × 10"]
    assert answered(outcomes["predictions"]["3"]) == {
        letter for letter, name in zip("abc", names) if losses[name] == min(losses.values())}
    assert math.isclose(rates["suggestion × 10"], 1000 * rates["suggestion / 100"])

    # The lab follows its own advice: around the smallest suggestion when the rules
    # disagree by its factor (10×) or more, else around the steepest.
    chosen = outcomes["records"]["chosen rate"]
    assert chosen["suggestions"] == suggestions
    if chosen["spread"] >= chosen["factor"]:
        assert chosen["method"] == min(suggestions, key=suggestions.get)
    else:
        assert chosen["method"] == "steepest"
    assert training["chosen_method"] == chosen["method"]
    assert math.isclose(rates["suggestion"], suggestions[chosen["method"]])
