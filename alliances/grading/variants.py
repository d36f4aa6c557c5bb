"""Per-student variants: an exercise's parameters, drawn for each student from a course secret.

An author declares a problem set's parameters in the source notebook's metadata, as groups of
records (each record one variant of the group)::

    "alliances": {"variants": {
        "year": [{"year": 1913}, {"year": 1921}, {"year": 1930}],
        "bloc": [{"alliance": "nato", "alliance_name": "NATO"},
                 {"alliance": "warsaw-pact", "alliance_name": "the Warsaw Pact"}]}}

and writes ``{{year}}`` wherever the value goes, in any cell: prompt, hint, answer, visible check,
hidden test (in code, a string value goes inside quotes: ``'{{alliance}}'``). Each student gets
one record of each group, drawn from the student's identifier and a course secret; the fields of
a record go in together, so fields that belong together (an alliance's key and its name) agree.
The first record of each group is the *default variant*: the one the source's tests execute and
the student version has when no roster is given. A notebook without the metadata has no
variants and is released and graded as it is.

Nothing of the other variants reaches a student: ``render`` writes the values in and drops the
declaration. Rendering is plain text substitution; the draw is HMAC-SHA256 of (set, group,
student) under the secret, so it cannot be predicted without the secret and is the same at
release and at grading.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from .markup import MarkupError, exercises

__all__ = ["PLACEHOLDER", "declared", "check", "draw", "values", "label", "render", "parametrised",
           "read_secret", "new_secret"]

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SCALARS = (str, int, float)


def declared(nb) -> dict[str, list[dict]]:
    """The groups of variants the notebook declares (``{}`` if none), unchecked."""
    found = (nb.get("metadata") or {}).get("alliances", {}) or {}
    return found.get("variants") or {} if isinstance(found, dict) else {}


def check(nb, name: str = "notebook") -> dict[str, list[dict]]:
    """The notebook's groups, checked; MarkupError lists every problem.

    Each group is a non-empty list of records with the same field names; a field name is used by
    one group only; values are strings or numbers and records of a group differ; every
    placeholder in a cell is a declared field and every field is used.
    """
    groups, problems, owner = declared(nb), [], {}
    if not isinstance(groups, dict):
        raise MarkupError(f"{name}: metadata alliances.variants must map group names to lists of records.")
    for group, records in groups.items():
        where = f"{name}: variant group {group!r}"
        if not isinstance(records, list) or not records or not all(isinstance(r, dict) and r for r in records):
            problems.append(f"{where} must be a non-empty list of records (objects of field: value).")
            continue
        fields = set(records[0])
        for n, record in enumerate(records, 1):
            if set(record) != fields:
                problems.append(f"{where}: record {n} has the fields {sorted(record)}, the first has {sorted(fields)}.")
            bad = [k for k, v in record.items() if isinstance(v, bool) or not isinstance(v, _SCALARS)]
            if bad:
                problems.append(f"{where}: record {n}: {', '.join(bad)} must be a string or a number.")
        if len({tuple(sorted(map(str, r.items()))) for r in records}) < len(records):
            problems.append(f"{where} has two identical records.")
        for field in fields:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field):
                problems.append(f"{where}: the field name {field!r} is not an identifier.")
            elif field in owner:
                problems.append(f"{where}: the field {field!r} is also a field of group {owner[field]!r}.")
            owner.setdefault(field, group)
    used = set()
    for i, cell in enumerate(nb.cells):
        for field in PLACEHOLDER.findall(cell.source):
            used.add(field)
            if groups and field not in owner:
                problems.append(f"{name}, cell {i + 1}: '{{{{{field}}}}}' is not a declared variant field.")
    problems += [f"{name}: the variant field {f!r} (group {owner[f]!r}) is used in no cell." for f in owner
                 if f not in used]
    if problems:
        raise MarkupError("\n".join(problems))
    return groups


def draw(groups: dict, secret: bytes, student: str, set_name: str) -> dict[str, int]:
    """The record (its index) of each group for ``student`` on ``set_name``, under ``secret``."""
    choice = {}
    for group, records in groups.items():
        message = "\0".join((set_name, group, student)).encode("utf-8")
        digest = hmac.new(secret, message, hashlib.sha256).digest()
        choice[group] = int.from_bytes(digest[:8], "big") % len(records)
    return choice


def values(groups: dict, choice: dict[str, int] | None = None) -> dict:
    """``{field: value}`` of the chosen records (default: the first record of each group)."""
    out = {}
    for group, records in groups.items():
        out.update(records[(choice or {}).get(group, 0)])
    return out


def label(choice: dict[str, int]) -> str:
    """A variant's name, the same for every student who has it: ``v`` and the record numbers."""
    return "v" + "-".join(str(choice[g] + 1) for g in sorted(choice)) if choice else "v"


def render(nb, choice: dict[str, int] | None = None):
    """A copy of ``nb`` with the chosen records' values written in and the declaration dropped.

    ``choice``: the record index per group (``draw``); None is the default variant. A notebook
    without variants comes back as a plain copy.
    """
    groups, new = declared(nb), copy.deepcopy(nb)
    if not groups:
        return new
    fill = values(groups, choice)
    for cell in new.cells:
        cell.source = PLACEHOLDER.sub(lambda m: str(fill[m.group(1)]) if m.group(1) in fill else m.group(0),
                                      cell.source)
    meta = new.metadata.get("alliances")
    if isinstance(meta, dict):
        meta.pop("variants", None)
        if not meta:
            new.metadata.pop("alliances")
    return new


def parametrised(nb, name: str = "notebook") -> dict[str, set[str]]:
    """``{grade_id: fields}`` of the autograded exercises whose cells use a variant field.

    An exercise's cells are those after the previous graded cell, up to its own test cell.
    """
    out, start = {}, 0
    for ex in exercises(nb, name):
        fields = {f for cell in nb.cells[start:ex.index + 1] for f in PLACEHOLDER.findall(cell.source)}
        if not ex.manual and fields:
            out[ex.grade_id] = fields
        start = ex.index + 1
    return out


def read_secret(path) -> bytes:
    """The course secret kept in ``path``; FileNotFoundError or ValueError with what to do."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"There is no course secret {path}: it is written by the first "
                                "'release --roster' and must be the same file when grading.")
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 32:
        raise ValueError(f"The course secret {path} is too short (at least 32 characters).")
    return text.encode("utf-8")


def new_secret(path) -> bytes:
    """Write a new random course secret to ``path`` (readable by its owner only); it must not exist."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_hex(32) + "\n")
    return read_secret(path)
