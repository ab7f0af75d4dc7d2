"""regularization: the winners, the bookkeeping and the weight-decay comparisons follow from
the numbers the lab printed them from."""

import numpy as np

# A ten times stronger L2 penalty and more dropout: the winners and the AdamW comparison
# can all come out differently.
FLAGS = ["--l2", "0.01", "--dropout", "0.5"]


def argmin(values):
    return min(values, key=values.get)


def answered(prediction):
    """The answer key a reveal recorded, as a set of letters (several where they tie)."""
    answer = prediction["answer"]
    return {answer} if isinstance(answer, str) else set(answer)


def check(outcomes):
    assert outcomes["hyperparameters"]["l2"] == 0.01
    records = outcomes["records"]

    first = outcomes["predictions"]["1"]["numbers"]
    final = first["final_val_cross_entropy"]
    assert first["winner"] == argmin(final)
    kinds = ["none", "l1", "l2", "dropout", "max_norm"]         # the choices (a) to (e)
    assert answered(outcomes["predictions"]["1"]) == {
        letter for letter, kind in zip("abcde", kinds) if final[kind] == min(final.values())}
    curve = first["plain_curve"]
    assert final["none"] == curve[-1]
    assert first["plain_best_epoch"] == int(np.argmin(curve)) + 1
    assert np.isclose(first["plain_rise"], curve[-1] - min(curve))
    for kind in final:
        climb = records[f"climb_{kind}"]
        assert climb["curve"][-1] == final[kind]
        assert climb["best_epoch"] == int(np.argmin(climb["curve"])) + 1
        assert np.isclose(climb["climb"], climb["curve"][-1] - min(climb["curve"]))

    for kind in ("l1", "l2"):
        penalty = records[f"penalty_{kind}"]
        assert np.isclose(penalty["reported"], penalty["by_hand"], rtol=1e-3, atol=1e-5)
    assert records["max_norm"]["largest"] <= records["max_norm"]["c"] * (1 + 1e-5)

    second = outcomes["predictions"]["2"]["numbers"]
    assert second["smallest"] == argmin(second["weight_norms"])
    assert second["sparsest"] == max(second["share_near_zero"],
                                     key=second["share_near_zero"].get)
    shares = second["share_near_zero"]
    assert answered(outcomes["predictions"]["2"]) == {
        letter for letter, kind in zip("abcde", kinds) if shares[kind] == max(shares.values())}

    for key in ("sgd_equivalence", "adamw_step"):
        agreement = records[key]
        assert agreement["difference"] <= agreement["tolerance"] < agreement["moved"]

    third = outcomes["predictions"]["3"]["numbers"]
    norms, losses = third["weight_norms"], third["val_cross_entropy"]
    pair = ("Adam + L2(λ)", "AdamW(2λ)")
    assert third["smaller_norm"] == min(pair, key=norms.get)
    assert third["lower_val"] == min(pair, key=losses.get)
    # (a) AdamW has both the smaller norm and the lower loss, (b) AdamW the smaller norm only,
    # (c) Adam + L2 the smaller norm only, (d) Adam + L2 both.
    adamw_norm = norms["AdamW(2λ)"] < norms["Adam + L2(λ)"]
    adamw_loss = losses["AdamW(2λ)"] < losses["Adam + L2(λ)"]
    found = {"a": adamw_norm and adamw_loss, "b": adamw_norm and not adamw_loss,
             "c": adamw_loss and not adamw_norm, "d": not adamw_norm and not adamw_loss}
    assert answered(outcomes["predictions"]["3"]) == {letter for letter, holds in found.items()
                                                      if holds}
    assert np.isclose(norms["Adam + L2(λ)"], second["weight_norms"]["l2"])
    assert np.isclose(norms["Adam, no penalty"], second["weight_norms"]["none"])
    assert losses["Adam + L2(λ)"] == final["l2"]
