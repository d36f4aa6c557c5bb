"""The grader's side of a worker: one process and its protocol, and the pool of warm checkers."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from . import limits
from .protocol import MAX_LINE
from .worker import _entry, _worker_env, home_env


class WorkerDied(RuntimeError):
    """The worker process ended, broke the protocol or ran out of time."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


class Worker:
    """A worker process and its protocol; ``request`` sends one message and waits for the reply."""

    def __init__(self, argv, env, cwd=None, preexec_fn=None, stop=None):
        self.stop = stop  # for a container: removes it (killing the client would leave it running)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env, cwd=cwd, preexec_fn=preexec_fn,
                                     start_new_session=True)
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)
        os.set_blocking(self.proc.stdout.fileno(), False)

    def _line(self, deadline: float) -> dict:
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise WorkerDied("timeout")
            if not self.selector.select(min(left, 1.0)):
                continue
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                self.close()
                raise WorkerDied("kernel died")
            self.buffer += chunk
            if len(self.buffer) > MAX_LINE:
                self.close()
                raise WorkerDied("answer too large")
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            msg = json.loads(line)
            if not isinstance(msg, dict):
                raise ValueError
            return msg
        except (ValueError, RecursionError):  # also a container's "worker exited" (containers.EXITED)
            self.close()
            raise WorkerDied("kernel died") from None

    def send(self, msg: dict) -> None:
        try:
            self.proc.stdin.write(json.dumps(msg).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            self.close()
            raise WorkerDied("kernel died") from None

    def request(self, msg: dict, timeout: float, on_call=None) -> dict:
        """Send ``msg``; answer "call" messages with ``on_call(msg)`` until the reply comes."""
        deadline = time.monotonic() + timeout + 5
        self.send({**msg, "timeout": max(1, int(timeout))})
        while True:
            reply = self._line(deadline)
            if reply.get("op") == "call" and on_call is not None:
                self.send(on_call(reply))
                continue
            return reply

    def close(self) -> None:
        if self.stop is not None:
            if self.proc.poll() is None:
                self.stop()
            self.stop = None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.selector.close()


def checker(tmp: Path) -> Worker:
    """A clean checker process (never runs student code) working in ``tmp``."""
    from ..data import ENV_VAR, data_dir
    env = _worker_env({**home_env(tmp), ENV_VAR: str(data_dir()), "ALLIANCES_CHECKER_DIR": str(tmp),
                       "ALLIANCES_ADDRESS_SPACE": str(limits.MEMORY)})  # see _serve
    return Worker(_entry("checker"), env, cwd=str(tmp))


_WARM: list = []  # this process's checker, kept between submissions


def warm_checker() -> Worker:
    """This process's checker, started once and reset between submissions.

    The checker only ever runs the source's set-up and test cells on answers that arrive as data,
    so it can serve one submission after another: ``release_checker`` clears its namespace (and
    figures) after each, and a checker that failed or timed out is closed and replaced. Reusing it
    saves each submission a Python start, the imports and the data loading (about 1.3 s of CPU).
    """
    if _WARM and _WARM[0].proc.poll() is None:
        return _WARM[0]
    for dead in _WARM:  # killed (a timeout): its folder was not removed by the checker itself
        _close_checker(dead)
    _WARM.clear()
    home = Path(tempfile.mkdtemp(prefix="alliances-checker-"))
    _WARM.append(checker(home))
    _WARM[0].home = home
    return _WARM[0]


def _close_checker(worker: Worker) -> None:
    worker.close()
    if getattr(worker, "home", None):
        shutil.rmtree(worker.home, ignore_errors=True)


def release_checker(worker: Worker, reuse: bool = True) -> None:
    """Reset ``worker`` for the next submission, or close it (a new one starts when needed).

    ``reuse=False`` (a run that ended in an unexpected error, which may have left a reply unread)
    always closes it."""
    try:
        if reuse and worker.proc.poll() is None and not worker.buffer and \
                worker.request({"op": "reset"}, 30).get("status") == "ok":
            return
    except WorkerDied:
        pass
    _close_checker(worker)
    _WARM[:] = [w for w in _WARM if w is not worker]
