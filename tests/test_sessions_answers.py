# ASSIGNMENTS: INSTRUCTOR ONLY (it reads the closing questions' model answers)
"""The closing questions' model answers: one per plan, in the instructor's session notebooks,
and nowhere in the student edition (labs/machinery/sessions.py loses its hidden block there) nor in
labs/SESSIONS.md, which the student edition gets as it is."""

import labs
from assignments import markers
from labs.machinery import session_notebooks, sessions, sessions_text


def test_every_closing_question_has_a_model_answer_that_the_student_edition_leaves_out():
    assert sorted(sessions.MODEL_ANSWERS) == [a_plan.number for a_plan in sessions.PLANS]
    assert all(len(answer) > 100 for answer in sessions.MODEL_ANSWERS.values())
    source = (labs.REPO / "labs" / "machinery" / "sessions.py").read_text(encoding="utf-8")
    student = markers.student_text(source, "labs/machinery/sessions.py", set())
    namespace = {"__name__": "student_sessions"}
    exec(compile(student, "student_sessions.py", "exec"), namespace)
    assert namespace["MODEL_ANSWERS"] == {}
    text = sessions_text.PATH.read_text(encoding="utf-8")
    for answer in sessions.MODEL_ANSWERS.values():
        assert answer[:60] not in student and answer[:60] not in text


def test_the_instructors_session_notebook_ends_with_the_model_answer_and_the_students_not():
    instructor = session_notebooks.notebook(1, "abc123", instructor=True)
    student = session_notebooks.notebook(1, "abc123", instructor=False)
    answer = sessions.MODEL_ANSWERS[1]
    assert instructor.cells[-1].source == f"**Model answer.** {answer}"
    assert instructor.cells[-1].metadata["tags"] == ["answer"]
    assert not any(answer[:60] in cell.source for cell in student.cells)
