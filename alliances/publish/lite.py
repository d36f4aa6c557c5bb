"""Build the "run in the browser" JupyterLite site into ``_build/html/lite``.

Usage: ``python -m alliances.publish lite [OUT]`` (``make book`` runs it after the book build).

The site holds the notebook edition of every chapter (``notebooks.py``, written by the
book build into ``_build/html/notebooks``): the student form in ``book/`` (what a link
opens), the self-study form in ``self-study/``; the student problem sets (``exercises/``),
the whole data package (``data/``) and a wheel of the ``alliances`` package, which piplite
installs from the site itself. Each notebook gets one extra first
cell that installs the package when it runs in Pyodide and does nothing elsewhere.

What needs a network: the Pyodide runtime and its packages (pandas, numpy, matplotlib)
come from the jsDelivr CDN, and ipywidgets from PyPI, the first time a kernel starts;
the browser caches them. The site itself builds offline. Opening files from the notebooks
(the data) needs the site's service worker, so a private window may not work.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from .toc import ROOT

EDITION = ROOT / "_build" / "html" / "notebooks"
# site folder -> notebooks (globs relative to the edition folder or, for exercises, the repository)
NOTEBOOKS = {"book": "student/book/*.ipynb", "self-study": "self-study/book/*.ipynb",
             "exercises": "exercises/student/*.ipynb"}
SETUP_TAG = "jupyterlite-setup"
SETUP_SOURCE = """\
# Running in the browser (JupyterLite): install the course package from this site first,
# with the versions of pandas and matplotlib that Pyodide provides. Elsewhere: does nothing.
import sys

if sys.platform == "emscripten":
    %pip install -q pandas matplotlib ipywidgets
    %pip install -q --no-deps alliances"""


def lite_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` with the JupyterLite setup cell first."""
    nb = nbformat.read(path, as_version=4)
    cell = nbformat.v4.new_code_cell(SETUP_SOURCE, metadata={"tags": [SETUP_TAG]})
    cell["id"] = SETUP_TAG
    nb.cells.insert(0, cell)
    return nb


def stage_contents(contents: Path, edition: Path = EDITION) -> list[Path]:
    """Copy notebooks (with the setup cell) and data/ into ``contents``; return the notebooks."""
    if not (edition / "student").is_dir():
        sys.exit(f"error: no notebook edition in {edition}: build the book first (make book)")
    shutil.rmtree(contents, ignore_errors=True)
    written = []
    for folder, pattern in NOTEBOOKS.items():
        for source in sorted((ROOT if folder == "exercises" else edition).glob(pattern)):
            target = contents / folder / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(lite_notebook(source), target)
            written.append(target)
    shutil.copytree(ROOT / "data", contents / "data")
    return written


def build_wheel(wheels: Path) -> Path:
    """A wheel of the ``alliances`` package (no dependencies bundled)."""
    shutil.rmtree(wheels, ignore_errors=True)
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)  # setuptools would add modules moved or removed since
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True)
    (wheel,) = wheels.glob("alliances-*.whl")
    return wheel


def build(out: Path = ROOT / "_build/html/lite", work: Path = ROOT / "_build/lite", edition: Path = EDITION) -> Path:
    """Build the site into ``out`` using ``work`` for staging; return ``out``."""
    stage_contents(work / "contents", edition)
    wheel = build_wheel(work / "wheels")
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.run([str(jupyter), "lite", "build", "--lite-dir", str(work), "--contents",
                           str(work / "contents"), "--piplite-wheels", str(wheel), "--output-dir", str(out)],
                          cwd=work, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"jupyter lite build failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return out


def main(argv: list[str]) -> int:
    """``[OUT]``: build the JupyterLite site into OUT (default ``_build/html/lite``)."""
    target = build(Path(argv[0]).resolve()) if argv else build()
    print(f"JupyterLite site in {target}")
    return 0
