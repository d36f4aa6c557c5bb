"""Curate the course data into ``data/`` and write ``data/datapackage.json``.

Two steps, both re-runnable:

1. ``python tools/curate_data.py sources [SHARED_SOURCES_DIR]`` rebuilds the derived
   tables (countries, nmc, ATOP dyad-years, ATOP members) from raw copies of public datasets
   (default ``../shared/sources``, each folder with a PROVENANCE.md).
   It also tidies World Bank GDP and population (``wdi-gdp-population/``) and NATO's defence
   expenditure tables (``nato-defence-expenditure-2024/``, read with openpyxl); ``wdi`` and
   ``nato`` instead of ``sources`` redo only one of them.
2. ``python tools/curate_data.py package`` (also run at the end of step 1) writes the
   Frictionless descriptor: schemas from ``RESOURCES`` below, plus each file's size
   and SHA-256. Run it after editing any hand-curated CSV.

The hand-curated tables (alliances, membership, membership_events) are edited by
hand with one cited source per row; this script only describes and hashes them.
"""

from __future__ import annotations

import logging
import json
import sys
from pathlib import Path

from alliances.hashing import sha256  # the one SHA-256 of a file (data check, grader, cache)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

CC_BY = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
         "path": "https://creativecommons.org/licenses/by/4.0/"}
COW_TERMS = {"name": "COW-terms", "title": "Correlates of War data: free for research and teaching with citation",
             "path": "https://correlatesofwar.org/data-sets/"}
ATOP_TERMS = {"name": "ATOP-terms", "title": "ATOP data: free for research and teaching with citation",
              "path": "http://www.atopdata.org/"}

SRC_COW_STATES = {"title": "Correlates of War Project. 2017. State System Membership List, v2016 "
                           "(via peacesciencer, Miller 2022)",
                  "path": "https://correlatesofwar.org/data-sets/state-system-membership/"}
SRC_NMC = {"title": "Singer, Bremer and Stuckey (1972); Correlates of War National Material Capabilities "
                    "v7.0 (via peacesciencer, Miller 2022)",
           "path": "https://correlatesofwar.org/data-sets/national-material-capabilities/"}
SRC_ATOP = {"title": "Leeds, Ritter, Mitchell and Long. 2002. Alliance Treaty Obligations and Provisions, "
                     "1815-1944. International Interactions 28: 237-60. ATOP v5.1 (dyad-years via "
                     "peacesciencer, Miller 2022)",
            "path": "http://www.atopdata.org/"}
SRC_ATOP_MEMBERS = {"title": "Leeds, Ritter, Mitchell and Long. 2002. Alliance Treaty Obligations and Provisions, "
                             "1815-1944. International Interactions 28: 237-60. ATOP v5.1 member-level file "
                             "(atop5_1m.csv; selected columns, values unchanged)",
                    "path": "http://www.atopdata.org/"}
SRC_WDI = {"title": "World Bank. World Development Indicators: NY.GDP.MKTP.CD (GDP, current US$) and SP.POP.TOTL "
                    "(population), as republished by the datasets project (datasets/gdp, datasets/population; "
                    "retrieved 2026)",
           "path": "https://databank.worldbank.org/source/world-development-indicators"}
SRC_NATO = {"title": "NATO Public Diplomacy Division. 2024. Defence Expenditure of NATO Countries (2014-2024). "
                     "Press release and Excel tables, 17 June 2024 (240617-def-exp-2024-TABLES-en.xlsx)",
            "path": "https://www.nato.int/cps/en/natohq/topics_49198.htm"}
NATO_TERMS = {"name": "NATO-attribution", "title": "NATO: may be reproduced with attribution ('Source: NATO'); "
                                                   "not an open licence (see data/README.md)",
              "path": "https://www.nato.int/cps/en/natohq/topics_49198.htm"}
SRC_OUTLINES = {"title": "Natural Earth. 1:110m Cultural Vectors, Admin 0 - Countries, v4.1.0 (public domain), as "
                         "packaged in the npm package world-atlas 2.0.2 (countries-110m.json; Bostock, ISC licence)",
                "path": "https://www.naturalearthdata.com/downloads/110m-cultural-vectors/"}
PUBLIC_DOMAIN = {"name": "public-domain", "title": "Public domain (Natural Earth terms of use)",
                 "path": "https://www.naturalearthdata.com/about/terms-of-use/"}
SRC_CURATED = {"title": "Hand-curated by the book's authors; one primary source per row (columns "
                        "source_title and source_url)", "path": "membership.csv"}


def f(name, type_, description, **constraints):
    """One schema field."""
    field = {"name": name, "type": type_, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def source_fields():
    return [f("source_title", "string", "Title of the primary source for this row", required=True),
            f("source_url", "string", "Where the primary source can be read", required=True),
            f("verified", "boolean", "True if the date was checked against the source's text by the curators")]


FLAGS = lambda prefix, names: [f(f"{prefix}_{n}", "integer", f"1 if the pair has a {n} obligation this year",  # noqa: E731
                                 enum=[0, 1], required=True) for n in names]
TO_ALLIANCES = [{"fields": ["alliance_id"], "reference": {"resource": "alliances", "fields": ["alliance_id"]}}]
DYAD_KEYS = [f("ccode1", "integer", "COW code of the first state", required=True),
             f("ccode2", "integer", "COW code of the second state", required=True),
             f("year", "integer", "Year", required=True)]

RESOURCES = [
    {
        "name": "alliances",
        "path": "alliances.csv",
        "title": "Modern alliances and security partnerships, 1945-2025",
        "description": "One row per alliance or partnership: founding treaty, dates, kind and "
                       "whether it has a collective-defence clause. Hand-curated.",
        "sources": [SRC_CURATED],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("alliance_id", "string", "Short identifier", required=True, unique=True, pattern="[a-z0-9-]+"),
                f("name", "string", "Full name", required=True),
                f("short_name", "string", "Common short name", required=True),
                f("kind", "string", "defence pact, intelligence partnership or security partnership",
                  required=True, enum=["defence pact", "intelligence partnership", "security partnership"]),
                f("founded", "date", "Date the founding treaty or agreement was signed", required=True),
                f("in_force", "date", "Date the founding treaty entered into force, if different"),
                f("ended", "date", "Date of dissolution (empty: still in force)"),
                f("treaty", "string", "Founding treaty or agreement"),
                f("collective_defence", "boolean", "Has a mutual-defence clause", required=True),
                f("defence_clause", "string", "Article holding the mutual-defence clause"),
                f("headquarters", "string", "Seat of the organisation, if any"),
                *source_fields(),
                f("note", "string", "Curators' note"),
            ],
            "primaryKey": ["alliance_id"],
        },
    },
    {
        "name": "membership",
        "path": "membership.csv",
        "title": "Membership spells in modern alliances, 1945-2025",
        "description": "One row per (alliance, country, joined); left is empty while still a member. "
                       "Hand-curated with a primary source per row.",
        "sources": [SRC_CURATED],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("alliance_id", "string", "Alliance (see alliances.csv)", required=True),
                f("country", "string", "Display name", required=True),
                f("iso3", "string", "ISO 3166-1 alpha-3 (ISO 3166-3 for dissolved states)",
                  required=True, pattern="[A-Z]{3}"),
                f("cow_code", "integer", "Correlates of War state code"),
                f("joined", "date", "Date membership began (see codebook for conventions)", required=True),
                f("left", "date", "Date membership ended (empty: still a member)"),
                *source_fields(),
                f("note", "string", "Curators' note"),
            ],
            "primaryKey": ["alliance_id", "iso3", "joined"],
            "foreignKeys": TO_ALLIANCES,
        },
    },
    {
        "name": "membership_events",
        "path": "membership_events.csv",
        "title": "Dated events in the life of modern alliances",
        "description": "Withdrawals from integrated commands, suspensions, freezes and invocations. "
                       "Hand-curated with a primary source per row.",
        "sources": [SRC_CURATED],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("alliance_id", "string", "Alliance (see alliances.csv)", required=True),
                f("iso3", "string", "Country concerned, if any", pattern="[A-Z]{3}"),
                f("date", "date", "Date of the event", required=True),
                f("event", "string", "Short label", required=True),
                f("description", "string", "What happened"),
                *source_fields(),
            ],
            "foreignKeys": TO_ALLIANCES,
        },
    },
    {
        "name": "countries",
        "path": "countries.csv",
        "title": "Country identities: COW codes, ISO3 codes and display names",
        "description": "One row per COW state code (1816-2016 state system). ISO3 from country_converter "
                       "by name, with explicit codes for historical states (USSR, GDR, Czechoslovakia, "
                       "Yugoslavia, Yemen PDR) and none for pre-1900 states without an ISO code.",
        "sources": [SRC_COW_STATES, {"title": "country_converter (Stadler 2017, JOSS 2(16):332)",
                                     "path": "https://github.com/IndEcol/country_converter"}],
        "licenses": [COW_TERMS],
        "schema": {
            "fields": [
                f("cow_code", "integer", "COW state code", required=True, unique=True),
                f("cow_abb", "string", "COW three-letter abbreviation", required=True),
                f("cow_name", "string", "COW state name", required=True),
                f("iso3", "string", "ISO 3166-1 alpha-3 (3166-3 for dissolved states); empty if none",
                  pattern="[A-Z]{3}"),
                f("country", "string", "Display name used in the book", required=True),
                f("first_year", "integer", "First year in the COW state system", required=True),
                f("last_year", "integer", "Last year in the COW state system (2016 = still a state)",
                  required=True),
            ],
            "primaryKey": ["cow_code"],
        },
    },
    {
        "name": "nmc",
        "path": "nmc.csv",
        "title": "COW National Material Capabilities v7.0, 1816-2022",
        "description": "State-years: military expenditure and personnel, iron and steel, energy, "
                       "population, urban population and the CINC score, as published.",
        "sources": [SRC_NMC],
        "licenses": [COW_TERMS],
        "schema": {
            "fields": [
                f("cow_code", "integer", "COW state code", required=True),
                f("year", "integer", "Year", required=True, minimum=1816, maximum=2022),
                f("milex", "number", "Military expenditure: thousands of current British pounds for 1816-1913, thousands of current US dollars from 1914 (NMC documentation)", minimum=0),
                f("milper", "number", "Military personnel, thousands", minimum=0),
                f("irst", "number", "Iron and steel production, thousands of tons", minimum=0),
                f("pec", "number", "Primary energy consumption, thousands of coal-ton equivalents", minimum=0),
                f("tpop", "number", "Total population, thousands", minimum=0),
                f("upop", "number", "Urban population, thousands", minimum=0),
                f("cinc", "number", "Composite Index of National Capability (share of system total)",
                  minimum=0, maximum=1),
            ],
            "primaryKey": ["cow_code", "year"],
            "foreignKeys": [{"fields": ["cow_code"],
                             "reference": {"resource": "countries", "fields": ["cow_code"]}}],
        },
    },
    {
        "name": "atop_alliance_dyads",
        "path": "atop_alliance_dyads.csv",
        "title": "ATOP v5.1 alliance obligations, directed dyad-years 1815-2018",
        "description": "Each ordered pair of allied states and year, with the obligations between them "
                       "(defence, offence, neutrality, non-aggression, consultation).",
        "sources": [SRC_ATOP],
        "licenses": [ATOP_TERMS],
        "schema": {
            "fields": [*DYAD_KEYS, *FLAGS("atop", ["defense", "offense", "neutral", "nonagg", "consul"])],
            "primaryKey": ["ccode1", "ccode2", "year"],
        },
    },
    {
        "name": "atop_members",
        "path": "atop_members.csv",
        "title": "ATOP v5.1 alliance members, 1815-2018 (treaty level)",
        "description": "One row per member of each ATOP alliance (and per phase where its obligations "
                       "changed): entry and exit dates and the member's obligations. Columns as published "
                       "in atop5_1m.csv; the provisions columns are left out.",
        "sources": [SRC_ATOP_MEMBERS],
        "licenses": [ATOP_TERMS],
        "schema": {
            "fields": [
                f("atopid", "integer", "ATOP alliance identifier", required=True, minimum=1000),
                f("cowid", "integer", "COW Formal Alliances identifier of the same treaty, if any"),
                f("member", "integer", "COW country code of the member (8152: an ATOP code outside the COW list)",
                  required=True),
                f("yrent", "integer", "Year the member entered", required=True, minimum=1815, maximum=2018),
                f("moent", "integer", "Month entered", required=True, minimum=1, maximum=12),
                f("dayent", "integer", "Day entered (empty if unknown)", minimum=1, maximum=31),
                f("yrexit", "integer", "Year the member left; 0 = still a member at the end of 2018",
                  required=True, minimum=0, maximum=2018),
                f("moexit", "integer", "Month left (0 if still a member)", required=True, minimum=0, maximum=12),
                f("dayexit", "integer", "Day left (0 if still a member; empty if unknown)", minimum=0, maximum=31),
                f("phase", "integer", "Phase of the alliance this row covers (0: obligations never changed)",
                  required=True, minimum=0),
                f("ineffect", "integer", "1 if the alliance was in effect at the end of 2018", enum=[0, 1]),
                f("bilat", "integer", "1 if the alliance is bilateral", enum=[0, 1]),
                *[f(n, "integer", f"1 if the member has a {n} obligation", enum=[0, 1], required=True)
                  for n in ("defense", "offense", "neutral", "nonagg", "consul")],
                f("version", "number", "ATOP version", enum=[5.1]),
            ],
            "primaryKey": ["atopid", "member", "yrent", "moent", "dayent", "phase"],
        },
    },
    {
        "name": "nato_defence_expenditure",
        "path": "nato_defence_expenditure.csv",
        "title": "NATO: defence expenditure of NATO countries, per ally, 2014-2024",
        "description": "One row per ally and year as published in NATO's tables of 17 June 2024 (2023 and 2024 "
                       "are NATO estimates). Every current ally is listed for every year 2014-2024, also before "
                       "it joined (column ally says whether it was a member that year). Iceland, which has no "
                       "armed forces, has GDP only.",
        "sources": [SRC_NATO, SRC_CURATED],
        "licenses": [NATO_TERMS],
        "schema": {
            "fields": [
                f("iso3", "string", "ISO 3166-1 alpha-3", required=True, pattern="[A-Z]{3}"),
                f("cow_code", "integer", "Correlates of War state code", required=True),
                f("country", "string", "Display name used in the book", required=True),
                f("year", "integer", "Year", required=True, minimum=2014, maximum=2024),
                f("estimate", "boolean", "True where NATO marks the year as an estimate (2023e, 2024e)", required=True),
                f("ally", "boolean", "True if a NATO member in that year (joined on or before 31 December, "
                  "NATO's rule for its aggregates)", required=True),
                f("national_target", "boolean", "True for the allies NATO footnotes with * (national laws or "
                  "political agreements calling for 2% of GDP or more)", required=True),
                f("spending_ncu_mn", "number", "Defence expenditure, millions of national currency, current prices "
                  "(Table 1)"),
                f("currency", "string", "National currency of spending_ncu_mn, as NATO names it"),
                f("spending_usd_mn", "number", "Defence expenditure, millions of US dollars, current prices and "
                  "exchange rates (Table 2)", minimum=0),
                f("spending_usd_2015_mn", "number", "Defence expenditure, millions of US dollars, constant 2015 "
                  "prices and exchange rates (Table 2)", minimum=0),
                f("share_gdp_pct", "number", "Defence expenditure as a share of real GDP, %, 2015 prices (Table 3)",
                  minimum=0),
                f("real_change_pct", "number", "Annual real change in defence expenditure, %, 2015 prices (Table 3)"),
                f("gdp_usd_mn", "number", "GDP, millions of US dollars, current prices and exchange rates (Table 5)",
                  minimum=0),
                f("gdp_usd_2015_mn", "number", "GDP, millions of US dollars, constant 2015 prices (Table 5)",
                  minimum=0),
                f("gdp_per_capita_usd_2015_k", "number", "GDP per capita, thousands of US dollars, 2015 prices "
                  "(Table 6)", minimum=0),
                f("spending_per_capita_usd_2015", "number", "Defence expenditure per capita, US dollars, 2015 "
                  "prices (Table 6)", minimum=0),
                f("military_personnel_k", "number", "Military personnel, thousands (Table 7)", minimum=0),
                f("equipment_share_pct", "number", "Equipment (major equipment and related R&D), % of defence "
                  "expenditure (Table 8a)", minimum=0, maximum=100),
                f("personnel_share_pct", "number", "Personnel (military and civilian pay and pensions), % of "
                  "defence expenditure (Table 8a)", minimum=0, maximum=100),
                f("infrastructure_share_pct", "number", "Infrastructure (NATO common infrastructure and national "
                  "military construction), % of defence expenditure (Table 8b)", minimum=0, maximum=100),
                f("other_share_pct", "number", "Other (operations and maintenance, other R&D, unallocated), % of "
                  "defence expenditure (Table 8b)", minimum=0, maximum=100),
            ],
            "primaryKey": ["iso3", "year"],
        },
    },
    {
        "name": "nato_defence_expenditure_totals",
        "path": "nato_defence_expenditure_totals.csv",
        "title": "NATO: defence expenditure, NATO Europe and Canada and NATO total, 2014-2024",
        "description": "NATO's own aggregates from the same tables (17 June 2024). Each year's aggregate counts "
                       "the allies that were members that year (Montenegro from 2017, North Macedonia from 2020, "
                       "Finland from 2023, Sweden from 2024).",
        "sources": [SRC_NATO],
        "licenses": [NATO_TERMS],
        "schema": {
            "fields": [
                f("group", "string", "Aggregate", required=True, enum=["NATO Europe and Canada", "NATO Total"]),
                f("year", "integer", "Year", required=True, minimum=2014, maximum=2024),
                f("estimate", "boolean", "True where NATO marks the year as an estimate", required=True),
            ],
            "primaryKey": ["group", "year"],
        },
    },
    {
        "name": "world_outlines",
        "path": "world_outlines.csv",
        "title": "Country outlines for maps, Natural Earth 1:110m (today's borders)",
        "description": "One row per country or territory of Natural Earth's 1:110m admin-0 layer: its outline as a "
                       "GeoJSON MultiPolygon (longitude/latitude, WGS 84, rounded to 0.01 degree). Today's "
                       "borders only: a map of an earlier year drawn on them is anachronistic and must say so.",
        "sources": [SRC_OUTLINES],
        "licenses": [PUBLIC_DOMAIN],
        "schema": {
            "fields": [
                f("name", "string", "Natural Earth's short name", required=True, unique=True),
                f("iso3", "string", "ISO 3166-1 alpha-3 code (Kosovo: XKX; empty for Northern Cyprus and "
                  "Somaliland, which have none)", unique=True, pattern="[A-Z]{3}"),
                f("geometry", "geojson", "Outline: a GeoJSON MultiPolygon", required=True),
            ],
            "primaryKey": ["name"],
        },
    },
    {
        "name": "wdi",
        "path": "wdi.csv",
        "title": "World Bank WDI: GDP (current US$, 1960-2023) and population (1960-2024)",
        "description": "Country-years from the World Development Indicators: NY.GDP.MKTP.CD (GDP, current US "
                       "dollars) and SP.POP.TOTL (population), both CC BY 4.0. Countries only (regional and "
                       "income aggregates dropped). No military-expenditure series: the WDI's (MS.MIL.XPND.*) "
                       "are SIPRI's data under SIPRI's terms and are not redistributed here.",
        "sources": [SRC_WDI],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("iso3", "string", "ISO 3166-1 alpha-3 (World Bank code)", required=True, pattern="[A-Z]{3}"),
                f("country", "string", "World Bank country name", required=True),
                f("year", "integer", "Year", required=True, minimum=1960, maximum=2024),
                f("gdp_usd", "number", "GDP, current US dollars (NY.GDP.MKTP.CD)", minimum=0),
                f("population", "number", "Population, total (SP.POP.TOTL)", minimum=0),
            ],
            "primaryKey": ["iso3", "year"],
        },
    },
]

NATO_TOTAL_COLUMNS = ["spending_usd_mn", "spending_usd_2015_mn", "share_gdp_pct", "real_change_pct", "gdp_usd_mn",
                      "gdp_usd_2015_mn", "gdp_per_capita_usd_2015_k", "spending_per_capita_usd_2015",
                      "military_personnel_k"]
_SPECS = {spec["name"]: spec for spec in RESOURCES}
_SPECS["nato_defence_expenditure_totals"]["schema"]["fields"] += [
    fld for fld in _SPECS["nato_defence_expenditure"]["schema"]["fields"] if fld["name"] in NATO_TOTAL_COLUMNS]
# --- Curated events and recent pacts (curation: article4_*, recent_pacts*) -------------------
# A separate block so that edits to the resources above and below do not collide.

SRC_CURATED_EVENTS = {"title": "Hand-curated by the book's authors; one primary source per row (columns "
                               "source_title and source_url); see data/README.md",
                      "path": "README.md"}

RESOURCES += [
    {
        "name": "article4_requests",
        "path": "article4_requests.csv",
        "title": "Requests for consultations under Article 4 of the North Atlantic Treaty, 1949-2026",
        "description": "One row per formal request by one or more Allies for consultations under Article 4 "
                       "(the date of the request and of the North Atlantic Council meeting). Requesting "
                       "Allies are in article4_requesters.csv. Hand-curated with a primary source per row.",
        "sources": [SRC_CURATED_EVENTS,
                    {"title": "The North Atlantic Treaty, Washington D.C., 4 April 1949, Article 4",
                     "path": "https://www.nato.int/cps/en/natohq/official_texts_17120.htm"}],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("request_id", "string", "Short identifier (year, month if needed, requester)",
                  required=True, unique=True, pattern="[a-z0-9-]+"),
                f("requested", "date", "Date the request was made (see codebook: where only NATO's "
                  "announcement dates it, the announcement's date)", required=True),
                f("meeting", "date", "Date the North Atlantic Council met under Article 4 on the request",
                  required=True),
                f("occasion", "string", "What prompted the request", required=True),
                *source_fields(),
                f("note", "string", "Curators' note: date basis, other sources", required=True),
            ],
            "primaryKey": ["request_id"],
        },
    },
    {
        "name": "article4_requesters",
        "path": "article4_requesters.csv",
        "title": "Allies that made each Article 4 request, 1949-2026",
        "description": "One row per (request, requesting Ally). The source is the request's row in "
                       "article4_requests.csv.",
        "sources": [SRC_CURATED_EVENTS],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("request_id", "string", "Request (see article4_requests.csv)", required=True),
                f("iso3", "string", "Requesting Ally, ISO 3166-1 alpha-3", required=True, pattern="[A-Z]{3}"),
            ],
            "primaryKey": ["request_id", "iso3"],
            "foreignKeys": [{"fields": ["request_id"],
                             "reference": {"resource": "article4_requests", "fields": ["request_id"]}}],
        },
    },
]

RESOURCES += [
    {
        "name": "recent_pacts",
        "path": "recent_pacts.csv",
        "title": "Defence pacts signed since 1 January 2019, worldwide, 2019-2026",
        "description": "One row per written agreement between states, signed (or ended) from 2019-01-01, in which "
                       "the parties promise to assist one another if attacked (see the codebook for the rule). "
                       "Parties in recent_pact_parties.csv; arrangements considered and left out in "
                       "recent_pacts_excluded.csv. Hand-curated with a source per row.",
        "sources": [SRC_CURATED_EVENTS],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("pact_id", "string", "Short identifier", required=True, unique=True, pattern="[a-z0-9-]+"),
                f("name", "string", "Name of the agreement", required=True),
                f("signed", "date", "Date of signature", required=True),
                f("in_force", "date", "Date of entry into force, where a source gives it (empty: not checked)"),
                f("ended", "date", "Date the pact ended (empty: not ended as far as the sources read show)"),
                f("instrument", "string", "Kind of document", required=True,
                  enum=["treaty", "agreement", "declaration", "charter"]),
                f("obligation", "string", "Strongest obligation (the inclusion rule requires defence)",
                  required=True, enum=["defence"]),
                f("clause_article", "string", "Article holding the assistance clause, where read"),
                f("clause", "string", "The assistance clause, quoted briefly from the source", required=True),
                *source_fields(),
                f("source_kind", "string", "What the source is: treaty text, government, parliament record, "
                  "press (quoting the text), analysis", required=True),
                f("source_type", "string", "source_kind in one of four classes: government (an official text or "
                  "statement, wherever published), parliament (a parliamentary record), press, analysis",
                  required=True, enum=["government", "parliament", "press", "analysis"]),
                f("note", "string", "Curators' note: dates' sources, prior ties, what was not checked", required=True),
            ],
            "primaryKey": ["pact_id"],
        },
    },
    {
        "name": "recent_pact_parties",
        "path": "recent_pact_parties.csv",
        "title": "Parties to the defence pacts in recent_pacts.csv, 2019-2026",
        "description": "One row per (pact, party). The source is the pact's row in recent_pacts.csv.",
        "sources": [SRC_CURATED_EVENTS],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("pact_id", "string", "Pact (see recent_pacts.csv)", required=True),
                f("iso3", "string", "Party, ISO 3166-1 alpha-3", required=True, pattern="[A-Z]{3}"),
            ],
            "primaryKey": ["pact_id", "iso3"],
            "foreignKeys": [{"fields": ["pact_id"],
                             "reference": {"resource": "recent_pacts", "fields": ["pact_id"]}}],
        },
    },
    {
        "name": "recent_pacts_excluded",
        "path": "recent_pacts_excluded.csv",
        "title": "Arrangements considered for recent_pacts.csv and left out, with the reason, 2017-2026",
        "description": "Accessions, freezes, partnerships without an assistance clause, agreements whose text "
                       "could not be verified, and ended agreements that were not defence pacts.",
        "sources": [SRC_CURATED_EVENTS],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("arrangement", "string", "What was considered", required=True, unique=True),
                f("parties", "string", "ISO3 codes of the states concerned, space-separated", required=True,
                  pattern="[A-Z]{3}( [A-Z]{3})*"),
                f("date", "date", "Date of signature, accession or end", required=True),
                f("reason_code", "string", "Why it is not a row of recent_pacts.csv", required=True,
                  enum=["accession", "freeze-not-exit", "no-assistance-clause", "security-assistance-not-defence",
                        "text-not-verified", "not-a-defence-pact", "end-not-verified", "unilateral-guarantee"]),
                f("reason", "string", "The reason in words", required=True),
                f("source_title", "string", "Title of the source for this row", required=True),
                f("source_url", "string", "Where the source can be read", required=True),
            ],
            "primaryKey": ["arrangement"],
        },
    },
]

# COW codes whose ISO3 code is set by hand: dissolved states (ISO 3166-3) and states that
# country_converter's name matching cannot place. Continuity states map to today's code.
ISO3_BY_COW = {
    260: "DEU",  # German Federal Republic (1955-1990): continued as Germany
    265: "DDR",  # German Democratic Republic
    315: "CSK",  # Czechoslovakia
    345: "SRB",  # Yugoslavia (COW 345 continues as Serbia)
    365: "RUS",  # Russia (COW 365 covers the Soviet Union, 1922-1991)
    678: "YEM",  # Yemen Arab Republic, continued as Yemen
    680: "YMD",  # Yemen People's Republic (South Yemen)
    300: None,  # Austria-Hungary (to 1918)
    511: None,  # Zanzibar (1963-1964)
    730: None,  # Korea (1887-1905)
    817: None,  # Republic of Vietnam: no ISO code
}
DISPLAY_BY_COW = {300: "Austria-Hungary", 511: "Zanzibar", 730: "Korea (1887-1905)", 817: "South Vietnam", 260: "West Germany", 265: "East Germany", 315: "Czechoslovakia", 345: "Yugoslavia / Serbia",
                  365: "Russia / USSR", 678: "Yemen (North)", 680: "Yemen (South)"}


def curate_sources(src: Path) -> None:
    import country_converter as coco
    import pandas as pd

    ps = src / "peacesciencer"
    states = pd.read_csv(ps / "cow_states.csv")
    countries = (states.groupby(["ccode", "stateabb", "statenme"], as_index=False)
                 .agg(first_year=("styear", "min"), last_year=("endyear", "max"))
                 .rename(columns={"ccode": "cow_code", "stateabb": "cow_abb", "statenme": "cow_name"}))
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    cc = coco.CountryConverter()
    iso = cc.convert(countries["cow_name"].tolist(), to="ISO3", not_found="")
    countries["iso3"] = [ISO3_BY_COW[c] if c in ISO3_BY_COW else (i or None)
                         for c, i in zip(countries["cow_code"], iso)]
    # states that left the system before 1900 and have no successor code get no ISO3
    old = (countries["last_year"] < 1900) & ~countries["cow_code"].isin(ISO3_BY_COW)
    countries.loc[old, "iso3"] = None
    known = countries["iso3"].notna() & ~countries["cow_code"].isin(DISPLAY_BY_COW)
    countries["country"] = countries["cow_code"].map(DISPLAY_BY_COW).fillna(countries["cow_name"])
    countries.loc[known, "country"] = cc.convert(countries.loc[known, "iso3"].tolist(), src="ISO3",
                                                 to="name_short")
    cols = ["cow_code", "cow_abb", "cow_name", "iso3", "country", "first_year", "last_year"]
    countries[cols].sort_values("cow_code").to_csv(DATA / "countries.csv", index=False)

    nmc = pd.read_csv(ps / "cow_nmc.csv").rename(columns={"ccode": "cow_code"})
    nmc.sort_values(["cow_code", "year"]).to_csv(DATA / "nmc.csv", index=False)
    dyads = pd.read_csv(ps / "atop_alliance.csv")
    dyads.sort_values(["ccode1", "ccode2", "year"]).to_csv(DATA / "atop_alliance_dyads.csv", index=False)
    raw_members = src / "atop-5.1-members" / "atop5_1m.csv"
    if raw_members.is_file():
        members = pd.read_csv(raw_members)
        columns = [fld["name"] for spec in RESOURCES if spec["name"] == "atop_members"
                   for fld in spec["schema"]["fields"]]
        members[columns].astype({c: "Int64" for c in columns if c != "version"}).to_csv(
            DATA / "atop_members.csv", index=False)
    else:  # the raw copy is not always in shared/sources; the curated file is verified by tests/test_data.py
        print(f"atop_members: no raw copy at {raw_members}; data/atop_members.csv kept as it is", file=sys.stderr)
    curate_outlines(src)


def curate_wdi(src: Path) -> None:
    """GDP and population (World Bank WDI, CC BY 4.0) from the datasets project's tidy copies."""
    import country_converter as coco
    import pandas as pd

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    tables = []
    for column, name in (("gdp_usd", "gdp.csv"), ("population", "population.csv")):
        long = pd.read_csv(src / name).rename(columns={"Country Name": "country", "Country Code": "iso3",
                                                       "Year": "year", "Value": column})
        tables.append(long.set_index(["iso3", "year"]))
    wdi = tables[0].join(tables[1], how="outer", lsuffix="_gdp").reset_index()
    wdi["country"] = wdi["country"].fillna(wdi.pop("country_gdp"))
    # keep countries: codes country_converter knows as ISO3 (drops WLD, EUU, HIC and other aggregates);
    # Kosovo keeps the World Bank's code XKX
    keep = set(coco.CountryConverter().data["ISO3"]) | {"XKX"}
    wdi = wdi[wdi["iso3"].isin(keep)].dropna(subset=["gdp_usd", "population"], how="all")
    wdi["population"] = wdi["population"].astype("Int64")
    wdi.sort_values(["iso3", "year"])[["iso3", "country", "year", "gdp_usd", "population"]].to_csv(
        DATA / "wdi.csv", index=False)


#: NATO's names in its tables (without the footnote mark) -> ISO3
NATO_ISO3 = {"Albania": "ALB", "Belgium": "BEL", "Bulgaria": "BGR", "Canada": "CAN", "Croatia": "HRV",
             "Czechia": "CZE", "Denmark": "DNK", "Estonia": "EST", "Finland": "FIN", "France": "FRA",
             "Germany": "DEU", "Greece": "GRC", "Hungary": "HUN", "Iceland": "ISL", "Italy": "ITA",
             "Latvia": "LVA", "Lithuania": "LTU", "Luxembourg": "LUX", "Montenegro": "MNE",
             "Netherlands": "NLD", "North Macedonia": "MKD", "Norway": "NOR", "Poland": "POL",
             "Portugal": "PRT", "Romania": "ROU", "Slovak Republic": "SVK", "Slovenia": "SVN", "Spain": "ESP",
             "Sweden": "SWE", "Türkiye": "TUR", "United Kingdom": "GBR", "United States": "USA"}
NATO_GROUPS = ("NATO Europe and Canada", "NATO Total")
#: (sheet, block heading as NATO prints it) -> column
NATO_BLOCKS = {
    ("TABLE1", "Current prices"): "spending_ncu_mn",
    ("TABLE2", "Current prices and exchange rates"): "spending_usd_mn",
    ("TABLE2", "Constant 2015 prices and exchange rates"): "spending_usd_2015_mn",
    ("TABLE3", "Share of real GDP (%)"): "share_gdp_pct",
    ("TABLE3", "Annual real change (%)"): "real_change_pct",
    ("TABLE5", "Current prices and exchange rates"): "gdp_usd_mn",
    ("TABLE5", "Constant 2015 prices and exchange rates"): "gdp_usd_2015_mn",
    ("TABLE6", "GDP per capita (thousand US dollars)"): "gdp_per_capita_usd_2015_k",
    ("TABLE6", "Defence expenditure per capita (US dollars)"): "spending_per_capita_usd_2015",
    ("TABLE7", "Thousands"): "military_personnel_k",
    ("TABLE8a", "Equipment (a)"): "equipment_share_pct",
    ("TABLE8a", "Personnel (b)"): "personnel_share_pct",
    ("TABLE8b", "Infrastructure (c)"): "infrastructure_share_pct",
    ("TABLE8b", "Other (d)"): "other_share_pct",
}
NATO_XLSX = "nato-defence-expenditure-2024/240617-def-exp-2024-TABLES-en.xlsx"


def read_nato_tables(path: Path):
    """Every numeric cell of NATO's workbook as long rows: (column, name, year, estimate, value, marks).

    A block starts at its heading (NATO_BLOCKS); the header row of years ("2023e" = estimate) is the
    row above the first block; a row belongs to the block while its first text cell is a country or
    aggregate name. Cells reading "#REF!" (NATO's broken aggregate rows in some sheets) are skipped.
    """
    import openpyxl

    rows = []
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in {s for s, _ in NATO_BLOCKS}:
        years, column = None, None
        for cells in book[sheet].iter_rows(values_only=True):
            texts = [c for c in cells if isinstance(c, str) and c.strip()]
            numbers = [(i, c) for i, c in enumerate(cells) if isinstance(c, (int, float))]
            year_cells = [(i, str(c).strip()) for i, c in enumerate(cells)
                          if c is not None and str(c).strip()[:4].isdigit() and str(c).strip()[:2] == "20"]
            if len(year_cells) >= 10:  # the header row of years
                years = {i: (int(label[:4]), label.endswith("e")) for i, label in year_cells}
                continue
            if len(texts) == 1 and not numbers:
                column = NATO_BLOCKS.get((sheet, texts[0].strip()), column if texts[0][:1] == "(" else None)
                continue
            if column is None or years is None or not texts or not numbers:
                continue
            label = texts[0]
            name, _, currency = (part.strip() for part in label.partition("  "))
            marks = name.endswith("*")
            name = name.rstrip("*").strip()
            if name not in NATO_ISO3 and name not in NATO_GROUPS:
                raise ValueError(f"{sheet}: unexpected row label {label!r}")
            for i, value in numbers:
                if i in years:
                    rows.append((column, name, *years[i], float(value), marks, currency.strip("() ")))
    return rows


def curate_nato(src: Path) -> None:
    """NATO's Excel tables of 17 June 2024 -> per-ally and aggregate tidy CSVs."""
    import pandas as pd

    long = pd.DataFrame(read_nato_tables(src / NATO_XLSX),
                        columns=["column", "name", "year", "estimate", "value", "marks", "currency"])
    if long.duplicated(["column", "name", "year"]).any():
        raise ValueError("NATO tables: a value appears twice")
    estimate = long.groupby("year")["estimate"].any()
    wide = long.pivot_table(index=["name", "year"], columns="column", values="value", aggfunc="first").reset_index()
    wide["estimate"] = wide["year"].map(estimate)

    allies = wide[wide["name"].isin(list(NATO_ISO3))].copy()
    allies["iso3"] = allies["name"].map(NATO_ISO3)
    marked = set(long.loc[long["marks"], "name"])
    allies["national_target"] = allies["name"].isin(marked)
    ncu = long[long["column"] == "spending_ncu_mn"].drop_duplicates("name").set_index("name")["currency"]
    allies["currency"] = allies["name"].map(ncu)
    spells = pd.read_csv(DATA / "membership.csv", parse_dates=["joined", "left"]).query(
        "alliance_id == 'nato' and left.isna()").set_index("iso3")
    if set(spells.index) != set(NATO_ISO3.values()):
        raise ValueError("NATO's tables and data/membership.csv list different allies")
    allies["cow_code"] = allies["iso3"].map(spells["cow_code"])
    allies["country"] = allies["iso3"].map(spells["country"])
    allies["ally"] = allies["year"] >= allies["iso3"].map(spells["joined"].dt.year)
    spec = _SPECS["nato_defence_expenditure"]["schema"]["fields"]
    cols = [fld["name"] for fld in spec]
    allies = allies.reindex(columns=cols).sort_values(["iso3", "year"])
    allies.to_csv(DATA / "nato_defence_expenditure.csv", index=False)

    totals = wide[wide["name"].isin(NATO_GROUPS)].rename(columns={"name": "group"})
    cols = [fld["name"] for fld in _SPECS["nato_defence_expenditure_totals"]["schema"]["fields"]]
    totals.reindex(columns=cols).sort_values(["group", "year"]).to_csv(
        DATA / "nato_defence_expenditure_totals.csv", index=False)


OUTLINE_ISO3 = {"Kosovo": "XKX"}  # no ISO 3166-1 numeric code; XKX is the code the World Bank and EU use


def curate_outlines(src: Path) -> None:
    """Country outlines for maps: Natural Earth 1:110m via the world-atlas TopoJSON -> world_outlines.csv.

    The TopoJSON's quantised, delta-encoded arcs are decoded into one GeoJSON (Multi)Polygon per
    country, coordinates rounded to 0.01 degree, keyed by ISO3 (from the ISO numeric id; Kosovo XKX;
    Northern Cyprus and Somaliland have none).
    """
    import country_converter as coco
    import pandas as pd

    topo = json.loads((src / "natural-earth-110m" / "world-atlas-countries-110m.json").read_text())
    (kx, ky), (dx, dy) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for ax_, ay_ in arc:
            x, y = x + ax_, y + ay_
            points.append([round(x * kx + dx, 2), round(y * ky + dy, 2)])
        arcs.append(points)

    def ring(indices):
        points = []
        for i in indices:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(part if not points else part[1:])
        return points

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    cc = coco.CountryConverter()
    rows = []
    for geom in topo["objects"]["countries"]["geometries"]:
        name = geom["properties"]["name"]
        polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        shape = {"type": "MultiPolygon", "coordinates": [[ring(r) for r in poly] for poly in polygons]}
        iso3 = OUTLINE_ISO3.get(name) or (cc.convert(int(geom["id"]), src="ISOnumeric", to="ISO3", not_found=None)
                                          if geom.get("id") else None)
        rows.append({"name": name, "iso3": iso3, "geometry": json.dumps(shape, separators=(",", ":"))})
    pd.DataFrame(rows).sort_values("name").to_csv(DATA / "world_outlines.csv", index=False)


def write_package() -> None:
    resources = []
    for spec in RESOURCES:
        path = DATA / spec["path"]
        if not path.exists():
            print(f"skipping {spec['name']}: {path} does not exist yet", file=sys.stderr)
            continue
        res = {**spec, "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
               "encoding": "utf-8", "bytes": path.stat().st_size, "hash": f"sha256:{sha256(path)}"}
        res["schema"] = {**spec["schema"], "missingValues": [""]}
        resources.append(res)
    package = {
        "profile": "tabular-data-package",
        "name": "military-alliances-course-data",
        "title": "Military Alliances and International Relations: course data",
        "description": "Alliance membership and military spending data for the open textbook. "
                       "Each resource carries its own licence (CC BY 4.0, COW or ATOP terms, public domain, or NATO's "
                       "attribution terms); the package-level licence covers the authors' own curation. "
                       "See data/README.md for the codebook, citations and licence terms.",
        "licenses": [CC_BY],
        "resources": resources,
    }
    (DATA / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n")


import curate_research  # noqa: E402  (the research kit's sources: tools/curate_research.py)

if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else "package"
    shared = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared" / "sources"
    if step == "sources":
        curate_sources(shared)
        curate_wdi(shared / "wdi-gdp-population")
        curate_nato(shared)
        curate_research.curate(shared)
    elif step == "research":  # python tools/curate_data.py research [SHARED_SOURCES_DIR]
        curate_research.curate(shared)
    elif step == "wdi":  # python tools/curate_data.py wdi [SHARED_SOURCES_DIR]
        curate_wdi(shared / "wdi-gdp-population")
    elif step == "nato":  # python tools/curate_data.py nato [SHARED_SOURCES_DIR] (needs openpyxl)
        curate_nato(shared)
    elif step != "package":
        sys.exit(__doc__)
    RESOURCES += curate_research.resources()
    write_package()
