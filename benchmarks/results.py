"""Every published number, measured in one run: the labs' run times and the speed ratios.

    python -m benchmarks.results           # about 30 minutes on 2 cores; prints the report
    python -m benchmarks.results --write   # also writes benchmarks/results.md and copies
                                           # its numbers into README.md and each lab's header

``benchmarks/results.md`` is the one source: README.md's lab table, its start-up,
quick-mode and test-suite times, its table of speed ratios, and the "Run time:" line at
the top of every lab quote it, and ``tests/test_published_numbers.py`` checks that they agree.
The file says on what machine, how loaded, it was measured.

Each lab runs in a fresh process, as a student runs it (``python -m labs NAME``), in
full and in quick mode. Two times are kept: the lab's own run (the "Done in" line it
prints, after Python and TensorFlow have started) and the whole command. Last, the set-up
of a session notebook in a fresh kernel (``benchmarks/session_setup.py``), which
labs/SESSIONS.md budgets in every class plan; that file is rendered again at the end.
"""

import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks import _publish, _timing, session_setup

ROOT = _publish.ROOT
DONE = re.compile(r"^Done in ([0-9.]+) s\.", flags=re.M)


def lab_names():
    """The labs in course order, from the front door's --list (no lab is imported here)."""
    listed = subprocess.run([sys.executable, "-m", "labs", "--list"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]


def time_lab(name, quick):
    """(the lab's own seconds, the whole command's seconds) for one fresh run."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("LABS_QUICK", "LABS_OUTPUTS")}
    with tempfile.TemporaryDirectory(prefix=f"results-{name}-") as out:
        command = [sys.executable, "-m", "labs", name, "--out", out] + (["--quick"] * quick)
        started = time.perf_counter()
        finished = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True,
                                  text=True, timeout=900)
        whole = time.perf_counter() - started
    found = DONE.search(finished.stdout)
    if finished.returncode != 0 or not found:
        raise RuntimeError(f"{' '.join(command)} failed ({finished.returncode}):\n"
                           f"{finished.stderr[-2000:]}")
    return float(found.group(1)), whole


def time_test_suite():
    """Seconds of the whole test suite, run as README says; it must pass."""
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                              cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if finished.returncode != 0:
        raise RuntimeError(f"the test suite failed:\n{finished.stdout[-3000:]}")
    return time.perf_counter() - started


def machine():
    """One line about the machine: CPU model, cores, versions."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import keras
    import tensorflow as tf

    return (f"{model}, {os.cpu_count()} cores visible, {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, TensorFlow "
            f"{tf.__version__}, Keras {keras.__version__}")


def load():
    """The 1-minute load average, as text (how busy the shared machine was)."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "unknown"


def ratio(rows_entry):
    _, baseline, candidate = rows_entry
    return statistics.median(candidate) / statistics.median(baseline)


def measure_speed():
    """The table of speed ratios, as markdown rows."""
    from custom import quiet_import

    quiet_import.import_tensorflow_quietly()
    from benchmarks import (batch_normalization, diagnostics_overhead, fit_with_tape,
                            fit_with_tape_strategy, live_plot, optimizers)

    wall, cpu = optimizers.measure()
    names = ", ".join(label.split(":")[0] for label, _, _ in wall)
    tape = fit_with_tape.measure()
    strategy = fit_with_tape_strategy.measure()
    logger = diagnostics_overhead.measure()
    live = live_plot.measure()
    normalization_wall, normalization_cpu = batch_normalization.measure()
    join = ", ".join
    return [
        _publish.RATIO_HEADER,
        "|---|---|---|",
        f"| `model.fit` epoch, custom / Keras: {names} (wall clock) | "
        f"{join(f'{ratio(row):.2f}' for row in wall)} | ≤ {optimizers.TARGET:.2f} |",
        f"| the same, process CPU time | {join(f'{ratio(row):.2f}' for row in cpu)} | "
        f"≤ {optimizers.TARGET:.2f} |",
        f"| `fit_with_tape` / `model.fit`: training epoch; epoch with validation | "
        f"{ratio(tape['rows'][0]):.2f}; {ratio(tape['rows'][1]):.2f} | "
        f"≤ {fit_with_tape.TARGET:.2f} |",
        f"| `fit_with_tape` / `model.fit`: the same model fitted again, "
        f"{tape['rows'][2][0]} | {ratio(tape['rows'][2]):.2f} | ≤ {fit_with_tape.TARGET:.2f} |",
        f"| the eager loop / the compiled one (a lesson, not a target) | "
        f"{tape['eager_ratio']:.1f} | — |",
        f"| `fit_with_tape` under a one-replica `MirroredStrategy` / without: training epoch, "
        f"epoch with validation (wall clock; process CPU time) | "
        f"{ratio(strategy['rows'][0]):.2f}, {ratio(strategy['rows'][1]):.2f}; "
        f"{ratio(strategy['cpu_rows'][0]):.2f}, {ratio(strategy['cpu_rows'][1]):.2f} | "
        f"≤ {fit_with_tape_strategy.TARGET:.2f} |",
        f"| the same for `model.fit`, training epoch (what the strategy costs Keras itself) | "
        f"{ratio(strategy['reference']):.2f} | — |",
        f"| epoch of a network with batch normalization, custom / Keras: `model.fit`, "
        f"`fit_with_tape` (wall clock; process CPU time) | "
        f"{join(f'{ratio(row):.2f}' for row in normalization_wall)}; "
        f"{join(f'{ratio(row):.2f}' for row in normalization_cpu)} | "
        f"≤ {batch_normalization.TARGET:.2f} |",
        *logger_rows(logger, diagnostics_overhead),
        *live_plot_rows(live, live_plot),
    ]


def logger_rows(logger, diagnostics_overhead):
    """The rows of DiagnosticsLogger's cost, for each of the labs' models it was measured on.

    The target is judged on the time inside the logger's hooks as a share of the same fits
    (every fixed cost included, steady on a shared machine); the whole-fit ratios follow with
    the spread of their rounds, which is wider than the 1 % they would have to resolve.
    """
    runs = logger["runs"].values()
    names = " and ".join(logger["runs"])

    def median(values):
        return statistics.median(values)

    shares = "; ".join(", ".join(f"{median(run['shares'][key]):.2%}" for run in runs)
                       for key in ("with", "gradients"))
    epochs = ", ".join(f"{run['epoch_seconds'] * 1e3:.0f}" for run in runs)
    per_epoch = "; ".join(
        ", ".join(f"{run[key] * 1e3:.2f} ms ({run[key] / run['epoch_seconds']:.2%})"
                  for run in runs)
        for key in ("logger_seconds", "gradients_epoch_seconds"))
    probe = ", ".join(f"{run['probe_seconds'] * 1e3:.2f} ms" for run in runs)
    trace = ", ".join(f"{run['trace_seconds'] * 1e3:.0f} ms "
                      f"({run['trace_seconds'] / run['fit_seconds']:.1%} of one fit)"
                      for run in runs)
    rows = [f"| `DiagnosticsLogger`'s overhead: time inside its hooks as a share of each fit, "
            f"the {names}: without gradients; with them | {shares} | "
            f"≤ {diagnostics_overhead.TARGET - 1:.0%}; "
            f"≤ {diagnostics_overhead.GRADIENTS_TARGET - 1:.0%} |",
            f"| the same, one on_epoch_end as a share of a steady epoch ({epochs} ms): without "
            f"gradients; with them | {per_epoch} | — |",
            f"| the gradient probe's own pass ({diagnostics_overhead.PROBE} samples); tracing it, "
            f"once per architecture and process (the first fit with `gradients=True` pays it) | "
            f"{probe}; {trace} | — |"]
    for key, name, target in (("with", "`DiagnosticsLogger`", diagnostics_overhead.TARGET),
                              ("gradients", "`DiagnosticsLogger(gradients=True)`",
                               diagnostics_overhead.GRADIENTS_TARGET)):
        cells, spread = [], 0.0
        for run in runs:
            rounds = _timing.paired_ratios(run["without"], run[key])
            spread = max(spread, round(rounds[-1], 2) - round(rounds[0], 2))  # As printed.
            cells.append(f"{median(run[key]) / median(run['without']):.2f} "
                         f"(rounds {rounds[0]:.2f}-{rounds[-1]:.2f})")
        # A ratio can judge the target only if one round's ratio is steadier than its margin.
        verdict = (f"≤ {target:.2f}" if spread <= target - 1 else
                   f"≤ {target:.2f} cannot be told: the rounds span {spread:.2f}")
        rows.append(f"| `model.fit` with {name} / without, whole fits (noise: the rounds' own "
                    f"ratios) | {', '.join(cells)} | {verdict} |")
    return rows


def live_plot_rows(live, live_plot):
    """The two rows of LivePlot's cost: whole fits, and the time inside its hooks."""
    names = " and ".join(f"`{name}`" for name, *_ in live)
    ratios, shares = [], []
    for mode in ("terminal", "notebook"):
        ratios.append(", ".join(f"{ratio(('', timings['without'], timings[mode])):.2f}"
                                for _, timings, _, _, _ in live))
        shares.append(", ".join(f"{statistics.median(share[mode]):.2%}"
                                for _, _, share, _, _ in live))
    return [f"| `model.fit` with `LivePlot` / without, {live_plot.EPOCHS} epochs of the {names} "
            f"labs' models: terminal; notebook | {'; '.join(ratios)} | ≤ {live_plot.TARGET:.2f} |",
            f"| the same, time inside `LivePlot`'s hooks as a share of the fit: terminal; "
            f"notebook | {'; '.join(shares)} | ≤ {live_plot.SHARE_TARGET:.0%} |"]


def measure_grading():
    """The rows of grading's cost: a class of 30 × 4 in the sandbox and without, and the
    Gradescope bundle of every task (benchmarks/grading.py)."""
    from benchmarks import grading

    return grading.rows(grading.measure_throughput(), grading.measure_autograder())


def report(labs, test_suite, speed_rows, description, grading_rows=(), session_section=""):
    """benchmarks/results.md, from the lab times and the speed rows."""
    startup = statistics.median(whole - own for times in labs.values()
                                for own, whole in times.values())
    lines = [
        "# Measured numbers",
        "",
        "Made by `python -m benchmarks.results --write`, which also copies them into "
        "README.md and the labs' headers (`tests/test_published_numbers.py` checks that "
        "they agree).",
        "",
        description,
        "",
        "## Lab run times",
        "",
        "Each lab in a fresh process (`python -m labs NAME`, then with `--quick`). *Own*: "
        "the lab's own run, as its last line prints it; *command*: the whole command, "
        "with starting Python and importing TensorFlow.",
        "",
        "| lab | full, own | full, command | quick, own | quick, command |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, times in labs.items():
        (full_own, full_whole), (quick_own, quick_whole) = times["full"], times["quick"]
        lines.append(f"| {name} | {full_own:.1f} | {full_whole:.1f} | {quick_own:.1f} | "
                     f"{quick_whole:.1f} |")
    lines += ["", f"{_publish.STARTUP} {startup:.1f} s", "",
              f"{_publish.TEST_SUITE} {test_suite:.0f} s", "",
              "## Speed ratios", "",
              "Each benchmark alternates its candidates round by round and takes the ratio "
              "of medians (`benchmarks/_timing.py`).", "", *speed_rows, ""]
    if grading_rows:
        lines += ["## Grading", "",
                  "`python -m benchmarks.grading`: the same class of students, each handing in "
                  "the reference, graded in the sandbox and without one, one after the other; "
                  "then Gradescope's `run_autograder` on the bundle of every task.", "",
                  *grading_rows, ""]
    if session_section:
        lines += [session_section.rstrip("\n"), ""]
    return "\n".join(lines)


def main(argv):
    write = "--write" in argv
    loads = [load()]
    started = datetime.datetime.now(datetime.timezone.utc)
    labs = {}
    for name in lab_names():
        labs[name] = {"full": time_lab(name, quick=False), "quick": time_lab(name, quick=True)}
        print(f"{name:<18} full {labs[name]['full'][0]:6.1f} s own, "
              f"{labs[name]['full'][1]:6.1f} s command; quick {labs[name]['quick'][0]:5.1f} s own",
              flush=True)
    if write:
        # The suite checks that the documents quote results.md, lab by lab: copy the new
        # lab times in first (keeping the last suite time and ratios), or a lab added
        # since the last run would fail the suite this run is about to time.
        previous = _publish.read(_publish.RESULTS.read_text(encoding="utf-8"))
        provisional = report(labs, previous["test_suite"], previous["speed_rows"],
                             f"Being measured since {started:%Y-%m-%d %H:%M} UTC: the lab "
                             "times are new; the suite time and the ratios are the last run's.",
                             session_section=session_setup.section_of(
                                 _publish.RESULTS.read_text(encoding="utf-8")))
        _publish.RESULTS.write_text(provisional, encoding="utf-8")
        _publish.copy_into_documents(_publish.read(provisional))
        session_setup.render_sessions()   # Its plans add up the new lab times.
    test_suite = time_test_suite()
    print(f"test suite {test_suite:.0f} s", flush=True)
    loads.append(load())
    speed_rows = measure_speed()
    grading_rows = measure_grading()
    setup_started = datetime.datetime.now(datetime.timezone.utc)
    setup_section = session_setup.section(session_setup.measure(),
                                          f"{setup_started:%Y-%m-%d %H:%M} UTC", os.getloadavg()[0])
    loads.append(load())
    description = (f"Measured {started:%Y-%m-%d %H:%M} UTC on {machine()}. The machine was "
                   f"shared with other jobs: its 1-minute load average was {loads[0]} at the "
                   f"start, {loads[1]} after the labs and the tests and {loads[2]} at the end, so absolute "
                   "times are those of a busy machine; the ratios compare candidates within "
                   "one run.")
    text = report(labs, test_suite, speed_rows, description, grading_rows, setup_section)
    print(text)
    if write:
        _publish.RESULTS.write_text(text, encoding="utf-8")
        _publish.copy_into_documents(_publish.read(text))
        session_setup.render_sessions()
        print(f"wrote {_publish.RESULTS} and copied its numbers into README.md and the labs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
