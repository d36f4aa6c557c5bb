"""Run one submission: its answers in a sandbox, the source's tests in the checker; then score it.

The notebook is rebuilt from the source (``plan.assemble``): only the student's answer cells come
from the submission. A sandbox that dies or ignores a stop is started again (the cells that ran
before are replayed) and that cell scores 0, so later answers still count.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

import hashlib

from . import client, sandboxes, untrusted
from .limits import OUTPUT_CAP, STARTUP
from .plan import assemble, plan
from .score import _error, score


# Run in the checker after each test cell: error carried forward (alliances.checks.carried_forward)
# leaves the earlier exercises it credited; the probe reports them as a CarriedForward error and clears them.
ECF_PROBE = """from alliances import checks as _checks
_carried = sorted(_checks._CARRIED)
_checks._CARRIED.clear()
if _carried:
    raise _checks.CarriedForward(" and ".join(_carried))
"""


class SandboxMissing(RuntimeError):
    """No sandbox here, and the instructor did not say the work is trusted."""


_SANDBOXES: dict = {}  # (engine, image) -> (the sandbox found or None, why the others cannot run)


def _sandbox(engine: str, image: str | None) -> str:
    """The sandbox to use for ``engine`` ("auto" or a name), checked once per process."""
    if (engine, image) not in _SANDBOXES:
        _SANDBOXES[engine, image] = sandboxes.find_sandbox(engine, image)
    found, why = _SANDBOXES[engine, image]
    if found is None:
        wanted = "No sandbox works here" if engine == "auto" else f"The {engine} sandbox does not work here"
        raise SandboxMissing(
            f"{wanted}: {why}. Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap), Podman or "
            "Docker to grade in sandboxes (see the README, 'Grading untrusted submissions'), or pass "
            "--trusted if you trust the code in these submissions.")
    return found


def _trusted(checker, msg, timeout, relay=None):
    try:
        return checker.request(msg, timeout, on_call=relay)
    except client.WorkerDied as err:
        raise client.WorkerDied(f"grader error: the checker stopped ({err.why})") from None


def run(nb, source, tmp: Path, timeout: int, notebook_timeout: int, trusted: bool = False,
        hide: tuple = (), engine: str = "bubblewrap", image: str | None = None):
    """Run ``nb`` (answers from the student, the rest from ``source``) in a sandbox and a checker.

    Returns (replies by cell index, index where execution stopped or None, why, capped).
    """
    deadline = time.monotonic() + notebook_timeout
    if trusted:
        (tmp / "sandbox").mkdir()
    checker = client.warm_checker()
    replies, stop, why, output, done, boxes = {}, None, "", 0, [], []
    clean = False  # reuse the checker only if this run ended without an unexpected error

    def left():
        return deadline - time.monotonic()

    def start():
        """A new sandbox that has run every set-up and answer cell that ran before (none failed)."""
        if trusted:
            argv, env, limit = sandboxes.unsandboxed_command(tmp / "sandbox", notebook_timeout + 30)
            stop = None
        else:  # a new command each time: a container's name is its own
            argv, env, limit, stop = sandboxes.sandbox_command(engine, list(hide) + [tmp], notebook_timeout + 30,
                                                             image)
        # in this submission's own folder: podman's conmon creates a file "oom" in its working
        # directory when the container runs out of memory
        boxes.append(client.Worker(argv, env, cwd=str(tmp / "sandbox") if trusted else str(tmp), preexec_fn=limit,
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
        except client.WorkerDied as err:
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
                    except client.WorkerDied as err:
                        replies[i] = {"status": "error", "ename": "GraderTimeout" if err.why == "timeout" else
                                      "KernelDied", "evalue": f"handing over your answers failed ({err.why})"}
                        continue
                    values = got.get("values") if isinstance(got.get("values"), dict) else {}
                    values = {k: v for k, v in values.items() if k in names}
                    _trusted(checker, {"op": "set", "values": values,
                                     "delete": [n for n in names if n not in values]}, left())
                    replies[i] = _trusted(checker, {"op": "run", "source": source.cells[i].source},
                                          max(1, left()), relay)
                    probe = _trusted(checker, {"op": "run", "source": ECF_PROBE}, max(1, left()))
                    if probe.get("ename") == "CarriedForward" and replies[i].get("status") == "ok":
                        replies[i]["carried"] = probe.get("evalue", "")
                    continue
                try:
                    replies[i] = box.request({"op": "run", "source": nb.cells[i].source}, min(timeout, left()))
                except client.WorkerDied as err:  # stopped or killed: this cell fails, the rest goes on
                    if err.why == "answer too large":
                        raise
                    replies[i] = {"status": "error", "ename": "GraderTimeout" if err.why == "timeout" else "KernelDied",
                                  "evalue": err.why}
                else:
                    output = max(output, int(replies[i].get("output", 0) or 0))
                    if replies[i].get("status") == "ok":
                        done.append(i)
                if kind == "setup":
                    _trusted(checker, {"op": "run", "source": source.cells[i].source}, left())
            except client.WorkerDied as err:
                stop, why = i, err.why
                break
        clean = True
    finally:
        for worker in boxes:
            worker.close()
        client.release_checker(checker, reuse=clean)
        for worker in boxes:
            sandboxes.cleanup_cgroups(worker.proc.pid)
    return replies, stop, why, output > OUTPUT_CAP


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
    try:  # never through a link, a device or a FIFO (untrusted.py)
        data = untrusted.read(path.parent.parent, path.parent.name, path.name)
    except untrusted.Refused as err:
        return [(e.grade_id, 0, e.points, str(err)) for e in found]
    digest = hashlib.sha256(data).hexdigest()
    tmp = Path(tempfile.mkdtemp(prefix="alliances-grade-"))
    try:
        copied = tmp / "submission.ipynb"
        copied.write_bytes(data)
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
        changed = hashlib.sha256(untrusted.read(path.parent.parent, path.parent.name, path.name)).hexdigest() != digest
    except (OSError, untrusted.Refused):
        changed = True
    if changed:
        rows = [(*r[:3], r[3] + "; warning: the submitted file changed during grading") for r in rows]
    return rows
