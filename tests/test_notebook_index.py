"""``python -m labs --notebooks DIR`` writes ``DIR/README.md`` with one Colab link per notebook,
and pins the setup cell to the exporting commit (or the ref the instructor sets)."""

import contextlib
import io
import re
import shutil
import subprocess
import types

import nbformat
import pytest

import labs
from labs.machinery import catalog, notebook_index, notebooks

URL = "https://github.com/teacher/nn-lab.git"
COLAB_LINK = re.compile(r"\(https://colab\.research\.google\.com/github/([^)]+)\)")


def export(folder, **environment):
    """Run the front door's export with these environment variables; return the README and
    what it printed (``.out``, ``.err``). This repository holds the solutions, so it is the
    instructor's export (``--instructor``); the student export, from a student repository,
    is tested in ``tests/test_student_repository.py``."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        for key in (notebooks.REPOSITORY_URL_ENV, notebooks.REPOSITORY_REF_ENV,
                    notebook_index.BRANCH_ENV):
            patch.delenv(key, raising=False)
        for key, value in environment.items():
            patch.setenv(key, value)
        assert notebooks.main(str(folder), instructor=True) == 0
    printed = types.SimpleNamespace(out=out.getvalue(), err=err.getvalue())
    return (folder / "README.md").read_text(encoding="utf-8"), printed


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """``(folder, README, printed)`` of one export at ``URL`` with the links' branch set
    (``spring``), made once: the README test reads its links, the commit test its setup
    cells and what it printed (an export is about 0.6 s of CPU)."""
    folder = tmp_path_factory.mktemp("exported") / "notebooks"
    readme, printed = export(folder, LABS_REPOSITORY_URL=URL, LABS_NOTEBOOKS_BRANCH="spring")
    return folder, readme, printed


def recorded_ref(path):
    """The ref that a notebook's setup cell checks out, as written at export."""
    setup = nbformat.read(str(path), as_version=4).cells[0].source
    return re.search(r'os\.environ\.get\("LABS_REPOSITORY_REF", (.*)\)', setup).group(1)


def head():
    return subprocess.run(["git", "-C", str(labs.REPO), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_readme_has_one_colab_link_per_lab_and_task_at_the_configured_repository(exported):
    folder, readme, _ = exported
    links = COLAB_LINK.findall(readme)
    tasks = sorted(path.stem for path in (folder / "assignments").glob("*.ipynb"))
    assert tasks, "the export wrote no task notebooks"
    # The folder lies outside the repository, so the links place it at the repository's root.
    assert "lies outside the repository" in readme
    assert sorted(links) == sorted(
        [f"teacher/nn-lab/blob/spring/notebooks/{name}.ipynb" for name in catalog.names()]
        + [f"teacher/nn-lab/blob/spring/notebooks/assignments/{task}.ipynb" for task in tasks])
    for name in catalog.names():
        assert (folder / f"{name}.ipynb").is_file()
        row, = [line for line in readme.splitlines()
                if line.startswith(f"| [`{name}`]({name}.ipynb) |")]
        assert catalog.description(name) in row and f"/{name}.ipynb)" in row


def test_links_use_the_folder_path_inside_the_repository_and_non_github_gets_none(
        tmp_path, monkeypatch):
    monkeypatch.setenv(notebook_index.BRANCH_ENV, "main")
    monkeypatch.setattr(labs, "REPO", tmp_path)   # A repository with its notebooks in course/.
    inside = tmp_path / "course" / "notebooks"
    inside.mkdir(parents=True)
    index = notebook_index.write(inside, [inside / "tour.ipynb"], [],
                                  "git@github.com:teacher/nn-lab.git", "abc123")
    text = index.read_text()
    assert COLAB_LINK.findall(text) == ["teacher/nn-lab/blob/main/course/notebooks/tour.ipynb"]
    assert "outside the repository" not in text

    index = notebook_index.write(tmp_path, [tmp_path / "tour.ipynb"], [],
                                  "https://gitlab.com/teacher/nn-lab.git", "abc123")
    text = index.read_text()
    assert COLAB_LINK.findall(text) == [] and "Colab opens notebooks only from GitHub" in text
    assert "| [`tour`](tour.ipynb) |" in text


def test_links_open_the_commit_that_holds_the_notebooks_never_a_branch(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv(notebook_index.BRANCH_ENV, "main")
    monkeypatch.setattr(labs, "REPO", tmp_path)
    inside = tmp_path / "notebooks"
    inside.mkdir()
    commit, pinned = "c" * 40, "a" * 40
    index = notebook_index.write(inside, [inside / "tour.ipynb"],
                                  [inside / "assignments" / "adam.ipynb"], URL, pinned,
                                  link_commit=commit, pinned=True)
    text = index.read_text()
    assert COLAB_LINK.findall(text) == [f"teacher/nn-lab/blob/{commit}/notebooks/tour.ipynb",
                                        f"teacher/nn-lab/blob/{commit}/notebooks/assignments/"
                                        "adam.ipynb"]
    assert "/blob/main/" not in text and f"checks out `{pinned}`" in text

    # Pinned student notebooks that no commit holds (a folder outside the repository): no
    # links at all, rather than links to a branch.
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    index = notebook_index.write(outside, [outside / "tour.ipynb"], [], URL, pinned,
                                  pinned=True)
    text = index.read_text()
    assert COLAB_LINK.findall(text) == [] and "**No Colab links:**" in text


def test_placeholder_url_gives_no_links_and_says_so(tmp_path):
    readme, printed = export(tmp_path / "notebooks")
    assert "the repository URL is still the placeholder" in printed.out
    assert COLAB_LINK.findall(readme) == []
    assert "the repository URL is still the placeholder" in readme
    assert "LABS_REPOSITORY_URL=" in readme


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to read the commit")
def test_the_exporting_commit_is_recorded_in_every_setup_cell_unless_a_ref_is_set(
        exported, tmp_path):
    folder, readme, printed = exported
    commit = head()
    assert re.fullmatch(r"[0-9a-f]{40}", commit)
    notebooks = sorted(folder.glob("*.ipynb")) + sorted(folder.glob("assignments/*.ipynb"))
    assert len(notebooks) > len(catalog.names())
    assert {recorded_ref(path) for path in notebooks} == {repr(commit)}
    assert f"checks out `{commit}`" in readme and printed.err == ""
    assert f"clones {URL} at {commit}" in printed.out and "placeholder" not in printed.out

    folder = tmp_path / "notebooks"
    readme, _ = export(folder, LABS_REPOSITORY_URL=URL, LABS_REPOSITORY_REF="lesson-1")
    assert recorded_ref(folder / "tour.ipynb") == "'lesson-1'" and "`lesson-1`" in readme
    readme, _ = export(folder, LABS_REPOSITORY_URL=URL, LABS_REPOSITORY_REF="")
    assert recorded_ref(folder / "tour.ipynb") == "None"
    assert "takes the default branch as it is that day" in readme


def test_without_git_the_export_warns_and_falls_back_to_the_default_branch(
        tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda program: None)
    assert notebooks.exporting_commit() == (None, "git is not installed")
    readme, printed = export(tmp_path / "notebooks", LABS_REPOSITORY_URL=URL)
    error = printed.err
    assert recorded_ref(tmp_path / "notebooks" / "tour.ipynb") == "None"
    assert error.startswith("warning: git is not installed, so the notebooks are not pinned")
    assert error.count("\n") == 1 and "LABS_REPOSITORY_REF" in error
    assert "takes the default branch as it is that day" in readme


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/teacher/nn-lab.git", "teacher/nn-lab"),
    ("https://github.com/teacher/nn-lab", "teacher/nn-lab"),
    ("https://github.com/teacher/nn-lab/", "teacher/nn-lab"),
    ("git@github.com:teacher/nn-lab.git", "teacher/nn-lab"),
    ("https://gitlab.com/teacher/nn-lab.git", None),
    ("/srv/git/nn-lab", None),
])
def test_github_repository(url, expected):
    assert notebook_index.github_repository(url) == expected
