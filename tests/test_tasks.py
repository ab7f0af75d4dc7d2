"""Every assignment task passes its public checks.

In the reference edition this shows that the solutions and the checks agree. In the
student edition it is the student's own progress report: a task not written yet fails
here with its TODO message (file and line), and a wrong one with the checker's feedback.
"""

import pytest

from assignments import runner
from assignments import tasks as task_table


@pytest.mark.parametrize("task", list(task_table.TASKS))
def test_task_passes_its_public_checks(task):
    result = runner.run(task)
    assert result.passed, "\n" + result.text()
    assert result.score == task_table.TASKS[task].public_points
