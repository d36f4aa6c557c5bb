"""alliances.research panels against independent numbers: the raw files in data/ read directly with
pandas (not through the panel code), peacesciencer's reference counts, and pairs checked by hand."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from alliances import data
from alliances import research as r

DATA = data.data_dir()


def raw(name, **kw):
    return pd.read_csv(DATA / name, **kw)


@pytest.fixture(scope="module")
def system_counts():
    """States per year from cow_states.csv: in the system for any part of the year."""
    s = raw("cow_states.csv")
    years = np.arange(1816, 2017)
    counts = {int(y): int(s.loc[(s.styear <= y) & (s.endyear >= y), "ccode"].nunique()) for y in years}
    return pd.Series(counts)


def in_system(df, a="ccode1", b="ccode2"):
    """Rows of a dyad table whose two states are both COW members that year (from the raw spells)."""
    s = raw("cow_states.csv")
    members = {(int(c), y) for c, f, l in zip(s.ccode, s.styear, s.endyear) for y in range(f, l + 1)}
    keep = [(x, y) in members and (z, y) in members for x, z, y in zip(df[a], df[b], df["year"])]
    return df[np.array(keep, dtype=bool)]


# --- builders -----------------------------------------------------------------------------------

def test_research_is_not_imported_by_alliances():
    code = "import sys, alliances; from alliances import data; assert 'alliances.research' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_state_years_per_year_equal_the_cow_list(system_counts):
    sy = r.state_years(1816, 2016)
    assert sy.groupby("year").size().equals(system_counts.rename_axis("year"))
    assert not sy.duplicated().any() and str(sy["ccode"].dtype) == "int16"
    assert r.state_years(2017, 2020).empty  # COW ends 2016: nothing invented
    assert r.state_years(2017, 2020, mry=True).groupby("year").size().eq(system_counts[2016]).all()


def test_gaps_are_respected():
    sy = r.state_years(1940, 1955)
    japan = set(sy.loc[sy.ccode == 740, "year"])
    s = raw("cow_states.csv").query("ccode == 740")
    expected = {y for f, l in zip(s.styear, s.endyear) for y in range(f, l + 1) if 1940 <= y <= 1955}
    assert japan == expected and 1950 not in japan


def false_pairs():
    """Ordered pairs of states both members in a year but never on the same day, per year (raw spells,
    datetime arithmetic: independent of the panel code)."""
    from datetime import date
    s = raw("cow_states.csv")
    spans = {}
    for row in s.itertuples():
        for y in range(row.styear, row.endyear + 1):
            lo = date(y, row.stmonth, row.stday) if y == row.styear else date(y, 1, 1)
            hi = date(y, row.endmonth, row.endday) if y == row.endyear else date(y, 12, 31)
            spans.setdefault(y, {}).setdefault(row.ccode, []).append((lo, hi))
    out = {}
    for y, states in spans.items():
        partial = {c for c, iv in states.items() if iv != [(date(y, 1, 1), date(y, 12, 31))]}
        bad = {(a, b) for a in partial for b in states if a != b
               and not any(max(l1, l2) <= min(h1, h2) for l1, h1 in states[a] for l2, h2 in states[b])}
        out[y] = len(bad | {(b, a) for a, b in bad})
    return pd.Series(out).sort_index()


def test_directed_dyad_years_are_n_times_n_minus_one(system_counts):
    d = r.dyad_years(1816, 2016)
    per_year = d.groupby("year").size()
    # n(n-1) ordered pairs, less the pairs of states that were never members on the same day
    gone = false_pairs()
    assert per_year.equals((system_counts * (system_counts - 1) - gone).rename_axis("year"))
    assert 0 < gone.sum() < 100
    # peacesciencer's reference counts (create_dyadyears, same state system)
    assert per_year[1950] == 5_550 and per_year[2000] == 36_290 and len(d[d.year <= 2014]) == 1_836_630
    assert not d.duplicated(["ccode1", "ccode2", "year"]).any()  # each ordered pair once
    assert (d.ccode1 != d.ccode2).all()


def test_nondirected_is_the_lower_half(system_counts):
    nd = r.dyad_years(1990, 2000, directed=False)
    assert (nd.ccode1 < nd.ccode2).all()
    n = system_counts.loc[1990:2000]
    assert nd.groupby("year").size().equals((n * (n - 1) // 2 - false_pairs().loc[1990:2000] // 2).rename_axis("year"))
    d = r.dyad_years(1990, 2000)
    assert set(map(tuple, d[d.ccode1 < d.ccode2].to_numpy())) == set(map(tuple, nd.to_numpy()))


def test_unit_comes_from_the_key_columns():
    assert r.unit(r.state_years(1900, 1900)) == "state"
    assert r.unit(r.dyad_years(1900, 1900).merge(r.state_years(1900, 1900), left_on=["ccode1", "year"],
                                                  right_on=["ccode", "year"])) == "dyad"
    with pytest.raises(ValueError, match="key columns"):
        r.add_nmc(pd.DataFrame({"country": ["x"], "year": [1900]}))


# --- ATOP -----------------------------------------------------------------------------------------

def test_allied_pairs_per_year_equal_atop(system_counts):
    years = [1850, 1914, 1950, 1990, 2016]
    panel = pd.concat([r.dyad_years(y, y) for y in years]).pipe(r.add_atop)
    atop = in_system(raw("atop_alliance_dyads.csv").query("year in @years"))
    assert panel.groupby("year")["atop_alliance"].sum().to_dict() == atop.groupby("year").size().to_dict()
    for col in ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]:
        assert panel.groupby("year")[col].sum().to_dict() == atop.groupby("year")[col].sum().to_dict(), col


def test_usa_japan_allied_on_atop_dates():
    atop = raw("atop_alliance_dyads.csv").query("ccode1 == 2 and ccode2 == 740 and year >= 1946")
    assert atop.year.min() == 1951 and atop.year.max() == 2018  # the 1951 security treaty, to ATOP's end
    p = r.dyad_years(1946, 2016).query("ccode1 == 2 and ccode2 == 740").pipe(r.add_atop)
    # Japan is back in the COW system in 1952: the pair is allied in every year it exists from then on
    assert p.year.min() == 1952 and (p.atop_alliance == 1).all() and (p.atop_defense == 1).all()
    late = r.dyad_years(2017, 2019, mry=True).query("ccode1 == 2 and ccode2 == 740").pipe(r.add_atop)
    assert late.set_index("year")["atop_defense"].isna().to_dict() == {2017: False, 2018: False, 2019: True}


def test_nondirected_combines_asymmetric_pledges():
    atop = raw("atop_alliance_dyads.csv")
    obl = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
    one_way = atop[atop[obl].sum(axis=1) == 0]
    assert len(one_way) == 170  # the provenance's count of one-way rows
    rev = atop.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
    both = one_way.merge(rev, on=["ccode1", "ccode2", "year"], suffixes=("", "_rev"), validate="one_to_one")
    both = in_system(both)
    years = sorted(both.year.unique())[:40]
    nd = pd.concat([r.dyad_years(y, y, directed=False) for y in years]).pipe(r.add_atop)
    nd = nd.set_index(["ccode1", "ccode2", "year"])
    checked = 0
    for row in both[both.year.isin(years)].itertuples():
        key = (min(row.ccode1, row.ccode2), max(row.ccode1, row.ccode2), row.year)
        for col in obl:
            assert nd.loc[key, col] == max(getattr(row, col), getattr(row, col + "_rev")), (key, col)
        assert nd.loc[key, "atop_alliance"] == 1
        checked += 1
    assert checked >= 20
    # 46 of the one-way rows have a mirror with no pledge either: allied, no obligation between the two
    assert (both[[c + "_rev" for c in obl]].sum(axis=1) == 0).sum() <= 46


def test_atop_state_years_and_provisions():
    sy = r.state_years(1990, 1990).pipe(r.add_atop, provisions=["milaid"]).set_index("ccode")
    atop = raw("atop_alliance_dyads.csv").query("year == 1990")
    assert sy.loc[2, "atop_partners"] == atop.query("ccode1 == 2").ccode2.nunique()
    m = raw("atop_member_provisions.csv.gz")
    m = m[(m.yrent <= 1990) & ((m.yrexit >= 1990) | (m.yrexit == 0))]
    assert sy.loc[2, "atop_alliances"] == m.query("member == 2").atopid.nunique()
    d = r.dyad_years(1990, 1990).query("ccode1 == 2 and ccode2 == 20").pipe(r.add_atop, provisions=["milaid"])
    shared = set(m.query("member == 2").atopid) & set(m.query("member == 20").atopid)
    assert d["atop_shared"].iloc[0] == len(shared) >= 1  # NATO at least
    a = raw("atop_alliance_provisions.csv.gz").set_index("atopid")
    assert d["atop_milaid"].iloc[0] == a.loc[sorted(shared), "milaid"].max()


# --- disputes, wars, conflicts --------------------------------------------------------------------

@pytest.fixture(scope="module")
def mid_panel():
    return r.dyad_years(1816, 2014).pipe(r.add_mids, details=False)


def test_mid_onsets_equal_the_dispute_files(mid_panel):
    assert int(mid_panel.cowmidonset.sum()) == 6_922  # peacesciencer's reference count
    recent = mid_panel[mid_panel.year.between(1990, 2000)]
    assert int(recent.cowmidonset.sum()) == 1_010
    assert int(recent.query("ccode1 < ccode2").cowmidonset.sum()) == 505
    dyads = in_system(raw("cow_mid_dyad_years.csv.gz"))
    assert mid_panel.groupby("year").cowmidonset.sum().loc[lambda s: s > 0].to_dict() == \
        dyads.query("cowmidonset == 1").groupby("year").size().to_dict()
    assert mid_panel.cowmidonset.notna().all()


def test_mid_onset_years_match_the_dispute_level_file():
    panel = r.dyad_years(1990, 2000).pipe(r.add_mids)
    onsets = panel.query("cowmidonset == 1")[["dispnum", "year"]].drop_duplicates()
    start = raw("cow_mid_disputes.csv").set_index("dispnum")["styear"].loc[onsets.dispnum].to_numpy()
    # a dyad's onset is the dispute's start, or later for a state that joined an ongoing dispute;
    # one known inconsistency between the two files (codebook): MID 4005, dyad onset 1995, dispute start 1996
    early = set(onsets.dispnum[start > onsets.year.to_numpy()])
    assert early == {4005} and (start == onsets.year.to_numpy()).mean() > 0.9
    # initiation: directed, ccode1 on side A in an onset year; never both directions of one onset
    init = panel.query("cowmidinit == 1")
    assert (init.sidea1 == 1).all() and (init.cowmidonset == 1).all()


def test_india_pakistan_disputes():
    q = r.dyad_years(1947, 2016).query("ccode1 == 750 and ccode2 == 770").pipe(r.add_mids).pipe(r.add_peace_years)
    p = q.set_index("year")
    m = raw("cow_mid_dyad_years.csv.gz").query("ccode1 == 750 and ccode2 == 770 and cowmidonset == 1")
    assert set(p.index[p.cowmidonset == 1]) == set(m.year) and len(m) >= 20
    assert p.loc[2014, "cowmidonset"] in (0, 1) and pd.isna(p.loc[2015, "cowmidonset"])
    # an onset year counts the peace years before it (peacesciencer), so not always 0
    assert (q.loc[q.cowmidonset == 1, "peace_years"] > 0).any() and q.peace_years.max() >= 1


def test_peace_years_hand_computed_example():
    """A made-up dyad, counted by hand with peacesciencer's rule (stevemisc::ps_btscs on cowmidongoing):
    first row 0; after a year with a dispute 0; otherwise the previous count + 1 (so an onset year
    counts the peace years before it). The missing year (2015) is skipped and stays missing."""
    years = list(range(2000, 2016))
    ongoing = [0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, None]
    expected = [0, 1, 2, 3, 0, 0, 1, 2, 0, 1, 2, 3, 4, 0, 1, None]
    panel = pd.DataFrame({"ccode1": 2, "ccode2": 20, "year": years,
                          "cowmidongoing": pd.array(ongoing, dtype="Int8")})
    shuffled = panel.sample(frac=1, random_state=1)  # row order must not matter
    out = r.add_peace_years(shuffled).sort_values("year")
    assert out.peace_years.astype("float").fillna(-1).tolist() == [-1 if e is None else e for e in expected]
    assert out.peace_years3.astype("float").fillna(-1).tolist() == [-1 if e is None else e ** 3 for e in expected]
    # the reverse dyad counts separately, and a state panel works the same way
    both = pd.concat([panel, panel.assign(ccode1=20, ccode2=2)]).pipe(r.add_peace_years)
    lists = [g.sort_values("year").peace_years.fillna(-1).tolist() for _, g in both.groupby("ccode1")]
    assert lists[0] == lists[1] == [-1 if e is None else e for e in expected]
    state = panel.drop(columns=["ccode2"]).rename(columns={"ccode1": "ccode"}).pipe(r.add_peace_years)
    assert state.peace_years.fillna(-1).tolist() == [-1 if e is None else e for e in expected]


def _spells(x):
    """stevemisc::ps_btscs's inner loop, transliterated from its R source (peacesciencer 1.x)."""
    tmp, run = [0] * len(x), 0
    for j in range(1, len(x)):
        if x[j] == 0 and x[j - 1] == 0:
            tmp[j] = run = run + 1
        if x[j] != 0 and x[j - 1] == 0:
            tmp[j], run = run + 1, 0
        if x[j] == 0 and x[j - 1] != 0:
            tmp[j] = run = 0
    return tmp


def test_peace_years_match_peacesciencer_loop():
    panel = r.dyad_years(1946, 2014).query("ccode1 in (2, 365, 750, 770, 630, 645)").pipe(r.add_mids)
    out = panel.pipe(r.add_peace_years).sort_values(["ccode1", "ccode2", "year"])
    expected = []
    for _, g in out.groupby(["ccode1", "ccode2"], sort=True):
        expected += _spells(g.cowmidongoing.tolist())
    assert out.peace_years.tolist() == expected
    assert (out.peace_years3 == out.peace_years.astype(float) ** 3).all()
    onsets = out[out.cowmidonset == 1]
    assert (onsets.peace_years > 0).any(), "an onset after peace counts the peace years before it"
    past = r.dyad_years(2015, 2016).head(50).pipe(r.add_mids).pipe(r.add_peace_years)
    assert past.peace_years.isna().all()


# Recorded from R (peacesciencer in /tmp/psbench/rlib, 2026-12-07): create_dyadyears(directed = TRUE,
# subset_years = 1816:2014) |> add_cow_mids() |> add_peace_years(), column cowmidspell, for these dyads and
# years (benchmarks/peace_years.py compares all 1,836,630 rows). Keys: (ccode1, ccode2, first year).
R_SPELLS = {
    (750, 770, 1947): [0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2],
    (2, 365, 1946): [25, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0],
    (220, 255, 1816): [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
}


def test_peace_years_equal_peacesciencer_cowmidspell():
    panel = (r.dyad_years(1816, 1975).query("(ccode1 == 750 and ccode2 == 770) or (ccode1 == 2 and ccode2 == 365)"
                                            " or (ccode1 == 220 and ccode2 == 255)")
             .pipe(r.add_mids).pipe(r.add_peace_years))
    for (a, b, first), spells in R_SPELLS.items():
        q = panel.query("ccode1 == @a and ccode2 == @b and year >= @first").sort_values("year")
        assert q.peace_years.head(len(spells)).tolist() == spells, (a, b)


def test_wars_combine_repeated_dyad_years():
    w = raw("cow_war_dyad_years.csv.gz")
    assert w.duplicated(["ccode1", "ccode2", "year"]).sum() == 56
    panel = r.dyad_years(1939, 1945).pipe(r.add_wars)
    assert len(panel) == len(r.dyad_years(1939, 1945))  # one row per dyad-year still
    ww2 = in_system(w.query("1939 <= year <= 1945")).drop_duplicates(["ccode1", "ccode2", "year"])
    assert int(panel.cowinterongoing.sum()) == len(ww2)
    assert r.dyad_years(2008, 2008).head(10).pipe(r.add_wars).cowinterongoing.isna().all()


def test_ucdp_gw_codes_are_converted():
    cw = r.gw_to_cow(pd.DataFrame({"gwno": [260, 260, 340, 678, 2], "year": [1980, 1995, 2010, 1995, 2000]}))
    assert cw.ccode.tolist() == [260, 255, 345, 679, 2]
    p = r.dyad_years(1946, 2016).query("ccode1 == 750 and ccode2 == 770").pipe(r.add_conflicts).set_index("year")
    sides = raw("ucdp_conflict_sides.csv.gz").merge(raw("ucdp_conflicts.csv.gz"), on=["conflict_id", "year"])
    inter = sides.query("type_of_conflict == 'interstate'")
    both = inter.groupby(["conflict_id", "year"]).gwno.agg(set)
    years = {y for (_, y), s in both.items() if {750, 770} <= s and y <= 2016}
    assert set(p.index[p.ucdp_interstate == 1]) == years and {1948, 1965, 1971} <= years
    assert r.state_years(1945, 1946).pipe(r.add_conflicts).set_index("year").loc[1945, "ucdp_conflict"].isna().all()


# --- geography, other sources ----------------------------------------------------------------------

def test_usa_canada_contiguous_by_land_and_distance():
    p = r.dyad_years(1950, 1950).query("ccode1 in (2, 20) and ccode2 in (2, 20)")
    p = p.pipe(r.add_contiguity).pipe(r.add_distance)
    assert (p.conttype == 1).all()
    assert p.capdist.nunique() == 1 and 700 < float(p.capdist.iloc[0]) < 800  # Washington-Ottawa
    far = r.dyad_years(1950, 1950).query("ccode1 == 2 and ccode2 == 710").pipe(r.add_contiguity)
    assert far.conttype.iloc[0] == 0
    with pytest.raises(ValueError, match="dyad"):
        r.add_distance(r.state_years(1950, 1950))


def test_nmc_values_are_the_files():
    p = r.dyad_years(2000, 2000).query("ccode1 == 2 and ccode2 == 365").pipe(r.add_nmc)
    nmc = raw("nmc.csv").set_index(["cow_code", "year"])
    assert float(p.cinc1.iloc[0]) == nmc.loc[(2, 2000), "cinc"] and float(p.cinc2.iloc[0]) == nmc.loc[(365, 2000), "cinc"]


ENDS = [  # (adder, column, last year of the source)
    (r.add_atop, "atop_defense", 2018), (r.add_nmc, "cinc1", 2022), (r.add_mids, "cowmidonset", 2014),
    (r.add_wars, "cowinterongoing", 2007), (r.add_conflicts, "ucdp_interstate", 2024),
    (r.add_contiguity, "conttype", 2016), (r.add_majors, "cowmaj1", 2016), (r.add_democracy, "euds1", 2025),
    (r.add_gdp_pop, "pwtpop1", 2019), (r.add_rivalries, "rivalry", 2020), (r.add_distance, "capdist", 2024),
    (r.add_memberships, "member_nato1", 2025),
]


@pytest.mark.parametrize("adder, column, last", ENDS, ids=[e[1] for e in ENDS])
def test_missing_not_zero_one_year_past_the_end(adder, column, last):
    panel = r.dyad_years(last, last + 1, mry=True).query("ccode1 in (2, 20, 365, 740) and ccode2 in (2, 20, 365, 740)")
    out = adder(panel).set_index("year")[column]
    assert out.loc[last + 1].isna().all(), f"{column} should be missing in {last + 1}"
    assert out.loc[last].notna().all(), f"{column} should be known in {last}"


STATE_ENDS = [  # state-year columns, same rule
    (r.add_atop, "atop_partners", 2018), (r.add_nmc, "cinc", 2022), (r.add_mids, "cowmidonset", 2014),
    (r.add_wars, "cowinterongoing", 2007), (r.add_conflicts, "ucdp_conflict", 2024),
    (r.add_contiguity, "contig_land", 2016), (r.add_majors, "cowmaj", 2016), (r.add_democracy, "v2x_polyarchy", 2025),
    (r.add_gdp_pop, "mrgdppc", 2019), (r.add_rivalries, "rivalries", 2020), (r.add_memberships, "member_nato", 2025),
]


@pytest.mark.parametrize("adder, column, last", STATE_ENDS, ids=[e[1] for e in STATE_ENDS])
def test_state_years_missing_not_zero_one_year_past_the_end(adder, column, last):
    panel = r.state_years(last, last + 1, mry=True).query("ccode in (2, 20, 365, 740)")
    out = adder(panel).set_index("year")[column]
    assert out.loc[last + 1].isna().all() and out.loc[last].notna().all(), column


def test_state_year_adders_and_documentation():
    sy = (r.state_years(1816, 2022, mry=True).pipe(r.add_atop).pipe(r.add_nmc).pipe(r.add_mids).pipe(r.add_wars)
          .pipe(r.add_conflicts).pipe(r.add_contiguity).pipe(r.add_majors).pipe(r.add_democracy)
          .pipe(r.add_gdp_pop).pipe(r.add_rivalries).pipe(r.add_memberships).pipe(r.add_peace_years))
    assert len(sy) == len(r.state_years(1816, 2022, mry=True))
    usa = sy.set_index(["ccode", "year"]).loc[2]
    assert usa.loc[1990, "cowmaj"] == 1 and usa.loc[2000, "member_nato"] == 1 and pd.isna(usa.loc[1940, "member_nato"])
    assert usa.loc[1900, "contig_land"] == 1 and usa.loc[1950, "contig_land"] == 2  # Canada enters in 1920
    doc = r.describe(sy)
    assert doc["source"].notna().all(), doc[doc["source"].isna()]
    dyad = r.describe(r.dyad_years(1990, 1990).head(5).pipe(r.add_mids)).set_index("column")
    assert "state" in dyad.loc["hostlev1", "meaning"] and "Dispute-level" in dyad.loc["hostlev", "meaning"]
    assert dyad["coverage"].notna().all()
    cites = r.citations(sy)
    for needle in ("Leeds", "Singer", "Palmer", "Sarkees", "Gleditsch", "Stinnett", "Fariss", "Thompson",
                   "Pemstein", "peacesciencer"):
        assert cites["reference"].str.contains(needle).any(), needle
    assert not r.citations(r.state_years(1900, 1900))["reference"].str.contains("Leeds").any()


def test_citations_keep_sources_without_references():
    cites = r.citations(r.dyad_years(1990, 1990).head(5).pipe(r.add_distance))
    capitals = cites[cites["columns"].str.contains("capdist")]
    assert len(capitals) == 1 and capitals["reference"].isna().all() and "Capitals" in capitals["source"].iloc[0]
    miller = cites.loc[cites["source"].str.startswith("peacesciencer"), "reference"].iloc[0]
    assert miller.startswith('Miller, Steven V. 2022. "peacesciencer:') and "{" not in miller


def test_politically_relevant_dyads():
    prd = r.politically_relevant(r.dyad_years(1950, 1950))
    assert ((prd.conttype >= 1) | (prd.cowmaj1 == 1) | (prd.cowmaj2 == 1)).all()
    assert ((prd.ccode1 == 2) & (prd.ccode2 == 20)).any() and ((prd.ccode1 == 2) & (prd.ccode2 == 710)).any()
    assert not ((prd.ccode1 == 95) & (prd.ccode2 == 840)).any()  # Panama-Philippines: neither
    with pytest.raises(ValueError, match="dyad"):
        r.politically_relevant(r.state_years(1950, 1950))


def test_merges_are_validated():
    from alliances.research import panels
    with pytest.raises(pd.errors.MergeError):
        panels._positions(np.array([1, 2]), np.array([1, 1]), "test")


def test_a_filtered_directed_panel_stays_directed():
    one_way = raw("atop_alliance_dyads.csv").query("year == 1832 and ccode1 == 211 and ccode2 == 220")
    assert one_way[["atop_defense"]].sum().sum() == 0  # Belgium pledged nothing to France in 1832
    p = r.dyad_years(1832, 1832).query("ccode1 == 211 and ccode2 == 220").pipe(r.add_atop)
    assert p.attrs["directed"] and p.atop_defense.iloc[0] == 0 and p.atop_alliance.iloc[0] == 1
    nd = r.dyad_years(1832, 1832, directed=False).query("ccode1 == 211 and ccode2 == 220").pipe(r.add_atop)
    assert nd.atop_defense.iloc[0] == 1  # France's pledge to Belgium counts in the non-directed view


def test_inputs_are_not_changed():
    p = r.dyad_years(1950, 1950)
    before = p.copy()
    p.pipe(r.add_atop).pipe(r.add_nmc).pipe(r.add_peace_years, event="atop_defense")
    pd.testing.assert_frame_equal(p, before)


def test_membership_flags_count_like_the_curated_table():
    sy = r.state_years(1949, 2016).pipe(r.add_memberships, alliances=["nato"])
    assert sy.groupby("year").member_nato.sum().astype(int).equals(data.member_counts("nato", 1949, 2016).rename("member_nato"))
