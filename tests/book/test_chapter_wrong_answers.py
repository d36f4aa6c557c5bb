"""Chapters' check cells name the mistakes students really make (issue #16, item 1).

``tests/fixtures/chapter-wrong-answers.json`` maps chapter -> exercise label -> a list of
``{"code": ..., "says": ...}``: a wrong answer written as a student would write it (from the data,
not from the check's own mistake values) and words the check must then say. For each chapter in
the fixture, one kernel runs the chapter top to bottom; at the check cell of each listed exercise
it also runs every wrong answer followed by the check cell, then the blank student cell (``...``)
followed by the check cell, and then the solution again so that later exercises see the right
state. Chapters run in parallel (one kernel each, in one event loop).

Each wrong answer must get its own sentence: not "Correct!", not the generic "too high/too low",
no traceback. The right answer must still get "Correct!" and the blank one "not answered yet".
To add a chapter: give every exercise of it at least one wrong answer in the fixture.

The same runs check the notebook edition's check cell (``alliances.publish.check_specs``): the
check cell runs with its calls recorded, is rewritten as the edition writes it
(``checks.check_exercise(..., spec=...)``, no formula), and that cell must say exactly what the
authoring cell says to the right answer, to every wrong answer and to the blank one.
"""

import asyncio
import json
import os
import re

import nbformat
import pytest
from helpers import ROOT

from alliances import checks
from alliances.publish import check_specs

BOOK = ROOT / "book"
WRONG = json.loads((ROOT / "tests" / "fixtures" / "chapter-wrong-answers.json").read_text())
CASES = [(chapter, label) for chapter, exercises in WRONG.items() for label in exercises]


def exercises(nb):
    """label -> {"student": index, "solution": [indices], "check": index} for each {exercise} of a chapter."""
    found, label, inside = {}, None, False
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            if "```{exercise}" in cell.source and ":label:" in cell.source:
                label = cell.source.split(":label:", 1)[1].split()[0]
                if re.search(r"^:class:.*\brubric\b", cell.source, flags=re.M):
                    label = None  # graded by hand with a rubric: no check cell, no wrong answers
                else:
                    found[label] = {"student": None, "solution": [], "check": None}
            if "```{solution-start}" in cell.source:
                inside = True
            if "```{solution-end}" in cell.source:
                inside = False
        elif label is not None:
            ex = found[label]
            if ex["student"] is None:
                ex["student"] = i
            elif inside:
                ex["solution"].append(i)
            elif ex["check"] is None and "checks.check_" in cell.source:
                ex["check"] = i
    return found


def said(cell):
    """The text a code cell showed: its results, printed text and any error."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            parts.append(f"ERROR {out.ename}: {out.evalue}")
        else:
            parts.append(out.get("data", {}).get("text/plain", "") or out.get("text", ""))
    return "\n".join(parts)


async def _run_chapter(chapter, record_file):
    from nbclient import NotebookClient

    nb = nbformat.read(BOOK / f"{chapter}.ipynb", as_version=4)
    plan = exercises(nb)
    at_check = {ex["check"]: label for label, ex in plan.items() if label in WRONG[chapter]}
    n = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(""))  # scratch cell: nbclient stores each run at its index
    client = NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(BOOK)}})
    # exercises graded by hand with a rubric have no check cell, so no wrong answers to list
    results = {"labels": {label for label, ex in plan.items() if ex["check"] is not None},
               "missing": sorted(set(WRONG[chapter]) - set(at_check.values()))}

    async def run(source):
        cell = nbformat.v4.new_code_cell(source)
        await client.async_execute_cell(cell, n)
        return said(cell)

    async with client.async_setup_kernel():
        for i in range(n):
            cell = nb.cells[i]
            if cell.cell_type != "code":
                continue
            check = cell.source
            if i in at_check:  # run with its check calls recorded, then rewritten as in the edition
                key = f"{chapter}:{cell.get('id', i)}"
                cell.source = check_specs.recording_source(check, key)
            await client.async_execute_cell(cell, i)
            if i not in at_check:
                continue
            label, ex = at_check[i], plan[at_check[i]]
            edition = check_specs.student_source(check, check_specs.read_records(record_file).get(key, []), label)
            got = {"right": said(cell), "wrong": [], "edition": edition, "edition_right": await run(edition),
                   "edition_wrong": []}
            for wrong in WRONG[chapter][label]:
                setup = await run(wrong["code"])
                got["wrong"].append((wrong, setup, await run(check)))
                got["edition_wrong"].append(await run(edition))
            await run(nb.cells[ex["student"]].source)
            got["blank"] = await run(check)
            got["edition_blank"] = await run(edition)
            for j in ex["solution"]:  # put the right answer (and what it defines) back for later exercises
                await run(nb.cells[j].source)
            results[label] = got
    return chapter, results


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    record_file = tmp_path_factory.mktemp("checks") / "records.jsonl"
    saved = os.environ.get(checks.RECORD_ENV)
    os.environ[checks.RECORD_ENV] = str(record_file)  # the kernels inherit it: their checks record

    async def main():
        return dict(await asyncio.gather(*(_run_chapter(chapter, record_file) for chapter in WRONG)))

    try:
        return asyncio.run(main())
    finally:
        if saved is None:
            os.environ.pop(checks.RECORD_ENV)
        else:
            os.environ[checks.RECORD_ENV] = saved


def test_the_fixture_lists_chapters_with_wrong_answers():
    assert WRONG and all(WRONG.values()), "tests/fixtures/chapter-wrong-answers.json lists no wrong answers"
    for chapter, listed in WRONG.items():
        assert (BOOK / f"{chapter}.ipynb").is_file(), chapter
        for label, wrongs in listed.items():
            assert wrongs and all(w["code"].strip() and w["says"].strip() for w in wrongs), (chapter, label)


@pytest.mark.parametrize("chapter", list(WRONG))
def test_every_exercise_of_a_listed_chapter_has_wrong_answers(chapter, runs):
    results = runs[chapter]
    assert not results["missing"], f"{chapter}: no exercise (or no check cell) labelled {results['missing']}"
    assert results["labels"] <= set(WRONG[chapter]), \
        f"{chapter}: exercises without wrong answers in the fixture: {sorted(results['labels'] - set(WRONG[chapter]))}"


@pytest.mark.parametrize("chapter, label", CASES)
def test_the_check_names_each_mistake_and_still_accepts_the_answer(chapter, label, runs):
    got = runs[chapter][label]
    assert got["right"].strip() == "Correct!", f"{chapter} {label}: the solution gets {got['right']!r}"
    assert "not answered yet" in got["blank"], f"{chapter} {label}: the blank answer gets {got['blank']!r}"
    for wrong, setup, text in got["wrong"]:
        where = f"{chapter} {label}: the wrong answer\n{wrong['code']}\n"
        assert "ERROR" not in setup, f"{where}does not run: {setup}"
        assert "ERROR" not in text and "Traceback" not in text, f"{where}makes the check raise: {text}"
        assert "Correct!" not in text and text.startswith("Not quite:"), f"{where}is accepted: {text!r}"
        assert " is too high" not in text and " is too low" not in text, f"{where}gets only a direction: {text!r}"
        assert wrong["says"] in text, f"{where}should get a sentence with {wrong['says']!r}, got {text!r}"


@pytest.mark.parametrize("chapter, label", CASES)
def test_the_notebook_editions_check_says_the_same_without_the_formula(chapter, label, runs):
    got = runs[chapter][label]
    assert "expected=" not in got["edition"] and "checks.check_exercise(" in got["edition"], got["edition"]
    assert got["edition_right"] == got["right"], f"{chapter} {label}: the edition's check says {got['edition_right']!r}"
    assert got["edition_blank"] == got["blank"], f"{chapter} {label}: the edition's check says {got['edition_blank']!r}"
    for (wrong, _, text), edition in zip(got["wrong"], got["edition_wrong"]):
        assert edition == text, f"{chapter} {label}: for\n{wrong['code']}\nthe edition says {edition!r}, not {text!r}"
