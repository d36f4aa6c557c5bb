"""Every chapter meets the book's minimums: shape, words, figure with alt text, exercises, citations."""

import os
import re
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT, toc_files

REFERENCE_PAGES = {"book/index", "book/how-to-work", "book/glossary", "book/bibliography", "book/instructor-guide", "book/course",
                   "book/data-guide",
                   "book/codebook", "book/api-reference"}
# Guides outside the essay (part "Data and tools"): they follow the chapter shape and are checked as chapters,
# but no syllabus week assigns them (tests/test_instructor_guide.py).
GUIDE_PAGES = {"book/your-own-project"}
# Research labs (part "Research labs", files book/lab-*): each replicates a published study. They are checked as
# chapters (shape, setup cell, glue, a figure with alt text, exercises with checks), with a lower word minimum and
# the lab's own shape (test_lab_shape); no syllabus week assigns them and they are not units of the essay.
LAB_PAGES = {f for f in toc_files() if f.startswith("book/lab-")}
LAB_MIN_WORDS = 800
LAB_SECTIONS = ["The claim", "Ours beside theirs", "Why"]  # the third: "Why they differ", "Why ours differs, and one test", ...
# CHAPTERS="book/a book/b" checks chapters that are not in the toc yet (while they are written).
CHAPTERS = os.environ.get("CHAPTERS", "").split() or [f for f in toc_files() if f not in REFERENCE_PAGES]
MIN_WORDS = {"book/nato-structure-and-purpose": 1200}
SECTIONS = ["Overview", "Prerequisites", "Summary", "Exercises", "Further reading"]


def notebook(name):
    return nbformat.read(ROOT / f"{name}.ipynb", as_version=4)


def prose_words(nb):
    """Words of narrative: markdown cells without directives' option lines, code, roles or labels."""
    words = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"^```\{(solution-start|solution-end)\}.*?```", "", cell.source, flags=re.S | re.M)
        text = re.sub(r"^\s*:[a-z-]+:.*$", "", text, flags=re.M)  # directive options
        text = re.sub(r"\{[a-z:]+\}`[^`]*`", "X", text)  # roles count as one word
        text = re.sub(r"^\(.*\)=$", "", text, flags=re.M)  # labels
        words += len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.,%-]*", text))
    return words


def test_there_are_chapters():
    assert CHAPTERS, "no chapters in _toc.yml"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_is_a_notebook(name):
    assert (ROOT / f"{name}.ipynb").is_file(), f"{name} should be an executable notebook"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_shape(name):
    nb = notebook(name)
    headings = [line[3:].strip() for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    positions = []
    for section in SECTIONS:
        assert section in headings, f"{name}: missing '## {section}'"
        positions.append(headings.index(section))
    assert positions == sorted(positions), f"{name}: sections out of order {SECTIONS}"
    assert "Learning objectives" in nb.cells[0].source, f"{name}: no learning objectives in the first cell"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_word_count(name):
    words = prose_words(notebook(name))
    assert words >= MIN_WORDS.get(name, LAB_MIN_WORDS if name in LAB_PAGES else 1000), \
        f"{name}: only {words} words of narrative"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_imports_the_package_and_cites(name):
    nb = notebook(name)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "from alliances import" in code
    assert len(set(re.findall(r"\{cite[a-z:]*\}`([^`]+)`", prose))) >= 3, f"{name}: cite at least 3 works"
    assert re.search(r"\{glue(:text)?\}`", prose), f"{name}: quote computed numbers with glue"
    assert "NBVAL_CHECK_OUTPUT" in code, f"{name}: pin the key numbers with # NBVAL_CHECK_OUTPUT"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_figures_have_alt_text_and_labels(name):
    nb = notebook(name)
    figures = [c for c in nb.cells if c.cell_type == "code" and "plots.finish(" in c.source]
    assert figures, f"{name}: no figure drawn with plots.finish"
    for cell in figures:
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt.split()) >= 8, f"{name}: figure cell without a descriptive alt text"
        assert any(o.get("data", {}).get("image/png") for o in cell.get("outputs", [])), \
            f"{name}: figure cell has no stored image output (run `make notebooks`)"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_exercises_have_hint_solution_and_check(name):
    nb = notebook(name)
    labels, graded = [], []
    for i, cell in enumerate(nb.cells):
        for label, options in re.findall(r"```\{exercise\}[^\n]*\n:label: ([\w-]+)\n((?::[a-z-]+:.*\n)*)", cell.source):
            labels.append(label)
            rest = nb.cells[i:]
            assert any("Hint" in c.source for c in rest[:2] if c.cell_type == "markdown"), f"{label}: no hint"
            start = next((j for j, c in enumerate(rest) if f"{{solution-start}} {label}" in c.source), None)
            assert start is not None, f"{label}: no solution-start"
            end = next(j for j, c in enumerate(rest) if j >= start and "{solution-end}" in c.source)
            if re.search(r"^:class:.*\brubric\b", options, flags=re.M):
                # An argument or research design, graded by hand: no code cells up to its solution's end,
                # and its solution is a model answer with a rubric (criteria with points); no check follows.
                assert not any(c.cell_type == "code" for c in rest[:end + 1]), \
                    f"{label}: a rubric-graded exercise is written; an exercise with code needs a check cell"
                solution = "\n".join(c.source for c in rest[start:end + 1])
                assert re.search(r"\*\*Rubric", solution) and re.search(r"\(\d+ points?\)", solution), \
                    f"{label}: a rubric exercise needs a model answer and a rubric with points"
                continue
            graded.append(label)
            after = rest[end + 1] if end + 1 < len(rest) else None
            assert after is not None and after.cell_type == "code" and "checks.check_" in after.source, \
                f"{label}: the cell after the solution must run a check"
            outputs = "".join(str(o) for o in after.get("outputs", []))
            assert "Correct!" in outputs, f"{label}: the solution does not pass its own check"
    assert len(labels) >= 2, f"{name}: needs at least 2 exercises"
    assert graded, f"{name}: needs at least one exercise with a check"


def test_labs_are_in_the_research_labs_part():
    from alliances.publish import toc
    parts = {page.file: page.caption for page in toc.entries()[1:]}
    for name in LAB_PAGES:
        assert parts[name] == "Research labs", f"{name}: a lab belongs in the part 'Research labs'"
    labs = [f for f in toc_files() if parts.get(f) == "Research labs"]
    assert set(labs) == LAB_PAGES, f"pages in 'Research labs' must be named book/lab-*: {labs}"


@pytest.mark.parametrize("name", sorted(n for n in CHAPTERS if n in LAB_PAGES or n.startswith("book/lab-")))
def test_lab_shape(name):
    """A lab states the claim, shows ours beside theirs (a table) and explains why they differ, in that order,
    between the overview and the exercises; it cites the study it replicates in its first cell."""
    nb = notebook(name)
    headings = [line[3:].strip() for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    found = [next((i for i, h in enumerate(headings) if h.startswith(s)), None) for s in LAB_SECTIONS]
    assert None not in found, f"{name}: a lab needs sections starting {LAB_SECTIONS}; has {headings}"
    assert found == sorted(found) and found[0] > headings.index("Overview") and found[-1] < headings.index("Exercises")
    assert re.search(r"\{cite[a-z:]*\}`", nb.cells[0].source), f"{name}: cite the replicated study in the overview"
    beside = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "## Ours beside theirs" in c.source)
    tables = [c for c in nb.cells[beside:] if c.cell_type == "code" and any(
        "text/html" in o.get("data", {}) for o in c.get("outputs", []))]
    assert tables, f"{name}: show ours beside theirs as a table (a data frame's output) under 'Ours beside theirs'"
