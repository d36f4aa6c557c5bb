"""Curated event tables: NATO Article 4 requests (and recent defence pacts, below).

Every date in the tables is pinned here, with the counts the book quotes, so that an edit to a
CSV that changes a quoted fact fails a test.
"""

import pandas as pd
import pytest

from alliances import data
from helpers import ROOT

# --- NATO Article 4 requests ----------------------------------------------------------------

#: request_id -> (requested, meeting, requesting Allies): the whole table.
ARTICLE4 = {
    "2003-tur": ("2003-02-10", "2003-02-10", {"TUR"}),
    "2012-06-tur": ("2012-06-24", "2012-06-26", {"TUR"}),
    "2012-10-tur": ("2012-10-03", "2012-10-03", {"TUR"}),
    "2014-pol": ("2014-03-03", "2014-03-04", {"POL"}),
    "2015-tur": ("2015-07-26", "2015-07-28", {"TUR"}),
    "2020-tur": ("2020-02-27", "2020-02-28", {"TUR"}),
    "2022-eastern-flank": ("2022-02-24", "2022-02-24",
                           {"BGR", "CZE", "EST", "LVA", "LTU", "POL", "ROU", "SVK"}),
    "2025-09-pol": ("2025-09-10", "2025-09-10", {"POL"}),
    "2025-09-est": ("2025-09-19", "2025-09-23", {"EST"}),
}
AS_OF = pd.Timestamp("2026-11-26")  # date of the last check for new requests


@pytest.fixture(scope="module")
def a4():
    return data.article4()


def test_article4_every_request_and_its_dates(a4):
    got = {rid: (g["requested"].iloc[0].strftime("%Y-%m-%d"), g["meeting"].iloc[0].strftime("%Y-%m-%d"),
                 set(g["iso3"])) for rid, g in a4.groupby("request_id")}
    assert got == ARTICLE4


def test_article4_counts_the_book_quotes(a4):
    requests = data.article4_requests()
    assert len(requests) == a4["request_id"].nunique() == 9  # NATO: "invoked seven times" by 2023, +2 in 2025
    assert (requests["requested"] < "2023-07-18").sum() == 7  # NATO's Article 4 page, last updated 18 Jul 2023
    assert a4["iso3"].nunique() == 9
    by_ally = a4.groupby("iso3")["request_id"].nunique()
    assert by_ally["TUR"] == 5 and by_ally["POL"] == 3 and by_ally["EST"] == 2
    assert by_ally.idxmax() == "TUR"
    assert (requests["requested"].dt.year == 2025).sum() == 2


def test_article4_latest_request_as_of_table_date(a4):
    assert a4["requested"].max() <= AS_OF
    latest = data.article4_requests().iloc[-1]
    assert latest["request_id"] == "2025-09-est"
    assert latest["requested"] == pd.Timestamp("2025-09-19") and latest["meeting"] == pd.Timestamp("2025-09-23")


def test_article4_2022_requesters(a4):
    y2022 = a4[a4["request_id"] == "2022-eastern-flank"]
    assert sorted(y2022["country"]) == ["Bulgaria", "Czechia", "Estonia", "Latvia", "Lithuania",
                                        "Poland", "Romania", "Slovakia"]


def test_article4_requesters_were_nato_members_on_the_day(a4):
    for row in a4.itertuples():
        members = set(data.members("nato", on=row.requested)["iso3"])
        assert row.iso3 in members, f"{row.iso3} was not a NATO member on {row.requested:%Y-%m-%d}"


def test_article4_rows_are_sourced_and_consistent(a4):
    requests = data.article4_requests()
    assert requests["source_title"].str.len().gt(0).all() and requests["source_url"].str.startswith("https://").all()
    assert (requests["meeting"] >= requests["requested"]).all()
    assert (requests["meeting"] - requests["requested"]).dt.days.max() <= 4
    assert a4["country"].notna().all()
    assert set(requests.query("not verified")["request_id"]) == {"2020-tur"}


# --- Defence pacts signed or ended since 2019 ---------------------------------------------

#: pact_id -> (signed, in_force or None, parties): the whole table.
RECENT_PACTS = {
    "fra-deu-aachen": ("2019-01-22", "2020-01-22", {"FRA", "DEU"}),
    "aze-tur-shusha": ("2021-06-15", None, {"AZE", "TUR"}),
    "fra-grc": ("2021-09-28", None, {"FRA", "GRC"}),
    "fra-ita-quirinal": ("2021-11-26", "2023-02-01", {"FRA", "ITA"}),
    "aes-liptako-gourma": ("2023-09-16", None, {"MLI", "BFA", "NER"}),
    "rus-prk": ("2024-06-19", "2024-12-04", {"RUS", "PRK"}),
    "rus-blr": ("2024-12-06", "2025-03-13", {"RUS", "BLR"}),
    "fra-pol-nancy": ("2025-05-09", None, {"FRA", "POL"}),
    "gbr-deu-kensington": ("2025-07-17", None, {"GBR", "DEU"}),
    "sau-pak-smda": ("2025-09-17", None, {"SAU", "PAK"}),
    "aus-png-pukpuk": ("2025-10-06", None, {"AUS", "PNG"}),
}


@pytest.fixture(scope="module")
def pacts():
    return data.recent_pacts()


def test_recent_pacts_every_row_dates_and_parties(pacts):
    parties = data.recent_pact_parties().groupby("pact_id")["iso3"].agg(set)
    got = {r.pact_id: (r.signed.strftime("%Y-%m-%d"), None if pd.isna(r.in_force) else r.in_force.strftime("%Y-%m-%d"),
                       parties[r.pact_id]) for r in pacts.itertuples()}
    assert got == RECENT_PACTS


def test_recent_pacts_window_and_rule(pacts):
    assert (pacts["signed"] >= "2019-01-01").all() and (pacts["signed"] <= AS_OF).all()
    assert (pacts["obligation"] == "defence").all() and pacts["clause"].str.len().gt(20).all()
    assert pacts["ended"].isna().all()  # no defence pact verified as ended since 2019 (see the excluded list)
    assert (pacts["in_force"].dropna() >= pacts.loc[pacts["in_force"].notna(), "signed"]).all()
    assert set(pacts.query("not verified")["pact_id"]) == set()  # UK-Poland moved to the excluded list (2026-12-07)


def test_recent_pacts_counts_the_book_quotes(pacts):
    parties = data.recent_pact_parties()
    assert len(pacts) == 11 and parties["iso3"].nunique() == 18
    assert parties["country"].notna().all() and parties["iso3"].isin(data.countries()["iso3"]).all()
    assert (pacts["signed"].dt.year >= 2024).sum() == 6
    assert (pacts["signed"].dt.year == 2025).sum() == 4
    assert pacts.iloc[-1]["pact_id"] == "aus-png-pukpuk"  # the latest, as of the table's date
    assert parties.groupby("iso3")["pact_id"].nunique().idxmax() == "FRA"  # France: 4 pacts
    assert parties.groupby("iso3")["pact_id"].nunique()["FRA"] == 4
    assert "USA" not in set(parties["iso3"])
    assert set(pacts["pact_id"][pacts["in_force"].notna()]) == {"fra-deu-aachen", "fra-ita-quirinal", "rus-prk", "rus-blr"}


def test_defence_pacts_in_force_at_the_end_of_2025():
    """Curated alliances plus recent pacts, concluded and not ended on 31 December 2025."""
    now = data.pacts_in_force("2025-12-31")
    assert len(now) == 18 and now["pact_id"].is_unique
    assert set(now.query("includes_usa")["pact_id"]) == {"nato", "anzus", "rio-treaty", "us-japan",
                                                          "us-south-korea", "us-philippines"}
    assert (~now["includes_usa"]).sum() == 12  # the CSTO and the eleven recent pacts signed by then
    assert "gbr-pol" not in set(now["pact_id"])  # signed in 2026, and excluded (text not read)
    assert len(data.pacts_in_force(AS_OF)) == 18
    assert len(data.pacts_in_force("2018-12-31")) == 7


def test_recent_pacts_that_add_a_new_defence_tie():
    """Pacts with at least one pair of parties not already bound by a defence pact in ATOP v5.1 (2018)."""
    import itertools

    atop = data.atop_members()
    cow = data.countries().dropna(subset=["iso3"]).sort_values("last_year").drop_duplicates("iso3", keep="last")
    cow = cow.set_index("iso3")["cow_code"]
    live = atop[(atop["defense"] == 1) & (atop["yrexit"] == 0)]
    tied = {frozenset((a, b)) for _, g in live.groupby("atopid") for a, b in itertools.combinations(set(g["member"]), 2)}
    new = set()
    for pact, g in data.recent_pact_parties().groupby("pact_id"):
        codes = [int(cow[i]) for i in g["iso3"]]
        if any(frozenset(p) not in tied for p in itertools.combinations(codes, 2)):
            new.add(pact)
    assert new == {"rus-prk", "sau-pak-smda", "aus-png-pukpuk"}


def test_recent_pacts_excluded_list():
    ex = data.recent_pacts_excluded()
    assert len(ex) == 21
    codes = ex.set_index("arrangement")["reason_code"]
    assert codes["Finland's accession to NATO"] == codes["Sweden's accession to NATO"] == "accession"
    assert codes["Armenia freezes its participation in the CSTO"] == "freeze-not-exit"
    assert codes["AUKUS"] == "no-assistance-clause"
    assert ex["source_url"].str.startswith("http").all()
    # nothing is both included and excluded (same parties, same date)
    parties = data.recent_pact_parties()
    included = {(frozenset(g["iso3"]), g["signed"].iloc[0]) for _, g in parties.groupby("pact_id")}
    excluded = {(frozenset(p.split()), d) for p, d in zip(ex["parties"], ex["date"])}
    assert not included & excluded
    # Armenia's freeze is not an exit: still a CSTO member
    assert "ARM" in set(data.members("csto", on="2025-12-31")["iso3"])


# --- Fact-check of 2026-12-07 (issue #24 item 4) ------------------------------------------------

def test_uk_poland_is_excluded_until_its_text_is_read(pacts):
    """Its assistance clause is known only from an explainer's summary: not counted as a defence pact."""
    assert "gbr-pol" not in set(pacts["pact_id"])
    ex = data.recent_pacts_excluded().set_index("arrangement")
    row = ex.loc[ex.index.str.startswith("UK-Poland")]
    assert len(row) == 1 and row["reason_code"].iloc[0] == "text-not-verified"
    assert row["date"].iloc[0] == pd.Timestamp("2026-05-27")


def test_france_greece_renewal_is_marked_unconfirmed(pacts):
    """A five-year agreement (in force December 2021): its renewal in 2026 was not confirmed."""
    note = pacts.set_index("pact_id").loc["fra-grc", "note"]
    assert "five-year" in note and "unconfirmed" in note


def test_recent_pacts_source_type_matches_source_kind(pacts):
    """source_type classes source_kind; the landing page must not call every row a primary source."""
    expected = {"government": ("government",), "parliament": ("parliament",), "press": ("press",),
                "analysis": ("analysis",)}
    for kind, typ in zip(pacts["source_kind"], pacts["source_type"]):
        assert kind.startswith(expected[typ]), (kind, typ)
    counts = pacts["source_type"].value_counts()
    assert counts.get("press", 0) + counts.get("analysis", 0) == 6  # as of 2026-12-07
    index = " ".join((ROOT / "book" / "index.md").read_text().split())
    if counts.get("press", 0) or counts.get("analysis", 0):
        assert "every row cites a primary source" not in index


def test_anzus_suspension_date_and_source():
    """The US ended its ANZUS obligations to New Zealand in the joint statement of 11 August 1986."""
    ev = data.events()
    row = ev[(ev["alliance_id"] == "anzus")]
    assert len(row) == 1 and pd.Timestamp(row["date"].iloc[0]) == pd.Timestamp("1986-08-11")
    assert "1951" not in row["source_title"].iloc[0]  # the treaty text cannot document a 1986 event


WEEKDAY_DATE = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),? (\d{1,2}) " \
               r"(January|February|March|April|May|June|July|August|September|October|November|December),? (\d{4})"


def test_weekdays_named_in_curated_tables_match_the_calendar():
    """Every 'Tuesday 18 November 2025' in a curated table's text is the right weekday."""
    import re
    from datetime import datetime

    folder = ROOT / "data"
    names = ["recent_pacts.csv", "recent_pacts_excluded.csv", "membership_events.csv", "membership.csv",
             "alliances.csv", "article4_requests.csv", "article4_requesters.csv"]
    found = 0
    for name in names:
        text = (folder / name).read_text(encoding="utf-8")
        for m in re.finditer(WEEKDAY_DATE, text):
            day = datetime.strptime(f"{m.group(2)} {m.group(3)} {m.group(4)}", "%d %B %Y")
            assert day.strftime("%A") == m.group(1), f"{name}: {m.group(0)} was a {day:%A}"
            found += 1
        for m in re.finditer(r"on a (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", text):
            raise AssertionError(f"{name}: a weekday without its date cannot be checked: {m.group(0)}")
    assert found >= 5  # the tables name weekdays (e.g. Tuesday 18 November 2025); the pattern must match them
