"""Every lab exports to a valid notebook, and a real Jupyter kernel runs the exported notebooks.

The parameters cell and the README index have their own tests in
``tests/test_notebook_parameters.py`` and ``tests/test_notebook_index.py``.

The kernel is this interpreter (``sys.executable -m ipykernel_launcher``), started through a
kernelspec written to a temporary folder, so the test needs no installed kernelspec. Two labs'
notebooks and a ``callbacks.LivePlot`` cell run in one kernel session, started once for this
module, tests/test_predictions.py and tests/test_sessions.py (``tests/_kernel_session.py``).
"""

import ast
import json
import os
import shutil
import subprocess
import sys

import matplotlib.image
import nbformat
import pytest

import labs
from assignments import cells as cells_reader
from assignments import markers
from labs import __main__ as front_door
from labs.machinery import catalog, notebook_parameters, notebooks, output
from tests import _kernel_session


def percent_cells(source):
    """The header and the ``(kind, text)`` cells of a percent-format script, as the one reader
    of the format reads them (``assignments/cells.py``), without the answer cells, which are
    in the instructor's export only."""
    found = cells_reader.cells(markers.without_answer_cells(source))
    header = found[0].text if found and found[0].marker is None else ""
    return header, [(cell.kind, cell.text) for cell in found if cell.marker is not None]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebooks")
    return folder, notebooks.export(folder)


def test_export_writes_one_valid_notebook_per_lab(exported):
    folder, paths = exported
    assert paths == [folder / f"{name}.ipynb" for name in catalog.names()]
    for path in paths:
        notebook = nbformat.read(str(path), as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", catalog.names())
def test_notebook_is_setup_cell_then_the_lab_cell_for_cell(name, exported):
    folder, _ = exported
    notebook = nbformat.read(str(folder / f"{name}.ipynb"), as_version=4)
    setup, *cells = notebook.cells
    assert setup.cell_type == "code" and setup.metadata.tags == ["setup"]
    assert setup.source == notebooks.setup_cell()

    header, lab_cells = percent_cells(catalog.path(name).read_text(encoding="utf-8"))
    docstring = ast.get_docstring(ast.parse(header)) if header else None
    if docstring:  # The header docstring becomes the lesson's first markdown cell.
        first = cells.pop(0)
        assert first.cell_type == "markdown"
        assert first.source.startswith(docstring.splitlines()[0].replace("``", "`"))
    parameters = cells.pop(0)  # Then the parameters cell, before the lab's own cells.
    assert parameters.metadata.tags == ["parameters"]
    assert [(cell.cell_type, cell.source.strip()) for cell in cells] == lab_cells
    markdown = [cell for cell in cells if cell.cell_type == "markdown"]
    assert markdown and all(len(cell.source.split()) >= 5 for cell in markdown), \
        f"{name}: the lesson text is missing from the notebook"


def test_notebook_outputs_go_to_the_repository_outputs_folder(monkeypatch, tmp_path):
    """Opened from labs/ (jupytext), outputs still land in the repository's outputs/."""
    monkeypatch.delenv(output.OUTPUTS_ENV, raising=False)
    monkeypatch.chdir(labs.REPO / "labs")
    assert output.default_folder("demo", notebook=True) == str(labs.REPO / "outputs" / "demo")
    assert output.default_folder("demo", notebook=False) == os.path.join("outputs", "demo")
    monkeypatch.chdir(labs.REPO)  # Where the exported notebooks' setup cell moves to.
    assert output.default_folder("demo", notebook=True) == os.path.join("outputs", "demo")
    monkeypatch.setenv(output.OUTPUTS_ENV, str(tmp_path))
    assert output.default_folder("demo", notebook=True) == str(tmp_path / "demo")


def run(*args, cwd=labs.REPO, env=None):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_front_door_exports_and_rejects_a_bad_folder(tmp_path, capsys):
    # --instructor: this repository may hold the solutions, and then only the instructor's
    # export is allowed (the student export: tests/test_student_repository.py). The export
    # through the front door's own main, in this process, whose TensorFlow reading the labs'
    # blocks needs; the refusals below as real commands (they answer before any import).
    assert front_door.main(["--notebooks", str(tmp_path / "notebooks"), "--instructor"]) == 0
    printed = capsys.readouterr()
    assert sorted(path.name for path in (tmp_path / "notebooks").glob("*.ipynb")) == sorted(
        f"{name}.ipynb" for name in catalog.names())
    assert len(list((tmp_path / "notebooks" / "assignments").glob("*.ipynb"))) >= 1
    assert (tmp_path / "notebooks" / "README.md").is_file()
    assert f"{tmp_path / 'notebooks' / 'README.md'}\n" in printed.out, printed.err

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("-m", "labs", "--notebooks", str(blocker / "notebooks"), "--instructor")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot write to output folder" in result.stderr and str(blocker) in result.stderr

    result = run("-m", "labs", "--notebooks")
    assert result.returncode == 2
    assert result.stderr == "python -m labs: error: --notebooks needs one folder, " \
                            "e.g. --notebooks notebooks/ (then --instructor to keep the answers)\n"


def test_answer_cells_are_in_the_instructors_export_only(tmp_path, monkeypatch):
    lab = tmp_path / "demo.py"
    lab.write_text('''"""A demo lab."""

# %% [markdown]
# ## Exercises
# 1. Halve the learning rate: how many epochs does it take now?

# %% [markdown] tags=["answer"]
# **Answer.** About twice as many.

# %%
print("the lab goes on")
''', encoding="utf-8")
    monkeypatch.setattr(catalog, "path", lambda name: lab)
    monkeypatch.setattr(notebook_parameters, "cell_source", lambda name: "# Parameters")

    def sources(instructor):
        notebook = notebooks.notebook("demo", ref="0" * 40, instructor=instructor)
        return [cell.source for cell in notebook.cells]

    assert not any("About twice as many" in source for source in sources(False))
    assert any("About twice as many" in source for source in sources(True))
    assert any("Halve the learning rate" in source for source in sources(False))


def test_the_export_picks_cells_by_the_one_cell_reader_on_a_tricky_lab(tmp_path, monkeypatch):
    """Markers shown as text, tags with spaces, CRLF line ends, an answer cell ending the
    file: the export keeps the cells the reader keeps, the answers only for the instructor,
    and the your-prediction cell stays editable."""
    from tests.test_classroom import TRICKY_LAB

    lab = tmp_path / "demo.py"
    monkeypatch.setattr(catalog, "path", lambda name: lab)
    monkeypatch.setattr(notebook_parameters, "cell_source", lambda name: "# Parameters")
    for text in (TRICKY_LAB, TRICKY_LAB.replace("\n", "\r\n")):
        lab.write_bytes(text.encode("utf-8"))
        for instructor in (False, True):
            exported = notebooks.notebook("demo", ref="0" * 40, instructor=instructor)
            kept = cells_reader.cells(text if instructor else markers.without_answer_cells(text))
            header, parameters, *lab_cells = exported.cells[1:]
            assert header.source.startswith("A lab whose header shows a marker as text")
            assert [(cell.cell_type, cell.metadata.get("tags", []), cell.source.strip())
                    for cell in lab_cells] == [(cell.kind, list(cell.tags), cell.text)
                                               for cell in kept[1:]]
            answers = [cell for cell in lab_cells if "answer" in cell.metadata.get("tags", [])]
            assert len(answers) == (2 if instructor else 0)
            answering, = [cell for cell in lab_cells
                          if "your-prediction" in cell.metadata.get("tags", [])]
            assert answering.metadata["editable"] and not answering.metadata["deletable"]


def run_setup_cell_as_colab(cell, cwd, env):
    """Run the setup cell in a fresh interpreter that looks like Colab; print what it did."""
    script = cwd.parent / "colab_setup.py"
    script.write_text('import sys, types\nsys.modules["google.colab"] = types.ModuleType("colab")\n'
                      + cell + '\nprint("RESULT", labs.__file__, os.getcwd())\n')
    return run(str(script), cwd=cwd, env=env)


GIT = ["git", "-c", "user.name=lab", "-c", "user.email=lab@example.org"]


def small_lab_repository(source):
    """A git repository with just enough of the lab for the setup cell; its first commit is
    'pinned', and a second commit moves the branch on. Returns both commits."""
    (source / "labs" / "machinery").mkdir(parents=True)
    (source / "labs" / "__init__.py").write_text("")
    (source / "labs" / "machinery" / "runtime.py").write_text("")
    (source / "custom").mkdir()
    (source / "custom" / "__init__.py").write_text("")
    (source / "custom" / "quiet_import.py").write_text(
        "def import_tensorflow_quietly():\n    pass\n")
    (source / "requirements.txt").write_text("numpy>=1  # installed\npytest>=1\n")
    commits = []
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    for version in ("pinned", "moved on"):
        (source / "version.txt").write_text(version)
        subprocess.run([*GIT, "-C", str(source), "add", "."], check=True)
        subprocess.run([*GIT, "-C", str(source), "commit", "-q", "-m", version], check=True)
        commits.append(subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], check=True,
                                      capture_output=True, text=True).stdout.strip())
    return commits


def checked_out(clone):
    """The commit and the version.txt of a clone."""
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    return head, (clone / "version.txt").read_text()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to clone")
def test_colab_setup_clones_the_pinned_commit_chdirs_and_installs_only_what_is_missing(
        tmp_path, monkeypatch):
    """In Colab the setup cell clones the repository, checks out the commit pinned at export
    even though the branch has moved on since, enters it and pip-installs only missing
    packages. A small local repository stands in for the real one, and pip has no index."""
    source = tmp_path / "lab-repo"
    pinned, moved_on = small_lab_repository(source)
    content = tmp_path / "content"  # Colab's working directory.
    content.mkdir()
    monkeypatch.delenv(notebooks.REPOSITORY_URL_ENV, raising=False)
    monkeypatch.setenv(notebooks.REPOSITORY_REF_ENV, pinned)   # Set when exporting.
    cell = notebooks.setup_cell()
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", notebooks.REPOSITORY_REF_ENV)}

    result = run_setup_cell_as_colab(cell, content, env)
    assert result.returncode != 0 and "is still a placeholder" in result.stderr

    env.update({"LABS_REPOSITORY_URL": str(source), "PIP_NO_INDEX": "1"})
    result = run_setup_cell_as_colab(cell, content, env)
    clone = content / "lab-repo"
    assert result.returncode == 0, result.stderr
    assert f"RESULT {clone / 'labs' / '__init__.py'} {clone}" in result.stdout
    assert checked_out(clone) == (pinned, "pinned")
    assert f"Checked out {pinned}" in result.stdout
    assert "Installing" not in result.stdout

    # Run again from inside the clone, now that it asks for a package that is not installed.
    with open(clone / "requirements.txt", "a") as requirements:
        requirements.write("no-such-package-for-lab-tests==1.0\n")
    result = run_setup_cell_as_colab(cell, clone, env)
    assert "Installing what Colab lacks: no-such-package-for-lab-tests==1.0\n" in result.stdout
    assert result.returncode != 0  # pip has no index to install it from.
    assert not (content / "lab-repo" / "lab-repo").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to clone")
def test_colab_setup_ref_set_in_colab_wins_and_a_missing_ref_leaves_no_clone(tmp_path,
                                                                           monkeypatch):
    """LABS_REPOSITORY_REF set in Colab overrides the exported commit: another commit, a tag,
    or nothing for the default branch. A ref that the repository lacks stops the cell."""
    source = tmp_path / "lab-repo"
    pinned, moved_on = small_lab_repository(source)
    monkeypatch.setenv(notebooks.REPOSITORY_REF_ENV, pinned)
    cell = notebooks.setup_cell()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env.update({"LABS_REPOSITORY_URL": str(source), "PIP_NO_INDEX": "1"})
    subprocess.run([*GIT, "-C", str(source), "tag", "lesson-1", pinned], check=True)
    for ref, expected in ((moved_on, (moved_on, "moved on")), ("", (moved_on, "moved on")),
                          ("lesson-1", (pinned, "pinned"))):
        content = tmp_path / f"content-{ref or 'default'}"
        content.mkdir()
        env[notebooks.REPOSITORY_REF_ENV] = ref   # %env LABS_REPOSITORY_REF=... in Colab.
        result = run_setup_cell_as_colab(cell, content, env)
        assert result.returncode == 0, result.stderr
        assert checked_out(content / "lab-repo") == expected

    content = tmp_path / "content-missing"
    content.mkdir()
    env[notebooks.REPOSITORY_REF_ENV] = "no-such-tag"
    result = run_setup_cell_as_colab(cell, content, env)
    assert result.returncode != 0
    assert f"could not check out no-such-tag of {source}" in result.stderr
    assert not (content / "lab-repo").exists(), "a failed checkout must not leave the clone"


def expected_figures(name):
    """The ``.png`` file names that the lab's source passes as string literals."""
    tree = ast.parse(catalog.path(name).read_text(encoding="utf-8"))
    return sorted({node.value for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)
                   and node.value.endswith(".png")})


def kernel_client(notebook, path, tmp_path, client_class=None):
    """An nbclient client (``client_class``, by default ``NotebookClient``) for ``notebook``
    (saved at ``path``) on a kernel of this interpreter."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    kernels = tmp_path / "kernels"
    (kernels / "labs-under-test").mkdir(parents=True, exist_ok=True)
    (kernels / "labs-under-test" / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "labs under test", "language": "python"}))
    manager = KernelManager(kernel_name="labs-under-test",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    return (client_class or NotebookClient)(
        notebook, km=manager, kernel_name="labs-under-test", timeout=240, startup_timeout=120,
        resources={"metadata": {"path": str(path.parent)}},
        extra_arguments=["--HistoryManager.hist_file=:memory:"])


def execute(path, tmp_path, env):
    """Run the notebook at ``path`` through a kernel of this interpreter; return it executed."""
    notebook = nbformat.read(str(path), as_version=4)
    kernel_client(notebook, path, tmp_path).execute(env=env)
    return notebook


def outputs_and_text(executed):
    """Every output of an executed notebook's code cells, and their printed text; fails if
    any cell raised."""
    every_output = [output for cell in executed.cells if cell.cell_type == "code"
                    for output in cell.outputs]
    assert not [output for output in every_output if output.output_type == "error"]
    return every_output, "".join(output.get("text", "") for output in every_output)


@pytest.mark.slow
@pytest.mark.parametrize("name", _kernel_session.LABS)
def test_exported_notebook_runs_in_a_real_kernel_in_quick_mode(name, one_kernel_session):
    """Each lab's exported notebook, run top to bottom in quick mode in one real kernel
    session, one after the other (``tests/_kernel_session.py``)."""
    outputs = one_kernel_session.outputs[name]
    cells = one_kernel_session.cells[name]
    every_output, text = outputs_and_text(nbformat.v4.new_notebook(cells=cells))
    assert f"Lab '{name}' (quick mode" in text, "LABS_QUICK=1 did not reach the kernel"
    assert f"Setup done: labs from {labs.REPO}\n" in text
    assert "rebuild TensorFlow" not in text and "absl::InitializeLog" not in text
    inline = [output for output in every_output if "image/png" in output.get("data", {})]
    assert len(inline) >= len(expected_figures(name)) >= 1, "figures were not shown inline"
    for figure in expected_figures(name):
        saved = outputs / name / figure
        assert saved.is_file(), f"{saved} was not saved"
        # What is drawn, read from the pixels: one titled curve with its axes inks about
        # 3 % of a figure, empty axes about 1 %, a blank figure nothing.
        pixels = matplotlib.image.imread(saved)  # (height, width, channels), in [0, 1]
        ink = (pixels[..., :3] < 0.9).any(axis=-1).mean()
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100 and ink > 0.02, \
            f"{saved}: {pixels.shape[:2]} pixels, {ink:.1%} inked"
    if name == _kernel_session.LABS[-1]:   # Its notebook ends with the progress bar's cell,
        # which must redraw its line rather than add lines.
        progress = "".join(output.get("text", "") for output in cells[-1].outputs)
        assert "Epoch 2/2" in progress and "\r" in progress


@pytest.mark.slow
def test_live_plot_in_a_real_kernel_updates_its_figure_in_place(one_kernel_session):
    """``callbacks.LivePlot`` (tests/test_live_plot.py) in a real kernel, after the labs'
    notebooks in the same kernel session: its cell (``_kernel_session.LIVE_PLOT_CELL``)
    shows one figure and updates it in place; every message the cell got is recorded."""
    cell, = one_kernel_session.cells[_kernel_session.LIVE_PLOT]
    messages = one_kernel_session.messages[_kernel_session.LIVE_PLOT]
    outputs = cell.outputs
    assert not [output for output in outputs if output.output_type == "error"], outputs
    shown = [display_id for kind, display_id in messages if kind == "display_data"]
    updates = [display_id for kind, display_id in messages if kind == "update_display_data"]
    assert len(shown) == 1 and shown[0] is not None, "one figure, shown once with a display id"
    # Two runs of six epochs, each epoch drawn (no throttle here): one display, 11 updates.
    assert len(updates) == 2 * 6 - 1 and set(updates) == set(shown)
    text = "".join(output.get("text", "") for output in outputs)
    assert "before training" in text, "the cell's earlier output was cleared"
    assert "after training notebook 12" in text and "epoch" not in text
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(images) == 1, "the figure was appended instead of updated in place"
