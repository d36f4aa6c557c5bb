"""The student's working folder (``make lab``): the chapters and the problem sets, copied in, never overwritten.

    python -m alliances.publish workspace EDITION_DIR WORK_DIR [PROBLEM_SETS_DIR]

``WORK_DIR/book/`` gets the notebook edition's chapters and ``WORK_DIR/problem-sets/`` the student
versions of the problem sets (``exercises/student/``: no solutions, no hidden tests), each file only
where it is not there yet. ``WORK_DIR/.jupyter/`` holds the JupyterLab settings of the student's
workspace: nbgrader's instructor tools (its lab extension and server extensions) are switched off
there. ``make lab`` starts JupyterLab with ``JUPYTER_CONFIG_PATH=WORK_DIR/.jupyter``, so only this
workspace is affected; an instructor's own ``jupyter lab`` keeps nbgrader.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PROBLEM_SETS = "problem-sets"  # the folder of the workspace that holds the problem sets
CONFIG = ".jupyter"  # the workspace's own Jupyter configuration (JUPYTER_CONFIG_PATH)

#: nbgrader's lab extension and server extensions (an "Nbgrader" menu, "Create Assignment",
#: "Validate", the formgrader): instructor tools a student never needs.
NBGRADER_LAB = "@jupyter/nbgrader"
NBGRADER_SERVER = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.validate_assignment",
                   "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.course_list")


def copy_missing(src: Path, dst: Path, pattern: str = "*") -> list[Path]:
    """Copy every file under ``src`` (matching ``pattern``) to ``dst`` unless it is already there;
    return the files copied.

    A student's working copy is never overwritten: delete a file to get a fresh copy.
    """
    copied = []
    for path in sorted(Path(src).rglob(pattern)):
        target = Path(dst) / path.relative_to(src)
        if path.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(target)
    return copied


def student_config(work: Path) -> Path:
    """Write the workspace's Jupyter configuration (nbgrader's UI off); return its folder."""
    config = Path(work) / CONFIG
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {NBGRADER_LAB: True}}, indent=2) + "\n", encoding="utf-8")
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {name: False for name in NBGRADER_SERVER}}}, indent=2) + "\n",
        encoding="utf-8")
    return config


def main(edition: str, work: str, problem_sets: str = "exercises/student") -> int:
    """Copy the notebook edition ``edition`` and the student problem sets ``problem_sets`` into
    ``work`` where a file is not there yet, and write the workspace's Jupyter configuration."""
    if not Path(edition).is_dir():
        raise SystemExit(f"error: no notebook edition in {edition} (run `make book` first)")
    if not Path(problem_sets).is_dir():
        raise SystemExit(f"error: no student problem sets in {problem_sets} (run `make problem-sets`)")
    new = copy_missing(Path(edition), Path(work))
    new += copy_missing(Path(problem_sets), Path(work) / PROBLEM_SETS, "*.ipynb")
    student_config(Path(work))
    print(f"{len(new)} new file(s) copied into {work} (chapters in book/, problem sets in {PROBLEM_SETS}/); "
          "existing files left as they are.")
    return 0
