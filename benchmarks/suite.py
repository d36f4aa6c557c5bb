"""Time the test suite against its budget (not part of the pass/fail tests).

    .venv/bin/python benchmarks/suite.py                    # the full suite, exactly as `make test` runs it
    .venv/bin/python benchmarks/suite.py tests/publish      # any pytest arguments (one process)
    .venv/bin/python benchmarks/suite.py --log run.log      # summarise a log of `pytest --durations=0`

Targets (benchmarks/suite.md): the full suite in at most 600 s on CI (2 cores, clean clone), the
library tier (`make test-fast`) in at most 60 s. Prints the wall time, the slowest tests and the
time per test module (setup, call and teardown summed), so a regression shows where it comes from.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 600.0
LINE = re.compile(r"^(\d+(?:\.\d+)?)s (setup|call|teardown)\s+(\S+?)(?:::(.*))?$")


def durations(text: str) -> list[tuple[float, str, str, str]]:
    """(seconds, phase, file, test) of each line of pytest's ``--durations`` report."""
    found = []
    for line in text.splitlines():
        match = LINE.match(line.strip())
        if match:
            found.append((float(match[1]), match[2], match[3], match[4] or ""))
    return found


def summary(rows, wall: float | None = None, top: int = 20) -> str:
    per_module: dict[str, float] = defaultdict(float)
    for seconds, _, path, _ in rows:
        per_module[path] += seconds
    out = []
    if wall is not None:
        verdict = "within" if wall <= TARGET else "OVER"
        out.append(f"wall time {wall:.0f} s: {verdict} the {TARGET:.0f} s budget\n")
    out.append(f"| slowest {top} | phase | s |\n|---|---|---:|")
    out += [f"| {path}::{test} | {phase} | {s:.1f} |" for s, phase, path, test in sorted(rows, reverse=True)[:top]]
    out.append("\n| module | s |\n|---|---:|")
    out += [f"| {path} | {s:.1f} |" for path, s in sorted(per_module.items(), key=lambda kv: -kv[1])]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--log"]:
        print(summary(durations(Path(argv[1]).read_text(encoding="utf-8"))))
        return 0
    report = ["-q", "--durations=0", "--durations-min=0.5"]
    command = ([sys.executable, "-m", "pytest", *report, *argv] if argv else  # else `make test` (several cores)
               ["make", "-s", "test", f"PYTEST_ARGS={' '.join(report)}"])
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    print(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-2000:])
    print(summary(durations(proc.stdout), wall))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
