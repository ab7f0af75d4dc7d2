"""Grading against dishonest students: every attack is a real submission, graded in one batch.

A class folder holds two honest students (a correct and a wrong numerical gradient) and one
student per attack. The whole class is graded once, in the sandbox; then each attacker
must have no point it did not earn, and each honest student exactly the score they get
when graded alone. Where an attack would pay off only if a defence failed (reading the
reference, reaching the network), the attacker's code uses what it finds, so a broken
defence shows as points.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import zipfile

import pytest

from assignments import checking, grade, sandbox, submissions

pytestmark = pytest.mark.skipif(sandbox.unavailable() is not None,
                                reason=f"no sandbox here: {sandbox.unavailable()}")

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
TASK = "gradient_check"
FILE = "custom/gradient_check.py"
REFERENCE = (REPOSITORY / FILE).read_text(encoding="utf-8")
FULL = 14.0
# A wrong answer every attacker falls back on: one-sided differences.
WRONG = REFERENCE.replace("(loss_plus - loss_minus) / (2.0 * step)",
                          "(loss_plus - loss_minus) / step")


MARKER = f"attacker-{os.getpid()}-{time.time_ns()}"


def honest_wrong():
    assert WRONG != REFERENCE, "the wrong answer must differ from the reference"
    return WRONG


def with_prelude(prelude):
    """The wrong answer with code the attacker runs when the module is imported."""
    return prelude + "\n" + honest_wrong()


TRY_FILES = '''
import os as _os
def _steal(paths):
    for _path in paths:
        try:
            with open(_path, encoding="utf-8") as _handle:
                return _handle.read()
        except OSError:
            continue
    return None
_stolen = _steal({paths!r})
if _stolen:
    exec(compile(_stolen, "stolen", "exec"), globals())
    raise SystemExit  # noqa: the stolen code defines numerical_gradient; stop here
'''


def attacks(tmp, port, out):
    """{student: submission text, or a callable that writes the submission}."""
    peer = tmp / "submissions" / "honest_right" / FILE
    proc_paths = [f"/proc/{pid}/cwd/{FILE}" for pid in range(1, 400)]
    proc_paths += [f"/proc/{pid}/root{REPOSITORY}/{FILE}" for pid in range(1, 50)]
    return {
        "patch_checker": with_prelude(
            "import assignments.checking as _c\n"
            "_c.judge = lambda *a, **k: _c.Outcome(True, 'patched')\n"
            "_c.run_check = lambda *a, **k: None\n"),
        "forge_result": with_prelude(
            "import json, os, sys\n"
            f"for _p in ({str(out / 'grades.csv')!r}, {str(out / 'forge_result' / 'results.json')!r},"
            " 'results.json', '/tmp/results.json'):\n"
            "    try:\n"
            "        open(_p, 'w').write(json.dumps({'score': 1000}))\n"
            "    except OSError:\n"
            "        pass\n"
            "for _fd in range(20):\n"
            "    try:\n"
            "        os.write(_fd, json.dumps({'outputs': {}, 'score': 1000}).encode())\n"
            "    except OSError:\n"
            "        pass\n"
            "os._exit(0)\n"),
        "exit_early": "import os\nos._exit(0)\n",
        "read_reference": with_prelude(TRY_FILES.format(
            paths=[str(REPOSITORY / FILE)] + proc_paths)),
        "read_peer": with_prelude(TRY_FILES.format(paths=[str(peer)])),
        "symlink_peer": lambda folder: (folder / FILE).symlink_to(peer),
        "write_shared": with_prelude(
            "for _p in ('assignments/checking.py', 'custom/gradient_check.py', "
            f"{str(REPOSITORY / 'assignments' / 'checking.py')!r}):\n"
            "    try:\n"
            "        open(_p, 'a').write('raise SystemExit')\n"
            "    except OSError:\n"
            "        pass\n"),
        "outlive": with_prelude(
            "import os\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:   # A daemon that rewrites the gradebook 3 s later.\n"
            "        os.execve('/bin/sh', ['sh', '-c', 'sleep 3; echo student,total > ' + "
            f"{str(out / 'grades.csv')!r}], {{'ATTACKER': {MARKER!r}}})\n"
            "    os._exit(0)\n"),
        "memory_hog": with_prelude("import numpy\n_hog = numpy.ones(3 << 30, dtype=numpy.uint8)\n"),
        "fork_bomb": with_prelude(
            "import os\n"
            "for _ in range(5000):\n"
            "    try:\n"
            "        if os.fork() == 0:\n"
            f"            os.execve('/bin/sleep', ['sleep', '20'], {{'ATTACKER': {MARKER!r}}})\n"
            "    except OSError:\n"
            "        break\n"),
        "network": with_prelude(
            "import socket\n"
            "try:\n"
            f"    _code = socket.create_connection(('127.0.0.1', {port}), timeout=2).recv(100000)\n"
            "    exec(_code.decode(), globals())\n"
            "except OSError:\n"
            "    pass\n"),
        "exception_text": REFERENCE + (
            "\ndef numerical_gradient(*args, **kwargs):\n"
            "    raise RuntimeError('y' * 5000)\n"),
        "flood_output": with_prelude("import sys\nsys.stderr.write('z' * 5_000_000)\n"),
        "print_forever": with_prelude("while True:\n    print('x' * 1000)\n"),
    }


@pytest.fixture(scope="module")
def server():
    """A server on 127.0.0.1 that hands the reference to whoever connects (and counts them)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    connections, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            connections.append(1)
            connection.sendall(REFERENCE.encode())
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], connections
    stop.set()
    thread.join(timeout=2)
    listener.close()


def write_submission(folder, content):
    (folder / FILE).parent.mkdir(parents=True, exist_ok=True)
    if callable(content):
        content(folder)
    else:
        (folder / FILE).write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, server):
    tmp = tmp_path_factory.mktemp("class")
    port, connections = server
    folder, out = tmp / "submissions", tmp / "results"
    folder.mkdir()
    write_submission(folder / "honest_right", REFERENCE)
    write_submission(folder / "honest_wrong", honest_wrong())
    for student, content in attacks(tmp, port, out).items():
        write_submission(folder / student, content)
    bomb = folder / "zip_bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(FILE, b"#" * (100 << 20))          # 100 MB of one byte: about 100 KB
    with zipfile.ZipFile(folder / "traversal.zip", "w") as archive:
        archive.writestr(FILE, REFERENCE)
        archive.writestr("../../evil.py", "print('outside')\n")
    started = time.time()
    results = grade.grade(folder, out, [TASK], timeout=60, jobs=2)
    graded_at = time.time()   # Every submission of the class has ended by now.
    alone = {}
    for student in ("honest_right", "honest_wrong"):
        single = tmp / f"alone_{student}"
        write_submission(single / student, (folder / student / FILE).read_text())
        alone[student] = grade.grade(single, tmp / f"out_{student}", [TASK], timeout=60)[student]
    # Until 4 s after the class was graded, longer than the "outlive" attacker's 3 s sleep
    # (it started before then); the runs alone above count towards it.
    time.sleep(max(0.0, graded_at + 4 - time.time()))
    return {"results": results, "alone": alone, "out": out, "started": started,
            "connections": connections}


def score(results, student):
    return sum(result.score for result in results[student])


def feedback(results, student):
    return "\n".join(check.feedback for result in results[student] for check in result.checks)


def test_honest_students_score_as_when_graded_alone(graded):
    results, alone = graded["results"], graded["alone"]
    assert score(results, "honest_right") == FULL
    assert score(results, "honest_wrong") < FULL
    for student in ("honest_right", "honest_wrong"):
        together = [(check.name, check.points) for check in results[student][0].checks]
        by_itself = [(check.name, check.points) for check in alone[student][0].checks]
        assert together == by_itself, student


@pytest.mark.parametrize("student", ["patch_checker", "forge_result", "exit_early",
                                     "read_reference", "read_peer", "symlink_peer",
                                     "write_shared", "outlive", "memory_hog", "fork_bomb",
                                     "network", "exception_text", "flood_output",
                                     "print_forever", "zip_bomb", "traversal"])
def test_an_attacker_gets_no_point_it_did_not_earn(graded, student):
    wrong = score(graded["alone"], "honest_wrong")
    assert score(graded["results"], student) <= wrong, feedback(graded["results"], student)


@pytest.mark.parametrize("student, reason", [
    ("exit_early", "did not finish"),
    ("forge_result", "gave no answer"),
    ("symlink_peer", "links are refused"),
    ("memory_hog", "used more than 2 GiB of memory"),
    ("flood_output", "printed more than"),
    ("print_forever", "printed more than"),
    ("zip_bomb", "unpacks to more than"),
    ("traversal", "points outside the submission"),
])
def test_each_stopped_attack_says_why(graded, student, reason):
    assert reason in feedback(graded["results"], student)


def test_no_connection_reached_the_graders_loopback(graded):
    assert graded["connections"] == []


def test_the_gradebook_is_the_graders_own_after_grading_ends(graded):
    out = graded["out"]
    rows = grade.read_rows(out / "grades.csv")
    assert {row["student"] for row in rows} >= {"honest_right", "outlive", "forge_result"}
    forged = json.loads((out / "forge_result" / "results.json").read_text())
    assert forged["score"] == score(graded["results"], "forge_result")
    assert [test["visibility"] for test in forged["tests"]].count("after_published") == 2


def processes_with_marker():
    """The processes whose environment holds the attackers' marker (their daemons and the
    fork bomb's children run programs started with it)."""
    found = []
    for environ in pathlib.Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"ATTACKER={MARKER}".encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="reads other users' /proc/PID/environ")
def test_nothing_a_submission_started_is_still_running(graded):
    assert processes_with_marker() == []


def test_exception_feedback_is_trimmed_and_names_no_grader_file(graded):
    text = feedback(graded["results"], "exception_text")
    assert "your code raised RuntimeError" in text
    assert "y" * (checking.MESSAGE_LIMIT + 1) not in text
    assert str(REPOSITORY) not in text and "hidden: " not in text


def test_the_shared_edition_and_the_repository_are_untouched(graded):
    assert "raise SystemExit" not in (REPOSITORY / "assignments" / "checking.py").read_text()
    listed = subprocess.run(["git", "status", "--porcelain"], cwd=REPOSITORY,
                            capture_output=True, text=True).stdout
    assert "assignments/checking.py" not in listed


def test_a_student_cannot_read_the_grader_through_proc(tmp_path):
    """Inside the sandbox /proc holds the student's own processes only."""
    sandbox.readable(tmp_path)
    finished = sandbox.run([sys.executable, "-c",
                            "import os; print(sorted(p for p in os.listdir('/proc') "
                            "if p.isdigit()), os.path.exists(%r))" % str(REPOSITORY / FILE)],
                           tmp_path, b"", sandbox.Limits(wall_seconds=30))
    pids, exists = finished.channel.decode().rsplit(" ", 1)
    assert exists.strip() == "False"
    assert len(eval(pids)) <= 3   # bubblewrap's init, the process itself (and its shell)


def test_no_sandbox_refuses_unless_trusted(tmp_path, monkeypatch):
    (tmp_path / "subs" / "alice" / "custom").mkdir(parents=True)
    (tmp_path / "subs" / "alice" / FILE).write_text(REFERENCE)
    monkeypatch.setattr(sandbox, "unavailable", lambda: "bubblewrap is not installed")
    with pytest.raises(grade.GradeError, match="--trust-submissions"):
        grade.grade(tmp_path / "subs", tmp_path / "out", [TASK])
    results = grade.grade(tmp_path / "subs", tmp_path / "out", [TASK], trust=True)
    assert score(results, "alice") == FULL
    assert all(grade.UNSANDBOXED in check.feedback for check in results["alice"][0].checks)
    rows = grade.read_rows(tmp_path / "out" / "grades.csv")
    assert {row["sandbox"] for row in rows} == {"none"}


def test_regrading_one_student_keeps_everyone_elses_rows(tmp_path):
    folder = tmp_path / "subs"
    write_submission(folder / "alice", REFERENCE)
    write_submission(folder / "bob", honest_wrong())
    grade.grade(folder, tmp_path / "out", [TASK])
    before = grade.read_rows(tmp_path / "out" / "grades.csv")
    write_submission(folder / "bob", REFERENCE)
    grade.grade(folder, tmp_path / "out", [TASK], students=["bob"])
    after = grade.read_rows(tmp_path / "out" / "grades.csv")
    assert [row for row in after if row["student"] == "alice"] == \
        [row for row in before if row["student"] == "alice"]
    scores = (tmp_path / "out" / "scores.csv").read_text().splitlines()
    assert scores[0] == f"student,total,{TASK}"
    assert scores[1:] == [f"alice,{FULL},{FULL}", f"bob,{FULL},{FULL}"]


def test_lms_layouts_are_recognised_and_others_named(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "carol_12345_67890_gradient_check.py").write_text(REFERENCE)
    found, unknown = submissions.find(folder, {"gradient_check.py"})
    assert list(found) == ["carol"]
    assert submissions.read(found["carol"], [FILE]) == {FILE: REFERENCE}
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "notes.txt").write_text("hello")
    with pytest.raises(grade.GradeError, match="expected one folder, .zip or .ipynb per student"):
        grade.grade(odd, tmp_path / "out", [TASK])


TWIN_CALLS = {
    "named": ("        return keras.optimizers.Adam(learning_rate=0.05).update_step("
              "gradient, variable, learning_rate)"),
    "hidden": ("        twin = getattr(keras.optimizers, 'Ad' + 'am')(learning_rate=0.05)\n"
               "        twin.build([variable])\n"
               "        return twin.update_step(gradient, variable, learning_rate)"),
}


def test_an_optimizer_that_calls_the_keras_twin_is_refused(tmp_path):
    """By its text where it names the twin, and by what runs where it hides the name."""
    source = (REPOSITORY / "custom/optimizers/adam.py").read_text(encoding="utf-8")
    start = source.index("    def update_step(")
    header_end = source.index("\n", source.index('"""', source.index('"""', start) + 3)) + 1
    folder = tmp_path / "subs"
    for student, body in TWIN_CALLS.items():
        target = folder / student / "custom/optimizers/adam.py"
        target.parent.mkdir(parents=True)
        next_method = source.index("\n    def ", header_end)
        target.write_text(source[:header_end] + body + "\n" + source[next_method:])
    results = grade.grade(folder, tmp_path / "out", ["adam"], timeout=120)
    for student in TWIN_CALLS:
        assert score(results, student) == 0, feedback(results, student)
    assert "uses Keras' own keras.optimizers.Adam" in feedback(results, "named")
    assert "called Keras' own Adam" in feedback(results, "hidden")


ORDINARY_USER = r'''
import os, sys, tempfile
from assignments import sandbox
assert os.getuid() != 0
assert sandbox.unavailable() is None, sandbox.unavailable()
folder = tempfile.mkdtemp()
finished = sandbox.run([sys.executable, "-c", "import os, sys; print(os.getuid(), "
                        "os.path.exists(sys.argv[1]), end='')", sys.argv[1]], folder, b"",
                       sandbox.Limits(wall_seconds=60))
print(finished.code, finished.channel.decode(), finished.reason)
'''


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"),
                    reason="drops from root to an ordinary user with the system's Python")
def test_the_sandbox_works_for_an_ordinary_user_as_on_a_laptop():
    """An instructor's laptop: no root, so no staging and no setpriv; bubblewrap as the user."""
    bubblewrap = pathlib.Path(sandbox.bwrap())
    finished = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3",
         "-c", ORDINARY_USER, str(REPOSITORY / FILE)],
        env={"PATH": f"{bubblewrap.parent}:/usr/bin:/bin", "PYTHONPATH": str(REPOSITORY),
             "HOME": "/tmp"}, cwd="/tmp", capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-2000:]
    # It ran (exit 0), as the user, and could not see the repository.
    assert finished.stdout.split() == ["0", "65534", "False", "None"], finished.stdout


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"),
                    reason="the unprivileged sandbox is root's fallback; nobody runs the "
                           "system's Python (this venv's may sit under /root)")
def test_without_namespaces_root_still_runs_the_student_as_nobody(tmp_path):
    """A container that forbids namespaces: the student's code runs as nobody, cannot read
    what the grader made private, and nothing it started is left afterwards."""
    private = tmp_path / "grader"
    private.mkdir(mode=0o700)
    (private / "reference.py").write_text("secret")
    edition = tmp_path / "edition"
    edition.mkdir()
    sandbox.readable(edition)
    os.chmod(tmp_path, 0o755)
    code = ("import os, sys\n"
            "if os.fork() == 0:\n"
            f"    os.execve('/bin/sleep', ['sleep', '30'], {{'ATTACKER': {MARKER!r}}})\n"
            "try:\n"
            f"    open({str(private / 'reference.py')!r}).read(); seen = True\n"
            "except OSError:\n"
            "    seen = False\n"
            "print(os.getuid(), seen, end='')\n")
    finished = sandbox.run(["/usr/bin/python3", "-c", code], edition, b"",
                           sandbox.Limits(wall_seconds=60), "unprivileged")
    assert finished.channel.decode() == "65534 False", finished.printed
    assert processes_with_marker() == []
