"""A lab's published numbers are transcriptions, shown unchanged beside ours (issue #23).

A lab that quotes a published study's numbers keeps them as typed literals in one clearly marked code cell
(a data frame named PUBLISHED, with the study, the part of the article and the source it was read in); the
"Ours beside theirs" table is built from it. These tests check that the marked cell names where the numbers
were read, that the transcription is consistent with itself (its counts give its percentages; its standard
errors give its significance stars; its ranks are the ranks of its values; its counts give its printed
row percentages), and that the stored table shows every transcribed value unchanged, so an edit to either the
transcription or the table that breaks the link fails here. A lab with a second transcription registers it as
"lab#NAME": the data frame NAME of its own marked cell.
"""

import math
import re
from html.parser import HTMLParser

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import ROOT

# lab -> (id of the cell with the transcription, id of the cell that shows ours beside theirs); "lab#NAME": the
# transcription is the data frame NAME of that cell instead of PUBLISHED
PUBLISHED_CELLS = {"book/lab-reliability": ("rel-published", "rel-compare"),
                   "book/lab-deterrence-debate": ("ldd-published", "ldd-beside"),
                   "book/lab-deterrence-debate#PUBLISHED_MORROW": ("ldd-morrow-published", "ldd-morrow-beside"),
                   "book/lab-burden-sharing": ("bur-published", "bur-beside")}
# what each lab transcribes besides study, years and published_in: shares with the counts behind them, or
# coefficients with their standard errors and stars (the cell then also defines SIGNIFICANCE, the table's note),
# or a table of country values with their ranks (the cell then also defines RANKED: rank column -> value column)
SHARES, COEFFICIENTS = {"published_pct", "kept", "cases"}, {"estimate", "std_error", "stars"}
RANKS = {"country"}
# ... or a table of counts with the row percentages it prints: pct_<column> is <column>'s share of its row's total
# (the cell also defines PCT_DECIMALS, the table's rounding)
CROSSTAB = {"no_dispute_after", "dispute_after", "pct_no_dispute_after", "pct_dispute_after"}
TRANSCRIBES = {"book/lab-reliability": SHARES, "book/lab-deterrence-debate": COEFFICIENTS,
               "book/lab-deterrence-debate#PUBLISHED_MORROW": CROSSTAB, "book/lab-burden-sharing": RANKS}


def cell(name, cell_id):
    nb = nbformat.read(ROOT / f"{name.partition('#')[0]}.ipynb", as_version=4)
    return next(c for c in nb.cells if c.get("id") == cell_id)


def transcribed(name):
    """The names the lab's marked cell defines (literals only: the cell runs without the lab)."""
    namespace = {"pd": pd, "np": np}
    exec(cell(name, PUBLISHED_CELLS[name][0]).source, namespace)  # our own notebook's literal cell
    return namespace


def transcription(name):
    """The PUBLISHED data frame of the lab's marked cell (or the one its registration names after '#')."""
    return transcribed(name)[name.partition("#")[2] or "PUBLISHED"]


class _FirstTable(HTMLParser):
    """Header and body cells of the first HTML table (a data frame's text/html output)."""

    def __init__(self):
        super().__init__()
        self.header, self.rows, self._row, self._cell, self._in, self._part, self._done = [], [], None, None, False, None, False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag in ("thead", "tbody"):
            self._part = tag
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._in = [], True

    def handle_endtag(self, tag):
        if self._done:
            return
        if tag in ("td", "th") and self._in:
            self._row.append("".join(self._cell).strip())
            self._in = False
        elif tag == "tr" and self._row is not None:
            (self.header if self._part == "thead" else self.rows).append(self._row)
            self._row = None
        elif tag == "table":
            self._done = True

    def handle_data(self, data):
        if self._in:
            self._cell.append(data)


def shown_table(name):
    """The stored table under 'Ours beside theirs', as strings, without the index column."""
    outputs = [o for o in cell(name, PUBLISHED_CELLS[name][1]).get("outputs", []) if "text/html" in o.get("data", {})]
    assert outputs, f"{name}: the comparison cell has no stored table (re-execute the lab)"
    parser = _FirstTable()
    parser.feed(outputs[-1]["data"]["text/html"])
    columns = parser.header[0][1:]
    return pd.DataFrame([row[1:] for row in parser.rows], columns=columns)


def _missing(value):
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def differences(published, shown):
    """Every transcribed value the shown table does not show unchanged (empty when they agree)."""
    problems = [f"column {c!r} not shown" for c in published.columns if c not in shown.columns]
    if len(shown) != len(published):
        problems.append(f"{len(shown)} rows shown, {len(published)} transcribed")
    if problems:
        return problems
    for i, row in enumerate(published.itertuples(index=False)):
        for column, value in zip(published.columns, row):
            text = shown[column].iloc[i]
            if _missing(value):
                ok = text in ("<NA>", "NaN", "None", "")
            elif isinstance(value, (int, float, np.integer, np.floating)):
                try:
                    ok = math.isclose(float(text), float(value), rel_tol=0, abs_tol=1e-9)
                except ValueError:
                    ok = False
            else:
                ok = text == str(value)
            if not ok:
                problems.append(f"row {i}, {column}: transcribed {value!r}, shown {text!r}")
    return problems


def star_problems(published, levels):
    """Rows whose stars are not those their estimate and standard error give (two-sided normal test).

    ``levels`` maps stars to the table's thresholds, e.g. {"***": 0.001, "**": 0.01, "*": 0.1}; a row earns the
    most stars whose threshold its p-value is below, none if it is below no threshold. The transcribed figures are
    rounded, so a row within rounding of a threshold would need a closer look; the labs' rows are far from one.
    """
    problems = []
    for i, row in enumerate(published.itertuples(index=False)):
        if _missing(row.estimate) or _missing(row.std_error):
            continue
        p = 2 * stats.norm.sf(abs(row.estimate / row.std_error))
        earned = max((stars for stars, level in levels.items() if p < level), key=len, default="")
        if earned != ("" if _missing(row.stars) else row.stars):
            problems.append(f"row {i}: p = {p:.3g} earns {earned!r}, transcribed {row.stars!r}")
    return problems


def rank_problems(published, ranked):
    """Rank entries that are not the rank of their value among the rows (rank 1 = the largest value).

    ``ranked`` maps each rank column to the column it ranks. Tied values may take any of the ranks they span (a
    table breaks ties its own way); every rank column must hold the ranks 1 to n once each.
    """
    problems = []
    for rank_column, value_column in ranked.items():
        values, ranks = published[value_column].astype(float), published[rank_column].astype(int)
        if sorted(ranks) != list(range(1, len(ranks) + 1)):
            problems.append(f"{rank_column}: not the ranks 1 to {len(ranks)} once each")
        lowest = stats.rankdata(-values, method="min")
        highest = stats.rankdata(-values, method="max")
        for i, (rank, low, high) in enumerate(zip(ranks, lowest, highest)):
            if not low <= rank <= high:
                problems.append(f"row {i}, {rank_column}: {value_column} {values.iloc[i]} ranks {low:.0f}"
                                f"{'' if low == high else f'-{high:.0f}'}, transcribed {rank}")
    return problems


def percentage_problems(published, decimals):
    """Rows whose printed percentages are not their counts' shares of the row, rounded to ``decimals`` as printed.

    Each column pct_<column> is <column>'s share of the row's total (the sum of the counts of every pct_ column);
    a row without observations must print no percentage.
    """
    shares = [c for c in published.columns if c.startswith("pct_")]
    problems = []
    for i, row in enumerate(published.to_dict("records")):
        total = sum(int(row[c[4:]]) for c in shares)
        for column in shares:
            if total == 0:
                ok = _missing(row[column])
            else:
                ok = not _missing(row[column]) and math.isclose(
                    round(100 * int(row[column[4:]]) / total, decimals), float(row[column]), rel_tol=0, abs_tol=1e-9)
            if not ok:
                problems.append(f"row {i}, {column}: counts give {100 * int(row[column[4:]]) / max(total, 1):.3f}, "
                                f"transcribed {row[column]!r}")
    return problems


def test_every_lab_has_a_consistency_check():
    assert set(TRANSCRIBES) == set(PUBLISHED_CELLS)
    assert all(kind in (SHARES, COEFFICIENTS, RANKS, CROSSTAB) for kind in TRANSCRIBES.values())


@pytest.mark.parametrize("name", sorted(PUBLISHED_CELLS))
def test_the_transcription_names_its_source(name):
    source = cell(name, PUBLISHED_CELLS[name][0]).source
    assert source.startswith("# PUBLISHED NUMBERS, TRANSCRIBED"), f"{name}: mark the transcription cell"
    in_repository = re.search(r"github\.com/[\w.-]+/[\w.-]+", source) and re.search(r"\b[0-9a-f]{40}\b", source)
    on_stored_page = re.search(r"https://\S+\s+#?\s*\(a stored page, read \d{4}-\d{2}-\d{2}\)", source)
    assert in_repository or on_stored_page, \
        f"{name}: say in which stored copy (repository and commit, or stored page and day read) the numbers were read"
    published = transcription(name)
    assert {"study", "years", "published_in"} | TRANSCRIBES[name] <= set(published.columns)
    assert published["published_in"].notna().all() and (published["published_in"].str.len() > 0).all(), \
        f"{name}: every transcribed number says which part of the article it belongs to"


@pytest.mark.parametrize("name", sorted(n for n in PUBLISHED_CELLS if TRANSCRIBES[n] == SHARES))
def test_the_transcribed_counts_give_the_transcribed_percentages(name):
    published = transcription(name)
    assert {"kept", "cases"} <= set(published.columns), f"{name}: transcribe the counts behind the percentages"
    counted = published.dropna(subset=["kept", "cases"])
    assert len(counted), f"{name}: no row with counts"
    for row in counted.itertuples(index=False):
        assert round(100 * int(row.kept) / int(row.cases), 2) == pytest.approx(row.published_pct, abs=1e-9), row
        if not _missing(getattr(row, "candidates", None)):
            assert int(row.cases) <= int(row.candidates), row


@pytest.mark.parametrize("name", sorted(n for n in PUBLISHED_CELLS if TRANSCRIBES[n] == COEFFICIENTS))
def test_the_transcribed_standard_errors_give_the_transcribed_stars(name):
    namespace = transcribed(name)
    published, levels = namespace["PUBLISHED"], namespace["SIGNIFICANCE"]
    assert published[["estimate", "std_error"]].notna().all(axis=1).any(), f"{name}: no row with a coefficient"
    assert star_problems(published, levels) == []


@pytest.mark.parametrize("name", sorted(n for n in PUBLISHED_CELLS if TRANSCRIBES[n] == RANKS))
def test_the_transcribed_ranks_are_the_ranks_of_the_transcribed_values(name):
    namespace = transcribed(name)
    published, ranked = namespace["PUBLISHED"], namespace["RANKED"]
    assert ranked and set(ranked) | set(ranked.values()) <= set(published.columns), f"{name}: RANKED names columns"
    assert rank_problems(published, ranked) == []


@pytest.mark.parametrize("name", sorted(n for n in PUBLISHED_CELLS if TRANSCRIBES[n] == CROSSTAB))
def test_the_transcribed_counts_give_the_printed_row_percentages(name):
    namespace = transcribed(name)
    published = transcription(name)
    assert len(published) and published[sorted(CROSSTAB)].notna().any(axis=1).all()
    assert percentage_problems(published, namespace["PCT_DECIMALS"]) == []


@pytest.mark.parametrize("name", sorted(PUBLISHED_CELLS))
def test_the_table_shows_the_transcription_unchanged(name):
    assert differences(transcription(name), shown_table(name)) == []


def test_a_changed_number_is_caught():
    name = "book/lab-reliability"
    published, shown = transcription(name), shown_table(name)
    changed = published.copy()
    changed.loc[2, "published_pct"] = 66.0
    assert any("published_pct" in p for p in differences(changed, shown))
    assert differences(published, shown.drop(columns="published_in")) == ["column 'published_in' not shown"]


def test_a_changed_coefficient_is_caught():
    name = "book/lab-deterrence-debate"
    namespace = transcribed(name)
    published, shown = namespace["PUBLISHED"], shown_table(name)
    changed = published.copy()
    changed.loc[0, "estimate"] = 0.062
    assert any("estimate" in p for p in differences(changed, shown))
    changed = published.copy()
    changed.loc[1, "std_error"] = 0.06  # z about 1.1: no star earned
    assert len(star_problems(changed, namespace["SIGNIFICANCE"])) == 1


def test_a_changed_rank_or_value_is_caught():
    name = "book/lab-burden-sharing"
    namespace = transcribed(name)
    published, ranked, shown = namespace["PUBLISHED"], namespace["RANKED"], shown_table(name)
    changed = published.copy()
    changed.loc[12, "defence_pct_gnp"] = 3.5  # Portugal: now 12th of 14, transcribed 2nd
    assert any("row 12, defence_rank" in p for p in rank_problems(changed, ranked))
    assert any("defence_pct_gnp" in p for p in differences(changed, shown))
    changed = published.copy()
    changed.loc[[0, 1], "gnp_rank"] = [2, 1]  # two ranks swapped
    assert len(rank_problems(changed, ranked)) == 2
    changed = published.copy()
    changed.loc[13, "gnp_per_capita_rank"] = 3  # the tie Denmark-Luxembourg may share 3-4, but 3 twice is not ranks
    assert rank_problems(changed, ranked) == ["gnp_per_capita_rank: not the ranks 1 to 14 once each"]
    changed.loc[[8, 13], "gnp_per_capita_rank"] = [4, 3]  # the tie broken the other way is fine
    assert rank_problems(changed, ranked) == []


def test_a_changed_count_is_caught():
    name = "book/lab-deterrence-debate#PUBLISHED_MORROW"
    published, shown = transcription(name), shown_table(name)
    changed = published.copy()
    changed.loc[2, "dispute_after"] = 27  # 72 misread: the row's two printed percentages no longer follow
    assert len(percentage_problems(changed, 1)) == 2
    assert any("dispute_after" in p for p in differences(changed, shown))
    changed = published.copy()
    changed.loc[0, "pct_dispute_after"] = 0.8  # a percentage that the counts (278 of 38,375) do not give
    assert len(percentage_problems(changed, 1)) == 1
    assert percentage_problems(published, 0) != []  # the table's one decimal matters: whole numbers do not match
