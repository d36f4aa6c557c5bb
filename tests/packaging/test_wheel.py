"""The wheel installs and works from a clean environment: built from this checkout, installed into
a fresh virtual environment, it imports from there (not from the checkout), ships the data and
the Containerfile, releases the problem sets, grades a blank submission and runs a chapter's
imports. The environment reaches its dependencies (pandas, nbformat, ...) through one path file
pointing at this interpreter's site-packages, so nothing is downloaded; the checkout's editable
install is not seen (a path file there is not processed). Grading runs with ``--trusted``: a
bubblewrap sandbox shows only the new environment's prefix, not the site-packages it borrows.
"""

import csv
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest

from alliances.publish.toc import ROOT
from helpers import build_wheel

pytestmark = [pytest.mark.wheel, pytest.mark.slow]
PROBLEM_SET = "ps1-foundations"
CHAPTER = ROOT / "book" / "case-studies.ipynb"
CLEAN = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}  # not this checkout


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """(python of a fresh environment with only the wheel installed, a working folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(tmp)
    with zipfile.ZipFile(wheel) as z:
        shipped = {n for n in z.namelist() if n.endswith(".py")}
    assert shipped == {p.relative_to(ROOT).as_posix() for p in (ROOT / "alliances").rglob("*.py")
                       if "__pycache__" not in p.parts}, "the wheel's modules are not the package's"
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True, capture_output=True, env=CLEAN)
    python = tmp / "venv" / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True, env=CLEAN).stdout.strip())
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, env=CLEAN)
    # after the install: pip would otherwise take the checkout's editable install for this one
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp / "work"
    work.mkdir()
    return python, work


def run(venv, *args):
    python, work = venv
    return subprocess.run([str(python), *args], cwd=work, env=CLEAN, capture_output=True, text=True, timeout=600)


def test_the_package_and_its_files_come_from_the_wheel(venv):
    done = run(venv, "-c", "import alliances, alliances.data as d; from importlib.resources import files; "
                           "print(alliances.__file__); print(d.data_dir()); "
                           "print(files('alliances.grading.sandboxes').joinpath('Containerfile').is_file())")
    assert done.returncode == 0, done.stderr
    package, data, recipe = done.stdout.split("\n")[:3]
    prefix = str(venv[0].parent.parent)
    assert package.startswith(prefix) and not package.startswith(str(ROOT) + os.sep), package
    assert data.startswith(prefix) and data.endswith("_data"), data
    assert recipe == "True"


def test_release_and_grade_a_blank_submission(venv):
    python, work = venv
    (work / "exercises").mkdir()
    shutil.copy(ROOT / "exercises" / "source" / PROBLEM_SET / f"{PROBLEM_SET}.ipynb", work / "exercises")
    done = run(venv, "-m", "alliances", "release", "--source", "exercises", "--out", "release")
    assert done.returncode == 0, done.stderr
    blank = work / "release" / "student" / f"{PROBLEM_SET}.ipynb"
    (work / "subs" / "ann").mkdir(parents=True)
    shutil.copy(blank, work / "subs" / "ann")
    done = run(venv, "-m", "alliances", "grade", "subs", "--source", "exercises", "--out", "grades",
               "--trusted", "--jobs", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    with open(work / "grades" / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["reason"] for r in rows} <= {"not answered", "graded by hand"}, rows
    assert all(r["points"] in ("0", "") for r in rows)


def test_a_chapters_imports_run(venv):
    nb = nbformat.read(CHAPTER, as_version=4)
    cell = next(c.source for c in nb.cells if c.cell_type == "code" and "from alliances import" in c.source)
    imports = "\n".join(line for line in cell.splitlines() if line.startswith(("import ", "from ")))
    done = run(venv, "-c", imports + "\nimport alliances\nprint(alliances.__file__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(venv[0].parent.parent))
