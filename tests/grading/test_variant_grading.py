"""Grading a problem set with per-student variants (issue #27): without a roster every submission is
graded against the default variant; with a roster and the course secret, each against its student's.

The set is the demo set with variants of exercise 1 (``helpers.variant_demo``); submissions run in
the real sandbox (bubblewrap), two students at a time.
"""

import csv
import re
import shutil

import nbformat
import pytest

from alliances.__main__ import main
from alliances.grading import release, variants
from alliances.grading.batch import grade

from helpers import variant_demo

pytestmark = pytest.mark.slow  # real sandboxed grading (seconds per submission)

SET = "ps"
ANSWER = 'n_founders = int((members["joined"] == {year}).sum())'
EX2 = 'def joined_after(year):\n    return sorted(members.loc[members["joined"] > year, "country"])'


def answered(nb, year):
    """``nb`` (a student version) with exercise 1 answered for ``year`` and exercise 2 right."""
    for cell in nb.cells:
        cell.source = {"ex1-answer": ANSWER.format(year=year), "ex2-answer": EX2}.get(cell.id, cell.source)
    return nb


def rows_of(out):
    with open(out / "grades.csv", newline="") as f:
        return {(r["student"], r["exercise"]): (float(r["points"]), r["reason"]) for r in csv.DictReader(f)}


def rows_of_grade(subs, src, out, **kwargs):
    grade(subs, src, out, timeout=20, jobs=2, **kwargs)
    return rows_of(out)


def test_without_a_roster_every_submission_is_graded_against_the_default_variant(tmp_path):
    src, subs = tmp_path / "exercises", tmp_path / "subs"
    src.mkdir()
    nbformat.write(variant_demo(), src / f"{SET}.ipynb")
    for student, year in (("default", 1949), ("other", 1952)):
        (subs / student).mkdir(parents=True)
        nbformat.write(answered(release.student_version(variant_demo()), year), subs / student / f"{SET}.ipynb")
    rows = rows_of_grade(subs, src, tmp_path / "grades")
    assert rows["default", "ex1"] == (2, "passed") and rows["default", "ex2"] == (3, "passed")
    assert rows["other", "ex1"][0] == 0 and "Not quite: 2 is too low. Hint: Compare the joined column with 1949." \
        in rows["other", "ex1"][1], rows["other", "ex1"]


SECRET = "0123456789abcdef" * 4  # fixed: under it bob draws 1949 (the default), eve 1952


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """bob answers his own variant; eve hands in a copy of bob's notebook; zed, not on the roster,
    too. Released and graded per student (roster and secret)."""
    root = tmp_path_factory.mktemp("variants")
    src = root / "exercises"
    src.mkdir()
    nbformat.write(variant_demo(), src / f"{SET}.ipynb")
    (root / "roster.csv").write_text("folder,name\nbob,Bob\neve,Eve\n")
    (root / "secret").write_text(SECRET + "\n")
    groups = variants.declared(variant_demo())
    assert [variants.draw(groups, SECRET.encode(), s, SET)["year"] for s in ("bob", "eve")] == [0, 1]
    release.release(src, root / "release", roster=root / "roster.csv", secret=root / "secret")
    mine = nbformat.read(root / "release" / "student" / "bob" / f"{SET}.ipynb", as_version=4)
    year = re.search(r"joined in (\d{4})\?", "\n".join(c.source for c in mine.cells)).group(1)  # as bob reads it
    subs = root / "subs"
    for student in ("bob", "eve", "zed"):
        (subs / student).mkdir(parents=True)
        nbformat.write(answered(mine, year), subs / student / f"{SET}.ipynb")
    out = root / "grades"
    rows = rows_of_grade(subs, src, out, roster=root / "roster.csv", secret=root / "secret")
    return dict(root=root, src=src, subs=subs, out=out, rows=rows)


def test_each_student_is_graded_against_their_own_variant_and_a_copy_earns_only_what_fits_its_own(course):
    rows = course["rows"]
    assert rows["bob", "ex1"] == (2, "passed") and rows["bob", "ex2"] == (3, "passed")
    points, why = rows["eve", "ex1"]  # bob's 1949 answer on eve's 1952 exercise
    assert points == 0 and why == "Not quite: 3 is too high. Hint: Compare the joined column with 1952.", why
    assert rows["eve", "ex2"] == (3, "passed")  # a general function: right for every variant
    feedback = (course["out"] / "feedback" / "eve" / f"{SET}.md").read_text()
    assert "1952" in feedback and "1949" not in feedback  # eve's own variant only
    for path in course["out"].rglob("*"):  # the secret is in its own file only
        assert path.is_dir() or SECRET not in path.read_text(errors="replace"), path


def test_a_folder_not_on_the_roster_scores_zero_on_a_set_with_variants(course):
    for ex in ("ex1", "ex2"):
        points, why = course["rows"]["zed", ex]
        assert points == 0 and why.startswith("not on the roster roster.csv"), why


def test_resume_regrades_a_submission_whose_variant_changed(course, tmp_path):
    out = tmp_path / "grades"
    shutil.copytree(course["out"], out)
    (out / "grades.csv").unlink()  # an interrupted batch: every result kept
    graded = []
    grade(course["subs"], course["src"], out, timeout=20, jobs=2, roster=course["root"] / "roster.csv",
          secret=course["root"] / "secret", progress=lambda student, name: graded.append(student))
    assert graded == [] and rows_of(out) == course["rows"]  # same variants: nothing graded again
    (out / "grades.csv").unlink()
    grade(course["subs"], course["src"], out, timeout=20, jobs=2,
          progress=lambda student, name: graded.append(student))  # no roster: the default variant (1949)
    rows = rows_of(out)
    assert sorted(graded) == ["eve", "zed"], graded  # bob's variant is the default: his result is kept
    assert rows["eve", "ex1"] == (2, "passed") and rows["zed", "ex1"] == (2, "passed")


@pytest.mark.parametrize("args, needle", [
    (["--secret", "secret"], "--secret needs --roster ROSTER.csv"),
    (["--roster", "roster.csv"], "ps declares per-student variants: grading with --roster needs --secret"),
    (["--roster", "roster.csv", "--secret", "missing"], "There is no course secret missing"),
])
def test_grade_per_student_errors_are_friendly(course, monkeypatch, capsys, args, needle, tmp_path):
    monkeypatch.chdir(course["root"])
    assert main(["grade", "subs", "--out", str(tmp_path / "out"), "--quiet", *args]) == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_a_secret_the_sandboxes_could_read_is_refused(course, monkeypatch, tmp_path):
    from alliances.grading import batch
    monkeypatch.setattr(batch, "view", lambda hide: ({course["root"]}, []))  # as if root held the package
    with pytest.raises(ValueError, match="lies where the sandboxes can read it"):
        grade(course["subs"], course["src"], tmp_path / "out", roster=course["root"] / "roster.csv",
              secret=course["root"] / "secret")
    assert not (tmp_path / "out").exists()
