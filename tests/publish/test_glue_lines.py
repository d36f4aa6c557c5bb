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
        "if total.empty:",  # a block keeps its other statements (the helper that only glues goes)
        '    raise ValueError("no data")',
        "total.plot()",
    ]


def test_a_cell_without_glue_or_with_a_syntax_error_is_unchanged():
    assert without_glue("x = 1\ny = 2") == "x = 1\ny = 2"
    assert without_glue("%matplotlib inline\nglue('a', 1)") == "%matplotlib inline\nglue('a', 1)"
    assert glue_statements("x = glue") == []


def test_a_cell_of_glue_only_becomes_empty():
    assert without_glue("glue('a', 1)\nglue('b', 2)\n") == ""


def test_a_loop_that_only_computes_what_it_glues_goes_whole():
    cell = '''fair = table.groupby("group").median()
for scope, key in [("all", "all"), ("low", "low")]:
    for group, short in [("B9", "b9"), ("other", "oth")]:
        row = fair.loc[(scope, group)]
        glue(f"ext_{key}_{short}_real", f"{row['real']:.0f}", display=False)
        glue(f"ext_{key}_{short}_n", int(row["n"]), display=False)
for name in names:
    total = fair.loc[name].sum()
    glue(name, total)
print(total)'''
    assert without_glue(cell).splitlines() == [
        'fair = table.groupby("group").median()',
        "for name in names:",  # `total` is read after the loop: the loop stays, only glue goes
        "    total = fair.loc[name].sum()",
        "print(total)",
    ]


def test_a_helper_that_only_glues_goes_with_its_calls():
    cell = '''by_decade = table.groupby("decade").mean()
def g(key, decade, column, fmt="{:.0f}"):
    glue(key, fmt.format(by_decade.loc[decade, column]), display=False)


g("evol_share5_1840", 1840, "share_5_plus")
g("evol_share5_1880", 1880, "share_5_plus")
for short in ["b9", "oth"]:
    glue(f"ext_{short}", 1)
by_decade.plot()'''
    assert without_glue(cell).splitlines() == ['by_decade = table.groupby("decade").mean()', "", "by_decade.plot()"]
