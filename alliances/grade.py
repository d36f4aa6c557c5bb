"""Autograde submitted problem sets (nbgrader markup, no nbgrader database), in sandboxes.

``grade(SUBMISSIONS, "exercises", "grades")`` reads ``SUBMISSIONS/<student>/<set>.ipynb`` and
writes into ``grades/``: ``grades.csv`` (student, set, exercise, points, max_points, reason),
``gradebook.csv`` (one row per student: points per set and in all), ``feedback/<student>/<set>.md``
and ``manual-grades.csv`` (hand-graded exercises, to fill in; ``gradebook()`` reads it back).

How a submission is scored (details in ``sandbox.py``). The notebook is rebuilt from the source:
only the student's answer cells (matched by nbgrader ``grade_id`` or cell id) come from the
submission. Two processes run it:

- the **sandbox** (bubblewrap, or else a Podman or Docker container: no network, read-only system,
  only a small tmpfs writable, no view of the sources, keys, other submissions or the grader;
  memory, process, CPU-time and file-size limits) runs the set-up and answer cells; it never sees
  a test cell;
- the **checker**, a clean process that never runs student code, runs the source's set-up and
  test cells (hidden tests included). Before each test cell it receives, as JSON data, the values
  of the names the test reads and the answer cells define. A function answer arrives as a proxy
  that calls the student's function in the sandbox and gets back only its JSON result; a figure
  arrives as a JSON description, redrawn. Each grading process keeps one checker and resets it
  (namespace and figures cleared) between submissions, so a submission costs one Python start,
  not two; a checker that failed or ran out of time is replaced.

So student code can change only the values it hands over, never the checks, the expected values
or the test cells. A test cell scores its points if it runs without error. An answer cell that runs
longer than ``timeout`` seconds is stopped ("timeout"); a sandbox that dies or ignores the stop
is started again (the cells that ran before are replayed) and that cell scores 0 ("timeout" /
"kernel died"), so later answers still count. Any other failure becomes rows with 0 points and
the reason; the batch goes on. Submissions are graded in parallel
(``jobs``); results are kept per submission under ``.results/`` so an interrupted batch resumes.

``engine="auto"`` takes the first sandbox that works here (bubblewrap, Podman, Docker; see
``sandbox.find_sandbox``); ``image`` runs submissions in a container image with the package
installed instead of this machine's Python. Without any sandbox the grader refuses to run unless
``trusted=True`` (the checks are still out of the students' reach, but their code runs unconfined,
as you).
"""

from __future__ import annotations

import ast
import re
import builtins
import copy
import csv
import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from . import sandbox
from .release import cell_key, exercises, is_answer, meta, read, sources, student_cell

__all__ = ["grade", "grade_one", "gradebook", "OUTPUT_CAP", "SandboxMissing"]

OUTPUT_CAP = sandbox.OUTPUT_CAP  # characters of printed output before "output capped" is noted
FIELDS = ["student", "set", "exercise", "points", "max_points", "reason"]
RESULTS = ".results"
STARTUP = 120  # seconds a sandbox may take to start (a container on a slow engine), besides the cells' time
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class SandboxMissing(RuntimeError):
    """No sandbox here, and the instructor did not say the work is trusted."""


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(_ANSI.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _error(reply: dict) -> str:
    """The error of a reply as one line, like a traceback's last line."""
    value = _one_line(reply.get("evalue", ""))
    return f"{reply.get('ename', 'Error')}: {value}" if value else reply.get("ename", "Error")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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


def _python(source: str) -> ast.AST | None:
    from IPython.core.inputtransformer2 import TransformerManager
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _top_bindings(source: str) -> set[str]:
    """Names a cell binds at module level (not inside functions or classes)."""
    names: set[str] = set()

    def visit(node):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    tree = _python(source)
    if tree is not None:
        visit(tree)
    return names


def _all_names(source: str) -> tuple[set[str], set[str]]:
    """(names read, names bound) anywhere in a cell."""
    tree, read, bound = _python(source), set(), set()
    for node in ast.walk(tree) if tree is not None else []:
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return read, bound


def plan(source) -> list[tuple[int, str, list[str]]]:
    """(cell index, kind, names) for each code cell of the source.

    kind is "answer", "test" or "setup"; for a test, names are those the sandbox hands over:
    every name the answer cells so far bind, and every name the test reads that no set-up or
    test cell defines (hidden helpers and set-up data come from the checker's own run).
    """
    steps, answered, trusted = [], set(), set(dir(builtins))
    for i, cell in enumerate(source.cells):
        if cell.cell_type != "code":
            continue
        if is_answer(cell):
            answered |= _top_bindings(cell.source)
            steps.append((i, "answer", []))
        elif meta(cell).get("grade"):
            read, bound = _all_names(cell.source)
            trusted |= bound
            steps.append((i, "test", sorted(answered | (read - trusted))))
        else:
            trusted |= _all_names(cell.source)[1]
            steps.append((i, "setup", []))
    return steps


def _trusted(check, msg, timeout, relay=None):
    try:
        return check.request(msg, timeout, on_call=relay)
    except sandbox.WorkerDied as err:
        raise sandbox.WorkerDied(f"grader error: the checker stopped ({err.why})") from None


def run(nb, source, tmp: Path, timeout: int, notebook_timeout: int, trusted: bool = False,
        hide: tuple = (), engine: str = "bubblewrap", image: str | None = None):
    """Run ``nb`` (answers from the student, the rest from ``source``) in a sandbox and a checker.

    Returns (replies by cell index, index where execution stopped or None, why, capped).
    """
    deadline = time.monotonic() + notebook_timeout
    if trusted:
        (tmp / "sandbox").mkdir()
    check = sandbox.warm_checker()
    replies, stop, why, output, done, boxes = {}, None, "", 0, [], []
    clean = False  # reuse the checker only if this run ended without an unexpected error

    def left():
        return deadline - time.monotonic()

    def start():
        """A new sandbox that has run every set-up and answer cell that ran before (none failed)."""
        if trusted:
            argv, env, limit = sandbox.unsandboxed_command(tmp / "sandbox", notebook_timeout + 30)
            stop = None
        else:  # a new command each time: a container's name is its own
            argv, env, limit, stop = sandbox.sandbox_command(engine, list(hide) + [tmp], notebook_timeout + 30,
                                                             image)
        # in this submission's own folder: podman's conmon creates a file "oom" in its working
        # directory when the container runs out of memory
        boxes.append(sandbox.Worker(argv, env, cwd=str(tmp / "sandbox") if trusted else str(tmp), preexec_fn=limit,
                                    stop=stop))
        # wait for the sandbox to answer (a container may take seconds to start), so that its start
        # does not count against the first cell's time limit
        boxes[-1].request({"op": "get", "names": []}, max(1, min(STARTUP, left())))
        for j in done:
            boxes[-1].request({"op": "run", "source": nb.cells[j].source}, max(1, min(timeout, left())))
        return boxes[-1]

    def relay(msg):  # the checker calls a student's function: run it in the sandbox
        try:
            got = boxes[-1].request({"op": "call", "ref": msg.get("ref"), "args": msg.get("args"),
                                     "kwargs": msg.get("kwargs")}, max(1, min(timeout, left())))
        except sandbox.WorkerDied as err:
            return {"error": f"your function stopped the sandbox ({err.why})"}
        if got.get("error") == "timeout":
            return {"error": f"your function ran longer than {timeout} s"}
        return {"error": str(got["error"])} if "error" in got else {"value": got.get("value")}

    try:
        box = start()
        for i, kind, names in plan(source):
            if left() <= 0:
                stop, why = i, "timeout"
                break
            try:
                if box.proc.poll() is not None:  # died in a function call: start again
                    box = start()
                if kind == "test":
                    try:
                        got = box.request({"op": "get", "names": names}, min(timeout, left()))
                    except sandbox.WorkerDied as err:
                        replies[i] = {"status": "error", "ename": "GraderTimeout" if err.why == "timeout" else
                                      "KernelDied", "evalue": f"handing over your answers failed ({err.why})"}
                        continue
                    values = got.get("values") if isinstance(got.get("values"), dict) else {}
                    values = {k: v for k, v in values.items() if k in names}
                    _trusted(check, {"op": "set", "values": values,
                                     "delete": [n for n in names if n not in values]}, left())
                    replies[i] = _trusted(check, {"op": "run", "source": source.cells[i].source},
                                          max(1, left()), relay)
                    continue
                try:
                    replies[i] = box.request({"op": "run", "source": nb.cells[i].source}, min(timeout, left()))
                except sandbox.WorkerDied as err:  # stopped or killed: this cell fails, the rest goes on
                    if err.why == "answer too large":
                        raise
                    replies[i] = {"status": "error", "ename": "GraderTimeout" if err.why == "timeout" else "KernelDied",
                                  "evalue": err.why}
                else:
                    output = max(output, int(replies[i].get("output", 0) or 0))
                    if replies[i].get("status") == "ok":
                        done.append(i)
                if kind == "setup":
                    _trusted(check, {"op": "run", "source": source.cells[i].source}, left())
            except sandbox.WorkerDied as err:
                stop, why = i, err.why
                break
        clean = True
    finally:
        for worker in boxes:
            worker.close()
        sandbox.release_checker(check, reuse=clean)
        for worker in boxes:
            sandbox.cleanup_cgroups(worker.proc.pid)
    return replies, stop, why, output > OUTPUT_CAP


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
                    ename = answer.get("ename")
                    result = (0, "not answered" if ename == "NotImplementedError" else "timeout"
                              if ename == "GraderTimeout" else "kernel died" if ename == "KernelDied"
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


def grade_one(path: Path | None, source, found, timeout: int = 60, notebook_timeout: int | None = None,
              trusted: bool = False, hide: tuple = (), engine: str = "auto", image: str | None = None):
    """Rows (exercise, points, max_points, reason) for one submission (None: not submitted)."""
    if path is None:
        return [(e.grade_id, 0, e.points, "not submitted") for e in found]
    if not trusted:
        engine = _sandbox(engine, image)
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
        rows = score(nb, found, *run(nb, source, tmp, timeout, notebook_timeout or 5 * timeout, trusted,
                                     tuple(hide) + (path.parent.parent,), engine, image))
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


_SANDBOXES: dict = {}  # (engine, image) -> (the sandbox found or None, why the others cannot run)


def _sandbox(engine: str, image: str | None) -> str:
    """The sandbox to use for ``engine`` ("auto" or a name), checked once per process."""
    if (engine, image) not in _SANDBOXES:
        _SANDBOXES[engine, image] = sandbox.find_sandbox(engine, image)
    found, why = _SANDBOXES[engine, image]
    if found is None:
        wanted = "No sandbox works here" if engine == "auto" else f"The {engine} sandbox does not work here"
        raise SandboxMissing(
            f"{wanted}: {why}. Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), Podman or "
            "Docker to grade in sandboxes (see the README, 'Grading untrusted submissions'), or pass "
            "--trusted if you trust the code in these submissions.")
    return found


def _points(x):
    return x if x == "" or float(x) != int(x) else int(x)


# ---------------------------------------------------------------------------- batch and outputs

def _write_csv(path: Path, header, rows) -> None:
    """Write a CSV atomically (a temporary file renamed over ``path``)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    os.replace(tmp, path)


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _job(args):
    path, source_path, timeout, notebook_timeout, trusted, hide, engine, image = args
    source = read(source_path)
    found = exercises(source, Path(source_path).name)
    return grade_one(None if path is None else Path(path), source, found, timeout, notebook_timeout,
                     trusted, hide, engine, image)


def grade(submissions_dir, source_dir, out_dir, timeout: int = 60, notebook_timeout: int | None = None,
          jobs: int | None = None, trusted: bool = False, force: bool = False, roster=None,
          fmt: str = "plain", progress=None, engine: str = "auto", image: str | None = None):
    """Grade every ``submissions_dir/<student>/<set>.ipynb`` on ``jobs`` processes; write the outputs.

    ``timeout``: seconds per cell; ``notebook_timeout``: seconds per notebook (default 5 x
    timeout). A student without a notebook for a set someone submitted gets "not submitted".
    Each graded submission is kept in ``out_dir/.results`` at once, so an interrupted batch
    resumes where it stopped; a finished batch (``grades.csv`` exists) is graded again only with
    ``force``. ``engine``/``image``: the sandbox (see the module's docstring). Returns the rows
    written to ``out_dir/grades.csv`` as dicts.
    """
    subs, out = Path(submissions_dir), Path(out_dir)
    if not subs.is_dir():
        raise FileNotFoundError(f"There is no folder {subs} with submissions.")
    known = sources(source_dir)
    students = sorted(d.name for d in subs.iterdir() if d.is_dir() and not d.name.startswith("."))
    handed = {(s, p.stem): p for s in students for p in sorted((subs / s).glob("*.ipynb"))}
    if not handed:
        raise FileNotFoundError(f"There are no submissions in {subs} (expected {subs}/<student>/<set>.ipynb).")
    if (out / "grades.csv").exists() and not force:
        raise FileExistsError(f"{out} already holds a finished batch (grades.csv). Use --force to grade "
                              f"again, or 'python -m alliances gradebook {out}' to recompute totals.")
    if not trusted:
        engine = _sandbox(engine, image)
        sandbox.cleanup_cgroups()
        sandbox.cleanup_containers(engine)
    results = out / RESULTS
    if force and results.exists():
        shutil.rmtree(results)
    out.mkdir(parents=True, exist_ok=True)
    sets = sorted({s for _, s in handed})
    digests = {s: _sha256(known[s]) for s in sets if s in known}
    hide = tuple(p.resolve() for p in (subs, Path(source_dir), out))
    todo = []
    for student in students:
        for name in sets:
            path, where = handed.get((student, name)), results / student / f"{name}.json"
            if name not in known and path is None:
                continue
            digest = _sha256(path) if path is not None else None
            if where.exists():
                try:
                    kept = json.loads(where.read_text(encoding="utf-8"))
                    if kept.get("submission") == digest and kept.get("source") == digests.get(name):
                        continue
                except ValueError:
                    pass
            if name not in known:
                _write_json(where, {"submission": digest, "source": None, "rows": [
                    ["", 0, 0, f"no problem set {name}.ipynb in {Path(source_dir).as_posix()}"]]})
                continue
            todo.append(((student, name, digest), (None if path is None else str(path), str(known[name]),
                                                   timeout, notebook_timeout, trusted, hide, engine, image)))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()  # macOS: none
    jobs = max(1, jobs or cores or 1)
    pool, kept = ProcessPoolExecutor(max_workers=min(jobs, max(1, len(todo)))), set()

    def keep(done):
        student, name, digest = futures[done]
        rows = [list(r) for r in done.result()]
        _write_json(results / student / f"{name}.json", {"submission": digest, "source": digests[name], "rows": rows})
        kept.add(done)
        if progress:
            progress(student, name)

    futures = {}
    try:
        futures = {pool.submit(_job, args): key for key, args in todo}
        for done in as_completed(futures):
            keep(done)
    finally:  # stopped (Ctrl-C, SIGTERM): the submissions in hand finish and are kept, no other starts
        pool.shutdown(wait=True, cancel_futures=True)
        for done in futures:
            if done not in kept and done.done() and not done.cancelled() and done.exception() is None:
                keep(done)
        if not trusted:  # what the ended workers left: a container created after its worker gave up on it
            sandbox.cleanup_containers(engine)
    _manual_template(out)
    return gradebook(out, roster=roster, fmt=fmt)


def _load_results(out: Path) -> dict:
    found = {}
    for path in sorted((out / RESULTS).glob("*/*.json")):
        found[path.parent.name, path.stem] = json.loads(path.read_text(encoding="utf-8"))["rows"]
    if not found:
        raise FileNotFoundError(f"There are no graded submissions in {out} (run 'python -m alliances grade' first).")
    return found


def _manual_template(out: Path) -> None:
    """``manual-grades.csv``: one row per hand-graded exercise of each submission, points blank."""
    path = out / "manual-grades.csv"
    if path.exists():
        return
    rows = [[s, n, e, "", m, ""] for (s, n), result in sorted(_load_results(out).items())
            for e, p, m, why in result if why == "graded by hand"]
    if rows:
        _write_csv(path, ["student", "set", "exercise", "points", "max_points", "comment"], rows)


def _manual(out: Path, results: dict) -> dict:
    """Hand-graded points from ``manual-grades.csv``: {(student, set, exercise): (points, comment)}."""
    path, found = out / "manual-grades.csv", {}
    if not path.exists():
        return found
    with open(path, newline="", encoding="utf-8-sig") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            key = (row.get("student", ""), row.get("set", ""), row.get("exercise", ""))
            text = (row.get("points") or "").strip()
            if not text:
                continue
            rows = {r[0]: r for r in results.get(key[:2], [])}
            if key[2] not in rows or rows[key[2]][3] != "graded by hand":
                raise ValueError(f"{path}, line {n}: {key[0]} / {key[1]} has no hand-graded exercise {key[2]!r}.")
            try:
                points = float(text)
            except ValueError:
                raise ValueError(f"{path}, line {n}: points {text!r} is not a number.") from None
            if not 0 <= points <= float(rows[key[2]][2]):
                raise ValueError(f"{path}, line {n}: {points:g} points is outside 0 to {rows[key[2]][2]}.")
            found[key] = (_points(points), (row.get("comment") or "").strip())
    return found


def _read_roster(path) -> dict:
    if path is None:
        return {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "folder" not in (reader.fieldnames or []):
            raise ValueError(f"The roster {path} needs a 'folder' column (the submission folder of each student).")
        return {row["folder"]: row for row in reader}


# Canvas: "Student", "ID", "SIS User ID", "SIS Login ID", "Section", then one column per assignment;
# a second row "Points Possible" gives the maxima (Canvas gradebook CSV import, as described in
# e.g. https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades).
CANVAS = [("Student", "name"), ("ID", "id"), ("SIS User ID", "sis_user_id"), ("SIS Login ID", "sis_login_id"),
          ("Section", "section")]
# Moodle: a column that identifies the user (email address, ID number or username; chosen under
# "Identify user by" / "Map from" at import) and one column per grade item
# (https://docs.moodle.org/311/en/Grade_import).
MOODLE = [("Email address", "email"), ("ID number", "idnumber"), ("Username", "username")]


def gradebook(out_dir, roster=None, fmt: str = "plain"):
    """Recompute ``grades.csv``, ``gradebook.csv`` and feedback from kept results and hand grades.

    ``fmt``: "plain" (student, roster columns, one column per set, total, pending), "canvas" or
    "moodle" (what those import; needs ``roster``, a CSV with a ``folder`` column and the LMS
    identifiers: name, id, sis_user_id, sis_login_id, section for Canvas; email, idnumber or
    username for Moodle). Returns the rows of grades.csv as dicts.
    """
    out = Path(out_dir)
    results = _load_results(out)
    hand = _manual(out, results)
    people = _read_roster(roster)
    rows, sets, maxima = [], sorted({n for _, n in results}), {}
    totals: dict = {}
    for (student, name), result in sorted(results.items()):
        final = []
        for e, p, m, why in result:
            if (student, name, e) in hand:
                p, note = hand[student, name, e]
                why = "graded by hand" + (f": {note}" if note else "")
            final.append((e, p, m, why))
        rows += [dict(zip(FIELDS, (student, name, e, _points(p), _points(m), why))) for e, p, m, why in final]
        maxima[name] = max(maxima.get(name, 0), sum(float(r[2]) for r in final))
        earned = sum(float(r[1]) for r in final if r[1] != "")
        pending = sum(float(r[2]) for r in final if r[1] == "")
        totals.setdefault(student, {})[name] = (earned, pending)
        folder = out / "feedback" / student
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.md").write_text(_feedback(student, name, final), encoding="utf-8")
    _write_csv(out / "grades.csv", FIELDS, [[r[k] for k in FIELDS] for r in rows])
    students = sorted(totals)
    if fmt == "plain":
        extra = sorted({k for row in people.values() for k in row if k != "folder"})
        table = [[s, *(people.get(s, {}).get(k, "") for k in extra),
                  *(_points(totals[s].get(n, (0, 0))[0]) for n in sets),
                  _points(sum(v[0] for v in totals[s].values())), _points(sum(v[1] for v in totals[s].values()))]
                 for s in students]
        _write_csv(out / "gradebook.csv", ["student", *extra, *sets, "total", "pending"], table)
        return rows
    spec = {"canvas": CANVAS, "moodle": MOODLE}.get(fmt)
    if spec is None:
        raise ValueError(f"Unknown gradebook format {fmt!r} (plain, canvas or moodle).")
    if not people:
        raise ValueError(f"--format {fmt} needs --roster (a CSV with a 'folder' column and the {fmt.title()} identifiers).")
    missing = [s for s in students if s not in people]
    if missing:
        raise ValueError(f"The roster has no row for: {', '.join(missing[:10])}.")
    have = [(label, key) for label, key in spec if any(people[s].get(key) for s in students)]
    if fmt == "moodle":
        have = have[:1]
    if not have:
        raise ValueError(f"The roster has none of the columns {fmt.title()} matches students on: "
                         f"{', '.join(k for _, k in spec)}.")
    header = [label for label, _ in have] + sets
    table = [[people[s].get(k, "") for _, k in have] + [_points(totals[s].get(n, (0, 0))[0]) for n in sets]
             for s in students]
    if fmt == "canvas":
        table.insert(0, ["Points Possible"] + [""] * (len(have) - 1) + [_points(maxima[n]) for n in sets])
    _write_csv(out / f"gradebook-{fmt}.csv", header, table)
    return rows


def _feedback(student: str, name: str, rows) -> str:
    got = sum(float(r[1]) for r in rows if r[1] != "")
    pending = sum(float(r[2]) for r in rows if r[1] == "")
    total = sum(float(r[2]) for r in rows)
    score = (f"**Score: {_points(got)} / {_points(total)} points**" if not pending else
             f"**Score so far: {_points(got)} points earned, {_points(pending)} points pending hand grading, "
             f"maximum {_points(total)} points**")
    lines = [f"# {name}: feedback for {student}", "", score, "",
             "| exercise | points | result |", "|---|---|---|"]
    lines += [f"| {e} | {'pending' if p == '' else _points(p)} / {_points(m)} | {why.replace('|', '/')} |"
              for e, p, m, why in rows]
    lines += ["", "Only your answer cells were graded; every test cell, including hidden tests, "
              "came from the original problem set."]
    return "\n".join(lines) + "\n"
