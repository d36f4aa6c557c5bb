"""No sandbox: a worker for work the instructor trusts (``--trusted``), with a CPU-time limit only."""

from __future__ import annotations

import resource
from pathlib import Path

from ..worker import _entry, _worker_env, home_env


def unsandboxed_command(tmp: Path, cpu_seconds: int) -> tuple[list[str], dict, object]:
    """(argv, env, preexec_fn) of a worker without a sandbox (work the instructor trusts)."""
    env = _worker_env(home_env(tmp))
    from ...data import ENV_VAR, data_dir
    env[ENV_VAR] = str(data_dir())

    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    return _entry("sandbox"), env, limit
