# ASSIGNMENTS: INSTRUCTOR ONLY (mutants are the reference with one mistake each)
"""Mutants of the reference: a task's solution regions replaced by code with one known mistake.

``mutant_module(path, task, {index: code})`` reads the reference file, replaces region
number ``index`` of ``task`` (0-based, in file order) by ``code`` (dedented, then indented
as the region), and imports the result as a new module. Keras registrations get a
package of their own, so a mutant class never clashes with the reference one.
"""

import importlib.util
import itertools
import pathlib
import tempfile
import textwrap

from assignments import markers

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
_counter = itertools.count()
_FOLDER = pathlib.Path(tempfile.mkdtemp(prefix="mutants-"))

# Reads the previous step's gradient from a store of its own (eager checks only).
LAG = """
store = self.__dict__.setdefault("previous_gradients", {})
if variable.name not in store:
    store[variable.name] = keras.Variable(keras.ops.zeros_like(gradient), dtype=variable.dtype)
previous = store[variable.name]
gradient, _ = keras.ops.add(previous, 0.0), previous.assign(gradient)
"""
# Uses the learning rate of the next step when the rate follows a schedule.
NEXT_RATE = """
schedule = self._learning_rate
if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
    learning_rate = keras.ops.cast(schedule(self.iterations + 1), variable.dtype)
"""


def mutant_module(path, task, replacements):
    text = (REPOSITORY / path).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    regions = [region for region in markers.regions(text, path) if region.task == task]
    for index in sorted(replacements, reverse=True):
        region = regions[index]
        code = textwrap.indent(textwrap.dedent(replacements[index]).strip("\n") + "\n",
                               region.indent)
        lines[region.begin - 1:region.end] = [code]
    number = next(_counter)
    source = "".join(lines).replace('package="custom"', f'package="mutant_{number}"')
    name = f"mutant_{number}_{pathlib.Path(path).stem}"
    target = _FOLDER / f"{name}.py"
    target.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
