"""Chapters' mistake-aware checks (#16): every listed mistake is recognised, and none is the answer.

A chapter's check cell may pass ``mistakes=[(wrong, message), ...]`` to ``alliances.checks``. This
test runs each chapter that does so (its code cells, in one namespace, without the interactive
explorers), records every check call, and then gives each check each listed *value* mistake as
the answer: the check must reply with that mistake's message, and a mistake value must never be
accepted as correct (a mistake equal to the answer would be a silent defect).
"""

import contextlib
import io
import os

import matplotlib
import nbformat
import pandas as pd
import pytest

from helpers import ROOT, toc_files

matplotlib.use("Agg")

CHAPTERS = [name for name in toc_files()
            if (ROOT / f"{name}.ipynb").is_file() and "mistakes=" in (ROOT / f"{name}.ipynb").read_text()]
CHECKS = ("check_number", "check_set", "check_between", "check_collection", "check_series")


def _recorded_checks(name, monkeypatch):
    from alliances import checks

    calls = []
    for fn in CHECKS:
        original = getattr(checks, fn)

        def record(answer, *args, _original=original, _fn=fn, **kwargs):
            calls.append((_fn, _original, args, kwargs))
            return _original(answer, *args, **kwargs)

        monkeypatch.setattr(checks, fn, record)
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    namespace = {}
    monkeypatch.chdir(ROOT / "book")
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code" or cell.get("id") == "colab-setup" or "NBVAL_IGNORE_OUTPUT" in cell.source:
                continue
            exec(compile(cell.source, f"{name}:{cell.get('id')}", "exec"), namespace)
    matplotlib.pyplot.close("all")
    return calls


@pytest.mark.skipif(not CHAPTERS, reason="no chapter lists mistakes yet")
@pytest.mark.parametrize("name", CHAPTERS)
def test_every_listed_mistake_gets_its_message(name, monkeypatch):
    calls = _recorded_checks(name, monkeypatch)
    listed = [(fn, original, args, kwargs) for fn, original, args, kwargs in calls if kwargs.get("mistakes")]
    assert listed, f"{name}: 'mistakes=' appears in the notebook but no check call passed any"
    for fn, original, args, kwargs in listed:
        for wrong, message in kwargs["mistakes"]:
            if callable(wrong) and not isinstance(wrong, pd.Series):
                continue  # a predicate: its cases are the problem sets' and checks' unit tests' business
            answer = {str(x) for x in wrong} if fn == "check_set" else wrong if isinstance(wrong, pd.Series) else float(wrong)
            feedback = original(answer, *args, **kwargs)
            assert not feedback.correct, f"{name}: the mistake {message!r} is accepted as the right answer"
            assert message in feedback.message, f"{name}: {fn} does not recognise {message!r}: {feedback.message}"
