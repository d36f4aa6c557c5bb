"""Real nbgrader (generate_assignment, autograde, export) on two problem sets, against a plain
(non-editable) install of the package, scores like ``alliances grade``: ps2 (course data) and
ps6, the research project (the research kit's panels and statsmodels, from the installed package).

The package is built into a wheel and installed with ``pip install --target`` into a temporary
folder that comes first on PYTHONPATH; the course folder lies outside the repository, so the data
can only come from inside the installed package. The course layout is the one the instructor
guide gives (``source/<set>/<set>.ipynb``, ``submitted/<student>/<set>/<set>.ipynb``).
"""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from alliances.grading import release, variants
from helpers import ROOT, build_wheel, variant_demo

pytestmark = pytest.mark.slow  # real nbgrader installed and run (minutes)

SETS = ["ps2-alliances-today", "ps6-research-project"]
BIN = Path(sys.executable).parent


def run(args, cwd, env, timeout=600):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The package built into a wheel and installed into a folder of its own (once for all sets)."""
    tmp = tmp_path_factory.mktemp("install")
    env = {k: v for k, v in os.environ.items() if k not in ("ALLIANCES_DATA_DIR", "PYTHONPATH")}
    wheel = build_wheel(tmp, env)
    run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(tmp / "site"), str(wheel)],
        tmp, env)
    return tmp, env


@pytest.fixture(scope="module", params=SETS)
def course(request, installed, tmp_path_factory):
    SET = request.param
    site, env = installed
    tmp = tmp_path_factory.mktemp("nbgrader")
    env = dict(env, PYTHONPATH=str(site / "site"), JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
               HOME=str(tmp / "home"), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    (tmp / "home").mkdir()
    where = run([sys.executable, "-c", "import alliances.data as d; print(d.__file__); print(d.data_dir())"],
                tmp, env).stdout.split()
    root = tmp / "course"
    (root / "source" / SET).mkdir(parents=True)
    default = variants.render(release.read(ROOT / "exercises" / "source" / SET / f"{SET}.ipynb"))  # default variant
    nbformat.write(default, root / "source" / SET / f"{SET}.ipynb")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'alliances'\n"
        "c.CourseDirectory.root = " + repr(str(root)) + "\n"
        "c.ExecutePreprocessor.timeout = 120\n")
    run([str(BIN / "nbgrader"), "generate_assignment", SET, "--force"], root, env)
    for student, path in (("key", root / "source" / SET / f"{SET}.ipynb"),
                          ("blank", root / "release" / SET / f"{SET}.ipynb")):
        for folder in (root / "submitted" / student / SET, tmp / "subs" / student):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, folder / f"{SET}.ipynb")
    autograde = run([str(BIN / "nbgrader"), "autograde", SET, "--create", "--force"], root, env)
    run([str(BIN / "nbgrader"), "export"], root, env)
    with open(root / "grades.csv", newline="") as f:
        nbgrader = {r["student_id"]: (float(r["score"]), float(r["max_score"])) for r in csv.DictReader(f)}
    ours = run([sys.executable, "-m", "alliances", "grade", str(tmp / "subs"), "--source",
                str(root / "source" / SET), "--out", str(tmp / "grades"), "--jobs", "2"], tmp, env)
    with open(tmp / "grades" / "gradebook.csv", newline="") as f:
        alliances = {r["student"]: float(r[SET]) for r in csv.DictReader(f)}
    return dict(set=SET, where=where, site=site, nbgrader=nbgrader, alliances=alliances,
                log=autograde.stdout + autograde.stderr, ours=ours.stdout)


def test_the_package_and_its_data_come_from_the_plain_install(course):
    module, data = course["where"]
    assert Path(module).is_relative_to(course["site"] / "site")
    assert Path(data) == course["site"] / "site" / "alliances" / "_data"


def test_nbgrader_and_alliances_grade_agree(course):
    found = release.exercises(release.read(ROOT / "exercises" / "source" / course["set"] / f"{course['set']}.ipynb"))
    auto, total = sum(e.points for e in found if not e.manual), sum(e.points for e in found)
    assert auto > 0 and total > auto  # the set has a hand-graded exercise: nbgrader leaves it ungraded too
    assert course["nbgrader"] == {"key": (auto, total), "blank": (0.0, total)}, course["log"][-3000:]
    assert course["alliances"] == {"key": auto, "blank": 0.0}, course["ours"][-3000:]


def test_hidden_tests_make_nbgrader_warn_about_checksums(course):
    """A released test cell lacks its hidden tests, so its checksum differs from the one nbgrader
    stored from the source: nbgrader warns for every such cell of a student's notebook, then grades
    with the source's cells from its database (the instructor guide explains the warning)."""
    found = release.exercises(release.read(ROOT / "exercises" / "source" / course["set"] / f"{course['set']}.ipynb"))
    for ex in (e for e in found if not e.manual):
        assert f"Attribute 'checksum' for cell {ex.grade_id} has changed!" in course["log"], ex.grade_id


SECRET = "0123456789abcdef" * 4  # fixed: bob draws the first variant (1949), eve the second (1952)


def test_release_nbgrader_writes_one_assignment_per_variant_and_nbgrader_grades_each_against_its_own(tmp_path):
    """Issue #27 item 4, the documented nbgrader path: ``release --roster --secret --nbgrader COURSE``
    writes one nbgrader assignment per variant drawn and who gets which (assignments.csv); nbgrader
    generates, autogrades and exports them as usual. eve hands in a copy of bob's completed
    notebook in her own assignment: nbgrader grades it with her variant's tests, so exercise 1 fails."""
    src, course = tmp_path / "exercises", tmp_path / "course"
    src.mkdir()
    demo = variant_demo()
    demo.cells = [c for c in demo.cells if not c.id.startswith("ex3")]  # nbgrader wants points on a written answer
    nbformat.write(demo, src / "ps.ipynb")
    (tmp_path / "roster.csv").write_text("folder\nbob\neve\n")
    (tmp_path / "secret").write_text(SECRET + "\n")
    release.release(src, tmp_path / "release", roster=tmp_path / "roster.csv", secret=tmp_path / "secret",
                    nbgrader=course)
    with open(course / "assignments.csv", newline="") as f:
        assigned = {r["student"]: r["assignment"] for r in csv.DictReader(f)}
    assert assigned == {"bob": "ps-v1", "eve": "ps-v2"}
    assert sorted(p.name for p in (course / "source").iterdir()) == ["ps-v1", "ps-v2"]
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'alliances'\n"
        f"c.CourseDirectory.root = {str(course)!r}\nc.ExecutePreprocessor.timeout = 120\n")
    (tmp_path / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ALLIANCES_DATA_DIR"}
    env.update(PYTHONPATH=str(ROOT), JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"), HOME=str(tmp_path / "home"),
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    for task in ("ps-v1", "ps-v2"):
        run([str(BIN / "nbgrader"), "generate_assignment", task, "--force"], course, env)
    released = nbformat.read(course / "release" / "ps-v2" / "ps-v2.ipynb", as_version=4)
    assert "joined in 1952?" in "\n".join(c.source for c in released.cells)
    bob = nbformat.read(course / "release" / "ps-v1" / "ps-v1.ipynb", as_version=4)
    answers = {"ex1-answer": 'n_founders = int((members["joined"] == 1949).sum())',
               "ex2-answer": 'def joined_after(year):\n    return sorted(members.loc[members["joined"] > year, "country"])'}
    for cell in bob.cells:
        cell.source = answers.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    for student, task in assigned.items():
        (course / "submitted" / student / task).mkdir(parents=True)
        nbformat.write(bob, course / "submitted" / student / task / f"{task}.ipynb")  # eve: a copy of bob's
    for task in ("ps-v1", "ps-v2"):
        run([str(BIN / "nbgrader"), "autograde", task, "--create", "--force"], course, env)
    run([str(BIN / "nbgrader"), "export"], course, env)
    with open(course / "grades.csv", newline="") as f:
        scores = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(f)}
    assert scores[("bob", "ps-v1")] == 5.0 and scores[("eve", "ps-v2")] == 3.0, scores
