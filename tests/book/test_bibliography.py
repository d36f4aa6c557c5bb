"""references.bib: every entry complete, the corrected entries right, and every entry cited."""

import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

from helpers import ROOT, toc_files

BIB = parse_file(str(ROOT / "references.bib"))
ALLOWED_UNCITED = yaml.safe_load((ROOT / "tests" / "fixtures" / "uncited-references.yml").read_text()) or {}
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")

# Fields each entry type needs to be findable: who, what, where (venue or publisher), when.
REQUIRED = {
    "article": [("author",), ("title",), ("journal",), ("year",), ("volume", "number"), ("pages",)],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year",)],
    "incollection": [("author",), ("title",), ("booktitle",), ("publisher",), ("year",), ("pages",)],
    "misc": [("author",), ("title",), ("year",), ("url", "note")],
}


def fields(entry):
    present = {name.lower() for name in entry.fields}
    return present | {role.lower() for role in entry.persons}


@pytest.mark.parametrize("key", list(BIB.entries))
def test_entry_is_complete(key):
    entry = BIB.entries[key]
    assert entry.type in REQUIRED, f"{key}: unexpected entry type @{entry.type}"
    missing = [" or ".join(alts) for alts in REQUIRED[entry.type] if not fields(entry) & set(alts)]
    assert not missing, f"{key}: missing {', '.join(missing)}"
    if "doi" in entry.fields:
        assert re.fullmatch(r"10\.\d{4,9}/\S+", entry.fields["doi"]), f"{key}: malformed DOI"


@pytest.mark.parametrize("key, expected", [
    ("small1969formal", {"title": "Formal Alliances, 1816--1965: An Extension of the Basic Data",
                         "journal": "Journal of Peace Research", "volume": "6", "number": "3",
                         "pages": "257--282", "year": "1969"}),
    ("cha2010powerplay", {"journal": "International Security", "volume": "34", "number": "3",
                          "pages": "158--196", "year": "2010"}),
    ("allison2008virtual", {"journal": "Central Asian Survey", "volume": "27", "number": "2",
                            "pages": "185--202", "year": "2008"}),
])
def test_corrected_entries(key, expected):
    entry = BIB.entries[key]
    for name, value in expected.items():
        assert entry.fields.get(name) == value, f"{key}: {name} is {entry.fields.get(name)!r}, not {value!r}"


def cited_keys():
    """Keys cited on any page of the book (chapters, glossary, guides), by page."""
    cited = {}
    for name in toc_files():
        path = next((ROOT / f"{name}{ext}" for ext in (".ipynb", ".md") if (ROOT / f"{name}{ext}").is_file()))
        for group in CITE.findall(path.read_text()):
            for key in group.split(","):
                cited.setdefault(key.strip(), set()).add(name)
    return cited


def test_every_citation_is_in_the_bibliography():
    unknown = sorted(set(cited_keys()) - set(BIB.entries))
    assert not unknown, f"cited but not in references.bib: {unknown}"


def test_every_entry_is_cited_or_listed_with_its_place():
    cited = cited_keys()
    uncited = sorted(key for key in BIB.entries if key not in cited)
    unlisted = [key for key in uncited if key not in ALLOWED_UNCITED]
    assert not unlisted, (f"references.bib entries cited nowhere in the book: {unlisted}; cite them "
                          "where they belong or remove them")
    now_cited = sorted(key for key in ALLOWED_UNCITED if key in cited)
    assert not now_cited, (f"{now_cited} are cited now: delete them from "
                           "tests/fixtures/uncited-references.yml")
    unknown = sorted(key for key in ALLOWED_UNCITED if key not in BIB.entries)
    assert not unknown, f"tests/fixtures/uncited-references.yml lists keys not in references.bib: {unknown}"
    toc = set(toc_files())
    for key, place in ALLOWED_UNCITED.items():
        assert f"book/{place['chapter']}" in toc, f"{key}: chapter {place['chapter']} is not in _toc.yml"
        assert place.get("where"), f"{key}: say where in {place['chapter']} it belongs"


def test_bibliography_page_claim_holds():
    page = (ROOT / "book" / "bibliography.md").read_text()
    if ALLOWED_UNCITED:
        # uncited entries are still printed (through :all:) until the chapters cite them
        assert ":all:" in page
    else:
        assert ":all:" not in page, "every entry is cited now: drop :all: so the page lists what is cited"


def entries_in_file(text):
    """(key, title, year) of every entry as written in references.bib, duplicates included."""
    found = []
    for key, body in re.findall(r"^@\w+\{([^,\s]+),(.*?)^\}", text, flags=re.M | re.S):
        title = re.search(r"^\s*title\s*=\s*\{(.*?)\},?\s*$", body, flags=re.M | re.S)
        year = re.search(r"^\s*year\s*=\s*\{?(\d{4})", body, flags=re.M)
        found.append((key, re.sub(r"[^a-z0-9]", "", title.group(1).lower()) if title else key,
                      year.group(1) if year else ""))
    return found


def duplicates(text):
    """Keys written twice, and works entered twice under two keys (same title and year)."""
    seen_keys, seen_works, problems = set(), {}, []
    for key, title, year in entries_in_file(text):
        if key in seen_keys:
            problems.append(f"key {key} is written twice")
        seen_keys.add(key)
        if (title, year) in seen_works and seen_works[(title, year)] != key:
            problems.append(f"{key} and {seen_works[(title, year)]} are the same work")
        seen_works.setdefault((title, year), key)
    return problems


def test_no_entry_twice():
    """Merged branches append entries: the same work must not enter twice, under one key or two."""
    assert not duplicates((ROOT / "references.bib").read_text())


def test_duplicate_check_sees_both_kinds():
    one = "@book{a2000x,\n  title = {A Title},\n  year = {2000}\n}\n"
    assert duplicates(one + one) == ["key a2000x is written twice"]
    assert duplicates(one + one.replace("a2000x", "b2000x")) == ["b2000x and a2000x are the same work"]
