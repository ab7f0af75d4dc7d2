"""The front door, run as a real command: --list, an unknown lab, our datasets package."""

import subprocess
import sys

import pytest

import labs
from assignments import cells
from labs.machinery import catalog

REPO = labs.REPO


def run(*args, env=None, cwd=REPO):
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def test_list_prints_every_lab_name_first_then_a_description():
    result = run("-m", "labs", "--list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == catalog.names()
    for line in lines:
        assert len(line.split(None, 1)) == 2, f"no description: {line!r}"


def test_unknown_lab_is_one_line_exit_2_listing_valid_names():
    result = run("-m", "labs", "no_such_lab")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "unknown lab 'no_such_lab'; choose from: tour" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_zero_epochs_is_one_line_exit_2_without_traceback(tmp_path):
    result = run("-m", "labs", "tour", "--epochs", "0", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == "python -m labs tour: error: epochs must be >= 1, got 0"


def test_every_lab_has_a_docstring_with_title_and_run_time():
    for name in catalog.names():
        text = catalog.path(name).read_text(encoding="utf-8")
        assert catalog.description(name) != "(no description)", name
        assert "Run time:" in text.split('"""')[1], f"{name}: header gives no run time"
        assert any(cell.marker for cell in cells.cells(text)), f"{name}: no percent cells"


def test_our_datasets_package_wins_over_an_installed_one(tmp_path):
    """A Hugging Face-like ``datasets`` on the path must not shadow ours."""
    fake = tmp_path / "site" / "datasets"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("FAKE = True\n")
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}
    # From the repository root, as `python -m labs` runs: the file `import datasets` loads,
    # found by the import system's own search without running it (NumPy stays unimported).
    result = run("-c", "import importlib.util; print(importlib.util.find_spec('datasets').origin)",
                 env=env)
    assert result.stdout.strip() == str(REPO / "datasets" / "__init__.py"), result.stderr
    # In a kernel where the other package was imported first, importing labs swaps it out.
    code = ("import sys; sys.path.remove(''); import datasets; assert datasets.FAKE; "
            f"sys.path.append({str(REPO)!r}); import labs, datasets; print(datasets.__file__)")
    result = run("-c", code, env=env, cwd=tmp_path)
    assert result.stdout.strip() == str(REPO / "datasets" / "__init__.py"), result.stderr
