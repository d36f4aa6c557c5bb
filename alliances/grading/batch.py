"""Grade a batch: every submission of every student on several processes, resumable."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import hashlib

import nbformat

from ..hashing import sha256
from . import paths, report, sandboxes, untrusted, variants
from .gradebook import _manual_template, gradebook, roster_folders
from .markup import exercises
from .paths import read, sources
from .run import _sandbox, grade_one
from .sandboxes.common import SYSTEM, view


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _job(args):
    path, source_path, choice, timeout, notebook_timeout, trusted, hide, engine, image = args
    source = variants.render(read(source_path), choice)  # choice None: the default variant
    found = exercises(source, Path(source_path).name)
    return grade_one(None if path is None else Path(path), source, found, timeout, notebook_timeout,
                     trusted, hide, engine, image)


def _variants_key(roster, secret, varied: list[str], trusted: bool) -> tuple[bytes | None, set | None]:
    """The course secret and the roster's folders when submissions are graded per student, else (None, None)."""
    if secret is not None and roster is None:
        raise ValueError("--secret needs --roster ROSTER.csv (the roster 'release --roster' was given).")
    if secret is None:
        if roster is not None and varied:
            raise ValueError(f"{', '.join(varied)} declares per-student variants: grading with --roster needs "
                             "--secret SECRET_FILE (the course secret of 'release --roster'), or grade without "
                             "--roster to grade every submission against the default variant.")
        return None, None
    where = Path(secret).resolve()
    if not trusted and any(where.is_relative_to(Path(p).resolve()) for p in (*SYSTEM, *view(())[0])):
        raise ValueError(f"The course secret {secret} lies where the sandboxes can read it (with this Python, "
                         "the package or its data): keep it elsewhere.")
    return variants.read_secret(secret), set(roster_folders(roster))


def grade(submissions_dir, source_dir="exercises", out_dir="grades", timeout: int = 60, notebook_timeout: int | None = None,
          jobs: int | None = None, trusted: bool = False, force: bool = False, roster=None,
          fmt: str = "plain", progress=None, engine: str = "auto", image: str | None = None, secret=None):
    """Grade every ``submissions_dir/<student>/<set>.ipynb`` on ``jobs`` processes; write the outputs.

    ``timeout``: seconds per cell; ``notebook_timeout``: seconds per notebook (default 5 x
    timeout). A student without a notebook for a set someone submitted gets "not submitted".
    Each graded submission is kept in ``out_dir/.results`` at once, so an interrupted batch
    resumes where it stopped; a finished batch (``grades.csv`` exists) is graded again only with
    ``force``. ``engine``/``image``: the sandbox (see the module's docstring). ``progress``: a
    ``progress.Progress`` (start, done, close) or a callable given (student, set) as each
    submission is graded. A notebook or folder that is a link, device or FIFO is never read: its
    rows are 0 points with the reason (``untrusted.py``). A set with variants is graded against
    its default variant, or, with ``roster`` and ``secret`` (the course secret's file), against
    the variant drawn for the submission's folder (``variants.draw``); a folder not on the roster
    then scores 0 on that set. Writes ``report.html`` (``report.py``) at the end. Returns the rows
    written to ``out_dir/grades.csv`` as dicts.
    """
    subs, out = Path(submissions_dir), Path(out_dir)
    if not subs.is_dir():
        raise FileNotFoundError(f"There is no folder {subs} with submissions.")
    known = sources(source_dir)
    students, handed, bad = untrusted.scan(subs)  # names only: nothing is followed or opened here
    if not handed and not bad:
        raise FileNotFoundError(f"There are no submissions in {subs} (expected {subs}/<student>/<set>.ipynb).")
    if (out / paths.GRADES).exists() and not force:
        raise FileExistsError(f"{out} already holds a finished batch (grades.csv). Use --force to grade "
                              f"again, or 'python -m alliances gradebook {out}' to recompute totals.")
    sets = sorted({s for _, s in handed}) or sorted(known)
    books = {s: read(known[s]) for s in sets if s in known}
    groups = {s: variants.check(nb, known[s].name) for s, nb in books.items()}  # MarkupError before grading
    key, on_roster = _variants_key(roster, secret, [s for s in sets if groups.get(s)], trusted)
    if not trusted:
        engine = _sandbox(engine, image)
        sandboxes.cleanup_cgroups()
        sandboxes.cleanup_containers(engine)
    results = out / paths.RESULTS
    if force and results.exists():
        shutil.rmtree(results)
    out.mkdir(parents=True, exist_ok=True)
    digests = {s: sha256(known[s]) for s in sets if s in known}
    rendered = {}

    def source_digest(name, choice):  # what a kept result was graded against: the rendered variant
        if not groups.get(name):
            return digests.get(name)
        label = variants.label({g: (choice or {}).get(g, 0) for g in groups[name]})
        if (name, label) not in rendered:
            text = nbformat.writes(variants.render(books[name], choice))
            rendered[name, label] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return rendered[name, label]
    hide = tuple(p.resolve() for p in (subs, Path(source_dir), out))
    todo = []
    for student in students:
        for name in sets:
            file, where = handed.get((student, name)), paths.result_file(out, untrusted.display(student), name)
            if name not in known and file is None and student not in bad:
                continue
            path, why = (None if file is None else subs / student / file), bad.get(student)
            try:
                if why is None and file is not None:
                    data = untrusted.read(subs, student, file, limit=untrusted.MAX_NOTEBOOK if
                                          not file.endswith(untrusted.REFUSED) else 2000)
                    if file.endswith(untrusted.REFUSED):
                        why = " ".join(data.decode("utf-8", "replace").split()) or "refused"
            except untrusted.Refused as err:
                why = str(err)
            choice = None
            if key is not None and groups.get(name):
                if untrusted.display(student) in on_roster:
                    choice = variants.draw(groups[name], key, untrusted.display(student), name)
                elif why is None:
                    why = (f"not on the roster {Path(roster).name}: this set has per-student variants, so a "
                           "submission is graded only in a folder named on the roster")
            if why is not None:  # never graded: 0 points with the reason
                found = exercises(books[name], known[name].name) if name in known else []
                _write_json(where, {"submission": None, "source": source_digest(name, choice), "rows": [
                    [e.grade_id, 0, e.points, why] for e in found] or [["", 0, 0, why]]})
                continue
            digest = hashlib.sha256(data).hexdigest() if path is not None else None
            if where.exists():
                try:
                    kept = json.loads(where.read_text(encoding="utf-8"))
                    if kept.get("submission") == digest and kept.get("source") == source_digest(name, choice):
                        continue
                except ValueError:
                    pass
            if name not in known:
                _write_json(where, {"submission": digest, "source": None, "rows": [
                    ["", 0, 0, f"no problem set {name}.ipynb in {Path(source_dir).as_posix()}"]]})
                continue
            todo.append(((untrusted.display(student), name, digest, source_digest(name, choice)),
                         (None if path is None else str(path), str(known[name]), choice,
                          timeout, notebook_timeout, trusted, hide, engine, image)))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()  # macOS: none
    jobs = max(1, jobs or cores or 1)
    pool, kept = ProcessPoolExecutor(max_workers=min(jobs, max(1, len(todo)))), set()

    def keep(done):
        student, name, digest, source = futures[done]
        rows = [list(r) for r in done.result()]
        _write_json(paths.result_file(out, student, name), {"submission": digest, "source": source, "rows": rows})
        kept.add(done)
        if hasattr(progress, "done"):  # a progress.Progress: done/total, failures, time left
            progress.done(student, name, rows)
        elif progress:
            progress(student, name)

    futures = {}
    if hasattr(progress, "start"):
        progress.start(len(todo))
    try:
        futures = {pool.submit(_job, args): key for key, args in todo}
        for done in as_completed(futures):
            keep(done)
    finally:  # stopped (Ctrl-C, SIGTERM): the submissions in hand finish and are kept, no other starts
        pool.shutdown(wait=True, cancel_futures=True)
        for done in futures:
            if done not in kept and done.done() and not done.cancelled() and done.exception() is None:
                keep(done)
        if hasattr(progress, "close"):
            progress.close()
        if not trusted:  # what the ended workers left: a container created after its worker gave up on it
            sandboxes.cleanup_containers(engine)
    _manual_template(out)
    rows = gradebook(out, roster=roster, fmt=fmt)
    report.write(out, rows)  # report.html: distributions, share right, frequent mistakes
    return rows
