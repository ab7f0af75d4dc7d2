"""Every lab and module cites the curriculum's chapters by title, never by their file numbers.

Students read the whole lab file: the header becomes the notebook's first cell, the markdown
cells are the lesson, the parameter comments become the parameters cell, and printed strings
and figure titles are output. "Seed 000" there reads like the lab's own ``--seed``, so a
chapter is cited as "Learning Algorithms", "The Learning Problem", "Gradient Descent" or the
session plan. The helper modules ``labs/_*.py`` print and plot too, so they are read as well.

So are the modules the labs are built on. The labs send students to ``custom/`` and
``callbacks/`` for the code they run (the NumPy network, the optimizers, the schedules, the
diagnostics), and ``datasets/`` makes their data; in the assignments students write tasks
into those modules' solution regions, and ``assignments/`` names their mistakes in what it
prints; ``benchmarks/`` prints and writes the tables the README quotes. Their docstrings,
comments and strings follow the same rule. Only source files are checked: test fixtures and
generated data are not read as prose.
"""

import re

import pytest

from labs import REPO
from labs.machinery import catalog

# "seed 000" to "Seeds 004", "the seed's rules" and "the seeds' examples": a chapter cited as
# a seed. The lab's own seed ("--seed", "seed 0", "seeds 0–9", "the seed") does not match.
CHAPTER_AS_SEED = re.compile(r"\b[Ss]eeds? 00[0-4]\b|\b[Ss]eed's\b|\b[Tt]he seeds'")

# What the lessons use: their machinery and their helpers (labs/machinery/, labs/helpers/).
HELPERS = sorted(path for folder in ("machinery", "helpers")
                 for path in (catalog.LESSONS / folder).glob("*.py"))

# The modules under the labs, every ``*.py`` at any depth; never a fixture or a cache.
MODULE_FOLDERS = ("custom", "callbacks", "datasets", "assignments", "benchmarks")
MODULES = sorted(path for folder in MODULE_FOLDERS for path in (REPO / folder).rglob("*.py")
                 if not {"fixtures", "__pycache__"} & set(path.relative_to(REPO).parts))


def offending_lines(path):
    """``line number: line`` for every line of ``path`` that cites a chapter as a seed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [f"{number}: {line.strip()}" for number, line in enumerate(lines, start=1)
            if CHAPTER_AS_SEED.search(line)]


def test_the_pattern_tells_a_chapter_from_the_labs_own_seed():
    """The check itself: it must catch a chapter cited as a seed, and nothing else."""
    chapters = ["Follows: seed 000 (sections 1.2)", "Seed 001's XOR network",
                "as in seeds 000 and 001", "the seed's rules", "The seeds' step size",
                "on the seeds' examples", "a seed 004 check"]
    own_seeds = ["--seed 7", "with seed 0 in full mode", "seeds 0–9", "seed=lab.seed",
                 "drawn from the seed", "keras.utils.set_random_seed(lab.seed)",
                 "seed 42", "for seed in range(3)", "a seed 0042 run", "seed_rules(history)"]
    assert [text for text in chapters if not CHAPTER_AS_SEED.search(text)] == []
    assert [text for text in own_seeds if CHAPTER_AS_SEED.search(text)] == []


@pytest.mark.parametrize("name", catalog.names())
def test_lab_cites_chapters_by_title(name):
    found = offending_lines(catalog.path(name))
    assert not found, f"labs/{name}.py cites a chapter as a seed:\n" + "\n".join(found)


@pytest.mark.parametrize("path", HELPERS, ids=[path.name for path in HELPERS])
def test_helper_cites_chapters_by_title(path):
    found = offending_lines(path)
    assert not found, f"labs/{path.name} cites a chapter as a seed:\n" + "\n".join(found)


@pytest.mark.parametrize("path", MODULES,
                         ids=[path.relative_to(REPO).as_posix() for path in MODULES])
def test_module_cites_chapters_by_title(path):
    found = offending_lines(path)
    name = path.relative_to(REPO).as_posix()
    assert not found, f"{name} cites a chapter as a seed:\n" + "\n".join(found)


def test_every_lab_and_helper_is_checked():
    assert len(catalog.names()) >= 10 and len(HELPERS) >= 10


def test_every_module_folder_is_checked():
    checked = {path.relative_to(REPO).parts[0] for path in MODULES}
    assert checked == set(MODULE_FOLDERS)
    assert len(MODULES) >= 80
