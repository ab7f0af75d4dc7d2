"""training_loop: random labels against chance (Predict 1); three loops agree (Predict 2)."""

import math

FLAGS = ["--hidden-sizes", "64", "32"]   # More weights: more memorised, verdicts may change.


def verdict(accuracy, chance, two_errors):
    if abs(accuracy - chance) <= two_errors:
        return "at chance"
    return "above chance" if accuracy > chance else "below chance"


def check(outcomes):
    assert outcomes["hyperparameters"]["hidden_sizes"] == [64, 32]
    memorising = outcomes["predictions"]["1"]["numbers"]
    chance = memorising["chance"]
    assert math.isclose(chance, 1 / 3)
    assert memorising["n_train"] + memorising["n_val"] == 500
    assert math.isclose(memorising["train_accuracy"],
                        memorising["train_correct"] / memorising["n_train"])
    for part in ("train", "val"):
        n_samples = memorising[f"n_{part}"]
        two_errors = memorising[f"{part}_two_errors"]
        assert math.isclose(two_errors, 2 * math.sqrt(chance * (1 - chance) / n_samples))
        assert memorising[f"{part}_verdict"] == verdict(memorising[f"{part}_accuracy"], chance,
                                                        two_errors)
    val_losses = memorising["val_losses"]
    assert len(val_losses) == outcomes["hyperparameters"]["epochs"]
    finite = [loss if math.isfinite(loss) else math.inf for loss in val_losses]
    assert memorising["best_epoch"] == finite.index(min(finite)) + 1
    first = outcomes["predictions"]["1"]
    assert first["answer"] == memorising["train_correct"] and first["choices"] is None
    assert math.isclose(first["tolerance"], 0.2)

    agreement = outcomes["predictions"]["2"]["numbers"]
    gaps = agreement["gaps"]
    assert len(gaps) == 6     # Three pairs of loops, training and validation loss each.
    assert agreement["largest_gap"] == max(gaps.values())
    assert agreement["numpy_vs_fit"] == gaps["NumPy by hand vs model.fit, val_loss"]
    assert agreement["agreement_tolerance"] <= 1e-4
    assert agreement["agree"] == (agreement["largest_gap"] <= agreement["agreement_tolerance"])
    pairs = ["NumPy by hand vs fit_with_tape", "NumPy by hand vs model.fit",
             "fit_with_tape vs model.fit"]
    assert list(agreement["pair_gaps"]) == pairs
    for pair, gap in agreement["pair_gaps"].items():
        assert gap == max(gaps[f"{pair}, loss"], gaps[f"{pair}, val_loss"])
    closest = min(agreement["pair_gaps"].values())
    letters = ["abc"[at] for at, pair in enumerate(pairs)
               if agreement["pair_gaps"][pair] == closest]
    assert outcomes["predictions"]["2"]["answer"] == (letters[0] if len(letters) == 1
                                                      else letters)
    assert agreement["agree"]   # The same batches in the same order: one algorithm.
