"""Release problem sets written with nbgrader markup (``markup.py``): student versions and answer keys.

One source notebook per problem set holds everything, in nbgrader's course layout
(``exercises/source/<set>/<set>.ipynb``, apart from the student versions in ``exercises/student/``). No nbgrader
installation or database is needed; the markup stays nbgrader-compatible.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import nbformat

from . import variants
from .markup import Exercise, MarkupError, exercises, is_answer, student_cell  # noqa: F401
from .paths import read, sources  # noqa: F401

__all__ = ["MarkupError", "Exercise", "exercises", "student_version", "answer_key", "release"]


def _clear_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb


def student_version(nb, name: str = "notebook", choice: dict | None = None):
    """A copy of ``nb`` for students: its variant ``choice`` (default: the first, ``variants.render``)
    written in, solutions and hidden tests removed, outputs cleared."""
    exercises(nb, name)
    new = variants.render(nb, choice)
    new.cells = [student_cell(c, i) for i, c in enumerate(new.cells)]
    return _clear_outputs(new)


def answer_key(nb, choice: dict | None = None):
    """A copy of ``nb`` with its variant ``choice`` (default: the first) written in, outputs cleared."""
    return _clear_outputs(variants.render(nb, choice))


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
that never runs student code (see `alliances/grading/`).
"""


def _warn_leaks(student, name: str, has_answers: bool) -> None:
    if not has_answers:
        warnings.warn(f"{name}.ipynb has no answer cells (nbgrader markup), so its student "
                      "version shows everything the key shows.", stacklevel=3)
    if re.search(r"\{solution(-start)?\}", "\n".join(c.source for c in student.cells)):
        warnings.warn(f"{name}.ipynb uses MyST {{solution}} directives: release does not remove "
                      "them. Mark answers with nbgrader markup instead.", stacklevel=3)


def release(source_dir="exercises", out_dir="release") -> list[Path]:
    """Write ``out_dir/student/<set>.ipynb``, ``out_dir/key/<set>.ipynb`` and ``out_dir/README.md``.

    Every notebook is checked first (markup and ``variants.check``); nothing is written if any has an
    error. A set with variants is released in its default variant (the first record of each group). A UserWarning
    names notebooks whose student version may still show answers (no nbgrader answer cells, or
    MyST ``{solution}`` directives).
    """
    books = {name: read(path) for name, path in sources(source_dir).items()}
    problems, rows = [], []
    for name, nb in books.items():
        for validate in (variants.check, exercises):
            try:
                found = validate(nb, f"{name}.ipynb")
            except MarkupError as err:
                problems.append(str(err))
                found = None
        if found is None:
            continue
        auto = ", ".join(f"{e.grade_id} ({e.points:g})" for e in found) or "none"
        rows.append(f"| {name} | {auto} | {sum(e.points for e in found):g} |")
    if problems:
        raise MarkupError("\n".join(problems))
    for name, nb in books.items():
        _warn_leaks(student_version(nb, name), name, any(is_answer(c) for c in nb.cells))
    out, written = Path(out_dir), []
    for kind, make in (("student", student_version), ("key", lambda nb, _: answer_key(nb))):  # default variants
        (out / kind).mkdir(parents=True, exist_ok=True)
        for name, nb in books.items():
            path = out / kind / f"{name}.ipynb"
            nbformat.write(make(nb, f"{name}.ipynb"), str(path))
            written.append(path)
    readme = out / "README.md"
    readme.write_text(_README.format(source=Path(source_dir).as_posix(), table="\n".join(rows)),
                      encoding="utf-8")
    return written + [readme]
