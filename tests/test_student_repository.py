# ASSIGNMENTS: INSTRUCTOR ONLY (it releases this repository, which needs the solutions)
"""A pinned student repository: ``release --git --remote``, push, export the notebooks in it,
and a notebook in a fresh kernel clones that commit and runs its lab.

A local bare repository stands in for the students' GitHub repository. The setup cell is
made to take its Colab path (it clones) by a first cell that registers a stand-in
``google.colab`` module, as ``tests/test_notebooks.py`` does for the setup cell alone.
"""

import ast
import contextlib
import io
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

import labs
from assignments import __main__ as assignments_cli
from assignments import release
from labs import __main__ as labs_cli
from labs.machinery import notebook_setup
from tests.test_notebooks import kernel_client

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

LAB = "loss_functions"   # A short lab (under a second) that the adam task does not touch.
GITHUB = "https://github.com/teacher/students.git"
EXPORTS_SEPARATOR = "=" * 20 + " next export " + "=" * 20
COLAB_LINK = re.compile(r"\(https://colab\.research\.google\.com/github/([^)]+)\)")


def git(folder, *arguments):
    return subprocess.run(["git", "-C", str(folder), *arguments], check=True,
                          capture_output=True, text=True).stdout.strip()


def student_environment(**extra):
    """This environment without the settings that would point the export or the kernel at
    this repository."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "MPLBACKEND", notebook_setup.REPOSITORY_URL_ENV,
                                  notebook_setup.REPOSITORY_REF_ENV, "LABS_NOTEBOOKS_BRANCH")}
    return {**environment, **extra}


def run(*arguments, cwd, **extra):
    return subprocess.run([sys.executable, *arguments], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=student_environment(**extra))


@pytest.fixture(scope="module")
def pushed(tmp_path_factory):
    """``release OUT --tasks adam --git --remote BARE`` through the command line's own main
    (``python -m assignments`` calls it; a release reads neither the environment nor the
    working folder), in this process, whose TensorFlow the release's catalogue of mistakes
    uses; then a push. Returns the folder, the bare repository and what the command printed."""
    folder = tmp_path_factory.mktemp("term")
    bare = folder / "students.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    out = folder / "release"
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        status = assignments_cli.main(["release", str(out), "--tasks", "adam", "--git",
                                       "--remote", str(bare), "--allow-dirty"])
    assert status == 0, errors.getvalue()[-2000:]
    git(out, "push", "--quiet", "origin", "main")
    return out, bare, printed.getvalue()


def test_release_git_is_one_commit_naming_the_tasks_with_the_remote_recorded(pushed):
    out, bare, printed = pushed
    commit = git(out, "rev-parse", "HEAD")
    assert git(out, "rev-list", "--count", "HEAD") == "1"
    assert git(out, "log", "-1", "--format=%s") == "Student edition, tasks handed out: adam"
    assert f"one commit {commit}" in printed
    assert git(out, "remote", "get-url", "origin") == str(bare)
    assert git(bare, "rev-parse", "main") == commit
    assert git(out, "status", "--porcelain") == "", "the release left files out of its commit"
    recorded = git(out, "show", f"HEAD:{release.REMOTE_FILE}").splitlines()
    assert recorded[-1] == str(bare) and all(line.startswith("#") for line in recorded[:-1])
    assert "TODO adam" in (out / "custom/optimizers/adam.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("url", [
    "https://github.com/teacher/students.git", "ssh://git@host.org/teacher/students.git",
    "git@github.com:teacher/students.git", "file:///srv/git/students.git",
    "/srv/git/students.git"])
def test_remote_urls_that_git_pushes_to_are_accepted(url):
    assert release.check_remote(url) == url


@pytest.mark.parametrize("url", ["students", "github.com/teacher/students",
                                 "https://github.com", "htps://github.com/teacher/s.git",
                                 "https://github.com/teacher/my students.git", ""])
def test_a_bad_remote_url_is_refused_before_anything_is_written(url, tmp_path):
    with pytest.raises(release.ReleaseError, match="is not a repository URL; use https://"):
        release.release_repository(tmp_path / "out", ["adam"], url, allow_dirty=True)
    assert not (tmp_path / "out").exists()


def test_release_git_errors_are_one_line(tmp_path, capsys, monkeypatch):
    def error_of(*arguments):
        assert assignments_cli.main(["release", *arguments]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1, error
        return error

    out = tmp_path / "out"
    assert "--remote needs --git" in error_of(str(out), "--remote", GITHUB)
    assert "is not a repository URL" in error_of(str(out), "--git", "--remote", "nowhere")
    out.mkdir()
    (out / "keep.txt").write_text("students' work")
    assert "is not empty" in error_of(str(out), "--git", "--allow-dirty")
    assert (out / "keep.txt").read_text() == "students' work"
    monkeypatch.setattr(release.shutil, "which", lambda program: None)
    assert "git is not installed" in error_of(str(tmp_path / "new"), "--git", "--allow-dirty")
    assert not (tmp_path / "new").exists()


def test_student_notebooks_from_the_instructor_repository_are_refused(tmp_path, capsys,
                                                                      monkeypatch):
    monkeypatch.delenv(notebook_setup.REPOSITORY_REF_ENV, raising=False)
    assert labs_cli.main(["--notebooks", str(tmp_path / "notebooks")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith("python -m labs: error: refusing to export student notebooks: "
                            "their setup cell would clone ")
    assert "--instructor" in error and "release OUT --git --remote URL" in error
    assert not (tmp_path / "notebooks").exists()


def test_the_instructor_repository_is_found_to_hold_solutions_and_a_release_not(pushed):
    out, _, _ = pushed
    path, what = notebook_setup.instructor_material(notebook_setup.repository_ref())
    assert (labs.REPO / path).is_file() and what
    # In the release, every file the export could look at is free of them; the same check,
    # run in a Python started there, reads the release's commit.
    check = run("-c", "from labs.machinery import notebook_setup as setup; "
                "print(setup.instructor_material(setup.repository_ref()))", cwd=out)
    assert check.returncode == 0 and check.stdout.strip() == "None", check.stderr[-2000:]


def setup_functions(tested):
    """The setup cell's version check, with ``TESTED`` set to ``tested``: name → function."""
    tree = ast.parse(notebook_setup.setup_cell(ref="0" * 40, tested=tested))
    kept = [node for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            or (isinstance(node, ast.FunctionDef)
                and node.name in ("version_numbers", "in_range", "check_tested_versions"))
            or (isinstance(node, ast.Assign) and node.targets[0].id == "TESTED")]
    namespace = {}
    exec(compile(ast.Module(body=kept, type_ignores=[]), "setup cell", "exec"), namespace)
    return namespace


def test_setup_cell_ranges_come_from_the_requirements():
    requirements = (labs.REPO / "requirements.txt").read_text(encoding="utf-8")
    ranges = notebook_setup.tested_ranges()
    assert set(ranges) == {"tensorflow", "keras", "numpy"}
    for package, specifiers in ranges.items():
        assert re.search(rf"^{package}{re.escape(specifiers)}\s", requirements, flags=re.M)
    assert f"TESTED = {ranges!r}" in notebook_setup.setup_cell(ref="0" * 40)


@pytest.mark.parametrize("version", ["1.25.2", "1.26", "1.26.0", "2.0.2", "2.16.1", "2.21.0",
                                     "2.22.0", "2.22", "3.0.0", "3.15.1", "4.0"])
@pytest.mark.parametrize("specifiers", [">=2.16,<2.22", ">=3.0,<4", ">=1.26,<3", "==2.0.2",
                                        "!=3.0.0", ">2.16,<=2.22"])
def test_setup_cell_range_check_agrees_with_packaging(version, specifiers):
    from packaging.specifiers import SpecifierSet

    in_range = setup_functions({})["in_range"]
    assert in_range(version, specifiers) == (version in SpecifierSet(specifiers))


def test_setup_cell_says_what_to_install_when_a_version_is_outside_the_tested_range(capsys):
    import numpy

    setup_functions(notebook_setup.tested_ranges())["check_tested_versions"]()
    assert capsys.readouterr().out == "", "this environment is inside the tested ranges"
    setup_functions({"numpy": ">=99", "keras": ">=3.0,<4",
                     "no-such-package-for-lab-tests": ">=1"})["check_tested_versions"]()
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"warning: numpy {numpy.__version__} is outside the range the labs were tested with, "
        ">=99",
        "warning: no-such-package-for-lab-tests (not installed) is outside the range the labs "
        "were tested with, >=1",
        "To install tested versions, run  %pip install 'numpy>=99' "
        "'no-such-package-for-lab-tests>=1'  then restart the session (Colab: Runtime → "
        "Restart session) and run this cell again."]


@pytest.mark.slow
def test_a_notebook_exported_in_the_release_clones_the_pinned_commit_and_runs(pushed,
                                                                            tmp_path):
    out, bare, _ = pushed
    pinned = git(out, "rev-parse", "HEAD")
    # Two exports by the release's own front door, one Python started in the release: the
    # notebooks for this test's kernel, then, with the students' GitHub repository as the
    # URL, a handout whose index is read at the end (each export commits its notebooks,
    # then its index).
    exported = run("-c", "import os\nfrom labs import __main__ as front_door\n"
                   "first = front_door.main(['--notebooks', 'notebooks'])\n"
                   f"print({EXPORTS_SEPARATOR!r})\n"
                   f"os.environ[{notebook_setup.REPOSITORY_URL_ENV!r}] = {GITHUB!r}\n"
                   "second = front_door.main(['--notebooks', 'handout'])\n"
                   f"print({EXPORTS_SEPARATOR!r}, first, second)", cwd=out)
    assert exported.returncode == 0, exported.stderr[-2000:]
    first_printed, second_printed, statuses = exported.stdout.split(EXPORTS_SEPARATOR)
    assert statuses.split() == ["0", "0"], exported.stdout[-2000:]
    assert f"their setup cell clones {bare} at {pinned}" in first_printed
    # The first export committed the notebooks (their code is the pinned commit's), then
    # the index; the second export's two commits came after them.
    notebooks_commit = git(out, "rev-parse", "HEAD~3")
    assert git(out, "rev-parse", f"{notebooks_commit}~1") == pinned
    assert git(out, "diff", "--name-only", pinned, notebooks_commit).splitlines() == sorted(
        path.relative_to(out).as_posix() for path in (out / "notebooks").rglob("*.ipynb"))
    git(out, "push", "--quiet", "origin", "main")   # The branch moves on past the pin.
    assert git(bare, "rev-parse", "main") != pinned

    notebook = nbformat.read(str(out / "notebooks" / f"{LAB}.ipynb"), as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')"))
    content = tmp_path / "content"   # An empty folder, as Colab's /content is.
    content.mkdir()
    env = student_environment(LABS_QUICK="1", PIP_NO_INDEX="1",
                              LABS_OUTPUTS=str(tmp_path / "outputs"))

    # The kernel starts in the folder of the path it is given: the empty one.
    kernel_client(notebook, content / f"{LAB}.ipynb", tmp_path).execute(env=env)

    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs]
    errors = [output for output in outputs if output.output_type == "error"]
    assert not errors, errors[0].get("evalue")
    text = "".join(output.get("text", "") for output in outputs)
    clone = content / "students"
    assert f"Checked out {pinned} of {bare}\n" in text
    assert f"Setup done: labs from {clone}\n" in text
    assert "outside the range" not in text
    assert f"Lab '{LAB}' (quick mode" in text
    assert git(clone, "rev-parse", "HEAD") == pinned
    assert "TODO adam" in (clone / "custom/optimizers/adam.py").read_text(encoding="utf-8")

    # With the students' GitHub repository as the URL, the index's Colab links open the
    # commit that holds the notebooks, never a branch.
    holding = git(out, "rev-parse", "HEAD~1")
    assert f"committed handout/ as {holding}" in second_printed
    links = COLAB_LINK.findall((out / "handout" / "README.md").read_text(encoding="utf-8"))
    assert links and all(link.startswith(f"teacher/students/blob/{holding}/handout/")
                         for link in links)
    for link in links:
        git(out, "cat-file", "-e", f"{holding}:{link.split('/', 4)[4]}")


@pytest.mark.parametrize("existed", [False, True])
def test_a_release_that_git_fails_on_leaves_the_folder_as_it_was(tmp_path, monkeypatch, existed):
    """The edition is written, then git's commit fails: the folder is removed (or emptied, if
    it was there and empty before), so that the same command can run again."""
    def write_edition(out, tasks, root, allow_dirty):
        out.mkdir(parents=True, exist_ok=True)
        (out / "README.md").write_text("the student edition\n")
        return ["README.md"]

    real_git = release.git

    def failing_commit(folder, *arguments):
        if arguments[0] == "commit":
            raise release.ReleaseError(f"git commit failed in {folder}: no space left")
        return real_git(folder, *arguments)

    monkeypatch.setattr(release, "release", write_edition)
    monkeypatch.setattr(release, "git", failing_commit)
    out = tmp_path / "out"
    if existed:
        out.mkdir()
    with pytest.raises(release.ReleaseError, match="no space left"):
        release.release_repository(out, ["adam"], GITHUB)
    assert out.exists() == existed and (not existed or list(out.iterdir()) == [])


def test_setup_cell_clones_a_file_url_at_the_pinned_commit(tmp_path, monkeypatch):
    """A file:// URL works as a local path does (the end-to-end test uses a path)."""
    from tests.test_notebooks import checked_out, run_setup_cell_as_colab, small_lab_repository

    source = tmp_path / "lab-repo"
    pinned, moved_on = small_lab_repository(source)
    content = tmp_path / "content"
    content.mkdir()
    monkeypatch.setenv(notebook_setup.REPOSITORY_REF_ENV, pinned)
    cell = notebook_setup.setup_cell()
    result = run_setup_cell_as_colab(cell, content, student_environment(
        PIP_NO_INDEX="1", **{notebook_setup.REPOSITORY_URL_ENV: source.as_uri()}))
    assert result.returncode == 0, result.stderr
    assert checked_out(content / "lab-repo") == (pinned, "pinned")
