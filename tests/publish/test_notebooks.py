"""The notebook edition (alliances/publish/notebooks.py, written by the book build via
alliances/publish/sphinx/notebook_edition.py).

Unit tests: one per MyST construct and cell kind the converter handles; an inventory of the
constructs used in book/ fails on any the converter (and these tests) do not cover.
Edition tests (on the edition the session's book build writes): no MyST syntax left, no solution
in a student notebook, the glued numbers and exercise numbers are the web book's, every student
notebook runs top to bottom in a fresh kernel with each check saying "not answered yet", the
self-study form has the same code, and `make workspace` (what `make lab` runs) never
overwrites a student's notebook.
"""

import ast
import asyncio
import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from alliances.publish import notebooks, solutions
from helpers import ROOT, chapters, page_text, solution_lines

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
CHAPTERS = chapters()
BASE = "https://example.org/book/"


def sample_book(**changes) -> notebooks.Book:
    book = notebooks.Book(
        base_url=BASE, docname="book/ch", chapter="3",
        titles={"book/ch": "A chapter", "book/other": "Another chapter", "book/glossary": "Glossary",
                "book/index": "The Book"},
        labels={"fig-x": ("book/ch", "fig-x", "A caption"), "sec-y": ("book/other", "sec-y", "A section")},
        numbers={"fig-x": "7", "ex-a": "3.1", "ex-b": "3.2"},
        terms={"free riding": BASE + "book/glossary.html#term-free-riding"},
        citations={"walt1987": notebooks.Citation("Walt 1987", "Walt", "1987", BASE + "book/bibliography.html#id1",
                                                "Stephen M. Walt. *The Origins of Alliances*. 1987."),
                   "snyder1997": notebooks.Citation("Snyder 1997", "Snyder", "1997", BASE + "book/bibliography.html#id2",
                                                  "Glenn H. Snyder. *Alliance Politics*. 1997.")},
        glue={"n": "32", "share": "'71.4'", "name": "'United States'", "ratio": "0.71428"})
    for key, value in changes.items():
        setattr(book, key, value)
    return book


def render(source, form="student", book=None):
    return notebooks.convert_markdown(source, book or sample_book(), form)


# ------------------------------------------------------------------ one test per construct

ROLE_CASES = {
    "glue:text": ("{glue:text}`n` states; {glue:text}`share`%; {glue:text}`ratio:.1%`", "32 states; 71.4%; 71.4%"),
    "glue": ("{glue}`name` pays", "United States pays"),
    "glue:": ("{glue:}`n`", "32"),
    "cite": ("as argued {cite}`walt1987,snyder1997`.",
             f"as argued ([Walt 1987]({BASE}book/bibliography.html#id1); [Snyder 1997]({BASE}book/bibliography.html#id2))."),
    "cite:p": ("{cite:p}`walt1987`", f"([Walt 1987]({BASE}book/bibliography.html#id1))"),
    "cite:t": ("{cite:t}`walt1987` argues", f"[Walt (1987)]({BASE}book/bibliography.html#id1) argues"),
    "cite:ps": ("{cite:ps}`walt1987`", f"([Walt 1987]({BASE}book/bibliography.html#id1))"),
    "cite:ts": ("{cite:ts}`walt1987`", f"[Walt (1987)]({BASE}book/bibliography.html#id1)"),
    "term": ("can {term}`free-ride <free\nriding>` and {term}`free riding`",
             f"can [free-ride]({BASE}book/glossary.html#term-free-riding) and "
             f"[free riding]({BASE}book/glossary.html#term-free-riding)"),
    "doc": ("see {doc}`other` and {doc}`that page <../book/other>`",
            f"see [Another chapter]({BASE}book/other.html) and [that page]({BASE}book/other.html)"),
    "ref": ("see {ref}`sec-y` or {ref}`there <sec-y>`",
            f"see [A section]({BASE}book/other.html#sec-y) or [there]({BASE}book/other.html#sec-y)"),
    "numref": ("{numref}`fig-x` shows; {numref}`Figure %s <fig-x>`",
               f"[Fig. 7]({BASE}book/ch.html#fig-x) shows; [Figure 7]({BASE}book/ch.html#fig-x)"),
    "math": ("{math}`x^2`", "$x^2$"),
    "sub": ("CO{sub}`2`", "CO<sub>2</sub>"),
    "sup": ("x{sup}`2`", "x<sup>2</sup>"),
}


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_role(role):
    source, expected = ROLE_CASES[role]
    assert render(source) == expected
    assert notebooks.leftover_myst(render(source)) == []


def test_unknown_role_directive_label_or_glue_fails_loudly():
    for source in ("{abbr}`NATO (North Atlantic Treaty Organization)`", "```{list-table}\n| a |\n```",
                   "{glue:text}`missing`", "{cite}`nobody2000`", "{term}`no such term`", "{doc}`nowhere`",
                   "{numref}`sec-y`", "```{exercise} X\n```", "```{note}\nnot closed"):
        with pytest.raises(notebooks.EditionError):
            render(source)


DIRECTIVE_CASES = {
    "exercise": ("```{exercise} Members on a date\n:label: ex-a\n\nHow many {glue:text}`n`?\n```",
                 "### Exercise 3.1: Members on a date\n\nHow many 32?"),
    "admonition": (":::{admonition} Hint\n:class: dropdown\nFilter on `joined`.\n:::",
                   "<details>\n<summary>Hint</summary>\n\nFilter on `joined`.\n\n</details>"),
    "note": ("```{note}\nMind the date.\n```", "> **Note**\n>\n> Mind the date."),
    "important": (":::{important} Read this\nSeriously.\n:::", "> **Read this**\n>\n> Seriously."),
    "tip": ("```{tip}\nA tip.\n```", "> **Tip**\n>\n> A tip."),
    "warning": ("```{warning}\nCareful.\n```", "> **Warning**\n>\n> Careful."),
    "caution": ("```{caution}\nC.\n```", "> **Caution**\n>\n> C."),
    "attention": ("```{attention}\nA.\n```", "> **Attention**\n>\n> A."),
    "hint": ("```{hint}\n:class: dropdown\nH.\n```", "<details>\n<summary>Hint</summary>\n\nH.\n\n</details>"),
    "seealso": ("```{seealso}\nS.\n```", "> **See also**\n>\n> S."),
    "danger": ("```{danger}\nD.\n```", "> **Danger**\n>\n> D."),
    "error": ("```{error}\nE.\n```", "> **Error**\n>\n> E."),
    "epigraph": ("```{epigraph}\nWords.\n```", "> Words."),
    "figure": ("```{figure} images/map.png\n:name: fig-x\n:alt: A map of Europe\n\nThe map.\n```",
               "![A map of Europe](images/map.png)\n\n**Fig. 7.** The map."),
    "glue:figure": ("```{glue:figure} plot\n:name: fig-x\n:alt: Alt text\n\nCaption.\n```",
                    '<img src="data:image/png;base64,iVBOR" alt="Alt text">\n\n**Fig. 7.** Caption.'),
    "solution": ("```{solution} ex-a\n:class: dropdown\nThe answer.\n```", ""),
}


@pytest.mark.parametrize("name", sorted(DIRECTIVE_CASES))
def test_directive(name):
    source, expected = DIRECTIVE_CASES[name]
    assert render(source, book=sample_book(glue_images={"plot": "iVBOR"})) == expected
    if name == "solution":
        assert "The answer." in render(source, "self-study")


def test_targets_comments_and_option_lines_are_dropped():
    assert render("(sec-y)=\n## Heading\n% a MyST comment\nText.") == "## Heading\nText."


def chapter_nb():
    """A small chapter in the book's shape: exercise, hint, answer, gated solution, check."""
    setup = code("import sys\nif 'google.colab' in sys.modules:\n    pass", metadata={"tags": ["remove-cell"]})
    setup["id"] = "colab-setup"
    glue_out = nbformat.v4.new_output("display_data", data={"application/papermill.record/text/plain": "32"},
                                      metadata={"scrapbook": {"name": "n"}})
    widget_out = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "[controls]"})
    figure = code("plot()", metadata={"mystnb": {"figure": {"caption": "Members, {glue:text}`n`.", "name": "fig-x"},
                                                 "image": {"alt": "A step chart"}}})
    return nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}}, cells=[
        md("# A chapter\n\n(sec-y)=\n## Overview\n\nText {cite}`walt1987`."), setup,
        code("# NBVAL_CHECK_OUTPUT\nglue('n', 32)", outputs=[glue_out]), figure,
        code("explore()", outputs=[widget_out]),
        md("## Exercises\n\n```{exercise} Count\n:label: ex-a\n\nCount.\n```\n\n"
           ":::{admonition} Hint\n:class: dropdown\nUse len.\n:::"),
        code("answer_count = ...  # your code here"),
        md("```{solution-start} ex-a\n:class: dropdown\n```"), code("answer_count = len(secret_list)"),
        md("Because {cite}`snyder1997`."), md("```{solution-end}\n```\n\nAfter the solution."),
        code("checks.check_number(answer_count, expected=3)", metadata={"tags": ["remove-input"]},
             outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "Correct!"})]),
    ])


def test_student_variant_removes_solutions_and_hides_checks():
    nb = notebooks.convert(chapter_nb(), sample_book(), "student")
    text = "\n".join(c.source for c in nb.cells)
    assert "secret_list" not in text and "snyder" not in text.lower().split("references")[0]
    assert "After the solution." in text
    answer = next(c for c in nb.cells if c.source.startswith("answer_count"))
    assert answer.outputs == []
    check = next(c for c in nb.cells if "check_number" in c.source)
    assert check.outputs == [] and check.metadata["jupyter"]["source_hidden"] is True
    assert check.metadata["cellView"] == "form" and check.source.startswith("# @title")
    assert "### Exercise 3.1: Count" in text and "<summary>Hint</summary>" in text
    nbformat.validate(nb)


def test_self_study_variant_keeps_solutions_collapsed_and_not_executable():
    nb = notebooks.convert(chapter_nb(), sample_book(), "self-study")
    (solution,) = [c for c in nb.cells if "Solution" in c.source]
    assert solution.cell_type == "markdown"
    assert solution.source.startswith("<details>\n<summary>Solution</summary>\n\n```python\nanswer_count = len(secret_list)")
    assert "Because ([Snyder 1997]" in solution.source
    assert [c.source for c in nb.cells if c.cell_type == "code"] == \
           [c.source for c in notebooks.convert(chapter_nb(), sample_book(), "student").cells if c.cell_type == "code"]


def test_colab_cell_figure_caption_glue_and_widget_outputs():
    nb = notebooks.convert(chapter_nb(), sample_book(), "student")
    setup = next(c for c in nb.cells if c.get("id") == "colab-setup")
    assert setup.metadata["jupyter"]["source_hidden"] and "google.colab" in setup.source
    assert nb.cells.index(setup) == 1
    glue_cell = next(c for c in nb.cells if "glue('n'" in c.source)
    assert glue_cell.outputs == [] and "NBVAL" not in glue_cell.source
    caption = nb.cells[nb.cells.index(next(c for c in nb.cells if c.source == "plot()")) + 1]
    assert caption.source.startswith("**Fig. 7.** Members, 32.") and "A step chart" in caption.source
    widget = next(c for c in nb.cells if c.source == "explore()")
    assert [list(o["data"]) for o in widget.outputs] == [["text/plain"]]
    assert "widgets" not in nb.metadata and nb.metadata["alliances_edition"]["form"] == "student"


def test_references_cell_ends_the_chapter_and_title_note():
    nb = notebooks.convert(chapter_nb(), sample_book(), "self-study")
    assert nb.cells[-1].source.startswith("## References\n\n- Glenn H. Snyder")
    assert "Stephen M. Walt" in nb.cells[-1].source
    assert nb.cells[0].source.startswith("# A chapter\n\n*Chapter 3 of the notebook edition (for self-study")
    student = notebooks.convert(chapter_nb(), sample_book(), "student")
    assert "Snyder" not in student.cells[-1].source  # cited only in the solution


def test_remove_solutions_keeps_text_after_the_end_and_rejects_unclosed():
    nb = chapter_nb()
    assert solutions.remove_solutions(nb, drop_checks=True) == 1
    sources = [c.source for c in nb.cells]
    assert "After the solution." in sources and not any("check_number" in s for s in sources)
    with pytest.raises(notebooks.EditionError, match="no {solution-end}"):
        solutions.remove_solutions(nbformat.v4.new_notebook(cells=[md("```{solution-start} e\n```")]))


@pytest.mark.parametrize("closing", ["```{solution-end}\n```", "```{solution-end}\n:class: dropdown\n```",
                                     "::::{solution-end}\n:class: dropdown\n::::"])
def test_every_edition_keeps_the_text_after_a_solution_end_with_or_without_options(closing):
    """One parser for every edition: text after the closing directive survives in the student web
    book (remove_solutions) and in the student notebook (convert), also when that directive has an
    option line (the two patterns used to disagree there: remove_solutions dropped the text)."""
    def chapter():
        nb = chapter_nb()
        end = next(c for c in nb.cells if "{solution-end}" in c.source)
        end.source = f"{closing}\n\nAfter the solution."
        return nb
    stripped = chapter()
    solutions.remove_solutions(stripped)
    assert "After the solution." in [c.source for c in stripped.cells]
    student = notebooks.convert(chapter(), sample_book(), "student")
    assert "After the solution." in [c.source for c in student.cells]
    assert solutions.text_after_end(f"{closing}\n\nAfter.").strip() == "After."
    assert solutions.text_after_end(closing) == "" and solutions.without_directives(closing).strip() == ""


def test_unknown_cell_tag_fails():
    nb = nbformat.v4.new_notebook(cells=[code("x = 1", metadata={"tags": ["hide-cell"]})])
    with pytest.raises(notebooks.EditionError, match="hide-cell"):
        notebooks.convert(nb, sample_book())


def test_construct_inventory_of_book_is_covered():
    """Every MyST role and directive used in book/ is handled and has a unit test above."""
    roles, directives = set(), set()
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                roles |= set(re.findall(r"\{([A-Za-z][\w:+-]*)\}`", cell.source))
                directives |= set(re.findall(r"^(?:`{3,}|:{3,})\{([^}]+)\}", cell.source, re.M))
    assert {"glue:text", "cite", "doc", "term", "numref"} <= roles
    assert roles <= set(ROLE_CASES) and roles <= notebooks.ROLES, f"not handled: {roles - set(ROLE_CASES)}"
    tested = set(DIRECTIVE_CASES) | {"solution-start", "solution-end"}
    assert directives <= tested and directives <= notebooks.DIRECTIVES, f"not handled: {directives - tested}"


# ------------------------------------------------------------------ the built edition

EDITION = ROOT / "_build" / "html" / "notebooks"


@pytest.fixture(scope="session")
def built_edition(built_book):
    """The edition the session's book build wrote (no second build)."""
    assert (EDITION / "student").is_dir(), "the book build wrote no notebook edition"
    return EDITION


def edition_nb(form, name):
    return nbformat.read(EDITION / form / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", CHAPTERS)
def test_edition_notebook_reads_right_and_matches_the_web_book(name, built_edition):
    html = page_text(built_edition.parent / f"{name}.html")
    for form in notebooks.FORMS:
        nb = edition_nb(form, name)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert notebooks.leftover_myst(cell.source) == [], f"{form}/{name}: MyST left: {cell.source[:200]}"
        numbers = re.findall(r"^### Exercise (\d+\.\d+)", "\n".join(c.source for c in nb.cells), re.M)
        assert len(numbers) >= 2 and len(set(numbers)) == len(numbers)
        assert len({n.split(".")[0] for n in numbers}) == 1, f"{name}: numbered per chapter {numbers}"
        for number in numbers:
            assert f"Exercise {number}" in html, f"{name}: the web book has no Exercise {number}"
    source = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    glued = set(re.findall(r"\{glue:text\}`([^`:]+)`", "\n".join(c.source for c in source.cells if c.cell_type == "markdown")))
    student = "\n".join(c.source for c in edition_nb("self-study", name).cells)
    values = json.loads((ROOT / "_build" / "jupyter_execute" / f"{name}.glue.json").read_text())
    for key in glued:  # the value the notebook shows is the one the web page shows
        value = str(ast.literal_eval(values[key]["data"]["text/plain"]))
        assert value in student, f"{name}: {key} = {value!r} is not in the notebook"
        assert value in html, f"{name}: {key} = {value!r} is not in the web page"


def test_glued_numbers_are_the_web_books():
    nato = "\n".join(c.source for c in edition_nb("student", "book/nato-structure-and-purpose").cells)
    assert "32 states belonged to it at the end of 2024" in nato
    html = page_text(EDITION.parent / "book/nato-structure-and-purpose.html")
    assert "32 states belonged to it at the end of 2024" in " ".join(html.split())


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_solution_in_a_student_notebook(name, built_edition):
    secret = solution_lines(Path(name).name)
    assert secret
    student = edition_nb("student", name)
    text = "\n".join(c.source for c in student.cells)
    leaked = [line for line in secret if line in text]
    assert not leaked, f"{name}: solution code in the student notebook: {leaked[:3]}"
    self_study = "\n".join(c.source for c in edition_nb("self-study", name).cells)
    assert all(line in self_study for line in secret), "self-study keeps every solution"
    assert "Correct!" not in str([c.get("outputs") for c in student.cells if c.cell_type == "code"])
    assert [c.source for c in student.cells if c.cell_type == "code"] == \
           [c.source for c in edition_nb("self-study", name).cells if c.cell_type == "code"]


def test_every_student_notebook_runs_clean_and_checks_say_not_answered(built_edition, tmp_path):
    """Fresh kernel per notebook, two at a time; errors fail; every check reports 'not answered yet'.

    The kernels run from this process (nbclient, as ``jupyter nbconvert --execute`` does, with the
    notebook's folder as working directory), which spares a Python start per notebook."""
    from nbclient import NotebookClient

    pending = sorted((built_edition / "student" / "book").glob("*.ipynb"))
    assert len(pending) == len(CHAPTERS)
    failures = []

    async def execute(path, slots):
        async with slots:
            nb = nbformat.read(path, as_version=4)
            try:
                await NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(path.parent)}}).async_execute()
            except Exception as err:  # a cell raised or timed out: the notebook does not run clean
                failures.append(f"{path.name}: {str(err)[-1500:]}")
            nbformat.write(nb, tmp_path / path.name)

    async def main():
        slots = asyncio.Semaphore(2)
        await asyncio.gather(*(execute(path, slots) for path in pending))

    asyncio.run(main())
    assert not failures, "\n".join(failures)
    checks = 0
    for path in sorted(tmp_path.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "checks.check_" in cell.source and cell.metadata.get("cellView") == "form":
                shown = " ".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
                assert "not answered yet" in shown, f"{path.name}: a check says {shown[:200]!r}"
                checks += 1
    assert checks >= 2 * len(CHAPTERS)


def test_make_lab_workspace_never_overwrites_a_students_notebook(built_edition):
    work = ROOT / "_build" / "test-workspace"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    make = ["make", "-s", "workspace", f"WORK={work}"]
    subprocess.run(make, cwd=ROOT, check=True, capture_output=True)
    mine = work / "book" / "nato-structure-and-purpose.ipynb"
    nb = nbformat.read(mine, as_version=4)
    nb.cells[next(i for i, c in enumerate(nb.cells) if c.source.startswith("answer_"))].source = "answer_x = 42"
    nbformat.write(nb, mine)
    edited = mine.read_bytes()
    (work / "book" / "introduction.ipynb").unlink()  # the way to get a fresh copy
    out = subprocess.run(make, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assert mine.read_bytes() == edited
    assert (work / "book" / "introduction.ipynb").read_bytes() == \
           (built_edition / "student" / "book" / "introduction.ipynb").read_bytes()
    assert "1 new file(s)" in out
    subprocess.run(["rm", "-rf", str(work)], check=True)


# ------------------------------------------------------------------ issue #25: checks and list look-alikes

def test_a_wrapped_line_never_starts_a_list():
    text = ("Learn to:\n\n1. do a\n   thing;\n2. do b\n\n- The low was in\n  2014. Then it rose.\n"
            "a share, times\n100. Keep it.\nAs in\n2022) but not\n```python\n2. code stays\n```\n**Rubric.**\n1. A unit\n2. B")
    joined = notebooks.join_list_lookalikes(text)
    assert "- The low was in 2014. Then it rose." in joined and "a share, times 100. Keep it." in joined
    assert "As in 2022) but not" in joined and "\n2. code stays\n" in joined
    assert "\n1. do a\n   thing;\n2. do b\n" in joined and "\n1. A unit\n2. B" in joined
    assert notebooks.list_lookalikes(joined) == []
    book = sample_book(glue={"year": "2022"})
    assert render("- Spending rose to\n  {glue:text}`year`. It fell after.", book=book) == \
        "- Spending rose to 2022. It fell after."


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_line_of_an_edition_notebook_looks_like_a_list_item_it_is_not(name, built_edition):
    for form in notebooks.FORMS:
        for cell in edition_nb(form, name).cells:
            if cell.cell_type == "markdown":
                lines = cell.source.split("\n")
                bad = [lines[i] for i in notebooks.list_lookalikes(cell.source)]
                assert not bad, f"{form}/{name}: a wrapped line starts like a list item: {bad}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_check_cell_of_the_edition_hands_over_the_answer(name, built_edition):
    """Every check cell of the edition is check_exercise calls (and what the answer needs), without
    the formula of ``expected=`` or of the mistakes (alliances.publish.check_specs)."""
    from alliances.publish import check_specs

    source = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    formulas = set()
    for i in check_specs.check_cells(source):
        for call in check_specs.check_calls(source.cells[i].source):
            for node in [*call.args[1:], *(k.value for k in call.keywords if k.arg in ("expected", "mistakes"))]:
                text = ast.get_source_segment(source.cells[i].source, node)
                if len(text) > 12:
                    formulas.add(text)
    assert formulas or not check_specs.check_cells(source)
    for form in notebooks.FORMS:
        hidden = [c.source for c in edition_nb(form, name).cells
                  if c.cell_type == "code" and c.metadata.get("cellView") == "form" and "checks.check_" in c.source]
        assert len(hidden) == len(check_specs.check_cells(source))
        for cell in hidden:
            assert "expected=" not in cell and "mistakes=" not in cell, f"{form}/{name}:\n{cell[:300]}"
            calls = check_specs.check_calls(cell)
            assert calls and all(c.func.attr == "check_exercise" for c in calls), cell[:300]
            leaked = [f for f in formulas if f in cell]
            assert not leaked, f"{form}/{name}: a check cell shows {leaked[0]!r}"
