"""Check cells that do not hand over the answer, in the notebook edition.

A chapter's check cell computes ``expected=`` (and the values of typical mistakes) from the data,
beside its exercise: the authoring notebook keeps it so. In the notebook edition that cell is
hidden but one click away, so the pipeline rewrites it:

1. :func:`record` executes the chapter (a fresh kernel, the chapter's folder as working
   directory) with ``ALLIANCES_RECORD_CHECKS`` set, after naming each check cell with
   ``checks._record_as(<cell id>)``: every ``checks.check_*`` call appends its arguments to a file
   (``alliances.checks``, "checks in the notebook edition"), with the position of the call;
2. :func:`student_source` turns the cell into ``checks.check_exercise("<label>", <answer>,
   spec="...")`` for each of its check calls, keeping only the statements the answer
   expressions need (e.g. ``_got = pd.Series(answer_x)``); the spec is the recorded call,
   compressed and base64-encoded. The helpers, the formula for ``expected`` and the mistakes'
   formulas are gone; a determined student can still decode the spec (base64, zlib, JSON).

The check then behaves exactly as before: ``check_exercise`` calls the same ``check_*`` function
with the same arguments (tests/book/test_chapter_wrong_answers.py runs both cells on every
recorded wrong answer). A check call that did not run exactly once, or an argument that cannot be
recorded, raises :class:`~alliances.publish.solutions.EditionError`.
"""

from __future__ import annotations

import ast
import json
import os
import tempfile
import textwrap
from pathlib import Path

import nbformat

from .. import checks
from .solutions import EditionError, is_check, solution_spans

RECORD_PREFIX = "__import__('alliances.checks').checks._record_as({key!r})\n"


def check_calls(source: str | ast.AST) -> list[ast.Call]:
    """The ``checks.check_*(...)`` calls of a cell (its source or its parsed tree), in source order."""
    tree = ast.parse(source) if isinstance(source, str) else source
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and isinstance(n.func.value, ast.Name) and n.func.value.id == "checks" and n.func.attr.startswith("check_")]
    return sorted(calls, key=lambda n: (n.lineno, n.col_offset))


def check_cells(nb) -> list[int]:
    """Indices of the check cells the notebook edition hides (the cell after each solution)."""
    return [last + 1 for _, last in solution_spans(nb) if last + 1 < len(nb.cells) and is_check(nb.cells[last + 1])]


def recording_source(source: str, key: str) -> str:
    """The cell as executed for recording: the same code, its check calls named ``key``."""
    return RECORD_PREFIX.format(key=key) + source


def read_records(path: Path) -> dict[str, list[dict]]:
    """key -> the recorded check calls of that cell, in the order they ran."""
    found: dict[str, list[dict]] = {}
    if not Path(path).is_file():
        return found
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        found.setdefault(entry["key"], []).append(entry)
    return found


def _exercise_label(nb, index: int) -> str:
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown" and "{exercise}" in cell.source and ":label:" in cell.source:
            return cell.source.split(":label:", 1)[1].split()[0]
    return f"cell {index}"


def _spec_literal(spec: str, indent: str) -> str:
    chunks = textwrap.wrap(spec, 76)
    if len(chunks) == 1:
        return repr(spec)
    inner = "\n".join(f"{indent}    {c!r}" for c in chunks)
    return f"(\n{inner}\n{indent})"


def student_source(source: str, records: list[dict], label: str) -> str:
    """The check cell of the notebook edition: one ``checks.check_exercise`` per check call.

    ``records``: the calls recorded when the cell ran (the last run if it ran more than once:
    they are matched to the calls by position, and each call must have run exactly once).
    """
    offset = RECORD_PREFIX.count("\n")
    tree = ast.parse(source)
    calls = check_calls(tree)
    by_position: dict[tuple[int, int], dict] = {}
    for entry in records:
        if "error" in entry:
            raise EditionError(f"{label}: a check argument cannot be recorded: {entry['error']}")
        by_position[(entry["line"] - offset, entry["col"])] = entry  # a later run replaces an earlier one
    if len(by_position) != len(calls) or set(by_position) != {(c.lineno, c.col_offset) for c in calls}:
        raise EditionError(f"{label}: the check calls of the cell did not each run once when recorded "
                           f"({len(by_position)} recorded, {len(calls)} in the cell)")
    lines = source.splitlines(keepends=True)

    def offset_of(line, col):
        return sum(len(x) for x in lines[:line - 1]) + len(lines[line - 1].encode("utf-8")[:col].decode("utf-8"))

    def text(node):
        return ast.get_source_segment(source, node)

    # statements to keep: those with a check call, and those defining names their answers need
    keep, needed = [], set()
    for stmt in reversed(tree.body):
        has_call = any(n in calls for n in ast.walk(stmt))
        defines = {t.id for n in ast.walk(stmt) if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                   for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                   for t in ast.walk(t) if isinstance(t, ast.Name)}
        if has_call or defines & needed:
            keep.append(stmt)
            if has_call:
                for call in (n for n in ast.walk(stmt) if n in calls):
                    if not call.args:
                        raise EditionError(f"{label}: a check call without the answer as first argument")
                    needed |= {n.id for n in ast.walk(call.args[0]) if isinstance(n, ast.Name)}
            else:
                needed |= {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    keep.reverse()
    out = []
    for stmt in keep:
        start = offset_of(stmt.lineno, stmt.col_offset)
        piece, cursor = [], start
        inner = sorted((n for n in ast.walk(stmt) if n in calls), key=lambda n: (n.lineno, n.col_offset))
        for call in inner:
            if any(other is not call and (other.lineno, other.col_offset) < (call.lineno, call.col_offset)
                   and (call.end_lineno, call.end_col_offset) <= (other.end_lineno, other.end_col_offset)
                   for other in inner):
                raise EditionError(f"{label}: a check call inside another check call")
            c0 = offset_of(call.lineno, call.col_offset)
            c1 = offset_of(call.end_lineno, call.end_col_offset)
            recorded = by_position[(call.lineno, call.col_offset)]["call"]
            try:  # what check_exercise will decode in the student's kernel
                [checks._decode(a, {}) for a in recorded["args"]]
                {k: checks._decode(v, {}) for k, v in recorded["kwargs"].items()}
            except Exception as err:
                raise EditionError(f"{label}: a recorded check argument does not decode: {err}") from err
            spec = checks.encode_spec(recorded)
            answer = text(call.args[0])
            piece.append(source[cursor:c0])
            piece.append(f"checks.check_exercise({label!r}, {answer}, spec={_spec_literal(spec, '')})")
            cursor = c1
        piece.append(source[cursor:offset_of(stmt.end_lineno, stmt.end_col_offset)])
        out.append("".join(piece))
    return "\n".join(out)


def record(nb, workdir: Path, key_prefix: str = "", timeout: int = 300) -> dict[str, list[dict]]:
    """Execute ``nb`` (not changed) in ``workdir`` with every check cell recorded: cell id -> calls."""
    from nbclient import NotebookClient

    run = nbformat.from_dict(json.loads(json.dumps(nb)))
    for i in check_cells(run):
        cell = run.cells[i]
        cell.source = recording_source(cell.source, key_prefix + cell.get("id", str(i)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "checks.jsonl"
        saved = os.environ.get(checks.RECORD_ENV)
        os.environ[checks.RECORD_ENV] = str(path)
        try:
            NotebookClient(run, timeout=timeout, resources={"metadata": {"path": str(workdir)}}).execute()
        except Exception as err:
            raise EditionError(f"recording the checks: the chapter did not run: {err}") from err
        finally:
            if saved is None:
                os.environ.pop(checks.RECORD_ENV, None)
            else:
                os.environ[checks.RECORD_ENV] = saved
        found = read_records(path)
    return {key.removeprefix(key_prefix): entries for key, entries in found.items()}


def cache_path(nb, stem: str, cache_dir: Path, data_dir: Path) -> Path:
    """Where the records of chapter ``stem`` are cached: a key of its code, the library and the data.

    The key hashes the code cells' sources, the library's modules the chapter imports
    (``alliances/*.py``, ``alliances/research/*.py``) and the data (``cache.data_fingerprint``),
    so a change to any of them makes the cached records stale: no check of the edition can hold
    an expected value computed from old code or data.
    """
    import hashlib

    from . import cache

    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode() + b"\0")
    package = Path(checks.__file__).parent  # the library the chapter imports (checks, data, ...)
    for module in sorted([*package.glob("*.py"), *package.glob("research/*.py")]):
        h.update(module.read_bytes())
    if (Path(data_dir) / "datapackage.json").is_file():
        h.update(cache.data_fingerprint(data_dir).encode())
    return Path(cache_dir) / f"{stem}-{h.hexdigest()[:16]}.json"


def cached(path: Path) -> dict[str, list[dict]] | None:
    """The records stored at ``path`` (:func:`cache_path`), or None."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def store(path: Path, records: dict[str, list[dict]]) -> None:
    """Store ``records`` at ``path`` (:func:`cache_path`), replacing the chapter's older records."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.stem.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{stem}-*.json"):
        if old.stem.rsplit("-", 1)[0] == stem:
            old.unlink()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records), encoding="utf-8")
    tmp.replace(path)


def rewrite(nb, records: dict[str, list[dict]]) -> int:
    """Replace, in place, each check cell of ``nb`` by its notebook-edition form; return how many."""
    done = 0
    for i in check_cells(nb):
        cell = nb.cells[i]
        key = cell.get("id", str(i))
        cell.source = student_source(cell.source, records.get(key, []), _exercise_label(nb, i))
        done += 1
    return done
