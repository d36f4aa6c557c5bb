"""The PDF edition (alliances/publish/pdf.py): every page, figures, solutions at chapter ends, no raw MyST."""

import re
import unicodedata

import pytest
from pypdf import PdfReader

from alliances.publish import pdf, toc
from helpers import ROOT


RAW_MYST = re.compile(r"\{(glue|glue:text|cite|cite:p|cite:t|term|doc|ref|numref|exercise|solution-start)\}"
                      r"|```\{|:::\{|^\(\w[\w-]*\)=|:label:|:class:", re.M)

PAGE = """<html><head><title>t</title></head><body><div class="bd-header">nav</div>
<article class="bd-article"><h1>Chapter<a class="headerlink">#</a></h1>
<div class="exercise admonition"><p>Exercise 1</p></div>
<div class="dropdown admonition hint"><p>Hint text</p></div>
<div class="cell"><pre>answer = ...</pre></div>
<div class="solution dropdown admonition"><p>Solution to Exercise 1</p><pre>answer = 42</pre></div>
<div class="cell tag_remove-input"><div>Correct!</div></div>
<h2>Further reading</h2></article></body></html>"""


def test_print_copy_moves_solutions_to_the_end_and_drops_furniture():
    text, title = pdf.print_html(PAGE, "full")
    assert title == "Chapter"
    assert "nav" not in text and "headerlink" not in text
    assert not re.search(r'class="[^"]*dropdown', text)  # hints and solutions print open
    body = re.sub(r"<[^>]+>", " ", text)
    order = [body.index(s) for s in ("Exercise 1", "Further reading", "Solutions", "answer = 42", "Correct!")]
    assert order == sorted(order), "solutions and their checks must follow the chapter, under 'Solutions'"


def test_student_print_copy_refuses_a_solution():
    with pytest.raises(ValueError, match="solution"):
        pdf.print_html(PAGE, "student")
    text, _ = pdf.print_html(PAGE.replace("solution dropdown", "note"), "student")
    assert "Solutions" not in text


@pytest.fixture(scope="module")
def full_pdf(built_book, tmp_path_factory):
    return PdfReader(pdf.build(built_book, tmp_path_factory.mktemp("pdf") / "book.pdf", "full"))


def test_pdf_has_every_page_figures_and_no_raw_myst(full_pdf):
    pages = toc.pages()
    outline = [item.title for item in full_pdf.outline]
    assert len(outline) == len(pages), "one bookmark per page of the toc"
    text = "\n".join(page.extract_text() for page in full_pdf.pages)
    flat = " ".join(unicodedata.normalize("NFKC", text).split())  # a font's ligatures (ﬂ) back to letters
    for title in outline:
        assert " ".join(title.split()) in flat, f"title missing from the PDF text: {title}"
    for title in ("Glossary", "Bibliography", "Instructor guide"):
        assert title in outline
    assert 100 <= len(full_pdf.pages) <= 800, f"implausible page count {len(full_pdf.pages)}"
    figures = sum(len(page.images) for page in full_pdf.pages)
    expected = sum((ROOT / "book").joinpath(f"{p.split('/')[-1]}.ipynb").read_text().count('"figure": {')
                   for p in pages if (ROOT / f"{p}.ipynb").exists())
    assert figures >= expected > 10, f"{figures} images embedded, {expected} captioned figures in the book"
    raw = sorted(set(m.group(0) for m in RAW_MYST.finditer(text)))
    assert not raw, f"raw MyST syntax in the PDF: {raw}"
    assert flat.count("Solutions") >= 18, "each chapter ends with its solutions in the full edition"


def test_landing_page_links_to_both_pdfs(built_book):
    landing = (built_book / "book" / "index.html").read_text(encoding="utf-8")
    for name in ("military-alliances.pdf", "military-alliances-student.pdf"):
        assert f'href="../pdf/{name}"' in landing
        assert name in (ROOT / "alliances" / "publish" / "pdf.py").read_text()  # the names make pdf writes
    assert "cp _build/pdf/*.pdf _build/html/pdf/" in (ROOT / "Makefile").read_text()
