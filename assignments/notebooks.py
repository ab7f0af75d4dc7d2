"""One notebook per task, for students in Colab or Jupyter.

Each notebook holds, after the lab notebooks' setup cell:

* the task: its title, its equations and the files it asks for;
* one ``%%writefile PATH`` cell per file, holding the student edition of the file:
  the student writes the TODO parts in the cell and runs it, which saves the file;
* the check cell, ``assignments.check(TASK)``, which names the step and the likely
  mistake when something is wrong;
* commands that run the student's code in a lab, beside the Keras built-in;
* a cell that packs the files into ``submission-TASK.zip`` (and downloads it in Colab).

The cells carry the student edition of each file even when exported from the
reference edition, so a task notebook never holds a solution.
"""

import pathlib
import zipfile

from assignments import markers
from assignments import tasks as task_table

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent

CHECK_CELL = '''\
import assignments

result = assignments.check({task!r})   # Each check: PASS or FAIL, points, and what is wrong.'''

PACK_CELL = '''\
import assignments

path = assignments.pack({task!r})      # submission-{task}.zip, with your files in it
try:
    from google.colab import files     # In Colab: download it, then hand it in.
    files.download(str(path))
except ImportError:
    print(f"Hand in {{path}}")'''


def student_file(path):
    """The student edition of a repository file: every task's regions as stubs."""
    text = (REPOSITORY / path).read_text(encoding="utf-8")
    return markers.student_text(text, path, set(task_table.TASKS))


def task_notebook(name, setup_source):
    """Task ``name`` as an nbformat v4 notebook; ``setup_source`` is the labs' setup cell."""
    import nbformat

    task = task_table.TASKS[name]
    v4 = nbformat.v4
    files = "\n".join(f"* `{path}`" for path in task.files)
    cells = [
        v4.new_code_cell(setup_source, metadata={"tags": ["setup"]}),
        v4.new_markdown_cell(
            f"# Assignment: {task.title}\n\n{task.summary}\n\n"
            f"You write the parts marked `TODO` in:\n\n{files}\n\n"
            "Each file is in a cell below that starts with `%%writefile`. Write your code in "
            "place of the `raise NotImplementedError(...)` line under each `# TODO:` hint, and "
            "run the cell to save the file. Then run the check. It compares your code with a "
            "trusted twin (a Keras built-in, `tf.GradientTape` or finite differences) and, when "
            "something differs, says at which step and what the likely mistake is. "
            f"The public checks are worth {task.public_points:g} points; your instructor may "
            "grade with further checks on other inputs, so make it right, not just the numbers "
            "below."),
    ]
    for path in task.files:
        cells.append(v4.new_code_cell(f"%%writefile {path}\n{student_file(path)}"))
    cells.append(v4.new_markdown_cell("## Check your work"))
    cells.append(v4.new_code_cell(CHECK_CELL.format(task=name)))
    if task.try_it:
        commands = "\n".join(f"!{command}" for command in task.try_it)
        cells.append(v4.new_markdown_cell(
            "## Run it in a lab\n\nYour code runs in the lab below; where there are two "
            "commands, the second runs the Keras built-in, so you can compare the curves."))
        cells.append(v4.new_code_cell(commands))
    cells.append(v4.new_markdown_cell("## Hand it in\n\nThis packs your files into a zip file "
                                      "for your instructor."))
    cells.append(v4.new_code_cell(PACK_CELL.format(task=name)))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return notebook


def pack(name, folder="."):
    """Write ``submission-<task>.zip`` with the task's files at their repository paths.

    Returns the path of the zip file.
    """
    task = task_table.TASKS[name]
    path = pathlib.Path(folder) / f"submission-{name}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in task.files:
            archive.write(REPOSITORY / file, arcname=file)
    return path
