"""The Podman and Docker sandboxes, the grading image (``Containerfile``, beside this module) and
the removal of containers left by graders that no longer run.

On Linux a container starts from an empty image and mounts this machine's Python, package and
data read-only, so nothing is downloaded or built; elsewhere (or by choice) it runs an image with
the package installed (``--image``; ``build_image`` writes and builds it), checked to hold this
version of the package and of Python.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from .. import limits
from ..worker import _entry, _worker_env, home_env
from .common import PROGRAM, SYSTEM, view

ROOT_IMAGE = "alliances-sandbox-root:empty"  # an empty image: the container sees only what is mounted

NOBODY = "65534:65534"

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


# The container's first process (its PID 1): it starts the worker, ends the container after
# ``seconds`` even if the grader is killed, and reports the worker's end on the output at once.
# A container's output reaches the grader through the engine's client (``podman run``, ``docker
# run``), which ends, and so closes it, only once the engine has removed the container (``--rm``);
# on a busy machine that took longer than a cell's time limit, and a crashed worker read as a
# timeout. ``EXITED`` is not JSON, so the grader takes the worker for dead at once (``client.Worker``);
# the leading newline ends a line the worker left half-written. Student code that forges it only
# stops itself. Student code cannot signal a namespace's PID 1 whose signals are left at their
# default (so every handler is reset here) and, unlike a helper process, cannot kill it.
EXITED = "worker exited"


def without_exited(out: str) -> str:
    """``out`` without the line the container's first process adds when the worker ends."""
    return out.split(f"\n{EXITED} (")[0]


_INIT = f"""import os, signal, subprocess, sys
for number in range(1, signal.NSIG):
    if number not in (signal.SIGKILL, signal.SIGSTOP):
        try:
            signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
worker = subprocess.Popen(sys.argv[2:])
try:
    status = worker.wait(int(sys.argv[1]))
    status = 128 - status if status < 0 else status
except subprocess.TimeoutExpired:
    os.kill(-1, signal.SIGKILL)
    status = 128 + signal.SIGKILL
try:
    os.write(1, ("\\n{EXITED} (%d)\\n" % status).encode())
finally:
    os._exit(status)
"""


def _lifetime(seconds: int, python: str = "python") -> list[str]:
    """The container's first process (``_INIT`` run by ``python``), before the worker's command: it
    bounds the container's wall-clock life even if the grader is killed; no sandbox needs longer."""
    return [python, "-I", "-S", "-c", _INIT, str(seconds)]


def container_command(engine: str, hide: list[Path], cpu_seconds: int, image: str | None = None):
    """(argv, env, preexec_fn, stop) that start a sandbox worker in a Podman or Docker container.

    Without ``image``: the empty ``ROOT_IMAGE`` with this machine's system folders, Python, package
    and data mounted read-only at the same paths (as bubblewrap does), and ``hide`` masked. With
    ``image``: that image alone (its own Python and package). ``stop()`` removes the container."""
    from ...data import ENV_VAR, data_dir
    program = PROGRAM[engine]
    name = f"alliances-sandbox-{_machine()}-{os.getpid()}-{next(_NAMES)}-{secrets.token_hex(4)}"
    inside = {**home_env("/scratch", "/tmp"), "ALLIANCES_ADDRESS_SPACE": str(limits.MEMORY),  # see _serve
              "ALLIANCES_WORKDIR": "/scratch"}  # not --workdir: Docker then makes the tmpfs root's own
    argv = [program, "run", "--rm", "--interactive", "--name", name, "--pull", "never", "--log-driver", "none",
            "--network", "none", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", NOBODY, "--pids-limit", str(limits.PIDS), "--memory", str(limits.MEMORY), "--memory-swap", str(limits.MEMORY),
            "--ulimit", f"cpu={cpu_seconds}:{cpu_seconds}", "--ulimit", f"fsize={limits.FILE_SIZE}:{limits.FILE_SIZE}",
            "--ulimit", "core=0:0", "--ulimit", "nofile=1024:1024",
            "--ulimit", f"nproc={limits.NPROC}:{limits.NPROC}",
            "--tmpfs", f"/tmp:rw,size={limits.SCRATCH},mode=1777", "--tmpfs", f"/scratch:rw,size={limits.SCRATCH},mode=1777"]
    if engine == "podman":  # else it adds writable tmpfs of no set size on /run and /var/tmp
        argv.insert(argv.index("--read-only") + 1, "--read-only-tmpfs=false")
        if profile := _podman_seccomp():
            argv[argv.index("no-new-privileges") + 1:argv.index("no-new-privileges") + 1] = [
                "--security-opt", f"seccomp={profile}"]
    if image is None:
        binds, masks = view(hide)
        masks, data = set(masks), data_dir().resolve()
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
        command = ["python", "-I", "-m", "alliances.grading.worker", "sandbox"]
    for key, value in _worker_env(inside).items():
        if key not in ("PATH", "SYSTEMROOT"):
            argv += ["--env", f"{key}={value}"]
    argv += [image or ROOT_IMAGE, *_lifetime(cpu_seconds, command[0]), *command]
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


BASE = "docker.io/library/python:3-slim"  # the default of the Containerfile's ARG BASE
IMAGE_PINS = ("pandas", "numpy", "matplotlib", "ipywidgets", "ipython", "traitlets", "python-dateutil",
              "pytz", "tzdata")  # what the sandbox computes with: the same versions as the checker's


def image_context(folder, base: str | None = None) -> Path:
    """Write the build context of the grading image into ``folder``: ``Containerfile``, the pinned
    ``requirements.txt`` and this package with its data (``alliances/_data``). Returns ``folder``.

    ``base``: an image with Python 3 and venv (default: the official ``python`` image of this
    Python's version, e.g. ``docker.io/library/python:3.11-slim``)."""
    from importlib.metadata import version
    from ...data import data_dir
    import alliances
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = base or f"docker.io/library/python:{sys.version_info[0]}.{sys.version_info[1]}-slim"
    recipe = files(__package__).joinpath("Containerfile").read_text(encoding="utf-8")
    (folder / "Containerfile").write_text(recipe.replace(f"ARG BASE={BASE}\n", f"ARG BASE={base}\n", 1),
                                          encoding="utf-8")
    (folder / "requirements.txt").write_text("".join(f"{name}=={version(name)}\n" for name in IMAGE_PINS),
                                             encoding="utf-8")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_data")
    shutil.rmtree(folder / "alliances", ignore_errors=True)
    shutil.copytree(Path(alliances.__file__).resolve().parent, folder / "alliances", ignore=ignore)
    shutil.copytree(data_dir(), folder / "alliances" / "_data", ignore=ignore)
    return folder


def image_tag() -> str:
    """The default name of the grading image: ``alliances-grader:<this version>``."""
    from ... import __version__
    return f"alliances-grader:{__version__}"


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
