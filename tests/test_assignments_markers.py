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
