"""The JupyterLite site ("run in the browser", alliances/publish/lite.py), as far as it can be tested offline.

Tested: the site builds offline; it holds every chapter and student problem set (with the setup
cell first), every data file unchanged and the package wheel, indexed for piplite; the lite copies
of the notebooks run against that wheel and that data; in Chromium the site opens a chapter, and
the only request it makes to another host is for Pyodide on the jsDelivr CDN.

Not testable offline: a running Pyodide kernel (Pyodide and its packages come from the CDN the
first time a kernel starts; see the README, "Run in the browser").
"""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from alliances.hashing import sha256
from alliances.publish import lite as lite_site

from helpers import CHROMIUM, ROOT, SHOTS, serve


EDITION = ROOT / "_build" / "html" / "notebooks"  # written by the book build (built_book)
NOTEBOOKS = {f"book/{p.name}": EDITION / "student" / "book" / p.name for p in sorted((ROOT / "book").glob("*.ipynb"))}
NOTEBOOKS |= {f"self-study/{p.name}": EDITION / "self-study" / "book" / p.name
              for p in sorted((ROOT / "book").glob("*.ipynb"))}
NOTEBOOKS |= {f"exercises/{p.name}": p for p in sorted((ROOT / "exercises" / "student").glob("*.ipynb"))}


@pytest.fixture(scope="module")
def lite(tmp_path_factory, built_book):
    """The site, built into a temporary folder exactly as `make book` builds it (after the book)."""
    tmp = tmp_path_factory.mktemp("lite")
    return lite_site.build(out=tmp / "site", work=tmp / "work")


def test_site_has_every_notebook_with_the_setup_cell_first(lite):
    """The site serves the notebook edition (student in book/, self-study in self-study/)."""
    assert len(NOTEBOOKS) >= 41
    for rel, source in NOTEBOOKS.items():
        copy = lite / "files" / rel
        assert copy.is_file(), f"{rel} is missing from the JupyterLite site"
        nb, original = nbformat.read(copy, as_version=4), nbformat.read(source, as_version=4)
        nbformat.validate(nb)
        assert nb.cells[0].metadata["tags"] == [lite_site.SETUP_TAG], f"{rel}: no setup cell first"
        assert [c.source for c in nb.cells[1:]] == [c.source for c in original.cells], f"{rel} differs from {source}"
    listing = json.loads((lite / "api/contents/book/all.json").read_text())
    assert {item["name"] for item in listing["content"]} == {p.name for p in (ROOT / "book").glob("*.ipynb")}


def test_site_has_every_data_file_unchanged(lite):
    package = json.loads((ROOT / "data/datapackage.json").read_text())
    assert (lite / "files/data/datapackage.json").read_bytes() == (ROOT / "data/datapackage.json").read_bytes()
    for resource in package["resources"]:
        copy = lite / "files/data" / resource["path"]
        assert copy.is_file(), f"data file {resource['path']} is missing from the JupyterLite site"
        assert f"sha256:{sha256(copy)}" == resource["hash"], f"{resource['path']} changed on its way into the site"


def test_site_serves_the_package_to_piplite(lite):
    (wheel,) = (lite / "pypi").glob("alliances-*-py3-none-any.whl")
    index = json.loads((lite / "pypi/all.json").read_text())
    (release,) = index["alliances"]["releases"].values()
    assert release[0]["digests"]["sha256"] == sha256(wheel)
    config = json.loads((lite / "jupyter-lite.json").read_text())["jupyter-config-data"]
    urls = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]["pipliteUrls"]
    assert any(url.startswith("./pypi/all.json") for url in urls)
    extensions = {ext["name"] for ext in config["federated_extensions"]}
    assert {"@jupyter-widgets/jupyterlab-manager", "@jupyterlite/pyodide-kernel-extension"} <= extensions


def test_lite_notebooks_run_against_the_served_wheel_and_data(lite, tmp_path, monkeypatch):
    """Install the site's wheel alone, then run lite copies from the site's own folders."""
    (wheel,) = (lite / "pypi").glob("alliances-*.whl")
    target = tmp_path / "site-packages"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    monkeypatch.setenv("PYTHONPATH", str(target))
    monkeypatch.delenv("ALLIANCES_DATA_DIR", raising=False)
    for rel in ("book/introduction.ipynb", "exercises/ps1-foundations.ipynb"):
        nb = nbformat.read(lite / "files" / rel, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(
            "import alliances, alliances.data\nprint(alliances.__file__)\nprint(alliances.data.data_dir())"))
        # a student problem set stops at each unanswered exercise (nbgrader's NotImplementedError)
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=rel.startswith("exercises/"),
                       resources={"metadata": {"path": str((lite / "files" / rel).parent)}}).execute()
        errors = [out["ename"] for cell in nb.cells if cell.cell_type == "code"
                  for out in cell.outputs if out["output_type"] == "error"]
        assert errors[:1] in ([], ["NotImplementedError"]), f"{rel}: setup failed with {errors[0]}"
        assert not {"ModuleNotFoundError", "ImportError", "DataError"} & set(errors), f"{rel}: {errors}"
        package_file, data_folder = nb.cells[-1].outputs[0]["text"].split()
        assert Path(package_file).is_relative_to(target), f"{rel} imported {package_file}, not the site's wheel"
        assert Path(data_folder) == (lite / "files/data").resolve()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (.ci/run installs it)")
def test_site_opens_a_chapter_in_the_browser(lite, browser):
    with serve(lite) as site:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        elsewhere = []
        page.on("request", lambda request: request.url.startswith(site) or elsewhere.append(request.url))
        page.goto(f"{site}/lab/index.html?path=book/nato-structure-and-purpose.ipynb")
        page.wait_for_selector(".jp-Notebook .jp-MarkdownCell h1", timeout=60_000)
        assert page.locator(".jp-Notebook .jp-MarkdownCell h1").first.inner_text().startswith("NATO")
        assert "%pip install -q --no-deps alliances" in page.locator(".jp-Notebook .jp-CodeCell").first.inner_text()
        page.wait_for_timeout(2_000)  # the kernel starts loading Pyodide
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "jupyterlite.png"))
        page.close()
    assert elsewhere and all(url.startswith("https://cdn.jsdelivr.net/pyodide/") for url in elsewhere), elsewhere
