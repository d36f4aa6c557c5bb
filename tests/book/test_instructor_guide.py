"""The course page's plans: real chapters, four to six cited readings a week with a counter-reading,
a third of them recent, every chapter assigned, every problem set due once; exams with keys."""

import re

import pytest
from pybtex.database import parse_file

from helpers import ROOT, toc_files
from test_chapters import GUIDE_PAGES, LAB_PAGES, REFERENCE_PAGES

COURSE = (ROOT / "book" / "course.md").read_text()
BIB = parse_file(str(ROOT / "references.bib")).entries
PROBLEM_SETS = sorted(p.stem for p in (ROOT / "exercises" / "source").glob("ps*/ps*.ipynb"))
CHAPTERS = [name for name in toc_files() if name not in REFERENCE_PAGES | GUIDE_PAGES | LAB_PAGES]
EXAMS = ROOT / "exercises" / "exams"
# (heading, weeks, fewest and most readings a week, problem sets due)
PLANS = [("The 13-week undergraduate course", 13, 4, 6, True),
         ("The 6-week short course", 6, 3, 4, True),
         ("The graduate seminar", 13, 5, 8, False)]


def weeks(text, heading):
    """{week number: {field: text}} of the plan under the ``## heading``."""
    section = text.split(f"## {heading}\n", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    found = {}
    for number, body in re.findall(r"#### Week (\d+):[^\n]*\n(.*?)(?=\n#### Week |\Z)", section, flags=re.S):
        found[int(number)] = dict(re.findall(r"^- \*\*(\w+):\*\* (.*)$", body, flags=re.M))
    return found


def readings(items):
    return re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", items["Readings"])


def check_plan(text, heading, n_weeks, fewest, most, sets_due):
    plan = weeks(text, heading)
    assert sorted(plan) == list(range(1, n_weeks + 1)), f"{heading}: weeks {sorted(plan)}"
    covered, due, keys = set(), [], []
    for week, items in plan.items():
        where = f"{heading}, week {week}"
        assert set(items) == {"Chapters", "Readings", "Discuss", "Due"}, f"{where}: fields {sorted(items)}"
        chapters = [f"book/{doc}" for doc in re.findall(r"\{doc\}`([^`]+)`", items["Chapters"])]
        assert chapters, f"{where}: no chapters"
        for chapter in chapters:
            assert chapter in CHAPTERS, f"{where}: {chapter} is not a chapter in _toc.yml"
        covered.update(chapters)
        found = readings(items)
        assert fewest <= len(found) <= most, f"{where}: {len(found)} readings, not {fewest} to {most}"
        assert len(set(found)) == len(found), f"{where}: a reading is listed twice"
        for key in found:
            assert key in BIB, f"{where}: reading {key} is not in references.bib"
        keys += found
        assert re.search(r"counter-reading: \{cite(?::[a-z]+)?\}`[^`]+`", items["Readings"]), f"{where}: no counter-reading"
        assert "?" in items["Discuss"], f"{where}: no discussion question"
        sets = re.findall(r"`(ps\d[\w-]*)`", items["Due"])
        assert items["Due"].strip(), f"{where}: say what is due"
        due += sets
    assert covered == set(CHAPTERS), f"{heading}: chapters never assigned: {sorted(set(CHAPTERS) - covered)}"
    if sets_due:
        assert sorted(due) == PROBLEM_SETS, f"{heading}: each problem set due once; due {due}"
    recent = [k for k in keys if int(BIB[k].fields["year"][:4]) >= 2015]
    assert 3 * len(recent) >= len(keys), f"{heading}: {len(recent)} of {len(keys)} readings from 2015 or later, not a third"


@pytest.mark.parametrize("heading, n_weeks, fewest, most, sets_due", PLANS)
def test_plan(heading, n_weeks, fewest, most, sets_due):
    check_plan(COURSE, heading, n_weeks, fewest, most, sets_due)


@pytest.mark.parametrize("broken, message", [
    ("; counter-reading: {cite:t}`wilkins2012alignment`", "week 1: no counter-reading"),
    ("{cite:t}`david1991explaining`; {cite:t}`poast2019arguing` (chapter 1); ", "week 2: 3 readings, not 4 to 6"),
])
def test_the_plan_check_sees_a_broken_week(broken, message):
    assert broken in COURSE
    with pytest.raises(AssertionError, match=message):
        check_plan(COURSE.replace(broken, "", 1), *PLANS[0])


def test_the_guide_points_to_the_course_page():
    guide = (ROOT / "book" / "instructor-guide.md").read_text()
    assert "{doc}`course`" in guide


@pytest.mark.parametrize("exam", ["midterm", "final"])
def test_exams_have_keys_and_keys_compute_their_data(exam):
    paper, key = (EXAMS / f"{exam}.md").read_text(), (EXAMS / f"{exam}-key.md").read_text()
    questions = [int(n) for n in re.findall(r"^(\d+)\. ", paper, flags=re.M)]
    answered = {int(n) for n in re.findall(r"^(\d+)\. ", key, flags=re.M)}
    assert questions == list(range(1, len(questions) + 1)), f"{exam}: questions {questions}"
    assert set(questions) <= answered, f"{exam}-key: no answer to {sorted(set(questions) - answered)}"
    code = re.findall(r"```python\n(.*?)```", key, flags=re.S)
    assert code, f"{exam}-key: no code for the data questions"


@pytest.mark.parametrize("exam", ["midterm", "final"])
def test_exam_key_code_runs(exam, capsys):
    code = re.findall(r"```python\n(.*?)```", (EXAMS / f"{exam}-key.md").read_text(), flags=re.S)
    for block in code:
        exec(compile(block, f"{exam}-key.md", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.count("\n") >= 3 and "nan" not in printed.lower(), printed
