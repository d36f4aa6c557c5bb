"""What several test tiers share: the repository's paths, the table of contents, the headless
browser's settings and a local web server, and what a page of an edition shows.

Importable from every tier as ``helpers`` (``pythonpath = ["tests"]`` in pyproject.toml); the
``browser`` fixture itself is in ``tests/conftest.py``.
"""

import contextlib
import functools
import html
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat

from alliances.publish import solutions
from alliances.publish.toc import ROOT, pages

FIXTURES = ROOT / "tests" / "fixtures"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "_build" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def toc_files() -> list[str]:
    """Every file named in _toc.yml (root, chapters and sections, in order): the one reading of it."""
    return pages()


def chapters() -> list[str]:
    """The toc's pages that are notebooks."""
    return [f for f in toc_files() if (ROOT / f"{f}.ipynb").is_file()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        """No request log on stderr."""


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on a loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def solution_lines(name):
    """Code lines of a chapter's solutions that appear nowhere else in the notebook."""
    nb = nbformat.read(ROOT / "book" / f"{name}.ipynb", as_version=4)
    spans = solutions.solution_spans(nb)
    markers = {i for span in spans for i in span}
    inside = {i for first, last in spans for i in range(first + 1, last)}
    lines = [line.strip() for i in sorted(inside) if nb.cells[i].cell_type == "code"
             for line in nb.cells[i].source.splitlines() if len(line.strip()) > 20]
    rest = "\n".join(c.source for i, c in enumerate(nb.cells)
                     if i not in markers and not (i in inside and c.cell_type == "code"))
    return [line for line in lines if line not in rest]


# The demo problem set with per-student variants of exercise 1 (the year: 1949, 1952 or 1955 and
# the number of members that joined then), as an author writes it (alliances.grading.variants).
VARIANT_YEARS = [{"year": 1949, "n_joined": 3}, {"year": 1952, "n_joined": 2}, {"year": 1955, "n_joined": 1}]


def variant_demo() -> nbformat.NotebookNode:
    """``problem-set-demo.ipynb`` whose exercise 1 asks about ``{{year}}`` (three variants)."""
    nb = nbformat.read(FIXTURES / "problem-set-demo.ipynb", as_version=4)
    cells = {c.id: c for c in nb.cells}
    cells["ex1-text"].source = cells["ex1-text"].source.replace("in 1949", "in {{year}}")
    cells["ex1-answer"].source = cells["ex1-answer"].source.replace("== 1949", "== {{year}}")
    cells["ex1"].source = cells["ex1"].source.replace("expected=3", "expected={{n_joined}}").replace(
        "with 1949", "with {{year}}")
    assert all("{{" in cells[k].source for k in ("ex1-text", "ex1-answer", "ex1"))
    nb.metadata["alliances"] = {"variants": {"year": [dict(r) for r in VARIANT_YEARS]}}
    return nb


def slowly_torn_down(folder: Path, engine: str) -> Path:
    """A stand-in for the ``engine`` client that keeps its output open 20 s after the container ended,
    as the teardown of ``run --rm`` on a busy machine does."""
    client = folder / engine
    client.write_text(f'#!/bin/sh\n{shutil.which(engine)} "$@"\nstatus=$?\nsleep 20\nexit $status\n')
    client.chmod(0o755)
    return client


def build_wheel(tmp: Path, env: dict | None = None) -> Path:
    """The package's wheel, built from a clean copy in ``tmp`` (not in the checkout: a build/ folder left
    there would add stale files, and tests on other workers build at the same time)."""
    source = tmp / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("alliances", "data", "LICENSES"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                           "--wheel-dir", str(tmp / "dist"), str(source)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"pip wheel failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    (wheel,) = (tmp / "dist").glob("alliances-*.whl")
    return wheel
