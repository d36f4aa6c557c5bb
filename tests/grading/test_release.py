"""alliances.release: student versions hide solutions and hidden tests; markup errors are clear."""

import copy
import csv
import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from alliances.grading import markup, release, variants
from alliances.__main__ import main
from helpers import FIXTURES, ROOT, VARIANT_YEARS, variant_demo

FIXTURE = FIXTURES / "problem-set-demo.ipynb"

# Exact text that must never reach students.
SECRETS = [
    'n_founders = int((members["joined"] == 1949).sum())',
    'return sorted(members.loc[members["joined"] > year, "country"])',
    'assert joined_after(1950) == ["Greece", "Poland", "Spain", "Turkey", "West Germany"]',
    "The Paris Agreements of 1954 ended the occupation",
    "BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS",
]


@pytest.fixture
def source():
    return nbformat.read(FIXTURE, as_version=4)


def text(nb):
    return "\n".join(cell.source for cell in nb.cells)


def by_id(nb, cid):
    return next(c for c in nb.cells if c.id == cid)


def test_fixture_has_outputs_to_clear(source):
    assert any(c.get("outputs") for c in source.cells)


def test_student_version_has_no_solutions_or_hidden_tests(source):
    before = copy.deepcopy(source)
    student = release.student_version(source, "demo")
    for secret in SECRETS:
        assert secret not in text(student), secret
    assert source == before, "the source notebook must not be changed"
    nbformat.validate(student)


def test_student_version_keeps_everything_else(source):
    student = release.student_version(source, "demo")
    assert [c.id for c in student.cells] == [c.id for c in source.cells]
    assert by_id(student, "ex1-answer").source == "# YOUR CODE HERE\nraise NotImplementedError()\nn_founders"
    ex2 = by_id(student, "ex2-answer").source
    assert ex2.startswith('def joined_after(year):\n    """Countries in `members`')
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()\n" in ex2  # indentation kept
    assert ex2.endswith("joined_after(1990)")
    assert by_id(student, "ex3-answer").source == "YOUR ANSWER HERE"
    visible = by_id(student, "ex2").source
    assert visible == by_id(source, "ex2").source.split("\n### BEGIN HIDDEN")[0]
    assert by_id(student, "setup").source == by_id(source, "setup").source


def test_outputs_cleared(source):
    for nb in (release.student_version(source, "demo"), release.answer_key(source)):
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


def test_answer_key_keeps_solutions_and_hidden_tests(source):
    key = release.answer_key(source)
    assert [c.source for c in key.cells] == [c.source for c in source.cells]
    for secret in SECRETS:
        assert secret in text(key), secret


def test_exercises_listed(source):
    found = release.exercises(source)
    assert [(e.grade_id, e.points, e.manual) for e in found] == [("ex1", 2, False), ("ex2", 3, False)]
    assert [source.cells[a].id for a in found[1].answers] == ["ex2-answer"]


def test_solution_cells_without_markers():
    md = new_markdown_cell("My essay.", metadata={"nbgrader": {"solution": True, "grade_id": "essay"}})
    code = new_code_cell("x = 42", metadata={"nbgrader": {"solution": True, "grade_id": "x"}})
    student = release.student_version(new_notebook(cells=[md, code]))
    assert [c.source for c in student.cells] == ["YOUR ANSWER HERE", "# YOUR CODE HERE\nraise NotImplementedError()"]


def test_markdown_markers_keep_the_question():
    md = new_markdown_cell("Explain.\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->\nThe end.")
    student = release.student_version(new_notebook(cells=[md]))
    assert student.cells[0].source == "Explain.\nYOUR ANSWER HERE\nThe end."


def bad(*cells):
    return new_notebook(cells=[new_markdown_cell("Intro"), *cells])


@pytest.mark.parametrize("cell, needle", [
    (new_code_cell("### BEGIN SOLUTION\nx = 1"), "'### BEGIN SOLUTION' on line 1 has no matching '### END SOLUTION'"),
    (new_code_cell("x = 1\n### END SOLUTION"), "'### END SOLUTION' on line 2 has no '### BEGIN SOLUTION' before it"),
    (new_code_cell("assert True\n### BEGIN HIDDEN TESTS\nassert 1",
                   metadata={"nbgrader": {"grade": True, "points": 1, "grade_id": "t"}}),
     "'### BEGIN HIDDEN TESTS' on line 2 has no matching '### END HIDDEN TESTS'"),
    (new_markdown_cell("<!-- BEGIN SOLUTION -->\nyes"), "'<!-- BEGIN SOLUTION -->' on line 1 has no matching"),
    (new_code_cell("assert True", metadata={"nbgrader": {"grade": True, "grade_id": "t1"}}),
     'a graded cell needs "points"'),
    (new_code_cell("assert True", metadata={"nbgrader": {"grade": True, "points": 2}}), 'needs a "grade_id"'),
])
def test_markup_errors_name_notebook_and_cell(cell, needle):
    with pytest.raises(markup.MarkupError) as err:
        release.student_version(bad(cell), "ps1.ipynb")
    assert "ps1.ipynb, cell 2" in str(err.value) and needle in str(err.value), str(err.value)


def test_release_writes_student_key_and_readme(tmp_path):
    src = tmp_path / "exercises"
    src.mkdir()
    (src / "problem-set-demo.ipynb").write_bytes(FIXTURE.read_bytes())
    written = release.release(src, tmp_path / "out")
    student = nbformat.read(tmp_path / "out/student/problem-set-demo.ipynb", as_version=4)
    key = nbformat.read(tmp_path / "out/key/problem-set-demo.ipynb", as_version=4)
    assert SECRETS[0] not in text(student) and SECRETS[0] in text(key)
    readme = (tmp_path / "out/README.md").read_text()
    assert "| problem-set-demo | ex1 (2), ex2 (3) | 5 |" in readme
    assert "variant" not in readme  # a set without variants: as before
    assert len(written) == 3
    assert (src / "problem-set-demo.ipynb").read_bytes() == FIXTURE.read_bytes()


def test_release_writes_nothing_when_markup_is_wrong(tmp_path):
    src = tmp_path / "exercises"
    src.mkdir()
    (src / "good.ipynb").write_bytes(FIXTURE.read_bytes())
    nbformat.write(bad(new_code_cell("### BEGIN SOLUTION\nx = 1")), src / "broken.ipynb")
    with pytest.raises(markup.MarkupError, match=r"broken\.ipynb, cell 2"):
        release.release(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "alliances", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_cli_release(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "problem-set-demo.ipynb").write_bytes(FIXTURE.read_bytes())
    done = cli("release", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Released 1 problem set(s)" in done.stdout
    assert (tmp_path / "release/student/problem-set-demo.ipynb").is_file()


@pytest.mark.parametrize("args, needle", [
    (["release", "--source", "missing"], "error: There is no folder missing with problem sets."),
    (["release", "--source", "empty"], "There are no notebooks"),
    (["release", "--source", "broken"], "error: the problem set markup is wrong"),
])
def test_cli_release_errors_are_friendly(tmp_path, monkeypatch, capsys, args, needle):
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    nbformat.write(bad(new_code_cell("x = 1\n### END SOLUTION")), tmp_path / "broken" / "ps.ipynb")
    monkeypatch.chdir(tmp_path)
    assert main(args) == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err, err


def test_release_warns_when_answers_may_show(tmp_path, monkeypatch, capsys):
    src = tmp_path / "exercises"
    src.mkdir()
    nbformat.write(bad(new_markdown_cell("```{solution-start} ex1\n```\nThe answer.\n```{solution-end}\n```")),
                   src / "chapter-copy.ipynb")
    with pytest.warns(UserWarning) as caught:
        release.release(src, tmp_path / "out")
    messages = [str(w.message) for w in caught]
    assert any("chapter-copy.ipynb has no answer cells" in m for m in messages)
    assert any("MyST {solution} directives" in m for m in messages)
    monkeypatch.chdir(tmp_path)
    assert main(["release"]) == 0
    assert "warning: chapter-copy.ipynb has no answer cells" in capsys.readouterr().err


def test_duplicate_grade_ids_are_reported():
    meta = {"nbgrader": {"grade": True, "points": 1, "grade_id": "t"}}
    with pytest.raises(markup.MarkupError, match=r"ps\.ipynb, cell 3 .*'t' is also used by cell 2"):
        release.exercises(bad(new_code_cell("assert 1", metadata=meta), new_code_cell("assert 2", metadata=meta)),
                          "ps.ipynb")


def test_the_research_project_registers_its_hypothesis_before_any_analysis():
    """ps6: the pre-registration (a written answer graded by hand) comes after the set-up cell, which
    fixes the test in advance, and before every analysis cell, in the source and in the student
    version; the write-up comes last."""
    source = variants.render(release.read(ROOT / "exercises" / "source" / "ps6-research-project" / "ps6-research-project.ipynb"))
    for nb in (source, release.student_version(source, "ps6-research-project")):
        found = release.exercises(nb, "ps6-research-project")
        first, last = found[0], found[-1]
        assert (first.grade_id, first.manual, last.grade_id, last.manual) == ("ex1-answer", True, "ex8-answer", True)
        setup = next(i for i, c in enumerate(nb.cells) if markup.meta(c).get("grade_id") == "setup")
        analysis = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i != setup]
        assert setup < first.index < min(analysis) and max(analysis) < last.index
        assert "MODEL = 'onset ~ unequal + contiguous'" in nb.cells[setup].source
    assert release.student_version(source).cells[first.index].source == "YOUR ANSWER HERE"


def test_sources_in_nbgrader_course_layout(tmp_path):
    """Issue #25: source/<set>/<set>.ipynb is found from the course folder or from source/ itself,
    next to any flat <set>.ipynb; other notebooks in subfolders (student versions) are not sources."""
    course = tmp_path / "exercises"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / "student").mkdir()
    (course / "source" / "ps1" / "ps1.ipynb").write_bytes(FIXTURE.read_bytes())
    (course / "student" / "ps1.ipynb").write_bytes(FIXTURE.read_bytes())
    (course / "ps9.ipynb").write_bytes(FIXTURE.read_bytes())
    assert release.sources(course) == {"ps1": course / "source" / "ps1" / "ps1.ipynb", "ps9": course / "ps9.ipynb"}
    assert release.sources(course / "source") == {"ps1": course / "source" / "ps1" / "ps1.ipynb"}
    assert (release.release(course / "source", tmp_path / "out")[0]) == tmp_path / "out" / "student" / "ps1.ipynb"


# --- per-student variants (issue #27) ---------------------------------------------------------

def test_release_writes_the_default_variant_and_no_declaration(tmp_path):
    """Without a roster a set with variants is released in its default variant (the first record)."""
    src = tmp_path / "exercises"
    src.mkdir()
    nbformat.write(variant_demo(), src / "ps.ipynb")
    release.release(src, tmp_path / "out")
    for kind in ("student", "key"):
        nb = nbformat.read(tmp_path / "out" / kind / "ps.ipynb", as_version=4)
        assert "joined in 1949?" in text(nb) and "{{" not in text(nb), kind
        assert "alliances" not in nb.metadata and "n_joined" not in json.dumps(nb) and "joined in 195" not in text(nb)
    key = nbformat.read(tmp_path / "out" / "key" / "ps.ipynb", as_version=4)
    assert "expected=3," in text(key) and '== 1949).sum()' in text(key)
    assert "ps declare per-student variants: this release holds their default variant" in \
        (tmp_path / "out" / "README.md").read_text()
    assert release.student_version(variant_demo()).cells[2].source.endswith("joined in 1949? Assign the number "
                                                                            "to `n_founders`.")


def test_release_collects_variant_errors_with_markup_errors(tmp_path):
    src = tmp_path / "exercises"
    src.mkdir()
    nb = variant_demo()
    nb.cells[2].source += " {{yaer}}"
    nbformat.write(nb, src / "typo.ipynb")
    nbformat.write(bad(new_code_cell("### BEGIN SOLUTION\nx = 1")), src / "broken.ipynb")
    with pytest.raises(markup.MarkupError) as err:
        release.release(src, tmp_path / "out")
    assert "typo.ipynb, cell 3: '{{yaer}}' is not a declared variant field" in str(err.value)
    assert "broken.ipynb, cell 2" in str(err.value)
    assert not (tmp_path / "out").exists()


SECRET = "0123456789abcdef" * 4  # a fixed course secret, so the draw (and these tests) are deterministic


def course(tmp_path, students=("ann", "bob", "cat", "dan", "eve", "fay")):
    """A source folder with the variant demo set and the plain demo set, a roster and a secret file."""
    src = tmp_path / "exercises"
    src.mkdir()
    nbformat.write(variant_demo(), src / "ps.ipynb")
    (src / "plain.ipynb").write_bytes(FIXTURE.read_bytes())
    (tmp_path / "roster.csv").write_text("folder,name\n" + "".join(f"{s},{s.title()}\n" for s in students))
    (tmp_path / "secret").write_text(SECRET + "\n")
    return src, tmp_path / "roster.csv", tmp_path / "secret"


def test_release_per_student_writes_each_students_variant_the_keys_and_who_got_which(tmp_path):
    src, roster, secret = course(tmp_path)
    out = tmp_path / "out"
    written = release.release(src, out, roster=roster, secret=secret)
    assert {p.relative_to(out).as_posix() for p in written} >= {"student/ann/ps.ipynb", "student/fay/plain.ipynb",
                                                               "key/plain.ipynb", "variants.csv", "README.md"}
    with open(out / "variants.csv", newline="") as f:
        drawn = {r["student"]: r["label"] for r in csv.DictReader(f) if r["set"] == "ps"}
    assert sorted(drawn) == ["ann", "bob", "cat", "dan", "eve", "fay"] and len(set(drawn.values())) > 1
    assert sorted(p.stem for p in (out / "key" / "ps").glob("*.ipynb")) == sorted(set(drawn.values()))
    groups = variants.declared(variant_demo())
    for student, label in drawn.items():
        choice = variants.draw(groups, SECRET.encode(), student, "ps")
        assert variants.label(choice) == label
        year = VARIANT_YEARS[choice["year"]]["year"]
        nb = nbformat.read(out / "student" / student / "ps.ipynb", as_version=4)
        assert f"joined in {year}?" in text(nb) and "{{" not in text(nb) and "alliances" not in nb.metadata
        assert [f"joined in {y['year']}?" in text(nb) for y in VARIANT_YEARS].count(True) == 1  # no other variant
        key = nbformat.read(out / "key" / "ps" / f"{label}.ipynb", as_version=4)
        assert f"expected={VARIANT_YEARS[choice['year']]['n_joined']}," in text(key)
        plain = nbformat.read(out / "student" / student / "plain.ipynb", as_version=4)
        assert text(plain) == text(release.student_version(nbformat.read(FIXTURE, as_version=4)))
    readme = (out / "README.md").read_text()
    assert f"--roster {roster.as_posix()} --secret {secret.as_posix()}" in readme
    for path in out.rglob("*"):  # the secret is in its own file only
        assert path.is_dir() or SECRET not in path.read_text(), path
    again = tmp_path / "again"
    release.release(src, again, roster=roster, secret=secret)
    assert (again / "variants.csv").read_text() == (out / "variants.csv").read_text()


def test_release_makes_a_private_secret_once_and_never_prints_it(tmp_path, monkeypatch, capsys):
    src, roster, _ = course(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["release", "--source", "exercises", "--roster", "roster.csv", "--secret", "keys/course-secret"]) == 0
    made = (tmp_path / "keys" / "course-secret").read_text().strip()
    assert len(made) >= 32 and (tmp_path / "keys" / "course-secret").stat().st_mode & 0o777 == 0o600
    said = capsys.readouterr()
    assert "for 6 student(s)" in said.out and made not in said.out + said.err
    first = (tmp_path / "release" / "variants.csv").read_text()
    assert main(["release", "--source", "exercises", "--out", "second", "--roster", "roster.csv",
                 "--secret", "keys/course-secret"]) == 0
    assert (tmp_path / "keys" / "course-secret").read_text().strip() == made
    assert (tmp_path / "second" / "variants.csv").read_text() == first


@pytest.mark.parametrize("args, needle", [
    (["--secret", "secret"], "needs both --roster ROSTER.csv"),
    (["--roster", "roster.csv"], "needs both --roster ROSTER.csv"),
    (["--roster", "nofolder.csv", "--secret", "secret"], "needs a 'folder' column"),
    (["--roster", "twice.csv", "--secret", "secret"], "line 3: the folder 'ann' is also on line 2"),
    (["--roster", "roster.csv", "--secret", "release/secret"], "must not be kept inside the release folder"),
    (["--roster", "roster.csv", "--secret", "short"], "too short"),
    (["--nbgrader", "course", "--secret", "secret"], "needs both --roster ROSTER.csv"),
])
def test_release_per_student_errors_are_friendly_and_write_nothing(tmp_path, monkeypatch, capsys, args, needle):
    course(tmp_path)
    (tmp_path / "nofolder.csv").write_text("name\nAnn\n")
    (tmp_path / "twice.csv").write_text("folder\nann\nann\n")
    (tmp_path / "short").write_text("abc\n")
    monkeypatch.chdir(tmp_path)
    assert main(["release", "--source", "exercises", *args]) == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err, err
    assert not (tmp_path / "release").exists() and not (tmp_path / "course").exists()


def test_release_nbgrader_writes_the_default_variant_where_nbgrader_reads_sources(tmp_path, monkeypatch, capsys):
    """Without a roster, --nbgrader COURSE writes each set in its default variant (no placeholders, no
    declaration: nbgrader cannot read those) as COURSE/source/<set>/<set>.ipynb, markup kept."""
    course(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["release", "--source", "exercises", "--nbgrader", "nb"]) == 0
    assert "Released 2 problem set(s)" in capsys.readouterr().out
    nb = nbformat.read(tmp_path / "nb" / "source" / "ps" / "ps.ipynb", as_version=4)
    assert text(nb) == text(release.answer_key(variant_demo())) and "### BEGIN HIDDEN TESTS" in text(nb)
    assert "{{" not in text(nb) and "alliances" not in nb.metadata
    assert (tmp_path / "nb" / "source" / "plain" / "plain.ipynb").is_file()
