"""The instructor guide's syllabi: real chapters, cited readings with a counter-reading, every problem set due once."""

import re

import pytest
from pybtex.database import parse_file

from helpers import ROOT, toc_files
from test_chapters import GUIDE_PAGES, LAB_PAGES, REFERENCE_PAGES

GUIDE = (ROOT / "book" / "instructor-guide.md").read_text()
BIB = parse_file(str(ROOT / "references.bib")).entries
PROBLEM_SETS = sorted(p.stem for p in (ROOT / "exercises").glob("ps*.ipynb"))
CHAPTERS = [name for name in toc_files() if name not in REFERENCE_PAGES | GUIDE_PAGES | LAB_PAGES]


def weeks(heading):
    """{week number: {field: text}} of the syllabus under the ``### heading``."""
    section = GUIDE.split(f"### {heading}\n", 1)[1]
    section = re.split(r"\n#{2,3} ", section, maxsplit=1)[0]
    found = {}
    for number, body in re.findall(r"#### Week (\d+):[^\n]*\n(.*?)(?=\n#### Week |\Z)", section, flags=re.S):
        items = dict(re.findall(r"^- \*\*(\w+):\*\* (.*)$", body, flags=re.M))
        found[int(number)] = items
    return found


@pytest.mark.parametrize("heading, n_weeks", [("The 13-week course", 13), ("The 6-week course", 6)])
def test_syllabus(heading, n_weeks):
    plan = weeks(heading)
    assert sorted(plan) == list(range(1, n_weeks + 1)), f"{heading}: weeks {sorted(plan)}"
    covered, due = set(), []
    for week, items in plan.items():
        where = f"{heading}, week {week}"
        assert set(items) == {"Chapters", "Readings", "Discuss", "Due"}, f"{where}: fields {sorted(items)}"
        chapters = [f"book/{doc}" for doc in re.findall(r"\{doc\}`([^`]+)`", items["Chapters"])]
        assert chapters, f"{where}: no chapters"
        for chapter in chapters:
            assert chapter in CHAPTERS, f"{where}: {chapter} is not a chapter in _toc.yml"
        covered.update(chapters)
        readings = re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", items["Readings"])
        assert 2 <= len(readings) <= 3, f"{where}: {len(readings)} readings, not two or three"
        for key in readings:
            assert key in BIB, f"{where}: reading {key} is not in references.bib"
        counter = re.findall(r"counter-reading: \{cite(?::[a-z]+)?\}`([^`]+)`", items["Readings"])
        assert counter, f"{where}: no counter-reading"
        assert "?" in items["Discuss"], f"{where}: no discussion question"
        sets = re.findall(r"`(ps\d[\w-]*)`", items["Due"])
        assert sets or items["Due"].startswith("nothing"), f"{where}: say what is due"
        due += sets
    assert covered == set(CHAPTERS), f"{heading}: chapters never assigned: {sorted(set(CHAPTERS) - covered)}"
    assert sorted(due) == PROBLEM_SETS, f"{heading}: each problem set due once; due {due}"


def test_syllabus_parser_sees_a_broken_week():
    global GUIDE
    saved = GUIDE
    try:
        GUIDE = saved.replace("; counter-reading: {cite:t}`morrow1991alliances`\n- **Discuss:** Is a", "\n- **Discuss:** Is a", 1)
        assert GUIDE != saved
        with pytest.raises(AssertionError, match="week 1: no counter-reading"):
            test_syllabus("The 13-week course", 13)
    finally:
        GUIDE = saved
