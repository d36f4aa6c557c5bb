"""The one reading of ``_toc.yml``: every page of the book in reading order, with its part and parent.

Used by the PDF edition, the tests and the publishing workflow (``python -m alliances.publish
pages``). ``ROOT`` is the repository whose book is published: the checkout this package lies in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOC = ROOT / "_toc.yml"


@dataclass(frozen=True)
class Page:
    """One entry of the table of contents: its file (no suffix), its part's caption and its parent."""

    file: str
    caption: str | None = None  # the part's caption (None for the root and parts without one)
    parent: str | None = None  # the chapter (or section) it is a section of; None for chapters


def entries(toc_file: Path = TOC) -> list[Page]:
    """Every page named in ``toc_file``: the root, then chapters and their sections in reading order."""
    import yaml

    toc = yaml.safe_load(Path(toc_file).read_text())
    found = [Page(toc["root"])]

    def walk(items, caption, parent):
        for entry in items:
            found.append(Page(entry["file"], caption, parent))
            walk(entry.get("sections", []), caption, entry["file"])

    for part in toc.get("parts", []):
        walk(part["chapters"], part.get("caption"), None)
    walk(toc.get("chapters", []), None, None)
    return found


def pages(toc_file: Path = TOC) -> list[str]:
    """Every page named in ``toc_file`` in reading order (root, chapters and sections; no suffix)."""
    return [page.file for page in entries(toc_file)]
