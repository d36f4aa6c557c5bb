"""A student notebook in a real JupyterLab server, driven by headless Chromium.

The notebook edition (copied as `make lab` copies it) opens in JupyterLab 4: the rendered text has
the glued numbers, numbered exercises and collapsed hints, and no raw MyST. Running all cells of
the chapter with the explorers and moving a slider redraws the explorer's figure. Screenshots of
the chapter, an exercise and the explorer go to _build/screenshots/.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from alliances.publish import workspace
from helpers import CHROMIUM, ROOT, SHOTS

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (.ci/run installs it)")
TOKEN = "edition-test"
RAW_MYST = ["{glue", "{cite}", "{term}", "{doc}", "{numref}", "```{", ":::{", ":label:", ":class:", "(nato-overview)="]


@pytest.fixture(scope="module")
def lab(built_book, tmp_path_factory):
    """JupyterLab on a loopback port, serving a working copy of the student notebooks."""
    work = ROOT / "_build" / "lab-workspace"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    workspace.copy_missing(built_book / "notebooks" / "student", work)
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))  # render every cell, not only those in view
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path_factory.mktemp("lab-log") / "lab.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}", f"--LabApp.user_settings_dir={settings}",
         f"--LabApp.workspaces_dir={settings}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"})
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("JupyterLab did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def open_notebook(browser, lab, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{lab}/lab/tree/book/{name}.ipynb?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell h1", timeout=90_000)
    page.wait_for_timeout(500)
    news = page.locator(".jp-toast-button", has_text="No")  # "get notified about Jupyter news?"
    if news.count():
        news.first.click()
    return page


def test_student_notebook_reads_like_a_book_page(browser, lab):
    page = open_notebook(browser, lab, "nato-structure-and-purpose")
    try:
        page.wait_for_timeout(1_000)
        text = " ".join(page.locator(".jp-Notebook").inner_text().split())
        assert "32 states belonged to it at the end of 2024" in text
        assert "NATO began with 12 members" in text
        assert [raw for raw in RAW_MYST if raw in text] == []
        assert "(North Atlantic Treaty Organization 1949)" in text and "References" in text
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "lab-chapter.png"))
        # an exercise: numbered heading, hint collapsed in <details>, no solution, check hidden
        heading = page.locator(".jp-MarkdownCell h3", has_text="Exercise").first
        assert heading.inner_text().startswith("Exercise ") and ":" in heading.inner_text()
        details = page.locator(".jp-MarkdownCell details", has=page.locator("summary", has_text="Hint")).first
        assert details.get_attribute("open") is None and details.locator("summary").inner_text() == "Hint"
        heading.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "lab-exercise.png"))
        assert "Solution" not in [s.inner_text() for s in page.locator("summary").all()]
        assert "checks.check_" not in text and "google.colab" not in text  # check and set-up cells collapsed
    finally:
        page.close()


def test_explorer_redraws_when_the_slider_moves(browser, lab):
    page = open_notebook(browser, lab, "major-military-alliances-today")
    try:
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        cell = page.locator(".jp-CodeCell", has=page.locator(".widget-slider")).first
        cell.wait_for(timeout=120_000)
        image = cell.locator(".jp-OutputArea-output img").first
        image.wait_for(timeout=60_000)
        cell.scroll_into_view_if_needed()
        before = image.get_attribute("src")
        SHOTS.mkdir(parents=True, exist_ok=True)
        handle = cell.locator(".widget-slider .noUi-handle, .widget-slider input").first
        handle.focus()
        for _ in range(5):
            page.keyboard.press("ArrowLeft")
        deadline = time.time() + 60
        while time.time() < deadline and image.get_attribute("src") == before:
            page.wait_for_timeout(500)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "lab-explorer.png"))
        assert image.get_attribute("src") != before, "the explorer's figure did not change"
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
        assert not [e for e in errors if "Traceback" in e or "Error" in e], errors
    finally:
        page.close()
