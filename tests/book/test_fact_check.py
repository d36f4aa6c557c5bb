"""book/fact-check.md: a section for every page of the book, each with rows, and well-formed rows."""

import re

import pytest
import yaml

from helpers import ROOT, toc_files

RECORD = (ROOT / "book" / "fact-check.md").read_text()
PENDING = yaml.safe_load((ROOT / "tests" / "fixtures" / "fact-check-pending.yml").read_text()) or []
VERDICTS = ("ok", "corrected", "qualified", "not verified", "not checked")
ROW = re.compile(r"^\|(?!\s*Claim\s*\|)(?!-)(.+)\|$", re.M)


def sections(text):
    """{page: [row cells, ...]} for every ``## book/<page>`` section of the record."""
    parts = re.split(r"^## (book/[\w-]+)\s*$", text, flags=re.M)
    found = {}
    for page, body in zip(parts[1::2], parts[2::2]):
        body = re.split(r"^#{1,2} ", body, maxsplit=1, flags=re.M)[0]
        found[page] = [[cell.strip() for cell in m.split("|")] for m in ROW.findall(body)]
    return found


SECTIONS = sections(RECORD)


def test_the_record_is_not_in_the_toc_and_is_excluded_from_the_build():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "book/fact-check" not in toc_files()
    assert "book/fact-check.md" in config["exclude_patterns"]


@pytest.mark.parametrize("page", toc_files())
def test_every_page_has_a_section_with_rows(page):
    assert page in SECTIONS, f"book/fact-check.md: no '## {page}' section"
    rows = SECTIONS[page]
    if page in PENDING:
        assert not rows, (f"{page} has rows in book/fact-check.md now: delete it from "
                          "tests/fixtures/fact-check-pending.yml")
    else:
        assert rows, f"{page}: its fact-check section in book/fact-check.md has no rows"


def test_pending_pages_are_pages_of_the_book():
    assert set(PENDING) <= set(toc_files()), sorted(set(PENDING) - set(toc_files()))


@pytest.mark.parametrize("page", [p for p in SECTIONS if SECTIONS[p]])
def test_rows_are_complete(page):
    for cells in SECTIONS[page]:
        assert len(cells) == 4 and all(cells), f"{page}: a row needs claim, verdict, source, date: {cells}"
        claim, verdict, source, date = cells
        assert verdict.startswith(VERDICTS), f"{page}: verdict '{verdict}' is not one of {VERDICTS}"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date), f"{page}: date checked '{date}' is not YYYY-MM-DD"


def test_sections_parser():
    text = ("## book/a\n\n| Claim | Verdict | Source checked | Date checked |\n|---|---|---|---|\n"
            "| x | ok | y | 2026-11-26 |\n\n## book/b\n\n<!-- empty -->\n\n## Other\n\n| z | ok | w | 2026-01-01 |\n")
    assert sections(text) == {"book/a": [["x", "ok", "y", "2026-11-26"]], "book/b": []}
