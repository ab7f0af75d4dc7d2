"""One notebook per class plan: ``python -m labs --notebooks DIR --session N`` (or ``all``).

``DIR/session_N.ipynb`` runs plan N (``labs/machinery/sessions.py``) in one kernel, so that set-up
happens once:

* the setup cell of every exported notebook (``labs.machinery.notebooks.setup_cell``), once;
* the plan: its slots, and the questions to put to the room with the labs' values put in;
* for each lab, a heading with its slot, one code cell that starts the lab afresh
  (``begin_part``), then the lab's own cells exactly as its own notebook has them (its
  header, its parameters cell, its code and text; answer cells only in the instructor's
  edition);
* the closing question, and in the instructor's edition its model answer, in a cell tagged
  ``answer`` like the labs' answers.

A lab in a session runs in the kernel that ran the labs before it. ``begin_part`` makes it
start as it would alone: Keras forgets the earlier models (``keras.backend.clear_session``),
matplotlib closes their figures; the lab's own ``runtime.start`` then seeds everything from
its seed and writes to its own output folder (``outputs/NAME/``), and its parameters cell is
the latest one the kernel ran, so it reads its own values.
"""

from labs.machinery import notebooks, sessions

SETUP_TAG = "setup"
ANSWER_TAG = notebooks.ANSWER_TAG


def file_name(number):
    return f"session_{number}"


def begin_part(name):
    """Start lab ``name`` afresh in a kernel that ran other labs: clear Keras, close figures."""
    import keras
    import matplotlib.pyplot as plt

    keras.backend.clear_session()
    plt.close("all")
    print(f"Starting {name}: Keras cleared, figures closed; the lab seeds itself.")


def _begin_cell(name):
    return ("# A new lab in the same kernel: forget the models and figures of the labs before it.\n"
            "from labs.machinery import session_notebooks\n\n"
            f"session_notebooks.begin_part({name!r})")


def _overview(a_plan, published, defaults):
    from labs.machinery import sessions_text

    asked = "\n".join(f"- `{lab}`, Predict {number}: \"{text}\""
                      for lab, number, text in sessions.questions(a_plan, defaults))
    return (f"# Session {a_plan.number}: {a_plan.title}\n\n{a_plan.objectives}\n\n"
            "Run the setup cell above once; then each part below in order. Each lab starts "
            "afresh, so its numbers are those it prints when run alone.\n\n"
            f"{sessions_text.table(a_plan, published)}\n\n"
            f"Questions to put to the room:\n\n{asked}")


def notebook(number, ref=None, instructor=False):
    """Plan ``number`` as one nbformat v4 notebook (see the module's docstring)."""
    import nbformat

    from labs.machinery import sessions_text

    a_plan = sessions.plan(number)
    published = sessions_text.results()
    defaults = {}
    cells = [nbformat.v4.new_code_cell(notebooks.setup_cell(ref), metadata={"tags": [SETUP_TAG]}),
             nbformat.v4.new_markdown_cell(_overview(a_plan, published, defaults))]
    slots = {lab: (start, end) for start, end, _, lab, _ in sessions.slots(a_plan) if lab}
    for at, part in enumerate([part for part in a_plan.parts if part.lab], start=1):
        start, end = slots[part.lab]
        cells.append(nbformat.v4.new_markdown_cell(
            f"## Part {at}: `{part.lab}` (minutes {start}–{end})\n\n{part.activity}"))
        cells.append(nbformat.v4.new_code_cell(_begin_cell(part.lab)))
        lab_cells = notebooks.notebook(part.lab, ref, instructor).cells
        cells += [cell for cell in lab_cells if SETUP_TAG not in cell.metadata.get("tags", [])]
    cells.append(nbformat.v4.new_markdown_cell(
        f"## {a_plan.closing_kind}\n\n{a_plan.closing_question}"))
    if instructor and a_plan.number in sessions.MODEL_ANSWERS:
        cells.append(nbformat.v4.new_markdown_cell(
            f"**Model answer.** {sessions.MODEL_ANSWERS[a_plan.number]}",
            metadata={"tags": [ANSWER_TAG]}))
    result = nbformat.v4.new_notebook(cells=cells)
    result.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return result


def session_numbers(which):
    """The plan numbers that ``--session WHICH`` names: one number, or ``all``.

    Raises:
        hyperparameters.UsageError: when ``which`` names no plan.
    """
    from labs.machinery import hyperparameters

    numbers = [a_plan.number for a_plan in sessions.PLANS]
    if which == "all":
        return numbers
    if which.isdigit() and int(which) in numbers:
        return [int(which)]
    raise hyperparameters.UsageError(f"--session must be one of "
                                      f"{', '.join(map(str, numbers))} or all, got {which!r}")


def export(out_dir, numbers, ref=None, instructor=False):
    """Write ``OUT_DIR/session_N.ipynb`` for each plan number. Returns the paths.

    Raises:
        hyperparameters.UsageError: when ``out_dir`` cannot be created or written.
    """
    from custom import quiet_import
    from labs.machinery import output

    quiet_import.import_tensorflow_quietly()   # Reading each lab's block imports Keras.
    folder = output.prepare(out_dir)
    ref = ref or notebooks.repository_ref()
    return notebooks._write(folder, ((file_name(number), notebook(number, ref, instructor))
                                      for number in numbers))


def main(out_dir, which, instructor=False):
    """The front door's ``--notebooks DIR --session N|all [--instructor]``."""
    numbers = session_numbers(which)
    ref = notebooks.repository_ref()
    if not instructor:
        notebooks.refuse_instructor_material(ref, notebooks.repository_url())
    for path in export(out_dir, numbers, ref, instructor):
        print(path)
    at = f"at {ref}" if ref else "on its default branch"
    edition = "with" if instructor else "without"
    print(f"{len(numbers)} session notebook(s), {edition} the model answers; in Colab their "
          f"setup cell clones {notebooks.repository_url()} {at}")
    return 0
