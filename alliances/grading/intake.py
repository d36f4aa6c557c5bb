"""Collect the submissions of one problem set from an LMS download into ``SUBMISSIONS/<student>/<set>.ipynb``.

    python -m alliances collect EXPORT --lms canvas|moodle --roster ROSTER.csv --set SET --out SUBMISSIONS
    python -m alliances grade EXPORT --lms canvas|moodle --roster ROSTER.csv --set SET [--format canvas]

``collect(export, lms, roster, set_name, out_dir)`` reads the export (a .zip, .tar or a folder) as
untrusted input through ``archives.members`` (nothing extracted, links, climbing paths, devices and
bombs refused), maps each file to a student through the roster (``gradebook._read_roster``, the
roster the gradebook reads: its ``folder`` column names the student), writes the chosen notebook
of each student as ``out_dir/<folder>/<set>.ipynb`` and writes ``mapping.csv`` (student, source,
submitted, late, decision) for the instructor to check. Every roster student gets a folder (an
empty one grades as "not submitted"). A student whose chosen file was refused gets
``<set>.ipynb.refused`` holding the reason: the batch scores it 0 with that reason.

The download formats, as read here:

- **Canvas**, Assignments > "Download Submissions": one zip of flat files named
  ``sortablename_[LATE_]userid_fileid_originalname``: the sortable name lower-cased without
  punctuation ("leeann" for "Lee, Ann"), ``LATE`` when Canvas marked the submission late, the
  Canvas user id and a file id; a file uploaded again under the same name gets Canvas's suffix
  ``-1``, ``-2`` (``ps1-1.ipynb``). Matched on the user id (roster column ``id``, the Canvas
  gradebook's ``ID``), else on the sortable name (roster ``name``) when only one student has it.
  Latest: the highest file id, then the highest suffix. Lateness: ``LATE`` in the name. Sources:
  two tools that parse these downloads, read on GitHub: TimHanneman/Canvas_submission_sort
  (``submission_sort.sh``: ``LATE`` as the second field, four fields before the original name when
  late, three otherwise; ``sub_name.awk``: the ``-N`` resubmission number before the extension)
  and mikewesthad/canvas-unzipper (README: ``smithbob_340934_208490284_BobsWork.zip``, several
  files per student). **Not verified against Instructure's own documentation** (none was found),
  so the pattern is parsed leniently: a name, optional LATE, two numbers, the file name.
- **Moodle**, Assignment > "Download all submissions" (Moodle's ``mod/assign/locallib.php``,
  ``download_submissions``, and ``mod/assign/classes/downloader.php``, read in moodle/moodle):
  one folder per submission named ``Full Name_participantid_assignsubmission_file_`` (the
  prefix is the full name with ``_`` replaced by spaces and cleaned for a file name, then the
  assignment's participant id; with "Download submissions in folders" off, files are flat,
  ``Full Name_participantid_assignsubmission_file_originalname``). Blind marking writes
  ``Participant_id``. Matched on the participant id (roster column ``participant``) if the roster
  has it, else on the full name (the same words as roster ``name``, in any order). Lateness: the
  download does not record it ("not recorded"; Moodle's grading table shows it). Latest: the file
  date the zip records.
- **Group submissions**: Moodle names a team submission after the group (``Group name_groupid``,
  older versions ``Group name-Full Name_id``); a Canvas file goes to the member it names (how
  Canvas names a group's files was not verified). With a ``group``
  column in the roster, a file that maps to a group, or to a member of one, is the submission of
  every member of that group who handed in nothing of their own (decision "group submission of
  ..."). Without it, the file goes to the one student it names.

``keep="latest"`` (default) keeps each student's latest notebook; the others are "superseded".
``keep="all"`` also copies the earlier notebooks into ``out_dir/.all/<folder>/1-<set>.ipynb``,
``2-<set>.ipynb``... (oldest first, as in mapping.csv; not graded: the batch skips folders
starting with ".") for a look. No name from the export is ever used for a file written. A file that maps to no roster student is
"unmapped", with what it was matched on; a file that is not a notebook is "ignored".
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from . import archives
from .gradebook import _read_roster
from .spreadsheet import write_csv
from .untrusted import REFUSED

LMS = ("canvas", "moodle")
MAPPING = "mapping.csv"
MAPPING_FIELDS = ["student", "source", "submitted", "late", "decision"]
_MARK = ".collected"  # marks a folder this module wrote (and may replace with force)
CANVAS = re.compile(r"^(?P<name>[^_]*)_(?:(?P<late>late)_)?(?P<user>\d+)_(?P<file_id>\d+)_(?P<file>.+)$", re.I)
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?(?P<file>.*)$")
MOODLE_TEAM = re.compile(r"^(?P<name>.+?)(?:_(?P<pid>\d+))?$")
RESUBMITTED = re.compile(r"-(\d+)\.ipynb$", re.I)


def _letters(text: str) -> str:
    """A Canvas sortable name as in its file names: lower-case letters and digits only."""
    return "".join(c for c in str(text).lower() if c.isalnum())


def _words(text: str) -> str:
    """A full name's words, in any order (Moodle's "Ann Lee" is the roster's "Lee, Ann")."""
    return " ".join(sorted(re.findall(r"\w+", str(text).lower())))


class _Roster:
    def __init__(self, people: dict):
        self.people = people
        self.by = {}
        for folder, row in people.items():
            for key, value in (("id", row.get("id")), ("participant", row.get("participant")),
                               ("letters", _letters(row.get("name", ""))), ("words", _words(row.get("name", "")))):
                if value:
                    self.by.setdefault((key, value.strip() if key in ("id", "participant") else value), []).append(folder)
        self.groups = {}
        for folder, row in people.items():
            if (row.get("group") or "").strip():
                self.groups.setdefault(row["group"].strip(), []).append(folder)

    def one(self, key, value):
        found = self.by.get((key, value), [])
        return found[0] if len(found) == 1 else None

    def group_of(self, folder):
        name = (self.people.get(folder, {}).get("group") or "").strip()
        return name or None

    def group_named(self, text):
        hits = [g for g in self.groups if _words(g) == _words(text)]
        return hits[0] if len(hits) == 1 else None


def _identify(lms: str, path: tuple, roster: _Roster):
    """(students, how matched or why not, late, order) of a member's path."""
    top = path[0]
    if lms == "canvas":
        m = CANVAS.match(top)
        if not m:
            return [], "unmapped: not a Canvas submission file name", "", ()
        late = "late (Canvas: LATE)" if m["late"] else "on time (Canvas)"
        resub = RESUBMITTED.search(path[-1])
        order = (int(m["file_id"]), int(resub.group(1)) if resub else 0)
        folder = roster.one("id", m["user"]) or roster.one("letters", _letters(m["name"]))
        if folder is None:
            return [], f"unmapped: no single roster student with id {m['user']} or name {m['name']!r}", late, order
        return [folder], "", late, order
    m = MOODLE.match(top)
    late = "not recorded (Moodle)"
    if not m:
        return [], "unmapped: not a Moodle submission folder or file name", late, ()
    name = m["name"]
    folder = (roster.one("participant", m["pid"]) or roster.one("words", _words(name)))
    if folder is not None:
        return [folder], "", late, ()
    group = roster.group_named(name) or (roster.group_named(name.split("-", 1)[0]) if "-" in name else None)
    if group is not None:
        return list(roster.groups[group]), f"group {group}", late, ()
    return [], f"unmapped: no single roster student with participant id {m['pid']} or name {name!r}", late, ()


def _date(member) -> str:
    d = member.date
    return "" if not d else f"{d[0]:04d}-{d[1]:02d}-{d[2]:02d} {d[3]:02d}:{d[4]:02d}:{d[5]:02d}"


def collect(export, lms: str, roster, set_name: str, out_dir, keep: str = "latest", mapping=None,
            force: bool = False) -> list[dict]:
    """Collect ``set_name`` from the ``lms`` export into ``out_dir``; write and return the mapping rows."""
    if lms not in LMS:
        raise ValueError(f"Unknown LMS {lms!r} (canvas or moodle).")
    if keep not in ("latest", "all"):
        raise ValueError(f"--keep is latest or all, not {keep!r}.")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", set_name or ""):
        raise ValueError(f"--set {set_name!r} is not a problem set name (e.g. ps1-foundations).")
    if roster is None:
        raise ValueError("Collecting from an LMS needs --roster (a CSV with a 'folder' column and the LMS identifiers).")
    people = _Roster(_read_roster(roster))
    for folder in people.people:  # each becomes a folder name: one plain path component
        if (not folder or folder in (".", "..") or folder.startswith(".") or any(c in folder for c in "/\\\0")
                or len(folder.encode("utf-8")) > 200):
            raise ValueError(f"The roster's folder {folder!r} is not a folder name (no /, \\, leading '.', at most "
                             "200 bytes).")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        if not (force and (out / _MARK).is_file()):
            raise FileExistsError(f"{out} is not empty; collect into a new folder"
                                  + (" (--force replaces only a folder collect wrote)." if force else "."))
        shutil.rmtree(out)
    members = archives.members(export)
    rows = []
    candidates: dict = {}  # folder -> [(order, member, late, how)]
    for member in members:
        source = archives.posix(member.path)
        students, how, late, order = _identify(lms, member.path, people)
        notebook = member.path[-1].lower().endswith(archives.NOTEBOOK)
        if not students:
            rows.append(["", source, _date(member), late, member.refused or how])
            continue
        if member.refused is None and not notebook:
            rows.append([students[0] if len(students) == 1 else "", source, _date(member), late,
                         "ignored: not a notebook"])
            continue
        if member.refused is not None and not (notebook or archives._is_archive(member.path[-1])
                                               or archives._is_archive(member.path[0])):
            rows.append([students[0] if len(students) == 1 else "", source, _date(member), late, member.refused])
            continue
        for folder in students:
            candidates.setdefault(folder, []).append(((order, member.date or ()), member, late, how))
    own = {f for f, cs in candidates.items() if any(not how for *_, how in cs)}
    for folder in list(candidates):  # a member's own submission wins over the group's, else the group's
        group = people.group_of(folder)
        mates = [m for m in people.groups.get(group, []) if m != folder] if group else []
        for mate in mates:
            if mate not in own and folder in own:
                candidates.setdefault(mate, []).extend(
                    (o, m, late, f"group submission of {folder}") for o, m, late, how in candidates[folder] if not how)
    digests: dict = {}
    out.mkdir(parents=True, exist_ok=True)
    (out / _MARK).write_text("written by python -m alliances collect\n", encoding="utf-8")
    for folder in sorted(people.people):
        (out / folder).mkdir(parents=True, exist_ok=True)
        mine = sorted(candidates.get(folder, []), key=lambda c: c[0])
        if not mine:
            rows.append([folder, "", "", "", "not submitted"])
            continue
        *earlier, (order, best, late, how) = mine
        note = f"; {how}" if how else ""
        if best.refused is not None:
            (out / folder / f"{set_name}.ipynb{REFUSED}").write_text(best.refused + "\n", encoding="utf-8")
            decision = best.refused + note
        else:
            (out / folder / f"{set_name}.ipynb").write_bytes(best.data)
            decision = "graded" + note
            digest = hashlib.sha256(best.data).hexdigest()
            twin = digests.get(digest)
            if twin is not None and (people.group_of(twin) is None or people.group_of(twin) != people.group_of(folder)):
                decision += f"; the same file as {twin}'s"
            digests.setdefault(digest, folder)
        rows.append([folder, archives.posix(best.path), _date(best), late, decision])
        for i, (_, member, late_, how_) in enumerate(earlier):
            if keep == "all" and member.data is not None:
                copy = out / ".all" / folder / f"{i + 1}-{set_name}.ipynb"  # never a name from the archive
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_bytes(member.data)
            rows.append([folder, archives.posix(member.path), _date(member), late_,
                         f"superseded by {archives.posix(best.path)}" + (f"; {how_}" if how_ else "")])
    where = Path(mapping) if mapping is not None else out / MAPPING
    write_csv(where, MAPPING_FIELDS, rows)
    return [dict(zip(MAPPING_FIELDS, r)) for r in rows]
