"""The research kit: state-year and dyad-year panels for conflict and alliance research.

Not imported by ``import alliances`` (it is only loaded when used)::

    from alliances import research as r
    panel = (r.dyad_years(1816, 2014)       # directed dyad-years from the COW state system
             .pipe(r.add_atop)              # ATOP 5.1 obligations (to 2018)
             .pipe(r.add_nmc)               # COW NMC 7.0 with CINC (to 2022)
             .pipe(r.add_mids)              # COW MID 5.0 onsets, initiation, hostility (to 2014)
             .pipe(r.add_contiguity)        # COW direct contiguity 3.2 (to 2016)
             .pipe(r.add_democracy)
             .pipe(r.add_peace_years))      # peace years before each year (peacesciencer), cubic terms
    r.describe(panel)                       # every column: source, unit, meaning, coverage
    r.citations(panel)                      # what to cite

Outside a source's years a value is missing, never 0. The panels are built in :mod:`.panels`;
the column and source registry is :mod:`.registry`; statistical wrappers are in
``alliances.research.inference`` (scipy, statsmodels; import it explicitly).
"""

from .panels import (add_atop, add_conflicts, add_contiguity, add_democracy, add_distance, add_gdp_pop,
                     add_majors, add_memberships, add_mids, add_nmc, add_peace_years, add_rivalries, add_wars,
                     citations, coverage, describe, dyad_years, gw_to_cow, politically_relevant, state_years, unit)
from .registry import COLUMNS, SOURCES

__all__ = ["state_years", "dyad_years", "add_atop", "add_nmc", "add_mids", "add_wars", "add_conflicts",
           "add_contiguity", "add_distance", "add_majors", "add_democracy", "add_gdp_pop", "add_rivalries",
           "add_peace_years", "add_memberships", "politically_relevant", "citations", "describe", "unit",
           "coverage", "gw_to_cow", "COLUMNS", "SOURCES"]
