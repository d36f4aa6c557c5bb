"""Hints teach a method; they do not hand over the solution (issue #25, item 5).

A chapter's hint is a dropdown ``{admonition} Hint`` in the exercise's cell. The test takes the code
in the hint (inline ``code`` and code blocks) and each computing line of the exercise's gated
solution (the right-hand side of each assignment), spaces removed, and measures how much of each
line the hint's code reproduces (matching runs of at least 4 characters). A hint whose code
reproduces most of the solution's code (weighted by length) fails: rewrite it as a nudge toward a
method (what to select, which kind of method, what to check), not the code.
"""

import difflib
import re

import nbformat
import pytest
from helpers import ROOT, chapters

from alliances.publish.solutions import solution_spans

HINT_RE = re.compile(r"(?ms)^(:{3,}|`{3,})\{admonition\}\s*Hint[^\n]*\n(.*?)^\1[ \t]*$")
ASSIGN_RE = re.compile(r"^[\w\[\]\"', ]+\s*(?:\|=|\+=|=)(?!=)\s*(.+)$")
LIMIT = 0.5  # share of the solution's code a hint may reproduce


def _norm(code: str) -> str:
    return re.sub(r"\s+", "", code)


def hint_code(hint: str) -> list[str]:
    """The code in a hint: its code blocks and inline code, spaces removed."""
    block = r"(?ms)^```[^\n]*\n(.*?)^```"
    return [_norm(c) for c in re.findall(block, hint) + re.findall(r"`([^`\n]+)`", re.sub(block, "", hint))]


def solution_lines(code: str) -> list[str]:
    """The computing lines of a solution: each assignment's right-hand side, spaces removed."""
    lines = []
    for line in code.splitlines():
        match = ASSIGN_RE.match(line.strip())
        if match and not line.strip().startswith("#"):
            lines.append(_norm(match.group(1)))
    return [line for line in lines if len(line) >= 8]


def reproduced(hint: str, solution: str) -> float:
    """Share of the solution's computing code (by characters) that the hint's code reproduces."""
    spans, lines = hint_code(hint), solution_lines(solution)
    if not spans or not lines:
        return 0.0
    joined = "\x00".join(spans)
    covered = 0.0
    for line in lines:
        blocks = difflib.SequenceMatcher(None, line, joined, autojunk=False).get_matching_blocks()
        covered += sum(b.size for b in blocks if b.size >= 4)
    return covered / sum(map(len, lines))


def exercise_hints(nb):
    """(label, [hint bodies], solution code) for each gated solution of a chapter."""
    for first, last in solution_spans(nb):
        ex = next(j for j in range(first - 1, -1, -1) if "{exercise}" in nb.cells[j].source)
        source = nb.cells[ex].source
        label = source.split(":label:", 1)[1].split()[0] if ":label:" in source else f"cell {ex}"
        hints = [m.group(2) for cell in nb.cells[ex:first] if cell.cell_type == "markdown"
                 for m in HINT_RE.finditer(cell.source)]
        yield label, hints, "\n".join(c.source for c in nb.cells[first:last + 1] if c.cell_type == "code")


def test_the_measure_flags_a_hint_that_is_the_solution_and_passes_a_nudge():
    solution = ('one_year = 100 * (change[2022] / change[2021] - 1)\n'
                'answer = float(one_year[one_year.index.isin(B9)].dropna().median())\nround(answer, 1)')
    full = (":class: dropdown\n`one_year = 100 * (change[2022] / change[2021] - 1)`, then "
            "`one_year[one_year.index.isin(B9)].dropna().median()`.\n")
    nudge = ":class: dropdown\nA percentage change per ally, then the median of the `B9` rows (not the mean).\n"
    assert reproduced(full, solution) > LIMIT
    assert reproduced(nudge, solution) < LIMIT


@pytest.mark.parametrize("name", [c for c in chapters() if c.startswith("book/")])
def test_no_hint_hands_over_its_solution(name):
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    for label, hints, solution in exercise_hints(nb):
        for hint in hints:
            share = reproduced(hint, solution)
            assert share < LIMIT, (f"{name} {label}: the hint's code reproduces {share:.0%} of the solution's code; "
                                   f"rewrite it as a nudge toward a method:\n{hint}")
