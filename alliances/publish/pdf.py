"""Build the PDF edition of the book from its built HTML pages, offline.

    python -m alliances.publish pdf [--form full|student] [--html DIR] [--out FILE]

Every page of ``_toc.yml``, in order (``toc.pages``), is printed by headless Chromium (Debian's ``chromium``,
driven by Playwright; nothing is downloaded) and the pages are joined with pypdf, after a title
page and a table of contents, with one bookmark per page. Before printing, each page's HTML is
made into a print copy (:func:`print_html`): navigation, buttons and sidebars removed, dropdowns
(hints) open, and, in the **full** form, every solution with its check moved to a "Solutions"
section at the end of its chapter. The **student** form is printed from the student web book (``make student-book``), which has no solutions; any left is an error.

`make pdf` builds both forms into ``_build/pdf/`` (after ``make book`` and ``make
student-book``); the web book links to them (``_build/html/pdf/``).
"""

from __future__ import annotations

import argparse
import html
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from . import toc
from .toc import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# Page furniture that means nothing on paper.
DROP = [".bd-header", ".bd-sidebar-primary", ".bd-sidebar-secondary", ".header-article", ".prev-next-area",
        ".bd-footer", ".bd-footer-article", ".bd-footer-content", ".skip-link", "#pst-back-to-top", ".toggle-button",
        ".headerlink", ".onlyprint", "button", ".search-button-field", "dialog", "script", ".bd-header-announcement"]
PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
html, body { background: #fff !important; }
body { font-size: 10.5pt; }
.bd-container, .bd-main, .bd-content, .bd-article-container, .bd-page-width { max-width: none !important;
  width: auto !important; margin: 0 !important; padding: 0 !important; display: block !important; }
details { display: block; } details > summary { font-weight: bold; }
div.cell_output img, figure img { max-width: 100% !important; page-break-inside: avoid; }
pre { white-space: pre-wrap !important; word-break: break-word; font-size: 8.5pt; }
h1 { page-break-before: avoid; } h2, h3 { page-break-after: avoid; }
section.pdf-solutions { page-break-before: always; }
"""


def print_html(page_html: str, form: str = "full") -> tuple[str, str]:
    """A print copy of one built page, and its title.

    Removes page furniture, opens every dropdown and, for the full form, moves each solution
    (with the check cell that follows it) into a "Solutions" section at the end of the page.
    The student form must contain no solution at all (ValueError otherwise).
    """
    soup = BeautifulSoup(page_html, "html.parser")
    for selector in DROP:
        for node in soup.select(selector):
            node.decompose()
    for node in soup.select("details"):
        node["open"] = ""
    for node in soup.select(".dropdown"):
        node["class"] = [c for c in node.get("class", []) if c != "dropdown"]
    article = soup.select_one("article.bd-article") or soup.body
    solutions = soup.select("div.solution")
    if form == "student" and solutions:
        raise ValueError(f"{len(solutions)} solution(s) in a page of the student web book")
    if solutions:
        section = soup.new_tag("section", attrs={"class": "pdf-solutions"})
        heading = soup.new_tag("h2")
        heading.string = "Solutions"
        section.append(heading)
        for solution in solutions:
            check = solution.find_next_sibling()
            section.append(solution.extract())
            if check is not None and "tag_remove-input" in check.get("class", []):
                section.append(check.extract())
        article.append(section)
    style = soup.new_tag("style")
    style.string = PRINT_CSS
    (soup.head or soup).append(style)
    h1 = article.find("h1")
    title = " ".join(h1.get_text(" ").split()) if h1 else ""
    return str(soup), title.replace("#", "").strip()


def _cover(title: str, subtitle: str, contents: list[tuple[str, int]]) -> str:
    rows = "".join(f"<tr><td>{html.escape(t)}</td><td style='text-align:right'>{p}</td></tr>" for t, p in contents)
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>{PRINT_CSS}
    body {{ font-family: sans-serif; }} h1 {{ font-size: 26pt; margin-top: 60mm; }}
    table {{ width: 100%; border-collapse: collapse; }} td {{ padding: 2pt 0; border-bottom: 1px solid #ddd; }}
    .contents {{ page-break-before: always; }}</style></head><body>
    <h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>
    <div class="contents"><h2>Contents</h2><table>{rows}</table></div></body></html>"""


def build(html_dir: Path, out: Path, form: str = "full") -> Path:
    """Print every toc page of ``html_dir`` and join them into ``out``; returns ``out``."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    import alliances

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    pages = toc.pages()
    missing = [p for p in pages if not (html_dir / f"{p}.html").is_file()]
    if missing:
        sys.exit(f"{html_dir} lacks {missing}: build the book first (make book / make student-book)")
    edition = "student edition (no solutions)" if form == "student" else "full edition (solutions at the end of each chapter)"
    subtitle = f"Version {alliances.__version__}, {edition}. Text CC BY 4.0; code MIT; data under each source's terms."
    footer = ('<div style="font-size:8pt;width:100%;text-align:center;color:#555">'
              '<span class="title"></span> · <span class="pageNumber"></span></div>')
    printed: list[tuple[str, bytes]] = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(java_script_enabled=False)
        context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())  # offline: nothing fetched
        page = context.new_page()
        for name in pages:
            source = html_dir / f"{name}.html"
            text, title = print_html(source.read_text(encoding="utf-8"), form)
            copy = source.with_name(f".print-{source.name}")  # beside the original: relative links work
            copy.write_text(text.replace("<title>", "<title>", 1), encoding="utf-8")
            try:
                page.goto(copy.as_uri(), wait_until="load")
                pdf = page.pdf(format="A4", print_background=True, display_header_footer=True,
                               header_template="<span></span>", footer_template=footer,
                               margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
            finally:
                copy.unlink()
            printed.append((title or name, pdf))
        # contents: page numbers after the title page and the contents page(s)
        cover_pages = 2
        numbers, at = [], cover_pages + 1
        for title, pdf in printed:
            numbers.append((title, at))
            at += len(PdfReader(io.BytesIO(pdf)).pages)
        cover_file = Path(tmp) / "cover.html"
        cover_file.write_text(_cover(config["title"], subtitle, numbers), encoding="utf-8")
        page.goto(cover_file.as_uri())
        cover = page.pdf(format="A4", print_background=True)
        browser.close()
    writer = PdfWriter()
    writer.append(io.BytesIO(cover))
    extra = len(writer.pages) - cover_pages  # a contents list longer than one page shifts the rest
    for title, pdf in printed:
        start = len(writer.pages)
        writer.append(io.BytesIO(pdf))
        writer.add_outline_item(title=title, page_number=start)
    if extra:
        print(f"note: the contents list took {extra} extra page(s); page numbers are off by that", file=sys.stderr)
    writer.add_metadata({"/Title": config["title"], "/Author": config["author"],
                         "/Subject": f"Version {alliances.__version__}, {edition}"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m alliances.publish pdf", description=__doc__.splitlines()[0])
    parser.add_argument("--form", choices=["full", "student"], default="full")
    parser.add_argument("--html", type=Path, help="built HTML (default: _build/html, or the student web book's)")
    parser.add_argument("--out", type=Path, help="output file (default: _build/pdf/<form name>.pdf)")
    args = parser.parse_args(argv)
    default_html = ROOT / ("_build/student/_build/html" if args.form == "student" else "_build/html")
    name = "military-alliances-student.pdf" if args.form == "student" else "military-alliances.pdf"
    out = build(args.html or default_html, args.out or ROOT / "_build" / "pdf" / name, args.form)
    print(f"wrote {out}")

