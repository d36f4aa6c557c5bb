"""Shared fixtures: one build of the web book per test session."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def built_book():
    """Build once per test session with `make book`'s command and warnings as errors.

    The build uses the notebooks' stored outputs instead of executing them again: nbval (in the
    same test run) executes every notebook from a fresh kernel and checks its key outputs, so a
    second execution here would only double the time. `make book` itself executes (with a cache).
    """
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    # local extensions are found relative to the config file, which lives under _build here
    config["sphinx"]["local_extensions"] = {name: str(ROOT / path)
                                            for name, path in config["sphinx"]["local_extensions"].items()}
    test_config = ROOT / "_build" / "test-config.yml"
    test_config.parent.mkdir(exist_ok=True)
    test_config.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(ROOT), "--config", str(test_config), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return HTML
