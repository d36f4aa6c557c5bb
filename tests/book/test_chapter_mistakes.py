"""Chapters' mistake-aware checks (#16): every listed mistake is recognised, and none is the answer.

A chapter's check cell may pass ``mistakes=[(wrong, message), ...]`` to ``alliances.checks``. This
test takes every check call of each chapter that does so, as the notebook edition records it
(``alliances.publish.check_specs``: the arguments of each call when the chapter runs top to bottom
in a fresh kernel), and then gives each check each listed *value* mistake as the answer: the check
must reply with that mistake's message, and a mistake value must never be accepted as correct (a
mistake equal to the answer would be a silent defect).

The records come from the cache the book build reads (``_build/.check-records``, keyed on the
chapter's code, the library and the data, so never from old code or data): in the full suite
nbval's execution of the chapter has filled it (``alliances/publish/nbval_records.py``), so no
chapter runs a second time here; run alone, the test executes the chapter and fills the cache.
"""

import nbformat
import pandas as pd
import pytest

from alliances import checks
from alliances.publish import check_specs
from helpers import ROOT, toc_files

CHAPTERS = [name for name in toc_files()
            if (ROOT / f"{name}.ipynb").is_file() and "mistakes=" in (ROOT / f"{name}.ipynb").read_text()]
CHECKS = ("check_number", "check_set", "check_between", "check_collection", "check_series")


def _recorded_checks(name):
    """(check name, check, args, kwargs) of every check call the chapter makes, in the order they ran."""
    nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
    path = check_specs.cache_path(nb, (ROOT / name).name, ROOT / "_build" / ".check-records", ROOT / "data")
    records = check_specs.cached(path)
    if records is None:
        records = check_specs.record(nb, ROOT / "book")
        check_specs.store(path, records)
    calls = []
    for entries in records.values():
        for entry in entries:
            assert "error" not in entry, f"{name}: a check argument cannot be recorded: {entry['error']}"
            call = entry["call"]
            if call["check"] in CHECKS:
                args = [checks._decode(a, {}) for a in call["args"]]
                kwargs = {k: checks._decode(v, {}) for k, v in call["kwargs"].items()}
                calls.append((call["check"], getattr(checks, call["check"]), args, kwargs))
    return calls


@pytest.mark.skipif(not CHAPTERS, reason="no chapter lists mistakes yet")
@pytest.mark.parametrize("name", CHAPTERS)
def test_every_listed_mistake_gets_its_message(name):
    calls = _recorded_checks(name)
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
