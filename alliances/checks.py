"""Friendly feedback on exercise answers.

Each ``check_*`` function compares a student's answer with the expected one and
returns a :class:`Feedback` that shows itself in the notebook: correct, wrong
with a hint, or a plain-language message when the answer has the wrong type or
shape, is still ``...`` (not answered) or is ``None``. A check never raises.

>>> from alliances import checks
>>> checks.check_number(12, expected=12)
Correct!
>>> checks.check_number("12", expected=12)
Not quite: expected a number, but your answer is text (str): '12'. Convert it, e.g. with int(...) or float(...).

Visible checks (the ones a student sees before submitting) must not give the answer away.
They check type, shape and a plausible range, and they recognise the usual mistakes: every
visible check takes ``mistakes=``, a list of ``(wrong, message)`` pairs. ``wrong`` is either a
value a typical mistake produces (a number, a collection of labels, a Series), computed from
the data in the check cell, or a function ``wrong(answer) -> bool`` that recognises a property
of the mistake (e.g. "between 0 and 1: a fraction, not a percentage"). The first that matches
is reported in a sentence instead of "plausible":

>>> checks.check_between(0.42, 0, 100, units="%",
...     mistakes=[(checks.fraction, "this looks like a fraction; the question asks for a percentage.")])
Not quite: this looks like a fraction; the question asks for a percentage.
"""

from __future__ import annotations

import contextlib
import html
import io
import numbers
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Feedback", "check_number", "check_between", "check_set", "check_collection", "check_series",
           "check_frame", "check_choice", "check_axes", "fraction", "call", "Raised", "PLAUSIBLE",
           "carried_forward", "CarriedForward", "AVAILABLE"]

#: The libraries a problem set can be solved with; an answer that imports anything else gets this in its message.
AVAILABLE = "pandas, numpy, scipy and matplotlib"

PLAUSIBLE = "Plausible: the value is in the expected range (it is checked exactly when graded)."


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``correct`` and a message for the student."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message

    def __and__(self, other: "Feedback") -> "Feedback":
        """Two checks of one exercise: the first that is wrong, else both messages (``fb & check(...)``)."""
        if not self.correct:
            return self
        if not other.correct:
            return other
        return Feedback(True, f"{self.message} {other.message}")

    def _repr_html_(self) -> str:
        colour, mark = ("#006B3C", "&#10004;") if self.correct else ("#A33B00", "&#10008;")
        return (
            f'<div class="alliances-feedback" role="status" style="border-left:4px solid {colour};'
            f'padding:0.3em 0.8em;color:{colour};background:#FFFFFF">'
            f"{mark} {html.escape(self.message)}</div>"
        )


def _right() -> Feedback:
    return Feedback(True, "Correct!")


def _wrong(reason: str, hint: str = "") -> Feedback:
    text = f"Not quite: {reason}"
    if hint:
        text += f" Hint: {hint}"
    return Feedback(False, text)


def _describe(value) -> str:
    kind = {str: "text (str)", bool: "True/False (bool)"}.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{kind}: {shown}"


def _fmt(value: float, unit: str = "") -> str:
    """A number for a message: a whole number between 1000 and 2999 is a year, never "2,014"."""
    value = float(value)
    if value.is_integer() and 1000 <= abs(value) < 3000:
        text = str(int(value))
    else:
        text = f"{value:,.6g}"
    return f"{text} {unit}" if unit else text


def _error_text(err: BaseException) -> str:
    """An error as a sentence; a library the kit lacks is named as such."""
    if isinstance(err, ModuleNotFoundError):
        return (f"it needs the module {err.name or str(err)!r}, which is not available: this problem set "
                f"can be solved with {AVAILABLE}.")
    return f"{type(err).__name__}: {err}"


@dataclass(frozen=True)
class Raised:
    """What :func:`call` returns when the student's function raised instead of returning."""

    error: BaseException


def call(func, *args, **kwargs):
    """Call a student's function for a check: its result, or :class:`Raised` if it raised (which
    every check turns into a message, "not answered yet" for ``NotImplementedError``).

    >>> checks.check_between(checks.call(hhi, [50, 50]), 0, 10000)   # doctest: +SKIP
    """
    if func is Ellipsis or func is None:
        return func
    if not callable(func):
        return Raised(TypeError(f"{_describe(func)} is not a function"))
    shown = io.StringIO()
    try:
        with contextlib.redirect_stdout(shown):
            result = func(*args, **kwargs)
    except Exception as err:  # the student's code: report it, never crash the check
        return Raised(err)
    finally:
        sys.stdout.write(shown.getvalue())  # what the function printed is still shown
    if result is None and shown.getvalue().strip():
        return Printed(shown.getvalue())
    return result


@dataclass(frozen=True)
class Printed:
    """What :func:`call` returns when the student's function printed a result and returned None."""

    text: str


class CarriedForward(Exception):
    """Raised by the grader's probe after a test passed on the student's own earlier answer."""


_CARRIED: set = set()  # the earlier exercises a hidden test credited "error carried forward"


def carried_forward(first: Feedback, own, earlier: str) -> Feedback:
    """Error carried forward: ``first`` judges the answer against the right value; ``own`` (a
    Feedback, or a function that returns one) against the right method applied to the student's
    own answer to ``earlier`` (e.g. "exercise 7"); an ``own`` that raises counts as not right.

    The answer is right if either is: then the message says it builds on the earlier exercise
    (which loses its own points if it is wrong, so one mistake is marked once).
    """
    if first.correct:
        return first
    if callable(own):
        try:
            own = own()
        except Exception:  # the earlier answer is missing or broken: no credit carried forward
            return first
    if isinstance(own, Feedback) and own.correct:
        _CARRIED.add(earlier)
        return Feedback(True, f"Correct for your own answer to {earlier}: the method is right "
                              f"(this builds on your {earlier}, which is marked on its own).")
    return first


def _last_cell_failed() -> BaseException | None:
    """The error of the cell run just before this check, if it raised (IPython only), else None.

    A failed answer cell leaves the answer variable with its earlier value: a check must say that
    the cell failed instead of judging the old value.
    """
    shell = None
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except Exception:
        return None
    # only in a Jupyter kernel: the grader's checker runs test cells one after another in a plain shell
    if shell is None or not hasattr(shell, "kernel") or getattr(shell, "last_execution_succeeded", True):
        return None
    err = getattr(sys, "last_value", None)
    return err if isinstance(err, BaseException) else Exception("error")


def _unanswered(answer) -> Feedback | None:
    failed = _last_cell_failed()
    if isinstance(failed, NotImplementedError):
        return _wrong("you have not answered yet. Replace raise NotImplementedError() with your code.")
    if failed is not None:
        return _wrong(f"the cell you ran before this check stopped with an error ({_error_text(failed)}), "
                      "so your answer was not updated and this check would judge an old value. "
                      "Fix the error, run your answer cell again, then this check.")
    if isinstance(answer, Raised):
        if isinstance(answer.error, NotImplementedError):
            return _wrong("you have not answered yet. Replace raise NotImplementedError() with your code.")
        if isinstance(answer.error, ModuleNotFoundError):
            return _wrong(f"your function {_error_text(answer.error)}")
        return _wrong(f"your function raised {type(answer.error).__name__}: {answer.error}")
    if isinstance(answer, Printed):
        return _wrong("your function prints its result but returns None: end it with return ... "
                      "(print only shows a value; return gives it back to the code that called the function).")
    if answer is Ellipsis:
        return _wrong("you have not answered yet. Replace the ... with your code.")
    if answer is None:
        return _wrong(
            "your answer is None. Did you forget to assign the result, call a method that changes "
            "things in place and returns None, or (in a function) print the result instead of return it?"
        )
    return None


def _guarded(check):
    """Turn any unexpected error inside a check into feedback instead of a traceback."""

    def wrapper(answer, *args, **kwargs):
        try:
            early = _unanswered(answer)
            return early if early is not None else check(answer, *args, **kwargs)
        except Exception as err:  # a check must never crash a student's notebook
            return _wrong(f"your answer could not be checked ({type(err).__name__}: {err}).")

    wrapper.__name__, wrapper.__doc__ = check.__name__, check.__doc__
    return wrapper


def _as_number(answer):
    """The answer as a float, or an explanation of why it is not a number."""
    if isinstance(answer, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        size = getattr(answer, "size", None) or len(answer)
        if size == 1:
            return float(np.asarray(answer).ravel()[0]), None
        return None, (
            f"expected a single number, but your answer is a {type(answer).__name__} "
            f"with {size} values. Select or aggregate one value (e.g. .iloc[0], len(...), .sum())."
        )
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, numbers.Real):
        extra = " Convert it, e.g. with int(...) or float(...)." if isinstance(answer, str) else ""
        return None, f"expected a number, but your answer is {_describe(answer)}.{extra}"
    return float(answer), None


def fraction(value) -> bool:
    """A mistake predicate: a share between 0 and 1 (exclusive), i.e. a fraction where a percentage was asked."""
    return isinstance(value, (int, float)) and 0 < value < 1


def _same(answer, wrong, rel_tol: float) -> bool:
    """Does ``answer`` equal the mistake value ``wrong`` (numbers within rel_tol, labels as sets, Series by values)?"""
    if isinstance(wrong, str):  # an option of check_choice, both already in lower case
        return isinstance(answer, str) and answer == wrong
    if isinstance(wrong, pd.Series):
        if not isinstance(answer, pd.Series) or len(answer) != len(wrong):
            return False
        a, w = answer.astype(float), wrong.astype(float)
        if set(a.index) == set(w.index) and a.index.is_unique:
            a = a.loc[w.index]
        return bool(np.allclose(a.to_numpy(), w.to_numpy(), rtol=rel_tol, atol=1e-12, equal_nan=True))
    if isinstance(wrong, numbers.Real) and not isinstance(wrong, bool):
        return isinstance(answer, float) and np.isfinite(answer) and \
            abs(answer - float(wrong)) <= max(1e-12, rel_tol * abs(float(wrong)))
    if isinstance(wrong, Iterable) and not isinstance(wrong, str):
        return isinstance(answer, set) and answer == {str(x) for x in wrong}
    return False


def _mistake(answer, mistakes, rel_tol: float = 1e-6) -> str | None:
    """The message of the first of ``mistakes`` that ``answer`` matches, or None."""
    for wrong, message in mistakes or ():
        try:
            hit = bool(wrong(answer)) if callable(wrong) and not isinstance(wrong, pd.Series) \
                else _same(answer, wrong, rel_tol)
        except Exception:  # a predicate that cannot judge this answer simply does not match
            hit = False
        if hit:
            return message
    return None


@_guarded
def check_number(answer, expected: float, *, rel_tol: float = 0.0, abs_tol: float = 1e-9,
                 hint: str = "", units: str = "", mistakes=()) -> Feedback:
    """Is ``answer`` a number equal to ``expected`` (within the tolerances)? A wrong answer that
    matches one of ``mistakes`` gets that message instead of "too high/too low"."""
    value, problem = _as_number(answer)
    if problem:
        return _wrong(problem, hint)
    if np.isnan(value):
        return _wrong("your answer is NaN (not a number): check for missing values.", hint)
    if abs(value - expected) <= max(abs_tol, rel_tol * abs(expected)):
        return _right()
    found = _mistake(value, mistakes)
    if found:
        return _wrong(found, hint)
    for digits in (0, 1, 2, 3):
        if value == round(float(expected), digits) and round(float(expected), digits) != float(expected):
            shown = f"{round(float(expected), digits):.{digits}f}"
            return _wrong(f"{_fmt(value, units)} is right to the precision shown ({shown}, rounded to {digits} "
                          f"decimal{'s' if digits != 1 else ''}), but the check compares the unrounded value: "
                          "compute it in code instead of typing a rounded number.", hint)
    direction = "too high" if value > expected else "too low"
    return _wrong(f"{_fmt(value, units)} is {direction}.", hint)


@_guarded
def check_between(answer, low: float, high: float, *, hint: str = "", units: str = "",
                  mistakes=(), integer: bool = False, uses: str = "", own=None) -> Feedback:
    """Is ``answer`` a number in the plausible range [low, high] and none of the recognised ``mistakes``?

    A visible test that gives nothing away. ``mistakes``: ``(value or predicate, message)`` pairs
    (see the module docstring); ``integer``: the answer must be a whole number (a count, a year).
    ``own``: the value the right method gives on the student's own earlier answer (``uses``); an
    answer equal to it is accepted whatever the earlier answer was (error carried forward).
    """
    value, problem = _as_number(answer)
    if problem:
        return _wrong(problem, hint)
    if np.isnan(value):
        return _wrong("your answer is NaN (not a number): check for missing values.", hint)
    if callable(own):
        try:
            own = own()
        except Exception:  # the earlier answer is missing or broken
            own = None
    if own is not None and not isinstance(own, (Raised, Printed)):
        mine, _ = _as_number(own)
        if mine is not None and np.isfinite(mine) and abs(value - mine) <= max(1e-9, 1e-6 * abs(mine)):
            inside = low <= value <= high and not _mistake(value, mistakes)
            return Feedback(True, (PLAUSIBLE if inside else "Consistent with your earlier answer.") +
                            f" It follows from your {uses} by the right method: this builds on your {uses}"
                            + ("." if inside else ", which looks wrong: fix it there and run this again."))
    found = _mistake(value, mistakes)
    if found:
        return _wrong(_using(found, uses), hint)
    if integer and value != int(value):
        return _wrong(f"{_fmt(value)} is not a whole number; the question asks for a count or a year.", hint)
    if low <= value <= high:
        return Feedback(True, _using(PLAUSIBLE, uses))
    return _wrong(_using(f"{_fmt(value, units)} is outside the plausible range {_fmt(low)} to {_fmt(high, units)}.",
                         uses), hint)


def _using(message: str, uses: str) -> str:
    return f"{message} (This builds on your {uses}: if that is wrong, so is this.)" if uses else message


_ISO3 = re.compile(r"[A-Z]{3}")


def _names_for_codes(got: set, want: set | None = None, pattern: str | None = None) -> str | None:
    """A message if ISO3 codes are expected but most of ``got`` are longer names (country names)."""
    codes = pattern == "[A-Z]{3}" or (want and all(_ISO3.fullmatch(x) for x in want))
    if not codes or not got:
        return None
    names = [x for x in got if not _ISO3.fullmatch(x) and len(x) > 3]
    if len(names) * 2 > len(got):
        return (f"these look like country names (e.g. {sorted(names)[0]!r}); the question asks for ISO3 codes "
                "such as 'USA' or 'DEU': use the iso3 column.")
    return None


def _as_labels(answer) -> tuple[set | None, str | None]:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        return None, f"expected a collection (list, set, Series) of names, but your answer is {_describe(answer)}."
    if isinstance(answer, pd.DataFrame):
        return None, "expected a list, set or Series of names, but your answer is a whole DataFrame. Select one column."
    if isinstance(answer, dict):
        return None, f"expected a list, set or Series of names, but your answer is a dict: {_describe(answer)}."
    return {str(x) for x in answer}, None


@_guarded
def check_set(answer, expected: Iterable, *, hint: str = "", what: str = "items", mistakes=()) -> Feedback:
    """Does ``answer`` hold exactly the ``expected`` labels (order and duplicates ignored)?"""
    got, problem = _as_labels(answer)
    if problem:
        return _wrong(problem, hint)
    want = {str(x) for x in expected}
    missing, extra = want - got, got - want
    if not missing and not extra:
        return _right()
    found = _mistake(got, mistakes) or _names_for_codes(got, want)
    if found:
        return _wrong(found, hint)
    parts = []
    if missing:
        parts.append(f"{len(missing)} of the expected {what} are missing")
    if extra:
        parts.append(f"{len(extra)} of your {what} should not be there")
    return _wrong(f"{' and '.join(parts)} (you gave {len(got)}, expected {len(want)}).", hint)


@_guarded
def check_collection(answer, low: int, high: int, *, what: str = "items", pattern: str | None = None,
                     mistakes=(), hint: str = "") -> Feedback:
    """Visible check of a collection of labels: a list, set or Series (not text), with ``low`` to
    ``high`` distinct labels, each matching the regular expression ``pattern`` if given (e.g.
    ``"[A-Z]{3}"`` for ISO3 codes), and none of the recognised ``mistakes`` (label sets or predicates)."""
    import re

    got, problem = _as_labels(answer)
    if problem:
        return _wrong(problem, hint)
    if not got:
        return _wrong(f"your collection is empty: no {what}.", hint)
    names = _names_for_codes(got, pattern=pattern)
    if names:
        return _wrong(names, hint)
    if pattern is not None:
        odd = sorted(x for x in got if not re.fullmatch(pattern, x))
        if odd:
            return _wrong(f"{len(odd)} of your {what} do not look like the expected labels, e.g. {odd[0]!r}.", hint)
    found = _mistake(got, mistakes)
    if found:
        return _wrong(found, hint)
    if not low <= len(got) <= high:
        return _wrong(f"you gave {len(got)} distinct {what}; a plausible answer has {low} to {high}.", hint)
    return Feedback(True, f"Plausible: {len(got)} {what} (checked exactly when graded).")


@_guarded
def check_series(answer, *, length: int | tuple[int, int] | None = None, index_name: str | None = None,
                 index: Iterable | None = None, low: float | None = None, high: float | None = None,
                 sorted_values: bool = False, columns: Iterable[str] | None = None, mistakes=(),
                 hint: str = "", units: str = "", uses: str = "") -> Feedback:
    """Visible check of a pandas Series: its ``length`` (a number or a range), ``index_name``,
    ``index`` labels, values within [``low``, ``high``] (missing values count as a mistake),
    ``sorted_values`` (ascending), and none of the ``mistakes`` (Series or predicates).

    With ``columns``, the answer must be a DataFrame with exactly these columns, and each column
    is checked as a Series (predicates in ``mistakes`` then receive the whole DataFrame).
    ``uses`` names the earlier answers this one builds on, as in :func:`check_between`.
    """
    fb = _check_series(answer, length, index_name, index, low, high, sorted_values, columns, mistakes, units)
    if fb.correct:
        return Feedback(True, _using(fb.message, uses))
    return _wrong(_using(fb.message.removeprefix("Not quite: "), uses), hint)


def _check_series(answer, length, index_name, index, low, high, sorted_values, columns, mistakes, units):
    if columns is not None:
        cols = list(columns)
        if not isinstance(answer, pd.DataFrame):
            return _wrong(f"expected a pandas DataFrame with columns {cols}, but your answer is {_describe(answer)}.")
        if sorted(map(str, answer.columns)) != sorted(cols):
            return _wrong(f"your DataFrame's columns are {list(map(str, answer.columns))}; they should be {cols}.")
        found = _mistake(answer, mistakes)
        if found:
            return _wrong(found)
        for col in cols:
            fb = _check_series(answer[col], length, index_name, index, low, high, sorted_values, None, (), units)
            if not fb.correct:
                return _wrong(f"column {col!r}: {fb.message.removeprefix('Not quite: ')}")
        return Feedback(True, PLAUSIBLE)
    hint = ""
    if isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        return _wrong("expected a pandas Series, but your answer is a one-column DataFrame: select the column.", hint)
    if not isinstance(answer, pd.Series):
        return _wrong(f"expected a pandas Series, but your answer is {_describe(answer)}.", hint)
    if answer.empty:
        return _wrong("your Series is empty.", hint)
    found = _mistake(answer, mistakes)
    if found:
        return _wrong(found, hint)
    if length is not None:
        lo, hi = (length, length) if isinstance(length, numbers.Integral) else length
        if not lo <= len(answer) <= hi:
            want = f"{lo}" if lo == hi else f"{lo} to {hi}"
            return _wrong(f"your Series has {len(answer)} rows; it should have {want}.", hint)
    if index is not None:
        labels = list(index)
        if set(map(str, answer.index)) != set(map(str, labels)):
            return _wrong(f"the index should run over {labels[0]!r} ... {labels[-1]!r} "
                          f"({len(labels)} labels), but yours has other labels.", hint)
    if index_name is not None and answer.index.name != index_name:
        return _wrong(f"the index should be named {index_name!r}, but it is named {answer.index.name!r}. "
                      f"Use .rename_axis({index_name!r}).", hint)
    if not pd.api.types.is_numeric_dtype(answer) or pd.api.types.is_bool_dtype(answer):
        return _wrong(f"the values should be numbers, but they are {answer.dtype}.", hint)
    if answer.isna().any():
        return _wrong(f"{int(answer.isna().sum())} of your values are missing (NaN).", hint)
    if low is not None and answer.min() < low:
        return _wrong(f"your smallest value, {_fmt(answer.min(), units)}, is below the plausible minimum {_fmt(low, units)}.", hint)
    if high is not None and answer.max() > high:
        return _wrong(f"your largest value, {_fmt(answer.max(), units)}, is above the plausible maximum {_fmt(high, units)}.", hint)
    if sorted_values and not answer.is_monotonic_increasing:
        return _wrong("your values are not sorted from lowest to highest.", hint)
    return Feedback(True, PLAUSIBLE)


def _by_value(obj):
    if isinstance(obj, pd.DataFrame):
        return obj.sort_values(list(obj.columns)).reset_index(drop=True)
    return obj.sort_values().reset_index(drop=True)


@_guarded
def check_frame(answer, expected, *, hint: str = "", columns: Iterable[str] | None = None,
                rel_tol: float = 1e-6, check_order: bool = False) -> Feedback:
    """Does the DataFrame or Series ``answer`` match ``expected`` (shape, columns, values)?

    Only ``columns`` are compared when given; row order matters only with ``check_order``.
    """
    kind = type(expected).__name__
    if not isinstance(answer, type(expected)):
        return _wrong(f"expected a pandas {kind}, but your answer is {_describe(answer)}.", hint)
    if isinstance(expected, pd.DataFrame):
        cols = list(columns) if columns is not None else list(expected.columns)
        absent = [c for c in cols if c not in answer.columns]
        if absent:
            return _wrong(f"your DataFrame has no column(s) {', '.join(map(repr, absent))}.", hint)
        answer, expected = answer[cols], expected[cols]
    if len(answer) != len(expected):
        return _wrong(f"your {kind} has {len(answer)} rows; expected {len(expected)}.", hint)
    if not check_order:
        labelled = not isinstance(expected.index, pd.RangeIndex)
        if labelled and answer.index.is_unique and set(answer.index) == set(expected.index):
            answer = answer.loc[expected.index]  # meaningful labels: align rows by label
        else:  # positional or different labels: compare rows sorted by value
            answer, expected = _by_value(answer), _by_value(expected)
    try:
        if isinstance(expected, pd.DataFrame):
            pd.testing.assert_frame_equal(answer, expected, check_dtype=False, check_names=False,
                                          check_index_type=False, rtol=rel_tol)
        else:
            pd.testing.assert_series_equal(answer, expected, check_dtype=False, check_names=False,
                                           check_index_type=False, rtol=rel_tol)
    except AssertionError:
        return _wrong(f"your {kind} has the right shape, but some values differ.", hint)
    return _right()


@_guarded
def check_choice(answer, expected: str | None, options: Iterable[str], *, hint: str = "",
                 mistakes=()) -> Feedback:
    """Is ``answer`` the ``expected`` option (case and surrounding spaces ignored)?

    With ``expected=None`` (a visible check), only that ``answer`` is one of the ``options``.
    ``mistakes``: ``(wrong option, message)`` pairs, a message saying why a tempting option is wrong."""
    opts = [str(o) for o in options]
    if not isinstance(answer, str):
        return _wrong(f"expected one of {opts} as text, but your answer is {_describe(answer)}.", hint)
    norm = answer.strip().lower()
    if norm not in {o.lower() for o in opts}:
        return _wrong(f"{answer!r} is not one of the options {opts}.", hint)
    if expected is None or norm != expected.lower():
        found = _mistake(norm, [(w.strip().lower() if isinstance(w, str) else w, m) for w, m in mistakes])
        if found:
            return _wrong(found, hint)
    if expected is None:
        return Feedback(True, "Plausible: one of the options (it is checked when graded).")
    return _right() if norm == expected.lower() else _wrong(f"{answer!r} is not the best answer.", hint)


_UNITS = re.compile(r"\(.*\S.*\)|\[.*\S.*\]|%|\$|\bUSD\b|dollars?|per ?cent|percent|billions?|millions?|"
                    r"thousands?|\bbn\b", re.I)


@_guarded
def check_axes(answer, *, n_points: int | None = None, hint: str = "", units: bool = False) -> Feedback:
    """Is ``answer`` a matplotlib Axes with a title, both axis labels and a line (of ``n_points``)?

    With ``units``, the y-axis label must name its units, e.g. "Spending (% of GDP)".
    """
    from matplotlib.axes import Axes

    if not isinstance(answer, Axes):
        return _wrong(f"expected a matplotlib Axes (e.g. ax from fig, ax = plots.figure()), "
                      f"but your answer is {_describe(answer)}.", hint)
    title = answer.get_title() or answer.get_title(loc="left") or answer.get_title(loc="right")
    missing = [name for name, text in [("a title", title), ("an x-axis label", answer.get_xlabel()),
                                       ("a y-axis label", answer.get_ylabel())] if not text.strip()]
    if missing:
        return _wrong(f"the figure has no {' and no '.join(m.split(' ', 1)[1] for m in missing)}.", hint)
    if units and not _UNITS.search(answer.get_ylabel()):
        return _wrong(f"the y-axis label {answer.get_ylabel()!r} does not give the units; the question asks for "
                      "them, e.g. 'Military expenditure (% of GDP)' or '(billion US$)'.", hint)
    lines = answer.get_lines()
    if not lines:
        return _wrong("the figure has no line: draw one with ax.plot(x, y).", hint)
    if n_points is not None and not any(len(line.get_xdata()) == n_points for line in lines):
        sizes = sorted({len(line.get_xdata()) for line in lines})
        return _wrong(f"expected a line with {n_points} points, but the lines have {sizes}.", hint)
    return _right()


# ---------------------------------------------------------------- checks in the notebook edition
#
# The authoring notebook keeps each check beside its exercise, with ``expected=`` computed from
# the data. The notebook edition must not hand the answer over to a student who expands the
# hidden check cell, so the publishing pipeline (``alliances.publish.check_specs``) executes each
# chapter with ``ALLIANCES_RECORD_CHECKS=<file>`` set: every ``check_*`` call then appends its
# arguments (expected value, tolerances, mistakes; the answer itself is not recorded) to that
# file as one JSON line. Each check cell of the edition becomes
# ``checks.check_exercise("<label>", answer, spec="...")``: ``spec`` is the recorded call,
# compressed and base64-encoded. This is obfuscation, not secrecy: a student who decodes it
# (base64, zlib, JSON) finds the expected value; the goal is that it is not one click away.

import base64 as _base64
import json as _json
import os as _os
import sys as _sys
import types as _types
import zlib as _zlib

RECORD_ENV = "ALLIANCES_RECORD_CHECKS"
_RECORDED = ("check_number", "check_between", "check_set", "check_collection", "check_series",
             "check_frame", "check_choice", "check_axes")
_record_key: str | None = None


def _record_as(key: str) -> None:
    """Name the check cell that runs next (the publishing pipeline injects this call)."""
    global _record_key
    _record_key = key


def _encode(value):
    """A JSON-able form of a check argument (tagged dicts for what JSON has not)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return {"$float": repr(float(value))}
    if isinstance(value, _types.ModuleType):
        return {"$module": value.__name__}
    if isinstance(value, pd.RangeIndex):
        return {"$range": [value.start, value.stop, value.step, value.name]}
    if isinstance(value, pd.Index):
        return {"$index": [_encode(x) for x in value], "name": _encode(value.name), "dtype": str(value.dtype)}
    if isinstance(value, pd.Series):
        return {"$series": [_encode(x) for x in value], "index": _encode(value.index), "name": _encode(value.name),
                "dtype": str(value.dtype)}
    if isinstance(value, pd.DataFrame):
        return {"$frame": {str(c): _encode(value[c]) for c in value.columns}, "columns": [_encode(c) for c in value.columns],
                "index": _encode(value.index)}
    if isinstance(value, np.ndarray):
        return {"$array": [_encode(x) for x in value.tolist()], "dtype": str(value.dtype)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(x) for x in value]}
    if isinstance(value, (set, frozenset)):
        return {"$set": [_encode(x) for x in sorted(value, key=repr)]}
    if isinstance(value, list):
        return [_encode(x) for x in value]
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if callable(value):
        return _encode_function(value)
    raise TypeError(f"a check argument of type {type(value).__name__} cannot be recorded")


def _encode_function(fn):
    """A predicate of ``mistakes``: a function of this module by name, a lambda by its source and
    the values of the names it uses (so that it behaves as it did, whatever the student redefined)."""
    if getattr(fn, "__module__", None) == __name__ and globals().get(fn.__name__) is fn:
        return {"$function": fn.__name__}
    import ast
    import linecache

    code = fn.__code__
    if fn.__name__ != "<lambda>":
        raise TypeError(f"the predicate {fn.__name__} cannot be recorded: use a lambda or a function of alliances.checks")
    source = "".join(linecache.getlines(code.co_filename))
    tree = ast.parse(source)
    at = next((p for p in code.co_positions() if None not in p and (p[0], p[2]) != (p[1], p[3])), None)
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and at is not None
             and (n.lineno, n.col_offset) <= (at[0], at[2]) and (at[1], at[3]) <= (n.end_lineno, n.end_col_offset)
             and [a.arg for a in n.args.args] == list(code.co_varnames[:code.co_argcount])]
    if not found:
        raise TypeError("the source of a lambda in mistakes= could not be found")
    node = min(found, key=lambda n: (n.end_lineno - n.lineno, n.end_col_offset - n.col_offset))
    args = {a.arg for a in node.args.args} | {a.arg for a in node.args.kwonlyargs}
    names = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id not in args})
    bind = {name: _encode(fn.__globals__[name]) for name in names if name in fn.__globals__}
    return {"$lambda": ast.get_source_segment(source, node), "bind": bind}


def _decode(value, scope):
    if isinstance(value, list):
        return [_decode(x, scope) for x in value]
    if not isinstance(value, dict):
        return value
    (tag, body), *_ = value.items()
    if tag == "$float":
        return float(body)
    if tag == "$module":
        import importlib

        return importlib.import_module(body)
    if tag == "$range":
        return pd.RangeIndex(body[0], body[1], body[2], name=body[3])
    if tag == "$index":
        return pd.Index([_decode(x, scope) for x in body], name=_decode(value["name"], scope), dtype=value["dtype"])
    if tag == "$series":
        return pd.Series([_decode(x, scope) for x in body], index=_decode(value["index"], scope),
                         name=_decode(value["name"], scope), dtype=value["dtype"])
    if tag == "$frame":
        columns = [_decode(c, scope) for c in value["columns"]]
        data = {c: _decode(body[str(c)], scope) for c in columns}
        return pd.DataFrame(data, columns=columns, index=_decode(value["index"], scope))
    if tag == "$array":
        return np.array([_decode(x, scope) for x in body], dtype=value["dtype"])
    if tag == "$tuple":
        return tuple(_decode(x, scope) for x in body)
    if tag == "$set":
        return {_decode(x, scope) for x in body}
    if tag == "$dict":
        return {_decode(k, scope): _decode(v, scope) for k, v in body}
    if tag == "$function":
        return globals()[body]
    if tag == "$lambda":
        names = dict(scope)
        names.update({k: _decode(v, scope) for k, v in value["bind"].items()})
        return eval(body, names)  # the recorded source of a predicate from the chapter itself
    raise ValueError(f"unknown tag {tag!r}")


def encode_spec(call: dict) -> str:
    """``{"check": name, "args": [...], "kwargs": {...}}`` (already JSON-able) as the ``spec`` text."""
    raw = _json.dumps(call, sort_keys=True, separators=(",", ":")).encode()
    return _base64.b64encode(_zlib.compress(raw, 9)).decode("ascii")


def decode_spec(spec: str) -> dict:
    return _json.loads(_zlib.decompress(_base64.b64decode(spec)).decode())


def check_exercise(label: str, answer, *, spec: str) -> Feedback:
    """The check of exercise ``label`` in the notebook edition: the recorded ``check_*`` call
    (``spec``, see above) applied to ``answer``, with the same messages as in the authoring notebook."""
    try:
        call = decode_spec(spec)
        scope = _sys._getframe(1).f_globals
        check = globals()[call["check"]] if call["check"] in _RECORDED else None
        args = [_decode(a, scope) for a in call["args"]]
        kwargs = {k: _decode(v, scope) for k, v in call["kwargs"].items()}
    except Exception as err:  # a check must never crash a student's notebook
        return _wrong(f"the check of {label} could not be loaded ({type(err).__name__}: {err}).")
    if check is None:
        return _wrong(f"the check of {label} could not be loaded (unknown check {call['check']!r}).")
    return getattr(check, "__wrapped_check__", check)(answer, *args, **kwargs)


def _recording(check):
    """``check``, also appending its arguments to the file named by ``ALLIANCES_RECORD_CHECKS``."""

    def wrapper(answer, *args, **kwargs):
        frame = _sys._getframe(1)
        position = next(p for i, p in enumerate(frame.f_code.co_positions()) if 2 * i == frame.f_lasti)
        entry = {"key": _record_key, "check": check.__name__, "line": position[0], "col": position[2]}
        try:
            entry["call"] = {"check": check.__name__, "args": [_encode(a) for a in args],
                             "kwargs": {k: _encode(v) for k, v in kwargs.items()}}
        except Exception as err:  # recorded as a failure: the publishing pipeline reports it
            entry["error"] = f"{type(err).__name__}: {err}"
        path = _os.environ.get(RECORD_ENV)
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(_json.dumps(entry) + "\n")
        return check(answer, *args, **kwargs)

    wrapper.__name__, wrapper.__doc__, wrapper.__wrapped_check__ = check.__name__, check.__doc__, check
    return wrapper


if _os.environ.get(RECORD_ENV):
    for _name in _RECORDED:
        globals()[_name] = _recording(globals()[_name])
    del _name
__all__ += ["check_exercise"]
