"""No stale number can survive a build or a test run (issue #13, item 3).

- ``alliances/publish/cache.py`` clears the execution cache and rendered pages when ``data/`` changes;
- the repository's ``conftest.py`` compares every glued value with the stored one while nbval
  executes the chapters (tested here on a copy of the data with one value changed);
- prose never puts a negative glued value after a direction word ("fell by about -42%").
"""

import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from alliances.hashing import sha256
from alliances.publish import cache
from alliances.publish.stale_glue import glue_differences, glue_records
from helpers import ROOT, toc_files


CHAPTERS = [name for name in toc_files() if (ROOT / f"{name}.ipynb").is_file()]


# --- the execution cache is keyed on the data ------------------------------------------------

def _fake_build(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    build = tmp_path / "_build"
    for name in cache.STALE:
        (build / name).mkdir(parents=True)
        (build / name / "entry").write_text("old")
    return build, data


def test_cache_is_cleared_on_first_build_and_kept_while_data_unchanged(tmp_path):
    build, data = _fake_build(tmp_path)
    assert cache.refresh(build, data) is True  # no stamp yet: nothing can be trusted
    assert not (build / ".jupyter_cache").exists() and not (build / "html").exists()
    (build / ".jupyter_cache").mkdir()
    (build / ".jupyter_cache" / "entry").write_text("fresh")
    assert cache.refresh(build, data) is False
    assert (build / ".jupyter_cache" / "entry").read_text() == "fresh"


@pytest.mark.parametrize("change", ["value", "new file", "datapackage"])
def test_cache_is_cleared_when_any_data_file_changes(tmp_path, change):
    build, data = _fake_build(tmp_path)
    cache.refresh(build, data)
    for name in cache.STALE:
        (build / name).mkdir(exist_ok=True)
    if change == "value":
        nmc = data / "nmc.csv"
        nmc.write_text(nmc.read_text().replace("\n2,2022,", "\n2,2022,1", 1))
    elif change == "new file":
        (data / "new.csv").write_text("a\n1\n")
    else:
        package = data / "datapackage.json"
        package.write_text(package.read_text().replace('"title"', '"title" ', 1))
    assert cache.refresh(build, data) is True
    for name in cache.STALE:
        assert not (build / name).exists(), f"{name} survived a data change"


def test_codebook_edits_do_not_clear_the_cache(tmp_path):
    build, data = _fake_build(tmp_path)
    cache.refresh(build, data)
    (data / "README.md").write_text("edited")
    assert cache.refresh(build, data) is False


def test_make_book_refreshes_the_cache_before_executing():
    recipe = (ROOT / "Makefile").read_text().split("\nbook:", 1)[1].split("\n\n", 1)[0]
    assert "alliances.publish cache" in recipe, "make book must run python -m alliances.publish cache"
    assert recipe.index("alliances.publish cache") < recipe.index("jcache"), "clear the cache before executing"


# --- glue records: stored vs fresh ----------------------------------------------------------

def _glue_output(name, text):
    prefix = "application/papermill.record/"
    return {"output_type": "display_data", "data": {prefix + "text/plain": text},
            "metadata": {"scrapbook": {"name": name, "mime_prefix": prefix}}}


def test_glue_records_and_differences():
    stored = glue_records([_glue_output("a", "9"), _glue_output("b", "'x'"),
                           {"output_type": "stream", "name": "stdout", "text": "hi"}])
    assert stored == {"a": "9", "b": "'x'"}
    assert glue_differences(stored, dict(stored)) == []
    problems = glue_differences(stored, {"a": "10", "c": "1"})
    assert problems == ["glue 'a': stored 9, now 10", "glue 'b': stored 'x' but no longer glued",
                        "glue 'c': now 1 but not in the stored outputs"]


def _rehash(data, resource):
    package_path = data / "datapackage.json"
    package = json.loads(package_path.read_text())
    for res in package["resources"]:
        if res["name"] == resource:
            res["hash"] = "sha256:" + sha256(data / res["path"])
    package_path.write_text(json.dumps(package, indent=2))


def test_a_changed_data_value_fails_the_glue_check_naming_chapter_and_key(tmp_path):
    """Edit one value in a copy of data/ (US spending in 2022, doubled) and run one chapter.

    The chapter's glued US share of NATO spending changes, so the run must fail and say which
    chapter and which glue key went stale: a changed value in data/ cannot reach the book
    unnoticed.
    """
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    lines = (data / "nmc.csv").read_text().splitlines(keepends=True)
    header = lines[0].rstrip().split(",")
    i_code, i_year, i_milex = header.index("cow_code"), header.index("year"), header.index("milex")
    for n, line in enumerate(lines):
        cells = line.rstrip("\n").split(",")
        if cells[i_code] == "2" and cells[i_year] == "2022":
            cells[i_milex] = str(2 * float(cells[i_milex]))
            lines[n] = ",".join(cells) + "\n"
            break
    else:
        pytest.fail("no US row for 2022 in nmc.csv")
    (data / "nmc.csv").write_text("".join(lines))
    _rehash(data, "nmc")
    chapter = "book/nato-structure-and-purpose.ipynb"
    env = {**os.environ, "ALLIANCES_DATA_DIR": str(data)}
    proc = subprocess.run([sys.executable, "-m", "pytest", chapter, "-q", "-x", "-p", "no:randomly"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"changing US 2022 spending went unnoticed:\n{out[-3000:]}"
    assert "nato-structure-and-purpose: glue 'nato_us_share_2022': stored" in out, out[-3000:]


# --- signed glued values after a direction word ---------------------------------------------

DIRECTION = (r"fell|falls?|fallen|dropped|drops?|declined|declines?|decreased|decreases?|shrank|"
             r"shrunk|rose|rises?|risen|grew|grows?|grown|increased|increases?|climbed|gained|"
             r"went (?:up|down)|cut")
SIGNED_AFTER_WORD = re.compile(
    rf"\b({DIRECTION})\b(?:(?!\{{glue|\n\s*\n)[^.;:!?]){{0,60}}?\{{glue(?::text)?\}}`([^`:]+)(?::[^`]*)?`", re.I)


def stored_glue(nb):
    values = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            values.update(glue_records(cell.get("outputs", [])))
    return values


def signed_after_direction(prose, values):
    """(direction word, key, value) for each negative glued value quoted after a direction word."""
    found = []
    for match in SIGNED_AFTER_WORD.finditer(prose):
        word, key = match.group(1), match.group(2).strip()
        value = values.get(key, "").strip("'\"")
        if value.startswith(("-", "\u2212")):
            found.append((word, key, value))
    return found


def test_signed_value_scan_finds_the_pattern():
    values = {"tur": "'-42'", "up": "'12'", "tur_dir": "'fell'"}
    assert signed_after_direction("spending fell by about {glue:text}`tur`%.", values) == [("fell", "tur", "-42")]
    assert signed_after_direction("it rose by {glue:text}`tur:.0f` points", values) == [("rose", "tur", "-42")]
    assert signed_after_direction("spending {glue:text}`tur_dir` by {glue:text}`up`%", values) == []
    assert signed_after_direction("spending *fell* by about\n{glue:text}`tur`%", values) == [("fell", "tur", "-42")]
    assert signed_after_direction("It fell. Later {glue:text}`tur` was the change", values) == []
    assert signed_after_direction("It fell\n\n{glue:text}`tur` was the change", values) == []


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_signed_glued_value_after_a_direction_word(name):
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    found = signed_after_direction(prose, stored_glue(nb))
    assert not found, (f"{name}: a negative glued value after a direction word reads wrong "
                       f"(e.g. 'fell by -42%'); use alliances.glue.glue_change: {found}")
