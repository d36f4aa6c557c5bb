"""Checks every chapter's glued numbers, and records its check calls, during the nbval run.

nbval executes each notebook cell in a fresh kernel (``pytest book/``) but, in lax mode, compares
only cells marked ``NBVAL_CHECK_OUTPUT``. The book is built from the *stored* outputs, so a
glued number that is stale in the stored notebook would be published. This hook compares every
glue record of every executed cell with the stored one and fails the cell, naming the chapter
and the glue key, when they differ. It reuses the outputs nbval has just computed.

The same run records each chapter's check calls for the notebook edition
(``alliances/publish/nbval_records.py``), so the book build need not execute the chapter again.
"""

from pathlib import Path

import pytest

from alliances.publish.nbval_records import Recorder
from alliances.publish.stale_glue import glue_differences, glue_records

ROOT = Path(__file__).resolve().parent


def pytest_configure(config):
    # nbval's execution of each chapter also records its check calls into the cache the book
    # build reads (_build/.check-records), so the build in tests/ executes no chapter again
    config.pluginmanager.register(Recorder(ROOT / "book", ROOT / "_build" / ".check-records", ROOT / "data"),
                                  "check-records")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    fresh = getattr(item, "test_outputs", None)
    if call.when != "call" or not report.passed or fresh is None or not hasattr(item, "cell"):
        return
    problems = glue_differences(glue_records(item.cell.get("outputs", [])), glue_records(fresh))
    if problems:
        chapter = item.path.stem
        report.outcome = "failed"
        report.longrepr = (f"{chapter}: glued values differ from the stored notebook (re-execute it "
                           f"and commit the outputs, or find what changed):\n  "
                           + "\n  ".join(f"{chapter}: {p}" for p in problems))
