"""The class plans (labs/machinery/sessions.py), labs/SESSIONS.md rendered from them, and the
session notebooks that run a plan in one kernel.

Each plan is a row of slots from minute 0 to at most 50, set-up first; every lab of the
catalogue is in exactly one plan; a lab is named with its own full-mode run time from
benchmarks/results.md ("`NAME` (N s)"); a question put to the room is the lab's prediction
cell with the lab's default values put in, and no plan asks one twice; the closing
questions' model answers reach the instructor's edition only.
"""

import collections
import json
import re
import subprocess
import sys

import nbformat
import pytest

import labs
from benchmarks import _publish, results, session_setup
from labs.machinery import (catalog, classroom, hyperparameters, notebooks, session_notebooks,
                            sessions, sessions_text)

RESULTS_TEXT = _publish.RESULTS.read_text(encoding="utf-8")
RESULTS = _publish.read(RESULTS_TEXT)
QUESTION = re.compile(r'^- `(\w+)`, Predict (\d+): "(.+)"$', re.M)
# Two questions whose words overlap this much ask the same thing: schedules' and lr_finder's
# "which ends with the lowest training loss after N epochs?", read aloud, overlap by 0.30;
# two questions of one plan by at most 0.25 today (minibatch's first two, debugging's 1 and 4).
SAME_QUESTION = 0.27
# The question "do two computations agree: exactly, to float32 rounding, or visibly not?",
# which six labs ask in their own words: a plan asks it at most once.
AGREEMENT = (re.compile(r"exactly (?:0|equal)"), re.compile(r"round|1e-7"))


@pytest.fixture(scope="module")
def defaults():
    """Every lab's defaults, read once (each read runs the lab's block)."""
    return {name: sessions.lab_defaults(name) for name in catalog.names()}


def test_every_lab_is_in_exactly_one_plan():
    counted = collections.Counter(lab for a_plan in sessions.PLANS for lab in a_plan.labs())
    assert sorted(counted) == sorted(catalog.names())
    assert [lab for lab, count in counted.items() if count > 1] == []


def test_each_plan_runs_from_minute_0_without_a_gap_and_fits_50_minutes():
    assert [a_plan.number for a_plan in sessions.PLANS] == list(range(1, len(sessions.PLANS) + 1))
    for a_plan in sessions.PLANS:
        slots = sessions.slots(a_plan)
        assert slots[0][0] == 0 and "Set-up" in slots[0][2]
        for (_, end, *_), (start, *_) in zip(slots, slots[1:]):
            assert end == start, f"plan {a_plan.number}: a gap or overlap at minute {end}"
        assert all(end > start for start, end, *_ in slots)
        assert slots[-1][1] == a_plan.minutes() <= sessions.SESSION_MINUTES


def test_each_slot_holds_its_measured_run_and_the_set_up_its_measured_time():
    setup = _publish.read_session_setup(RESULTS_TEXT)
    assert setup["total"] == pytest.approx(setup["kernel"] + setup["clone"] + setup["import"]
                                           + setup["install"], abs=0.2)
    assert sessions.SETUP_MINUTES * 60 >= setup["total"]
    for a_plan in sessions.PLANS:
        for start, end, _, lab, _ in sessions.slots(a_plan):
            if lab:
                assert (end - start) * 60 >= RESULTS["labs"][lab]["full_command"], lab
        computer = setup["total"] + sum(RESULTS["labs"][lab]["full_command"]
                                        for lab in a_plan.labs())
        assert computer <= sessions.SESSION_MINUTES * 60


def test_session_setup_section_is_written_and_read_back_by_every_results_writer():
    seconds = {"kernel": 1.2, "clone": 1.6, "import": 9.8, "install": 3.3, "total": 15.9}
    section = session_setup.section(seconds, "2026-12-05 16:41 UTC", 7.1)
    text = results.report({"tour": {"full": (6.5, 10.7), "quick": (3.1, 7.3)}}, 385,
                          [_publish.RATIO_HEADER, "|---|---|---|"], "Measured then.",
                          session_section=section)
    assert _publish.read_session_setup(text) == seconds
    assert session_setup.section_of(text) == section
    assert _publish.read(text)["labs"]["tour"]["full_own"] == 6.5
    assert session_setup.section_of(RESULTS_TEXT) != ""
    with pytest.raises(ValueError, match="no session set-up line"):
        _publish.read_session_setup(text.replace(section, ""))


def test_sessions_md_is_what_the_plans_render():
    """Regenerate with ``python -m labs.machinery.sessions_text --write`` when this fails."""
    assert sessions_text.PATH.read_text(encoding="utf-8") == sessions_text.render(), (
        "labs/SESSIONS.md is out of date: run python -m labs.machinery.sessions_text --write")


def test_every_lab_named_exists_and_quotes_its_measured_run_time():
    text = sessions_text.PATH.read_text(encoding="utf-8")
    quoted = list(_publish.SESSION_QUOTE.finditer(text))
    assert len({found.group(1) for found in quoted}) == len(catalog.names())
    for found in quoted:
        assert found.group(1) in catalog.names(), f"no lab {found.group(1)!r}"
        assert found.group(0) == _publish.session_quote(RESULTS, found)


def test_every_question_is_its_labs_prediction_cell_read_aloud(defaults):
    text = sessions_text.PATH.read_text(encoding="utf-8")
    asked = QUESTION.findall(text)
    assert len(asked) == sum(len(part.questions) for a_plan in sessions.PLANS
                             for part in a_plan.parts)
    for name, number, question in asked:
        cell = classroom.predictions(classroom.lab_source(name))[int(number)]
        assert question == sessions.spoken(cell, defaults[name])
        named = set(re.findall(r"`(\w+)`", question))
        assert not named & set(defaults[name]), f"{name} {number}: {named & set(defaults[name])}"
        assert "unless you changed" not in question


def words(text):
    return set(re.findall(r"[a-z0-9]+", text.lower())) - {"the", "a", "of", "and", "or", "to",
                                                           "in", "will", "which", "its", "it"}


def overlap(first, second):
    return len(words(first) & words(second)) / len(words(first) | words(second))


def is_agreement(question):
    return all(pattern.search(question) for pattern in AGREEMENT)


def test_the_same_question_rules_catch_known_near_duplicates():
    lowest = ("Which of the three rates ends with the lowest training loss after 30 epochs: "
              "the suggestion, 10× it, or 1/100 of it?")
    also_lowest = ("Which of the six runs (the constant rate and the five schedules) ends with "
                   "the lowest training loss after 100 epochs, and which has the largest end "
                   "noise? Where does the constant rate rank?")
    assert overlap(lowest, also_lowest) > SAME_QUESTION
    assert is_agreement("How far apart will the final weights be: exactly equal, about 1e-7 "
                        "(float32 rounding), or visibly different?")
    assert is_agreement("How large is the largest difference: exactly 0, about float32's "
                        "rounding (1e-7 to 1e-6), or large enough to see in the curves?")
    assert not is_agreement(lowest) and not is_agreement(also_lowest)


def test_no_plan_asks_a_question_twice(defaults):
    for a_plan in sessions.PLANS:
        asked = sessions.questions(a_plan, defaults)
        assert len({(lab, number) for lab, number, _ in asked}) == len(asked)
        for at, (lab, number, text) in enumerate(asked):
            # Across labs: one lab's questions each reveal a different measurement, and
            # share their setting's words (seven runs, the classifier's labels).
            for other_lab, other_number, other in asked[at + 1:]:
                if other_lab == lab:
                    continue
                assert overlap(text, other) <= SAME_QUESTION, (
                    f"plan {a_plan.number}: {lab} {number} and {other_lab} {other_number} "
                    "ask the same thing")
        agreement = [(lab, number) for lab, number, text in asked if is_agreement(text)]
        assert len(agreement) <= 1, (f"plan {a_plan.number} asks whether runs agree twice: "
                                     f"{agreement}")


@pytest.mark.parametrize("question, expected", [
    ("factor `factor`, patience `plateau_patience`", "factor 0.3, patience 3"),
    ("after `epochs` epochs (30 in a full run): the suggestion",
     "after 30 epochs: the suggestion"),
    ("η = `rate` (0.01 as in \"Gradient Descent\", unless you changed it) and",
     "η = 0.01 (as in \"Gradient Descent\") and"),
    ("ε (`tol`, 10⁻³ by default), at", "ε (0.001), at"),
    ("the 2-4-1 networks (`units`), and", "the 2-4-1 networks, and"),
    ("(4-16-8-3 unless you changed `sizes`)", "(4-16-8-3)"),
    ("bias at `bias` and `model.fit`", "bias at −1 and `model.fit`"),
    ("a hair at (1, `offset`)", "a hair at (1, 1e-6)"),
])
def test_spoken_puts_in_the_values_and_drops_the_asides(question, expected):
    values = {"factor": 0.3, "plateau_patience": 3, "epochs": 30, "rate": 0.01, "tol": 0.001,
              "units": 4, "sizes": [16, 8], "bias": -1.0, "offset": 1e-6}
    assert sessions.spoken(question, values) == expected


def test_a_plan_that_names_a_missing_question_is_refused(defaults):
    broken = sessions.Plan(9, "t", "o", (sessions.Part(5, "a", "curvature", (99,)),),
                            "Quiz", "q", 3)
    with pytest.raises(ValueError, match="curvature question 99"):
        sessions.questions(broken, defaults)
    with pytest.raises(ValueError, match="session must be one of"):
        sessions.plan(9)


def test_session_notebook_is_setup_then_each_lab_as_its_own_notebook_has_it():
    a_plan = sessions.plan(3)
    for instructor in (False, True):
        notebook = session_notebooks.notebook(3, "abc123", instructor)
        cells = notebook.cells
        assert cells[0].metadata["tags"] == ["setup"]
        assert cells[0].source == notebooks.setup_cell("abc123")
        assert sum("Setup done" in cell.source for cell in cells) == 1
        at = 2
        for lab in a_plan.labs():
            assert cells[at].source.startswith("## Part") and f"`{lab}`" in cells[at].source
            assert f"begin_part({lab!r})" in cells[at + 1].source
            own = notebooks.notebook(lab, "abc123", instructor).cells[1:]
            assert [cell.source for cell in cells[at + 2:at + 2 + len(own)]] == [
                cell.source for cell in own]
            at += 2 + len(own)
        assert a_plan.closing_question in cells[at].source
        answers = [cell for cell in cells[at + 1:] if "answer" in cell.metadata.get("tags", [])]
        if instructor and 3 in sessions.MODEL_ANSWERS:   # The student edition has none.
            assert [cell.source for cell in answers] == [
                f"**Model answer.** {sessions.MODEL_ANSWERS[3]}"]
        else:
            assert answers == []
        if not instructor:
            assert not any("answer" in cell.metadata.get("tags", []) for cell in cells)


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "labs", *args], cwd=labs.REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_render_command_refuses_other_arguments(capsys):
    assert sessions_text.main(["--wrtie"]) == 2
    assert capsys.readouterr().err == "usage: python -m labs.machinery.sessions_text [--write]\n"


def test_front_door_refuses_an_unknown_session_in_one_line(tmp_path):
    with pytest.raises(hyperparameters.UsageError, match="--session must be one of"):
        session_notebooks.session_numbers("6")
    assert session_notebooks.session_numbers("all") == [1, 2, 3, 4, 5]
    result = run("--notebooks", str(tmp_path / "out"), "--session", "six")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "python -m labs: error: --session must be one of 1, 2, 3, 4, 5 or all, got 'six'"]
    result = run("--notebooks", str(tmp_path / "out"), "--session")
    assert result.returncode == 2 and "needs one folder and a plan number" in result.stderr


@pytest.mark.slow
def test_session_notebook_runs_every_lab_in_one_kernel_as_each_runs_alone(tmp_path,
                                                                          one_kernel_session):
    """Session 1 in one kernel gives each lab the predictions and checks that the lab gives
    run alone. The session notebook is the front door's export (``session_notebooks.main``,
    in the process that builds the kernel session; its command line is tested above), run
    top to bottom in the kernel session that tests/test_notebooks.py's notebooks run in
    (``tests/_kernel_session.py``), with an outputs folder of its own. Each alone run goes
    through the front door in this process (``tests/_lab_run.in_process``), as
    tests/test_labs.py runs every lab, with Keras' session cleared after it."""
    from tests import _kernel_session, _lab_run
    from tests.test_notebooks import outputs_and_text

    assert _kernel_session.SESSION == 1
    cells = one_kernel_session.cells[_kernel_session.SESSION_PART]
    outputs = one_kernel_session.outputs[_kernel_session.SESSION_PART]
    labs_of_plan = sessions.plan(1).labs()
    finished = {lab: _lab_run.in_process(lab, ["--quick"], tmp_path) for lab in labs_of_plan}

    _, text = outputs_and_text(nbformat.v4.new_notebook(cells=cells))
    assert text.count("Setup done") == 1
    for lab in labs_of_plan:
        assert text.count(f"Lab '{lab}' (quick mode, seed 0)") == 1
        in_session = json.loads((outputs / lab / "outcomes.json").read_text())
        run = finished[lab]
        assert run.status == 0, run.stdout[-2000:]
        assert f"Lab '{lab}' (quick mode, seed 0)" in run.stdout
        by_itself = json.loads((run.out / "outcomes.json").read_text())
        assert in_session["predictions"], f"{lab} revealed nothing"
        assert in_session["predictions"] == by_itself["predictions"], lab
        assert in_session["failed_checks"] == by_itself["failed_checks"] == []


def test_student_session_notebooks_from_the_instructor_repository_are_refused(tmp_path):
    """At once: the refusal comes before anything imports TensorFlow (``-X importtime``
    lists every module the command imported)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "labs", "--notebooks",
                             str(tmp_path / "notebooks"), "--session", "1"], cwd=labs.REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    timings = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    errors = [line for line in result.stderr.splitlines() if line not in timings]
    assert len(errors) == 1 and "refusing to export student notebooks" in errors[0], errors
    imported = {line.rsplit("|", 1)[1].strip() for line in timings if "|" in line}
    assert "labs.machinery.notebook_setup" in imported     # The report was read.
    assert not [name for name in imported if name.split(".")[0] in ("tensorflow", "keras")]
    assert not (tmp_path / "notebooks" / "session_1.ipynb").exists()
