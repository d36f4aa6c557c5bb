"""Build the student web book: the pages of the web book with every solution removed.

    python -m alliances.publish student-book [OUT]   (default OUT: _build/student; also `make student-book`)

Copies the book's sources into OUT/src, removes from every chapter notebook each solution (the
cells from ``{solution-start}`` to ``{solution-end}``) and the check cell that follows it, with
``solutions.remove_solutions`` (the code that also makes the student notebooks), and
builds OUT/src into OUT/html with the stored outputs (no re-execution), warnings as errors.
sphinx-exercise's ``hide_solutions`` cannot do this itself: it fails on the gated
``solution-start``/``solution-end`` form that notebooks need.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from . import solutions
from .toc import ROOT

# data/README.md: the codebook page (book/codebook.md) includes it, and links to datapackage.json
COPY = ["_config.yml", "_toc.yml", "references.bib", "book", "data/README.md", "data/datapackage.json"]


def strip_solutions(nb) -> int:
    """Remove solutions and their check cells from ``nb`` in place; return how many were removed."""
    return solutions.remove_solutions(nb, drop_checks=True)


def prepare(src: Path) -> int:
    """Copy the book sources to ``src`` and strip every notebook; return the solutions removed."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for name in COPY:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / name)
    removed = 0
    for path in sorted((src / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        removed += strip_solutions(nb)
        nbformat.write(nb, path)
    config = yaml.safe_load((src / "_config.yml").read_text())
    config["title"] += " (student web book)"
    config["execute"]["execute_notebooks"] = "off"  # the stored outputs are used
    config["sphinx"]["config"]["hide_solutions"] = True
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return removed


def build(out: Path) -> Path:
    """Prepare ``out/src`` and build it into ``out/html``; raise RuntimeError if the build fails."""
    src = out / "src"
    removed = prepare(src)
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(src), "--path-output", str(out), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"student web book build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    html = out / "_build" / "html"
    print(f"Student web book: {removed} solutions removed; open {html / 'index.html'}")
    return html


def main(argv: list[str]) -> int:
    """``[OUT]``: build the student web book into OUT (default ``_build/student``)."""
    try:
        build(Path(argv[0] if argv else ROOT / "_build" / "student").resolve())
    except (RuntimeError, ValueError, OSError) as err:
        sys.exit(f"error: {err}")
    return 0
