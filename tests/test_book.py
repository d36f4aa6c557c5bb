"""The web book builds with warnings as errors, with an HTML page for every toc entry."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"


def toc_files():
    """Every file named in _toc.yml (root, chapters and sections, in order)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries:
            files.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part["chapters"])
    walk(toc.get("chapters", []))
    return files


@pytest.fixture(scope="session")
def built_book():
    """Build once per test session, exactly as `make book` does (jupyter-cache keeps reruns fast)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return HTML


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
