"""Curate the course data into ``data/`` and write ``data/datapackage.json``.

Two steps, both re-runnable:

1. ``python tools/curate_data.py sources [SHARED_SOURCES_DIR]`` rebuilds the derived
   tables (countries, nmc, cow/atop dyad-years, ATOP members) from raw copies of public datasets
   (default ``../shared/sources``, each folder with a PROVENANCE.md).
   ``python tools/curate_data.py wdi DIR`` tidies the World Bank WDI API files in DIR.
2. ``python tools/curate_data.py package`` (also run at the end of step 1) writes the
   Frictionless descriptor: schemas from ``RESOURCES`` below, plus each file's size
   and SHA-256. Run it after editing any hand-curated CSV.

The hand-curated tables (alliances, membership, membership_events) are edited by
hand with one cited source per row; this script only describes and hashes them.
"""

from __future__ import annotations

import hashlib
import logging
import json
import sys
from pathlib import Path

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
SRC_COW_ALLIANCE = {"title": "Gibler, Douglas M. 2009. International Military Alliances, 1648-2008. CQ Press. "
                             "Correlates of War Formal Alliances v4.1 (dyad-years via peacesciencer, Miller 2022)",
                    "path": "https://correlatesofwar.org/data-sets/formal-alliances/"}
SRC_ATOP = {"title": "Leeds, Ritter, Mitchell and Long. 2002. Alliance Treaty Obligations and Provisions, "
                     "1815-1944. International Interactions 28: 237-60. ATOP v5.1 (dyad-years via "
                     "peacesciencer, Miller 2022)",
            "path": "http://www.atopdata.org/"}
SRC_ATOP_MEMBERS = {"title": "Leeds, Ritter, Mitchell and Long. 2002. Alliance Treaty Obligations and Provisions, "
                             "1815-1944. International Interactions 28: 237-60. ATOP v5.1 member-level file "
                             "(atop5_1m.csv; selected columns, values unchanged)",
                    "path": "http://www.atopdata.org/"}
SRC_WDI = {"title": "World Bank. World Development Indicators (last updated 2018-02-22): MS.MIL.XPND.GD.ZS "
                    "(source: SIPRI Military Expenditure Database), NY.GDP.MKTP.CD, SP.POP.TOTL",
           "path": "https://databank.worldbank.org/source/world-development-indicators"}
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
                f("milex", "number", "Military expenditure, thousands of current US dollars", minimum=0),
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
        "name": "cow_alliance_dyads",
        "path": "cow_alliance_dyads.csv",
        "title": "COW Formal Alliances v4.1, directed dyad-years 1816-2012",
        "description": "Each ordered pair of allied states and year, with the types of alliance "
                       "commitment between them (defence, neutrality, non-aggression, entente).",
        "sources": [SRC_COW_ALLIANCE],
        "licenses": [COW_TERMS],
        "schema": {
            "fields": [*DYAD_KEYS, *FLAGS("cow", ["defense", "neutral", "nonagg", "entente"])],
            "primaryKey": ["ccode1", "ccode2", "year"],
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
        "title": "World Bank WDI: military expenditure (% of GDP), GDP and population, 1960-2016",
        "description": "Country-years from the World Development Indicators (vintage of 22 February 2018): "
                       "MS.MIL.XPND.GD.ZS (military expenditure, % of GDP; World Bank from SIPRI), "
                       "NY.GDP.MKTP.CD (GDP, current US dollars) and SP.POP.TOTL (population). Countries "
                       "only (regional and income aggregates dropped).",
        "sources": [SRC_WDI],
        "licenses": [CC_BY],
        "schema": {
            "fields": [
                f("iso3", "string", "ISO 3166-1 alpha-3 (World Bank code)", required=True, pattern="[A-Z]{3}"),
                f("country", "string", "World Bank country name", required=True),
                f("year", "integer", "Year", required=True, minimum=1960, maximum=2016),
                f("milex_gdp_pct", "number", "Military expenditure, % of GDP (MS.MIL.XPND.GD.ZS)", minimum=0),
                f("gdp_usd", "number", "GDP, current US dollars (NY.GDP.MKTP.CD)", minimum=0),
                f("population", "number", "Population, total (SP.POP.TOTL)", minimum=0),
            ],
            "primaryKey": ["iso3", "year"],
        },
    },
]

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


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    for name, out in (("cow_alliance", "cow_alliance_dyads"), ("atop_alliance", "atop_alliance_dyads")):
        dyads = pd.read_csv(ps / f"{name}.csv")
        dyads.sort_values(["ccode1", "ccode2", "year"]).to_csv(DATA / f"{out}.csv", index=False)
    members = pd.read_csv(src / "atop-5.1-members" / "atop5_1m.csv")
    columns = [fld["name"] for spec in RESOURCES if spec["name"] == "atop_members" for fld in spec["schema"]["fields"]]
    members[columns].astype({c: "Int64" for c in columns if c != "version"}).to_csv(
        DATA / "atop_members.csv", index=False)
    curate_outlines(src)


WDI_FILES = {"milex_gdp_pct": "API_MS.MIL.XPND.GD.ZS_DS2_en_csv_v2.csv",
             "gdp_usd": "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.csv",
             "population": "API_SP.POP.TOTL_DS2_en_csv_v2.csv"}


def curate_wdi(src: Path) -> None:
    """Tidy the World Bank's wide API CSVs (one per indicator) into one country-year table."""
    import country_converter as coco
    import pandas as pd

    logging.getLogger("country_converter").setLevel(logging.ERROR)
    tables = []
    for column, name in WDI_FILES.items():
        wide = pd.read_csv(src / name, skiprows=4, encoding="utf-8-sig")
        long = wide.melt(id_vars=["Country Name", "Country Code"], value_vars=[c for c in wide if c.isdigit()],
                         var_name="year", value_name=column)
        tables.append(long.rename(columns={"Country Name": "country", "Country Code": "iso3"}))
    wdi = tables[0]
    for t in tables[1:]:
        wdi = wdi.merge(t, on=["country", "iso3", "year"], how="outer", validate="one_to_one")
    wdi["year"] = wdi["year"].astype(int)
    # keep countries: codes country_converter knows as ISO3 (drops WLD, EUU, HIC and other aggregates)
    wdi = wdi[wdi["iso3"].isin(set(coco.CountryConverter().data["ISO3"]))]
    wdi = wdi.dropna(subset=list(WDI_FILES), how="all").sort_values(["iso3", "year"])
    wdi[["iso3", "country", "year", *WDI_FILES]].to_csv(DATA / "wdi.csv", index=False)


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
                       "See data/README.md for the codebook, citations and licence terms.",
        "licenses": [CC_BY],
        "resources": resources,
    }
    (DATA / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else "package"
    if step == "sources":
        curate_sources(Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared" / "sources")
    elif step == "wdi":  # python tools/curate_data.py wdi DIR_WITH_THE_THREE_WORLD_BANK_CSVS
        curate_wdi(Path(sys.argv[2]))
    elif step != "package":
        sys.exit(__doc__)
    write_package()
