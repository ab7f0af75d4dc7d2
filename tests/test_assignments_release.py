# ASSIGNMENTS: INSTRUCTOR ONLY (it reads the solutions to prove that none leaks)
"""The student edition: nothing of a solution in it, every stub in place, and it works.

One release of every task is written per test session; the tests then read it line by
line and run its commands as a student would, in subprocesses.
"""

import ast
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import types
import zipfile

import nbformat
import pytest

from assignments import markers, release
from labs.machinery import notebooks
from assignments import tasks as task_table

REPOSITORY = release.REPOSITORY
ADAM = "custom/optimizers/adam.py"


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student") / "edition"
    release.release(out, allow_dirty=True)
    return out


def run(edition, *command, timeout=300):
    environment = {**os.environ, "PYTHONPATH": "", "LABS_QUICK": "1"}
    return subprocess.run([sys.executable, *command], cwd=edition, capture_output=True,
                          text=True, timeout=timeout, env=environment)


def imported_modules(finished):
    """The modules a ``python -X importtime`` run imported, read from its stderr."""
    return {line.rsplit("|", 1)[1].strip() for line in finished.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def imports_tensorflow(finished):
    modules = imported_modules(finished)
    assert "assignments" in modules, finished.stderr[-2000:]   # The report was read.
    return any(name == "tensorflow" or name.startswith(("tensorflow.", "keras"))
               for name in modules)


def reference_python_files():
    return [path for path in release.repository_files() if path.endswith(".py")]


def secret_lines():
    """Code lines that stand only inside the tasks' regions: line → the file they come from.

    A line of an instructor-only file (a test that copies a solution) does not count as
    standing outside: it never reaches the students.
    """
    texts = {path: (REPOSITORY / path).read_text(encoding="utf-8")
             for path in reference_python_files()}
    outside = set()
    solution = {}
    for path, text in texts.items():
        inside_numbers = set()
        for region in markers.regions(text, path):
            if region.task in task_table.TASKS:
                inside_numbers.update(range(region.begin + 1, region.end))
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.strip()
            if code and not code.startswith("#"):
                if number in inside_numbers:
                    solution.setdefault(code, path)
                elif not markers.is_instructor_only(text):
                    outside.add(code)
    return {line: path for line, path in solution.items() if line not in outside}


def test_no_line_of_any_solution_region_reaches_the_student_edition(edition):
    secret = secret_lines()
    assert len(secret) > 50, "the regions hold far fewer lines than the tasks need"
    for file in edition.rglob("*"):
        if not file.is_file() or file.suffix not in release.TEXT_SUFFIXES:
            continue
        for line in file.read_text(encoding="utf-8").splitlines():
            assert line.strip() not in secret, (
                f"{file.relative_to(edition)} has {line.strip()!r} from {secret[line.strip()]}")


def test_task_notebooks_exported_from_the_reference_hold_no_solution(tmp_path):
    paths = notebooks.export_tasks(tmp_path)
    assert sorted(path.stem for path in paths) == sorted(task_table.TASKS)
    secret = secret_lines()
    for path in paths:
        notebook = nbformat.read(str(path), as_version=4)
        for cell in notebook.cells:
            for line in cell.source.splitlines():
                assert line.strip() not in secret, f"{path.name} has {line.strip()!r}"
        sources = [cell.source for cell in notebook.cells]
        assert any(f"assignments.check({path.stem!r})" in source for source in sources)
        assert any(f"assignments.pack({path.stem!r})" in source for source in sources)


def test_instructor_only_files_and_hidden_checks_are_left_out(edition):
    for path in reference_python_files():
        text = (REPOSITORY / path).read_text(encoding="utf-8")
        present = (edition / path).exists()
        assert present != markers.is_instructor_only(text), path
    assert not (edition / "assignments" / "instructor").exists()
    for file in edition.rglob("*.py"):
        text = file.read_text(encoding="utf-8")
        lines = text.splitlines()
        for number in markers.comment_lines(text, file.name):
            comment = lines[number - 1].strip()
            assert not comment.startswith(("# BEGIN", "# END")), f"{file}:{number}: {comment}"
    tasks = (edition / "assignments" / "tasks.py").read_text(encoding="utf-8")
    assert "hidden." not in tasks and "assignments.instructor" not in tasks


def stubs_in(path, text):
    """(task, line in the message, line of the raise) for each stub: a real raise statement."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", None) == "NotImplementedError"
                and node.exc.args and isinstance(node.exc.args[0], ast.Constant)):
            message = node.exc.args[0].value
            todo = markers.parse_todo(message)
            assert todo and todo.message() == message, (path, message)
            place, line = todo.where.rsplit(":", 1)
            assert place == path, (path, message)
            found.append((todo.task, int(line), node.lineno))
    return found


def test_every_region_is_a_stub_that_names_its_task_and_its_own_line(edition):
    stubs = []
    for file in edition.rglob("*.py"):
        path = file.relative_to(edition).as_posix()
        for task, line, number in stubs_in(path, file.read_text(encoding="utf-8")):
            assert line == number, (path, task)
            stubs.append(task)
    regions = [region.task for path in reference_python_files()
               for region in markers.regions((REPOSITORY / path).read_text(encoding="utf-8"),
                                             path)
               if region.task in task_table.TASKS]
    assert sorted(stubs) == sorted(regions)
    assert set(stubs) == set(task_table.TASKS)


def test_release_refuses_a_folder_that_is_not_empty_and_an_unknown_task(tmp_path):
    (tmp_path / "keep.txt").write_text("students' work")
    with pytest.raises(release.ReleaseError, match="not empty"):
        release.release(tmp_path, allow_dirty=True)
    assert (tmp_path / "keep.txt").read_text() == "students' work"
    with pytest.raises(release.ReleaseError, match="unknown task 'adamw'"):
        release.release(tmp_path / "new", tasks=["adamw"], allow_dirty=True)


def test_a_release_has_three_states_handed_out_held_and_published(tmp_path):
    release.release(tmp_path / "edition", tasks=["adam"], publish=["rmsprop"], allow_dirty=True)
    edition = tmp_path / "edition"
    adam = (edition / ADAM).read_text(encoding="utf-8")
    rmsprop = (edition / "custom/optimizers/rmsprop.py").read_text(encoding="utf-8")
    losses = (edition / "custom/losses.py").read_text(encoding="utf-8")
    assert markers.stub_states(adam) == {"adam": "unwritten"}        # Handed out: a TODO.
    assert "NotImplementedError" not in rmsprop                      # Published: the code.
    assert markers.stub_states(losses) == {"losses": "held"}         # Held: no code, no TODO.
    assert "TODO" not in losses
    for line in markers.solution_lines((REPOSITORY / "custom/losses.py").read_text(
            encoding="utf-8"), "custom/losses.py"):
        if line and not line.startswith("#"):
            assert line not in losses
    from assignments import editions

    states = editions.stub_states(edition)
    assert states["adam"] == "unwritten" and "rmsprop" not in states
    assert {task for task, state in states.items() if state == "held"} == (
        set(task_table.TASKS) - {"adam", "rmsprop"})
    # Asked for a held task, the command line says so in one line, without TensorFlow.
    held_check = run(edition, "-X", "importtime", "-m", "assignments", "check", "losses")
    assert held_check.returncode == 2 and held_check.stdout == ""
    errors = [line for line in held_check.stderr.splitlines()
              if not line.startswith("import time:")]
    assert errors == ["python -m assignments: error: task 'losses' is not part of this "
                      "edition (it is held: its code is absent and the labs use its trusted "
                      "twin)"], errors
    assert not imports_tensorflow(held_check)


def test_grading_editions_keep_the_other_tasks_solved_except_siblings():
    others = release.solved_others(["nesterov"])
    assert "sgd_momentum" not in others and "nesterov" not in others
    assert sorted(others) == sorted(set(task_table.TASKS) - {"sgd_momentum", "nesterov"})
    handed, held, published = release.tasks_by_state(["nesterov"], others)
    assert (handed, held) == (["nesterov"], ["sgd_momentum"])


def test_release_refuses_a_task_in_two_states_and_a_published_sibling(tmp_path):
    with pytest.raises(release.ReleaseError, match="both handed out .* and published"):
        release.release(tmp_path / "a", tasks=["adam"], publish=["adam"], allow_dirty=True)
    with pytest.raises(release.ReleaseError, match="cannot publish 'nesterov'.*sgd_momentum"):
        release.release(tmp_path / "b", tasks=["adam"], publish=["nesterov"], allow_dirty=True)
    with pytest.raises(release.ReleaseError, match="unknown task 'adamw'"):
        release.release(tmp_path / "c", tasks=["adam"], publish=["adamw"], allow_dirty=True)
    assert not any(tmp_path.iterdir())


def test_the_leak_check_covers_held_tasks_and_their_hints():
    """A held task's line counts as secret, and its TODO (stub or hint) is refused."""
    path = "custom/losses.py"
    reference = (REPOSITORY / path).read_text(encoding="utf-8")
    secret = [line for line in markers.solution_lines(reference, path)
              if line and not line.startswith("#")]
    leaked = release.leaked_lines({path: reference}, {"notes.md": secret[0]}, {"losses"})
    assert leaked == [("notes.md", secret[0])]
    held_text = markers.student_text(reference, path, set(), held={"losses"})
    assert release.wrong_stubs({path: held_text}, [], ["losses"]) == []
    with_todo = markers.student_text(reference, path, {"losses"})
    assert release.wrong_stubs({path: with_todo}, [], ["losses"]) == [
        f"{path}: the held task 'losses' has a TODO stub"]
    region = markers.regions(reference, path)[0]
    hint = f"{region.indent}# TODO: {region.hint}\n"
    with_hint = held_text.replace(region.held_stub(), hint + region.held_stub(), 1)
    assert any("TODO hint" in problem
               for problem in release.wrong_stubs({path: with_hint}, [], ["losses"]))


def test_releasing_one_task_ships_no_siblings_solution(tmp_path):
    """Nesterov's first line is classic momentum's: releasing nesterov holds the other."""
    release.release(tmp_path / "edition", tasks=["nesterov"], allow_dirty=True)
    sgd = (tmp_path / "edition" / "custom/optimizers/sgd.py").read_text(encoding="utf-8")
    assert markers.stub_states(sgd) == {"nesterov": "unwritten", "sgd_momentum": "held"}
    reference = (REPOSITORY / "custom/optimizers/sgd.py").read_text(encoding="utf-8")
    for line in markers.solution_lines(reference, "custom/optimizers/sgd.py"):
        if line and not line.startswith("#"):
            assert line not in sgd


@pytest.fixture
def clone_with_class_files(tmp_path):
    """A clone of this repository with what a term leaves lying around, untracked."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPOSITORY), str(clone)], check=True)
    solution = (clone / ADAM).read_text(encoding="utf-8")
    (clone / "submissions" / "alice" / "custom/optimizers").mkdir(parents=True)
    (clone / "submissions" / "alice" / ADAM).write_text(solution)
    (clone / "results").mkdir()
    (clone / "results" / "grades.csv").write_text("student,task,points\nalice,adam,15\n")
    (clone / (ADAM + ".orig")).write_text(solution)
    return clone


def test_a_release_from_a_dirty_tree_is_refused(clone_with_class_files, tmp_path):
    with pytest.raises(release.ReleaseError, match="untracked or modified"):
        release.release(tmp_path / "edition", ["adam"], root=clone_with_class_files)
    assert not (tmp_path / "edition").exists()


def test_allow_dirty_still_ships_only_tracked_files(clone_with_class_files, tmp_path):
    written = release.release(tmp_path / "edition", ["adam"], root=clone_with_class_files,
                              allow_dirty=True)
    assert not any(path.startswith(("submissions/", "results/")) or path.endswith(".orig")
                   for path in written)
    assert not (tmp_path / "edition" / "submissions").exists()
    assert "TODO adam" in (tmp_path / "edition" / ADAM).read_text(encoding="utf-8")


CHECK_SEPARATOR = "=" * 20 + " next report " + "=" * 20
NEXT_COMMAND = "=" * 20 + " next command " + "=" * 20


@pytest.fixture(scope="module")
def before_anything_is_written(edition):
    """Two commands a student runs in the edition before writing anything, one after the
    other in one Python under ``-X importtime`` (TensorFlow starts once for both): the check
    of adam, through the command line's own main as ``python -m assignments check adam``
    calls it, then the fit_vs_tape lab on the student's own rmsprop, run as ``__main__`` the
    way ``python -m labs.fit_vs_tape --impl custom --optimizer rmsprop`` runs it (its exit is
    the process's). Returns ``check`` (its stdout, its stderr with the import times, its exit
    status) and ``lab`` (its stdout, its stderr, the process's exit status)."""
    finished = run(edition, "-X", "importtime", "-c",
                   "import runpy, sys\nfrom assignments.__main__ import main\n"
                   "status = main(['check', 'adam'])\n"
                   "print(NEXT, status, flush=True)\nprint(NEXT, file=sys.stderr, flush=True)\n"
                   "sys.argv = ['labs.fit_vs_tape', '--impl', 'custom',\n"
                   "            '--optimizer', 'rmsprop']\n"
                   "runpy.run_module('labs.fit_vs_tape', run_name='__main__', alter_sys=True)\n"
                   .replace("NEXT", repr(NEXT_COMMAND)))
    assert finished.stdout.count(NEXT_COMMAND) == finished.stderr.count(NEXT_COMMAND) == 1, (
        finished.stderr[-3000:])
    check_stdout, lab_stdout = finished.stdout.split(NEXT_COMMAND)
    check_stderr, lab_stderr = finished.stderr.split(NEXT_COMMAND)
    status, lab_stdout = lab_stdout.split("\n", 1)
    return types.SimpleNamespace(
        check=subprocess.CompletedProcess(finished.args, int(status), check_stdout, check_stderr),
        lab=subprocess.CompletedProcess(finished.args, finished.returncode, lab_stdout,
                                        lab_stderr))


@pytest.mark.slow
def test_a_student_runs_the_check_sees_the_todo_then_step_level_feedback(
        edition, before_anything_is_written, tmp_path):
    listed = run(edition, "-X", "importtime", "-m", "assignments", "list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(task_table.TASKS)
    assert not imports_tensorflow(listed)   # The task table alone: an instant answer.
    todo = before_anything_is_written.check
    assert todo.returncode == 1 and "not written yet: TODO adam" in todo.stdout
    assert imports_tensorflow(todo)         # A check that runs does import it.
    # The student writes Adam but forgets the bias correction.
    student = shutil.copytree(edition, tmp_path / "student")
    reference = (REPOSITORY / "custom/optimizers/adam.py").read_text(encoding="utf-8")
    wrong = reference.replace(
        "learning_rate * keras.ops.sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power)",
        "learning_rate")
    assert wrong != reference
    (student / "custom/optimizers/adam.py").write_text(
        markers.student_text(wrong, "custom/optimizers/adam.py", set()), encoding="utf-8")
    # The text and the --json report of the same code, from one process (one TensorFlow
    # start-up): the command line's own main, as `python -m assignments` calls it.
    both = run(student, "-c", "import sys\nfrom assignments.__main__ import main\n"
               "text = main(['check', 'adam'])\nprint(SEPARATOR)\n"
               "as_json = main(['check', 'adam', '--json'])\nprint(SEPARATOR, text, as_json)"
               .replace("SEPARATOR", repr(CHECK_SEPARATOR)))
    assert both.returncode == 0, both.stderr[-2000:]
    text, as_json, codes = both.stdout.split(CHECK_SEPARATOR)
    assert codes.split() == ["1", "1"]   # Both exit statuses: a check failed.
    assert "first difference at step 1" in text
    assert "likely cause: missing bias correction" in text
    assert '"max_score": 10' in as_json
    document = json.loads(as_json)
    assert document["max_score"] == 10 and document["score"] < 10


@pytest.mark.slow
def test_labs_in_the_student_edition_run_the_twin_of_an_unfinished_task(
        before_anything_is_written):
    """Asked for the student's own rmsprop before it is written, the lab runs Keras' twin,
    says so in one line, and exits 0 (in the process that checked adam first)."""
    module = before_anything_is_written.lab
    assert module.returncode == 0, module.stderr[-2000:]
    notices = [line for line in module.stdout.splitlines() if "until the task is written" in line]
    assert notices == ["rmsprop: using keras.optimizers.RMSprop until the task is written"]
    assert "Traceback" not in module.stderr


@pytest.mark.slow
def test_a_task_notebook_checks_the_students_cell_and_packs_it_in_a_real_kernel(edition,
                                                                               tmp_path):
    from tests.test_notebooks import execute

    student = shutil.copytree(edition, tmp_path / "student")
    # The task notebooks as the student edition's export writes them (``export_tasks``, which
    # the front door calls; its whole export in a student edition is tested in
    # tests/test_student_repository.py), in a Python started there, without TensorFlow.
    exported = run(student, "-X", "importtime", "-c", "from labs.machinery import notebooks\n"
                   "notebooks.export_tasks('notebooks', notebooks.repository_ref())")
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert not imports_tensorflow(exported)
    path = student / "notebooks" / "assignments" / "adam.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    # The student writes Adam in its %%writefile cell; the lab commands are left out for speed.
    reference = markers.student_text((REPOSITORY / ADAM).read_text(encoding="utf-8"), ADAM, set())
    cells = []
    for cell in notebook.cells:
        if cell.source.startswith(f"%%writefile {ADAM}"):
            assert "TODO adam" in cell.source
            cell.source = f"%%writefile {ADAM}\n{reference}"
        if not cell.source.startswith("!python -m labs"):
            cells.append(cell)
    notebook.cells = cells
    nbformat.write(notebook, str(path))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

    executed = execute(path, tmp_path, env)

    text = "".join(output.get("text", "") for cell in executed.cells if cell.cell_type == "code"
                   for output in cell.outputs)
    assert "total: 10/10 points" in text, text[-3000:]
    with zipfile.ZipFile(student / "submission-adam.zip") as archive:
        assert archive.namelist() == [ADAM]
        assert archive.read(ADAM).decode("utf-8") == reference


def test_the_debugging_lab_in_a_seeded_release_names_no_runs_cause(tmp_path):
    """The debugging lab is a diagnosis: the student edition ships its runs packed, letters
    dealt by the release's seed, and no file of it ties a letter to a cause, states a
    broken configuration or a fix, or holds the instructor's module and tests that do."""
    from labs.helpers import debugging_cases, debugging_recipes as recipes

    out = tmp_path / "edition"
    release.release(out, tasks=["adam"], allow_dirty=True, seed=4)
    assert not (out / "labs" / "helpers" / "debugging_cases.py").exists()
    assert not (out / "tests" / "test_debugging_lab.py").exists()
    runs_file = out / "labs" / "helpers" / "debugging_runs.txt"
    runs = recipes.unpack(runs_file.read_text(encoding="utf-8"))
    assert runs == debugging_cases.runs(4) != debugging_cases.runs(None)
    causes = [cause.cause for cause in debugging_cases.CAUSES]
    tells = [cause.fix_text for cause in debugging_cases.CAUSES]
    for cause in debugging_cases.CAUSES:       # A broken entry as code or data would write it
        for key, value in cause.broken.items():  # (the sound recipe's own entries tell nothing).
            if value == recipes.BASE[key]:
                continue
            tells += [f'"{key}": {value!r}', f'"{key}": {json.dumps(value)}',
                      f"{key} {value!r} →"]
    names_a_run = re.compile(r"\bRuns? [A-G]\b|\b[A-G]: |[\"'][A-G][\"']")
    texts = {file.relative_to(out).as_posix(): file.read_text(encoding="utf-8")
             for file in out.rglob("*")
             if file.is_file() and file.suffix in release.TEXT_SUFFIXES}
    assert len(texts) > 100
    for path, text in texts.items():
        for tell in tells:
            assert tell not in text, f"{path} holds {tell!r}"
        for paragraph in re.split(r"\n[ \t#]*\n", text):   # Blank lines, also in comments.
            named = [cause for cause in causes if cause.lower() in paragraph.lower()]
            assert not (named and names_a_run.search(paragraph)), (
                f"{path}: a paragraph names {named[0]!r} beside a run's letter: "
                f"{paragraph.strip()[:200]!r}")
    for cause in causes:                         # The candidates are where a cause is named.
        assert cause in recipes.CANDIDATES


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_release_refuses_a_seed_that_is_not_a_whole_number(tmp_path, seed):
    with pytest.raises(release.ReleaseError, match="--seed must be an integer >= 0"):
        release.release(tmp_path / "edition", allow_dirty=True, seed=seed)
    assert not (tmp_path / "edition").exists()
