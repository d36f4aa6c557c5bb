"""The bubblewrap sandbox: every namespace unshared, this machine's Python, package and data
read-only, size-limited tmpfs as the only writable places; rlimits, and cgroups when root."""

from __future__ import annotations

import functools
import os
import resource
import subprocess
import time
from pathlib import Path

from .. import limits
from ..worker import _entry, _worker_env, home_env
from .common import SYSTEM, view


def _bwrap_args(binds, masks) -> list[str]:
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--size", str(limits.SCRATCH), "--tmpfs", "/tmp",
            "--size", str(limits.SCRATCH), "--tmpfs", "/scratch", "--chdir", "/scratch"]
    if _bwrap_disables_userns():  # no nested user namespace (bubblewrap 0.8 and later)
        args += ["--unshare-user", "--disable-userns"]
    for path in [*SYSTEM, *binds]:
        args += ["--ro-bind-try", str(path), str(path)]
    for path in masks:
        args += ["--size", "4096", "--tmpfs", str(path), "--remount-ro", str(path)]
    # bubblewrap's own root and /dev are tmpfs of no set size, writable by default (memory a student
    # could fill): read-only, so only /tmp, /scratch and /dev/shm, each of SCRATCH bytes, take writes
    return args + ["--size", str(limits.SCRATCH), "--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--remount-ro", "/"]


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
    groups = ([(v1 / name, {"pids.max": limits.PIDS}), (Path("/sys/fs/cgroup/memory") / name,
                                                 {"memory.limit_in_bytes": limits.MEMORY})]
              if v1.is_dir() else [(Path("/sys/fs/cgroup") / name, {"pids.max": limits.PIDS, "memory.max": limits.MEMORY})])
    for folder, values in groups:
        try:
            folder.mkdir()
            made.append(folder)
            for key, value in values.items():
                if (folder / key).exists():
                    (folder / key).write_text(str(value))
            (folder / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            continue
    return made


def bwrap_command(hide: list[Path], cpu_seconds: int) -> tuple[list[str], dict, object]:
    """(argv, env, preexec_fn) that start a sandbox worker under bubblewrap."""
    from ...data import ENV_VAR, data_dir
    binds, masks = view(hide)
    env = _worker_env({**home_env("/scratch", "/tmp"), ENV_VAR: str(data_dir().resolve())})
    argv = _bwrap_args(sorted(binds), masks) + ["--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += _entry("sandbox")
    root = os.geteuid() == 0
    nproc = limits.PIDS if root else limits.PIDS + sum(1 for p in Path("/proc").iterdir()
                                          if p.name.isdigit() and _owner(p) == os.getuid())

    def limit():
        for what, value in ((resource.RLIMIT_AS, limits.MEMORY), (resource.RLIMIT_CPU, cpu_seconds),
                            (resource.RLIMIT_FSIZE, limits.FILE_SIZE), (resource.RLIMIT_CORE, 0),
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
