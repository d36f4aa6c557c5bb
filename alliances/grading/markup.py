"""nbgrader markup: one parser for the three marker pairs, with line-numbered errors.

- answer cells: code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (replaced by
  ``raise NotImplementedError()`` at the same indentation), or a cell whose metadata has
  ``nbgrader: {"solution": true}`` (a markdown one becomes "YOUR ANSWER HERE"; markdown may also
  mark parts with ``<!-- BEGIN SOLUTION -->`` / ``<!-- END SOLUTION -->``);
- test cells: ``nbgrader: {"grade": true, "points": N, "grade_id": "..."}``; lines between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are left out of the student version.
"""

from __future__ import annotations

import copy
import numbers
from dataclasses import dataclass, field

__all__ = ["MarkupError", "Exercise", "exercises", "is_answer", "meta", "cell_key", "student_cell"]

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
