"""Where student code runs: choose the first sandbox that works here, and start one.

``find_sandbox("auto")`` tries bubblewrap, then Podman, then Docker (``ENGINES``):

- ``bubblewrap.bwrap_command``: every namespace unshared (no network, own PIDs, IPC, hostname),
  only the Python installation, this package and its data visible, read-only, and a size-limited
  tmpfs as the only writable place; memory, processes, CPU time and file size limited.
- ``containers.container_command``: a Podman or Docker container with the same view and limits
  (no network, read-only root, tmpfs scratch, user ``nobody``, no capabilities, ``--pids-limit``,
  ``--memory``, ulimits), or the grading image (``--image``).
- ``trusted.unsandboxed_command``: no sandbox, for work the instructor trusts.

What a sandbox sees (``common.view``) and its home folders (``worker.home_env``) are written once.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from ..worker import _entry
from .bubblewrap import _bwrap_args, bwrap_command, cleanup_cgroups
from .common import ENGINES, PROGRAM
from .containers import ROOT_IMAGE, _lifetime, build_image, cleanup_containers, container_command, image_context, without_exited
from .trusted import unsandboxed_command

__all__ = ["ENGINES", "find_sandbox", "sandbox_available", "sandbox_command", "bwrap_command", "container_command",
           "unsandboxed_command", "cleanup_cgroups", "cleanup_containers", "build_image", "image_context"]


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
        out = without_exited(out)
    finally:
        stop()
    from ... import __version__
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
