"""Autograde submitted problem sets (nbgrader markup, no nbgrader database).

``grade(SUBMISSIONS, "exercises", "grades")`` reads ``SUBMISSIONS/<student>/<set>.ipynb`` and
writes ``grades/grades.csv`` (student, set, exercise, points, max_points, reason) and
``grades/feedback/<student>/<set>.md``.

Each submission is copied into a fresh temporary folder (the original is never opened for
writing, and its SHA-256 is checked afterwards). The notebook that runs is rebuilt from the
source: only the student's answer cells (matched by nbgrader ``grade_id`` or cell id) come from
the submission; every other cell, including all tests and hidden tests, comes from the source.
It runs cell by cell in a fresh kernel, so a failing test does not stop the others. A test cell
scores its points if it runs without error, else 0 with the error as the reason. A cell that
runs longer than ``timeout`` seconds, or a notebook longer than ``notebook_timeout``, scores 0
for the exercises not yet run ("timeout"), as does a crashed kernel ("kernel died"). Output
beyond 1 MB per notebook is dropped and noted. Any other failure in one notebook becomes rows
with 0 points and the reason; the batch goes on.

Not a sandbox. The kernel runs as you, with its working directory, ``HOME`` and ``TMPDIR``
inside the temporary folder (deleted afterwards), so relative paths, ``~`` and temporary files
land there, and your own IPython/Jupyter/matplotlib settings are not used. Environment variables
whose names look secret (TOKEN, SECRET, PASSWORD, KEY) are not passed on. Nothing stops the code
from reading or writing any file you can, by absolute path (including the answer keys), using
the network, exhausting memory, signalling the grader itself or starting processes (the
kernel's process group is killed after each notebook, but a process that leaves the group or
outlives a crashed kernel survives). Grade untrusted work inside a container or virtual
machine, or as a user who can write nowhere that matters.

The kernel is the "python3" kernel of the Python running the grader, so it must have the
packages the problem sets import (``alliances``, pandas ...).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .release import exercises, is_answer, cell_key, read, sources, student_cell

__all__ = ["grade", "OUTPUT_CAP"]

OUTPUT_CAP = 1_000_000  # bytes of output kept per notebook
FIELDS = ["student", "set", "exercise", "points", "max_points", "reason"]
_LOG = logging.getLogger("alliances.grade")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SECRET = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL", re.I)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(reply: dict) -> str:
    """The error of an execute reply as one line, like a traceback's last line."""
    value = _one_line(reply.get("evalue", ""))
    return f"{reply.get('ename', 'Error')}: {value}" if value else reply.get("ename", "Error")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Client(NotebookClient):
    """NotebookClient that keeps at most OUTPUT_CAP bytes of output (errors always kept)."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.output_bytes, self.capped, self.replies = 0, False, {}

    def output(self, outs, msg, display_id, cell_index):
        self.output_bytes += len(json.dumps(msg.get("content", {}), default=str))
        if self.output_bytes > OUTPUT_CAP and msg["msg_type"] != "error":
            self.capped = True
            return None
        return super().output(outs, msg, display_id, cell_index)


def assemble(source, submitted):
    """The notebook to run: answer cells from ``submitted``, all other cells from ``source``."""
    theirs = {}
    for i, cell in enumerate(submitted.get("cells") or []):
        if isinstance(cell, dict):
            for key in (cell_key(cell, i), cell.get("id")):
                if key:
                    theirs.setdefault(str(key), cell)
    nb = copy.deepcopy(source)
    for i, cell in enumerate(nb.cells):
        if is_answer(cell):
            mine = theirs.get(cell_key(cell, i))
            text = mine.get("source", "") if mine is not None else None
            nb.cells[i] = student_cell(cell, i)  # the blank answer if the cell is missing
            if text is not None:
                nb.cells[i].source = "".join(text) if isinstance(text, list) else str(text)
        if cell.cell_type == "code":
            nb.cells[i].outputs, nb.cells[i].execution_count = [], None
    return nb


def _kernel_env(tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not _SECRET.search(k)}
    for name in ("home", "tmp"):
        (tmp / name).mkdir(exist_ok=True)
    env.update(HOME=str(tmp / "home"), USERPROFILE=str(tmp / "home"), TMPDIR=str(tmp / "tmp"),
               TEMP=str(tmp / "tmp"), TMP=str(tmp / "tmp"), MPLBACKEND="Agg")
    env.pop("MPLCONFIGDIR", None)
    env.pop("IPYTHONDIR", None)
    return env


def run(nb, tmp: Path, timeout: int, notebook_timeout: int):
    """Run the code cells of ``nb`` one by one in a kernel started in ``tmp``.

    Returns (replies by cell index, index where execution stopped or None, why, capped).
    """
    client = _Client(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                     shutdown_kernel="immediate", startup_timeout=60, record_timing=False,
                     resources={"metadata": {"path": str(tmp)}}, log=_LOG)
    client.on_cell_executed = lambda cell, cell_index, execute_reply: client.replies.__setitem__(
        cell_index, (execute_reply or {}).get("content", {}))
    deadline, stop, why = time.monotonic() + notebook_timeout, None, ""
    client.reset_execution_trackers()
    with open(tmp / "kernel.log", "wb") as log:
        with client.setup_kernel(env=_kernel_env(tmp), stdout=log, stderr=log):
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                left = deadline - time.monotonic()
                client.timeout = max(1, math.ceil(min(timeout, left)))
                try:
                    if left <= 0:
                        raise CellTimeoutError("notebook timeout")
                    client.execute_cell(cell, i)
                except CellTimeoutError:
                    stop, why = i, "timeout"
                except DeadKernelError:
                    stop, why = i, "kernel died"
                if stop is not None:
                    break
    return client.replies, stop, why, client.capped


def score(nb, found, replies, stop, why, capped) -> list[tuple[str, float, float, str]]:
    """(exercise, points, max_points, reason) for each exercise of the executed notebook."""
    rows = []
    for ex in found:
        if ex.manual:
            rows.append((ex.grade_id, "", ex.points, "graded by hand"))
            continue
        reply = replies.get(ex.index, {})
        if stop is not None and ex.index >= stop:
            result = (0, why)
        elif reply.get("status", "ok") == "ok":
            result = (ex.points, "passed")
        else:
            result = (0, _error(reply))
            for a in ex.answers:
                answer = replies.get(a, {})
                if answer.get("status") == "error":
                    result = (0, "not answered" if answer.get("ename") == "NotImplementedError"
                              else f"error in your answer: {_error(answer)}")
                    break
        points, reason = result
        if capped:
            reason += f"; output capped at {OUTPUT_CAP // 1_000_000} MB"
        rows.append((ex.grade_id, points, ex.points, reason))
    return rows


def _read_submission(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb = nbformat.read(str(path), as_version=4)
    if not isinstance(nb.get("cells"), list):
        raise ValueError("no cells")
    return nb


def grade_one(path: Path | None, source, found, timeout: int = 60, notebook_timeout: int | None = None):
    """Rows (exercise, points, max_points, reason) for one submission (None: not submitted)."""
    if path is None:
        return [(e.grade_id, 0, e.points, "not submitted") for e in found]
    digest = _sha256(path)
    tmp = Path(tempfile.mkdtemp(prefix="alliances-grade-"))
    try:
        copied = tmp / "submission.ipynb"
        shutil.copyfile(path, copied)
        try:
            submitted = _read_submission(copied)
        except Exception:
            return [(e.grade_id, 0, e.points, "could not read notebook") for e in found]
        nb = assemble(source, submitted)
        rows = score(nb, found, *run(nb, tmp, timeout, notebook_timeout or 5 * timeout))
    except Exception as err:  # never let one notebook stop the batch
        rows = [(e.grade_id, 0, e.points, f"grader error: {_error({'ename': type(err).__name__, 'evalue': err})}")
                for e in found]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    try:
        changed = _sha256(path) != digest
    except OSError:
        changed = True
    if changed:
        rows = [(*r[:3], r[3] + "; warning: the submitted file changed during grading") for r in rows]
    return rows


def _points(x):
    return x if x == "" or float(x) != int(x) else int(x)


def _feedback(student: str, name: str, rows) -> str:
    got = sum(r[1] for r in rows if r[1] != "")
    total = sum(r[2] for r in rows)
    lines = [f"# {name}: feedback for {student}", "", f"**Score: {_points(got)} / {_points(total)} points**",
             "", "| exercise | points | result |", "|---|---|---|"]
    lines += [f"| {e} | {_points(p)} / {_points(m)} | {why.replace('|', '/')} |" for e, p, m, why in rows]
    lines += ["", "Only your answer cells were graded; every test cell, including hidden tests, "
              "came from the original problem set."]
    return "\n".join(lines) + "\n"


def grade(submissions_dir, source_dir, out_dir, timeout: int = 60, notebook_timeout: int | None = None):
    """Grade every ``submissions_dir/<student>/<set>.ipynb``; write grades.csv and feedback.

    ``timeout``: seconds per cell; ``notebook_timeout``: seconds per notebook (default 5 x
    timeout). A student without a notebook for a set someone submitted gets "not submitted".
    Returns the rows written to ``out_dir/grades.csv`` as dicts.
    """
    subs = Path(submissions_dir)
    if not subs.is_dir():
        raise FileNotFoundError(f"There is no folder {subs} with submissions.")
    known = sources(source_dir)
    students = sorted(d for d in subs.iterdir() if d.is_dir() and not d.name.startswith("."))
    handed = {(d.name, p.stem): p for d in students for p in sorted(d.glob("*.ipynb"))}
    if not handed:
        raise FileNotFoundError(f"There are no submissions in {subs} (expected {subs}/<student>/<set>.ipynb).")
    sets = sorted({s for _, s in handed})
    books = {s: read(known[s]) for s in sets if s in known}
    found = {s: exercises(nb, f"{s}.ipynb") for s, nb in books.items()}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for student in (d.name for d in students):
        for name in sets:
            path = handed.get((student, name))
            if name not in books:
                if path is None:
                    continue
                result = [("", 0, 0, f"no problem set {name}.ipynb in {Path(source_dir).as_posix()}")]
            else:
                result = grade_one(path, books[name], found[name], timeout, notebook_timeout)
            rows += [dict(zip(FIELDS, (student, name, e, _points(p), _points(m), why))) for e, p, m, why in result]
            folder = out / "feedback" / student
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.md").write_text(_feedback(student, name, result), encoding="utf-8")
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return rows
