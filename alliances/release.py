"""Release problem sets written with nbgrader markup: student versions and answer keys.

One source notebook per problem set (``exercises/<set>.ipynb``) holds everything:

- answer cells: code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (replaced by
  ``raise NotImplementedError()`` at the same indentation), or a cell whose metadata has
  ``nbgrader: {"solution": true}`` (a markdown one becomes "YOUR ANSWER HERE"; markdown may also
  mark parts with ``<!-- BEGIN SOLUTION -->`` / ``<!-- END SOLUTION -->``);
- test cells: ``nbgrader: {"grade": true, "points": N, "grade_id": "..."}``; lines between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are left out of the student version.

No nbgrader installation or database is needed; the markup stays nbgrader-compatible.
"""

from __future__ import annotations

import copy
import numbers
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

__all__ = ["MarkupError", "Exercise", "exercises", "student_version", "answer_key", "release"]

SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
MD_SOLUTION = ("<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->")
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = "YOUR ANSWER HERE"


class MarkupError(ValueError):
    """The nbgrader markup of a problem set is wrong (the message names notebook and cell)."""


@dataclass
class Exercise:
    """A graded cell: ``index`` of its cell, the answer cells since the previous exercise."""

    grade_id: str
    points: float
    index: int
    answers: list[int] = field(default_factory=list)
    manual: bool = False  # an answer cell with points: graded by hand, not by tests


def meta(cell) -> dict:
    """The cell's ``nbgrader`` metadata (empty if none)."""
    return cell.get("metadata", {}).get("nbgrader") or {}


def cell_key(cell, index: int) -> str:
    """How cells are matched between versions: nbgrader ``grade_id``, else cell id, else position."""
    return str(meta(cell).get("grade_id") or cell.get("id") or f"cell-{index}")


def _markers(cell) -> list[tuple[str, str]]:
    if cell.cell_type == "code":
        return [SOLUTION, HIDDEN]
    return [SOLUTION, HIDDEN, MD_SOLUTION] if cell.cell_type == "markdown" else []


def _spans(source: str, begin: str, end: str) -> list[tuple[int, int]]:
    """Line spans ``(first, last)`` of the begin...end blocks; ValueError if unbalanced."""
    spans, start = [], None
    for n, line in enumerate(source.splitlines()):
        text = line.strip()
        if text.startswith(begin):
            if start is not None:
                raise ValueError(f"'{begin}' on line {n + 1} comes before the '{end}' "
                                 f"of the block opened on line {start + 1}")
            start = n
        elif text.startswith(end):
            if start is None:
                raise ValueError(f"'{end}' on line {n + 1} has no '{begin}' before it")
            spans.append((start, n))
            start = None
    if start is not None:
        raise ValueError(f"'{begin}' on line {start + 1} has no matching '{end}'")
    return spans


def is_answer(cell) -> bool:
    """A cell the student writes in: nbgrader ``solution`` metadata or solution markers."""
    if meta(cell).get("solution"):
        return True
    pairs = [SOLUTION] + ([MD_SOLUTION] if cell.cell_type == "markdown" else [])
    return any(line.strip().startswith(begin) for begin, _ in pairs
               for line in cell.source.splitlines())


def _is_test(cell) -> bool:
    return bool(meta(cell).get("grade")) and not is_answer(cell)


def exercises(nb, name: str = "notebook") -> list[Exercise]:
    """Check the markup of ``nb`` and list its graded cells; MarkupError names every problem."""
    problems, found, seen, answers = [], [], {}, []
    for i, cell in enumerate(nb.cells):
        key = cell_key(cell, i)
        where = f"{name}, cell {i + 1} ({cell.cell_type}, id {key!r})"
        for begin, end in _markers(cell):
            try:
                _spans(cell.source, begin, end)
            except ValueError as err:
                problems.append(f"{where}: {err}.")
        if is_answer(cell) or meta(cell).get("grade"):
            if key in seen:
                problems.append(f"{where}: the id {key!r} is also used by cell {seen[key]}.")
            seen[key] = i + 1
        if is_answer(cell):
            answers.append(i)
        if not meta(cell).get("grade"):
            continue
        points = meta(cell).get("points")
        if isinstance(points, bool) or not isinstance(points, numbers.Real) or points < 0:
            problems.append(f"{where}: a graded cell needs \"points\" (a number >= 0) in its "
                            f"nbgrader metadata; found {points!r}.")
            continue
        if not meta(cell).get("grade_id"):
            problems.append(f"{where}: a graded cell needs a \"grade_id\" in its nbgrader metadata.")
            continue
        if _is_test(cell) and cell.cell_type != "code":
            problems.append(f"{where}: a test cell (grade: true) must be a code cell.")
            continue
        manual = is_answer(cell)
        found.append(Exercise(meta(cell)["grade_id"], points, i,
                              [] if manual else [a for a in answers if a != i], manual))
        answers = []
    if problems:
        raise MarkupError("\n".join(problems))
    return found


def _replace(source: str, begin: str, end: str, stub) -> str:
    """Replace each begin...end block by the ``stub`` lines, indented like its begin line.

    ``stub=None`` drops the block.
    """
    spans, lines = _spans(source, begin, end), source.splitlines()
    for first, last in reversed(spans):
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        lines[first:last + 1] = [] if stub is None else [indent + s for s in stub]
    return "\n".join(lines) + ("\n" if source.endswith("\n") else "") if spans else source


def _clear_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def student_cell(cell, index: int = 0):
    """The student version of one cell (a copy): solutions and hidden tests left out."""
    cell = copy.deepcopy(cell)
    src = _replace(cell.source, *HIDDEN, None)
    if is_answer(cell):
        stub = CODE_STUB if cell.cell_type == "code" else (ANSWER_STUB,)
        marked = [p for p in _markers(cell) if p != HIDDEN and _spans(src, *p)]
        if not marked:
            src = "\n".join(stub)
        for pair in marked:
            src = _replace(src, *pair, stub)
        info = cell.metadata.setdefault("nbgrader", {})
        info.update(solution=True, grade_id=cell_key(cell, index))
        info.setdefault("grade", False)
        info.setdefault("locked", False)
    cell.source = src
    return cell


def student_version(nb, name: str = "notebook"):
    """A copy of ``nb`` for students: solutions and hidden tests removed, outputs cleared."""
    exercises(nb, name)
    new = copy.deepcopy(nb)
    new.cells = [student_cell(c, i) for i, c in enumerate(nb.cells)]
    return _clear_outputs(new)


def answer_key(nb):
    """A copy of ``nb`` with the source unchanged and the outputs cleared."""
    return _clear_outputs(copy.deepcopy(nb))


def read(path) -> nbformat.NotebookNode:
    """Read a source notebook (as nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def sources(source_dir) -> dict[str, Path]:
    """``{set name: path}`` of the problem sets in ``source_dir``; FileNotFoundError if none."""
    folder = Path(source_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"There is no folder {folder} with problem sets.")
    found = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
    if not found:
        raise FileNotFoundError(f"There are no notebooks (*.ipynb) in {folder}.")
    return found


_README = """# Released problem sets

Made by `python -m alliances release` from `{source}`. Do not edit these files: edit the
source notebooks and release again.

- `student/`: hand these out. Solutions and hidden tests are removed, outputs cleared.
- `key/`: the answer keys, with solutions and hidden tests. Keep them private.

| problem set | exercises (points) | total |
|---|---|---|
{table}

## Grading

Collect submissions as `SUBMISSIONS/<student>/<set>.ipynb`, then run

    python -m alliances grade SUBMISSIONS --source {source} --out grades

This writes `grades/grades.csv` (one row per student, set and exercise), `grades/gradebook.csv`
(one row per student) and feedback for each student under `grades/feedback/`. Only the students'
answer cells are taken from a submission: every other cell, including all tests (visible and
hidden), comes from the source notebook, so tell students to write their work in the answer
cells. Each submission runs in a bubblewrap sandbox and the tests run in a separate process
that never runs student code (see `alliances/grade.py`).
"""


def _warn_leaks(student, name: str, has_answers: bool) -> None:
    if not has_answers:
        warnings.warn(f"{name}.ipynb has no answer cells (nbgrader markup), so its student "
                      "version shows everything the key shows.", stacklevel=3)
    if re.search(r"\{solution(-start)?\}", "\n".join(c.source for c in student.cells)):
        warnings.warn(f"{name}.ipynb uses MyST {{solution}} directives: release does not remove "
                      "them. Mark answers with nbgrader markup instead.", stacklevel=3)


def release(source_dir, out_dir) -> list[Path]:
    """Write ``out_dir/student/<set>.ipynb``, ``out_dir/key/<set>.ipynb`` and ``out_dir/README.md``.

    Every notebook is checked first; nothing is written if any has a markup error. A UserWarning
    names notebooks whose student version may still show answers (no nbgrader answer cells, or
    MyST ``{solution}`` directives).
    """
    books = {name: read(path) for name, path in sources(source_dir).items()}
    problems, rows = [], []
    for name, nb in books.items():
        try:
            found = exercises(nb, f"{name}.ipynb")
        except MarkupError as err:
            problems.append(str(err))
            continue
        auto = ", ".join(f"{e.grade_id} ({e.points:g})" for e in found) or "none"
        rows.append(f"| {name} | {auto} | {sum(e.points for e in found):g} |")
    if problems:
        raise MarkupError("\n".join(problems))
    for name, nb in books.items():
        _warn_leaks(student_version(nb, name), name, any(is_answer(c) for c in nb.cells))
    out, written = Path(out_dir), []
    for kind, make in (("student", student_version), ("key", lambda nb, _: answer_key(nb))):
        (out / kind).mkdir(parents=True, exist_ok=True)
        for name, nb in books.items():
            path = out / kind / f"{name}.ipynb"
            nbformat.write(make(nb, f"{name}.ipynb"), str(path))
            written.append(path)
    readme = out / "README.md"
    readme.write_text(_README.format(source=Path(source_dir).as_posix(), table="\n".join(rows)),
                      encoding="utf-8")
    return written + [readme]
