"""The solution markers: regions found, stubs written where the region was, errors caught."""

import textwrap

import pytest

from assignments import markers

SOURCE = textwrap.dedent('''\
    def step(w, g):
        """w ← w − η·g"""
        # TODO: w ← w − η·g
        # BEGIN SOLUTION plain
        w = w - 0.1 * g
        return w
        # END SOLUTION


    def other(x):
        # BEGIN SOLUTION other
        return 2 * x
        # END SOLUTION
    # BEGIN HIDDEN
    SECRET = 42
    # END HIDDEN
    ''')


def test_regions_are_found_with_their_task_hint_and_indentation():
    found = markers.regions(SOURCE, "toy.py")
    assert [(region.task, region.begin, region.end) for region in found] == \
        [("plain", 4, 7), ("other", 11, 13)]
    assert found[0].hint == "w ← w − η·g" and found[0].indent == "    "
    assert found[1].hint == "write this part"


def test_a_released_region_becomes_a_stub_naming_task_file_and_its_own_line():
    text = markers.student_text(SOURCE, "toy.py", {"plain"})
    lines = text.splitlines()
    stub = next(number for number, line in enumerate(lines, start=1)
                if "NotImplementedError" in line)
    assert lines[stub - 1] == ("    raise NotImplementedError('TODO plain: w ← w − η·g "
                               f"(toy.py:{stub})')")
    assert "w = w - 0.1 * g" not in text
    # The other task keeps its code, without markers; the hidden block is gone.
    assert "    return 2 * x" in lines
    assert "SOLUTION" not in text and "HIDDEN" not in text and "SECRET" not in text
    compile(text, "toy.py", "exec")


def test_solution_lines_lists_the_code_inside_regions():
    assert markers.solution_lines(SOURCE, "toy.py", {"plain"}) == ["w = w - 0.1 * g", "return w"]


@pytest.mark.parametrize("broken, message", [
    ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "task name"),
    ("# BEGIN SOLUTION a\n# BEGIN SOLUTION b\n# END SOLUTION\n", "inside the region"),
    ("x = 1\n# END SOLUTION\n", "without a BEGIN"),
    ("# BEGIN SOLUTION a\nx = 1\n", "never closed"),
])
def test_malformed_markers_are_refused_with_the_line(broken, message):
    with pytest.raises(markers.MarkerError, match=message):
        markers.student_text(broken, "bad.py", {"a"})


def test_instructor_only_marker_must_stand_in_the_first_five_lines():
    assert markers.is_instructor_only("# ASSIGNMENTS: INSTRUCTOR ONLY (hidden checks)\nx = 1\n")
    assert not markers.is_instructor_only("\n" * 5 + "# ASSIGNMENTS: INSTRUCTOR ONLY\n")


def test_answer_cells_are_dropped_up_to_the_next_cell():
    lab = textwrap.dedent('''\
        # %% [markdown]
        # ## Exercises
        # 1. Halve the learning rate. How many epochs now?

        # %% [markdown] tags=["answer"]
        # **Answer.** About twice as many.

        # %%
        print("the lab goes on")
        ''')
    text = markers.student_text(lab, "labs/demo.py", set())
    assert "Answer" not in text and "twice" not in text
    assert "# 1. Halve the learning rate. How many epochs now?" in text
    assert 'print("the lab goes on")' in text


def test_a_crlf_file_keeps_its_line_ends_and_its_bytes_outside_the_regions():
    """Regions, hidden blocks and an answer cell at the very end of a CRLF file: the lines
    the release keeps are the file's own bytes, and the stub ends its line as they do."""
    crlf = (SOURCE + '# %% [markdown] tags=["exercise"]\n# **Exercise 1 (easy).** Try.\n\n'
            '# %% [markdown] tags=["extra reading", "answer"]\n# **Answer 1.** It works.')
    crlf = crlf.replace("\n", "\r\n")
    assert [(region.task, region.begin, region.end, region.hint)
            for region in markers.regions(crlf, "toy.py")] == \
        [(region.task, region.begin, region.end, region.hint)
         for region in markers.regions(crlf.replace("\r\n", "\n"), "toy.py")]
    text = markers.student_text(crlf, "toy.py", {"plain"}, held={"other"})
    kept = text.splitlines(keepends=True)
    assert all(line.endswith("\r\n") for line in kept), kept
    assert "It works" not in text and "Exercise 1 (easy)" in text and "SECRET" not in text
    stubbed = [line for line in kept if "NotImplementedError" in line]
    assert [markers.stub_state(line) for line in stubbed] == [("plain", "unwritten"),
                                                              ("other", "held")]
    original = crlf.splitlines(keepends=True)
    outside = (1, 2, 3, 8, 9, 10, 17, 18, 19)   # Line numbers outside regions, block and answer.
    assert [line for line in kept if line not in stubbed] == \
        [original[number - 1] for number in outside], "the release changed a kept line"
    assert markers.stub_states(text) == {"plain": "unwritten", "other": "held"}


def test_a_marker_inside_a_string_is_text_and_a_file_without_one_has_no_regions():
    shown = 'HELP = """\n# BEGIN SOLUTION adam\nx = 1\n# END SOLUTION\n"""\n# BEGIN HIDDEN\n'
    assert markers.regions(shown, "doc.py") == []
    assert markers.regions("x = 1\n", "plain.py") == []
    with pytest.raises(markers.MarkerError, match="BEGIN HIDDEN is never closed"):
        markers.without_hidden(shown, "doc.py")


# A hint with brackets, quotes and a "(file:line)" of its own: the place is the last one.
TRICKY_HINT = "m ← β₁·m + (1−β₁)·g; see (notes.py:3) and the 'bias' \"correction\""


def keras_wrapped(message):
    """The text Keras gives a NotImplementedError raised in a layer's call: it wraps the
    message in its own lines and in terminal escape codes."""
    import keras
    import numpy

    class Unwritten(keras.layers.Layer):
        def call(self, inputs):
            raise NotImplementedError(message)

    with pytest.raises(NotImplementedError) as raised:
        Unwritten()(numpy.ones((1, 2), "float32"))
    return raised.value


def test_one_writer_and_one_reader_of_the_todo_stub_and_every_reader_agrees():
    from assignments import checking
    from labs.machinery import unfinished

    where = "custom/optimizers/adam.py:71"
    line = markers.stub_line("adam", TRICKY_HINT, where, indent="    ")
    message = markers.todo_message("adam", TRICKY_HINT, where)
    assert line == f"    raise NotImplementedError({message!r})\n"
    assert markers.Region("custom/optimizers/adam.py", "adam", 1, 3, "    ",
                          TRICKY_HINT).stub(71) == line
    expected = markers.Todo("adam", TRICKY_HINT, where)
    wrapped = keras_wrapped(message)
    assert str(wrapped) != message and "\x1b[" in str(wrapped), "Keras no longer wraps it"
    # TensorFlow's traced-function errors quote the raising line before the message.
    traced = NotImplementedError(
        f"in user code:\n\n    File \"/x/custom/optimizers/adam.py\", line 71, in update_step\n"
        f"        {line.strip()}\n\n    NotImplementedError: {message}\n")
    for error in (NotImplementedError(message), wrapped, traced):
        assert markers.parse_todo(str(error)) == expected, str(error)
        assert checking.describe_exception(error) == f"not written yet: {message}"
        assert unfinished.message(error) == (
            f"task 'adam' is not written yet: {where} ({TRICKY_HINT}); write it and check it "
            "with python -m assignments check adam (or run the lab with --impl keras, if it "
            "takes --impl)")
    assert markers.stub_states(line) == {"adam": "unwritten"}
    assert markers.stub_state(markers.held_stub_line("adam", "x.py", "  ")) == ("adam", "held")
    # Not a stub: another error, a TODO without its place, a TODO inside other code.
    assert markers.parse_todo("TODO adam: the step") is None
    assert checking.describe_exception(ValueError(message)).startswith("your code raised")
    assert unfinished.message(RuntimeError(message)) is None
    assert markers.stub_states(f"TEXT = {line.strip()!r}\n") == {}
