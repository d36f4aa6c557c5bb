"""`make lab`'s workspace (issue #25): the chapters and the student problem sets in one folder, never
overwritten, and a student JupyterLab without nbgrader's instructor tools."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from alliances.publish import workspace
from helpers import ROOT

STUDENT_SETS = ROOT / "exercises" / "student"
TOKEN = "workspace-test"


def fake_edition(folder: Path) -> Path:
    (folder / "book").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter")]),
                   folder / "book" / "nato-structure-and-purpose.ipynb")
    return folder


def test_workspace_holds_chapters_and_student_problem_sets_and_never_overwrites(tmp_path):
    edition, work = fake_edition(tmp_path / "edition"), tmp_path / "work"
    assert workspace.main(str(edition), str(work), str(STUDENT_SETS)) == 0
    sets = sorted(p.name for p in (work / "problem-sets").glob("*.ipynb"))
    assert sets == sorted(p.name for p in STUDENT_SETS.glob("*.ipynb")) and len(sets) >= 5
    assert (work / "book" / "nato-structure-and-purpose.ipynb").is_file()
    for path in (work / "problem-sets").glob("*.ipynb"):  # no folder a student is sent to holds solutions
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text, path
    mine = work / "problem-sets" / sets[0]
    mine.write_text(mine.read_text().replace("raise NotImplementedError()", "x = 1", 1))
    edited = mine.read_bytes()
    workspace.main(str(edition), str(work), str(STUDENT_SETS))
    assert mine.read_bytes() == edited
    page = json.loads((work / ".jupyter" / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == {"@jupyter/nbgrader": True}
    server = json.loads((work / ".jupyter" / "jupyter_server_config.json").read_text())
    assert set(server["ServerApp"]["jpserver_extensions"]) == set(workspace.NBGRADER_SERVER)
    assert not any(server["ServerApp"]["jpserver_extensions"].values())


def test_make_lab_uses_the_workspace_settings_and_opens_its_root():
    recipe = re.search(r"^lab: workspace\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "JUPYTER_CONFIG_PATH=$(abspath $(WORK))/.jupyter" in recipe
    assert "--ServerApp.root_dir=$(WORK)" in recipe  # book/ and problem-sets/ both reachable
    workspace_recipe = re.search(r"^workspace: .*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "exercises/student" in workspace_recipe


@pytest.mark.slow
def test_student_jupyterlab_shows_problem_sets_and_no_nbgrader_ui(tmp_path):
    """JupyterLab started as `make lab` starts it: the problem sets are listed, nbgrader's lab
    extension is disabled in the page config, its server extensions (formgrader) are not loaded and
    the log has no "course directory" warning."""
    prefix = Path(sys.prefix)
    assert (prefix / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader").is_dir(), \
        "nbgrader's lab extension is not installed, so this test would prove nothing"
    work = tmp_path / "work"
    workspace.main(str(fake_edition(tmp_path / "edition")), str(work), str(STUDENT_SETS))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = tmp_path / "lab.log"
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(work / ".jupyter"), "JUPYTER_PLATFORM_DIRS": "1"}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
             f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
             "--LabApp.default_url=/lab/tree/book/nato-structure-and-purpose.ipynb", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
            + (["--allow-root"] if os.geteuid() == 0 else []), stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(180):
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2):
                        break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("JupyterLab did not start: " + log_path.read_text()[-2000:])
            with urllib.request.urlopen(f"{url}/api/contents/problem-sets?token={TOKEN}") as r:
                listed = json.load(r)
            assert sorted(c["name"] for c in listed["content"]) == sorted(p.name for p in STUDENT_SETS.glob("*.ipynb"))
            with urllib.request.urlopen(f"{url}/lab?token={TOKEN}") as r:
                page = r.read().decode()
            config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                          page, re.S).group(1))
            assert "@jupyter/nbgrader" in config["disabledExtensions"], config["disabledExtensions"]
            with pytest.raises(urllib.error.HTTPError) as err:
                with urllib.request.urlopen(f"{url}/formgrader?token={TOKEN}"):
                    pass
            assert err.value.code == 404
            err.value.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log_path.read_text()
    assert "course directory" not in text and "nbgrader" not in text.lower(), text[-2000:]
