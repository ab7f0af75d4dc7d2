"""Timing that survives a shared, noisy machine: interleaved rounds, medians, ratios.

Absolute seconds on a shared 2-core machine drift by tens of percent from one
minute to the next, so every benchmark here compares candidates *within one
run*, alternating them round by round, and reports the ratio of medians.
"""

import statistics
import time


def seconds(function):
    """Wall-clock seconds of one call."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def interleaved(candidates, rounds=5, warmup=1):
    """Time each candidate ``rounds`` times, alternating A, B, A, B, … after ``warmup`` calls.

    Args:
        candidates: name → zero-argument callable (one unit of work, e.g. one epoch).
    Returns:
        name → list of seconds, one per round.
    """
    for function in candidates.values():
        for _ in range(warmup):
            function()
    timings = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, function in candidates.items():
            timings[name].append(seconds(function))
    return timings


def in_both_orders(candidates, rounds=5, warmup=1):
    """``interleaved`` A, B, A, B … and then B, A, B, A …, so that neither always runs first
    in a round; name → the seconds of both passes (2 × ``rounds`` each)."""
    forward = interleaved(candidates, rounds=rounds, warmup=warmup)
    backward = interleaved(dict(reversed(candidates.items())), rounds=rounds, warmup=0)
    return {name: forward[name] + backward[name] for name in candidates}


def with_cpu_clock(function, record):
    """``function``, also appending the process CPU seconds of each call to ``record``.

    CPU time counts TensorFlow's own threads and is far less disturbed than wall time
    when other jobs share the machine, so the benchmarks print both.
    """
    def timed():
        started = time.process_time()
        function()
        record.append(time.process_time() - started)
    return timed


def paired_ratios(baseline, candidate):
    """Each round's candidate / baseline, sorted: their spread is the noise of one round.

    ``interleaved`` times the candidates one after another within a round, so a round's
    ratio compares like with like; how far these ratios scatter shows how small a
    difference the ratio of medians can resolve on this machine.
    """
    return sorted(after / before for before, after in zip(baseline, candidate))


def ratio_table(rows, target):
    """Format (label, baseline_seconds_list, candidate_seconds_list) rows as a table.

    The ratio is median(candidate) / median(baseline); rows above ``target`` are flagged.
    """
    lines = [f"{'comparison':<34} {'baseline s':>10} {'candidate s':>11} {'ratio':>6}  target",
             "-" * 74]
    for label, baseline, candidate in rows:
        base, cand = statistics.median(baseline), statistics.median(candidate)
        ratio = cand / base
        verdict = "ok" if ratio <= target else "OVER"
        lines.append(f"{label:<34} {base:>10.4f} {cand:>11.4f} {ratio:>6.3f}  "
                     f"<= {target:.2f} {verdict}")
    return "\n".join(lines)
