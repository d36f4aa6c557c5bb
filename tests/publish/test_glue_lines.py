"""The web book hides the glue bookkeeping of a code cell and keeps the computation (issue #25, item 5)."""

from alliances.publish.glue_lines import glue_statements, without_glue

CELL = '''from alliances.glue import glue, glue_change
total = spending.groupby("year")["milex"].sum()
glue("ext_peak_year", int(total.idxmax()))
glue("ext_eu_real_verb", "rose" if change > 0 else "fell",
     display=False)
glue_change("ext_change", change)
for name, value in {"a": 1, "b": 2}.items():
    glue(name, value)
x = 1; glue("x", x)
def helper():
    glue("inside", 1)
if total.empty:
    glue("empty", True)
    raise ValueError("no data")
total.plot()'''


def test_only_glue_statements_go_and_everything_else_stays():
    shown = without_glue(CELL)
    assert shown.splitlines() == [
        'total = spending.groupby("year")["milex"].sum()',
        'x = 1; glue("x", x)',  # shares its line with a computation
        "def helper():",
        '    glue("inside", 1)',  # a block keeps at least one statement
        "if total.empty:",
        '    raise ValueError("no data")',
        "total.plot()",
    ]


def test_a_cell_without_glue_or_with_a_syntax_error_is_unchanged():
    assert without_glue("x = 1\ny = 2") == "x = 1\ny = 2"
    assert without_glue("%matplotlib inline\nglue('a', 1)") == "%matplotlib inline\nglue('a', 1)"
    assert glue_statements("x = glue") == []


def test_a_cell_of_glue_only_becomes_empty():
    assert without_glue("glue('a', 1)\nglue('b', 2)\n") == ""
