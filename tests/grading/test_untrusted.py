"""The submissions folder is untrusted: links, devices, FIFOs and hard links are never read (0 points
with the reason, the batch finishes); odd names are graded; every CSV is safe to open.

One small batch in the real sandbox (the refused entries never run; two notebooks do).
"""

import csv
import os
from pathlib import Path

import nbformat
import pytest

from alliances.grading import release, spreadsheet, untrusted
from alliances.grading.batch import grade

import hostile
from helpers import FIXTURES

FIXTURE = FIXTURES / "problem-set-demo.ipynb"
SET = hostile.SET
ODD = ["=HYPERLINK(\"evil.example\",\"click\")", "-2+3", "@SUM(A1:A2)", "\uff1dcmd Zoë Ångström 学生",
       "new\nline\ttab", "'quoted " + "x" * 240]  # formulas, unicode, spaces, a newline, 248 bytes


def lstat_digests(folder):
    """What every entry is and holds, without following links (a FIFO or device is not opened)."""
    import stat
    out = {}
    for dirpath, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            info = os.lstat(p)
            out[p] = (info.st_mode, os.readlink(p) if stat.S_ISLNK(info.st_mode) else
                      Path(p).read_bytes() if stat.S_ISREG(info.st_mode) else None)
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("untrusted")
    source = root / "exercises"
    source.mkdir()
    (source / f"{SET}.ipynb").write_bytes(FIXTURE.read_bytes())
    key = root / "key" / f"{SET}.ipynb"
    key.parent.mkdir()
    nbformat.write(release.answer_key(nbformat.read(FIXTURE, as_version=4)), key)
    subs = root / "submissions"
    subs.mkdir()
    deserve = hostile.write_untrusted(subs, key, root / "elsewhere")
    (subs / "a-good").mkdir()
    (subs / "a-good" / f"{SET}.ipynb").write_bytes(key.read_bytes())
    blank = release.student_version(nbformat.read(FIXTURE, as_version=4))
    for name in ODD:
        (subs / name).mkdir()
        nbformat.write(blank, subs / name / f"{SET}.ipynb")
    (subs / "not-a-student.csv").write_text("a plain file is not a student\n")
    before = lstat_digests(subs)
    rows = grade(subs, source, root / "grades", timeout=10, jobs=2)
    return dict(root=root, subs=subs, out=root / "grades", rows=rows, deserve=deserve, before=before)


def test_untrusted_entries_score_zero_with_the_reason(batch):
    assert len(batch["deserve"]) >= 8, "links, hard links, FIFOs and folders can always be made"
    for student, want in batch["deserve"].items():
        got = {r["exercise"]: (r["points"], r["reason"]) for r in batch["rows"] if r["student"] == student}
        assert got == want, student


def test_real_submissions_still_graded_in_the_sandbox(batch):
    got = {r["exercise"]: (r["points"], r["reason"]) for r in batch["rows"] if r["student"] == "a-good"}
    assert got == {"ex1": (2, "passed"), "ex2": (3, "passed")}


def test_odd_names_are_graded_under_their_own_name(batch):
    for name in ODD:
        got = {r["exercise"]: r["reason"] for r in batch["rows"] if r["student"] == name}
        assert got == {"ex1": "not answered", "ex2": "not answered"}, name
        assert (batch["out"] / "feedback" / name / f"{SET}.md").is_file()
    assert "not-a-student.csv" not in {r["student"] for r in batch["rows"]}


def test_originals_and_links_unchanged(batch):
    assert lstat_digests(batch["subs"]) == batch["before"]


def test_every_csv_cell_is_safe_to_open_and_keeps_the_name(batch):
    written = sorted(batch["out"].glob("*.csv"))
    assert {p.name for p in written} >= {"grades.csv", "gradebook.csv"}
    for path in written:
        with open(path, newline="", encoding="utf-8") as f:
            cells = [c for row in csv.reader(f) for c in row]
        for cell in cells:
            if spreadsheet._NUMBER.fullmatch(cell):
                continue
            assert not cell.lstrip(" ").startswith(spreadsheet.FORMULA), (path.name, cell)
    with open(batch["out"] / "gradebook.csv", newline="", encoding="utf-8") as f:
        names = {spreadsheet.restore(r["student"]) for r in csv.DictReader(f)}
    assert set(ODD) <= names


@pytest.mark.parametrize("cell, written", [
    ("=1+1", "'=1+1"), ("+1", "+1"), ("-2", "-2"), ("-2+3", "'-2+3"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("  =x", "'  =x"), ("\uff1dx", "'\uff1dx"), ("'x", "''x"), ("Ann", "Ann"), ("", ""),
    (3, 3), (-2.5, -2.5), ("1e3", "1e3"), ("-inf", "'-inf")])
def test_neutralise_is_reversible(cell, written):
    assert spreadsheet.neutralise(cell) == written
    if isinstance(cell, str):
        assert spreadsheet.restore(spreadsheet.neutralise(cell)) == cell


def test_read_refuses_a_name_that_is_not_utf8(tmp_path):
    name = os.fsdecode(b"bad\xff")
    (tmp_path / name).mkdir()
    (tmp_path / name / "x.ipynb").write_text("{}")
    students, handed, refused = untrusted.scan(tmp_path)
    assert refused == {name: "refused: the folder name is not valid UTF-8"}
    assert untrusted.display(name) == "bad\\xff"


def test_the_submissions_folder_itself_may_be_a_link(tmp_path):
    """The folder the instructor names is theirs (e.g. /tmp on macOS is a link); only what is inside is refused."""
    (tmp_path / "real" / "ann").mkdir(parents=True)
    (tmp_path / "real" / "ann" / "ps1.ipynb").write_text("{}")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert untrusted.read(tmp_path / "link", "ann", "ps1.ipynb") == b"{}"
    assert untrusted.scan(tmp_path / "link")[1] == {("ann", "ps1"): "ps1.ipynb"}


@pytest.mark.slow  # LibreOffice starts in seconds; tools/provision.sh installs it (Debian's libreoffice-calc-nogui)
def test_libreoffice_opens_every_csv_without_a_formula(batch, tmp_path):
    """The exports opened as a spreadsheet opens them: no cell is a formula, points are numbers.
    A control file with the raw name shows the check sees a formula when there is one."""
    import shutil
    import subprocess
    import openpyxl
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is missing: run `bash tools/provision.sh` (as root), or: "
                    "apt-get install -y --no-install-recommends libreoffice-calc-nogui")
    files = sorted(batch["out"].glob("*.csv"))
    control = tmp_path / "control.csv"
    control.write_text("student,points\n=1+1,3\n", encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path / "xlsx"),
                    *map(str, files), str(control)], check=True, capture_output=True, timeout=300)

    def cells(name):
        sheet = openpyxl.load_workbook(tmp_path / "xlsx" / f"{name}.xlsx").active
        return [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.data_type for c in cells("control")] == ["s", "s", "f", "n"]
    for path in files:
        got = cells(path.stem)
        assert got and not [c.value for c in got if c.data_type == "f"], path.name
    book = cells("gradebook")
    assert {c.value for c in book if c.data_type == "s"} >= {f"'{ODD[0]}", "'-2+3", "'@SUM(A1:A2)"}
    assert all(c.data_type == "n" for c in book if c.column > 1 and c.row > 1)
