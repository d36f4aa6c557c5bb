"""Run untrusted notebook code in a sandbox; move answers out of it as plain data.

Two kinds of worker process speak one JSON-lines protocol with the grader (``grade.py``):

- the **sandbox** (``python -m alliances.sandbox sandbox``, inside bubblewrap) runs the set-up
  cells and the student's answer cells, and hands out the values of named variables as data;
- the **checker** (``python -m alliances.sandbox checker``, a clean process that never runs
  student code) runs the source's set-up and test cells with those values put in its namespace.

Values cross as JSON with a small typed encoding (numbers, text, lists, sets, dicts, numpy
scalars and arrays, pandas Series/DataFrame/Index, timestamps; never pickle). A function becomes
a proxy in the checker: calling it sends the (encoded) arguments to the sandbox, which calls the
student's function there and sends back only the encoded result. A matplotlib Axes is reduced to
a JSON description (titles, labels, lines, bars) inside the sandbox and redrawn in the checker.

Sandboxes (``find_sandbox`` picks the first that works: bubblewrap, then Podman, then Docker):

- ``bwrap_command``: bubblewrap with every namespace unshared (no network, own PIDs, IPC,
  hostname), only the Python installation, this package and its data visible, read-only, and a
  size-limited tmpfs as the only writable place; memory, processes, CPU time and file size limited.
- ``container_command``: a Podman or Docker container with the same view and limits (no network,
  read-only root, tmpfs scratch, user ``nobody``, no capabilities, ``--pids-limit``, ``--memory``,
  ulimits). On Linux it starts from an empty image and mounts this machine's Python, package and
  data read-only, so nothing is downloaded or built; elsewhere (or by choice) it runs an image with
  the package installed (``--image``; ``build_image`` writes and builds it), checked to hold this
  version of the package and of Python.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import io
import itertools
import json
import os
import resource
import secrets
import selectors
import shutil
import tempfile
import signal
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

__all__ = ["encode", "decode", "Worker", "WorkerDied", "ENGINES", "find_sandbox", "sandbox_command",
           "bwrap_command", "container_command", "sandbox_available"]

MAX_LINE = 64 * 1024 * 1024   # bytes of one protocol message
MAX_ITEMS = 5_000_000         # values in one encoded answer
OUTPUT_CAP = 1_000_000        # bytes of printed output counted before "capped"
MEMORY = 3 * 1024 ** 3        # address space / memory limit of a sandbox
PIDS = 64                     # processes and threads in one sandbox
SCRATCH = 64 * 1024 ** 2      # bytes of the writable tmpfs folders
FILE_SIZE = 32 * 1024 ** 2    # largest file a sandbox can write


# ---------------------------------------------------------------------------- encoding

class Unsupported:
    """Stands in the checker for a value that cannot leave the sandbox as data."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self):
        return f"<{self.kind} (cannot be graded: not a number, text, collection, table or figure)>"


def _axes(ax, enc) -> dict:
    def texts(items):
        return [str(t.get_text()) for t in items]
    return {"__t": "Axes", "title": [ax.get_title(loc=w) for w in ("left", "center", "right")],
            "xlabel": str(ax.get_xlabel()), "ylabel": str(ax.get_ylabel()),
            "lines": [[enc(list(map(_plain, ln.get_xdata()))), enc(list(map(_plain, ln.get_ydata()))),
                       str(ln.get_label())] for ln in ax.get_lines()],
            "bars": [[float(p.get_x()), float(p.get_y()), float(p.get_width()), float(p.get_height())]
                     for p in ax.patches if type(p).__name__ == "Rectangle"],
            "texts": texts(ax.texts)}


def _plain(x):
    return x.item() if hasattr(x, "item") and not isinstance(x, (list, tuple)) else x


def encode(value, functions: dict | None = None) -> object:
    """``value`` as JSON-able data; functions are registered in ``functions`` by id."""
    import numpy as np
    import pandas as pd
    count = [0]

    def enc(v, depth=0):
        count[0] += 1
        if count[0] > MAX_ITEMS or depth > 40:
            raise ValueError("answer too large or nested too deeply")
        if v is None or type(v) in (bool, str):
            return v
        if v is Ellipsis:
            return {"__t": "ellipsis"}
        if type(v) is int:
            return v if abs(v) < 2 ** 53 else {"__t": "int", "v": str(v)}
        if type(v) is float:
            return {"__t": "float", "v": repr(v)} if v != v or v in (float("inf"), float("-inf")) else v
        if isinstance(v, np.generic):
            return {"__t": "np", "dtype": str(v.dtype), "v": enc(v.item(), depth + 1)}
        if isinstance(v, bool):
            return bool(v)
        if isinstance(v, int):
            return enc(int(v), depth + 1)
        if isinstance(v, float):
            return enc(float(v), depth + 1)
        if isinstance(v, str):
            return str.__str__(v)
        if isinstance(v, (bytes, bytearray)):
            return {"__t": "bytes", "v": base64.b64encode(bytes(v)).decode()}
        if isinstance(v, (list, tuple, set, frozenset, range)):
            kind = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset", range: "list"}
            tag = next((t for c, t in kind.items() if isinstance(v, c)), "list")
            items = [enc(x, depth + 1) for x in list(v)]
            return items if tag == "list" else {"__t": tag, "v": items}
        if isinstance(v, dict):
            return {"__t": "dict", "v": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in list(v.items())]}
        if v is pd.NaT:
            return {"__t": "NaT"}
        if v is pd.NA:
            return {"__t": "NA"}
        if isinstance(v, pd.Timestamp):
            return {"__t": "Timestamp", "v": v.isoformat()}
        if isinstance(v, (datetime.datetime, datetime.date)):
            kind = "datetime" if isinstance(v, datetime.datetime) else "date"
            return {"__t": kind, "v": type(v).isoformat(v)}
        if isinstance(v, pd.Index):
            return {"__t": "Index", "v": [enc(x, depth + 1) for x in v.tolist()], "names": enc(list(v.names)),
                    "dtype": str(v.dtype)}
        if isinstance(v, pd.Series):
            return {"__t": "Series", "v": [enc(x, depth + 1) for x in v.tolist()], "index": enc(v.index, depth + 1),
                    "name": enc(v.name, depth + 1), "dtype": str(v.dtype)}
        if isinstance(v, pd.DataFrame):
            return {"__t": "DataFrame", "columns": enc(v.columns, depth + 1), "index": enc(v.index, depth + 1),
                    "v": [enc(v.iloc[:, i], depth + 1) for i in range(v.shape[1])]}
        if isinstance(v, np.ndarray):
            return {"__t": "ndarray", "dtype": str(v.dtype), "v": enc(v.tolist(), depth + 1)}
        if type(v).__name__ == "Axes" or any(c.__name__ == "Axes" for c in type(v).__mro__):
            return _axes(v, lambda x: enc(x, depth + 1))
        if callable(v) and functions is not None:
            ref = str(len(functions))
            functions[ref] = v
            return {"__t": "function", "ref": ref, "name": str(getattr(v, "__name__", "function"))}
        return {"__t": "unsupported", "kind": type(v).__name__[:80]}

    return enc(value)


def decode(data, call=None):
    """The value that ``encode`` described; ``call(ref, args, kwargs)`` backs function proxies."""
    import numpy as np
    import pandas as pd

    def dec(d):
        if isinstance(d, list):
            return [dec(x) for x in d]
        if not isinstance(d, dict):
            return d
        t = d.get("__t")
        if t == "int":
            return int(d["v"])
        if t == "ellipsis":
            return ...
        if t == "float":
            return float(d["v"])
        if t == "np":
            return np.dtype(d["dtype"]).type(dec(d["v"]))
        if t == "bytes":
            return base64.b64decode(d["v"])
        if t in ("tuple", "set", "frozenset"):
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[t](_hashable(dec(x)) if t != "tuple" else dec(x)
                                                                           for x in d["v"])
        if t == "dict":
            return {_hashable(dec(k)): dec(v) for k, v in d["v"]}
        if t == "NaT":
            return pd.NaT
        if t == "NA":
            return pd.NA
        if t == "Timestamp":
            return pd.Timestamp(d["v"])
        if t in ("datetime", "date"):
            return getattr(datetime, t).fromisoformat(d["v"])
        if t == "Index":
            values, names = [_hashable(dec(x)) for x in d["v"]], dec(d["names"])
            if len(names) > 1:
                return pd.MultiIndex.from_tuples(values, names=names)
            return _astype(pd.Index(values, name=names[0] if names else None, dtype=object), d["dtype"])
        if t == "Series":
            return _astype(pd.Series([dec(x) for x in d["v"]], index=dec(d["index"]), name=_hashable(dec(d["name"])),
                                     dtype=object), d["dtype"])
        if t == "DataFrame":
            cols = [dec(c) for c in d["v"]]
            frame = pd.concat(cols, axis=1) if cols else pd.DataFrame(index=dec(d["index"]))
            frame.columns = dec(d["columns"])
            return frame
        if t == "ndarray":
            return np.array(dec(d["v"]), dtype=d["dtype"])
        if t == "Axes":
            return _draw(d, dec)
        if t == "function":
            return _proxy(d, call)
        return Unsupported(str(d.get("kind", "value")))

    return dec(data)


def _hashable(x):
    return tuple(_hashable(i) for i in x) if isinstance(x, list) else x


def _astype(obj, dtype: str):
    try:
        return obj.astype(dtype)
    except Exception:  # an unknown or impossible dtype: keep the values as they are
        return obj


def _draw(d, dec):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    fig, ax = plt.subplots()
    for loc, text in zip(("left", "center", "right"), d["title"]):
        if text:
            ax.set_title(text, loc=loc)
    ax.set_xlabel(d["xlabel"])
    ax.set_ylabel(d["ylabel"])
    for x, y, label in d["lines"]:
        ax.plot(dec(x), dec(y), label=label)
    for x, y, w, h in d["bars"]:
        ax.add_patch(Rectangle((x, y), w, h))
    for text in d["texts"]:
        ax.text(0, 0, text)
    return ax


class AnswerError(Exception):
    """The student's function raised an error (or could not be called) in the sandbox."""


def _proxy(d, call):
    def proxy(*args, **kwargs):
        if call is None:
            raise AnswerError("functions cannot be called here")
        return call(d["ref"], args, kwargs)
    proxy.__name__ = proxy.__qualname__ = d.get("name", "function")
    return proxy


# ---------------------------------------------------------------------------- worker side

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


# ---------------------------------------------------------------------------- grader side

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
        except (ValueError, RecursionError):
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


def _worker_env(extra: dict) -> dict:
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT") if k in os.environ}
    return {**keep, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", **extra}


def checker(tmp: Path) -> Worker:
    """A clean checker process (never runs student code) working in ``tmp``."""
    from .data import ENV_VAR, data_dir
    env = _worker_env({"HOME": str(tmp), "MPLCONFIGDIR": str(tmp / ".mpl"), "IPYTHONDIR": str(tmp / ".ipython"),
                       "TMPDIR": str(tmp), ENV_VAR: str(data_dir()), "ALLIANCES_CHECKER_DIR": str(tmp),
                       "ALLIANCES_ADDRESS_SPACE": str(MEMORY)})  # see _serve
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


def _entry(role: str = "", code: str = "") -> list[str]:
    """The command of a worker (or running ``code``): this Python, isolated mode, this copy of the package."""
    parent = str(Path(__file__).resolve().parent.parent)
    code = code or f"from alliances.sandbox import _serve; _serve({role!r})"
    return [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {parent!r}); {code}"]


ENGINES = ("bubblewrap", "podman", "docker")  # tried in this order by find_sandbox("auto")
PROGRAM = {"bubblewrap": "bwrap", "podman": "podman", "docker": "docker"}
ROOT_IMAGE = "alliances-sandbox-root:empty"  # an empty image: the container sees only what is mounted
NOBODY = "65534:65534"
NPROC = 4096  # per-user ulimit in a container (RLIMIT_NPROC counts all of nobody's processes on the host)


def sandbox_available(engine: str = "bubblewrap", image: str | None = None) -> str | None:
    """None if ``engine`` can run sandboxes here, else why not (one line)."""
    if engine not in ENGINES:
        return f"unknown sandbox {engine!r} (choose from {', '.join(ENGINES)})"
    if image is not None and engine == "bubblewrap":
        return "bubblewrap runs this machine's Python; --image needs podman or docker"
    program = PROGRAM[engine]
    if shutil.which(program) is None:
        return f"{engine} ({program}) is not installed"
    if engine == "bubblewrap":
        return _probe(_bwrap_args([], []) + ["/bin/true" if os.path.exists("/bin/true") else "true"], engine)[0]
    if image is None and sys.platform != "linux":
        return (f"{engine} here cannot mount this machine's Python into a Linux container; "
                "build the grading image and pass --image (see the README)")
    if image is None:
        if subprocess.run([program, "image", "inspect", ROOT_IMAGE], capture_output=True).returncode != 0:
            empty = io.BytesIO()
            tarfile.open(fileobj=empty, mode="w").close()
            why, _ = _probe([program, "import", "-", ROOT_IMAGE], engine, stdin=empty.getvalue())
            if why:
                return why
    argv, _, _, stop = container_command(engine, [], 30, image=image)
    code = "import alliances, sys; print(alliances.__version__, sys.version_info[:2])"
    argv = argv[:argv.index(image or ROOT_IMAGE) + 1 + len(_lifetime(30))] + (
        ["python", "-I", "-c", code] if image else _entry(code=code))
    try:
        why, out = _probe(argv, engine)
    finally:
        stop()
    from . import __version__
    if why is None and image is not None and out.strip() != f"{__version__} {sys.version_info[:2]}":
        return (f"the image {image} has alliances and Python {out.strip() or '(none)'}, this grader "
                f"{__version__} {sys.version_info[:2]}: rebuild it (see the README)")
    return why


def _probe(argv, engine, stdin=b"") -> tuple[str | None, str]:
    """(None or why ``argv`` failed, its output)."""
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{engine} does not run: {err}", ""
    if done.returncode != 0:
        err = " ".join(done.stderr.decode(errors="replace").split())
        return f"{engine} does not run here: {err[:300]}", ""
    return None, done.stdout.decode(errors="replace")


def find_sandbox(engine: str = "auto", image: str | None = None) -> tuple[str | None, str]:
    """(the sandbox to use, or None if none works; why the ones tried cannot be used).

    ``engine``: "auto" (the first of ``ENGINES`` that works) or one of ``ENGINES``."""
    tried = []
    for name in (ENGINES if engine == "auto" else (engine,)):
        if engine == "auto" and image is not None and name == "bubblewrap":
            continue
        why = sandbox_available(name, image)
        if why is None:
            return name, "; ".join(tried)
        tried.append(why)
    return None, "; ".join(tried)


def sandbox_command(engine: str, hide: list[Path], cpu_seconds: int, image: str | None = None):
    """(argv, env, preexec_fn, stop) that start a sandbox worker with ``engine``."""
    if engine == "bubblewrap":
        return (*bwrap_command(hide, cpu_seconds), None)
    return container_command(engine, hide, cpu_seconds, image)


_NAMES = itertools.count()


def _machine() -> str:
    """This machine and PID namespace, as 8 hex digits. A container's name carries it with the
    grader's PID, so that ``cleanup_containers`` judges only containers whose grader it can see
    (an engine may serve graders of several machines, or of containers with their own PIDs)."""
    where = socket.gethostname()
    try:
        where += os.readlink("/proc/self/ns/pid")
    except OSError:  # no /proc (macOS)
        pass
    return hashlib.sha256(where.encode()).hexdigest()[:8]


def _alive(pid: int) -> bool:
    """Is process ``pid`` running here (also where /proc does not show it: macOS, another user's)?"""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True
    return True


def _lifetime(seconds: int) -> list[str]:
    """The container's first process: coreutils' timeout bounds its wall-clock life even if the
    grader is killed (student code cannot signal a namespace's init); no sandbox needs longer."""
    return ["timeout", "--signal", "KILL", f"{seconds}s"]


def container_command(engine: str, hide: list[Path], cpu_seconds: int, image: str | None = None):
    """(argv, env, preexec_fn, stop) that start a sandbox worker in a Podman or Docker container.

    Without ``image``: the empty ``ROOT_IMAGE`` with this machine's system folders, Python, package
    and data mounted read-only at the same paths (as bubblewrap does), and ``hide`` masked. With
    ``image``: that image alone (its own Python and package). ``stop()`` removes the container."""
    from .data import ENV_VAR, data_dir
    program = PROGRAM[engine]
    name = f"alliances-sandbox-{_machine()}-{os.getpid()}-{next(_NAMES)}-{secrets.token_hex(4)}"
    inside = {"HOME": "/scratch", "TMPDIR": "/tmp", "MPLCONFIGDIR": "/scratch/.mpl",
              "IPYTHONDIR": "/scratch/.ipython", "ALLIANCES_ADDRESS_SPACE": str(MEMORY),  # see _serve
              "ALLIANCES_WORKDIR": "/scratch"}  # not --workdir: Docker then makes the tmpfs root's own
    argv = [program, "run", "--rm", "--interactive", "--name", name, "--pull", "never", "--log-driver", "none",
            "--network", "none", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", NOBODY, "--pids-limit", str(PIDS), "--memory", str(MEMORY), "--memory-swap", str(MEMORY),
            "--ulimit", f"cpu={cpu_seconds}:{cpu_seconds}", "--ulimit", f"fsize={FILE_SIZE}:{FILE_SIZE}",
            "--ulimit", "core=0:0", "--ulimit", "nofile=1024:1024",
            "--ulimit", f"nproc={NPROC}:{NPROC}",
            "--tmpfs", f"/tmp:rw,size={SCRATCH},mode=1777", "--tmpfs", f"/scratch:rw,size={SCRATCH},mode=1777"]
    if engine == "podman":  # else it adds writable tmpfs of no set size on /run and /var/tmp
        argv.insert(argv.index("--read-only") + 1, "--read-only-tmpfs=false")
        if profile := _podman_seccomp():
            argv[argv.index("no-new-privileges") + 1:argv.index("no-new-privileges") + 1] = [
                "--security-opt", f"seccomp={profile}"]
    if image is None:
        import alliances
        package, data = Path(alliances.__file__).resolve().parent, data_dir().resolve()
        binds = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), package, data,
                 Path(sys.executable).resolve().parent.parent}
        masks = {h.resolve() for h in hide if any(h.resolve().is_relative_to(b) for b in binds)}
        for path in sorted(set(SYSTEM) | {str(b) for b in binds - masks}):
            if os.path.lexists(path):
                if "," in str(path):
                    raise ValueError(f"cannot mount a path with a comma into a container: {path}")
                argv += ["--mount", f"type=bind,source={path},target={path},readonly"]
        for path in sorted(masks):  # an empty read-only folder instead (podman would copy the content in)
            argv += ["--tmpfs", f"{path}:ro,size=4096" + (",notmpcopyup" if engine == "podman" else "")]
        inside[ENV_VAR] = str(data)
        command = _entry("sandbox")
    else:
        command = ["python", "-I", "-m", "alliances.sandbox", "sandbox"]
    for key, value in _worker_env(inside).items():
        if key not in ("PATH", "SYSTEMROOT"):
            argv += ["--env", f"{key}={value}"]
    argv += [image or ROOT_IMAGE, *_lifetime(cpu_seconds), *command]
    client = dict(os.environ)  # the engine's own settings (DOCKER_HOST, ...)

    def stop():
        subprocess.run([program, "rm", "--force", *(["--time", "0"] if engine == "podman" else []), name],
                       capture_output=True, timeout=60)
    return argv, client, None, stop


PODMAN_SECCOMP = Path("/usr/share/containers/seccomp.json")  # Podman's default profile (containers-common)
# Podman's default profile, unlike Docker's, lets a process without capabilities create user
# namespaces (and so become "root" in one, reaching e.g. netfilter), mount and use kernel keys.
_REFUSED = {"unshare", "setns", "mount", "umount", "umount2", "pivot_root", "keyctl", "add_key", "request_key",
            "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "clone",
            "clone3"}
_NEW_NAMESPACES = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET, as Docker's profile
@functools.lru_cache(maxsize=None)
def _podman_seccomp() -> str | None:
    """A copy of Podman's default seccomp profile that refuses what Docker's refuses without
    capabilities: new namespaces (``clone`` with namespace flags, ``unshare``, ``setns``; ``clone3``
    answers "not implemented", so the C library falls back to ``clone``), mounts and kernel keys.
    None where the default profile is not on this machine (e.g. a remote Podman)."""
    try:
        profile = json.loads(PODMAN_SECCOMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rules = []
    for rule in profile.get("syscalls", []):
        rule["names"] = [n for n in rule.get("names", []) if n not in _REFUSED]
        if rule["names"]:
            rules.append(rule)
    rules.append({"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                  "args": [{"index": 0, "value": _NEW_NAMESPACES, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]})
    profile["syscalls"] = rules
    folder = Path(tempfile.mkdtemp(prefix="alliances-seccomp-"))
    (folder / "seccomp.json").write_text(json.dumps(profile), encoding="utf-8")
    return str(folder / "seccomp.json")


IMAGE_PINS = ("pandas", "numpy", "matplotlib", "ipywidgets", "ipython", "traitlets", "python-dateutil",
              "pytz", "tzdata")  # what the sandbox computes with: the same versions as the checker's

CONTAINERFILE = """\
# The grading image for `python -m alliances grade --image`, written by `python -m alliances image`.
# Student code runs in it; the checks still run on the grader's machine, which is why the
# package and the libraries the answers are computed with are pinned to the grader's versions.
FROM {base}
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/alliances \\
 && /opt/alliances/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt \\
 && rm /tmp/requirements.txt
COPY alliances /opt/alliances/lib/alliances
RUN echo /opt/alliances/lib > "$(/opt/alliances/bin/python -c 'import site; print(site.getsitepackages()[0])')/alliances.pth" \\
 && /opt/alliances/bin/python -I -c "import alliances.sandbox, IPython"
ENV PATH=/opt/alliances/bin:$PATH
USER 65534:65534
"""


def image_context(folder, base: str | None = None) -> Path:
    """Write the build context of the grading image into ``folder``: ``Containerfile``, the pinned
    ``requirements.txt`` and this package with its data (``alliances/_data``). Returns ``folder``.

    ``base``: an image with Python 3 and venv (default: the official ``python`` image of this
    Python's version, e.g. ``docker.io/library/python:3.11-slim``)."""
    from importlib.metadata import version
    from .data import data_dir
    import alliances
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = base or f"docker.io/library/python:{sys.version_info[0]}.{sys.version_info[1]}-slim"
    (folder / "Containerfile").write_text(CONTAINERFILE.format(base=base), encoding="utf-8")
    (folder / "requirements.txt").write_text("".join(f"{name}=={version(name)}\n" for name in IMAGE_PINS),
                                             encoding="utf-8")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_data")
    shutil.rmtree(folder / "alliances", ignore_errors=True)
    shutil.copytree(Path(alliances.__file__).resolve().parent, folder / "alliances", ignore=ignore)
    shutil.copytree(data_dir(), folder / "alliances" / "_data", ignore=ignore)
    return folder


def build_image(engine: str, tag: str, base: str | None = None, network: str | None = None) -> None:
    """Build the grading image ``tag`` with ``engine`` (podman or docker); raise on failure."""
    if engine not in ("podman", "docker") or shutil.which(engine) is None:
        raise ValueError(f"building the grading image needs podman or docker; {engine!r} is not installed")
    with tempfile.TemporaryDirectory(prefix="alliances-image-") as folder:
        image_context(folder, base)
        argv = [engine, "build", "--tag", tag, "--file", str(Path(folder) / "Containerfile")]
        subprocess.run(argv + (["--network", network] if network else []) + [folder], check=True)


def cleanup_containers(engine: str) -> None:
    """Remove sandbox containers left by graders of this machine that no longer run (an interrupted
    batch); never those of a grader still running (another batch) or of another machine."""
    program = PROGRAM[engine] if engine in ("podman", "docker") else None
    if program is None or shutil.which(program) is None:
        return
    done = subprocess.run([program, "ps", "--all", "--format", "{{.Names}}"], capture_output=True, text=True)
    here = _machine()
    for name in done.stdout.split():
        parts = name.split("-")
        if len(parts) == 6 and parts[:3] == ["alliances", "sandbox", here] and parts[3].isdigit() \
                and not _alive(int(parts[3])):
            subprocess.run([program, "rm", "--force", name], capture_output=True)


SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache", "/etc/ld.so.conf",
          "/etc/ld.so.conf.d", "/etc/fonts", "/etc/localtime", "/etc/alternatives")  # visible, read-only


def _bwrap_args(binds, masks) -> list[str]:
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--size", str(SCRATCH), "--tmpfs", "/tmp",
            "--size", str(SCRATCH), "--tmpfs", "/scratch", "--chdir", "/scratch"]
    if _bwrap_disables_userns():  # no nested user namespace (bubblewrap 0.8 and later)
        args += ["--unshare-user", "--disable-userns"]
    for path in [*SYSTEM, *binds]:
        args += ["--ro-bind-try", str(path), str(path)]
    for path in masks:
        args += ["--size", "4096", "--tmpfs", str(path), "--remount-ro", str(path)]
    # bubblewrap's own root and /dev are tmpfs of no set size, writable by default (memory a student
    # could fill): read-only, so only /tmp, /scratch and /dev/shm, each of SCRATCH bytes, take writes
    return args + ["--size", str(SCRATCH), "--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--remount-ro", "/"]


@functools.lru_cache(maxsize=None)
def _bwrap_disables_userns() -> bool:
    """Whether this bubblewrap can forbid the sandbox to create user namespaces (``--disable-userns``)."""
    try:
        help_text = subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--disable-userns" in help_text


def _cgroup_limits(name: str) -> list[Path]:
    """As root, a pids and memory cgroup for the calling process (RLIMIT_NPROC does not bind root)."""
    made = []
    v1 = Path("/sys/fs/cgroup/pids")
    groups = ([(v1 / name, {"pids.max": PIDS}), (Path("/sys/fs/cgroup/memory") / name,
                                                 {"memory.limit_in_bytes": MEMORY})]
              if v1.is_dir() else [(Path("/sys/fs/cgroup") / name, {"pids.max": PIDS, "memory.max": MEMORY})])
    for folder, limits in groups:
        try:
            folder.mkdir()
            made.append(folder)
            for key, value in limits.items():
                if (folder / key).exists():
                    (folder / key).write_text(str(value))
            (folder / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            continue
    return made


def bwrap_command(hide: list[Path], cpu_seconds: int) -> tuple[list[str], dict, object]:
    """(argv, env, preexec_fn) that start a sandbox worker under bubblewrap."""
    import alliances
    from .data import ENV_VAR, data_dir
    package, data = Path(alliances.__file__).resolve().parent, data_dir().resolve()
    binds = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), package, data,
             Path(sys.executable).resolve().parent.parent}
    masks = [h.resolve() for h in hide if any(h.resolve().is_relative_to(b) for b in binds)]
    env = _worker_env({"HOME": "/scratch", "TMPDIR": "/tmp", "MPLCONFIGDIR": "/scratch/.mpl",
                       "IPYTHONDIR": "/scratch/.ipython", ENV_VAR: str(data)})
    argv = _bwrap_args(sorted(binds), masks) + ["--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += _entry("sandbox")
    root = os.geteuid() == 0
    nproc = PIDS if root else PIDS + sum(1 for p in Path("/proc").iterdir()
                                          if p.name.isdigit() and _owner(p) == os.getuid())

    def limit():
        for what, value in ((resource.RLIMIT_AS, MEMORY), (resource.RLIMIT_CPU, cpu_seconds),
                            (resource.RLIMIT_FSIZE, FILE_SIZE), (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_NPROC, nproc)):
            resource.setrlimit(what, (value, value))
        if root:
            _cgroup_limits(f"alliances-grade-{os.getpid()}")

    return argv, env, limit


def _owner(path: Path) -> int:
    try:
        return path.stat().st_uid
    except OSError:
        return -1


def cleanup_cgroups(pid: int | None = None) -> None:
    """Remove the cgroups ``bwrap_command`` made for the process ``pid`` once it has ended
    (``None``: those of every process that no longer exists, left by an interrupted grader)."""
    bases = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup"))
    if pid is None:
        for base in bases:
            for folder in base.glob("alliances-grade-*") if os.geteuid() == 0 and base.is_dir() else []:
                if not Path(f"/proc/{folder.name.rsplit('-', 1)[1]}").exists():
                    _rmdir(folder, tries=1)
        return
    for base in bases:
        if (base / f"alliances-grade-{pid}").exists():
            _rmdir(base / f"alliances-grade-{pid}")


def _rmdir(folder: Path, tries: int = 40) -> None:
    for _ in range(tries):  # the killed processes may take a moment to leave the group
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


def unsandboxed_command(tmp: Path, cpu_seconds: int) -> tuple[list[str], dict, object]:
    """(argv, env, preexec_fn) of a worker without a sandbox (work the instructor trusts)."""
    env = _worker_env({"HOME": str(tmp), "TMPDIR": str(tmp), "MPLCONFIGDIR": str(tmp / ".mpl"),
                       "IPYTHONDIR": str(tmp / ".ipython")})
    from .data import ENV_VAR, data_dir
    env[ENV_VAR] = str(data_dir())

    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    return _entry("sandbox"), env, limit


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in ("sandbox", "checker"):
        _serve(sys.argv[1])
    else:
        sys.exit("usage: python -m alliances.sandbox {sandbox,checker} (started by alliances.grade)")
