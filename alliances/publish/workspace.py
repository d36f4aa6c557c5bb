"""The student's working folder (``make lab``): the notebook edition copied in, never overwritten.

    python -m alliances.publish workspace EDITION_DIR WORK_DIR
"""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_missing(src: Path, dst: Path) -> list[Path]:
    """Copy every file under ``src`` to ``dst`` unless it is already there; return the files copied.

    A student's working copy is never overwritten: delete a file to get a fresh copy.
    """
    copied = []
    for path in sorted(Path(src).rglob("*")):
        target = Path(dst) / path.relative_to(src)
        if path.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(target)
    return copied


def main(edition: str, work: str) -> int:
    """Copy the notebook edition ``edition`` into ``work`` where a file is not there yet."""
    if not Path(edition).is_dir():
        raise SystemExit(f"error: no notebook edition in {edition} (run `make book` first)")
    new = copy_missing(Path(edition), Path(work))
    print(f"{len(new)} new file(s) copied into {work}; existing files left as they are.")
    return 0
