"""From an LMS download to grades: generated Canvas and Moodle exports of a small class (on time,
late, resubmitted, a zip in the zip, unmappable, group and hostile entries) collect to the expected
mapping and grade to the expected gradebook; hostile archives are refused with the reason.

Each export is built here (``hostile.ARCHIVE_ATTACKS`` lists the hostile members); grading reuses
two notebooks (the answer key: 5 points; the blank student version: 0, "not answered").
"""

import csv
import io
import os
import stat
import tarfile
import zipfile

import nbformat
import pytest

from alliances.__main__ import main
from alliances.grading import archives, intake, release
from alliances.grading.batch import grade
from alliances.grading.spreadsheet import restore

import hostile
from helpers import FIXTURES

FIXTURE = FIXTURES / "problem-set-demo.ipynb"
SET = hostile.SET
KEY = nbformat.writes(release.answer_key(nbformat.read(FIXTURE, as_version=4))).encode()
BLANK = nbformat.writes(release.student_version(nbformat.read(FIXTURE, as_version=4))).encode()
ROSTER = ("folder,name,id,sis_user_id,sis_login_id,section,email,participant,group\n"
          "ann,\"Lee, Ann\",101,S1,ann,A,ann@example.edu,5001,\n"
          "bob,\"Roe, Bob\",102,S2,bob,A,bob@example.edu,,\n"
          "cy,\"Yu, Cy\",103,S3,cy,A,cy@example.edu,,\n"
          "dee,\"Day, Dee\",104,S4,dee,A,dee@example.edu,,\n"
          "eve,\"Eve, Eva\",105,S5,eve,A,eve@example.edu,,\n"
          "fay,\"Fay, Flo\",106,S6,fay,A,fay@example.edu,,Team Red\n"
          "gus,\"Gus, Gil\",107,S7,gus,A,gus@example.edu,,Team Red\n"
          "=cmd|' -C calc'!A0,\"=HYPERLINK(\"\"x\"\")\",108,S8,hal,A,hal@example.edu,,\n")


def zinfo(name, mode=0o644, date=(2026, 12, 1, 12, 0, 0)):
    info = zipfile.ZipInfo(name, date_time=date)
    info.external_attr = (mode & 0xFFFF) << 16 | (stat.S_IFREG if stat.S_IFMT(mode) == 0 else 0) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def zipped(entries) -> bytes:
    """A zip of (name, bytes, mode, date) entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data, *rest in entries:
            z.writestr(zinfo(name, *rest), data)
    return buffer.getvalue()


LINK = stat.S_IFLNK | 0o777
BOMB = b"{" + b" " * (60 * 1024 ** 2) + b"}"  # 60 MB of a notebook's worth of spaces: compresses 1000 to 1


def canvas_export(path):
    entries = [
        ("leeann_101_5001_problem-set-demo.ipynb", KEY),                     # on time
        ("roebob_LATE_102_5002_problem-set-demo.ipynb", BLANK),               # late
        ("yucy_103_5003_problem-set-demo.ipynb", BLANK),                      # resubmitted: superseded
        ("yucy_103_5010_problem-set-demo-1.ipynb", KEY),
        ("dayde_104_5004_work.zip", zipped([("work/problem-set-demo.ipynb", KEY)])),  # a zip in the zip
        ("eveeva_105_5005_problem-set-demo.ipynb", b"/etc/passwd", LINK),     # a link
        ("fayflo_106_5006_problem-set-demo.ipynb", BOMB),                     # a bomb
        ("gusgil_107_5007_sub.zip", zipped([("../../problem-set-demo.ipynb", KEY)])),  # climbs out
        ("zedzed_999_5099_problem-set-demo.ipynb", KEY),                      # not in the roster
        ("leeann_101_5001_notes.txt", b"my notes"),
    ]
    path.write_bytes(zipped(entries))


def moodle_export(path):
    entries = [
        ("Ann Lee_5001_assignsubmission_file_/problem-set-demo.ipynb", KEY),  # the participant id
        ("Bob Roe_5002_assignsubmission_file_/problem-set-demo.ipynb", BLANK),  # the name
        ("Cy Yu_5003_assignsubmission_file_/problem-set-demo.ipynb", BLANK, 0o644, (2026, 12, 1, 9, 0, 0)),
        ("Cy Yu_5003_assignsubmission_file_/problem-set-demo (2).ipynb", KEY, 0o644, (2026, 12, 1, 10, 0, 0)),
        ("Dee Day_5004_assignsubmission_file_/nested.zip", zipped([("a.zip", zipped([("x.ipynb", KEY)]))])),
        ("Eva Eve_5005_assignsubmission_file_/problem-set-demo.ipynb", b"/work", LINK),
        ("Team Red_77_assignsubmission_file_/problem-set-demo.ipynb", KEY),   # a team submission
        ("Nobody Known_5099_assignsubmission_file_/problem-set-demo.ipynb", KEY),
        ("/etc/problem-set-demo.ipynb", KEY),                                # an absolute path
        ("Ann Lee_5001_assignsubmission_onlinetext_/onlinetext.html", b"<p>hi</p>"),
    ]
    path.write_bytes(zipped(entries))


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("lms")
    (root / "exercises").mkdir()
    (root / "exercises" / f"{SET}.ipynb").write_bytes(FIXTURE.read_bytes())
    (root / "roster.csv").write_text(ROSTER)
    return root


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def decisions(rows):
    """{(student, source): (late, decision)}, as written (neutralised cells restored)."""
    return {(restore(r["student"]), r["source"]): (r["late"], r["decision"]) for r in rows}


def test_canvas_download_to_canvas_gradebook_in_one_command(setup, capsys):
    """The instructor's one command, in the real sandbox (the refused entries never run)."""
    export = setup / "submissions.zip"
    canvas_export(export)
    before = export.read_bytes()
    out = setup / "canvas-grades"
    assert main(["grade", str(export), "--lms", "canvas", "--set", SET, "--roster", str(setup / "roster.csv"),
                 "--source", str(setup / "exercises"), "--out", str(out), "--format", "canvas", "--timeout", "10",
                 "--jobs", "2"]) == 0, capsys.readouterr().err
    said = capsys.readouterr().out
    assert "Collected 4 notebook(s) (1 late); 3 refused, 1 unmapped, 1 superseded, 1 not submitted" in said
    assert export.read_bytes() == before
    got = decisions(read(out / "mapping.csv"))
    bomb = got[("fay", "fayflo_106_5006_problem-set-demo.ipynb")]
    assert bomb[1].startswith("refused: compressed") and "zip bomb" in bomb[1]
    assert got == {
        ("ann", "leeann_101_5001_problem-set-demo.ipynb"): ("on time (Canvas)", "graded"),
        ("ann", "leeann_101_5001_notes.txt"): ("on time (Canvas)", "ignored: not a notebook"),
        ("bob", "roebob_LATE_102_5002_problem-set-demo.ipynb"): ("late (Canvas: LATE)", "graded"),
        ("cy", "yucy_103_5010_problem-set-demo-1.ipynb"): ("on time (Canvas)", "graded; the same file as ann's"),
        ("cy", "yucy_103_5003_problem-set-demo.ipynb"): (
            "on time (Canvas)", "superseded by yucy_103_5010_problem-set-demo-1.ipynb"),
        ("dee", "dayde_104_5004_work.zip/work/problem-set-demo.ipynb"): ("on time (Canvas)",
                                                                         "graded; the same file as ann's"),
        ("eve", "eveeva_105_5005_problem-set-demo.ipynb"): ("on time (Canvas)", "refused: a symbolic link"),
        ("fay", "fayflo_106_5006_problem-set-demo.ipynb"): bomb,
        ("gus", "gusgil_107_5007_sub.zip/../../problem-set-demo.ipynb"): (
            "on time (Canvas)", "refused: a path that climbs out of the archive (..)"),
        ("", "zedzed_999_5099_problem-set-demo.ipynb"): (
            "on time (Canvas)", "unmapped: no single roster student with id 999 or name 'zedzed'"),
        ("=cmd|' -C calc'!A0", ""): ("", "not submitted"),
    }
    book = read(out / "gradebook-canvas.csv")
    assert book[0]["Student"] == "Points Possible" and book[0][SET] == "5"
    points = {r["ID"]: r[SET] for r in book[1:]}
    assert points == {"101": "5", "102": "0", "103": "5", "104": "5", "105": "0", "106": "0", "107": "0", "108": "0"}
    assert {r["Student"] for r in book} >= {"Lee, Ann", "'=HYPERLINK(\"x\")"}  # neutralised, name kept
    grades = {(r["student"], r["exercise"]): (r["points"], r["reason"]) for r in read(out / "grades.csv")}
    assert grades[("eve", "ex1")] == ("0", "refused: a symbolic link")
    assert grades[("gus", "ex2")] == ("0", "refused: a path that climbs out of the archive (..)")
    assert grades[("bob", "ex1")] == ("0", "not answered")
    text = (out / "report.html").read_text()
    assert all(part in text for part in ("<h2>problem-set-demo</h2>", "data:image/png;base64,", 'alt="problem-set-demo',
                                          "right (full points)", "Most frequent mistakes", "refused: a symbolic link"))


def test_moodle_download_collects_and_grades(setup):
    export = setup / "moodle.zip"
    moodle_export(export)
    subs = setup / "moodle-subs"
    rows = intake.collect(export, "moodle", setup / "roster.csv", SET, subs)
    got = decisions(rows)
    late = "not recorded (Moodle)"
    assert got[("ann", "Ann Lee_5001_assignsubmission_file_/problem-set-demo.ipynb")] == (late, "graded")
    assert got[("cy", "Cy Yu_5003_assignsubmission_file_/problem-set-demo (2).ipynb")][1].startswith("graded")
    assert got[("cy", "Cy Yu_5003_assignsubmission_file_/problem-set-demo.ipynb")][1].startswith("superseded")
    assert got[("dee", "Dee Day_5004_assignsubmission_file_/nested.zip/a.zip")] == (
        late, "refused: an archive nested deeper than 2 levels")
    assert got[("eve", "Eva Eve_5005_assignsubmission_file_/problem-set-demo.ipynb")] == (late, "refused: a symbolic link")
    assert got[("fay", "Team Red_77_assignsubmission_file_/problem-set-demo.ipynb")][1].startswith("graded; group Team Red")
    assert got[("gus", "Team Red_77_assignsubmission_file_/problem-set-demo.ipynb")][1].startswith("graded; group Team Red")
    assert got[("", "etc/problem-set-demo.ipynb")][1] == "refused: an absolute path"
    assert got[("", "Nobody Known_5099_assignsubmission_file_/problem-set-demo.ipynb")][1].startswith("unmapped")
    assert (subs / "mapping.csv").is_file()
    graded = grade(subs, setup / "exercises", setup / "moodle-grades", timeout=10, jobs=2, trusted=True,
                   roster=setup / "roster.csv", fmt="moodle")
    assert {r["student"] for r in graded} == {"ann", "bob", "cy", "dee", "eve", "fay", "gus", "=cmd|' -C calc'!A0"}
    book = {r["Email address"]: r[SET] for r in read(setup / "moodle-grades" / "gradebook-moodle.csv")}
    assert book == {"ann@example.edu": "5", "bob@example.edu": "0", "cy@example.edu": "5", "dee@example.edu": "0",
                    "eve@example.edu": "0", "fay@example.edu": "5", "gus@example.edu": "5", "hal@example.edu": "0"}


def test_collect_refuses_to_overwrite_a_folder_it_did_not_write(setup, tmp_path):
    export = tmp_path / "moodle.zip"
    moodle_export(export)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError, match="not empty"):
        intake.collect(export, "moodle", setup / "roster.csv", SET, tmp_path / "mine", force=True)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def tar_bytes(members) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def tarinfo(name, kind=tarfile.REGTYPE, data=b"", link=""):
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, len(data) if kind == tarfile.REGTYPE else 0, link
    return info, data if kind == tarfile.REGTYPE else None


@pytest.mark.parametrize("attack", sorted(hostile.ARCHIVE_ATTACKS))
def test_hostile_archive_member_is_refused_with_the_reason(attack, tmp_path):
    kind, build, reason = hostile.ARCHIVE_ATTACKS[attack]
    path = tmp_path / ("export.tar.gz" if kind == "tar" else "export.zip")
    entries = build()
    path.write_bytes(tar_bytes([tarinfo(*e) for e in entries]) if kind == "tar" else zipped(entries))
    before = path.read_bytes()
    found = archives.members(path)
    refused = [m.refused for m in found if m.refused]
    assert refused and refused[0].startswith(reason), found
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == [path.name]


def test_too_many_files_is_refused_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_FILES", 3)
    path = tmp_path / "many.zip"
    path.write_bytes(zipped([(f"s_1_{i}_x.ipynb", KEY) for i in range(4)]))
    with pytest.raises(archives.ArchiveRefused, match="more than 3 files"):
        archives.members(path)


def test_folder_export_refuses_links_and_fifos(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "leeann_101_1_a.ipynb").write_bytes(KEY)
    (tmp_path / "export" / "roebob_102_2_a.ipynb").symlink_to(tmp_path / "export" / "leeann_101_1_a.ipynb")
    os.mkfifo(tmp_path / "export" / "yucy_103_3_a.ipynb")
    found = {m.path[-1]: (m.data is not None, m.refused) for m in archives.members(tmp_path / "export")}
    assert found == {"leeann_101_1_a.ipynb": (True, None),
                     "roebob_102_2_a.ipynb": (False, "refused: a symbolic link"),
                     "yucy_103_3_a.ipynb": (False, "refused: a FIFO (named pipe)")}


def test_collect_command_and_keep_all(setup, tmp_path, capsys):
    export = tmp_path / "canvas.zip"
    canvas_export(export)
    assert main(["collect", str(export), "--lms", "canvas", "--set", SET, "--roster", str(setup / "roster.csv"),
                 "--out", str(tmp_path / "subs"), "--keep", "all"]) == 0, capsys.readouterr().err
    assert "check " + str(tmp_path / "subs") + "/mapping.csv" in capsys.readouterr().out
    assert (tmp_path / "subs" / "cy" / f"{SET}.ipynb").read_bytes() == KEY
    assert (tmp_path / "subs" / ".all" / "cy" / f"1-{SET}.ipynb").read_bytes() == BLANK
    assert (tmp_path / "subs" / "eve" / f"{SET}.ipynb.refused").read_text() == "refused: a symbolic link\n"
    assert sorted(p.name for p in (tmp_path / "subs").iterdir() if p.is_dir()) == [
        ".all", "=cmd|' -C calc'!A0", "ann", "bob", "cy", "dee", "eve", "fay", "gus"]
    assert main(["collect", str(export), "--lms", "canvas", "--set", "../x", "--roster", str(setup / "roster.csv"),
                 "--out", str(tmp_path / "other")]) == 1
    assert "not a problem set name" in capsys.readouterr().err


def test_one_students_zip_cannot_use_up_the_others_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_FILE", 2000)
    monkeypatch.setattr(archives, "MAX_NESTED", 2500)
    inner = zipped([(f"x{i}.ipynb", bytes(range(200)) * 4) for i in range(5)])  # 800 bytes each, 4000 in all
    path = tmp_path / "export.zip"
    path.write_bytes(zipped([("a_1_1_big.zip", inner), ("b_2_2_ps.ipynb", b"{}")]))
    found = {archives.posix(m.path): m.refused for m in archives.members(path)}
    assert found["b_2_2_ps.ipynb"] is None
    assert [found[f"a_1_1_big.zip/x{i}.ipynb"] for i in range(5)] == [None, None, None] + [
        "refused: an archive inside the export holds over 2,500 bytes"] * 2


def test_a_tar_that_unpacks_to_too_much_is_refused(tmp_path, monkeypatch):
    """Stepping over a tar member decompresses it: the declared sizes are bounded, not only what is read."""
    monkeypatch.setattr(archives, "MAX_NESTED", 3000)
    inner = tar_bytes([tarinfo(f"a{i}.txt", tarfile.REGTYPE, bytes(1000)) for i in range(4)])
    path = tmp_path / "export.zip"
    path.write_bytes(zipped([("a_1_1_work.tar.gz", inner)]))
    assert [m.refused for m in archives.members(path)] == ["refused: it unpacks to more than 3,000 bytes"]
