"""Curated event tables: NATO Article 4 requests (and recent defence pacts, below).

Every date in the tables is pinned here, with the counts the book quotes, so that an edit to a
CSV that changes a quoted fact fails a test.
"""

import pandas as pd
import pytest

from alliances import data

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
