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
from .gradebook import roster_folders
from .paths import read, sources  # noqa: F401
from .spreadsheet import write_csv

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


VARIANTS = "variants.csv"
ASSIGNMENTS = "assignments.csv"  # with --nbgrader: the nbgrader assignment of each student and set

_DEFAULT = """
## Per-student variants

{sets} declare per-student variants: this release holds their default variant (the first value of
each parameter). `python -m alliances release --roster ROSTER.csv --secret SECRET_FILE` gives each
student their own (see the README of the repository).
"""

_ROSTER = """
## Per-student variants

Released for the students of `{roster}`: each has their own version in `student/<folder>/`, with
the variant of each set drawn from their folder name and the course secret `{secret}`. `key/<set>/`
holds the key of every variant drawn and `variants.csv` says who got which (both private). Keep
the secret file private and unchanged: grading needs it to find each student's variant, so grade
with

    python -m alliances grade SUBMISSIONS --source {source} --out grades --roster {roster} --secret {secret}

A submission whose folder is not on the roster scores 0 on a set with variants.
"""


def _warn_leaks(student, name: str, has_answers: bool) -> None:
    if not has_answers:
        warnings.warn(f"{name}.ipynb has no answer cells (nbgrader markup), so its student "
                      "version shows everything the key shows.", stacklevel=3)
    if re.search(r"\{solution(-start)?\}", "\n".join(c.source for c in student.cells)):
        warnings.warn(f"{name}.ipynb uses MyST {{solution}} directives: release does not remove "
                      "them. Mark answers with nbgrader markup instead.", stacklevel=3)


def release(source_dir="exercises", out_dir="release", roster=None, secret=None, nbgrader=None) -> list[Path]:
    """Write ``out_dir/student/<set>.ipynb``, ``out_dir/key/<set>.ipynb`` and ``out_dir/README.md``.

    Every notebook is checked first (markup and ``variants.check``); nothing is written if any has an
    error. Without ``roster`` a set with variants is released in its default variant (the first
    record of each group). With ``roster`` (a CSV with a ``folder`` column) and ``secret`` (the
    course secret's file, created readable by its owner only if missing) each student gets the
    variant drawn for them (``variants.draw``): ``student/<folder>/<set>.ipynb``, the key of every
    variant drawn ``key/<set>/<label>.ipynb`` (a set without variants: ``key/<set>.ipynb``), and
    ``variants.csv`` (student, set, label: for the instructor). ``nbgrader``: an nbgrader course
    folder that also gets the sources nbgrader reads, ``source/<set>/<set>.ipynb`` in the default
    variant, or with ``roster`` one assignment per variant drawn,
    ``source/<set>-<label>/<set>-<label>.ipynb`` (a set without variants: ``source/<set>/<set>.ipynb``),
    and ``assignments.csv`` (student, set, assignment). A UserWarning names notebooks whose
    student version may still show answers (no nbgrader answer cells, or MyST ``{solution}``
    directives).
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
    students, key = _students(roster, secret, (out_dir, source_dir), books)
    for name, nb in books.items():
        _warn_leaks(student_version(nb, name), name, any(is_answer(c) for c in nb.cells))
    out, written = Path(out_dir), []

    def write(nb, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
        written.append(path)

    if students is None:
        for kind, make in (("student", student_version), ("key", lambda nb, _: answer_key(nb))):
            for name, nb in books.items():
                write(make(nb, f"{name}.ipynb"), out / kind / f"{name}.ipynb")
        for name, nb in books.items() if nbgrader is not None else ():
            write(answer_key(nb), Path(nbgrader) / "source" / name / f"{name}.ipynb")
    else:
        drawn, assigned = [], []
        for name, nb in books.items():
            groups, keys = variants.declared(nb), {}
            for student in students:
                choice = variants.draw(groups, key, student, name)
                write(student_version(nb, f"{name}.ipynb", choice), out / "student" / student / f"{name}.ipynb")
                label = variants.label(choice) if groups else None
                if groups:
                    keys[label] = choice
                    drawn.append([student, name, label])
                assigned.append([student, name, name if label is None else f"{name}-{label}"])
            for label, choice in sorted(keys.items()) if groups else [(None, None)]:
                key_nb = answer_key(nb, choice)
                write(key_nb, out / "key" / (f"{name}.ipynb" if label is None else f"{name}/{label}.ipynb"))
                if nbgrader is not None:
                    task = name if label is None else f"{name}-{label}"
                    write(key_nb, Path(nbgrader) / "source" / task / f"{task}.ipynb")
        write_csv(out / VARIANTS, ["student", "set", "label"], drawn)
        if nbgrader is not None:
            write_csv(Path(nbgrader) / ASSIGNMENTS, ["student", "set", "assignment"], assigned)
    readme = out / "README.md"
    varied = [name for name, nb in books.items() if variants.declared(nb)]
    readme.write_text(_README.format(source=Path(source_dir).as_posix(), table="\n".join(rows)) +
                      (_DEFAULT.format(sets=", ".join(varied)) if students is None and varied else "") +
                      ("" if students is None else _ROSTER.format(
                          source=Path(source_dir).as_posix(), roster=Path(roster).as_posix(),
                          secret=Path(secret).as_posix())),
                      encoding="utf-8")
    return written + ([] if students is None else [out / VARIANTS]) + [readme]


def _students(roster, secret, shared, books) -> tuple[list[str] | None, bytes | None]:
    """The roster's folders and the course secret (made if its file is missing), or (None, None)."""
    if roster is None and secret is None:
        return None, None
    if roster is None or secret is None:
        raise ValueError("Per-student release needs both --roster ROSTER.csv (a 'folder' column) and "
                         "--secret SECRET_FILE (the course secret, made on first use); give both or neither.")
    for folder, what in zip(shared, ("release", "source")):  # both are handed round or published
        if Path(secret).resolve().is_relative_to(Path(folder).resolve()):
            raise ValueError(f"The course secret {secret} must not be kept inside the {what} folder {folder}.")
    students = roster_folders(roster)
    if not any(variants.declared(nb) for nb in books.values()):
        warnings.warn("No problem set declares variants: every student gets the same notebook.", stacklevel=3)
    return students, variants.read_secret(secret) if Path(secret).exists() else variants.new_secret(secret)
