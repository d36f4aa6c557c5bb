"""The one solution-span parser: where a chapter's gated solutions are, for every edition.

A chapter gates each solution between a ``{solution-start}`` directive and a ``{solution-end}``
directive (sphinx-exercise's gated form, the only one a notebook can hold: cells between them
belong to the solution). The notebook edition (``notebooks.py``: removed, or collapsed for
self-study) and the student web book (``student_book.py``) both read solutions here. The PDF
edition moves the rendered solutions of the built HTML pages, and a problem set marks answers
with nbgrader markup (``alliances.grading.markup``), not with these directives.
"""

from __future__ import annotations

import copy
import re

__all__ = ["EditionError", "solution_spans", "remove_solutions", "text_after_end", "without_directives",
           "is_check", "is_solution_start", "is_solution_end"]

# One directive, from its opening fence to the matching closing fence (options lines included).
DIRECTIVE_RE = re.compile(r"(?ms)^(`{3,}|:{3,})\{solution-(start|end)\}.*?^\1[ \t]*$")
END_RE = re.compile(r"(?ms)^(`{3,}|:{3,})\{solution-end\}.*?^\1[ \t]*$")


class EditionError(ValueError):
    """The source uses something the notebook edition cannot render."""


def is_solution_start(cell) -> bool:
    return cell.cell_type == "markdown" and re.search(r"^(`{3,}|:{3,})\{solution-start\}", cell.source, re.M) is not None


def is_solution_end(cell) -> bool:
    return cell.cell_type == "markdown" and re.search(r"^(`{3,}|:{3,})\{solution-end\}", cell.source, re.M) is not None


def is_check(cell) -> bool:
    """A check cell: hidden code that gives feedback on an answer."""
    return cell.cell_type == "code" and "checks.check_" in cell.source


def solution_spans(nb) -> list[tuple[int, int]]:
    """(first, last) cell indices of each gated solution, from ``{solution-start}`` to ``{solution-end}``."""
    spans, start = [], None
    for i, cell in enumerate(nb.cells):
        if is_solution_start(cell):
            if start is not None:
                raise EditionError("a {solution-start} inside another solution")
            start = i
        if is_solution_end(cell):
            if start is None:
                raise EditionError("a {solution-end} without {solution-start}")
            spans.append((start, i))
            start = None
    if start is not None:
        raise EditionError("a {solution-start} has no {solution-end}")
    return spans


def text_after_end(source: str) -> str:
    """The text after the ``{solution-end}`` directive of a cell ("" if none), whether or not the
    closing directive has option lines."""
    rest = END_RE.split(source)
    return rest[-1] if len(rest) > 1 else ""


def without_directives(source: str) -> str:
    """A cell's text with its ``{solution-start}`` and ``{solution-end}`` directives removed."""
    return DIRECTIVE_RE.sub("", source)


def remove_solutions(nb, *, drop_checks: bool = False) -> int:
    """Remove every solution from ``nb`` in place (and, if ``drop_checks``, the check cell after each).

    Text after ``{solution-end}`` in the same cell is kept. Returns the number of solutions removed.
    """
    spans = solution_spans(nb)
    inside = {i for first, last in spans for i in range(first, last + 1)}
    keep = []
    for i, cell in enumerate(nb.cells):
        if i in inside:
            if is_solution_end(cell):
                rest = text_after_end(cell.source)
                if rest.strip():
                    cell = copy.deepcopy(cell)
                    cell.source = rest.strip("\n")
                    keep.append(cell)
            continue
        if drop_checks and i - 1 in inside and is_check(cell):
            continue
        keep.append(cell)
    nb.cells = keep
    return len(spans)
