"""Checks every chapter's glued numbers during the nbval run, with no second execution.

nbval executes each notebook cell in a fresh kernel (``pytest book/``) but, in lax mode, compares
only cells marked ``NBVAL_CHECK_OUTPUT``. The book is built from the *stored* outputs, so a
glued number that is stale in the stored notebook would be published. This hook compares every
glue record of every executed cell with the stored one and fails the cell, naming the chapter
and the glue key, when they differ. It reuses the outputs nbval has just computed.
"""

import pytest

from alliances.publish.stale_glue import glue_differences, glue_records


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
