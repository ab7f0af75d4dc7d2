"""One real kernel session that runs the notebooks of several tests, one part after the other.

A kernel of this interpreter costs some 5 s of CPU to start, most of it TensorFlow's import
in the setup cell. The tests that read this session claim something about cells (what an
exported notebook prints, shows and saves in quick mode; what "Run all" reveals; how
``callbacks.LivePlot`` updates its figure; what a session notebook gives each lab), not
about a fresh kernel, so they share one start (the session fixture ``one_kernel_session`` in
tests/conftest.py; the three modules that read it are one unit of work). The parts, in the
order an instructor might run them in one Jupyter session:

* the exported notebook of each lab of ``LABS``, the last one ending with a Keras progress
  bar's cell (``PROGRESS_BAR``): tests/test_notebooks.py;
* ``LIVE_PLOT_CELL``, whose messages are recorded: tests/test_notebooks.py;
* ``PREDICTIONS_LAB``'s student notebook with only Predict 1 answered, then its instructor's
  notebook (``STUDENT``, ``INSTRUCTOR``): tests/test_predictions.py. The student's comes
  before any instructor's notebook, whose parameters cell sets ``reveal = "all"``;
* the instructor's notebook of session ``SESSION`` (``SESSION_PART``): tests/test_sessions.py.

Each part writes to an outputs folder of its own: a ``%env LABS_OUTPUTS=…`` cell between
parts, which belongs to no part, moves it. A package named datasets is on the kernel's path,
as Hugging Face's is in Colab: each setup cell must import ours.
"""

import dataclasses
import os
import warnings

import nbformat

from labs.machinery import classroom, environment, notebooks, session_notebooks

# The tour and a short lab (about 6 s).
LABS = ("tour", "gradient_descent")
LIVE_PLOT = "live_plot"
# The lab whose student and instructor notebooks are run "Run all": a short one (under a
# second); the student's answers Predict 1 only.
PREDICTIONS_LAB = "loss_functions"
STUDENT, INSTRUCTOR = "student", "instructor"
STUDENTS_ANSWER = 'lab.predict(1, "c")  # the student\'s answer'
# The class plan whose session notebook runs (its labs need about 10 s in quick mode).
SESSION = 1
SESSION_PART = f"session_{SESSION}"
# A LivePlot shared by two runs of six epochs, under fit and fit_with_tape, every epoch drawn.
LIVE_PLOT_CELL = """
import keras, numpy
import callbacks
from custom import training
print("before training")
x = numpy.linspace(-1, 1, 64, dtype="float32").reshape(-1, 1)
live = callbacks.LivePlot(min_interval=0, max_share=1)
for name, loop in (("fit", None), ("tape", training.fit_with_tape)):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    arguments = dict(validation_data=(x, 2 * x), epochs=6, verbose=0,
                     callbacks=[live.run(name)])
    if loop is None:
        model.fit(x, 2 * x, **arguments)
    else:
        loop(model, x, 2 * x, **arguments)
print("after training", live.mode, live.draws)
"""
PROGRESS_BAR = ("import keras, numpy\n"
                "tiny = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])\n"
                "tiny.compile(loss='mse')\n"
                "tiny.fit(numpy.ones((64, 1)), numpy.ones((64, 1)), epochs=2, batch_size=8, "
                "verbose=1)")


@dataclasses.dataclass
class Session:
    cells: dict       # part → its executed cells
    messages: dict    # part → [(message type, display id)] of the messages its cells got
    outputs: dict     # part → its LABS_OUTPUTS folder (pathlib.Path)


def read(path):
    return nbformat.read(str(path), as_version=4)


def parts(folder):
    """{part: its cells}, in the order they run, and the notebooks' metadata."""
    notebooks_folder = folder / "notebooks"
    found = {}
    for name in LABS:
        found[name] = read(notebooks.export(notebooks_folder / "labs", [name])[0]).cells
    found[LABS[-1]].append(nbformat.v4.new_code_cell(PROGRESS_BAR))
    found[LIVE_PLOT] = [nbformat.v4.new_code_cell(LIVE_PLOT_CELL)]
    student = read(notebooks.export(notebooks_folder / STUDENT, [PREDICTIONS_LAB])[0])
    answering = [cell for cell in student.cells
                 if classroom.YOUR_PREDICTION_TAG in cell.metadata.get("tags", [])]
    assert len(answering) >= 2
    assert all(cell.metadata["editable"] and not cell.metadata["deletable"]
               for cell in answering)
    assert answering[0].source.startswith("lab.predict(1, None)")
    answering[0].source = STUDENTS_ANSWER
    found[STUDENT] = student.cells
    found[INSTRUCTOR] = read(notebooks.export(notebooks_folder / INSTRUCTOR, [PREDICTIONS_LAB],
                                              instructor=True)[0]).cells
    assert session_notebooks.main(str(notebooks_folder / "sessions"), str(SESSION),
                                  instructor=True) == 0
    found[SESSION_PART] = read(notebooks_folder / "sessions" / f"{SESSION_PART}.ipynb").cells
    return found, student.metadata


def run(folder):
    """Run the parts in one kernel, with ``folder`` for notebooks, outputs and the path."""
    from nbclient import NotebookClient

    from tests.test_notebooks import kernel_client

    found, metadata = parts(folder)
    # The labs' notebooks and the LivePlot cell share one outputs folder, each lab its own
    # subfolder in it; the predictions' and the session's parts have one each.
    outputs = {part: folder / "outputs" / ("labs" if part in (*LABS, LIVE_PLOT) else part)
               for part in found}
    cells, owner, current = [], [], None   # owner: cell index → part (None: a %env cell)
    for part, part_cells in found.items():
        if outputs[part] != current:
            current = outputs[part]
            cells.append(nbformat.v4.new_code_cell(f"%env LABS_OUTPUTS={current}"))
            owner.append(None)
        cells += part_cells
        owner += [part] * len(part_cells)
    session = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    path = folder / "notebooks" / "one_session.ipynb"
    nbformat.write(session, str(path))
    foreign = folder / "site" / "datasets"
    foreign.mkdir(parents=True)
    (foreign / "__init__.py").write_text("raise ImportError('the foreign datasets was imported')\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("MPLBACKEND", notebooks.REPOSITORY_URL_ENV, environment.REVEAL_ENV)}
    env.update({"LABS_QUICK": "1", "PYTHONPATH": str(folder / "site")})
    messages = {part: [] for part in found}

    class RecordingClient(NotebookClient):
        def process_message(self, msg, cell, cell_index):
            if owner[cell_index] is not None:
                transient = msg["content"].get("transient") or {}
                messages[owner[cell_index]].append((msg["msg_type"],
                                                    transient.get("display_id")))
            return super().process_message(msg, cell, cell_index)

    with warnings.catch_warnings():   # jupyter_client's own deprecations, not ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        kernel_client(session, path, folder, client_class=RecordingClient).execute(env=env)

    executed = {part: [cell for cell, of in zip(session.cells, owner) if of == part]
                for part in found}
    return Session(executed, messages, outputs)
