"""Measure build and notebook speed on this machine (not part of the pass/fail tests).

    .venv/bin/python benchmarks/run.py            # all three measurements
    .venv/bin/python benchmarks/run.py notebooks  # per-notebook execution only

Targets (2 cores): clean full build (`make book`, notebooks executed on both cores) <= 60 s, cached no-op rebuild <= 10 s, each notebook <= 5 s
from a fresh kernel. Prints a Markdown table to paste into README.md ("Performance").
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
JB = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT), "-W", "-n", "--keep-going", "-q"]


def timed(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def notebook_seconds(path: Path, nb=None) -> float:
    """Seconds to execute ``nb`` (default: the notebook at ``path``) from a fresh kernel, in ``path``'s folder."""
    nb = nbformat.read(path, as_version=4) if nb is None else nb
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main(which: str = "all") -> None:
    rows = []
    if which in ("all", "build"):
        shutil.rmtree(ROOT / "_build", ignore_errors=True)
        rows.append(("clean full build (make book)", timed(["make", "book"]), 60))
        rows.append(("cached no-op rebuild", timed(JB), 10))
    if which in ("all", "notebooks"):
        for path in sorted((ROOT / "book").glob("*.ipynb")):
            rows.append((f"notebook {path.relative_to(ROOT)}", notebook_seconds(path), 5))
        from alliances.grading import release
        for path in sorted((ROOT / "exercises" / "source").glob("*/*.ipynb")):  # each set's key, default variant
            key = release.answer_key(nbformat.read(path, as_version=4))
            rows.append((f"answer key {path.relative_to(ROOT)}", notebook_seconds(path, key), 5))
    print("| measurement | seconds | target | met |\n|---|---|---|---|")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.1f} | <= {target} | {'yes' if seconds <= target else 'NO'} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "all")
