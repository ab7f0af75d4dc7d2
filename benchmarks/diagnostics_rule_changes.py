"""Which labels a change to the classifier's rules moves, on every fixture run at every epoch.

Every history CSV under ``tests/fixtures/diagnostics/`` (``runs/`` and ``cases/``) is
classified after each of its epochs (the prefix a running ``DiagnosticsLogger`` sees),
with ``num_classes`` None, 2, 3 and 10: once by ``callbacks/diagnostics`` as it was at a
git revision (``--before``) and once by the working tree's. Each call whose label moved
must be explained by one of the rules that the change introduced, stated here in this
script's own terms (not with the classifier's code):

* ``never rises``: the label was DIVERGING and is not any more, and the training loss
  is finite and never rose by more than ``NEVER_RISES_BY`` from one epoch to the next
  (a loss that falls every epoch but starts far above the chance loss, e.g. a strong
  L2 penalty, is not a blow-up);
* ``short late rise``: the label is OVERFITTING and was not, the run has 8-12 epochs,
  and its validation loss ends (the median of its last 3 epochs) at least 15 % above
  its best, reached at least 3 epochs before the end (the rise that rule 2 reads, now
  judged against the scatter of the epochs since the best on such short runs).

It prints the count of calls, the moves by (before → after, rule), and any move that
neither rule explains; the exit status is 1 if there is one.

    python -m benchmarks.diagnostics_rule_changes --before ae694a6   # about a minute
"""

import argparse
import collections
import json
import math
import pathlib
import subprocess
import sys
import tarfile
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "diagnostics"
CLASS_COUNTS = (None, 2, 3, 10)
NOT_HISTORIES = {"cases.csv", "gradient_cases.csv", "labels.csv"}

NEVER_RISES_BY = 0.01   # A step up of more than 1 % is a rise; less is the jitter at rest.
SHORT_RUN = (8, 12)     # The epochs of a short run, first and last.
LATE_RISE = 0.15        # The median of the last 3 epochs at least 15 % above the best …
BEST_BEFORE_END = 3     # … which was reached at least 3 epochs before the end.


def histories():
    """Paths of the fixture histories, relative to the fixtures folder, sorted."""
    paths = sorted(FIXTURES.glob("runs/*.csv")) + sorted(FIXTURES.glob("cases/*.csv"))
    return [path for path in paths if path.name not in NOT_HISTORIES]


def classify_all(source):
    """{"file|K|epochs": label} for every history, prefix and K, using ``source``'s package.

    Run in a fresh interpreter whose ``callbacks`` package comes from ``source``.
    """
    import pandas

    sys.path.insert(0, str(source))
    from callbacks.diagnostics import classify

    labels = {}
    for path in histories():
        frame = pandas.read_csv(path, na_values=["NA", "nan", "NaN", ""])
        columns = {name: frame[name].tolist() for name in frame.columns}
        for epochs in range(1, len(frame) + 1):
            prefix = {name: values[:epochs] for name, values in columns.items()}
            for classes in CLASS_COUNTS:
                key = f"{path.relative_to(FIXTURES)}|{classes}|{epochs}"
                try:
                    labels[key] = classify(prefix, num_classes=classes).label
                except ValueError as error:  # HistoryError: e.g. no finite loss yet.
                    labels[key] = f"error: {error}"
    return labels


def labels_from(source):
    """Run ``classify_all`` in a subprocess with ``source`` first on its path."""
    code = ("import json, sys; from benchmarks import diagnostics_rule_changes as m; "
            f"json.dump(m.classify_all({str(source)!r}), sys.stdout)")
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)


def package_at(revision, folder):
    """Extract the ``callbacks`` package as it was at ``revision`` into ``folder``."""
    archive = pathlib.Path(folder) / "callbacks.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), revision,
                    "callbacks"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return pathlib.Path(folder)


def never_rises(train):
    """The training loss is finite and no epoch is more than 1 % above the one before."""
    if not all(math.isfinite(value) for value in train):
        return False
    return all(after <= (1.0 + NEVER_RISES_BY) * before for before, after in zip(train, train[1:]))


def short_late_rise(val):
    """8-12 epochs, and the validation loss ends ≥ 15 % above a best ≥ 3 epochs before the end."""
    if not SHORT_RUN[0] <= len(val) <= SHORT_RUN[1] or not all(map(math.isfinite, val)):
        return False
    best = val.index(min(val))
    late = sorted(val[-3:])[1]
    return len(val) - 1 - best >= BEST_BEFORE_END and late >= (1.0 + LATE_RISE) * val[best]


def explain(key, before, after, curves):
    """The rule that explains a moved label, or None."""
    name, _, epochs = key.split("|")
    train, val = (values[:int(epochs)] for values in curves[name])
    if before == "DIVERGING" and after != "DIVERGING" and never_rises(train):
        return "never rises"
    if after == "OVERFITTING" and before != "OVERFITTING" and val and short_late_rise(val):
        return "short late rise"
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git revision of the old rules")
    args = parser.parse_args(argv)
    import pandas

    with tempfile.TemporaryDirectory() as folder:
        before = labels_from(package_at(args.before, folder))
    after = labels_from(ROOT)
    curves = {}
    for path in histories():
        frame = pandas.read_csv(path, na_values=["NA", "nan", "NaN", ""])
        val = frame["val_loss"].tolist() if "val_loss" in frame else []
        curves[str(path.relative_to(FIXTURES))] = (frame["loss"].tolist(), val)
    assert before.keys() == after.keys()
    moves, unexplained = collections.Counter(), []
    for key in before:
        if before[key] != after[key]:
            rule = explain(key, before[key], after[key], curves)
            moves[(before[key], after[key], rule)] += 1
            if rule is None:
                unexplained.append(f"{key}: {before[key]} → {after[key]}")
    print(f"{len(histories())} histories, {len(before)} calls (every prefix, K in "
          f"{CLASS_COUNTS}); {sum(moves.values())} labels moved.")
    for (old, new, rule), count in sorted(moves.items(), key=str):
        print(f"  {old} → {new}: {count} ({rule or 'UNEXPLAINED'})")
    for line in unexplained:
        print("  unexplained:", line)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
