"""The book mirrors the source essay one for one: every heading has its chapter, in order, with its title.

The essay (tests/fixtures/source-essay.txt, a copy of the project's seed outline) has an untitled
introduction, nine titled sections, seven titled sub-sections and an untitled conclusion: 18 units.
"""

import re

import nbformat
import pytest

from alliances.publish import toc
from helpers import ROOT

ESSAY = ROOT / "tests" / "fixtures" / "source-essay.txt"

# (heading in the essay, level, book file): level 0 = untitled, 1 = section, 2 = sub-section.
MAP = [
    ("Introduction", 0, "book/introduction"),
    ("Understanding Military Alliances", 1, "book/understanding-military-alliances"),
    ("The Role of Military Alliances in International Relations", 1, "book/role-in-international-relations"),
    ("Major Military Alliances Today", 1, "book/major-military-alliances-today"),
    ("NATO: Structure and Purpose", 2, "book/nato-structure-and-purpose"),
    ("CSTO: Regional Dynamics", 2, "book/csto-regional-dynamics"),
    ("Case Studies of Military Alliances", 1, "book/case-studies"),
    ("The Evolution of Military Alliances", 1, "book/evolution-of-military-alliances"),
    ("Challenges Faced by Military Alliances", 1, "book/challenges-faced-by-military-alliances"),
    ("Internal Conflicts", 2, "book/internal-conflicts"),
    ("External Pressures", 2, "book/external-pressures"),
    ("The Future of Military Alliances", 1, "book/future-of-military-alliances"),
    ("Military Alliances and Non-State Actors", 2, "book/non-state-actors"),
    ("Impact of Technology on Military Alliances", 1, "book/impact-of-technology"),
    ("Cybersecurity Concerns", 2, "book/cybersecurity-concerns"),
    ("Advances in Warfare", 2, "book/advances-in-warfare"),
    ("The Interplay Between Military Alliances and Soft Power", 1, "book/soft-power"),
    ("Conclusion", 0, "book/conclusion"),
]
# Parts of the toc that are not units of the essay.
REFERENCE_CAPTIONS = {"Research labs", "Data and tools", "Reference"}


def essay_headings():
    """Titled headings of the essay: short lines that are not list items or list lead-ins."""
    lines = [line.strip() for line in ESSAY.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and len(line) < 80 and not line.startswith("- ")
            and not line.endswith((":", "."))]


def toc_units():
    """(file, parent file or None) for every content page in _toc.yml, in order."""
    return [(page.file, page.parent) for page in toc.entries()[1:] if page.caption not in REFERENCE_CAPTIONS]


def test_the_map_covers_every_heading_of_the_essay_in_order():
    titled = [heading for heading, level, _ in MAP if level]
    assert essay_headings() == titled
    assert len(MAP) == 18 and [level for *_, level, _ in MAP].count(2) == 7


def test_toc_lists_the_units_in_essay_order_with_sections_under_their_sections():
    parents, current = {}, None
    for _, level, file in MAP:
        if level < 2:
            current = file
        parents[file] = current if level == 2 else None
    assert toc_units() == [(file, parents[file]) for _, _, file in MAP]


@pytest.mark.parametrize("heading,level,file", MAP, ids=[file.split("/")[1] for *_, file in MAP])
def test_chapter_title_is_the_essay_heading(heading, level, file):
    nb = nbformat.read(ROOT / f"{file}.ipynb", as_version=4)
    first = nb.cells[0].source.splitlines()[0]
    assert re.fullmatch(r"# (.+)", first), f"{file}: the first line should be the '# Title'"
    assert first[2:] == heading
