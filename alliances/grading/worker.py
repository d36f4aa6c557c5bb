"""The worker loop of both workers, and the command and environment that start one.

Two kinds of worker process speak one JSON-lines protocol (``protocol.py``) with the grader:

- the **sandbox** (inside bubblewrap or a container) runs the set-up cells and the student's
  answer cells, and hands out the values of named variables as data;
- the **checker** (a clean process that never runs student code) runs the source's set-up and
  test cells with those values put in its namespace.

``python -m alliances.grading.worker {sandbox,checker}`` serves one role on stdin/stdout.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sys
from pathlib import Path

from .protocol import MAX_LINE, AnswerError, Unsupported, decode, encode


class GraderTimeout(BaseException):
    """A cell or call ran longer than its time limit."""


class _Sink:
    """Where printed output goes in a worker: counted, then dropped."""

    def __init__(self):
        self.count = 0

    def write(self, text):
        self.count += len(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def _serve(role: str) -> None:
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    rin, wout = os.fdopen(rfd, "rb"), os.fdopen(wfd, "wb")
    if os.environ.get("ALLIANCES_ADDRESS_SPACE"):
        # a container's sandbox: what bubblewrap's preexec_fn does; not all engines take this ulimit
        # (podman does not), and without capabilities the student's code cannot raise it again: a
        # huge allocation fails with MemoryError instead of the container being killed for memory.
        # The checker: rebuilding an answer can take far more memory than its few bytes of JSON (a
        # one-element array of dtype <U500000000 is 2 GB), so it fails there too, not the machine.
        limit = int(os.environ["ALLIANCES_ADDRESS_SPACE"])
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):  # a system without this limit (macOS): only a checker runs there
            if role == "sandbox":
                raise
    if role == "sandbox" and os.environ.get("ALLIANCES_WORKDIR"):
        os.chdir(os.environ["ALLIANCES_WORKDIR"])
    os.environ.setdefault("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    config.InteractiveShell.colors = "NoColor"
    shell = InteractiveShell.instance(config=config)
    sink = _Sink()
    sys.stdout = sys.stderr = sink
    functions: dict = {}

    def send(msg):
        wout.write(json.dumps(msg).encode() + b"\n")
        wout.flush()

    def receive():
        line = rin.readline(MAX_LINE)
        if not line:  # the grader has gone: a checker removes its own working folder
            if role == "checker" and os.environ.get("ALLIANCES_CHECKER_DIR"):
                shutil.rmtree(os.environ["ALLIANCES_CHECKER_DIR"], ignore_errors=True)
            os._exit(0)
        return json.loads(line)

    def on_alarm(*_):
        raise GraderTimeout("timeout")

    signal.signal(signal.SIGALRM, on_alarm)

    def call_out(ref, args, kwargs):
        send({"op": "call", "ref": ref, "args": encode(list(args)), "kwargs": encode(dict(kwargs))})
        reply = receive()
        if "error" in reply:
            raise AnswerError(reply["error"])
        return decode(reply["value"], call_out)

    def error(err):
        try:
            return {"status": "error", "ename": type(err).__name__, "evalue": str(err)[:2000]}
        except BaseException:
            return {"status": "error", "ename": type(err).__name__, "evalue": ""}

    while True:
        msg = receive()
        op, limit = msg.get("op"), int(msg.get("timeout", 60))
        reply: dict = {"status": "ok"}
        signal.alarm(limit)
        try:
            if op == "run":
                result = shell.run_cell(msg["source"], store_history=False)
                err = result.error_before_exec or result.error_in_exec
                if err is not None:
                    reply = error(err)
            elif op == "get" and role == "sandbox":
                values = {}
                for name in msg["names"]:
                    if name in shell.user_ns:
                        try:
                            values[name] = encode(shell.user_ns[name], functions)
                        except Exception as err:  # too large, or the value broke while encoded
                            values[name] = {"__t": "unsupported", "kind": f"value that failed to encode: {err}"[:200]}
                reply["values"] = values
            elif op == "call" and role == "sandbox":
                func = functions[msg["ref"]]
                try:
                    reply["value"] = encode(func(*decode(msg["args"]), **decode(msg["kwargs"])), functions)
                except GraderTimeout:
                    raise
                except BaseException as err:
                    reply = {"error": f"your function raised {type(err).__name__}: {str(err)[:500]}"}
            elif op == "reset" and role == "checker":  # before the next submission: nothing of this one stays
                shell.reset(new_session=False)
                import matplotlib.pyplot as plt
                plt.close("all")
            elif op == "set" and role == "checker":
                for name in msg.get("delete", []):
                    shell.user_ns.pop(name, None)
                for name, data in msg.get("values", {}).items():
                    try:
                        shell.user_ns[name] = decode(data, call_out)
                    except Exception as err:  # one value that cannot be rebuilt spoils only itself
                        shell.user_ns[name] = Unsupported(f"value that could not be rebuilt ({type(err).__name__})")
            else:
                reply = {"status": "error", "ename": "ProtocolError", "evalue": f"bad request {op!r}"}
        except GraderTimeout:
            reply = {"status": "error", "ename": "GraderTimeout", "evalue": "timeout", "error": "timeout"}
        except BaseException as err:
            reply = error(err)
        finally:
            signal.alarm(0)
        reply["output"] = sink.count
        send(reply)


def home_env(home, tmp=None) -> dict:
    """The worker's home folders: ``HOME``, ``TMPDIR`` (``tmp``, default ``home``), matplotlib's and
    IPython's configuration folders under ``home``."""
    return {"HOME": str(home), "TMPDIR": str(tmp or home), "MPLCONFIGDIR": f"{home}/.mpl",
            "IPYTHONDIR": f"{home}/.ipython"}


def _worker_env(extra: dict) -> dict:
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if k in os.environ}
    return {**keep, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", **extra}


def _entry(role: str = "", code: str = "") -> list[str]:
    """The command of a worker (or running ``code``): this Python, isolated mode, this copy of the package."""
    parent = str(Path(__file__).resolve().parent.parent.parent)
    code = code or f"from alliances.grading.worker import _serve; _serve({role!r})"
    # the real folder of this Python (a venv reached through a link is bound where it really is),
    # but its own name in it: resolving the file itself would leave the venv for the base Python
    python = Path(sys.executable).parent.resolve() / Path(sys.executable).name
    return [str(python), "-I", "-c", f"import sys; sys.path.insert(0, {parent!r}); {code}"]


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in ("sandbox", "checker"):
        _serve(sys.argv[1])
    else:
        sys.exit("usage: python -m alliances.grading.worker {sandbox,checker} (started by the grader)")
