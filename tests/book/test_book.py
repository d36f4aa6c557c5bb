"""The web book builds with warnings as errors, with an HTML page for every toc entry."""

import json
import re
from pathlib import Path

import yaml

from helpers import ROOT, chapters, toc_files

HTML = ROOT / "_build" / "html"


def test_every_toc_entry_has_a_page(built_book):
    missing = [f for f in toc_files() if not (built_book / f"{f}.html").is_file()]
    assert not missing, f"no HTML page for {missing}"
    assert (built_book / "index.html").is_file()


def test_toc_files_exist_and_are_named_for_urls():
    for f in toc_files():
        matches = list(ROOT.glob(f"{f}.*"))
        assert matches, f"{f} is in _toc.yml but has no source file"
        name = Path(f).name
        assert name == name.lower() and " " not in name and "_" not in name, f"{name}: use lowercase-with-hyphens"


def test_page_budget_and_no_third_party_scripts(built_book):
    """Every page plus its images is at most 1.5 MB and loads no script from another host."""
    for name in toc_files():
        page = built_book / f"{name}.html"
        html = page.read_text(encoding="utf-8")
        images = {src for src in re.findall(r'<img[^>]+src="([^"]+)"', html) if "://" not in src}
        size = page.stat().st_size + sum((page.parent / src).resolve().stat().st_size for src in images)
        assert size <= 1_500_000, f"{name}: {size:,} bytes with its images"
        external = re.findall(r'<script[^>]+src="(https?://[^"]+)"', html)
        assert external == [], f"{name} loads third-party scripts: {external}"
        for tracker in ("googletagmanager", "google-analytics", "plausible.io/js"):
            assert tracker not in html, f"{name} includes a tracker ({tracker})"


def test_every_chapter_page_has_launch_and_download_buttons(built_book):
    """Binder, Colab, JupyterLite and the download button give the chapter's student notebook.

    Binder and Colab open it on the `notebooks` branch (the publishing workflow pushes the notebook
    edition there); the download is the edition's student notebook, not the authoring source.
    The repository address comes from _config.yml only. No JupyterHub button: it needs an
    institution's hub address (README, "Running the notebooks online").
    """
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    assert not config["launch_buttons"]["jupyterhub_url"]
    for name in chapters():
        html = (built_book / f"{name}.html").read_text(encoding="utf-8")
        links = set(re.findall(r'<a href="([^"]+)"', html))
        expected = {
            f"https://mybinder.org/v2/gh/{repo}/notebooks?urlpath=lab/tree/{name}.ipynb",
            f"https://colab.research.google.com/github/{repo}/blob/notebooks/{name}.ipynb",
            f"../lite/lab/index.html?path={name}.ipynb",
            f"../notebooks/student/{name}.ipynb",
        }
        assert expected <= links, f"{name}: missing {sorted(expected - links)}"
        assert not any("_sources/" in link and link.endswith(".ipynb") for link in links), name
        download = json.loads((built_book / "notebooks" / "student" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert download["metadata"]["alliances_edition"]["form"] == "student"
        assert "hub/user-redirect" not in html


def test_every_chapter_fetches_the_course_in_colab_and_hides_that_cell(built_book):
    """Colab opens a bare notebook: the hidden first code cell clones this repository (from _config.yml)."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    for name in chapters():
        nb = json.loads((ROOT / f"{name}.ipynb").read_text(encoding="utf-8"))
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        source = "".join(first["source"])
        assert first["id"] == "colab-setup" and first["metadata"]["tags"] == ["remove-cell"], name
        assert f"git clone --quiet --depth 1 {url}.git /content/course" in source, f"{name}: clones another address"
        assert 'if "google.colab" in sys.modules:' in source
        assert "/content/course" not in (built_book / f"{name}.html").read_text(encoding="utf-8"), name


def test_glue_bookkeeping_is_hidden_and_the_computation_shown(built_book):
    """Issue #25: the pages showed the glue(...) calls between figures (27 on External Pressures, 33 on
    NATO). The displayed code keeps the computation (page_fixes.py hides the glue-only statements)."""
    import html as html_lib

    for name in ("book/external-pressures", "book/nato-structure-and-purpose"):
        page = (built_book / f"{name}.html").read_text(encoding="utf-8")
        inputs = re.findall(r'<div class="cell_input[^"]*"[^>]*>(.*?)</div>\s*</div>', page, flags=re.S)
        shown = html_lib.unescape(re.sub(r"<[^>]+>", "", "\n".join(inputs)))
        assert inputs and "=" in shown, f"{name}: no code shown"
        assert "glue(" not in shown and "glue_change(" not in shown, \
            f"{name}: glue calls in the displayed code: {re.findall(r'.*glue.*', shown)[:3]}"
