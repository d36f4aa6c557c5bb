"""The data package: valid, hashed, loadable, and right about the facts the book quotes."""

import json
import shutil

import pandas as pd
import pytest
from frictionless import Package

from alliances import data

DATA = data.data_dir()


# --- the package as a whole ------------------------------------------------------------

@pytest.fixture(scope="module")
def report():
    return Package(str(DATA / "datapackage.json")).validate()


def test_frictionless_package_is_valid(report):
    problems = [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors[:5]]
    assert report.valid, "\n".join(problems)


def test_every_resource_is_hashed_sourced_and_licensed():
    pkg = Package(str(DATA / "datapackage.json"))
    for res in pkg.resources:
        assert res.hash and len(res.hash.removeprefix("sha256:")) == 64, res.name
        assert res.sources and all(s.get("title") for s in res.sources), res.name
        assert res.licenses, res.name
        assert res.schema.primary_key or res.name == "membership_events", f"{res.name} has no primary key"
        for field in res.schema.fields:
            assert field.description, f"{res.name}.{field.name} has no description"


def test_every_data_file_is_in_the_package():
    described = {r["path"] for r in data._package(str(DATA))["resources"]}
    on_disk = {p.name for p in DATA.glob("*.csv")} | {p.name for p in DATA.glob("*.csv.gz")}
    assert on_disk == described


def test_codebook_documents_every_resource():
    codebook = (DATA / "README.md").read_text()
    for name in data.resource_names():
        assert f"`{data._resource(name)['path']}`" in codebook, f"{name} missing from data/README.md"


# --- loaders -----------------------------------------------------------------------------

def test_loaders_give_typed_frames():
    nmc = data.load("nmc")
    assert str(nmc["cow_code"].dtype) == "Int64" and str(nmc["milex"].dtype) == "float64"
    assert data.load("countries")["cow_code"].is_unique


def test_load_returns_a_copy():
    a = data.load("countries")
    a.loc[0, "country"] = "changed"
    assert data.load("countries").loc[0, "country"] != "changed"


def test_unknown_resource_names_the_choices():
    with pytest.raises(data.DataError, match="no data resource called 'nope'.*countries"):
        data.load("nope")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A private copy of data/ that the loaders use (so tests can damage it)."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    monkeypatch.setenv(data.ENV_VAR, str(copy))
    return copy


def test_missing_file_names_file_and_fix(data_copy):
    (data_copy / "countries.csv").unlink()
    with pytest.raises(data.DataError, match=r"data/countries.csv is missing.*git checkout"):
        data.countries()


def test_damaged_file_names_file_and_fix(data_copy):
    path = data_copy / "countries.csv"
    path.write_text(path.read_text().replace("Canada", "Kanada"))
    with pytest.raises(data.DataError, match=r"data/countries.csv has been changed or damaged.*git checkout"):
        data.countries()


def test_missing_package_says_where_to_look(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    with pytest.raises(data.DataError, match="No data package found.*ALLIANCES_DATA_DIR"):
        data.countries()


def test_installed_package_finds_data_above_the_working_directory(tmp_path, monkeypatch):
    """A wheel install (JupyterLite) has no data/ beside it: it looks upward from the notebook."""
    shutil.copytree(DATA, tmp_path / "data")
    (tmp_path / "book").mkdir()
    monkeypatch.delenv(data.ENV_VAR, raising=False)
    monkeypatch.setattr(data, "__file__", str(tmp_path / "site-packages" / "alliances" / "data.py"))
    monkeypatch.chdir(tmp_path / "book")
    assert data.data_dir() == (tmp_path / "data").resolve()
    assert data.members("nato", on="2024-12-31").shape[0] == 32
    monkeypatch.chdir(tmp_path.parent)
    with pytest.raises(data.DataError, match="No data package found.*site-packages/data"):
        data.data_dir()


# --- countries ---------------------------------------------------------------------------

def test_country_identities():
    c = data.countries().set_index("cow_code")
    assert c.loc[2, "iso3"] == "USA" and c.loc[365, "iso3"] == "RUS"
    assert c.loc[265, "iso3"] == "DDR" and c.loc[315, "iso3"] == "CSK"
    assert c.loc[260, "iso3"] == "DEU" and c.loc[255, "iso3"] == "DEU"
    assert c["country"].notna().all()


# --- spending ----------------------------------------------------------------------------

def test_nmc_spending_units_and_coverage():
    s = data.spending()
    usa = s[(s["iso3"] == "USA")].set_index("year")["milex"]
    # thousands of current USD: hundreds of billions of dollars in the 2020s, never trillions
    assert 5e8 < usa[2022] < 1.5e9
    assert s["year"].min() == 1816 and s["year"].max() == 2022
    assert (s["milex"].dropna() >= 0).all()
    assert s["iso3"].isna().sum() < len(s) * 0.05  # almost every state-year has an ISO3 code


def test_documented_series_break_in_russian_spending():
    """data/README.md documents a break in COW's Russia series between 2004 and 2005; keep it true."""
    rus = data.spending().query("iso3 == 'RUS'").set_index("year")
    assert rus.loc[2004, "milex"] == 61_500_000 and rus.loc[2005, "milex"] == 18_768_000
    assert rus.loc[2005, "milper"] > rus.loc[2004, "milper"]
    assert "61,500,000" in (data.data_dir() / "README.md").read_text()


# --- curated membership: facts the book quotes ---------------------------------------------

NATO_COUNTS = {"1949-12-31": 12, "1952-12-31": 14, "1955-12-31": 15, "1982-12-31": 16, "1999-12-31": 19,
               "2004-12-31": 26, "2009-12-31": 28, "2017-12-31": 29, "2020-12-31": 30, "2023-12-31": 31,
               "2024-12-31": 32}


@pytest.mark.parametrize("day,count", NATO_COUNTS.items())
def test_nato_member_counts(day, count):
    assert len(data.members("nato", on=day)) == count


def test_nato_founders_and_reunification():
    founders = set(data.members("nato", on="1949-04-04")["iso3"])
    assert founders == {"BEL", "CAN", "DNK", "FRA", "ISL", "ITA", "LUX", "NLD", "NOR", "PRT", "GBR", "USA"}
    assert set(data.members("nato", on="1989-12-31")["cow_code"]) >= {260}
    after = data.members("nato", on="1990-10-03")
    assert 255 in set(after["cow_code"]) and 260 not in set(after["cow_code"])
    assert len(after) == 16  # succession, not accession: no change in the count


def test_every_membership_row_has_a_source():
    m = data.membership()
    assert m["source_url"].str.startswith("http").all()
    assert m["source_title"].str.len().gt(5).all()
    assert (m["left"].isna() | (m["left"] > m["joined"])).all()


def test_membership_codes_agree_with_countries_table():
    m = data.membership().dropna(subset=["cow_code"])
    c = data.countries().set_index("cow_code")
    merged = m.join(c[["iso3"]], on="cow_code", rsuffix="_cow")
    agree = merged["iso3"] == merged["iso3_cow"]
    historical = merged["iso3"].isin(["SUN", "YUG", "CSK", "DDR"])  # curated table uses ISO 3166-3 codes
    assert (agree | historical).all(), merged.loc[~(agree | historical), ["country", "iso3", "iso3_cow"]]


def test_members_rejects_unknown_alliance():
    with pytest.raises(data.DataError, match="Unknown alliance 'natoo'.*nato"):
        data.members("natoo", on="2000-01-01")


def nato_pairs_missing(pacts_table, flag, first, last):
    """(a, b, year) pairs of NATO members on 31 December with no defence pact in the dyad data."""
    pacts = set(map(tuple, pacts_table.loc[pacts_table[flag] == 1, ["ccode1", "ccode2", "year"]].to_numpy()))
    missing = []
    for year in range(first, last + 1):
        codes = sorted(int(c) for c in data.members("nato", on=f"{year}-12-31")["cow_code"])
        missing += [(a, b, year) for a in codes for b in codes if a < b and (a, b, year) not in pacts]
    return missing


def test_nato_agrees_with_atop_defence_pacts():
    """ATOP v5.1 has a defence obligation between every pair of NATO members, 1949-2018."""
    assert nato_pairs_missing(data.atop_alliances(), "atop_defense", 1949, 2018) == []


def test_atop_defence_flags_differ_by_direction_as_documented():
    """data/README.md: ATOP's directed defence flags disagree in 492 pair-years, 64 only in the ccode1 > ccode2 row."""
    a = data.atop_alliances()
    both = a.merge(a.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"}), on=["ccode1", "ccode2", "year"],
                   suffixes=("", "_rev"), validate="one_to_one")
    assert len(both) == len(a)  # every pair-year has a row in each direction
    differ = both[(both["atop_defense"] != both["atop_defense_rev"]) & (both["ccode1"] < both["ccode2"])]
    assert len(differ) == 492
    assert int((differ["atop_defense"] == 0).sum()) == 64


def iso3s(alliance, on):
    return set(data.members(alliance, on=on)["iso3"])


def test_five_eyes():
    assert iso3s("five-eyes", "2025-01-01") == {"AUS", "CAN", "NZL", "GBR", "USA"}
    assert iso3s("five-eyes", "1947-01-01") == {"GBR", "USA"}


def test_warsaw_pact_founders_exit_and_end():
    assert iso3s("warsaw-pact", "1955-05-14") == {"ALB", "BGR", "CSK", "DDR", "HUN", "POL", "ROU", "SUN"}
    assert "ALB" not in iso3s("warsaw-pact", "1970-01-01")
    assert "DDR" not in iso3s("warsaw-pact", "1990-10-01")
    assert iso3s("warsaw-pact", "1991-07-01") == set()


def test_csto_dates_and_members():
    row = data.alliances().set_index("alliance_id").loc["csto"]
    assert row["founded"] == pd.Timestamp("1992-05-15")  # the treaty, not the 2002 organisation
    assert "7 October 2002" in row["note"]
    assert iso3s("csto", "2025-01-01") == {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
    assert iso3s("csto", "1998-01-01") == {"ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
    assert "UZB" in iso3s("csto", "2010-01-01") and "UZB" not in iso3s("csto", "2015-01-01")
    freeze = data.events().query("alliance_id == 'csto' and iso3 == 'ARM'")
    assert freeze["date"].dt.year.tolist() == [2024]


def test_article_5_invoked_once():
    invoked = data.events().query("event == 'Article 5 invoked'")
    assert invoked["date"].tolist() == [pd.Timestamp("2001-09-12")]


def test_every_alliance_has_members_or_a_documented_gap():
    spells = data.membership()
    for row in data.alliances().itertuples():
        assert (spells["alliance_id"] == row.alliance_id).any() or "not yet curated" in row.note, row.alliance_id


# --- World Bank WDI: GDP and population only ----------------------------------------------------

SIPRI_SERIES = ("MS.MIL.XPND", "milex_gdp_pct")


def test_wdi_units_and_coverage():
    w = data.wdi()
    assert list(w.columns) == ["iso3", "country", "year", "gdp_usd", "population"]
    usa = w[w["iso3"] == "USA"].set_index("year")
    assert usa.loc[2023, "gdp_usd"] == 27_360_935_000_000  # the PROVENANCE check: dollars, not thousands
    assert usa.loc[2024, "population"] == 340_110_988 and pd.isna(usa.loc[2024, "gdp_usd"])
    assert w.loc[(w["iso3"] == "POL") & (w["year"] == 2024), "population"].item() == 36_559_233
    assert not w["iso3"].isin(["WLD", "EUU", "HIC", "ARB"]).any()  # aggregates dropped
    assert w["year"].min() == 1960 and w.dropna(subset=["gdp_usd"])["year"].max() == 2023


def test_no_sipri_licensed_series_is_shipped():
    """The WDI military-expenditure series are SIPRI's (World Bank series metadata): none in data/."""
    for res in data._package(str(DATA))["resources"]:
        text = json.dumps(res)
        for series in SIPRI_SERIES:
            assert series not in [fld["name"] for fld in res["schema"]["fields"]], res["name"]
        assert "MS.MIL.XPND.GD.ZS (" not in text, res["name"]
        if res["name"] == "wdi":
            assert all(lic["name"] == "CC-BY-4.0" for lic in res["licenses"])
        if res["name"].startswith("nato_"):
            assert [lic["name"] for lic in res["licenses"]] == ["NATO-attribution"]
    with open(DATA / "wdi.csv", encoding="utf-8") as f:
        assert "milex" not in f.readline()


# --- NATO's defence-expenditure tables (17 June 2024) ---------------------------------------------

def _nato(iso3, year, column="share_gdp_pct"):
    n = data.nato_spending()
    return n.loc[(n["iso3"] == iso3) & (n["year"] == year), column].item()


@pytest.mark.parametrize("iso3,year,share", [("POL", 2024, 4.12), ("USA", 2024, 3.38), ("EST", 2024, 3.43),
                                             ("DEU", 2024, 2.12), ("ITA", 2024, 1.49), ("CAN", 2024, 1.37),
                                             ("BEL", 2024, 1.30), ("USA", 2014, 3.71), ("GRC", 2014, 2.22)])
def test_nato_shares_of_gdp_as_published(iso3, year, share):
    assert round(_nato(iso3, year), 2) == share


def test_nato_aggregates_as_published():
    t = data.nato_spending_totals().set_index(["group", "year"])
    assert round(t.loc[("NATO Europe and Canada", 2024), "share_gdp_pct"], 2) == 2.02
    assert round(t.loc[("NATO Total", 2024), "share_gdp_pct"], 2) == 2.71
    assert round(t.loc[("NATO Europe and Canada", 2014), "share_gdp_pct"], 2) == 1.43
    assert t.loc[("NATO Total", 2024), "estimate"] and not t.loc[("NATO Total", 2022), "estimate"]


def test_nato_allies_at_two_percent_as_nato_reported():
    """NATO: 3 allies at or above 2% in 2014 (US, UK, Greece), 23 of 32 in 2024 (estimate)."""
    n = data.nato_spending().query("ally")
    at_2 = n[n["share_gdp_pct"] >= 2].groupby("year")["iso3"].apply(set)
    assert at_2[2014] == {"USA", "GBR", "GRC"}
    assert len(at_2[2024]) == 23 and n.query("year == 2024")["iso3"].nunique() == 32
    assert set(n[(n["year"] == 2024) & (n["share_gdp_pct"] >= 3.5)]["iso3"]) == {"POL"}


def test_every_ally_present_every_year_since_it_joined():
    n = data.nato_spending()
    spells = data.membership().query("alliance_id == 'nato' and left.isna()").set_index("iso3")
    assert set(n["iso3"]) == set(spells.index) and len(n) == 32 * 11
    for iso3, rows in n.groupby("iso3"):
        joined = max(spells.loc[iso3, "joined"].year, 2014)
        member_years = set(rows.loc[rows["ally"], "year"])
        assert member_years == set(range(joined, 2025)), iso3
        if iso3 != "ISL":  # Iceland has no armed forces: GDP only
            assert rows["share_gdp_pct"].notna().all() and rows["spending_usd_mn"].notna().all(), iso3
    isl = n[n["iso3"] == "ISL"]
    assert isl["spending_usd_mn"].isna().all() and isl["gdp_usd_mn"].notna().all()


def test_nato_members_sum_to_natos_aggregate():
    """The ally flag reproduces NATO's aggregates: Europe and Canada = members other than the US."""
    n = data.nato_spending().query("ally and iso3 != 'USA'")
    t = data.nato_spending_totals().query("group == 'NATO Europe and Canada'").set_index("year")
    for column in ("spending_usd_mn", "spending_usd_2015_mn", "military_personnel_k"):
        total = n.groupby("year")[column].sum()
        assert ((total / t[column]) - 1).abs().max() < 1e-9, column


def test_nato_flags_and_categories():
    n = data.nato_spending()
    assert set(n.loc[n["estimate"], "year"]) == {2023, 2024}
    assert set(n.loc[n["national_target"], "iso3"]) == {"CZE", "EST", "LVA", "LTU", "POL", "ROU"}
    shares = n[["equipment_share_pct", "personnel_share_pct", "infrastructure_share_pct", "other_share_pct"]]
    total = shares.sum(axis=1)[n["iso3"] != "ISL"]
    assert total.between(99.9, 100.1).all()
    assert _nato("POL", 2024, "equipment_share_pct") > 20 > _nato("BEL", 2024, "equipment_share_pct")
    assert _nato("USA", 2024, "spending_usd_mn") > 900_000  # millions: about $968bn


# --- spending as a share of GDP from open data (COW NMC / WDI GDP) -----------------------------------

def test_milex_gdp_units():
    m = data.milex_gdp()
    usa = m.query("iso3 == 'USA'").set_index("year")
    assert 2.5 < usa.loc[2022, "milex_gdp_pct"] < 4 and m["year"].max() == 2022 and m["year"].min() == 1960
    assert (m["milex_gdp_pct"].isna() == (m["milex"].isna() | m["gdp_usd"].isna())).all()


def test_milex_gdp_against_nato_2014_2022():
    """The documented gap between the two definitions (data/README.md): small, bounded, known worst cases."""
    nato = data.nato_spending().query("ally and year <= 2022").dropna(subset=["share_gdp_pct"])
    both = nato.merge(data.milex_gdp(), on=["iso3", "year"]).dropna(subset=["milex_gdp_pct"])
    gap = both["milex_gdp_pct"] - both["share_gdp_pct"]
    assert len(both) == 251
    assert gap.abs().median() < 0.1 and (gap.abs() <= 0.25).mean() > 0.85 and gap.abs().max() < 0.9
    worst = both.loc[gap.abs().nlargest(3).index, ["iso3", "year"]]
    assert set(zip(worst["iso3"], worst["year"])) == {("HUN", 2022), ("TUR", 2018), ("TUR", 2022)}


def test_members_of_several_alliances():
    both = data.members(["warsaw-pact", "csto"], on="1993-12-31")
    assert set(both["alliance_id"]) == {"csto"}  # the Warsaw Pact had dissolved
    many = data.members(["nato", "five-eyes"], on="2025-01-01")
    assert len(many) == 32 + 5 and many["iso3"].nunique() == 32 + 2  # AUS and NZL are not in NATO


# --- ATOP treaty-level members ----------------------------------------------------------

def test_atop_members_reproduce_the_atop_dyad_years():
    """Expanding the member file to allied pairs per year gives back every ATOP dyad-year.

    The only extra pairs (17) involve a state outside the COW system in that year: ATOP's code
    8152 (1874-1883) and states in their year of birth or death (1990, 1992). See data/README.md.
    """
    m = data.atop_members()
    m["end"] = m["yrexit"].where(m["yrexit"] > 0, 2018)
    cols = ["atopid", "member", "yrent", "end"]
    pairs = m[cols].merge(m[cols], on="atopid", suffixes=("_a", "_b"))
    pairs = pairs[pairs["member_a"] < pairs["member_b"]]
    pairs["first"] = pairs[["yrent_a", "yrent_b"]].max(axis=1)
    pairs["last"] = pairs[["end_a", "end_b"]].min(axis=1)
    years = {(a, b, y) for a, b, f, l in pairs[["member_a", "member_b", "first", "last"]].itertuples(index=False)
             for y in range(f, l + 1)}
    dyads = data.atop_alliances().query("ccode1 < ccode2")
    published = set(zip(dyads["ccode1"], dyads["ccode2"], dyads["year"]))
    assert published <= years
    extra = years - published
    assert len(extra) == 17
    assert {y for *_, y in extra} == set(range(1874, 1884)) | {1990, 1992}


def test_atop_member_dates():
    m = data.atop_members()
    assert m["entered"].notna().all() and (m["entered"].dt.year == m["yrent"]).all()
    nato_us = m.query("atopid == 3180 and member == 2").sort_values("entered")
    assert nato_us["entered"].iloc[0] == pd.Timestamp("1949-04-04")
    assert m.loc[m["yrexit"] == 0, "exited"].isna().all()


def test_rio_treaty_spells_are_atops():
    """The curated Rio Treaty spells are ATOP's alliance 3075, row for row."""
    atop = data.atop_members().query("atopid == 3075")
    rio = data.membership().query("alliance_id == 'rio-treaty'")
    assert sorted(zip(rio["cow_code"], rio["joined"], rio["left"].fillna(pd.Timestamp("1900-01-01")))) == sorted(
        zip(atop["member"], atop["entered"], atop["exited"].fillna(pd.Timestamp("1900-01-01"))))
    assert len(data.members("rio-treaty", on="1960-01-01")) == 21
    assert iso3s("rio-treaty", "2018-12-31") >= {"USA", "BRA", "ARG", "TTO", "BHS"}
    assert len(iso3s("rio-treaty", "2018-12-31")) == 17
    assert not {"CUB", "MEX", "VEN", "BOL", "NIC", "ECU"} & iso3s("rio-treaty", "2018-12-31")
    assert "MEX" in iso3s("rio-treaty", "2004-01-01") and "MEX" not in iso3s("rio-treaty", "2005-01-01")


def last_exit(exits):
    """A member's last exit, or NaT while any of its spells is still open."""
    return exits.max() if exits.notna().all() else pd.NaT


def spells_vs_atop(alliance_id, atopid):
    """Curated first entry / last exit per member beside ATOP's, for members in both."""
    atop = data.atop_members().query("atopid == @atopid").groupby("member").agg(
        entered=("entered", "min"), exited=("exited", last_exit))
    ours = data.membership().query("alliance_id == @alliance_id").groupby("cow_code").agg(
        joined=("joined", "min"), left=("left", last_exit))
    return ours.join(atop, how="outer")


def test_nato_dates_against_atop_differ_only_by_the_documented_convention():
    """ATOP dates a later member's entry at the signing of its accession protocol, the curated
    table at the accession's entry into force: founders and exits agree (data/README.md)."""
    x = spells_vs_atop("nato", 3180)
    assert set(x.index[x["entered"].isna()]) == {343, 375, 380}  # joined after ATOP's 2018 end
    x = x.dropna(subset=["entered"])
    founders = x["joined"] == pd.Timestamp("1949-04-04")
    assert founders.sum() == 12 and (x.loc[founders, "entered"] == x.loc[founders, "joined"]).all()
    lag = (x.loc[~founders, "joined"] - x.loc[~founders, "entered"]).dt.days
    assert lag.pop(255) == 0  # united Germany continues West Germany's membership on 3 October 1990
    assert len(lag) == 17 and (lag.min(), lag.max()) == (119, 451)  # as data/README.md says
    assert (x["left"].isna() == x["exited"].isna()).all()
    assert x["left"].dropna().tolist() == x["exited"].dropna().tolist() == [pd.Timestamp("1990-10-03")]


def test_warsaw_pact_dates_against_atop_differ_only_where_documented():
    x = spells_vs_atop("warsaw-pact", 3285)
    assert len(x) == 8 and (x["joined"] == x["entered"]).all()
    differ = x[x["left"] != x["exited"]]
    assert differ.index.tolist() == [265, 339]  # East Germany, Albania: see data/README.md
    assert differ.loc[265, ["left", "exited"]].tolist() == [pd.Timestamp("1990-09-24"), pd.Timestamp("1990-10-03")]
    assert (differ.loc[339, "left"] - differ.loc[339, "exited"]).days == 1
