"""The student web book (alliances/publish/student_book.py) has no solution text; the full web book has it."""


import nbformat
import pytest

from alliances.publish import pdf, student_book, toc
from helpers import ROOT, page_text, solution_lines


CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))


@pytest.fixture(scope="session")
def student_html(tmp_path_factory):
    return student_book.build(tmp_path_factory.mktemp("student-edition")) / "book"


def test_strip_solutions_removes_the_solution_and_its_check_only():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook(cells=[
        md("```{exercise} E\n:label: e\n```"), code("answer = ..."),
        md("```{solution-start} e\n:class: dropdown\n```"), code("answer = 42"), md("Because."),
        md("```{solution-end}\n```"), code("checks.check_number(answer, expected=42)"), code("print('next')")])
    assert student_book.strip_solutions(nb) == 1
    assert [c.source for c in nb.cells] == ["```{exercise} E\n:label: e\n```", "answer = ...", "print('next')"]
    broken = nbformat.v4.new_notebook(cells=[md("```{solution-start} e\n```"), code("answer = 42")])
    with pytest.raises(ValueError, match="no {solution-end}"):
        student_book.strip_solutions(broken)


@pytest.mark.parametrize("name", CHAPTERS)
def test_student_edition_has_no_solution_text(name, student_html, built_book):
    secret = solution_lines(name)
    assert secret, f"{name}: no solutions found"
    full = page_text(built_book / "book" / f"{name}.html")
    assert any(line in full for line in secret), "the full edition should show the solutions (collapsed)"
    student = page_text(student_html / f"{name}.html")
    leaked = [line for line in secret if line in student]
    assert not leaked, f"{name}: solution text in the student web book: {leaked[:3]}"
    assert "(student web book)" in student


def test_student_pdf_has_no_solution(student_html, tmp_path):
    """The student PDF (alliances/publish/pdf.py --form student) is printed from this book: no solution text."""
    from pypdf import PdfReader

    reader = PdfReader(pdf.build(student_html.parent, tmp_path / "student.pdf", "student"))
    pages = toc.pages()
    assert len(reader.outline) == len(pages)
    starts = [reader.get_destination_page_number(item) for item in reader.outline] + [len(reader.pages)]
    texts = {page.split("/")[-1]: " ".join(" ".join(reader.pages[i].extract_text() for i in range(a, b)).split())
             for page, a, b in zip(pages, starts, starts[1:])}
    for name in CHAPTERS:
        leaked = [line for line in solution_lines(name) if " ".join(line.split()) in texts[name]]
        assert not leaked, f"{name}: solution text in the student PDF: {leaked[:3]}"
    assert "Exercise 5.1" in texts["nato-structure-and-purpose"]  # the exercises themselves are there
