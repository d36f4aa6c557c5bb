"""alliances.grade on crafted submissions: right answers, mistakes, tampering, misbehaving and hostile code.

One batch of submissions (the crafted ones below plus the hostile ones of ``hostile.py``) is graded
once, in sandboxes on two processes (per-cell timeout 5 s), and the tests check its output.
"""

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from alliances.grading import release, run, sandboxes
from alliances.grading.batch import grade
from alliances.__main__ import main
from alliances.hashing import sha256

import hostile
from helpers import FIXTURES, slowly_torn_down

pytestmark = pytest.mark.slow  # a batch of hostile submissions graded in sandboxes (minutes)

FIXTURE = FIXTURES / "problem-set-demo.ipynb"
SET = "problem-set-demo"
EX1 = 'n_founders = int((members["joined"] == 1949).sum())'
EX2 = 'def joined_after(year):\n    return sorted(members.loc[members["joined"] > year, "country"])'
UNSORTED = 'def joined_after(year):\n    return list(members.loc[members["joined"] > year, "country"])'
HINT = " Hint: Compare the joined column with 1949."
HIDDEN_FAILS = "joined_after(1950) is not a sorted list of the right countries"
CAP = "; output capped at 1 MB"


def student(answers=None, drop=(), tests=None):
    """The student version with some answer cells filled in, cells dropped or tests edited."""
    nb = release.student_version(nbformat.read(FIXTURE, as_version=4))
    for cell in nb.cells:
        cell.source = {**(answers or {}), **(tests or {})}.get(cell.id, cell.source)
    nb.cells = [c for c in nb.cells if c.id not in drop]
    return nb


def outside_answer(outside):
    return (EX1 + "\nimport json, os\nfrom pathlib import Path\n"
            "Path('relative.txt').write_text('x')\n"
            "Path('~/in-home.txt').expanduser().write_text('x')\n"
            "try:\n"
            f"    Path({str(outside)!r}).write_text(json.dumps({{'cwd': os.getcwd(), "
            "'home': os.path.expanduser('~')}))\n"
            "except OSError:\n    pass")


def expected_rows():
    rows = {
        "a-good": [("ex1", 2, "passed"), ("ex2", 3, "passed")],
        "b-partial": [("ex1", 2, "passed"), ("ex2", 0, HIDDEN_FAILS)],
        "c-wrong-types": [
            ("ex1", 0, "Not quite: expected a number, but your answer is text (str): "
                       "'3'. Convert it, e.g. with int(...) or float(...)." + HINT),
            ("ex2", 0, "Not quite: expected a collection (list, set, Series) of names, "
                       "but your answer is text (str): 'Poland'.")],
        "d-blank": [("ex1", 0, "not answered"), ("ex2", 0, "not answered")],
        "e-corrupt": [("ex1", 0, "could not read notebook"), ("ex2", 0, "could not read notebook")],
        "f-loop": [("ex1", 2, "passed"), ("ex2", 0, "timeout")],
        "g-crash": [("ex1", 2, "passed"), ("ex2", 0, "kernel died")],
        "h-sys-exit": [("ex1", 0, "error in your answer: SystemExit: bye"), ("ex2", 3, "passed")],
        "i-huge-output": [("ex1", 2, "passed" + CAP), ("ex2", 3, "passed" + CAP)],
        "j-outside": [("ex1", 2, "passed"), ("ex2", 3, "passed")],
        "k-tampered": [("ex1", 0, "Not quite: 99 is too high." + HINT), ("ex2", 0, HIDDEN_FAILS)],
        "l-nothing": [("ex1", 0, "not submitted"), ("ex2", 0, "not submitted")],
    }
    return [{"student": s, "set": SET, "exercise": e, "points": str(p), "max_points": "2" if e == "ex1" else "3",
             "reason": r} for s, rs in rows.items() for e, p, r in rs]


def digests(folder):
    return {p: sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    source = root / "exercises"
    source.mkdir()
    (source / f"{SET}.ipynb").write_bytes(FIXTURE.read_bytes())
    outside = root / "outside" / "pwned.txt"
    outside.parent.mkdir()
    notebooks = {
        "a-good": release.answer_key(nbformat.read(FIXTURE, as_version=4)),
        "b-partial": student({"ex1-answer": EX1, "ex2-answer": UNSORTED}),
        "c-wrong-types": student({"ex1-answer": 'n_founders = "3"',
                                  "ex2-answer": "def joined_after(year):\n    return 'Poland'"}),
        "d-blank": student(),
        "f-loop": student({"ex1-answer": EX1, "ex2-answer": "while True:\n    pass"}),
        "g-crash": student({"ex1-answer": EX1, "ex2-answer": "import os\nos._exit(1)"}),
        "h-sys-exit": student({"ex1-answer": "import sys\nsys.exit('bye')\n" + EX1, "ex2-answer": EX2}),
        "i-huge-output": student({"ex1-answer": EX1 + "\nfor i in range(20_000):\n    print('spam ' * 20)",
                                  "ex2-answer": EX2}),
        "j-outside": student({"ex1-answer": outside_answer(outside), "ex2-answer": EX2}),
        # Wrong answers, the visible test of ex1 emptied and the test cell of ex2 deleted:
        "k-tampered": student({"ex1-answer": "n_founders = 99", "ex2-answer": UNSORTED},
                              drop={"ex2"}, tests={"ex1": "pass"}),
    }
    subs = root / "submissions"
    for name, nb in notebooks.items():
        (subs / name).mkdir(parents=True)
        nbformat.write(nb, subs / name / f"{SET}.ipynb")
    (subs / "e-corrupt").mkdir()
    (subs / "e-corrupt" / f"{SET}.ipynb").write_text('{"cells": [{"cell_type": "code", "sour')
    (subs / "l-nothing").mkdir()
    deserve = hostile.write(subs, source / f"{SET}.ipynb", subs / "a-good" / f"{SET}.ipynb",
                            targets=[root / "grades" / "grades.csv"])
    before, started = digests(subs), time.monotonic()
    rows = grade(subs, source, root / "grades", timeout=5, jobs=2)
    return dict(root=root, subs=subs, out=root / "grades", rows=rows, before=before, outside=outside,
                deserve=deserve, seconds=time.monotonic() - started)


def test_grades_csv_rows_exactly(batch):
    with open(batch["out"] / "grades.csv", newline="") as f:
        got = [r for r in csv.DictReader(f) if r["student"] not in batch["deserve"]]
    assert got == expected_rows()


def test_sandbox_is_really_used():
    assert sandboxes.find_sandbox("auto") == ("bubblewrap", ""), "bubblewrap must work here (.ci/run installs it)"


# The containers grade the submissions whose grading depends on the sandbox (the others only reach
# the checker, the same whatever the sandbox, or are never run: unreadable notebooks): Podman all
# of those, Docker (the same command line) the attacks on the sandbox itself.
ON_DOCKER = ("a-good", "g-crash", "h02-steal-key", "h03-fork-bomb", "h04-memory-bomb", "h05-network",
             "h07-loop", "h09-write-outside", "h10-kill-everything", "j-outside")
ON_PODMAN = ON_DOCKER + ("f-loop", "h-sys-exit", "h06-sys-exit", "h08-flood", "h11-forge-protocol",
                         "h12-slow-function", "h15-huge-value")


def test_podman_sandbox_grades_like_bubblewrap(batch, podman, tmp_path):
    """Where bubblewrap is missing, a Podman container: the same rows, nothing written outside."""
    grade_in_containers(batch, podman, ON_PODMAN, tmp_path)


def test_docker_sandbox_grades_like_bubblewrap(batch, docker, tmp_path):
    grade_in_containers(batch, docker, ON_DOCKER, tmp_path)


def grade_in_containers(batch, container_engine, picked, tmp_path):
    for student in picked:
        shutil.copytree(batch["subs"] / student, tmp_path / "subs" / student)
    rows = grade(tmp_path / "subs", batch["root"] / "exercises", tmp_path / "out", timeout=5, jobs=2,
                       engine=container_engine)
    assert rows == [r for r in batch["rows"] if r["student"] in picked]
    assert not batch["outside"].exists() and not (Path.cwd() / "relative.txt").exists()
    assert digests(batch["subs"]) == batch["before"]  # the attacks target the batch's own files
    assert {p.relative_to(tmp_path / "subs"): d for p, d in digests(tmp_path / "subs").items()} == \
        {p.relative_to(batch["subs"]): d for p, d in batch["before"].items()
         if p.relative_to(batch["subs"]).parts[0] in picked}
    leftover = subprocess.run([container_engine, "ps", "--all", "--format", "{{.Names}}"],
                              capture_output=True, text=True, check=True).stdout
    assert "alliances-sandbox-" not in leftover


@pytest.mark.parametrize("student", sorted(hostile.ATTACKS) + ["h13-not-json", "h14-json-not-notebook"])
def test_hostile_submission_scores_only_what_it_deserves(batch, student):
    got = {r["exercise"]: (r["points"], r["reason"]) for r in batch["rows"] if r["student"] == student}
    for exercise, (points, reason) in batch["deserve"][student].items():
        assert got[exercise][0] == points, f"{student} {exercise}: {got[exercise]}"
        if reason is not None:
            assert got[exercise][1] == reason, f"{student} {exercise}: {got[exercise]}"


def test_gradebook_has_one_row_per_student(batch):
    with open(batch["out"] / "gradebook.csv", newline="") as f:
        book = {r["student"]: r for r in csv.DictReader(f)}
    assert book["a-good"][SET] == "5" and book["a-good"]["total"] == "5"
    assert book["b-partial"]["total"] == "2" and book["d-blank"]["total"] == "0"
    assert all(book[s]["total"] == "0" for s in ("h01-patch-checks", "h02-steal-key", "h11-forge-protocol"))
    assert len(book) == len({r["student"] for r in batch["rows"]})


def test_serial_grading_gives_the_same_rows(batch, tmp_path):
    picked = ("a-good", "c-wrong-types", "h01-patch-checks", "h12-slow-function")
    for student in picked:
        shutil.copytree(batch["subs"] / student, tmp_path / "subs" / student)
    rows = grade(tmp_path / "subs", batch["root"] / "exercises", tmp_path / "out", timeout=5, jobs=1)
    assert rows == [r for r in batch["rows"] if r["student"] in picked]


def test_trusted_mode_still_keeps_the_checks_out_of_reach(batch, tmp_path):
    """--trusted: no sandbox, but the tests still run in the checker (only harmless attacks here)."""
    picked = ("a-good", "d-blank", "h01-patch-checks")
    for student in picked:
        shutil.copytree(batch["subs"] / student, tmp_path / "subs" / student)
    rows = grade(tmp_path / "subs", batch["root"] / "exercises", tmp_path / "out", timeout=5, trusted=True)
    assert rows == [r for r in batch["rows"] if r["student"] in picked]


def test_finished_batch_is_not_overwritten_and_an_interrupted_one_resumes(batch, tmp_path):
    with pytest.raises(FileExistsError, match="--force"):
        grade(batch["subs"], batch["root"] / "exercises", batch["out"])
    out = tmp_path / "grades"
    shutil.copytree(batch["out"], out)
    (out / "grades.csv").unlink()
    (out / ".results" / "b-partial" / f"{SET}.json").unlink()  # as if stopped before b-partial
    regraded = []
    rows = grade(batch["subs"], batch["root"] / "exercises", out, timeout=5, jobs=1,
                       progress=lambda s, n: regraded.append(s))
    assert regraded == ["b-partial"]
    assert rows == batch["rows"]


def test_originals_unchanged(batch):
    assert digests(batch["subs"]) == batch["before"]


def test_feedback_per_student(batch):
    text = (batch["out"] / "feedback" / "b-partial" / f"{SET}.md").read_text()
    assert "**Score: 2 / 5 points**" in text
    assert f"| ex2 | 0 / 3 | {HIDDEN_FAILS} |" in text
    names = sorted(p.parent.name for p in (batch["out"] / "feedback").glob(f"*/{SET}.md"))
    assert names == sorted({r["student"] for r in expected_rows()} | set(batch["deserve"]))


def test_files_written_by_student_code(batch):
    """Only the sandbox's own tmpfs is writable: nothing lands outside, not even by absolute path."""
    assert not batch["outside"].exists()
    assert not (Path.cwd() / "relative.txt").exists()
    assert not (Path.home() / "in-home.txt").exists()


def test_missing_folders_are_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="no folder"):
        grade(tmp_path / "nope", FIXTURE.parent, tmp_path / "out")
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="no submissions"):
        grade(tmp_path / "subs", FIXTURE.parent, tmp_path / "out")


def test_unknown_problem_set_gets_a_row(tmp_path):
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / "problem-set-9.ipynb").write_text("{}")
    rows = grade(tmp_path / "subs", FIXTURE.parent, tmp_path / "out")
    assert rows == [{"student": "ann", "set": "problem-set-9", "exercise": "", "points": 0, "max_points": 0,
                     "reason": f"no problem set problem-set-9.ipynb in {FIXTURE.parent.as_posix()}"}]


def test_cli_grade(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / f"{SET}.ipynb").write_bytes(FIXTURE.read_bytes())
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    nbformat.write(student({"ex1-answer": EX1}), tmp_path / "subs" / "ann" / f"{SET}.ipynb")
    done = subprocess.run([sys.executable, "-m", "alliances", "grade", "subs", "--timeout", "10", "--jobs", "1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Graded 1 student(s)" in done.stdout
    assert (tmp_path / "grades" / "grades.csv").read_text().splitlines()[1:] == [
        f"ann,{SET},ex1,2,2,passed", f"ann,{SET},ex2,0,3,not answered"]


def test_a_slow_sandbox_start_does_not_count_against_the_first_cell(tmp_path, monkeypatch):
    """A container can take seconds to start (Docker's vfs storage, a large image): that time is
    not the student's, so an answer within the cell's limit still passes."""
    command = sandboxes.sandbox_command

    def slow(*args, **kwargs):
        argv, env, limit, stop = command(*args, **kwargs)
        return ["sh", "-c", 'sleep 10; exec "$@"', "sh", *argv], env, limit, stop
    monkeypatch.setattr(sandboxes, "sandbox_command", slow)
    source = release.read(FIXTURE)
    path = tmp_path / "ann" / f"{SET}.ipynb"
    path.parent.mkdir()
    nbformat.write(student({"ex1-answer": EX1}), path)
    rows = run.grade_one(path, source, release.exercises(source, FIXTURE.name), timeout=5, engine="bubblewrap")
    assert rows[0] == ("ex1", 2, 2, "passed")  # the start (10 s) is twice the cell's limit (5 s: room for a busy machine)


def test_a_crashed_container_is_kernel_died_whatever_the_time_limit(podman, tmp_path, monkeypatch):
    """A Podman worker that crashes scores "kernel died" at once, also with a cell limit (10 s) shorter
    than the engine takes to tear its container down (here its client keeps the output open 20 s
    after the container ended, as a busy machine's teardown did): not "timeout"."""
    command, slow = sandboxes.sandbox_command, slowly_torn_down(tmp_path, "podman")

    def through_slow_client(*args, **kwargs):
        argv, env, limit, stop = command(*args, **kwargs)
        return [str(slow), *argv[1:]], env, limit, stop
    monkeypatch.setattr(sandboxes, "sandbox_command", through_slow_client)
    source = release.read(FIXTURE)
    path = tmp_path / "ann" / f"{SET}.ipynb"
    path.parent.mkdir()
    nbformat.write(student({"ex1-answer": EX1, "ex2-answer": "import os\nos._exit(1)"}), path)
    started = time.monotonic()
    rows = run.grade_one(path, source, release.exercises(source, FIXTURE.name), timeout=10, engine="podman")
    assert rows == [("ex1", 2, 2, "passed"), ("ex2", 0, 3, "kernel died")]
    assert time.monotonic() - started < 10


def test_sigterm_stops_a_batch_cleanly(tmp_path):
    """A grader stopped by SIGTERM finishes the submission in hand, starts no other, removes its
    temporary folders (copies of submissions) and keeps what it graded for the resume."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / f"{SET}.ipynb").write_bytes(FIXTURE.read_bytes())
    names = ("ann", "bob", "cy", "dee", "eve", "fay")
    for name in names:
        (tmp_path / "subs" / name).mkdir(parents=True)
        nbformat.write(student({"ex1-answer": "import time\ntime.sleep(2)\n" + EX1}),
                       tmp_path / "subs" / name / f"{SET}.ipynb")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    grader = subprocess.Popen([sys.executable, "-m", "alliances", "grade", "subs", "--timeout", "20", "--jobs", "1"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 60
    while not list(scratch.glob("alliances-grade-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    grader.send_signal(signal.SIGTERM)
    out, err = grader.communicate(timeout=120)
    assert grader.returncode == 130 and "interrupted" in err, err
    assert not list(scratch.glob("alliances-grade-*"))
    # kept: the one in hand and those the pool had queued already (one, or more if the machine is
    # slow to deliver the signal); the rest never started
    assert 1 <= len(list((tmp_path / "grades" / ".results").glob("*/*.json"))) < len(names)
    assert not (tmp_path / "grades" / "grades.csv").exists()


def test_cli_grade_missing_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["grade", "missing"]) == 1
    err = capsys.readouterr().err
    assert "error: There is no folder missing with submissions." in err and "Traceback" not in err


def test_grading_runs_where_os_has_no_cpu_affinity(tmp_path, monkeypatch):
    """macOS, where the grading image is meant to run, has no os.sched_getaffinity."""
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / "problem-set-9.ipynb").write_text("{}")
    rows = grade(tmp_path / "subs", FIXTURE.parent, tmp_path / "out")
    assert [r["reason"] for r in rows] == [f"no problem set problem-set-9.ipynb in {FIXTURE.parent.as_posix()}"]
