"""Where README.md, labs/SESSIONS.md and the labs' headers quote ``benchmarks/results.md``.

``read`` parses the results file; ``quotes`` lists, for every document, the exact text
that must appear in it; ``copy_into_documents`` writes that text in (used by
``python -m benchmarks.results --write``); ``tests/test_published_numbers.py`` checks it.
Nothing here imports TensorFlow or the labs.
"""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.md"
README = ROOT / "README.md"
SESSIONS = ROOT / "labs" / "SESSIONS.md"
# How labs/SESSIONS.md quotes a lab's own full-mode run time: "`optimizers` (20 s)".
SESSION_QUOTE = re.compile(r"`(\w+)` \(([0-9.]+ s)\)")
RATIO_HEADER = "| comparison | ratio | target |"
STARTUP = "Start-up (command − own, median over every run):"
TEST_SUITE = "The whole test suite (`python -m pytest -q`, the whole command):"
# The set-up of a session notebook in a fresh kernel (benchmarks/session_setup.py).
SESSION_SETUP = re.compile(r"^Session set-up in a fresh kernel: kernel start ([0-9.]+) s, "
                           r"clone and check-out ([0-9.]+) s, import ([0-9.]+) s, installing what Colab "
                           r"lacks ([0-9.]+) s; total ([0-9.]+) s\.$", flags=re.M)
LAB_ROW = re.compile(r"^\| (\w+) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \|$",
                     flags=re.M)


def seconds_text(seconds):
    """How a time is quoted: "0.6 s" under a second, whole seconds above."""
    return f"{seconds:.1f} s" if seconds < 0.95 else f"{seconds:.0f} s"


def read(text):
    """The numbers of a results file: lab times, start-up, and the speed table's rows.

    Returns:
        dict with "labs" (name → {"full_own", "full_command", "quick_own",
        "quick_command"} in seconds), "startup" and "test_suite" (seconds) and
        "speed_rows" (the ratio table's lines, header included).
    """
    labs = {}
    for name, *numbers in LAB_ROW.findall(text):
        labs[name] = dict(zip(("full_own", "full_command", "quick_own", "quick_command"),
                              map(float, numbers)))
    startup = re.search(re.escape(STARTUP) + r" ([0-9.]+) s", text)
    test_suite = re.search(re.escape(TEST_SUITE) + r" ([0-9.]+) s", text)
    lines = text.splitlines()
    if not labs or startup is None or test_suite is None or RATIO_HEADER not in lines:
        raise ValueError("not a results file: it needs the lab table, the start-up and "
                         "test-suite lines and the table of speed ratios")
    first = lines.index(RATIO_HEADER)
    speed_rows = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        speed_rows.append(line)
    return {"labs": labs, "startup": float(startup.group(1)),
            "test_suite": float(test_suite.group(1)), "speed_rows": speed_rows}


def session_setup_line(seconds):
    """The results file's line of the session set-up; ``seconds`` has kernel, clone, import,
    install and total."""
    return (f"Session set-up in a fresh kernel: kernel start {seconds['kernel']:.1f} s, clone and "
            f"check-out {seconds['clone']:.1f} s, import {seconds['import']:.1f} s, installing "
            f"what Colab lacks {seconds['install']:.1f} s; total {seconds['total']:.1f} s.")


def read_session_setup(text):
    """The session set-up's seconds from a results file (see ``session_setup_line``).

    Raises:
        ValueError: when the results file has no such line.
    """
    found = SESSION_SETUP.search(text)
    if found is None:
        raise ValueError("the results file has no session set-up line; run "
                         "python -m benchmarks.session_setup --write")
    return dict(zip(("kernel", "clone", "import", "install", "total"),
                    map(float, found.groups())))


def lab_header_line(times):
    """A lab header's run-time line: the whole command, in full and in quick mode."""
    return (f"Run time: about {seconds_text(times['full_command'])} on 2 CPU cores "
            f"(about {seconds_text(times['quick_command'])} with --quick), start-up included.")


def readme_sentences(results):
    """The sentences of README.md that quote the results (each on one line of README)."""
    labs = results["labs"]
    quick = [times["quick_own"] for times in labs.values()]
    return [
        f"Run the tour (offline; about {seconds_text(labs['tour']['full_command'])} "
        "after the install):",
        f"Run the tests (about {max(1, round(results['test_suite'] / 60))} minutes on 2 cores):",
        f"Starting Python and importing TensorFlow adds about "
        f"{seconds_text(results['startup'])} to a lab run on its own.",
        f"In quick mode (`--quick`) each lab's own run takes {seconds_text(min(quick))} "
        f"to {seconds_text(max(quick))}.",
    ]


def readme_lab_rows(results, readme_text):
    """README's lab table rows (in its section "The labs"), with the time column from the results.

    Other tables (the assignments') may name a lab in their first column too.
    """
    rows = {}
    section = readme_text.split("\n## The labs\n", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        found = re.match(r"^\| `(\w+)` \|.*\| ([^|]*) \|$", line)
        if found and found.group(1) in results["labs"]:
            own = results["labs"][found.group(1)]["full_own"]
            rows[line] = line[:found.start(2)] + seconds_text(own) + " |"
    return rows


def session_quote(results, found):
    """What a "`NAME` (N s)" match in labs/SESSIONS.md should say: the lab's own full run."""
    name = found.group(1)
    if name not in results["labs"]:
        return found.group(0)
    return f"`{name}` ({seconds_text(results['labs'][name]['full_own'])})"


def copy_into_documents(results):
    """Write the results into README.md, labs/SESSIONS.md and every lab's header line."""
    if SESSIONS.exists():
        sessions = SESSIONS.read_text(encoding="utf-8")
        SESSIONS.write_text(SESSION_QUOTE.sub(lambda found: session_quote(results, found),
                                              sessions), encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    for old, new in readme_lab_rows(results, readme).items():
        readme = readme.replace(old, new)
    patterns = [r"Run the tour \(offline; about [0-9.]+ s after the install\):",
                r"Run the tests \(about [0-9]+ minutes on 2 cores\):",
                r"Starting Python and importing TensorFlow adds about [0-9.]+ s to a lab run "
                r"on its own\.",
                r"In quick mode \(`--quick`\) each lab's own run takes [0-9.]+ s to [0-9.]+ s\."]
    for pattern, sentence in zip(patterns, readme_sentences(results)):
        readme, count = re.subn(pattern, lambda match: sentence, readme)
        if count != 1:
            raise ValueError(f"README.md has {count} places for {sentence!r}, not one")
    lines = readme.splitlines()
    first = lines.index(RATIO_HEADER)
    last = first
    while last < len(lines) and lines[last].startswith("|"):
        last += 1
    lines[first:last] = results["speed_rows"]
    README.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, times in results["labs"].items():
        path = ROOT / "labs" / f"{name}.py"
        source = path.read_text(encoding="utf-8")
        source, count = re.subn(r"^Run time: .*$", lambda match: lab_header_line(times),
                                source, count=1, flags=re.M)
        if count != 1:
            raise ValueError(f"{path.name} has no 'Run time:' line in its header")
        path.write_text(source, encoding="utf-8")
