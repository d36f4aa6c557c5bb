"""Where every column of a research panel comes from: source, unit, coverage.

:data:`SOURCES` holds one entry per data source (its years, the references to cite, the data
resources it is read from, licence terms); :data:`COLUMNS` maps each column an adder can put in a
panel to its source, unit and meaning. Dyad-year panels carry state-level columns twice, with
the suffix ``1`` (for ``ccode1``) and ``2`` (for ``ccode2``); :func:`column_info` strips it.
:func:`alliances.research.citations` and :func:`alliances.research.describe` read these tables,
so they answer from the columns a panel has (pandas ``attrs`` do not survive merges).
"""

from __future__ import annotations

import re

MILLER2022 = ('Miller, Steven V. 2022. "peacesciencer: An R Package for Quantitative Peace Science Research." '
              "Conflict Management and Peace Science 39(6): 755-779. doi:10.1177/07388942221077926")

#: One entry per source: ``first``/``last`` year the panels use it for (outside them: missing), the
#: data resources (``alliances.data.load`` names), the references, the terms.
SOURCES: dict[str, dict] = {
    "cow_states": {
        "name": "COW State System Membership v2016", "first": 1816, "last": 2016,
        "resources": ["cow_states"], "terms": "COW: cite",
        "references": ['Correlates of War Project. 2017. "State System Membership List, v2016." '
                       "https://correlatesofwar.org/data-sets/state-system-membership/"]},
    "cow_majors": {
        "name": "COW major powers v2016", "first": 1816, "last": 2016, "resources": ["cow_majors"],
        "terms": "COW: cite",
        "references": ['Correlates of War Project. 2017. "State System Membership List, v2016." '
                       "https://correlatesofwar.org/data-sets/state-system-membership/"]},
    "atop": {
        "name": "ATOP v5.1", "first": 1815, "last": 2018,
        "resources": ["atop_alliance_dyads", "atop_member_provisions", "atop_alliance_provisions"],
        "terms": "cite; not stated",
        "references": ['Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell, and Andrew G. Long. 2002. '
                       '"Alliance Treaty Obligations and Provisions, 1815-1944." International Interactions 28: '
                       "237-260."]},
    "nmc": {
        "name": "COW National Material Capabilities v7.0", "first": 1816, "last": 2022, "resources": ["nmc"],
        "terms": "COW: cite",
        "references": ['Singer, J. David, Stuart Bremer, and John Stuckey. 1972. "Capability Distribution, '
                       'Uncertainty, and Major Power War, 1820-1965." In Bruce Russett (ed.), Peace, War, and '
                       "Numbers. Beverly Hills: Sage, 19-48.",
                       'Singer, J. David. 1987. "Reconstructing the Correlates of War Dataset on Material '
                       'Capabilities of States, 1816-1985." International Interactions 14: 115-132.']},
    "mid": {
        "name": "COW Militarized Interstate Disputes 5.0", "first": 1816, "last": 2014,
        "resources": ["cow_mid_dyad_years", "cow_mid_disputes"], "terms": "COW: cite",
        "references": ["Palmer, Glenn, Roseanne W. McManus, Vito D'Orazio, Michael R. Kenwick, Mikaela Karstens, "
                       "Chase Bloch, Nick Dietrich, Kayla Kahn, Kellan Ritter, and Michael J. Soules. 2022. "
                       '"The MID5 Dataset, 2011-2014: Procedures, coding rules, and description." Conflict '
                       "Management and Peace Science 39(4): 470-482."]},
    "wars": {
        "name": "COW Inter-State War Data v4.0", "first": 1816, "last": 2007,
        "resources": ["cow_war_dyad_years"], "terms": "COW: cite",
        "references": ["Sarkees, Meredith Reid, and Frank Whelon Wayman. 2010. Resort to War: A Data Guide to "
                       "Inter-State, Extra-State, Intra-State, and Non-State Wars, 1816-2007. Washington, DC: "
                       "CQ Press."]},
    "ucdp": {
        "name": "UCDP/PRIO Armed Conflict Dataset v25.1", "first": 1946, "last": 2024,
        "resources": ["ucdp_conflicts", "ucdp_conflict_sides", "gw_cow_crosswalk"],
        "terms": "CC BY 4.0 (commonly stated; not verified)",
        "references": ["Gleditsch, Nils Petter, Peter Wallensteen, Mikael Eriksson, Margareta Sollenberg, and "
                       'Havard Strand. 2002. "Armed Conflict 1946-2001: A New Dataset." Journal of Peace '
                       "Research 39(5): 615-637.",
                       "Davies, Shawn, Therese Pettersson, Margareta Sollenberg, and Magnus Oberg. 2025. "
                       '"Organized violence 1989-2024, and the challenges of identifying civilian victims." '
                       "Journal of Peace Research 62(4): 1223-1240."]},
    "contiguity": {
        "name": "COW Direct Contiguity v3.2", "first": 1816, "last": 2016, "resources": ["cow_contiguity"],
        "terms": "COW: cite",
        "references": ["Stinnett, Douglas M., Jaroslav Tir, Philip Schafer, Paul F. Diehl, and Charles Gochman. "
                       '2002. "The Correlates of War Project Direct Contiguity Data, Version 3." Conflict '
                       "Management and Peace Science 19(2): 58-66."]},
    "capitals": {
        "name": "Capitals (peacesciencer's cow_capitals)", "first": 1816, "last": 2024, "resources": ["capitals"],
        "terms": "cite; not stated (coordinates: OpenStreetMap, ODbL)", "references": []},
    "democracy": {
        "name": "Democracy scores (isard cw_democracy: extended UDS, Polity5, V-Dem)", "first": 1816, "last": 2025,
        "resources": ["democracy"], "terms": "cite; not stated; V-Dem CC BY-SA 4.0 (commonly stated)",
        "references": ["Pemstein, Daniel, Stephen A. Meserve, and James Melton. 2010. \"Democratic Compromise: "
                       'A Latent Variable Analysis of Ten Measures of Regime Type." Political Analysis 18(4): '
                       "426-449.",
                       'Marquez, Xavier. 2016. "A Quick Method for Extending the Unified Democracy Scores." '
                       "doi:10.2139/ssrn.2753830",
                       "Marshall, Monty G. 2020. Polity5: Political Regime Characteristics and Transitions, "
                       "1800-2018. Dataset Users' Manual. Center for Systemic Peace.",
                       "Coppedge, Michael, et al. V-Dem Country-Year Dataset. Varieties of Democracy (V-Dem) "
                       "Project."]},
    "gdp_pop": {
        "name": "Simulated GDP and population (Fariss et al. 2022)", "first": 1816, "last": 2019,
        "resources": ["gdp_pop_simulated"], "terms": "cite; not stated",
        "references": ["Fariss, Christopher J., Therese Anders, Jonathan N. Markowitz, and Miriam Barnum. 2022. "
                       '"New Estimates of Over 500 Years of Historic GDP and Population Data." Journal of '
                       "Conflict Resolution 66(3): 553-591."]},
    "rivalries": {
        "name": "Strategic rivalries (Thompson, Sakuwa and Suhas 2021)", "first": 1816, "last": 2020,
        "resources": ["strategic_rivalries"], "terms": "cite; not stated",
        "references": ["Thompson, William R., Kentaro Sakuwa, and Prashant Hosur Suhas. 2021. Analyzing Strategic "
                       "Rivalries in World Politics: Types of Rivalry, Regional Variation, and "
                       "Escalation/De-escalation. Singapore: Springer."]},
    "memberships": {
        "name": "Curated alliance memberships (this book, data/membership.csv)", "first": 1945, "last": 2025,
        "resources": ["membership"], "terms": "CC BY 4.0 (the book's curation; a primary source per row)",
        "references": ["Military Alliances and International Relations: course data, data/membership.csv "
                       "(hand-curated; each row cites its primary source)."]},
}

_ATOP_OBL = {"defense": "defence", "offense": "offence", "neutral": "neutrality", "nonagg": "non-aggression",
             "consul": "consultation"}

#: column -> (source key, unit, meaning). State-level columns also appear in dyad panels as <name>1, <name>2.
COLUMNS: dict[str, tuple[str, str, str]] = {
    "ccode": ("cow_states", "COW code", "State (COW state system member this year)"),
    "ccode1": ("cow_states", "COW code", "First state of the dyad"),
    "ccode2": ("cow_states", "COW code", "Second state of the dyad"),
    "year": ("cow_states", "year", "Year"),
    "atop_alliance": ("atop", "0/1", "The two states share an ATOP alliance this year (either one pledges)"),
    **{f"atop_{k}": ("atop", "0/1", f"Dyads: ccode1 has a {v} obligation toward ccode2 (non-directed: either "
                                    f"state toward the other). States: the state has a {v} obligation toward "
                                    "at least one state") for k, v in _ATOP_OBL.items()},
    "atop_partners": ("atop", "count", "Number of states the state is allied with (ATOP dyad file)"),
    "atop_alliances": ("atop", "count", "Number of ATOP alliances (treaties) the state is a member of this year"),
    "atop_shared": ("atop", "count", "Number of ATOP alliances (treaties) both states are members of this year"),
    **{c: ("nmc", u, d) for c, u, d in [
        ("milex", "thousands of current GBP (1816-1913) / USD (from 1914)", "Military expenditure"),
        ("milper", "thousands", "Military personnel"), ("irst", "thousands of tons", "Iron and steel production"),
        ("pec", "thousands of coal-ton equivalents", "Primary energy consumption"),
        ("tpop", "thousands", "Total population"), ("upop", "thousands", "Urban population"),
        ("cinc", "share of system total (0-1)", "Composite Index of National Capability")]},
    "cowmidonset": ("mid", "0/1", "A MID between the two states (states: involving the state) began this year"),
    "cowmidongoing": ("mid", "0/1", "A MID between the two states (states: involving the state) was ongoing"),
    "cowmidinit": ("mid", "0/1", "A MID began this year with ccode1 on side A (the side that took the first "
                                 "militarized action); directed dyads only"),
    "dispnum": ("mid", "MID number", "The dispute kept for the dyad-year (see the codebook's rule)"),
    "sidea": ("mid", "0/1", "The state was on side A of the kept dispute"),
    "orig": ("mid", "0/1", "The state was an originator of the kept dispute"),
    "hiact": ("mid", "MID action code 0-21", "Highest action of the state in the kept dispute"),
    "hostlev_state": ("mid", "1-5", "Highest hostility level of the state in the kept dispute"),
    "fatality_state": ("mid", "0-6, -9 unknown", "Fatality level of the state in the kept dispute"),
    "hostlev": ("mid", "1 no militarized action ... 5 war", "Dispute-level highest hostility (kept dispute)"),
    "fatality": ("mid", "0 none ... 6 >999; -9 unknown", "Dispute-level fatality level (kept dispute)"),
    "mindur": ("mid", "days", "Dispute's minimum duration"), "maxdur": ("mid", "days", "Dispute's maximum duration"),
    "recip": ("mid", "0/1", "The kept dispute was reciprocated"),
    "cowinterongoing": ("wars", "0/1", "The two states were at war (states: the state was at war) this year"),
    "cowinteronset": ("wars", "0/1", "Their war participation (states: the state's) began this year"),
    "cowinter_n": ("wars", "count", "Number of distinct inter-state wars"),
    "ucdp_conflict": ("ucdp", "0/1", "The state was a primary party (side A or B) to a state-based armed conflict"),
    "ucdp_interstate": ("ucdp", "0/1", "States: primary party to an interstate conflict. Dyads: the two states were "
                                       "on opposite sides (primary or secondary) of an interstate conflict"),
    "ucdp_intrastate": ("ucdp", "0/1", "The state (government, side A) fought an intrastate or internationalized "
                                       "intrastate conflict"),
    "ucdp_secondary": ("ucdp", "0/1", "The state was a secondary (supporting) party to a conflict"),
    "ucdp_intensity": ("ucdp", "0 none, 1 minor (25-999 deaths), 2 war (1,000+)", "Highest intensity of those "
                                                                                  "conflicts this year"),
    "conttype": ("contiguity", "0 none, 1 land, 2-5 water up to 12/24/150/400 miles", "Closest direct contiguity "
                                                                                    "this year (not ordinal)"),
    "contig_land": ("contiguity", "count", "Number of system members the state borders by land or river"),
    "capdist": ("capitals", "km", "Great-circle distance between the capitals (computed, haversine, R = 6,371 km)"),
    "cowmaj": ("cow_majors", "0/1", "Major power (COW)"),
    **{c: ("democracy", u, d) for c, u, d in [
        ("euds", "latent scale", "Extended Unified Democracy Score (Miller's re-estimate)"),
        ("aeuds", "latent scale, 0 = average cut-point", "Adjusted extended UDS"),
        ("polity2", "-10 to 10", "Polity5 revised combined score (ends 2018)"),
        ("v2x_polyarchy", "0-1", "V-Dem electoral democracy index")]},
    **{c: ("gdp_pop", u, "SIMULATED: " + d) for c, u, d in [
        ("mrgdppc", "2011 int. dollars PPP", "real GDP per capita (Maddison-anchored), mean of simulations"),
        ("sd_mrgdppc", "2011 int. dollars PPP", "standard deviation of mrgdppc"),
        ("pwtrgdp", "millions of 2017 int. dollars PPP", "real GDP (PWT 10.0-anchored), mean"),
        ("sd_pwtrgdp", "millions of 2017 int. dollars PPP", "standard deviation of pwtrgdp"),
        ("pwtpop", "millions", "population (PWT-anchored), mean"),
        ("sd_pwtpop", "millions", "standard deviation of pwtpop")]},
    "rivalry": ("rivalries", "0/1", "The two states are strategic rivals this year"),
    "rivalry_id": ("rivalries", "tssr_id", "The rivalry's identifier"),
    "rivalries": ("rivalries", "count", "Number of strategic rivalries the state is in"),
    **{f"rivalry_{t}": ("rivalries", "0/1", f"The rivalry is {t}")
       for t in ("positional", "spatial", "ideological", "interventionary")},
    "peace_years": ("mid", "years", "Consecutive years without an ongoing MID before this year (peacesciencer's "
                                    "cowmidspell; counted from the unit's first year in the panel)"),
    "peace_years2": ("mid", "years squared", "peace_years squared"),
    "peace_years3": ("mid", "years cubed", "peace_years cubed"),
}


def column_info(column: str) -> tuple[str, str, str] | None:
    """(source, unit, meaning) of a panel column, or None if the kit did not make it.

    Handles the dyad suffixes (``cinc1`` -> ``cinc``), member flags (``member_nato``), ATOP provision
    columns (``atop_milaid``) and peace years counted for other events (``peace_years_...``).
    """
    if column in COLUMNS:
        return COLUMNS[column]
    base = re.sub(r"[12]$", "", column)
    if base in ("hostlev", "fatality"):  # hostlev1, fatality2: the state's, not the dispute's
        return COLUMNS[base + "_state"]
    if base in COLUMNS:
        return COLUMNS[base]
    if base.startswith("member_"):
        return ("memberships", "0/1", f"Member of {base.removeprefix('member_').upper()} on 31 December "
                                      "(curated membership spells)")
    if base.startswith("atop_"):
        return ("atop", "0/1 (or count)", f"ATOP provision {base.removeprefix('atop_')}: 1 if an alliance in force "
                                          "(shared by the two states / of the state) this year carries it")
    if column.startswith("peace_years"):
        return COLUMNS["peace_years"]
    return None
