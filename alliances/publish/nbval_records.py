"""Record the chapters' check calls while nbval executes them, so the book build need not.

The notebook edition needs each chapter's recorded check calls (``check_specs``): the book build
gets them from a cache (``_build/.check-records``, keyed on the chapter's code, the library's
modules and the data: ``check_specs.cache_path``) or executes the chapter once more to record
them (``check_specs.record``). In the test run nbval executes every chapter anyway (``pytest
book/``), so this pytest plugin records during that execution, exactly as ``check_specs.record``
does (the kernel started with ``ALLIANCES_RECORD_CHECKS`` set, each check cell run as
``check_specs.recording_source``), and stores the records under the same key. The test run runs
``book/`` before ``tests/`` (pyproject.toml's ``testpaths``), so its book build finds every
chapter's records current and executes nothing.

Records are stored only when every code cell of the chapter passed (no failure, no skip: a
partial run records nothing), when the chapter is one of ``book_dir``'s and when the kernel reads
the data the key is computed from (``ALLIANCES_DATA_DIR`` unset or that folder). The key is
computed from the notebook as collected, before its first cell runs.

Registered by the repository's ``conftest.py``; the book build without nbval (``make book``) still
records by executing (``sphinx/notebook_edition.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# the names of ``alliances.data.ENV_VAR`` and ``alliances.checks.RECORD_ENV``, not imported here:
# every pytest run loads this plugin, and those modules import pandas (tests/publish/test_check_specs.py
# checks that the names agree)
DATA_ENV = "ALLIANCES_DATA_DIR"
RECORD_ENV = "ALLIANCES_RECORD_CHECKS"


class _Chapter:
    def __init__(self, nb, path: Path, records: Path, cache: Path):
        from . import check_specs

        indices = check_specs.check_cells(nb)
        self.keys = {id(nb.cells[i]): nb.cells[i].get("id", str(i)) for i in indices}  # check cell -> key
        self.code_cells = sum(cell.cell_type == "code" for cell in nb.cells)
        self.passed = 0
        self.ok = True
        self.records = records  # the kernel's ALLIANCES_RECORD_CHECKS file
        self.cache = cache  # check_specs.cache_path


class Recorder:
    """pytest plugin: record the check calls of ``book_dir``'s chapters during nbval's run."""

    def __init__(self, book_dir: Path, cache_dir: Path, data_dir: Path):
        self.book_dir = Path(book_dir).resolve()
        self.cache_dir = Path(cache_dir)
        self.data_dir = Path(data_dir).resolve()
        self.chapters: dict[str, _Chapter | None] = {}  # nodeid of the notebook -> its recording
        self._tmp: Path | None = None

    def _reads_our_data(self) -> bool:
        env = os.environ.get(DATA_ENV)
        return not env or Path(env).resolve() == self.data_dir

    @staticmethod
    def _is_cell(item) -> bool:
        return item.path.suffix == ".ipynb" and hasattr(item, "cell") and hasattr(item.parent, "nb")

    def _start(self, item) -> _Chapter | None:
        """The recording of ``item``'s chapter, begun when its kernel is about to start."""
        from . import check_specs
        from .solutions import EditionError

        nb = item.parent.nb
        if (item.path.parent.resolve() != self.book_dir or getattr(item.parent, "kernel", None) is not None
                or not self._reads_our_data()):
            return None
        try:
            if not check_specs.check_cells(nb):
                return None
        except EditionError:  # a malformed solution: nothing to record; the book build reports it
            return None
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="check-records-"))
        stem = item.path.stem
        return _Chapter(nb, item.path, self._tmp / f"{stem}.jsonl",
                        check_specs.cache_path(nb, stem, self.cache_dir, self.data_dir))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        file = item.parent.nodeid if self._is_cell(item) else None
        starting = file is not None and file not in self.chapters
        if starting:
            self.chapters[file] = self._start(item)
        chapter = self.chapters.get(file) if starting else None
        saved = os.environ.get(RECORD_ENV)
        if chapter is not None:  # nbval starts the chapter's kernel in this setup: it inherits this
            chapter.records.unlink(missing_ok=True)
            os.environ[RECORD_ENV] = str(chapter.records)
        try:
            yield
        finally:
            if chapter is not None:
                if saved is None:
                    os.environ.pop(RECORD_ENV, None)
                else:
                    os.environ[RECORD_ENV] = saved

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        chapter = self.chapters.get(item.parent.nodeid) if self._is_cell(item) else None
        key = chapter.keys.get(id(item.cell)) if chapter is not None else None
        if key is None:
            yield
            return
        source = item.cell.source
        from . import check_specs

        item.cell.source = check_specs.recording_source(source, key)
        try:
            yield
        finally:
            item.cell.source = source

    def pytest_runtest_logreport(self, report):
        chapter = self.chapters.get(report.nodeid.rsplit("::", 1)[0])
        if chapter is None or not chapter.ok:
            return
        if report.failed or report.skipped:
            chapter.ok = False
        elif report.when == "call":
            chapter.passed += 1
            if chapter.passed == chapter.code_cells:
                from . import check_specs

                check_specs.store(chapter.cache, check_specs.read_records(chapter.records))

    def pytest_unconfigure(self, config):
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
