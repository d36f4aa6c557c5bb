"""Gradebook files (plain, Canvas, Moodle), hand-graded points and feedback, from kept results.

No grading runs here: the results a batch keeps in ``OUT/.results`` are written directly.
"""

import csv
import json

import pytest

from alliances.grading import gradebook
from alliances.__main__ import main

RESULTS = {
    ("ann", "ps1"): [["ex1", 2, 2, "passed"], ["ex2", 0, 3, "not answered"], ["essay", "", 2, "graded by hand"]],
    ("ann", "ps2"): [["ex1", 4, 4, "passed"]],
    ("bob", "ps1"): [["ex1", 2, 2, "passed"], ["ex2", 3, 3, "passed"], ["essay", "", 2, "graded by hand"]],
    ("bob", "ps2"): [["ex1", 0, 4, "not submitted"]],
}
ROSTER = ("folder,name,id,sis_user_id,sis_login_id,section,email\n"
          "ann,\"Lee, Ann\",101,S1,ann1,Sec A,ann@example.edu\n"
          "bob,\"Roe, Bob\",102,S2,bob2,Sec A,bob@example.edu\n")


@pytest.fixture
def out(tmp_path):
    for (student, name), rows in RESULTS.items():
        path = tmp_path / ".results" / student / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"submission": "x", "source": "y", "rows": rows}))
    gradebook._manual_template(tmp_path)
    (tmp_path / "roster.csv").write_text(ROSTER)
    return tmp_path


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_plain_gradebook_has_totals_and_pending_points(out):
    gradebook.gradebook(out)
    assert read(out / "gradebook.csv") == [["student", "ps1", "ps2", "total", "pending"],
                                           ["ann", "2", "4", "6", "2"], ["bob", "5", "0", "5", "2"]]


def test_feedback_separates_earned_pending_and_maximum(out):
    gradebook.gradebook(out)
    text = (out / "feedback" / "ann" / "ps1.md").read_text()
    assert "**Score so far: 2 points earned, 2 points pending hand grading, maximum 7 points**" in text
    assert "| essay | pending / 2 | graded by hand |" in text
    assert "**Score: 4 / 4 points**" in (out / "feedback" / "ann" / "ps2.md").read_text()


def test_hand_graded_points_are_read_back(out):
    assert read(out / "manual-grades.csv") == [
        ["student", "set", "exercise", "points", "max_points", "comment"],
        ["ann", "ps1", "essay", "", "2", ""], ["bob", "ps1", "essay", "", "2", ""]]
    (out / "manual-grades.csv").write_text("student,set,exercise,points,max_points,comment\n"
                                           "ann,ps1,essay,1.5,2,clear but no date\nbob,ps1,essay,,2,\n")
    assert main(["gradebook", str(out)]) == 0
    assert read(out / "gradebook.csv")[1] == ["ann", "3.5", "4", "7.5", "0"]
    text = (out / "feedback" / "ann" / "ps1.md").read_text()
    assert "**Score: 3.5 / 7 points**" in text and "| essay | 1.5 / 2 | graded by hand: clear but no date |" in text
    rows = read(out / "grades.csv")
    assert ["ann", "ps1", "essay", "1.5", "2", "graded by hand: clear but no date"] in rows
    assert ["bob", "ps1", "essay", "", "2", "graded by hand"] in rows


@pytest.mark.parametrize("line, needle", [
    ("ann,ps1,ex1,1,2,", "no hand-graded exercise 'ex1'"),
    ("ann,ps1,essay,3,2,", "outside 0 to 2"),
    ("ann,ps1,essay,two,2,", "'two' is not a number"),
    ("zed,ps1,essay,1,2,", "zed / ps1 has no hand-graded exercise"),
])
def test_bad_hand_grades_are_refused_with_the_line(out, line, needle, capsys):
    (out / "manual-grades.csv").write_text("student,set,exercise,points,max_points,comment\n" + line + "\n")
    assert main(["gradebook", str(out)]) == 1
    err = capsys.readouterr().err
    assert needle in err and "line 2" in err


def test_canvas_format(out):
    gradebook.gradebook(out, roster=out / "roster.csv", fmt="canvas")
    assert read(out / "gradebook-canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1", "ps2"],
        ["Points Possible", "", "", "", "", "7", "4"],
        ["Lee, Ann", "101", "S1", "ann1", "Sec A", "2", "4"],
        ["Roe, Bob", "102", "S2", "bob2", "Sec A", "5", "0"]]


def test_moodle_format(out):
    gradebook.gradebook(out, roster=out / "roster.csv", fmt="moodle")
    assert read(out / "gradebook-moodle.csv") == [["Email address", "ps1", "ps2"],
                                                  ["ann@example.edu", "2", "4"], ["bob@example.edu", "5", "0"]]


def test_plain_gradebook_carries_roster_columns(out):
    gradebook.gradebook(out, roster=out / "roster.csv")
    assert read(out / "gradebook.csv")[0] == ["student", "email", "id", "name", "section", "sis_login_id",
                                              "sis_user_id", "ps1", "ps2", "total", "pending"]


def test_lms_formats_need_a_complete_roster(out):
    with pytest.raises(ValueError, match="needs --roster"):
        gradebook.gradebook(out, fmt="canvas")
    (out / "short.csv").write_text("folder,email\nann,ann@example.edu\n")
    with pytest.raises(ValueError, match="no row for: bob"):
        gradebook.gradebook(out, roster=out / "short.csv", fmt="moodle")
    (out / "bad.csv").write_text("student,email\nann,a@b\n")
    with pytest.raises(ValueError, match="'folder' column"):
        gradebook.gradebook(out, roster=out / "bad.csv", fmt="moodle")


def test_no_results_is_a_clear_error(tmp_path, capsys):
    assert main(["gradebook", str(tmp_path)]) == 1
    assert "no graded submissions" in capsys.readouterr().err
