"""The gradebook: grades.csv, the plain, Canvas or Moodle gradebook and feedback, from kept results
and hand-graded points (``manual-grades.csv``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from . import paths
from .spreadsheet import restore, write_csv

FIELDS = ["student", "set", "exercise", "points", "max_points", "reason"]


def _points(x):
    return x if x == "" or float(x) != int(x) else int(x)


def _write_csv(path: Path, header, rows) -> None:
    """Write a CSV atomically, formula cells neutralised (``spreadsheet.write_csv``)."""
    write_csv(path, header, rows)


def _load_results(out: Path) -> dict:
    found = {}
    for path in sorted((out / paths.RESULTS).glob("*/*.json")):
        found[path.parent.name, path.stem] = json.loads(path.read_text(encoding="utf-8"))["rows"]
    if not found:
        raise FileNotFoundError(f"There are no graded submissions in {out} (run 'python -m alliances grade' first).")
    return found


def _manual_template(out: Path) -> None:
    """``manual-grades.csv``: one row per hand-graded exercise of each submission, points blank."""
    path = out / paths.MANUAL
    if path.exists():
        return
    rows = [[s, n, e, "", m, ""] for (s, n), result in sorted(_load_results(out).items())
            for e, p, m, why in result if why == "graded by hand"]
    if rows:
        _write_csv(path, ["student", "set", "exercise", "points", "max_points", "comment"], rows)


def _manual(out: Path, results: dict) -> dict:
    """Hand-graded points from ``manual-grades.csv``: {(student, set, exercise): (points, comment)}."""
    path, found = out / paths.MANUAL, {}
    if not path.exists():
        return found
    with open(path, newline="", encoding="utf-8-sig") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            key = tuple(restore(row.get(k) or "") for k in ("student", "set", "exercise"))
            text = (row.get("points") or "").strip()
            if not text:
                continue
            rows = {r[0]: r for r in results.get(key[:2], [])}
            if key[2] not in rows or rows[key[2]][3] != "graded by hand":
                raise ValueError(f"{path}, line {n}: {key[0]} / {key[1]} has no hand-graded exercise {key[2]!r}.")
            try:
                points = float(text)
            except ValueError:
                raise ValueError(f"{path}, line {n}: points {text!r} is not a number.") from None
            if not 0 <= points <= float(rows[key[2]][2]):
                raise ValueError(f"{path}, line {n}: {points:g} points is outside 0 to {rows[key[2]][2]}.")
            found[key] = (_points(points), restore((row.get("comment") or "").strip()))
    return found


def _roster_rows(path) -> list[dict]:
    """The rows of the roster ``path``; ValueError if it has no ``folder`` column."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "folder" not in (reader.fieldnames or []):
            raise ValueError(f"The roster {path} needs a 'folder' column (the submission folder of each student).")
        return list(reader)


def _read_roster(path) -> dict:
    return {} if path is None else {row["folder"]: row for row in _roster_rows(path)}


def roster_folders(path) -> list[str]:
    """The submission folders (``folder`` column) of the roster ``path``: each a plain folder name, once.

    ValueError names every bad row. Per-student variants are drawn for these names.
    """
    folders = [(n, (row.get("folder") or "").strip()) for n, row in enumerate(_roster_rows(path), start=2)]
    problems, seen = [], {}
    for n, folder in folders:
        if not folder or folder in (".", "..") or any(c in folder for c in "/\\\0"):
            problems.append(f"line {n}: {folder!r} is not a folder name")
        elif folder in seen:
            problems.append(f"line {n}: the folder {folder!r} is also on line {seen[folder]}")
        seen.setdefault(folder, n)
    if problems:
        raise ValueError(f"The roster {path}: " + "; ".join(problems) + ".")
    if not folders:
        raise ValueError(f"The roster {path} has no students.")
    return [folder for _, folder in folders]


# Canvas: "Student", "ID", "SIS User ID", "SIS Login ID", "Section", then one column per assignment;
# a second row "Points Possible" gives the maxima (Canvas gradebook CSV import, as described in
# e.g. https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades).
CANVAS = [("Student", "name"), ("ID", "id"), ("SIS User ID", "sis_user_id"), ("SIS Login ID", "sis_login_id"),
          ("Section", "section")]

# Moodle: a column that identifies the user (email address, ID number or username; chosen under
# "Identify user by" / "Map from" at import) and one column per grade item
# (https://docs.moodle.org/311/en/Grade_import).
MOODLE = [("Email address", "email"), ("ID number", "idnumber"), ("Username", "username")]


def gradebook(out_dir="grades", roster=None, fmt: str = "plain"):
    """Recompute ``grades.csv``, ``gradebook.csv`` and feedback from kept results and hand grades.

    ``fmt``: "plain" (student, roster columns, one column per set, total, pending), "canvas" or
    "moodle" (what those import; needs ``roster``, a CSV with a ``folder`` column and the LMS
    identifiers: name, id, sis_user_id, sis_login_id, section for Canvas; email, idnumber or
    username for Moodle). Returns the rows of grades.csv as dicts.
    """
    out = Path(out_dir)
    results = _load_results(out)
    hand = _manual(out, results)
    people = _read_roster(roster)
    rows, sets, maxima = [], sorted({n for _, n in results}), {}
    totals: dict = {}
    for (student, name), result in sorted(results.items()):
        final = []
        for e, p, m, why in result:
            if (student, name, e) in hand:
                p, note = hand[student, name, e]
                why = "graded by hand" + (f": {note}" if note else "")
            final.append((e, p, m, why))
        rows += [dict(zip(FIELDS, (student, name, e, _points(p), _points(m), why))) for e, p, m, why in final]
        maxima[name] = max(maxima.get(name, 0), sum(float(r[2]) for r in final))
        earned = sum(float(r[1]) for r in final if r[1] != "")
        pending = sum(float(r[2]) for r in final if r[1] == "")
        totals.setdefault(student, {})[name] = (earned, pending)
        note = paths.feedback_file(out, student, name)
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(_feedback(student, name, final), encoding="utf-8")
    _write_csv(out / paths.GRADES, FIELDS, [[r[k] for k in FIELDS] for r in rows])
    students = sorted(totals)
    if fmt == "plain":
        extra = sorted({k for row in people.values() for k in row if k != "folder"})
        table = [[s, *(people.get(s, {}).get(k, "") for k in extra),
                  *(_points(totals[s].get(n, (0, 0))[0]) for n in sets),
                  _points(sum(v[0] for v in totals[s].values())), _points(sum(v[1] for v in totals[s].values()))]
                 for s in students]
        _write_csv(paths.gradebook_file(out), ["student", *extra, *sets, "total", "pending"], table)
        return rows
    spec = {"canvas": CANVAS, "moodle": MOODLE}.get(fmt)
    if spec is None:
        raise ValueError(f"Unknown gradebook format {fmt!r} (plain, canvas or moodle).")
    if not people:
        raise ValueError(f"--format {fmt} needs --roster (a CSV with a 'folder' column and the {fmt.title()} identifiers).")
    missing = [s for s in students if s not in people]
    if missing:
        raise ValueError(f"The roster has no row for: {', '.join(missing[:10])}.")
    have = [(label, key) for label, key in spec if any(people[s].get(key) for s in students)]
    if fmt == "moodle":
        have = have[:1]
    if not have:
        raise ValueError(f"The roster has none of the columns {fmt.title()} matches students on: "
                         f"{', '.join(k for _, k in spec)}.")
    header = [label for label, _ in have] + sets
    table = [[people[s].get(k, "") for _, k in have] + [_points(totals[s].get(n, (0, 0))[0]) for n in sets]
             for s in students]
    if fmt == "canvas":
        table.insert(0, ["Points Possible"] + [""] * (len(have) - 1) + [_points(maxima[n]) for n in sets])
    _write_csv(paths.gradebook_file(out, fmt), header, table)
    return rows


def _feedback(student: str, name: str, rows) -> str:
    got = sum(float(r[1]) for r in rows if r[1] != "")
    pending = sum(float(r[2]) for r in rows if r[1] == "")
    total = sum(float(r[2]) for r in rows)
    score = (f"**Score: {_points(got)} / {_points(total)} points**" if not pending else
             f"**Score so far: {_points(got)} points earned, {_points(pending)} points pending hand grading, "
             f"maximum {_points(total)} points**")
    lines = [f"# {name}: feedback for {student}", "", score, "",
             "| exercise | points | result |", "|---|---|---|"]
    lines += [f"| {e} | {'pending' if p == '' else _points(p)} / {_points(m)} | {why.replace('|', '/')} |"
              for e, p, m, why in rows]
    lines += ["", "Only your answer cells were graded; every test cell, including hidden tests, "
              "came from the original problem set."]
    return "\n".join(lines) + "\n"
