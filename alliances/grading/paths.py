"""Every path of grading: the problem sets of a source folder, and what a batch writes.

A batch reads ``SUBMISSIONS/<student>/<set>.ipynb`` and writes into its output folder:

- ``grades.csv``: student, set, exercise, points, max_points, reason;
- ``gradebook.csv`` (or ``gradebook-canvas.csv``, ``gradebook-moodle.csv``);
- ``feedback/<student>/<set>.md``;
- ``manual-grades.csv``: hand-graded exercises, to fill in;
- ``report.html``: the class report (``report.py``);
- ``mapping.csv`` and ``submissions/``: with ``grade --lms``, what ``intake.collect`` made of the LMS download;
- ``.results/<student>/<set>.json``: each graded submission, kept at once so a batch resumes.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

RESULTS = ".results"
GRADES = "grades.csv"
MANUAL = "manual-grades.csv"
FEEDBACK = "feedback"


def result_file(out: Path, student: str, name: str) -> Path:
    """Where the graded submission ``student``/``name`` is kept."""
    return Path(out) / RESULTS / student / f"{name}.json"


def feedback_file(out: Path, student: str, name: str) -> Path:
    """The feedback of ``student`` on problem set ``name``."""
    return Path(out) / FEEDBACK / student / f"{name}.md"


def gradebook_file(out: Path, fmt: str = "plain") -> Path:
    """The gradebook of format ``fmt`` (plain, canvas, moodle)."""
    return Path(out) / ("gradebook.csv" if fmt == "plain" else f"gradebook-{fmt}.csv")


def read(path) -> nbformat.NotebookNode:
    """Read a source notebook (as nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def sources(source_dir) -> dict[str, Path]:
    """``{set name: path}`` of the problem sets in ``source_dir``; FileNotFoundError if none.

    Either flat (``<set>.ipynb``) or nbgrader's course layout (``source/<set>/<set>.ipynb``:
    ``source_dir`` is the ``source`` folder, or the course folder that holds it).
    """
    folder = Path(source_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"There is no folder {folder} with problem sets.")
    found = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
    nested = folder / "source" if (folder / "source").is_dir() else folder
    found.update({p.stem: p for p in sorted(nested.glob("*/*.ipynb")) if p.parent.name == p.stem})
    if not found:
        raise FileNotFoundError(f"There are no notebooks (*.ipynb) in {folder}.")
    return found
