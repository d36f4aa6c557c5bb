"""The resource limits of a grading worker, in one place.

Read at call time (``limits.MEMORY``, not a copy), so a test can lower one with monkeypatch.
"""

OUTPUT_CAP = 1_000_000        # bytes of printed output counted before "capped"

MEMORY = 3 * 1024 ** 3        # address space / memory limit of a sandbox

PIDS = 64                     # processes and threads in one sandbox

SCRATCH = 64 * 1024 ** 2      # bytes of the writable tmpfs folders

FILE_SIZE = 32 * 1024 ** 2    # largest file a sandbox can write

NPROC = 4096  # per-user ulimit in a container (RLIMIT_NPROC counts all of nobody's processes on the host)
STARTUP = 120  # seconds a sandbox may take to start (a container on a slow engine), besides the cells' time
