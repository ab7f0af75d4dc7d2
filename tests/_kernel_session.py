"""One real kernel session that runs the cells of several tests, one part after the other.

A kernel of this interpreter costs some 5 s of CPU to start, most of it TensorFlow's import
in the setup cell. The tests that read this session claim something about cells (what an
exported notebook prints, shows and saves in quick mode; how ``callbacks.LivePlot`` updates
its figure), not about a fresh kernel, so they share one start (the module fixture
``notebooks_in_a_kernel`` of ``tests/test_notebooks.py``):

* the exported notebook of each lab of ``LABS``, the last one ending with a Keras progress
  bar's cell (``PROGRESS_BAR``);
* then ``LIVE_PLOT_CELL``, whose messages are recorded.

A package named datasets is on the kernel's path, as Hugging Face's is in Colab: each
setup cell must import ours.
"""

import dataclasses
import os
import warnings

import nbformat

from labs.machinery import notebooks

# The tour and a short lab (about 6 s).
LABS = ("tour", "gradient_descent")
LIVE_PLOT = "live_plot"
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
    cells: dict       # part (a lab's name, or LIVE_PLOT) → its executed cells
    messages: dict    # part → [(message type, display id)] of the messages its cells got
    outputs: object   # the LABS_OUTPUTS folder (pathlib.Path)


def run(folder):
    """Run the parts in one kernel, with ``folder`` for notebooks, outputs and the path."""
    from nbclient import NotebookClient

    from tests.test_notebooks import kernel_client

    parts, metadata = {}, None
    for name in LABS:
        path, = notebooks.export(folder / "notebooks", [name])
        exported = nbformat.read(str(path), as_version=4)
        parts[name], metadata = exported.cells, metadata or exported.metadata
    parts[LABS[-1]].append(nbformat.v4.new_code_cell(PROGRESS_BAR))
    parts[LIVE_PLOT] = [nbformat.v4.new_code_cell(LIVE_PLOT_CELL)]
    owner = [part for part, cells in parts.items() for _ in cells]   # Cell index → part.
    session = nbformat.v4.new_notebook(cells=[cell for cells in parts.values() for cell in cells],
                                       metadata=metadata)
    path = folder / "notebooks" / "one_session.ipynb"
    nbformat.write(session, str(path))
    outputs = folder / "outputs"
    foreign = folder / "site" / "datasets"
    foreign.mkdir(parents=True)
    (foreign / "__init__.py").write_text("raise ImportError('the foreign datasets was imported')\n")
    env = {key: value for key, value in os.environ.items()
           if key not in ("MPLBACKEND", notebooks.REPOSITORY_URL_ENV)}
    env.update({"LABS_QUICK": "1", "LABS_OUTPUTS": str(outputs),
                "PYTHONPATH": str(folder / "site")})
    messages = {part: [] for part in parts}

    class RecordingClient(NotebookClient):
        def process_message(self, msg, cell, cell_index):
            transient = msg["content"].get("transient") or {}
            messages[owner[cell_index]].append((msg["msg_type"], transient.get("display_id")))
            return super().process_message(msg, cell, cell_index)

    with warnings.catch_warnings():   # jupyter_client's own deprecations, not ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        kernel_client(session, path, folder, client_class=RecordingClient).execute(env=env)

    cells, at = {}, 0
    for part, part_cells in parts.items():
        cells[part] = session.cells[at:at + len(part_cells)]
        at += len(part_cells)
    return Session(cells, messages, outputs)
