"""Deprecated path, kept for one release: the grading system's sandboxes and workers now live in
:mod:`alliances.grading` (``protocol``, ``worker``, ``client``, ``limits``, ``sandboxes``).

This module only re-exports what it used to define (see CHANGELOG.md, "Unreleased").
"""

import sys

from .grading.client import Worker, WorkerDied, checker, release_checker, warm_checker  # noqa: F401
from .grading.limits import FILE_SIZE, MEMORY, NPROC, OUTPUT_CAP, PIDS, SCRATCH  # noqa: F401
from .grading.protocol import MAX_ITEMS, MAX_LINE, AnswerError, Unsupported, decode, encode  # noqa: F401
from .grading.sandboxes import (ENGINES, PROGRAM, build_image, bwrap_command, cleanup_cgroups,  # noqa: F401
                                cleanup_containers, container_command, find_sandbox, image_context,
                                sandbox_available, sandbox_command, unsandboxed_command)
from .grading.sandboxes.common import SYSTEM  # noqa: F401
from .grading.sandboxes.containers import IMAGE_PINS, NOBODY, ROOT_IMAGE  # noqa: F401
from .grading.worker import GraderTimeout  # noqa: F401

__all__ = ["encode", "decode", "Worker", "WorkerDied", "ENGINES", "find_sandbox", "sandbox_command",
           "bwrap_command", "container_command", "sandbox_available"]

if __name__ == "__main__":  # an image built by an earlier version starts its worker this way
    from .grading.worker import _serve
    if len(sys.argv) == 2 and sys.argv[1] in ("sandbox", "checker"):
        _serve(sys.argv[1])
    else:
        sys.exit("usage: python -m alliances.grading.worker {sandbox,checker} (started by the grader)")
