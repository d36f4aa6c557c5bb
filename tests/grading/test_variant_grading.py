"""Grading a problem set with per-student variants (issue #27): without a roster every submission is
graded against the default variant; with a roster and the course secret, each against its student's.

The set is the demo set with variants of exercise 1 (``helpers.variant_demo``); submissions run in
the real sandbox (bubblewrap), two students at a time.
"""

import csv

import nbformat
import pytest

from alliances.grading import release
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


def rows_of_grade(subs, src, out, **kwargs):
    grade(subs, src, out, timeout=20, jobs=2, **kwargs)
    return rows_of(out)
