"""Grading throughput on this machine (a benchmark, not a pass/fail test).

    .venv/bin/python benchmarks/grading.py [--students 100] [--set ps2-alliances-today] [--jobs N]
                                           [--sandbox auto|bubblewrap|podman|docker] [--image IMAGE]

Generates a class of STUDENTS submissions of one problem set (a third the answer key, a third
blank, a third half answered), grades it serially (--jobs 1) and in parallel (--jobs N, default all
cores), checks both give identical grades.csv files, and prints submissions per second (per core)
and the speed-up. Target on 2 cores: parallel >= 1.7 x serial. The load average is printed too:
other work on the machine makes the numbers noisy. ``--sandbox``/``--image`` as for ``grade``
(e.g. the containers' cost against bubblewrap, or a grading image built by ``python -m alliances image``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import nbformat

from alliances.grading import release, variants
from alliances.grading.batch import grade
from alliances.grading.run import _sandbox

ROOT = Path(__file__).resolve().parent.parent


def make_class(folder: Path, name: str, students: int) -> None:
    key = variants.render(release.read(release.sources(ROOT / "exercises")[name]))  # the default variant
    blank = release.student_version(key, name)
    half = release.student_version(key, name)
    answers = [i for i, c in enumerate(key.cells) if release.is_answer(c) and c.cell_type == "code"]
    for i in answers[: len(answers) // 2]:
        half.cells[i] = key.cells[i]
    for n in range(students):
        (folder / f"student-{n:03d}").mkdir(parents=True)
        nbformat.write((key, blank, half)[n % 3], folder / f"student-{n:03d}" / f"{name}.ipynb")


def timed(subs: Path, name: str, out: Path, jobs: int, engine: str = "auto", image: str | None = None) -> float:
    start = time.perf_counter()
    grade(subs, ROOT / "exercises", out, jobs=jobs, force=True, engine=engine, image=image)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--set", default="ps2-alliances-today")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--sandbox", default="auto", choices=["auto", "bubblewrap", "podman", "docker"])
    parser.add_argument("--image", default=None)
    args = parser.parse_args()
    box = (args.sandbox, args.image)
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        make_class(subs, args.set, args.students)
        load = os.getloadavg()[0]
        serial = timed(subs, args.set, Path(tmp) / "serial", 1, *box)
        parallel = timed(subs, args.set, Path(tmp) / "parallel", args.jobs, *box)
        same = (Path(tmp) / "serial" / "grades.csv").read_bytes() == (Path(tmp) / "parallel" / "grades.csv").read_bytes()
        load = max(load, os.getloadavg()[0])
    n = args.students
    print(f"| run | submissions | seconds | submissions/s | per core |\n|---|---|---|---|---|\n"
          f"| --jobs 1 | {n} | {serial:.0f} | {n / serial:.2f} | {n / serial:.2f} |\n"
          f"| --jobs {args.jobs} | {n} | {parallel:.0f} | {n / parallel:.2f} | {n / parallel / args.jobs:.2f} |\n\n"
          f"Speed-up {serial / parallel:.2f} x on {args.jobs} processes ({os.cpu_count()} cores, load average up to "
          f"{load:.1f}); serial and parallel grades.csv identical: {same}. Sandbox: {_sandbox(*box)}"
          f"{' image ' + args.image if args.image else ''}.")


if __name__ == "__main__":
    main()
