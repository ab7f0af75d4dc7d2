"""What grading costs: the sandbox against no sandbox, and one Gradescope run of the largest bundle.

    python -m benchmarks.grading                     # a class of 30 students × 4 tasks
    python -m benchmarks.grading --students 4        # a quick look

* Throughput: the same class (every student hands in the reference, so every check runs
  to its end) graded in the sandbox and without one, alternating the two; seconds per
  student-task and for the whole class, and their ratio. Target: the sandbox costs at most
  20 % more.
* The Gradescope bundle of every task, its ``run_autograder`` on a correct submission
  under a temporary ``/autograder``: wall time, and the peak memory of its whole process
  tree (sampled every 50 ms), against Gradescope's default of 768 MB.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

from assignments import grade, markers, sandbox
from assignments import tasks as task_table

ROOT = pathlib.Path(__file__).resolve().parent.parent
TASKS = ("adam", "rmsprop", "schedules", "gradient_check")
TARGET = 1.20
GRADESCOPE_MEMORY = 768 << 20


def reference_files(tasks):
    """The files of ``tasks`` as a student who got everything right hands them in."""
    files = {}
    for task in tasks:
        for path in task_table.TASKS[task].files:
            files[path] = markers.student_text((ROOT / path).read_text(encoding="utf-8"),
                                               path, set())
    return files


def class_folder(folder, students, tasks):
    for index in range(students):
        for path, text in reference_files(tasks).items():
            target = folder / f"student{index:02d}" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return folder


def grade_class(folder, out, tasks, sandboxed):
    """Seconds to grade the class, in the sandbox or (``sandboxed`` False) without one."""
    saved = sandbox.unavailable
    if not sandboxed:
        sandbox.unavailable = lambda: "measuring grading without a sandbox"
    try:
        started = time.perf_counter()
        graded = grade.grade(folder, out, list(tasks), timeout=600, trust=not sandboxed)
        seconds = time.perf_counter() - started
    finally:
        sandbox.unavailable = saved
    full = sum(task_table.TASKS[task].points for task in tasks)
    wrong = [student for student, results in graded.items()
             if sum(result.score for result in results) != full]
    if wrong:
        raise RuntimeError(f"the reference lost points when graded: {wrong[:3]}")
    return seconds


def measure_throughput(students=30, tasks=TASKS, rounds=1):
    """{"sandbox": [s, …], "none": [s, …], "runs": students × tasks}, alternating the two."""
    timings = {"none": [], "sandbox": []}
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as work:
        folder = class_folder(pathlib.Path(work) / "class", students, tasks)
        for round_number in range(rounds):
            for mode in ("none", "sandbox"):
                out = pathlib.Path(work) / f"out-{mode}-{round_number}"
                timings[mode].append(grade_class(folder, out, tasks, mode == "sandbox"))
    return {**timings, "runs": students * len(tasks)}


def tree_rss(pid):
    """Resident memory of ``pid`` and all its descendants, in bytes."""
    children, rss = {}, {}
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
            child = int(status.parent.name)
            children.setdefault(int(fields["PPid"]), []).append(child)
            rss[child] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
        except (OSError, KeyError, ValueError):
            continue
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += rss.get(current, 0)
        pending += children.get(current, [])
    return total


def measure_autograder(tasks=None):
    """(seconds, peak bytes, score, full score) of run_autograder for a bundle of ``tasks``."""
    from assignments import autograder

    tasks = list(tasks or task_table.TASKS)
    with tempfile.TemporaryDirectory(prefix="autograder-benchmark-") as work:
        work = pathlib.Path(work)
        bundle = autograder.write_bundle(work / "bundle.zip", tasks)
        source = work / "source"
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(source)
        for script in ("run_autograder", "setup.sh"):
            os.chmod(source / script, 0o755)
        (work / "results").mkdir()
        submission = work / "submission"
        for path, text in reference_files(tasks).items():
            (submission / path).parent.mkdir(parents=True, exist_ok=True)
            (submission / path).write_text(text, encoding="utf-8")
        environment = {**os.environ, "AUTOGRADER_ROOT": str(work), "PYTHON": sys.executable}
        started = time.perf_counter()
        process = subprocess.Popen([str(source / "run_autograder")], env=environment,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = [0]

        def sample():
            while process.poll() is None:
                peak[0] = max(peak[0], tree_rss(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        process.wait()
        seconds = time.perf_counter() - started
        sampler.join()
        import json

        document = json.loads((work / "results" / "results.json").read_text(encoding="utf-8"))
    full = sum(task_table.TASKS[task].points for task in tasks)
    return seconds, peak[0], document["score"], full


def rows(throughput, autograder_run):
    """The markdown rows that results.md publishes."""
    import statistics

    none, boxed = statistics.median(throughput["none"]), statistics.median(throughput["sandbox"])
    runs = throughput["runs"]
    seconds, peak, score, full = autograder_run
    return [
        "| grading | without a sandbox | in the sandbox | ratio | target |",
        "|---|---:|---:|---:|---|",
        f"| seconds per student-task ({runs} student-tasks: {', '.join(TASKS)}) | "
        f"{none / runs:.2f} | {boxed / runs:.2f} | {boxed / none:.2f} | ≤ {TARGET:.2f} |",
        f"| seconds for the whole class | {none:.0f} | {boxed:.0f} | {boxed / none:.2f} | — |",
        "",
        f"Gradescope's `run_autograder`, the bundle of all {len(task_table.TASKS)} tasks, a "
        f"correct submission ({score:g} of {full:g} points): {seconds:.0f} s, peak memory of "
        f"its process tree {peak / (1 << 20):.0f} MB (Gradescope's default is "
        f"{GRADESCOPE_MEMORY >> 20} MB).",
    ]


def main(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grading")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1)
    arguments = parser.parse_args(argv)
    throughput = measure_throughput(arguments.students, TASKS, arguments.rounds)
    print("\n".join(rows(throughput, measure_autograder())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
