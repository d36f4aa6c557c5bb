"""State-year and dyad-year panels for conflict and alliance research, by method chaining.

>>> from alliances import research as r
>>> panel = (r.dyad_years(1946, 2014)               # doctest: +SKIP
...          .pipe(r.add_atop).pipe(r.add_nmc).pipe(r.add_mids).pipe(r.add_peace_years))
>>> r.citations(panel)                               # doctest: +SKIP

Rules every function follows:

- **The unit comes from the key columns**: ``ccode``/``year`` is a state-year panel,
  ``ccode1``/``ccode2``/``year`` a dyad-year panel (pandas ``attrs`` do not survive merges, so they
  are not relied on). A dyad-year panel is *directed* unless every row has ``ccode1 < ccode2``;
  ``dyad_years`` leaves ``attrs["directed"]`` as a hint that wins while it survives.
- **Outside a source's years a value is missing (``<NA>``), never 0.** Inside them, 0 means the
  source records no such event for the unit. Each docstring says where its source ends.
- **Every join is validated**: the source side must be unique on the join keys (the check
  ``validate="many_to_one"`` makes; a :class:`pandas.errors.MergeError` otherwise).
- Functions return a new frame (a shallow copy with the new columns) and never change their input.
- Columns are small: codes ``int16``, flags and small codes nullable ``Int8``, counts ``Int16``.

Every column an adder makes is documented in :data:`alliances.research.registry.COLUMNS` (source,
unit, meaning); :func:`describe` and :func:`citations` read it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .. import data
from .registry import COLUMNS, MILLER2022, SOURCES, column_info

__all__ = [
    "state_years", "dyad_years", "add_atop", "add_nmc", "add_mids", "add_wars", "add_conflicts",
    "add_contiguity", "add_distance", "add_majors", "add_democracy", "add_gdp_pop", "add_rivalries",
    "add_peace_years", "add_memberships", "politically_relevant", "citations", "describe", "unit",
    "gw_to_cow", "coverage",
]


# --- loading (through alliances.data: hash check, schema types), small dtypes, cached --------------

@lru_cache(maxsize=None)
def _table(name: str) -> pd.DataFrame:
    """A data resource with COW codes and years as int16 (read once per session; do not modify)."""
    df = data.load(name)
    for col in ("ccode", "ccode1", "ccode2", "year", "member", "gwcode", "gwno"):
        if col in df and df[col].notna().all():
            df[col] = df[col].astype("int16")
    return df


def coverage(source: str) -> tuple[int, int]:
    """First and last year a source covers in the panels, e.g. ``coverage("mid") == (1816, 2014)``."""
    return SOURCES[source]["first"], SOURCES[source]["last"]


# --- units and keys ---------------------------------------------------------------------------------

def unit(panel: pd.DataFrame) -> str:
    """``"dyad"`` (columns ccode1, ccode2, year) or ``"state"`` (ccode, year), from the key columns."""
    cols = set(panel.columns)
    if {"ccode1", "ccode2", "year"} <= cols:
        return "dyad"
    if {"ccode", "year"} <= cols:
        return "state"
    raise ValueError("A panel needs the key columns ccode, year (state-years) or ccode1, ccode2, year "
                     "(dyad-years): start from state_years() or dyad_years().")


def _directed(panel: pd.DataFrame) -> bool:
    """Directed unless every row has ccode1 < ccode2. ``dyad_years`` also leaves a hint in
    ``panel.attrs["directed"]`` (kept by filters such as ``query``, lost by merges), which wins when
    present: a directed panel filtered down to ccode1 < ccode2 rows stays directed."""
    hint = panel.attrs.get("directed")
    if hint is not None:
        return bool(hint)
    return not bool((panel["ccode1"] < panel["ccode2"]).all())


def _key(*cols) -> np.ndarray:
    """One int64 key from COW codes and a year (codes < 1000, years < 10000)."""
    if len(cols) == 2:
        return np.asarray(cols[0], dtype=np.int64) * 10_000 + np.asarray(cols[1], dtype=np.int64)
    return ((np.asarray(cols[0], dtype=np.int64) * 1000 + np.asarray(cols[1], dtype=np.int64)) * 10_000
            + np.asarray(cols[2], dtype=np.int64))


def _panel_key(panel: pd.DataFrame, side: str = "") -> np.ndarray:
    if side:
        return _key(panel[f"ccode{side}"], panel["year"])
    if unit(panel) == "dyad":
        return _key(panel["ccode1"], panel["ccode2"], panel["year"])
    return _key(panel["ccode"], panel["year"])


def _positions(panel_key: np.ndarray, source_key: np.ndarray, what: str) -> np.ndarray:
    """Row of the source for each panel row (-1: none). The source must be unique on its key."""
    index = pd.Index(source_key)
    if not index.is_unique:
        raise pd.errors.MergeError(f"{what}: the source is not unique on its keys (not a many-to-one join)")
    return index.get_indexer(panel_key)


_MASKED = {"Int8": (pd.arrays.IntegerArray, np.int8), "Int16": (pd.arrays.IntegerArray, np.int16),
           "Int32": (pd.arrays.IntegerArray, np.int32), "Int64": (pd.arrays.IntegerArray, np.int64),
           "Float32": (pd.arrays.FloatingArray, np.float32), "Float64": (pd.arrays.FloatingArray, np.float64)}


def _take(values, pos: np.ndarray, dtype: str, fill=None, missing: np.ndarray | None = None):
    """Source values at ``pos`` as a nullable array of ``dtype``: missing where the source value is
    missing, where ``missing`` is True, and where there is no source row (``pos`` -1) unless ``fill``."""
    kind, np_type = _MASKED[dtype]
    src = pd.Series(values).to_numpy(dtype=np.float64, na_value=np.nan)
    none = pos < 0
    got = src.take(np.where(none, 0, pos)) if len(src) else np.full(len(pos), np.nan)
    if fill is not None:
        got[none] = fill
        mask = np.isnan(got)
    else:
        mask = np.isnan(got) | none
    if missing is not None:
        mask |= missing
    got[mask] = 0
    return kind(got.astype(np_type, copy=False), mask)


def _outside(panel: pd.DataFrame, source: str) -> np.ndarray:
    first, last = coverage(source)
    year = panel["year"].to_numpy()
    return (year < first) | (year > last)


def _lookup(panel, source_df, source_key, columns, source, *, dtype="Int8", fill=None, suffix="", side=""):
    """``panel`` with ``columns`` of ``source_df`` joined by key (a new frame sharing the panel's
    columns, not copying them); NA outside the source's years."""
    pos = _positions(_panel_key(panel, side), source_key, f"{source} -> {columns}")
    outside = _outside(panel, source)
    new = {}
    for col in columns:
        dt = dtype[col] if isinstance(dtype, dict) else dtype
        new[col + suffix] = _take(source_df[col].to_numpy(), pos, dt, fill, outside)
    return _with(panel, new)


def _with(panel: pd.DataFrame, new: dict) -> pd.DataFrame:
    """A new frame: ``panel``'s columns (not copied) plus ``new`` (replacing any of the same name)."""
    clash = [c for c in new if c in panel.columns]
    keep = panel.drop(columns=clash) if clash else panel
    out = pd.concat([keep, pd.DataFrame(new, index=panel.index, copy=False)], axis=1, copy=False)
    out.attrs = dict(panel.attrs)
    return out


def _per_side(panel, fn):
    """Apply a state-level adder to a dyad panel once per side (columns suffixed 1 and 2)."""
    return fn(fn(panel, "1"), "2")


# --- builders ----------------------------------------------------------------------------------------

def _system(start: int, end: int, mry: bool) -> pd.DataFrame:
    """(ccode, year, first, last): state-years of the COW system, with the first and last day of
    membership within the year as month*100 + day (101 ... 1231)."""
    states = _table("cow_states")
    last = SOURCES["cow_states"]["last"]
    first_year = states["styear"].to_numpy(dtype=np.int64)
    last_year = states["endyear"].to_numpy(dtype=np.int64)
    if mry:  # carry states in the system at the end of 2016 forward (an assumption, not COW data)
        last_year = np.where(last_year == last, max(end, last), last_year)
    lo, hi = np.maximum(first_year, start), np.minimum(last_year, end)
    n = np.clip(hi - lo + 1, 0, None)
    rows = np.repeat(np.arange(len(states)), n)
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    year = np.repeat(lo, n) + offsets
    st_day = (states["stmonth"].fillna(1) * 100 + states["stday"].fillna(1)).to_numpy(dtype=np.int64)[rows]
    end_day = (states["endmonth"].fillna(12) * 100 + states["endday"].fillna(31)).to_numpy(dtype=np.int64)[rows]
    sy = pd.DataFrame({"ccode": states["ccode"].to_numpy(dtype=np.int16)[rows], "year": year.astype(np.int16),
                       "first": np.where(year == first_year[rows], st_day, 101).astype(np.int16),
                       "last": np.where(year == states["endyear"].to_numpy(dtype=np.int64)[rows], end_day, 1231)
                       .astype(np.int16)})
    # a state that left and re-entered in the same year: one row, from its first to its last day
    sy = sy.groupby(["ccode", "year"], as_index=False, sort=True).agg(first=("first", "min"), last=("last", "max"))
    return sy


def state_years(start: int = 1816, end: int = 2016, *, mry: bool = False) -> pd.DataFrame:
    """One row per member of the COW state system and year (columns ``ccode``, ``year``).

    A state counts in a year if it was a member for any part of it (as COW and peacesciencer
    count); a state that left the system (e.g. occupied) is absent in the years between its spells.
    COW's list ends on 31 December 2016: years after 2016 have no rows unless ``mry=True``, which
    carries the states in the system at the end of 2016 forward to ``end`` (peacesciencer's
    ``mry``; an assumption that nothing changed, not COW data).
    """
    if start > end:
        raise ValueError(f"start ({start}) is after end ({end})")
    return _system(start, end, mry)[["ccode", "year"]]


def dyad_years(start: int = 1816, end: int = 2016, *, directed: bool = True, mry: bool = False) -> pd.DataFrame:
    """Every pair of COW system members in each year (columns ``ccode1``, ``ccode2``, ``year``).

    ``directed=True``: each ordered pair once (USA-CAN and CAN-USA), n(n-1) rows in a year with n
    states. ``directed=False``: each unordered pair once, as ``ccode1 < ccode2``. Built by one cross
    join per year of :func:`state_years` (so entries, exits and gaps are respected; ``mry`` as there).
    Two states that were both members in a year but never on the same day (one left before the
    other entered) make no dyad-year, as in peacesciencer (its ``false_cow_dyads``).
    """
    sy = _system(start, end, mry)
    c1, c2, yy = [], [], []
    order = np.lexsort((sy["ccode"].to_numpy(), sy["year"].to_numpy()))  # regroup by year once
    codes, yrs = sy["ccode"].to_numpy()[order], sy["year"].to_numpy()[order]
    day0, day1 = sy["first"].to_numpy()[order], sy["last"].to_numpy()[order]
    years, first = np.unique(yrs, return_index=True)
    bounds = np.append(first, len(codes))
    for i, year in enumerate(years):
        sl = slice(bounds[i], bounds[i + 1])
        c, f, la = codes[sl], day0[sl], day1[sl]
        k = len(c)
        a, b = np.repeat(c, k), np.tile(c, k)
        keep = a != b if directed else a < b
        if (f > 101).any() or (la < 1231).any():  # someone entered or left this year: same-day overlap
            keep &= np.maximum(np.repeat(f, k), np.tile(f, k)) <= np.minimum(np.repeat(la, k), np.tile(la, k))
        c1.append(a[keep])
        c2.append(b[keep])
        yy.append(np.full(keep.sum(), year, dtype=np.int16))
    out = pd.DataFrame({"ccode1": np.concatenate(c1) if c1 else np.array([], np.int16),
                        "ccode2": np.concatenate(c2) if c2 else np.array([], np.int16),
                        "year": np.concatenate(yy) if yy else np.array([], np.int16)})
    out.attrs["directed"] = directed
    return out


# --- ATOP -----------------------------------------------------------------------------------------

_OBL = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]


@lru_cache(maxsize=None)
def _atop_nondirected() -> pd.DataFrame:
    """ATOP dyad-years with ccode1 < ccode2; each obligation the maximum over both directions, so an
    asymmetric pledge (only one state pledges) is kept whichever direction it runs."""
    d = _table("atop_alliance_dyads")
    lo = np.minimum(d["ccode1"], d["ccode2"])
    hi = np.maximum(d["ccode1"], d["ccode2"])
    nd = d[_OBL].astype("int8").assign(ccode1=lo, ccode2=hi, year=d["year"])
    return nd.groupby(["ccode1", "ccode2", "year"], as_index=False)[_OBL].max()


@lru_cache(maxsize=None)
def _atop_member_years() -> pd.DataFrame:
    """(atopid, member, year) for each year a state was a member of an ATOP alliance (member file;
    an exit year of 0 means still a member at the end of 2018)."""
    m = _table("atop_member_provisions")
    first = m["yrent"].to_numpy(dtype=np.int64)
    last = np.where(m["yrexit"].to_numpy(dtype=np.int64) == 0, 2018, m["yrexit"].to_numpy(dtype=np.int64))
    n = np.clip(last - first + 1, 0, None)
    off = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    my = pd.DataFrame({"atopid": np.repeat(m["atopid"].to_numpy(dtype=np.int32), n),
                       "member": np.repeat(m["member"].to_numpy(dtype=np.int16), n),
                       "year": (np.repeat(first, n) + off).astype(np.int16)})
    return my.drop_duplicates(ignore_index=True)  # phases repeat members


def _atop_provisions(panel, provisions):
    alliance = _table("atop_alliance_provisions").set_index("atopid")
    missing = [p for p in provisions if p not in alliance.columns]
    if missing:
        raise ValueError(f"Not ATOP alliance-level columns: {missing}. See data.load('atop_alliance_provisions').")
    my = _atop_member_years()
    prov = alliance[list(provisions)].astype("Float64")
    if unit(panel) == "state":
        sy = my.merge(prov, left_on="atopid", right_index=True, how="left", validate="many_to_one")
        agg = sy.groupby(["member", "year"]).agg(atop_alliances=("atopid", "nunique"),
                                                 **{f"atop_{p}": (p, "max") for p in provisions}).reset_index()
        key = _key(agg["member"], agg["year"])
        cols = ["atop_alliances", *[f"atop_{p}" for p in provisions]]
        dtype = {"atop_alliances": "Int16", **{f"atop_{p}": "Int16" for p in provisions}}
        return _lookup(panel, agg, key, cols, "atop", dtype=dtype, fill=0)
    pairs = my.merge(my, on=["atopid", "year"], suffixes=("1", "2"), validate="many_to_many")
    pairs = pairs[pairs["member1"] != pairs["member2"]]
    pairs = pairs.merge(prov, left_on="atopid", right_index=True, how="left", validate="many_to_one")
    agg = pairs.groupby(["member1", "member2", "year"]).agg(
        atop_shared=("atopid", "nunique"), **{f"atop_{p}": (p, "max") for p in provisions}).reset_index()
    key = _key(agg["member1"], agg["member2"], agg["year"])
    cols = ["atop_shared", *[f"atop_{p}" for p in provisions]]
    dtype = {"atop_shared": "Int16", **{f"atop_{p}": "Int16" for p in provisions}}
    return _lookup(panel, agg, key, cols, "atop", dtype=dtype, fill=0)


def add_atop(panel: pd.DataFrame, provisions: list[str] | None = None) -> pd.DataFrame:
    """ATOP v5.1 alliance obligations; **ATOP ends in 2018** (and starts in 1815): missing after 2018.

    Dyad-years: ``atop_alliance`` (1 if the pair is in ATOP's dyad file that year) and the five
    obligations ``atop_defense``, ``atop_offense``, ``atop_neutral``, ``atop_nonagg``,
    ``atop_consul``. Directed panels: ccode1's obligation toward ccode2, as in ATOP's directed
    file, where about 170 dyad-years carry only a one-way (asymmetric) pledge. Non-directed panels
    (ccode1 < ccode2): each obligation held by *either* state toward the other, so an asymmetric
    pledge is never dropped. ATOP's file also has 23 pairs-years (46 directed rows) in which
    neither state pledges anything to the other (their obligations run to third members):
    ``atop_alliance`` is 1 and the five obligations 0 there. State-years: ``atop_partners`` (number of states allied with) and each
    obligation = 1 if the state has it toward at least one state.

    ``provisions``: alliance-level ATOP columns (e.g. ``["milaid", "intcom", "base"]``, codes in the
    ATOP codebook) added as ``atop_<name>``: the highest value over the alliances in force that the
    two states share (dyads; plus ``atop_shared``, the number of such alliances) or that the state
    belongs to (states; plus ``atop_alliances``), from ATOP's member- and alliance-level files.
    """
    d = _table("atop_alliance_dyads")
    if unit(panel) == "state":
        agg = (d.assign(**{c: d[c].astype("int8") for c in _OBL}).groupby(["ccode1", "year"])
               .agg(atop_partners=("ccode2", "nunique"), **{c: (c, "max") for c in _OBL}).reset_index())
        out = _lookup(panel, agg, _key(agg["ccode1"], agg["year"]), ["atop_partners", *_OBL], "atop",
                      dtype={"atop_partners": "Int16", **{c: "Int8" for c in _OBL}}, fill=0)
    else:
        src = d if _directed(panel) else _atop_nondirected()
        src = src.assign(atop_alliance=1)
        out = _lookup(panel, src, _key(src["ccode1"], src["ccode2"], src["year"]), ["atop_alliance", *_OBL],
                      "atop", fill=0)
    if provisions:
        out = _atop_provisions(out, list(provisions))
    return out


# --- state-level measures ---------------------------------------------------------------------

def _state_measure(panel, table, columns, source, dtype="Float64"):
    def one(p, side=""):
        return _lookup(p, table, _key(table["ccode"], table["year"]), columns, source, dtype=dtype,
                       suffix=side, side=side)
    return one(panel) if unit(panel) == "state" else _per_side(panel, one)


def add_nmc(panel: pd.DataFrame) -> pd.DataFrame:
    """COW National Material Capabilities v7.0 (``milex``, ``milper``, ``irst``, ``pec``, ``tpop``,
    ``upop``, ``cinc``); **NMC ends in 2022**. Dyads get each column twice (``cinc1``, ``cinc2``).
    Missing values are NMC's own (−9 in the raw data). ``milex`` is in thousands of British pounds
    for 1816-1913 and of US dollars from 1914."""
    nmc = _table("nmc").rename(columns={"cow_code": "ccode"})
    nmc["ccode"] = nmc["ccode"].astype("int16")
    return _state_measure(panel, nmc, ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"], "nmc")


def add_democracy(panel: pd.DataFrame) -> pd.DataFrame:
    """Democracy scores from isard's ``cw_democracy``: ``euds``, ``aeuds`` (extended Unified Democracy
    Scores, re-estimated by Miller), ``polity2`` (Polity5, **ends 2018**) and ``v2x_polyarchy`` (V-Dem);
    **the table ends in 2025**. Dyads get ``euds1``, ``euds2`` ..."""
    return _state_measure(panel, _table("democracy"), ["euds", "aeuds", "polity2", "v2x_polyarchy"], "democracy",
                          dtype={"euds": "Float64", "aeuds": "Float64", "polity2": "Int8",
                                 "v2x_polyarchy": "Float64"})


def add_gdp_pop(panel: pd.DataFrame, sd: bool = True) -> pd.DataFrame:
    """SIMULATED GDP and population (Fariss et al. 2022; isard ``cw_gdppop``), **ending in 2019**:
    ``mrgdppc`` (GDP per capita, 2011 international dollars PPP), ``pwtrgdp`` (GDP, millions of
    2017 international dollars PPP), ``pwtpop`` (millions), with their simulation standard deviations
    (``sd_*``) unless ``sd=False``. These are model estimates, not observed national accounts."""
    cols = ["mrgdppc", "pwtrgdp", "pwtpop"]
    if sd:
        cols += ["sd_mrgdppc", "sd_pwtrgdp", "sd_pwtpop"]
    return _state_measure(panel, _table("gdp_pop_simulated"), cols, "gdp_pop")


@lru_cache(maxsize=None)
def _spell_years(name: str, source: str) -> pd.DataFrame:
    """(ccode, year) for each year of a COW spell table (states, majors), within the source's years."""
    t = _table(name)
    first, last = t["styear"].to_numpy(dtype=np.int64), t["endyear"].to_numpy(dtype=np.int64)
    n = last - first + 1
    off = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    out = pd.DataFrame({"ccode": np.repeat(t["ccode"].to_numpy(dtype=np.int16), n),
                        "year": (np.repeat(first, n) + off).astype(np.int16)})
    return out.drop_duplicates(ignore_index=True)


def add_majors(panel: pd.DataFrame) -> pd.DataFrame:
    """``cowmaj`` (dyads: ``cowmaj1``, ``cowmaj2``): 1 if a COW major power that year (for any part
    of it), 0 if not; **COW's list ends in 2016**: missing after (peacesciencer carries 2016 forward
    by default; this does not)."""
    majors = _spell_years("cow_majors", "cow_majors").assign(cowmaj=1)
    out = _state_measure(panel, majors, ["cowmaj"], "cow_majors", dtype="Int8")
    return _fill_zero(out, "cowmaj", "cow_majors")


def _fill_zero(panel, base, source):
    """0 instead of NA for rows inside the source's years (the source lists only positive cases)."""
    inside = ~_outside(panel, source)
    new = {}
    for col in [c for c in panel.columns if c in (base, base + "1", base + "2")]:
        values = panel[col].array.copy()
        values[inside & values.isna()] = 0
        new[col] = values
    return _with(panel, new)


# --- disputes, wars, conflicts --------------------------------------------------------------------

_MID_DYAD = ["dispnum", "sidea1", "sidea2", "orig1", "orig2", "hiact1", "hiact2", "hostlev1", "hostlev2",
             "fatality1", "fatality2", "hostlev", "fatality", "mindur", "maxdur", "recip"]


def add_mids(panel: pd.DataFrame, details: bool = True) -> pd.DataFrame:
    """COW Militarized Interstate Disputes 5.0; **MID 5.0 ends in 2014**: missing after.

    Dyad-years: ``cowmidonset`` (a MID between the two began this year), ``cowmidongoing``, and for
    directed panels ``cowmidinit`` (it began with ccode1 on side A, the side that took the first
    militarized action). With ``details``: the kept dispute's ``dispnum``, each state's side A,
    originator, highest action, hostility and fatality (suffix 1/2) and the dispute's ``hostlev``,
    ``fatality``, ``mindur``, ``maxdur``, ``recip`` (missing in dyad-years without a dispute).
    **When several disputes overlap in a dyad-year**, the data keep one, by peacesciencer's rule:
    a new onset over an ongoing dispute, then the highest fatality, highest hostility, longest
    duration, reciprocated, earliest start month; the onset and ongoing flags hold for the
    dyad-year whichever dispute is kept. Non-directed panels read the ccode1 < ccode2 direction
    (the file has both directions of every dyad-year). Dyads are "naive": any two states on
    opposite sides at the same time.

    State-years: ``cowmidonset`` / ``cowmidongoing`` = 1 if the state was on either side of a MID
    that began / was ongoing this year.
    """
    d = _table("cow_mid_dyad_years")
    if unit(panel) == "state":
        agg = (d.groupby(["ccode1", "year"])[["cowmidonset", "cowmidongoing"]].max().reset_index())
        return _lookup(panel, agg, _key(agg["ccode1"], agg["year"]), ["cowmidonset", "cowmidongoing"], "mid",
                       fill=0)
    src = d.assign(cowmidinit=(d["cowmidonset"] == 1) & (d["sidea1"] == 1))
    src["cowmidinit"] = src["cowmidinit"].astype("int8")
    flags = ["cowmidonset", "cowmidongoing"] + (["cowmidinit"] if _directed(panel) else [])
    key = _key(src["ccode1"], src["ccode2"], src["year"])
    out = _lookup(panel, src, key, flags, "mid", fill=0)
    if details:
        dtype = {c: "Int8" for c in _MID_DYAD} | {"dispnum": "Int16", "mindur": "Int32", "maxdur": "Int32"}
        out = _lookup(out, src, key, _MID_DYAD, "mid", dtype=dtype)
    return out


def add_wars(panel: pd.DataFrame) -> pd.DataFrame:
    """COW Inter-State War Data v4.0; **the data's domain ends in 2007** (rows run 1823-2003):
    missing after 2007. ``cowinterongoing`` (at war with each other / the state at war),
    ``cowinteronset`` (its participation began this year), ``cowinter_n`` (number of distinct wars).
    The raw dyad-years repeat when a pair fought several wars in a year or a war resumed; they are
    combined here (maximum of the flags, count of wars), so the panel keeps one row per dyad-year."""
    w = _table("cow_war_dyad_years")
    keys = ["ccode1", "ccode2", "year"] if unit(panel) == "dyad" else ["ccode1", "year"]
    agg = (w.groupby(keys).agg(cowinterongoing=("cowinterongoing", "max"), cowinteronset=("cowinteronset", "max"),
                               cowinter_n=("warnum", "nunique")).reset_index())
    if unit(panel) == "dyad" and not _directed(panel):
        agg = agg[agg["ccode1"] < agg["ccode2"]]  # the war file has both directions of every dyad-year
    key = _key(*[agg[k] for k in keys])
    return _lookup(panel, agg, key, ["cowinterongoing", "cowinteronset", "cowinter_n"], "wars",
                   dtype={"cowinterongoing": "Int8", "cowinteronset": "Int8", "cowinter_n": "Int8"}, fill=0)


def gw_to_cow(frame: pd.DataFrame, gw: str = "gwno", year: str = "year", to: str = "ccode") -> pd.DataFrame:
    """Convert Gleditsch-Ward codes to COW codes, year by year, with ``gw_cow_crosswalk``.

    The crosswalk is isard's GW-COW state-year panel as spells. Rows whose GW state-year has no COW
    counterpart are dropped. Differences after 1945: GW 260 (Germany from 1991) -> 255; GW 340
    (Serbia) -> 345; GW 678 (Yemen from 1991) -> 679; GW 970/971/972/973 -> 946/970/955/947.
    """
    cw = _table("gw_cow_crosswalk")
    n = (cw["last_year"] - cw["first_year"] + 1).to_numpy(dtype=np.int64)
    off = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    years = pd.DataFrame({"_gw": np.repeat(cw["gwcode"].to_numpy(dtype=np.int16), n),
                          "_year": (np.repeat(cw["first_year"].to_numpy(dtype=np.int64), n) + off).astype(np.int16),
                          to: np.repeat(cw["ccode"].to_numpy(dtype=np.int16), n)})
    left = frame.assign(_gw=frame[gw].astype("int16"), _year=frame[year].astype("int16"))
    out = left.merge(years, on=["_gw", "_year"], how="inner", validate="many_to_one")
    return out.drop(columns=["_gw", "_year"])


@lru_cache(maxsize=None)
def _ucdp_sides() -> pd.DataFrame:
    sides = gw_to_cow(_table("ucdp_conflict_sides"))
    conf = _table("ucdp_conflicts")[["conflict_id", "year", "type_of_conflict", "intensity_level"]]
    return sides.merge(conf, on=["conflict_id", "year"], how="left", validate="many_to_one")


def add_conflicts(panel: pd.DataFrame) -> pd.DataFrame:
    """UCDP/PRIO Armed Conflict Dataset v25.1 (state-based conflicts, 25+ battle-related deaths a
    year); **UCDP starts in 1946 and ends in 2024**: missing before and after.

    UCDP uses Gleditsch-Ward codes; they are converted to COW codes with :func:`gw_to_cow`
    (explicit, year by year). State-years: ``ucdp_conflict`` (primary party, side A or B),
    ``ucdp_interstate``, ``ucdp_intrastate`` (the government fighting an intrastate or
    internationalized intrastate conflict), ``ucdp_secondary`` (a supporting state), and
    ``ucdp_intensity`` (highest intensity, 0 none, 1 minor, 2 war). Dyad-years: ``ucdp_interstate``
    (the two states on opposite sides, primary or secondary, of an interstate conflict) and
    ``ucdp_intensity`` of those conflicts.
    """
    s = _ucdp_sides()
    if unit(panel) == "state":
        primary = s["side"].isin(["A", "B"])
        t = s.assign(ucdp_conflict=primary.astype("int8"),
                     ucdp_interstate=(primary & (s["type_of_conflict"] == "interstate")).astype("int8"),
                     ucdp_intrastate=((s["side"] == "A") & s["type_of_conflict"].isin(["intrastate", "II"]))
                     .astype("int8"),
                     ucdp_secondary=(~primary).astype("int8"),
                     ucdp_intensity=np.where(primary, s["intensity_level"].astype("float"), 0).astype("int8"))
        cols = ["ucdp_conflict", "ucdp_interstate", "ucdp_intrastate", "ucdp_secondary", "ucdp_intensity"]
        agg = t.groupby(["ccode", "year"])[cols].max().reset_index()
        return _lookup(panel, agg, _key(agg["ccode"], agg["year"]), cols, "ucdp", fill=0)
    inter = s[s["type_of_conflict"] == "interstate"].assign(team=lambda x: x["side"].str[0])
    pairs = inter.merge(inter, on=["conflict_id", "year"], suffixes=("1", "2"), validate="many_to_many")
    pairs = pairs[(pairs["team1"] != pairs["team2"]) & (pairs["ccode1"] != pairs["ccode2"])]
    agg = (pairs.groupby(["ccode1", "ccode2", "year"]).agg(ucdp_intensity=("intensity_level1", "max"))
           .reset_index().assign(ucdp_interstate=1))
    return _lookup(panel, agg, _key(agg["ccode1"], agg["ccode2"], agg["year"]),
                   ["ucdp_interstate", "ucdp_intensity"], "ucdp", fill=0)


# --- geography -------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _contiguity_years() -> pd.DataFrame:
    c = _table("cow_contiguity")
    first = c["stdate"].dt.year.to_numpy(dtype=np.int64)
    last = c["enddate"].dt.year.to_numpy(dtype=np.int64)
    n = last - first + 1
    off = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    y = pd.DataFrame({"ccode1": np.repeat(c["ccode1"].to_numpy(dtype=np.int16), n),
                      "ccode2": np.repeat(c["ccode2"].to_numpy(dtype=np.int16), n),
                      "year": (np.repeat(first, n) + off).astype(np.int16),
                      "conttype": np.repeat(c["conttype"].to_numpy(dtype=np.int8), n)})
    return y.groupby(["ccode1", "ccode2", "year"], as_index=False)["conttype"].min()  # closest type that year


def add_contiguity(panel: pd.DataFrame) -> pd.DataFrame:
    """COW Direct Contiguity v3.2; **ends in 2016**: missing after.

    Dyad-years: ``conttype``, the closest contiguity in force during the year: 1 land or river
    border, 2/3/4/5 separated by at most 12/24/150/400 miles of water, 0 not directly contiguous
    (COW warns the codes are not an ordinal scale). State-years: ``contig_land``, the number of
    system members the state borders by land that year.
    """
    cy = _contiguity_years()
    if unit(panel) == "state":
        sy = state_years(1816, 2016)
        land = cy[cy["conttype"] == 1]
        land = land[pd.Index(_key(land["ccode2"], land["year"])).isin(_key(sy["ccode"], sy["year"]))]
        agg = land.groupby(["ccode1", "year"]).size().rename("contig_land").reset_index()
        return _lookup(panel, agg, _key(agg["ccode1"], agg["year"]), ["contig_land"], "contiguity",
                       dtype="Int16", fill=0)
    return _lookup(panel, cy, _key(cy["ccode1"], cy["ccode2"], cy["year"]), ["conttype"], "contiguity", fill=0)


@lru_cache(maxsize=None)
def _capital_years() -> pd.DataFrame:
    """One capital per state and year: the spell in force at the end of the year (the latest one
    begun by 31 December)."""
    c = _table("capitals").sort_values(["ccode", "stdate"])
    first = c["stdate"].dt.year.to_numpy(dtype=np.int64)
    last = c["enddate"].dt.year.to_numpy(dtype=np.int64)
    n = last - first + 1
    off = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    y = pd.DataFrame({"ccode": np.repeat(c["ccode"].to_numpy(dtype=np.int16), n),
                      "year": (np.repeat(first, n) + off).astype(np.int16),
                      "lat": np.repeat(c["lat"].to_numpy(dtype=float), n),
                      "lng": np.repeat(c["lng"].to_numpy(dtype=float), n)})
    return y.drop_duplicates(["ccode", "year"], keep="last", ignore_index=True)


def add_distance(panel: pd.DataFrame) -> pd.DataFrame:
    """``capdist``: great-circle distance between the two capitals, km (dyad-years only), computed
    with the haversine formula (Earth radius 6,371 km) from ``capitals.csv``; **capitals end in
    2024**. The capital of a year is the one in force at its end. Minimum distances between borders
    are not provided (see the codebook)."""
    if unit(panel) != "dyad":
        raise ValueError("add_distance() needs a dyad-year panel (ccode1, ccode2, year)")
    cap = _capital_years()
    key = _key(cap["ccode"], cap["year"])
    p1 = _positions(_panel_key(panel, "1"), key, "capitals")
    p2 = _positions(_panel_key(panel, "2"), key, "capitals")
    lat, lng = np.radians(cap["lat"].to_numpy()), np.radians(cap["lng"].to_numpy())
    ok = (p1 >= 0) & (p2 >= 0) & ~_outside(panel, "capitals")
    a1, a2 = lat[p1[ok]], lat[p2[ok]]
    h = np.sin((a2 - a1) / 2) ** 2 + np.cos(a1) * np.cos(a2) * np.sin((lng[p2[ok]] - lng[p1[ok]]) / 2) ** 2
    dist = np.full(len(panel), np.nan, dtype=np.float32)
    dist[ok] = 2 * 6371.0 * np.arcsin(np.sqrt(h))
    capdist = pd.array(dist, dtype="Float32")
    capdist[~ok] = pd.NA
    return _with(panel, {"capdist": capdist})


# --- rivalries, memberships --------------------------------------------------------------------------

_RIV_TYPES = ["positional", "spatial", "ideological", "interventionary"]


@lru_cache(maxsize=None)
def _rivalry_years() -> pd.DataFrame:
    r = _table("strategic_rivalries")
    first = np.maximum(r["start"].to_numpy(dtype=np.int64), 1816)
    last = r["end"].to_numpy(dtype=np.int64)
    n = np.clip(last - first + 1, 0, None)
    off = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    y = pd.DataFrame({"ccode1": np.repeat(r["ccode1"].to_numpy(dtype=np.int16), n),
                      "ccode2": np.repeat(r["ccode2"].to_numpy(dtype=np.int16), n),
                      "year": (np.repeat(first, n) + off).astype(np.int16),
                      "rivalry_id": np.repeat(r["tssr_id"].to_numpy(dtype=np.int16), n),
                      **{f"rivalry_{t}": np.repeat(r[t].fillna(0).to_numpy(dtype=np.int8), n) for t in _RIV_TYPES}})
    return y.drop_duplicates(["ccode1", "ccode2", "year"], keep="first", ignore_index=True)


def add_rivalries(panel: pd.DataFrame) -> pd.DataFrame:
    """Strategic rivalries of Thompson, Sakuwa and Suhas (2021); **they end in 2020** (ongoing
    rivalries are recorded to 2020): missing after.

    Dyad-years: ``rivalry`` (0/1), ``rivalry_id`` and the type flags ``rivalry_positional``,
    ``rivalry_spatial``, ``rivalry_ideological``, ``rivalry_interventionary`` (missing if no rivalry).
    Rivalries are non-directed; in a directed panel both orders get them. State-years: ``rivalries``,
    the number of rivalries the state is in.
    """
    ry = _rivalry_years()
    both = pd.concat([ry, ry.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})], ignore_index=True)
    if unit(panel) == "state":
        agg = both.groupby(["ccode1", "year"]).size().rename("rivalries").reset_index()
        return _lookup(panel, agg, _key(agg["ccode1"], agg["year"]), ["rivalries"], "rivalries", dtype="Int8", fill=0)
    src = both.assign(rivalry=1)
    key = _key(src["ccode1"], src["ccode2"], src["year"])
    out = _lookup(panel, src, key, ["rivalry"], "rivalries", fill=0)
    return _lookup(out, src, key, ["rivalry_id", *[f"rivalry_{t}" for t in _RIV_TYPES]], "rivalries",
                   dtype={"rivalry_id": "Int16", **{f"rivalry_{t}": "Int8" for t in _RIV_TYPES}})


def add_memberships(panel: pd.DataFrame, alliances=("nato", "csto")) -> pd.DataFrame:
    """Yearly flags ``member_<alliance>`` from the book's curated membership spells (``membership.csv``):
    1 if the state was a member on 31 December of the year, else 0; **the curated table covers
    1945-2025**: missing outside. Dyads get ``member_nato1``, ``member_nato2``. Ids: ``data.alliances()``.
    """
    spells = data.membership()
    known = set(data.alliances()["alliance_id"])
    out = panel
    for alliance in alliances:
        if alliance not in known:
            raise ValueError(f"Unknown alliance {alliance!r}; use one of {sorted(known)}")
        s = spells[spells["alliance_id"] == alliance].dropna(subset=["cow_code"])
        rows = []
        for code, joined, left in zip(s["cow_code"], s["joined"], s["left"]):
            # a member on 31 December of year y: joined on or before it, left after it (as data.members)
            last = 2025 if pd.isna(left) else left.year - 1
            rows += [(int(code), y) for y in range(max(joined.year, 1945), min(last, 2025) + 1)]
        years = pd.DataFrame(rows, columns=["ccode", "year"]).drop_duplicates().assign(member=1)
        name = f"member_{alliance.replace('-', '_')}"

        def one(p, side=""):
            q = _lookup(p, years, _key(years["ccode"], years["year"]), ["member"], "memberships", fill=0,
                        suffix=side, side=side)
            return q.rename(columns={"member" + side: name + side})
        out = one(out) if unit(out) == "state" else _per_side(out, one)
    return out


# --- peace years, filters ----------------------------------------------------------------------------

def add_peace_years(panel: pd.DataFrame, event: str = "cowmidongoing", name: str = "peace_years") -> pd.DataFrame:
    """Peace years: for each unit-year, the number of consecutive years *before* it without ``event``
    (default: an ongoing MID; run :func:`add_mids` first), with their square and cube (``peace_years``,
    ``peace_years2``, ``peace_years3``) for the cubic polynomial of Carter and Signorino (2010, Political
    Analysis 18(3): 271-292).

    The convention is peacesciencer's (``add_peace_years``, which calls stevemisc's ``ps_btscs`` on
    ``cowmidongoing``; its column ``cowmidspell``): a unit's first year in the panel counts 0; a year
    after a year with the event counts 0; otherwise the previous year's count plus one. So an **onset
    year counts the peace years before it** (years since the last dispute ended, or since the unit entered
    the panel), not 0: with 0 in every onset year the polynomial would separate onsets perfectly in a
    logit. Years in which ``event`` is missing (outside the event source's years, e.g. after 2014 for
    MIDs) are missing and skipped, as peacesciencer drops them before counting. Units are dyads (as
    ordered in the panel, so a directed dyad counts separately from its reverse) or states. Counting is
    by row within a unit, like ``ps_btscs`` (a state's years out of the system do not break a spell).
    Vectorised: one sort and a cumulative maximum.
    """
    if event not in panel:
        raise ValueError(f"{event!r} is not in the panel: add it first (e.g. add_mids for cowmidongoing)")
    ev_all = panel[event].to_numpy(dtype="float", na_value=np.nan)
    rows = np.flatnonzero(~np.isnan(ev_all))  # peacesciencer counts only the rows where the event is known
    key = _panel_key(panel)[rows]  # (unit, year) as one int64: one sort
    order = rows[np.argsort(key, kind="stable")]
    values = np.full(len(panel), np.nan)
    if len(order):
        unit_key = np.sort(key, kind="stable") // 10_000
        ev = ev_all[order]
        idx = np.arange(len(order))
        new = np.empty(len(order), dtype=bool)
        new[0] = True
        np.not_equal(unit_key[1:], unit_key[:-1], out=new[1:])
        # the last row before this one that ends a spell: a row with the event, or (at a unit's first
        # row) the row before it; a unit's first row is larger than every earlier index, so the running
        # maximum restarts at each unit
        before = np.empty(len(order), dtype=np.int64)
        before[1:] = np.where(ev[:-1] != 0, idx[:-1], -1)
        before[new] = idx[new] - 1
        values[order] = idx - 1 - np.maximum.accumulate(before)
    mask = np.isnan(values)
    values[mask] = 0
    return _with(panel, {name: pd.arrays.IntegerArray(values.astype(np.int32), mask),
                         name + "2": pd.arrays.FloatingArray(values ** 2, mask.copy()),
                         name + "3": pd.arrays.FloatingArray(values ** 3, mask.copy())})


def politically_relevant(panel: pd.DataFrame) -> pd.DataFrame:
    """Keep the politically relevant dyad-years: directly contiguous (``conttype`` 1-5) or with at least
    one major power (the rule of peacesciencer's ``filter_prd``). Adds contiguity
    and majors if absent; dyad-years where either is missing (after 2016) are dropped."""
    if unit(panel) != "dyad":
        raise ValueError("politically_relevant() needs a dyad-year panel (ccode1, ccode2, year)")
    p = panel
    if "conttype" not in p:
        p = add_contiguity(p)
    if "cowmaj1" not in p:
        p = add_majors(p)
    keep = (p["conttype"] >= 1) | (p["cowmaj1"] == 1) | (p["cowmaj2"] == 1)
    return p[keep.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)


# --- documentation ----------------------------------------------------------------------------------

def describe(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per column of ``panel``: source, unit, meaning and the source's years (coverage)."""
    rows = []
    for col in panel.columns:
        info = column_info(col)
        if info is None:
            rows.append({"column": col, "source": None, "unit": None, "meaning": "not made by alliances.research",
                         "coverage": None})
            continue
        src, unit_, meaning = info
        first, last = coverage(src)
        rows.append({"column": col, "source": SOURCES[src]["name"], "unit": unit_, "meaning": meaning,
                     "coverage": f"{first}-{last}"})
    return pd.DataFrame(rows)


def citations(panel: pd.DataFrame) -> pd.DataFrame:
    """The references to cite for a panel, from the columns it has (so it survives merges).

    One row per reference: ``source``, ``reference`` (missing for a source that names none, e.g. the capitals behind ``capdist``), ``terms``, ``columns``. The COW state system
    (the panel's frame) and peacesciencer (Miller 2022, which compiled most of these files) are
    always listed.
    """
    used: dict[str, list[str]] = {}
    for col in panel.columns:
        info = column_info(col)
        if info:
            used.setdefault(info[0], []).append(col)
    used.setdefault("cow_states", [])
    rows = []
    for key, cols in used.items():
        for ref in SOURCES[key]["references"] or [None]:  # a source with no reference of its own stays listed
            rows.append({"source": SOURCES[key]["name"], "reference": ref, "terms": SOURCES[key]["terms"],
                         "columns": ", ".join(cols)})
    rows.append({"source": "peacesciencer (compilation of most of these data)", "reference": MILLER2022,
                 "terms": "GPL-2 (package)", "columns": ""})
    return pd.DataFrame(rows).drop_duplicates(["source", "reference"], ignore_index=True)


assert set(COLUMNS) >= {"atop_defense", "cinc", "cowmidonset", "conttype", "capdist", "peace_years"}
