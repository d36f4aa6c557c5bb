"""Check cells of the notebook edition without the answer's formula (issue #25, item 4).

Unit tests of the recording (alliances.checks, "checks in the notebook edition") and of the rewrite
(alliances.publish.check_specs): the edition's ``check_exercise`` says exactly what the authoring
check says. The chapters themselves: tests/book/test_chapter_wrong_answers.py (both cells on every
wrong answer) and tests/publish/test_notebooks.py (no formula in any chapter's edition).
"""

import json
import linecache

import pandas as pd
import pytest

from alliances import checks
from alliances.publish import check_specs
from alliances.publish.solutions import EditionError

CELL = '''_band = data[data > 1]
_got = pd.Series(answer_x) if isinstance(answer_x, dict) else answer_x
display(checks.check_series(_got, length=3, mistakes=[(lambda s: s.max() <= _limit, "fractions")]))
checks.check_number(answer_y, expected=float(_band.median()), rel_tol=1e-6, units="%",
                    mistakes=[(float(_band.mean()), "that is the mean"), (checks.fraction, "a fraction")])'''


def run_recorded(source, namespace, tmp_path, monkeypatch, key="cell-1"):
    """Run ``source`` as a notebook cell would, with its checks recorded; return (records, results)."""
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(checks.RECORD_ENV, str(path))
    results = []
    recorded = {name: checks._recording(getattr(checks, name)) for name in checks._RECORDED}
    fake = type("checks", (), {**{k: staticmethod(v) for k, v in recorded.items()},
                               "fraction": staticmethod(checks.fraction)})
    full = check_specs.recording_source(source, key).replace("__import__('alliances.checks').checks", "_checks_module")
    filename = f"<cell-{key}>"
    linecache.cache[filename] = (len(full), None, full.splitlines(True), filename)
    namespace.update(checks=fake, _checks_module=checks, display=results.append, pd=pd)
    exec(compile(full, filename, "exec"), namespace)
    return check_specs.read_records(path)[key]


@pytest.fixture
def namespace():
    return {"data": pd.Series([0.5, 2.0, 3.0, 5.0]), "_limit": 1, "answer_x": {"a": 1, "b": 2, "c": 3},
            "answer_y": 3.0}


def test_the_rewritten_cell_has_no_formula_and_says_the_same(namespace, tmp_path, monkeypatch):
    records = run_recorded(CELL, namespace, tmp_path, monkeypatch)
    assert [r["check"] for r in records] == ["check_series", "check_number"]
    edition = check_specs.student_source(CELL, records, "ex-a")
    assert "expected=" not in edition and "_band" not in edition and "mistakes" not in edition
    assert edition.startswith("_got = pd.Series(answer_x)")  # the statement the answer needs stays
    assert edition.count("checks.check_exercise('ex-a', ") == 2
    for answer_x, answer_y in [({"a": 1, "b": 2, "c": 3}, 3.0), ([0.1, 0.2, 0.3], 2.875), ([5, 6, 7], 0.5),
                               (..., None), ({"a": 1}, "3"), ({"a": 1, "b": 2, "c": 3}, 30.0)]:
        said = []
        for source in (CELL, edition):
            shown = []
            scope = {**namespace, "answer_x": answer_x, "answer_y": answer_y, "checks": checks,
                     "display": shown.append, "pd": pd}
            body, last = _split_last(source)
            exec(compile(body, "<c>", "exec"), scope)
            shown.append(eval(compile(last, "<c>", "eval"), scope))
            said.append([fb.message for fb in shown])
        assert said[0] == said[1], (answer_x, answer_y, said)


def _split_last(source):
    """(body, last expression) of a cell, as IPython runs it."""
    import ast

    tree = ast.parse(source)
    last = tree.body[-1]
    body = ast.Module(body=tree.body[:-1], type_ignores=[])
    return body, ast.Expression(body=last.value)


def test_a_check_that_did_not_run_or_an_argument_that_cannot_be_recorded_fails_loudly(namespace, tmp_path, monkeypatch):
    records = run_recorded(CELL, namespace, tmp_path, monkeypatch)
    with pytest.raises(EditionError, match="did not each run once"):
        check_specs.student_source(CELL, records[:1], "ex-a")
    bad = "checks.check_number(answer_y, expected=1, mistakes=[(object(), 'odd')])"
    records = run_recorded(bad, namespace, tmp_path, monkeypatch, key="cell-2")
    with pytest.raises(EditionError, match="cannot be recorded"):
        check_specs.student_source(bad, records, "ex-b")


def test_the_spec_is_not_readable_text_and_a_broken_one_gives_a_message():
    call = {"check": "check_number", "args": [], "kwargs": {"expected": {"$float": "42.5"}, "hint": "Sum first."}}
    spec = checks.encode_spec(call)
    assert "42.5" not in spec and "expected" not in spec and checks.decode_spec(spec) == call
    assert checks.check_exercise("ex-a", 42.5, spec=spec).message == "Correct!"
    assert "not answered yet" in checks.check_exercise("ex-a", ..., spec=spec).message
    broken = checks.check_exercise("ex-a", 42.5, spec=spec[:-8])
    assert not broken.correct and "could not be loaded" in broken.message


@pytest.mark.parametrize("value", [
    3, 2.5, float("nan"), True, None, "text", (1, 2), {"A", "B"}, ["x", 1],
    pd.Series([1.5, 2.0], index=pd.Index(["USA", "FRA"], name="iso3"), name="milex"),
    pd.Series(["a", "b"], dtype=object), pd.DataFrame({"year": [1990, 2000], "v": [1.0, 2.0]}),
    pd.DataFrame({"v": [1.0]}, index=pd.Index([2014], name="year")), pd.RangeIndex(0, 5)])
def test_recorded_values_come_back_equal(value):
    back = checks._decode(json.loads(json.dumps(checks._encode(value))), {})
    if isinstance(value, (pd.Series, pd.DataFrame)):
        assert type(back) is type(value)
        (pd.testing.assert_series_equal if isinstance(value, pd.Series) else pd.testing.assert_frame_equal)(back, value)
    elif isinstance(value, pd.Index):
        pd.testing.assert_index_equal(back, value, exact=True)
    elif value != value:  # NaN
        assert back != back
    else:
        assert back == value and type(back) is type(value)
