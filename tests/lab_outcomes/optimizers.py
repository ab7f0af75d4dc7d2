"""optimizers: the Rosenbrock winner, custom against Keras, and where the chapters and Keras
part ways, each against the numbers it was read from."""

import math

FLAGS = ["--momentum", "0.5"]   # Changes the momentum forms' rates, paths and the drop.


def lower_of_two(losses, tolerance):
    (first, first_loss), (second, second_loss) = (
        (name, loss if math.isfinite(loss) else math.inf) for name, loss in losses.items())
    if first_loss == second_loss or abs(first_loss - second_loss) <= tolerance:
        return "neither"
    return first if first_loss < second_loss else second


def check(outcomes):
    hyperparameters = outcomes["hyperparameters"]
    assert hyperparameters["momentum"] == 0.5
    rosenbrock = outcomes["predictions"]["1"]["numbers"]
    final_losses = rosenbrock["final_losses"]
    assert len(final_losses) == 6
    assert rosenbrock["ranking"] == sorted(final_losses, key=final_losses.get)
    assert rosenbrock["winner"] == min(final_losses, key=final_losses.get)
    assert rosenbrock["adam_rank"] == rosenbrock["ranking"].index("adam") + 1
    best = final_losses[rosenbrock["winner"]]
    lowest = [name for name in rosenbrock["ranking"] if final_losses[name] - best <= 1e-3 * abs(best)]
    assert rosenbrock["lowest"] == lowest
    letters = [rosenbrock["optimizer_choices"][name] for name in lowest]
    assert outcomes["predictions"]["1"]["answer"] == (letters[0] if len(letters) == 1 else letters)
    assert list(rosenbrock["optimizer_choices"].values()) == list("abcdef")

    paths = outcomes["records"]["ema_vs_classic_paths"]
    assert len(paths["distances"]) == 3 and paths["tolerance"] <= 1e-4
    assert paths["agree"] == (max(paths["distances"].values()) <= paths["tolerance"])
    assert paths["agree"]   # One optimizer written two ways, at matching rates.

    twins = outcomes["predictions"]["2"]["numbers"]
    assert len(twins["gaps"]) == 5 and twins["weight_tolerance"] <= 1e-5
    assert twins["largest_gap"] == max(twins["gaps"].values())
    assert twins["agree"] == (twins["largest_gap"] <= twins["weight_tolerance"])
    farthest = [name for name, gap in twins["gaps"].items() if gap == twins["largest_gap"]]
    assert twins["farthest"] == farthest
    identical = [name for name, gap in twins["gaps"].items() if gap == 0]
    assert twins["identical"] == identical
    assert outcomes["predictions"]["2"]["answer"] == (
        "a" if len(identical) == 5 else "b" if identical == ["sgd"] else
        "c" if identical else "d")

    momentum = outcomes["predictions"]["3"]["numbers"]
    assert momentum["drop_epoch"] == hyperparameters["epochs"] // 2 >= 1
    tolerance = momentum["loss_tolerance"]
    assert momentum["same_before"] == (momentum["before_drop"] <= tolerance)
    assert momentum["winner"] == lower_of_two(momentum["final_losses"], tolerance)
    assert outcomes["predictions"]["3"]["answer"] == {"EMA form": "a", "classic form": "b",
                                                      "neither": "c"}[momentum["winner"]]

    adam = outcomes["predictions"]["4"]["numbers"]
    tolerance = adam["loss_tolerance"]
    assert adam["first_winner"] == lower_of_two(adam["first_epoch"], tolerance)
    assert adam["last_winner"] == lower_of_two(adam["last_epoch"], tolerance)
    combination = {("textbook ε", "textbook ε"): "a", ("textbook ε", "Keras ε"): "b",
                   ("Keras ε", "textbook ε"): "c", ("Keras ε", "Keras ε"): "d"}
    assert outcomes["predictions"]["4"]["answer"] == combination.get(
        (adam["first_winner"], adam["last_winner"]), "e")

    # Rosenbrock's Hessian at the start, from its formula written here, and the
    # heavy-ball stability limit 2(1 + γ)/η for the classic form's rate.
    curvature = outcomes["records"]["rosenbrock curvature"]
    x, y = curvature["point"]
    expected = [[2 - 400 * (y - x ** 2) + 800 * x ** 2, -400 * x], [-400 * x, 200]]
    for row, expected_row in zip(curvature["hessian"], expected):
        for value, expected_value in zip(row, expected_row):
            assert math.isclose(value, expected_value, rel_tol=1e-9)
    trace, determinant = expected[0][0] + expected[1][1], (
        expected[0][0] * expected[1][1] - expected[0][1] ** 2)
    largest = trace / 2 + math.sqrt(trace ** 2 / 4 - determinant)
    assert math.isclose(curvature["lambda_max"], largest, rel_tol=1e-9)
    assert curvature["momentum"] == hyperparameters["momentum"]
    assert math.isclose(curvature["limit"],
                        2 * (1 + curvature["momentum"]) / curvature["learning_rate"])
