"""Predictions are the students' own: the cell formats, ``Lab.predict`` and ``Lab.reveal`` in
both reveal modes, the ``reveal`` option (flag, environment, parameters cell), ``--ask`` and
``python -m labs tally``.

Every lab's cells are checked against the formats in ``tests/test_classroom.py``; here a demo
lab's source stands in for a real one.
"""

import io
import json
import subprocess
import sys

import pytest

import labs
from labs.machinery import classroom, environment, notebook_parameters, runtime, tally
from labs import __main__ as front_door
from labs.machinery.runtime import param
from tests import _kernel_session

DEMO_SOURCE = '''
# %% [markdown] tags=["prediction"]
# **Predict 1.** Which rate
# ends lowest?
# - (a) η = 0.1
# - (b) η = 0.3
# - (c) η = 1.1

# %% tags=["your-prediction"]
lab.predict(1, None)  # your answer: "a", "b" or "c"

# %% [markdown] tags=["prediction"]
# **Predict 2.** How many steps until the loss is below 0.01? (a number of steps; within
# 20 % counts as right)

# %% tags=["your-prediction"]
lab.predict(2, None)  # your answer: a number of steps

# %%
lab.reveal(1, "η = 0.3 ends lowest", answer="b")
lab.reveal(2, "41 steps", answer=41)
'''


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr(classroom, "lab_source", lambda name: DEMO_SOURCE)


def start(tmp_path, *argv):
    return runtime.start("demo", {"epochs": param(3, minimum=1)},
                          argv=[*argv, "--out", str(tmp_path)])


def outcomes(tmp_path):
    return json.loads((tmp_path / "outcomes.json").read_text(encoding="utf-8"))


def test_questions_read_choices_tolerance_and_the_your_prediction_cells():
    found = classroom.questions(DEMO_SOURCE)
    assert list(found) == [1, 2]
    assert found[1].question == "Which rate ends lowest?"
    assert found[1].choices == {"a": "η = 0.1", "b": "η = 0.3", "c": "η = 1.1"}
    assert found[1].tolerance is None and not found[1].numeric
    assert found[2].numeric and found[2].tolerance == pytest.approx(0.2)
    assert found[2].unit == "a number of steps"
    assert found[2].choices == {}
    # The question alone, as the class plans quote it, without the choices.
    assert classroom.predictions(DEMO_SOURCE) == {
        1: "Which rate ends lowest?",
        2: "How many steps until the loss is below 0.01? (a number of steps; within 20 % "
           "counts as right)"}
    for question in found.values():
        assert classroom.your_prediction_cell(question) in DEMO_SOURCE


@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace('# %% tags=["your-prediction"]\nlab.predict(1, None)',
                         "# %%\nlab.predict(1, None)"),
     'Predict 1 must be followed by a code cell tagged "your-prediction"'),
    (lambda s: s.replace("lab.predict(1, None)", "lab.predict(2, None)", 1),
     "Predict 1 must be followed by .*lab.predict\\(1, None\\)"),
    (lambda s: s.replace("# - (b) η = 0.3\n# - (c) η = 1.1\n", ""),
     "Predict 1: 1 choices; a question has 2 to 6"),
    (lambda s: s.replace("# - (c) η = 1.1\n", "".join(f"# - ({letter}) {letter}\n"
                                                       for letter in "cdefg")),
     "Predict 1: 7 choices; a question has 2 to 6"),
    (lambda s: s.replace("(c) η = 1.1", "(d) η = 1.1"),
     "Predict 1: the choices must be lettered a, b, c in order, got a, b, d"),
    (lambda s: s.replace("- (c) η = 1.1", "- (c)η = 1.1"),
     "Predict 1: a choice must read '- \\(a\\) text'"),
    (lambda s: s.replace("# - (c) η = 1.1\n", "# - (c) η = 1.1\n# and some more text\n"),
     "Predict 1: the choices must come last"),
    (lambda s: s.replace("within\n# 20 % counts as right", "roughly"),
     "Predict 2: give choices"),
])
def test_malformed_prediction_cells_are_one_line_errors(change, message):
    changed = change(DEMO_SOURCE)
    assert changed != DEMO_SOURCE
    with pytest.raises(ValueError, match=message):
        classroom.questions(changed)


def test_a_right_and_a_wrong_prediction_say_so_and_are_recorded(demo, tmp_path, capsys):
    lab = start(tmp_path)
    assert lab.predict(1, "(B)") == "b"
    assert lab.predict(2, "30") == 30.0
    assert lab.reveal(1, "η = 0.3 ends lowest (J = 0.0012)", answer="b", losses=[0.5, 0.0012])
    assert lab.reveal(2, "the loss fell below 0.01 after 41 steps", answer=41, steps=41)
    printed = capsys.readouterr().out
    assert ("Predict 1: Which rate ends lowest?\n  (a) η = 0.1\n  (b) η = 0.3\n  (c) η = 1.1\n"
            "  You predicted b; measured: η = 0.3 ends lowest (J = 0.0012). Right.\n") in printed
    # 41 steps, within 20 %: 32.8 to 49.2, so 30 is not quite.
    assert ("  You predicted 30; measured: the loss fell below 0.01 after 41 steps. Not quite: "
            "this run's answer is 41 (within 20% counts as right: 32.8 to 49.2).") in printed
    first, second = outcomes(tmp_path)["predictions"].values()
    assert first == {"question": "Which rate ends lowest?",
                     "choices": {"a": "η = 0.1", "b": "η = 0.3", "c": "η = 1.1"},
                     "tolerance": None, "measured": "η = 0.3 ends lowest (J = 0.0012)",
                     "numbers": {"losses": [0.5, 0.0012]}, "predicted": "b", "answer": "b",
                     "right": True, "shown": True}
    assert (second["predicted"], second["answer"], second["right"]) == (30.0, 41, False)
    assert second["tolerance"] == pytest.approx(0.2) and second["choices"] is None

    lab.predict(2, 48)          # Inside 20 % of 41.
    lab.reveal(2, "41 steps", answer=41)
    assert "Right." in capsys.readouterr().out and outcomes(tmp_path)["predictions"]["2"]["right"]


def test_several_right_choices_and_a_wrong_one(demo, tmp_path, capsys):
    lab = start(tmp_path)
    lab.predict(1, "c")
    lab.reveal(1, "η = 0.1 and η = 0.3 tie", answer=("a", "b"))
    assert "Not quite: this run's answer is (a) or (b)." in capsys.readouterr().out
    entry = outcomes(tmp_path)["predictions"]["1"]
    assert (entry["predicted"], entry["answer"], entry["right"]) == ("c", ["a", "b"], False)
    lab.predict(1, "a")
    lab.reveal(1, "η = 0.1 and η = 0.3 tie", answer=["a", "b"])
    assert "Right." in capsys.readouterr().out


def test_without_a_prediction_all_shows_the_answer_and_answered_withholds_it(demo, tmp_path,
                                                                            capsys):
    lab = start(tmp_path)
    assert lab.reveal_mode == "all"      # A terminal run without --ask.
    assert lab.predict(1, None) is None
    assert lab.reveal(1, "η = 0.3 ends lowest", answer="b")
    printed = capsys.readouterr().out
    assert "  Measured: η = 0.3 ends lowest\n  This run's answer: (b).\n" in printed
    entry = outcomes(tmp_path)["predictions"]["1"]
    assert (entry["predicted"], entry["right"], entry["answer"]) == (None, None, "b")

    lab = start(tmp_path, "--reveal", "answered")
    assert not lab.reveal(1, "η = 0.3 ends lowest", answer="b", losses=[0.5, 0.0012])
    printed = capsys.readouterr().out
    assert "ends lowest" not in printed.replace("Which rate ends lowest?", "")
    assert ("  Measured: withheld without a prediction (run again with --ask to answer each "
            "question, or with --reveal all to see every answer).\n") in printed
    assert "(b)." not in printed
    entry = outcomes(tmp_path)["predictions"]["1"]      # Recorded all the same.
    assert (entry["measured"], entry["answer"], entry["shown"]) == ("η = 0.3 ends lowest",
                                                                     "b", False)
    assert entry["numbers"] == {"losses": [0.5, 0.0012]}
    lab.predict(1, "a")   # Then the student predicts and runs the reveal again.
    assert lab.reveal(1, "η = 0.3 ends lowest", answer="b")
    assert "You predicted a; measured: η = 0.3 ends lowest. Not quite: this run's answer " \
           "is (b)." in capsys.readouterr().out


def test_shows_says_beforehand_whether_the_reveal_will_show_its_answer(demo, tmp_path,
                                                                     capsys):
    """A lab prints a table or a label that gives an answer away only when ``lab.shows(N)``:
    always in reveal mode "all"; in "answered", once N is predicted, and exactly when its
    reveal then shows the measured outcome."""
    assert start(tmp_path).shows(1)
    lab = start(tmp_path, "--reveal", "answered")
    assert not lab.shows(1) and not lab.shows(2)
    assert not lab.reveal(1, "η = 0.3 ends lowest", answer="b")
    lab.predict(1, "b")
    assert lab.shows(1) and not lab.shows(2)
    assert lab.reveal(1, "η = 0.3 ends lowest", answer="b")
    lab.predict(1, None)       # The answer taken back: withheld again.
    assert not lab.shows(1)


@pytest.mark.parametrize("show", [True, False])
def test_save_figure_shows_a_figure_in_a_notebook_only_when_asked(demo, tmp_path, monkeypatch,
                                                                  show):
    import matplotlib.pyplot as plt
    from IPython import display as ipython_display

    shown = []
    monkeypatch.setattr(ipython_display, "display", shown.append)
    lab = start(tmp_path)
    lab.notebook = True
    figure, axes = plt.subplots()
    axes.plot([1, 2], [3, 4])
    path = lab.save_figure(figure, "curve.png", show=show)
    assert path.exists() and path.stat().st_size > 0       # Saved either way.
    assert len(shown) == (1 if show else 0)


def test_a_notebook_withholds_by_default_and_its_message_says_where_to_answer(
        demo, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(environment, "in_notebook", lambda: True)
    monkeypatch.setattr(notebook_parameters, "latest_cell", lambda: None)
    lab = runtime.start("demo", {}, argv=["--out", str(tmp_path)])
    assert lab.reveal_mode == "answered"
    lab.reveal(1, "η = 0.3 ends lowest", answer="b")
    assert ("  Measured: withheld until you predict: answer in the cell after the question "
            "(lab.predict(1, ...)), run it, then run this cell again.\n"
            in capsys.readouterr().out)
    # The instructor's export sets reveal = "all" in the parameters cell.
    monkeypatch.setattr(notebook_parameters, "latest_cell",
                        lambda: "# Parameters\n" + notebook_parameters.REVEAL_ALL_LINE)
    assert runtime.start("demo", {}, argv=["--out", str(tmp_path)]).reveal_mode == "all"
    monkeypatch.setattr(notebook_parameters, "latest_cell", lambda: '# Parameters\nreveal = 1')
    with pytest.raises(runtime.UsageError,
                       match="reveal in the parameters cell must be one of 'all', 'answered', "
                             "got 1"):
        runtime.start("demo", {}, argv=["--out", str(tmp_path)])


def test_reveal_from_the_environment_and_the_flag_which_wins(demo, tmp_path, monkeypatch,
                                                            capsys):
    monkeypatch.setenv(environment.REVEAL_ENV, "answered")
    assert start(tmp_path).reveal_mode == "answered"
    assert start(tmp_path, "--reveal", "all").reveal_mode == "all"
    monkeypatch.setenv(environment.REVEAL_ENV, "some")
    with pytest.raises(SystemExit) as exit:
        start(tmp_path)
    error = capsys.readouterr().err
    assert exit.value.code == 2 and error.count("\n") == 1
    assert "LABS_REVEAL must be one of 'all', 'answered', got 'some'" in error
    monkeypatch.delenv(environment.REVEAL_ENV)
    with pytest.raises(SystemExit):
        start(tmp_path, "--reveal", "none")
    assert "argument --reveal: invalid choice: 'none'" in capsys.readouterr().err


@pytest.mark.parametrize("number, answer, message", [
    (1, "d", "prediction 1's answer must be one of 'a', 'b', 'c', got 'd'"),
    (1, 2, "prediction 1's answer must be one of 'a', 'b', 'c', got 2"),
    (2, "many", "prediction 2 asks for a number of steps, got 'many'"),
    (2, float("nan"), "prediction 2 asks for a number of steps, got nan"),
    (2, True, "prediction 2 asks for a number of steps, got True"),
    (3, "a", "lab 'demo' has no prediction cell '\\*\\*Predict 3.\\*\\*'"),
])
def test_a_bad_prediction_is_a_one_line_error(demo, tmp_path, number, answer, message):
    lab = start(tmp_path)
    with pytest.raises(ValueError, match=message):
        lab.predict(number, answer)


@pytest.mark.parametrize("number, arguments, message", [
    (1, {}, "lab.reveal\\(1, ...\\) needs answer="),
    (1, {"answer": "e"}, "prediction 1's answer must be one of"),
    (1, {"answer": ()}, "Predict 1: answer= names no choice"),
    (1, {"answer": "a", "tolerance": 0.1}, "Predict 1 is a choice question"),
    (2, {"answer": 41, "tolerance": 0.1}, "Predict 2 states a tolerance of 20%, but its "
                                          "reveal was given 0.1"),
    (2, {"answer": "b"}, "prediction 2 asks for a number of steps, got 'b'"),
    (4, {"answer": "a"}, "no prediction cell"),
])
def test_a_reveal_without_a_valid_answer_key_is_an_error(demo, tmp_path, number, arguments,
                                                         message):
    lab = start(tmp_path)
    with pytest.raises(ValueError, match=message):
        lab.reveal(number, "anything", **arguments)


def test_ask_reads_each_answer_from_standard_input(demo, tmp_path, monkeypatch, capsys):
    lab = start(tmp_path, "--ask")
    assert lab.ask and lab.reveal_mode == "all"
    # A wrong letter is refused and asked again; then an empty line means no prediction.
    monkeypatch.setattr(sys, "stdin", io.StringIO("z\nc\n\n"))
    assert lab.predict(1, None) == "c"
    assert lab.predict(2, None) is None
    printed = capsys.readouterr().out
    assert "Predict 1: Which rate ends lowest?\n  (a) η = 0.1\n" in printed
    assert "prediction 1's answer must be one of 'a', 'b', 'c', got 'z'" in printed
    assert 'Your prediction ("a", "b" or "c"; Enter for none): ' in printed
    assert "Your prediction (a number of steps; Enter for none): " in printed
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))       # The end of input: none.
    assert lab.predict(2, None) is None
    lab.reveal(1, "η = 0.3 ends lowest", answer="b")
    assert "You predicted c; measured: η = 0.3 ends lowest. Not quite" in capsys.readouterr().out
    # Without --ask, None is no prediction and nothing is read.
    monkeypatch.setattr(sys, "stdin", io.StringIO("a\n"))
    assert start(tmp_path).predict(1, None) is None
    assert sys.stdin.read() == "a\n"


def write(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content),
                    encoding="utf-8")


def entry(predicted, answer, right, choices=("a", "b", "c"), tolerance=None):
    return {"question": "Which?", "choices": {letter: letter for letter in choices} or None,
            "tolerance": tolerance, "measured": "…", "numbers": {}, "predicted": predicted,
            "answer": answer, "right": right}


def class_folder(root):
    """Five students' runs of one lab, a garbled file and a foreign one."""
    runs = [("b", "b", True, 30.0), ("c", "b", False, 60.0), ("c", "b", False, None),
            ("a", ["a", "b"], True, 35.0), (None, "b", None, 10.0)]
    for at, (letter, answer, right, steps) in enumerate(runs):
        write(root / f"student{at}" / "demo" / "outcomes.json", {
            "lab": "demo", "predictions": {
                "1": entry(letter, answer, right),
                "2": entry(steps, 41.0, None if steps is None else abs(steps - 41) <= 8.2,
                           choices=(), tolerance=0.2)}})
    write(root / "student5" / "demo" / "outcomes.json", '{"lab": "demo", "predic')
    write(root / "student6" / "outcomes.json", {"something": "else"})
    write(root / "student6" / "notes.json", {"lab": "not an outcomes file name"})


def test_tally_counts_each_choice_the_right_ones_and_the_most_common_wrong(tmp_path):
    class_folder(tmp_path)
    labs_found, files, skipped = tally.tally(tmp_path)
    assert len(files) == 5 and len(skipped) == 2
    first = labs_found["demo"]["1"]
    assert first.runs == 5 and first.right == 2
    assert dict(first.chosen) == {"b": 1, "c": 2, "a": 1}
    assert first.wrong.most_common(1) == [("(c)", 2)]
    assert dict(first.keys) == {"(b)": 4, "(a) or (b)": 1}
    second = labs_found["demo"]["2"]
    assert second.chosen["answered"] == 4 and second.right == 1      # Only 35 is within 20 %.
    assert dict(second.wrong) == {"too high": 1, "too low": 2}


def test_tally_from_the_front_door(tmp_path):
    class_folder(tmp_path)
    result = subprocess.run([sys.executable, "-m", "labs", "tally", str(tmp_path)],
                            cwd=labs.REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"skipped {tmp_path / 'student5' / 'demo' / 'outcomes.json'}: not valid JSON" in out
    assert f"skipped {tmp_path / 'student6' / 'outcomes.json'}: not a lab's outcomes" in out
    assert ("  Predict 1. Which?\n    answered in 4 of 5 runs; right: 2 (50%)\n"
            "    chose: (a) 1  (b) 1  (c) 2\n"
            "    this run's answer: (b) in 4, (a) or (b) in 1\n"
            "    most common wrong answer: (c), by 2\n") in out
    assert ("    answered in 4 of 5 runs; right: 1 (25%)\n"
            "    numeric, within 20% counts as right\n"
            "    most common wrong answer: too low, by 2\n") in out
    assert out.endswith("5 outcome files read, 2 skipped\n")


@pytest.mark.parametrize("make, message", [
    (lambda root: None, "no readable outcomes.json under"),
    (lambda root: write(root / "a" / "outcomes.json", "not json"), "(1 skipped)"),
    (lambda root: write(root / "file", "x") or root / "file", "is not a folder"),
])
def test_tally_of_nothing_readable_is_one_line_exit_2(tmp_path, capsys, make, message):
    folder = make(tmp_path) or tmp_path
    assert front_door.main(["tally", str(folder)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and error.startswith(
        "python -m labs tally: error: ")
    assert front_door.main(["tally"]) == 2
    assert "give one folder" in capsys.readouterr().err


def test_the_parameters_cell_sets_reveal_beside_the_labs_own_values():
    cell = '# Parameters\nepochs = 5\nreveal = "answered"\n'
    declared = {"epochs": param(3, minimum=1)}
    assert notebook_parameters.values_from_cell(cell, "demo", declared) == {"epochs": 5}
    assert notebook_parameters.reveal_from_cell(cell) == "answered"
    assert notebook_parameters.reveal_from_cell("# Parameters\nepochs = 5\n") is None
    with pytest.raises(runtime.UsageError, match="got 'everything'"):
        notebook_parameters.reveal_from_cell('# Parameters\nreveal = "everything"\n')


# The lab whose exported notebooks run in a real kernel: a short one (under a second).
KERNEL_LAB = _kernel_session.PREDICTIONS_LAB


@pytest.fixture(scope="module")
def both_notebooks_in_a_kernel(one_kernel_session):
    """The lab's exported student notebook with only Predict 1 answered, then its exported
    instructor's notebook, each run top to bottom ("Run all") in one real kernel session,
    one after the other, as an instructor may try both in one Jupyter session, each with an
    outputs folder of its own (``tests/_kernel_session.py``).

    Returns ``(student, instructor)``: each ``(executed cells, outputs folder)``. Their
    claims are about the notebooks' cells (what each reveal shows), not about a fresh
    kernel, so the kernel session of tests/test_notebooks.py serves them.
    """
    return tuple((one_kernel_session.cells[part], one_kernel_session.outputs[part])
                 for part in (_kernel_session.STUDENT, _kernel_session.INSTRUCTOR))


@pytest.mark.slow
def test_run_all_in_a_student_notebook_withholds_each_unpredicted_answer(
        both_notebooks_in_a_kernel):
    """The exported student notebook, run top to bottom in a real kernel ("Run all") with
    only Predict 1 answered: Predict 1's reveal says Right or Not quite, and no measured
    answer of another question appears in any output, though outcomes.json records it."""
    import nbformat

    from tests.test_notebooks import outputs_and_text

    (cells, outputs), _ = both_notebooks_in_a_kernel
    name = KERNEL_LAB
    _, text = outputs_and_text(nbformat.v4.new_notebook(cells=cells))
    recorded = json.loads((outputs / name / "outcomes.json").read_text(encoding="utf-8"))
    assert recorded["reveal"] == "answered"
    entries = recorded["predictions"]
    assert sorted(entries, key=int) == [str(number) for number in
                                        classroom.questions(classroom.lab_source(name))]
    first = entries["1"]
    assert first["predicted"] == "c" and first["shown"]
    verdict = "Right." if first["right"] else (
        f"Not quite: this run's answer is ({first['answer']}).")
    assert f"You predicted c; measured: {first['measured']}" in text
    assert verdict in text and first["right"] == (first["answer"] == "c")
    for number, entry in entries.items():
        if number == "1":
            continue
        assert entry["predicted"] is None and entry["right"] is None and not entry["shown"]
        assert entry["measured"] and entry["measured"] not in text, f"Predict {number} leaked"
        assert (f"Measured: withheld until you predict: answer in the cell after the question "
                f"(lab.predict({number}, ...))") in text
    assert "This run's answer" not in text


@pytest.mark.slow
def test_ask_in_a_terminal_run_of_a_real_lab(tmp_path, monkeypatch, capsys):
    """``python -m labs loss_functions --ask``, through the front door's own main in this
    process (the lab runs as the command runs it), its answers typed on standard input:
    each question is asked at its place, before its experiment runs; a wrong letter is
    asked again; an empty line and the end of input leave a question unanswered, whose
    answer a terminal still shows."""
    import keras

    monkeypatch.setattr(sys, "stdin", io.StringIO("c\nz\nb\n\n"))
    status = front_door.main([KERNEL_LAB, "--quick", "--ask", "--out", str(tmp_path)])
    keras.backend.clear_session()
    printed = capsys.readouterr()
    assert status == 0, printed.err
    out = printed.out
    recorded = json.loads((tmp_path / "outcomes.json").read_text(encoding="utf-8"))
    entries = recorded["predictions"]
    assert [entries[number]["predicted"] for number in "1234"] == ["c", "b", None, None]
    # Asked before its reveal: the question and its choices, then the prompt.
    asked = out.index('\nPredict 1: A prediction gives the target a probability')
    assert out.index('Your prediction ("a", "b", "c", "d" or "e"; Enter for none): ') > asked
    assert out.index("You predicted c; measured:") > asked
    assert "prediction 2's answer must be one of 'a', 'b', 'c', 'd', got 'z'" in out
    for number in "12":
        entry = entries[number]
        verdict = ("Right." if entry["right"] else
                   f"Not quite: this run's answer is ({entry['answer']}).")
        assert f"You predicted {entry['predicted']}; measured: {entry['measured']}" in out
        assert verdict in out
    for number in "34":   # Unanswered: a terminal still shows them, with the answer.
        entry = entries[number]
        assert f"  Measured: {entry['measured']}\n  This run's answer: ({entry['answer']}).\n" \
               in out


def test_without_the_labs_source_a_reveal_still_compares_the_prediction(tmp_path, capsys,
                                                                        monkeypatch):
    def missing(name):
        raise OSError("no source")

    monkeypatch.setattr(classroom, "lab_source", missing)
    lab = start(tmp_path)
    lab.predict(1, "B")
    lab.reveal(1, "η = 0.3 ends lowest", answer="b")
    lab.predict(2, 40)
    lab.reveal(2, "41 steps", answer=41, tolerance=0.1)
    printed = capsys.readouterr().out
    assert "Predict 1: (the question above)\n  You predicted b; measured: η = 0.3 ends " \
           "lowest. Right." in printed
    assert "You predicted 40; measured: 41 steps. Right." in printed


@pytest.mark.slow
def test_the_instructors_notebook_reveals_every_answer_without_predictions(
        both_notebooks_in_a_kernel):
    """Its parameters cell sets reveal = "all": run top to bottom with no prediction, every
    reveal shows its measured sentence and this run's answer."""
    import nbformat

    from tests.test_notebooks import outputs_and_text

    _, (cells, outputs) = both_notebooks_in_a_kernel
    name = KERNEL_LAB
    _, text = outputs_and_text(nbformat.v4.new_notebook(cells=cells))
    recorded = json.loads((outputs / name / "outcomes.json").read_text(encoding="utf-8"))
    assert recorded["reveal"] == "all" and "withheld" not in text
    for entry in recorded["predictions"].values():
        assert entry["shown"] and entry["predicted"] is None
        assert f"  Measured: {entry['measured']}\n  This run's answer: ({entry['answer']}).\n" \
               in text
