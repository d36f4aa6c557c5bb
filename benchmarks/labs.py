"""Time each research lab from a fresh kernel against its budget (issue #23: under 30 s each).

    .venv/bin/python benchmarks/labs.py            # every book/lab-*.ipynb
    .venv/bin/python benchmarks/labs.py lab-reliability

Each lab is copied to a temporary folder (so it runs from another working directory, as a
student's copy does) and executed by nbclient in a new kernel; wall time is measured around the
whole run, kernel start included (``benchmarks/run.py``'s ``notebook_seconds``). Not part of the pass/fail tests: a loaded machine is slower.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from run import ROOT, notebook_seconds  # benchmarks/run.py: a notebook from a fresh kernel, in its folder

TARGET = 30.0


def time_lab(path: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        return notebook_seconds(copy)


def main(names: list[str]) -> int:
    labs = [ROOT / "book" / f"{n}.ipynb" for n in names] or sorted((ROOT / "book").glob("lab-*.ipynb"))
    print(f"load average {os.getloadavg()[0]:.2f}; budget {TARGET:.0f} s a lab")
    worst = 0.0
    for lab in labs:
        seconds = time_lab(lab)
        worst = max(worst, seconds)
        print(f"{lab.stem:28} {seconds:6.1f} s")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
