"""labs/SESSIONS.md: 50-minute class plans whose lab times, questions and slots are true.

Each plan is a table of time slots ("| 0–5 | … |") that runs from 0 to 50 minutes without a
gap; a lab is named with its own full-mode run time from benchmarks/results.md ("`NAME` (N s)",
copied by ``python -m benchmarks.results --write``); and a question put to the room quotes a
lab's prediction cell word for word (``- `NAME`, Predict N: "…"``).
"""

import re

from benchmarks import _publish
from labs import _catalog, _classroom

TEXT = _publish.SESSIONS.read_text(encoding="utf-8")
RESULTS = _publish.read(_publish.RESULTS.read_text(encoding="utf-8"))
PLAN = re.compile(r"^## Plan \d+: .+$", re.M)
SLOT = re.compile(r"^\| (\d+)–(\d+) \|", re.M)
QUESTION = re.compile(r'^- `(\w+)`, Predict (\d+): "(.+)"$', re.M)
SESSION_MINUTES = 50


def plans():
    starts = [found.start() for found in PLAN.finditer(TEXT)]
    return [TEXT[start:end] for start, end in zip(starts, [*starts[1:], len(TEXT)])]


def test_two_or_three_plans_each_filling_fifty_minutes_without_a_gap():
    assert len(plans()) in (2, 3)
    for plan in plans():
        slots = [(int(start), int(end)) for start, end in SLOT.findall(plan)]
        assert slots, plan.splitlines()[0]
        assert slots[0][0] == 0 and slots[-1][1] == SESSION_MINUTES, plan.splitlines()[0]
        for (_, end), (start, _) in zip(slots, slots[1:]):
            assert end == start, f"{plan.splitlines()[0]}: a gap or overlap at minute {end}"


def test_every_lab_named_exists_and_quotes_its_measured_run_time():
    quoted = list(_publish.SESSION_QUOTE.finditer(TEXT))
    assert quoted
    for found in quoted:
        assert found.group(1) in _catalog.names(), f"no lab {found.group(1)!r}"
        assert found.group(0) == _publish.session_quote(RESULTS, found)


def test_every_question_quotes_its_labs_prediction_cell():
    asked = QUESTION.findall(TEXT)
    assert len(asked) >= 2 * len(plans())
    for name, number, question in asked:
        assert question == _classroom.predictions(_classroom.lab_source(name))[int(number)]
