"""The cache of the chapters' recorded check calls (``check_specs.cache_path``, ``store``) and its
filling during nbval's run (``alliances/publish/nbval_records.py``): the records nbval stores are
exactly those ``check_specs.record`` makes by executing the chapter, and only a complete, passing
run on the book's own data stores any.
"""

import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

from alliances import checks, data
from alliances.publish import check_specs, nbval_records
from helpers import ROOT


def chapter(last="x = 1"):
    """A chapter with one exercise: student cell, gated solution, check cell (computing ``expected``)."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [md("```{exercise}\n:label: ex-a\nAdd.\n```"),
                code("from alliances import checks\nanswer_x = ..."),
                md("```{solution-start} ex-a\n```"), code("answer_x = 2 + 1"), md("```{solution-end}\n```"),
                code("_e = sum([1, 2])\nchecks.check_number(answer_x, expected=_e, mistakes=[(_e - 1, 'off by one')])"),
                code(last)]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def test_the_plugin_uses_the_librarys_names():
    assert nbval_records.RECORD_ENV == checks.RECORD_ENV
    assert nbval_records.DATA_ENV == data.ENV_VAR


def test_the_key_changes_with_the_code_the_library_and_the_data(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    key = check_specs.cache_path(chapter(), "c", tmp_path, tmp_path / "data")
    assert key == check_specs.cache_path(chapter(), "c", tmp_path, tmp_path / "data")
    assert key != check_specs.cache_path(chapter(last="x = 2"), "c", tmp_path, tmp_path / "data")
    nmc = tmp_path / "data" / "nmc.csv"
    nmc.write_text(nmc.read_text().replace("\n2,2022,", "\n2,2022,1", 1))
    assert key != check_specs.cache_path(chapter(), "c", tmp_path, tmp_path / "data")
    nmc.write_bytes((ROOT / "data" / "nmc.csv").read_bytes())
    library = tmp_path / "alliances"
    shutil.copytree(ROOT / "alliances", library, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(check_specs, "checks", types.SimpleNamespace(__file__=str(library / "checks.py")))
    assert key == check_specs.cache_path(chapter(), "c", tmp_path, tmp_path / "data")
    (library / "research" / "panels.py").write_text("# changed\n", encoding="utf-8")
    assert key != check_specs.cache_path(chapter(), "c", tmp_path, tmp_path / "data")


def test_storing_replaces_only_the_same_chapters_records(tmp_path):
    """lab-deterrence's records must not delete lab-deterrence-debate's (a name that extends it)."""
    check_specs.store(tmp_path / "lab-deterrence-debate-1111.json", {"a": []})
    check_specs.store(tmp_path / "lab-deterrence-2222.json", {"b": []})
    check_specs.store(tmp_path / "lab-deterrence-3333.json", {"c": []})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lab-deterrence-3333.json", "lab-deterrence-debate-1111.json"]
    assert check_specs.cached(tmp_path / "lab-deterrence-3333.json") == {"c": []}
    assert check_specs.cached(tmp_path / "lab-deterrence-2222.json") is None


def run_nbval(folder, *args, env=None):
    (folder / "conftest.py").write_text(
        "from pathlib import Path\nfrom alliances.publish.nbval_records import Recorder\n\n"
        "def pytest_configure(config):\n"
        "    here = Path(__file__).parent\n"
        f"    config.pluginmanager.register(Recorder(here / 'book', here / 'cache', Path({str(ROOT / 'data')!r})))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    env.pop(checks.RECORD_ENV, None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                           "--nbval-current-env", *args], cwd=folder, env=env, capture_output=True, text=True)


@pytest.mark.notebooks
@pytest.mark.slow
def test_nbval_stores_what_executing_the_chapter_records(tmp_path, monkeypatch):
    book = tmp_path / "book"
    book.mkdir()
    nbformat.write(chapter(), book / "demo.ipynb")
    proc = run_nbval(tmp_path, "book/demo.ipynb")
    assert proc.returncode == 0, proc.stdout[-3000:]
    nb = nbformat.read(book / "demo.ipynb", as_version=4)
    path = check_specs.cache_path(nb, "demo", tmp_path / "cache", ROOT / "data")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's alliances
    monkeypatch.delenv(checks.RECORD_ENV, raising=False)
    executed = json.loads(json.dumps(check_specs.record(nb, book)))
    assert check_specs.cached(path) == executed
    assert [e["call"]["kwargs"]["expected"] for e in executed["cell-5"]] == [3]
    edition = check_specs.student_source(nb.cells[5].source, executed["cell-5"], "ex-a")
    assert "sum(" not in edition and "mistakes" not in edition and "checks.check_exercise('ex-a', answer_x" in edition


@pytest.mark.notebooks
@pytest.mark.slow
@pytest.mark.parametrize("case", ["a cell fails", "other data", "part of the chapter", "a malformed solution"])
def test_nbval_stores_nothing_from_a_partial_failing_or_other_data_run(tmp_path, case):
    """... and a solution without its end records nothing (nbval still runs it; the book build fails on it)."""
    book = tmp_path / "book"
    book.mkdir()
    nb = chapter(last="1 / 0" if case == "a cell fails" else "x = 1")
    if case == "a malformed solution":
        nb.cells[4].source = "No end marker."
    nbformat.write(nb, book / "demo.ipynb")
    env, args = {}, ["book/demo.ipynb"]
    if case == "other data":
        shutil.copytree(ROOT / "data", tmp_path / "data")
        env = {data.ENV_VAR: str(tmp_path / "data")}
    if case == "part of the chapter":
        args = [f"book/demo.ipynb::Cell {n}" for n in range(3)]  # all but the last code cell
    proc = run_nbval(tmp_path, *args, env=env)
    assert (proc.returncode != 0) == (case == "a cell fails"), proc.stdout[-3000:]
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


GROUPS_PLUGIN = """
import json, os
def pytest_collection_finish(session):
    with open(os.environ["GROUPS_OUT"], "w") as out:
        json.dump([(i.nodeid, str(i.path), [m.args[0] for m in i.iter_markers("xdist_group")])
                   for i in session.items], out)
"""


def test_on_several_workers_the_chapters_and_the_build_run_first_and_its_readers_last(tmp_path):
    """`make test` runs on several cores (pytest-xdist, ``--dist loadgroup``, ``--no-loadscope-reorder``):
    nbval's chapters, the tests that read the check calls they record and the book build's own tests
    are the first group, ``build`` (tests/conftest.py), on one worker in collection order, so the build
    finds every chapter's records; every other test that names _build or the built-book fixture comes after all
    other tests, when the build (shared between workers under a lock) is done."""
    (tmp_path / "dump_groups.py").write_text(GROUPS_PLUGIN)
    env = {**os.environ, "GROUPS_OUT": str(tmp_path / "groups.json"),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "dump_groups"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    items = json.loads((tmp_path / "groups.json").read_text())
    assert all(len(names) == 1 for _, _, names in items), "every test is in exactly one group"
    files = [nodeid.split("::")[0] for nodeid, _, _ in items]
    group = {file: names[0] for file, (_, _, names) in zip(files, items)}
    paths = {file: Path(path) for file, (_, path, _) in zip(files, items)}
    marks = ("ROOT / " + '"_build"', "built_" + "book")  # split, so this file does not name them itself
    shares = {file for file, path in paths.items()
              if path.suffix == ".py" and any(mark in path.read_text() for mark in marks)}
    assert {"tests/book/test_book.py", "tests/book/test_chapter_mistakes.py", "tests/publish/test_notebooks.py"} <= shares
    first = [k for k, file in enumerate(files) if group[file] == "build"]
    assert first == list(range(len(first))), "the build group comes first"
    assert {f for f in files if f.startswith("book/")} | {"tests/book/test_book.py", "tests/book/test_chapter_mistakes.py"} \
        == {files[k] for k in first}, "the chapters, the build and the readers of the records are the build group"
    assert max(k for k in first if files[k].startswith("book/")) < min(k for k in first if not files[k].startswith("book/")), \
        "nbval's chapters run first in the build group"
    readers = [k for k, file in enumerate(files) if file in shares and group[file] != "build"]
    others = [k for k, file in enumerate(files) if file not in shares and group[file] != "build"]
    assert readers and min(readers) > max(others), "the readers of the built book come after every other test"
