"""Key the book's execution cache on the data: clear it when anything in ``data/`` changed.

jupyter-cache (``_build/.jupyter_cache``, used by ``make book``) re-executes a notebook only when
its *code* changes, and Sphinx re-renders a page only when its *source* changes; neither notices
a change in ``data/``, so the book could publish numbers computed from old data. ``make book``
runs this first: it hashes every data file (``datapackage.json`` and the CSVs, not the codebook)
and, when the hash differs from the one stamped by the previous build, deletes the execution
cache and Sphinx's rendered pages so that every chapter is executed and rendered afresh.

Usage: ``python -m alliances.publish cache [BUILD_DIR] [DATA_DIR]`` (defaults ``_build`` and ``data``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from ..hashing import sha256

STAMP = ".data-fingerprint"
#: What a data change makes stale: executed outputs, Sphinx's environment and rendered pages.
STALE = (".jupyter_cache", ".doctrees", "html", "jupyter_execute")


def data_fingerprint(data_dir: Path) -> str:
    """SHA-256 over the names and bytes of every file in ``data_dir`` except Markdown docs."""
    data_dir = Path(data_dir)
    if not (data_dir / "datapackage.json").is_file():
        raise SystemExit(f"book_cache: no datapackage.json in {data_dir}")
    h = hashlib.sha256()
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and p.suffix != ".md"):
        h.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
        h.update(bytes.fromhex(sha256(path)))
    return h.hexdigest()


def refresh(build_dir: Path, data_dir: Path) -> bool:
    """Clear the stale build products if the data changed since the last stamp; True if cleared."""
    build_dir = Path(build_dir)
    fingerprint = data_fingerprint(data_dir)
    stamp = build_dir / STAMP
    if stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return False
    for name in STALE:
        shutil.rmtree(build_dir / name, ignore_errors=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")
    return True


def main(argv: list[str]) -> int:
    """``[BUILD_DIR] [DATA_DIR]``: clear the stale build products if the data changed."""
    build_dir = Path(argv[0]) if len(argv) > 0 else Path("_build")
    data_dir = Path(argv[1]) if len(argv) > 1 else Path("data")
    if refresh(build_dir, data_dir):
        print(f"book_cache: data changed (or first build): cleared the execution cache and pages in {build_dir}")
    return 0

