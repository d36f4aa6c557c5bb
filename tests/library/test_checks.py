"""Every branch of alliances.checks: right, wrong with hint, wrong type/shape, None, ..., and no traceback."""

import numpy as np
import pandas as pd
import pytest

from alliances import checks


def assert_wrong(fb, *needles):
    assert isinstance(fb, checks.Feedback)
    assert fb.correct is False and not fb
    for needle in needles:
        assert needle in fb.message, (needle, fb.message)


# --- check_number ---------------------------------------------------------------------

@pytest.mark.parametrize("answer", [12, 12.0, np.int64(12), np.float32(12.0), pd.Series([12]), [12]])
def test_number_right(answer):
    fb = checks.check_number(answer, expected=12)
    assert fb.correct and fb.message == "Correct!"


def test_number_wrong_value_gets_hint_and_direction():
    assert_wrong(checks.check_number(14, expected=12, hint="Count on 31 December."), "too high", "Hint: Count on 31 December.")
    assert_wrong(checks.check_number(10, expected=12), "too low")


def test_number_tolerance():
    assert checks.check_number(2.004, expected=2.0, rel_tol=0.01).correct
    assert not checks.check_number(2.1, expected=2.0, rel_tol=0.01).correct


def test_number_wrong_type_string():
    assert_wrong(checks.check_number("12", expected=12), "expected a number", "text (str)", "int(")


def test_number_wrong_type_dataframe():
    df = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    assert_wrong(checks.check_number(df, expected=12), "single number", "DataFrame with 4 values")


def test_number_bool_is_not_a_number():
    assert_wrong(checks.check_number(True, expected=1), "True/False (bool)")


def test_number_nan():
    assert_wrong(checks.check_number(float("nan"), expected=1), "NaN")


def test_none_and_ellipsis():
    assert_wrong(checks.check_number(None, expected=1), "None", "assign")
    assert_wrong(checks.check_number(..., expected=1), "not answered yet")
    assert_wrong(checks.check_set(None, expected=["A"]), "None")
    assert_wrong(checks.check_frame(..., pd.DataFrame({"a": [1]})), "not answered yet")


# --- check_set ------------------------------------------------------------------------

def test_set_right_in_any_container():
    want = ["USA", "GBR", "CAN"]
    for answer in (["CAN", "USA", "GBR"], {"USA", "GBR", "CAN"}, pd.Series(want), pd.Index(want), ("USA", "GBR", "CAN", "USA")):
        assert checks.check_set(answer, want).correct


def test_set_missing_and_extra_counts_without_revealing_names():
    fb = checks.check_set(["USA", "FRA"], ["USA", "GBR", "CAN"], what="members", hint="Use ISO3 codes.")
    assert_wrong(fb, "2 of the expected members are missing", "1 of your members should not be there", "Hint: Use ISO3 codes.")
    assert "GBR" not in fb.message and "CAN" not in fb.message


def test_set_wrong_type():
    assert_wrong(checks.check_set("USA", ["USA"]), "collection", "text (str)")
    assert_wrong(checks.check_set(3, ["USA"]), "collection", "int")
    assert_wrong(checks.check_set(pd.DataFrame({"iso3": ["USA"]}), ["USA"]), "whole DataFrame")


# --- check_frame ----------------------------------------------------------------------

@pytest.fixture
def frame():
    return pd.DataFrame({"year": [1949, 1952, 1955], "members": [12, 14, 15]})


def test_frame_right_regardless_of_order_and_index(frame):
    assert checks.check_frame(frame, frame).correct
    shuffled = frame.iloc[[2, 0, 1]]
    assert checks.check_frame(shuffled, frame).correct
    assert checks.check_frame(shuffled.reset_index(drop=True), frame).correct
    assert not checks.check_frame(shuffled, frame, check_order=True).correct


def test_frame_extra_columns_ignored_when_columns_given(frame):
    more = frame.assign(extra=1)
    assert checks.check_frame(more, frame, columns=["year", "members"]).correct


def test_frame_wrong_type(frame):
    assert_wrong(checks.check_frame("a table", frame), "expected a pandas DataFrame", "text (str)")
    assert_wrong(checks.check_frame(frame["members"], frame), "expected a pandas DataFrame", "Series")
    assert_wrong(checks.check_frame(None, frame), "None")


def test_frame_missing_column_rows_and_values(frame):
    assert_wrong(checks.check_frame(frame[["year"]], frame), "no column(s) 'members'")
    assert_wrong(checks.check_frame(frame.head(2), frame), "2 rows; expected 3")
    wrong = frame.assign(members=[12, 14, 16])
    assert_wrong(checks.check_frame(wrong, frame, hint="Check 1955."), "some values differ", "Hint: Check 1955.")


def test_series(frame):
    s = frame.set_index("year")["members"]
    assert checks.check_frame(s, s).correct
    assert_wrong(checks.check_frame(s * 2, s), "some values differ")


# --- check_between --------------------------------------------------------------------

def test_between():
    assert checks.check_between(42.0, 0, 100).correct
    assert checks.check_between(0, 0, 100).correct and checks.check_between(100, 0, 100).correct
    assert "Plausible" in checks.check_between(5, 0, 100).message
    assert_wrong(checks.check_between(420, 0, 100, units="%", hint="A share."), "outside the plausible range 0 to 100 %", "Hint: A share.")
    assert_wrong(checks.check_between("42", 0, 100), "expected a number")
    assert_wrong(checks.check_between(float("nan"), 0, 100), "NaN")
    assert_wrong(checks.check_between(..., 0, 100), "not answered")


# --- check_axes -------------------------------------------------------------------------

def test_axes():
    from alliances import plots
    fig, ax = plots.figure()
    assert_wrong(checks.check_axes(ax), "no title and no x-axis label and no y-axis label")
    ax.plot([1, 2, 3], [1, 4, 9])
    plots.finish(ax, title="T", xlabel="x", ylabel="y (units)", source="S")
    assert checks.check_axes(ax, n_points=3).correct
    assert_wrong(checks.check_axes(ax, n_points=4, hint="All years."), "a line with 4 points", "Hint: All years.")
    assert_wrong(checks.check_axes(fig), "expected a matplotlib Axes", "Figure")
    fig2, ax2 = plots.figure()
    plots.finish(ax2, title="T", xlabel="x", ylabel="y", source="S")
    assert_wrong(checks.check_axes(ax2), "no line")
    plots.plt.close("all")


# --- check_choice ---------------------------------------------------------------------

def test_choice():
    opts = ["balancing", "bandwagoning"]
    assert checks.check_choice(" Balancing ", "balancing", opts).correct
    assert_wrong(checks.check_choice("bandwagoning", "balancing", opts, hint="Walt."), "not the best answer", "Hint: Walt.")
    assert_wrong(checks.check_choice("hedging", "balancing", opts), "not one of the options")
    assert_wrong(checks.check_choice(1, "balancing", opts), "as text")


def test_choice_names_a_tempting_wrong_option():
    opts = ["balancing", "bandwagoning", "hedging"]
    why = [("Bandwagoning", "bandwagoning means joining the stronger side.")]
    assert_wrong(checks.check_choice(" bandwagoning", "balancing", opts, hint="Walt.", mistakes=why),
                 "joining the stronger side", "Hint: Walt.")
    assert "not the best answer" in checks.check_choice("hedging", "balancing", opts, mistakes=why).message
    assert checks.check_choice("Balancing", "balancing", opts, mistakes=why).correct
    assert_wrong(checks.check_choice("bandwagoning", None, opts, mistakes=why), "stronger side")


# --- never a traceback ------------------------------------------------------------------

def test_unexpected_errors_become_feedback():
    class Weird:
        def __iter__(self):
            raise RuntimeError("boom")

    fb = checks.check_set(Weird(), ["A"])
    assert_wrong(fb, "could not be checked", "RuntimeError: boom")


def test_feedback_renders_text_and_html():
    fb = checks.check_number(1, expected=2, hint="<b>x</b>")
    assert repr(fb) == fb.message
    html = fb._repr_html_()
    assert "&lt;b&gt;" in html and 'role="status"' in html


# --- visible checks that recognise the usual mistakes -----------------------------------

def test_between_reports_a_recognised_mistake_value_or_property_instead_of_plausible():
    frac = (checks.fraction, "this looks like a fraction; the question asks for a percentage.")
    thousands = (42_000.0, "this is in thousands of USD; the question asks for billions.")
    fb = checks.check_between(0.42, 0, 100, mistakes=[frac, thousands], hint="Times 100.")
    assert_wrong(fb, "looks like a fraction", "Hint: Times 100.")
    assert_wrong(checks.check_between(42_000.00001, 0, 1e6, mistakes=[frac, thousands]), "in thousands")
    assert checks.check_between(42.0, 0, 100, mistakes=[frac, thousands]).message == checks.PLAUSIBLE
    # a mistake outside the range is still named, not reported as "outside the range"
    assert_wrong(checks.check_between(42_000, 0, 100, mistakes=[thousands]), "in thousands")


def test_between_integer_and_broken_predicates():
    assert_wrong(checks.check_between(1913.5, 1816, 2012, integer=True), "not a whole number")
    assert checks.check_between(1913, 1816, 2012, integer=True).correct
    boom = (lambda v: 1 / 0, "never")
    assert checks.check_between(5, 0, 10, mistakes=[boom]).correct


def test_number_names_a_mistake_instead_of_too_high():
    fb = checks.check_number(0.5, expected=50, mistakes=[(checks.fraction, "a fraction, not a percentage.")])
    assert_wrong(fb, "a fraction, not a percentage")
    assert checks.check_number(50, expected=50, mistakes=[(50, "never shown for the right answer")]).correct


def test_set_names_a_mistake():
    fb = checks.check_set(["POL"], ["CZE", "HUN", "POL"], mistakes=[({"POL"}, "that is the 2004 wave.")])
    assert_wrong(fb, "2004 wave")


def test_collection():
    iso = dict(what="countries", pattern="[A-Z]{3}")
    fb = checks.check_collection(["USA", "CAN"], 1, 32, **iso)
    assert fb.correct and "Plausible: 2 countries" in fb.message
    assert_wrong(checks.check_collection("USA, CAN", 1, 32, **iso), "expected a collection", "text (str)")
    assert_wrong(checks.check_collection(["United States"], 1, 32, **iso), "country names", "'United States'", "ISO3")
    assert_wrong(checks.check_collection(["USA", "Mali"], 1, 32, **iso), "do not look like", "'Mali'")
    assert_wrong(checks.check_collection([], 1, 32, **iso), "empty")
    assert_wrong(checks.check_collection({"USA": 1}, 1, 32, **iso), "a dict")
    assert_wrong(checks.check_collection(["A%02d" % i for i in range(40)], 1, 32), "40 distinct items", "1 to 32")
    fb = checks.check_collection({"EST", "LVA"}, 1, 32, mistakes=[({"LVA", "EST"}, "that is 2005, not 2004.")], **iso)
    assert_wrong(fb, "2005, not 2004")
    fb = checks.check_collection(["ARM", "BLR"], 1, 32, mistakes=[(lambda s: "ARM" in s, "Armenia froze, it did not leave.")])
    assert_wrong(fb, "Armenia froze")


@pytest.fixture
def waves():
    return pd.Series([12, 3, 1], index=pd.Index([1949, 1952, 1955], name="year"))


def test_series(waves):
    assert checks.check_series(waves, length=(2, 5), index_name="year", low=0).message == checks.PLAUSIBLE
    assert_wrong(checks.check_series(waves.rename_axis("joined"), index_name="year"), "named 'year'", "named 'joined'")
    assert_wrong(checks.check_series(waves, length=4), "3 rows; it should have 4")
    assert_wrong(checks.check_series(waves, length=(5, 9)), "should have 5 to 9")
    assert_wrong(checks.check_series(waves, index=range(1949, 1956)), "index should run over 1949")
    assert_wrong(checks.check_series(waves, high=10), "largest value, 12")
    assert_wrong(checks.check_series(waves, sorted_values=True), "not sorted")
    assert_wrong(checks.check_series(waves.astype(float).where(waves < 10)), "1 of your values are missing")
    assert_wrong(checks.check_series(waves.to_frame()), "one-column DataFrame")
    assert_wrong(checks.check_series(waves.iloc[:0]), "empty")
    doubled = waves * 2
    assert_wrong(checks.check_series(doubled, mistakes=[(waves * 2, "each pair is counted twice.")]), "counted twice")
    assert_wrong(checks.check_series(waves, mistakes=[(lambda s: s.sum() == 16, "sum is 16.")]), "sum is 16")


# --- item 2 of issue #16: a blank or mistyped answer never gives a traceback --------------

def _every_check():
    s = pd.Series([1.0, 2.0], index=pd.Index([2000, 2001], name="year"))
    return {
        "check_number": lambda a: checks.check_number(a, expected=3, mistakes=[(checks.fraction, "f")]),
        "check_between": lambda a: checks.check_between(a, 0, 10, mistakes=[(checks.fraction, "f")]),
        "check_set": lambda a: checks.check_set(a, ["USA"], mistakes=[({"CAN"}, "c")]),
        "check_collection": lambda a: checks.check_collection(a, 1, 3, pattern="[A-Z]{3}", mistakes=[({"CAN"}, "c")]),
        "check_series": lambda a: checks.check_series(a, length=2, index_name="year", low=0, mistakes=[(s, "s")]),
        "check_frame": lambda a: checks.check_frame(a, s),
        "check_choice": lambda a: checks.check_choice(a, "a", ["a", "b"]),
        "check_axes": lambda a: checks.check_axes(a, n_points=3),
        "check_exercise": lambda a: checks.check_exercise("ex", a, spec=checks.encode_spec(
            {"check": "check_number", "args": [], "kwargs": {"expected": 3}})),
    }


def test_every_public_check_is_covered():
    assert sorted(_every_check()) == sorted(n for n in checks.__all__ if n.startswith("check_"))


WRONG_TYPES = ["text", "", True, [], [None], {}, set(), (1, "a"), pd.Series(dtype=float),
               pd.DataFrame(), pd.DataFrame({"a": [1, 2], "b": [3, 4]}), np.array([[1, 2]]), object(),
               float("nan"), float("inf"), pd.NA, print, Ellipsis, None]


@pytest.mark.parametrize("name", sorted(_every_check()))
def test_blank_none_and_wrong_types_give_a_message_never_a_traceback(name):
    check = _every_check()[name]
    assert_wrong(check(...), "not answered yet")
    assert_wrong(check(None), "your answer is None")
    for answer in WRONG_TYPES:
        fb = check(answer)
        assert isinstance(fb, checks.Feedback) and not fb.correct, (name, answer, fb)
        assert fb.message.startswith("Not quite: ") and len(fb.message) > 20, (name, answer, fb.message)


def test_series_columns_of_a_dataframe_and_uses(waves):
    df = pd.DataFrame({"nato": waves * 1.0, "warsaw-pact": waves * 2.0})
    assert checks.check_series(df, columns=["nato", "warsaw-pact"], length=3, index_name="year").correct
    assert_wrong(checks.check_series(df, columns=["nato", "other"]), "columns are ['nato', 'warsaw-pact']")
    assert_wrong(checks.check_series(df, columns=["nato", "warsaw-pact"], high=5), "column 'nato'", "largest value")
    assert_wrong(checks.check_series(df / 100, columns=["nato", "warsaw-pact"],
                                     mistakes=[(lambda d: d.max().max() <= 1, "fractions, not percentages.")]), "fractions")
    assert_wrong(checks.check_series(waves, columns=["nato"]), "expected a pandas DataFrame")
    fb = checks.check_series(waves, uses="waves from exercise 3")
    assert fb.correct and "builds on your waves from exercise 3" in fb.message
    assert_wrong(checks.check_series(waves, length=9, uses="waves from exercise 3", hint="H."),
                 "9", "builds on your waves from exercise 3", "Hint: H.")
    assert "builds on your x from exercise 1" in checks.check_between(5, 0, 10, uses="x from exercise 1").message


def test_choice_visible_mode():
    fb = checks.check_choice("CSTO", None, ["nato", "csto"])
    assert fb.correct and "Plausible" in fb.message
    assert_wrong(checks.check_choice("both", None, ["nato", "csto"]), "not one of the options")


def test_call_turns_a_students_failing_function_into_a_message():
    def stub(shares):
        raise NotImplementedError()

    def broken(shares):
        return shares / 0

    assert checks.call(lambda s: sum(s), [1, 2]) == 3
    assert_wrong(checks.check_between(checks.call(stub, [50, 50]), 0, 1e4), "not answered yet", "NotImplementedError")
    assert_wrong(checks.check_between(checks.call(broken, [50, 50]), 0, 1e4), "your function raised TypeError")
    assert_wrong(checks.check_number(checks.call(..., [1]), expected=1), "not answered yet")
    assert_wrong(checks.check_number(checks.call(3, [1]), expected=1), "is not a function")


# The chapters' check cells on blank answers (issue #16, item 2) are tested where students meet them:
# tests/publish/test_notebooks.py runs every student notebook (solutions removed, answers left as `...`) in a
# fresh kernel, fails on any error and requires every check to say "not answered yet".


# --- issue #25: feedback that never misleads ---------------------------------------------

def test_years_are_never_printed_with_separators():
    assert_wrong(checks.check_number(2014, expected=2016), "2014 is too low")
    assert "2,014" not in checks.check_number(2014, expected=2016).message
    assert_wrong(checks.check_between(1815, 1816, 2018, integer=True), "1815 is outside", "1816 to 2018")
    assert_wrong(checks.check_number(12345, expected=1), "12,345 is too high")  # not a year: separators


def test_a_rounded_answer_is_said_to_be_right_to_the_shown_precision():
    fb = checks.check_number(91, expected=91.0344, rel_tol=1e-6, units="%")
    assert_wrong(fb, "right to the precision shown", "91", "unrounded")
    assert "too low" not in fb.message
    assert_wrong(checks.check_number(91.03, expected=91.0344, rel_tol=1e-6), "right to the precision shown", "2 decimals")
    assert_wrong(checks.check_number(90, expected=91.0344), "too low")


def test_country_names_where_iso3_codes_are_expected():
    fb = checks.check_set(["United States", "Germany"], ["USA", "DEU"], what="countries")
    assert_wrong(fb, "country names", "ISO3", "iso3 column")
    assert "23 of the expected" not in fb.message
    assert_wrong(checks.check_set(["USA"], ["USA", "DEU"], what="countries"), "1 of the expected countries are missing")


def test_print_instead_of_return_says_return(capsys):
    def f(x):
        print(x * 2)

    fb = checks.check_between(checks.call(f, 3), 0, 10)
    assert_wrong(fb, "return", "print")
    assert "6" in capsys.readouterr().out  # what the function printed is still shown
    assert_wrong(checks.check_number(f(3), expected=6), "None", "return")


def test_a_missing_library_gets_a_clear_message():
    def f():
        import statsmodelz  # noqa: F401

    fb = checks.check_between(checks.call(f), 0, 1)
    assert_wrong(fb, "'statsmodelz'", "not available", "pandas, numpy, scipy")


def test_y_label_without_units_when_units_are_asked():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    ax.set(title="Spending", xlabel="Year", ylabel="Military expenditure")
    assert checks.check_axes(ax).correct
    assert_wrong(checks.check_axes(ax, units=True), "does not give the units")
    ax.set_ylabel("Military expenditure (% of GDP)")
    assert checks.check_axes(ax, units=True).correct
    plt.close(fig)


def test_error_carried_forward_accepts_the_right_method_on_an_own_earlier_answer():
    checks._CARRIED.clear()
    right = checks.check_number(60.0, expected=60.0)
    assert checks.carried_forward(right, checks.check_number(60.0, expected=70.0), "exercise 7") is right
    assert not checks._CARRIED
    own = checks.carried_forward(checks.check_number(70.0, expected=60.0), checks.check_number(70.0, expected=70.0),
                                 "exercise 7")
    assert own.correct and "builds on your exercise 7" in own.message and checks._CARRIED == {"exercise 7"}
    wrong = checks.carried_forward(checks.check_number(80.0, expected=60.0), checks.check_number(80.0, expected=70.0),
                                   "exercise 7")
    assert_wrong(wrong, "too high")
    # the visible check: a value the right method gives on the student's own (wrong) answer is accepted
    fb = checks.check_between(0.7, 0, 100, uses="bloc_shares from exercise 7", own=0.7,
                              mistakes=[(checks.fraction, "this looks like a fraction")])
    assert fb.correct and "builds on your bloc_shares from exercise 7" in fb.message and "looks wrong" in fb.message
    assert_wrong(checks.check_between(0.5, 0, 100, own=0.7, mistakes=[(checks.fraction, "this looks like a fraction")]),
                 "fraction")
    checks._CARRIED.clear()


def test_two_checks_of_one_exercise_combine():
    ok, also, wrong = checks.Feedback(True, "Plausible: a."), checks.Feedback(True, "Plausible: b."), \
        checks.Feedback(False, "Not quite: c.")
    assert (ok & also).correct and (ok & also).message == "Plausible: a. Plausible: b."
    assert (ok & wrong) is wrong and (wrong & ok) is wrong
