"""README.md and the labs' headers quote benchmarks/results.md, and agree with it.

``python -m benchmarks.results --write`` measures the numbers and copies them in; this
test fails when a document was edited by hand, or the file was measured again without
copying its numbers.
"""

import re

import pytest

from benchmarks import _publish
from labs.machinery import catalog

RESULTS = _publish.read(_publish.RESULTS.read_text(encoding="utf-8"))
README = _publish.README.read_text(encoding="utf-8")


def test_every_lab_was_measured():
    assert set(RESULTS["labs"]) == set(catalog.names())


def test_readme_sentences_quote_the_results():
    for sentence in _publish.readme_sentences(RESULTS):
        assert sentence in README, f"README.md should say: {sentence}"


def test_readme_lab_table_quotes_each_labs_own_time():
    rows = _publish.readme_lab_rows(RESULTS, README)
    assert len(rows) == len(RESULTS["labs"])
    for written, quoted in rows.items():
        assert written == quoted


def test_readme_speed_table_is_the_results_table():
    lines = README.splitlines()
    first = lines.index(_publish.RATIO_HEADER)
    assert lines[first:first + len(RESULTS["speed_rows"])] == RESULTS["speed_rows"]
    assert len(RESULTS["speed_rows"]) > 2


@pytest.mark.parametrize("name", catalog.names())
def test_lab_header_quotes_its_measured_run_time(name):
    header = catalog.path(name).read_text(encoding="utf-8").split('"""')[1]
    assert _publish.lab_header_line(RESULTS["labs"][name]) in header


def test_no_other_document_states_a_speed_ratio():
    """The numbers that disagreed before live only in results.md now."""
    training = (_publish.ROOT / "custom" / "training.py").read_text(encoding="utf-8")
    assert "about ten times" not in training and "results.md" in training
    diagnostics = (_publish.ROOT / "benchmarks" / "diagnostics_results.md").read_text(
        encoding="utf-8")
    overhead = diagnostics[diagnostics.index("## Overhead"):]
    assert not re.search(r"\d\.\d{2,}", overhead), overhead


def test_a_file_without_the_tables_is_refused():
    with pytest.raises(ValueError, match="not a results file"):
        _publish.read("# nothing measured here\n")
    assert _publish.seconds_text(0.64) == "0.6 s" and _publish.seconds_text(16.4) == "16 s"
