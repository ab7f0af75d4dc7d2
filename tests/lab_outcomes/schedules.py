"""schedules: the rates halfway, Keras' decay_rate misread, and which schedule trains best,
each against the numbers it was read from."""

import math

FLAGS = ["--learning-rate", "0.3"]   # A larger peak: the constant rate's noise grows.


def check(outcomes):
    hyperparameters = outcomes["hyperparameters"]
    peak_rate = hyperparameters["learning_rate"]   # The flag's 0.3, or the default.
    epochs = hyperparameters["epochs"]

    halfway = outcomes["predictions"]["1"]["numbers"]
    rates = halfway["rates"]
    assert len(rates) == 5 and halfway["halfway"] == epochs // 2
    assert halfway["largest"] == max(rates, key=rates.get)
    assert halfway["smallest"] == min(rates, key=rates.get)
    names = ["step decay", "exponential decay", "cosine annealing", "warm-up + cosine", "1cycle"]
    assert list(rates) == names
    largest = [name for name in names if rates[name] == max(rates.values())]
    assert halfway["largest_schedules"] == largest
    letters = ["abcde"[names.index(name)] for name in largest]
    assert outcomes["predictions"]["1"]["answer"] == (letters[0] if len(letters) == 1
                                                      else letters)
    # Cosine annealing halfway is η₀·(1 + cos(π/2))/2 = η₀/2 when T is even.
    if epochs % 2 == 0:
        assert math.isclose(rates["cosine annealing"], peak_rate / 2, rel_tol=1e-6)

    exponential = outcomes["predictions"]["2"]["numbers"]
    k, step, peak = exponential["k"], exponential["step"], exponential["peak"]
    assert math.isclose(k, 5 / epochs) and peak == peak_rate
    assert math.isclose(exponential["ours"], peak * math.exp(-k * step), rel_tol=1e-5)
    assert math.isclose(exponential["misread"], peak * k ** step, rel_tol=1e-4)
    kept = exponential["misread"] / peak
    assert math.isclose(exponential["kept"], kept)
    expected = ("a" if abs(exponential["misread"] - exponential["ours"])
                <= 1e-3 * exponential["ours"] else
                "b" if kept < 1e-3 else "c" if kept > 0.9 else "d")
    assert outcomes["predictions"]["2"]["answer"] == expected
    assert math.isclose(exponential["session_plan_kept"],
                        0.96 ** (exponential["last_step"] / 100000), rel_tol=1e-5)
    equivalent = outcomes["records"]["ours_vs_keras_exponential"]
    assert equivalent["agree"] == (equivalent["relative_gap"] <= equivalent["tolerance"] <= 1e-4)
    used = outcomes["records"]["rates_used"]
    assert used["agree"] == (max(used["relative_gaps"].values()) <= used["tolerance"] <= 1e-6)

    training = outcomes["predictions"]["3"]["numbers"]
    losses, noise = training["final_losses"], training["end_noise"]
    assert len(losses) == 6 and set(noise) == set(losses)
    assert training["ranking"] == sorted(losses, key=losses.get)
    assert training["noisiest"] == max(noise, key=noise.get)
    assert training["constant_rank"] == training["ranking"].index("constant") + 1
    runs = ["constant", *names]
    assert set(runs) == set(losses)
    lowest = [name for name in training["ranking"] if losses[name] == min(losses.values())]
    assert training["lowest_runs"] == lowest
    letters = sorted("abcdef"[runs.index(name)] for name in lowest)
    answer = outcomes["predictions"]["3"]["answer"]
    assert sorted([answer] if isinstance(answer, str) else answer) == letters
    assert all(value >= 1 for value in noise.values())   # largest / smallest of a window

    generalising = outcomes["predictions"]["4"]["numbers"]
    val_losses = generalising["val_losses"]
    assert set(val_losses) == set(losses)
    assert generalising["lowest_train"] == training["ranking"][0]
    assert generalising["lowest_val"] == min(val_losses, key=val_losses.get)
    assert generalising["same"] == (generalising["lowest_val"] == generalising["lowest_train"])
    assert outcomes["predictions"]["4"]["answer"] == ("a" if generalising["same"] else "b")
    low, high = generalising["val_accuracy_range"]
    assert 0 <= low <= high <= 1
