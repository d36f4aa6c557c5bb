"""Load the course data in ``data/`` as tidy pandas DataFrames.

Every file is a resource of the Frictionless Data Package ``data/datapackage.json``;
its schema gives the column types and its ``hash`` the expected SHA-256, so a
missing or damaged file fails with a message that names the file and the fix.

>>> from alliances import data
>>> data.members("nato", on="1999-12-31").shape[0]
19
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .hashing import sha256

__all__ = [
    "DataError",
    "data_dir",
    "resource_names",
    "load",
    "alliances",
    "membership",
    "events",
    "members",
    "member_counts",
    "countries",
    "spending",
    "nato_spending",
    "nato_spending_totals",
    "wdi",
    "milex_gdp",
    "atop_alliances",
    "atop_members",
    "citation",
    "outlines",
]

#: Environment variable that points the loaders at another copy of ``data/``.
ENV_VAR = "ALLIANCES_DATA_DIR"

_FIX = (
    "Restore it from the course repository (for example `git checkout -- data/` "
    "in your clone, or download the repository again)."
)


class DataError(RuntimeError):
    """A data file is missing, damaged or asked for by a wrong name."""


def data_dir() -> Path:
    """The folder holding ``datapackage.json``.

    In order: ``$ALLIANCES_DATA_DIR``; the repository's ``data/`` beside the package (a clone
    or editable install); a ``data/`` folder in the working directory or one of its parents
    (e.g. JupyterLite, where the notebooks sit in ``book/``); the copy inside an installed
    package (``alliances/_data``: what a wheel or ``pip install`` carries, e.g. on JupyterHub).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        candidates = [Path(env)]
    else:
        here = Path.cwd().resolve()
        package = Path(__file__).resolve().parent
        candidates = [package.parent / "data"] + [folder / "data" for folder in (here, *here.parents)]
        candidates.append(package / "_data")
    for path in candidates:
        if (path / "datapackage.json").is_file():
            return path
    raise DataError(
        f"No data package found at {candidates[0] / 'datapackage.json'}. "
        f"The course data lives in the repository's data/ folder. {_FIX} "
        f"If you keep the data elsewhere, set {ENV_VAR} to that folder."
    )


@lru_cache(maxsize=None)
def _package(root: str) -> dict:
    with open(Path(root) / "datapackage.json", encoding="utf-8") as f:
        return json.load(f)


def _resource(name: str) -> dict:
    root = data_dir()
    for res in _package(str(root))["resources"]:
        if res["name"] == name:
            return res
    raise DataError(
        f"There is no data resource called {name!r}. "
        f"Available resources: {', '.join(resource_names())}."
    )


def resource_names() -> list[str]:
    """Names of all resources in the data package."""
    return [r["name"] for r in _package(str(data_dir()))["resources"]]


_PANDAS_TYPES = {"integer": "Int64", "number": "float64", "string": "string", "boolean": "boolean"}


@lru_cache(maxsize=None)
def _load_cached(root: str, name: str, mtime: float) -> pd.DataFrame:
    res = _resource(name)
    path = Path(root) / res["path"]
    if not path.is_file():
        raise DataError(f"The data file data/{res['path']} is missing. {_FIX}")
    expected = res.get("hash", "").removeprefix("sha256:")
    if expected and sha256(path) != expected:
        raise DataError(
            f"The data file data/{res['path']} has been changed or damaged "
            f"(its SHA-256 does not match data/datapackage.json). {_FIX}"
        )
    fields = res["schema"]["fields"]
    dtypes = {f["name"]: _PANDAS_TYPES[f["type"]] for f in fields if f["type"] in _PANDAS_TYPES}
    dates = [f["name"] for f in fields if f["type"] == "date"]
    # integers are parsed as floats by the fast C parser, then cast to nullable Int64 (which refuses
    # a non-whole number): parsing straight to Int64 is about ten times slower on the large files
    parse = {name: "float64" if kind == "Int64" else kind for name, kind in dtypes.items()}
    try:
        df = pd.read_csv(
            path,
            dtype=parse,
            keep_default_na=False,
            na_values=res["schema"].get("missingValues", [""]),
        ).astype({name: kind for name, kind in dtypes.items() if kind == "Int64"})
    except (ValueError, TypeError, pd.errors.ParserError) as err:
        raise DataError(f"The data file data/{res['path']} could not be read ({err}). {_FIX}") from err
    for col in dates:
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    return df


def load(name: str) -> pd.DataFrame:
    """Any resource of the data package by name, typed by its schema (a fresh copy)."""
    root = data_dir()
    res = _resource(name)
    path = root / res["path"]
    mtime = path.stat().st_mtime if path.exists() else -1.0
    return _load_cached(str(root), name, mtime).copy()


def citation(name: str) -> str:
    """The citation to give for a resource (its sources' titles, joined)."""
    return "; ".join(s["title"] for s in _resource(name).get("sources", []))


# --- Curated modern alliances -------------------------------------------------

def alliances() -> pd.DataFrame:
    """Curated alliances, 1945-2025: one row per alliance (``alliance_id``, ``name``, ``kind`` ...)."""
    return load("alliances")


def membership() -> pd.DataFrame:
    """Curated membership spells: one row per (alliance, country, joined); ``left`` empty = still in."""
    return load("membership")


def events() -> pd.DataFrame:
    """Dated events in the life of alliances (withdrawals from command, invocations, freezes)."""
    return load("membership_events")


def _check_alliance(alliance: str) -> None:
    known = sorted(alliances()["alliance_id"])
    if alliance not in known:
        raise DataError(f"Unknown alliance {alliance!r}. Use one of: {', '.join(known)}.")


def _active(spells: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Rows whose spell covers ``day``: joined on or before it and not yet left."""
    return (spells["joined"] <= day) & (spells["left"].isna() | (spells["left"] > day))


def _spells(alliance: str | list[str]) -> pd.DataFrame:
    ids = [alliance] if isinstance(alliance, str) else list(alliance)
    for one in ids:
        _check_alliance(one)
    spells = membership()
    return spells[spells["alliance_id"].isin(ids)]


def members(alliance: str | list[str], on: str | pd.Timestamp) -> pd.DataFrame:
    """Members of ``alliance`` (or of any alliance in a list) on the date ``on``.

    A member is a spell that began on or before ``on`` and had not yet ended; with a list,
    a state in several of the alliances has one row per alliance.
    """
    spells = _spells(alliance)
    active = spells[_active(spells, pd.Timestamp(on))]
    return active.sort_values(["joined", "country"]).reset_index(drop=True)


def member_counts(alliance: str, start: int, end: int) -> pd.Series:
    """Number of members of ``alliance`` on 31 December of each year from ``start`` to ``end``."""
    spells = _spells(alliance)
    years = range(start, end + 1)
    counts = [int(_active(spells, pd.Timestamp(f"{y}-12-31")).sum()) for y in years]
    return pd.Series(counts, index=pd.Index(years, name="year"), name="members")


# --- Countries and spending -----------------------------------------------------

def countries() -> pd.DataFrame:
    """Country identities: COW code, COW abbreviation, ISO3 and one display name."""
    return load("countries")


def spending() -> pd.DataFrame:
    """State-years from COW NMC v7.0: ``milex`` in thousands of current money, ``milper`` in thousands.

    ``milex`` is in British pounds for 1816-1913 and in US dollars from 1914 (NMC documentation):
    convert before comparing across 1913/1914.

    Adds ``iso3`` and ``country`` from :func:`countries`.
    """
    nmc = load("nmc")
    names = countries()[["cow_code", "iso3", "country"]]
    return nmc.merge(names, on="cow_code", how="left", validate="many_to_one")


def nato_spending() -> pd.DataFrame:
    """NATO's defence expenditure per ally and year, 2014-2024 (2023-2024 estimates), from NATO's tables.

    One row per current ally (``iso3``, ``cow_code``, ``country``) and year, also for years before
    it joined (``ally`` is False then); ``share_gdp_pct`` is NATO's share of real GDP (2015 prices),
    ``equipment_share_pct`` the share of spending on major equipment. Iceland (no armed forces)
    has GDP only. Columns and units: ``data/README.md``.
    """
    return load("nato_defence_expenditure")


def nato_spending_totals() -> pd.DataFrame:
    """NATO's own aggregates per year: ``group`` is "NATO Europe and Canada" or "NATO Total"."""
    return load("nato_defence_expenditure_totals")


def wdi() -> pd.DataFrame:
    """World Bank WDI country-years: ``gdp_usd`` (current US dollars, to 2023) and ``population`` (to 2024)."""
    return load("wdi")


def milex_gdp() -> pd.DataFrame:
    """Military expenditure as % of GDP for any state, 1960-2022: COW NMC ``milex`` over WDI ``gdp_usd``.

    Columns ``cow_code``, ``iso3``, ``country``, ``year``, ``milex`` (thousands of current US
    dollars), ``gdp_usd`` and ``milex_gdp_pct``. Both inputs are openly usable; the share is the
    book's computation, not SIPRI's or NATO's, and differs from NATO's definition (see the
    codebook's cross-check). For NATO allies from 2014 use :func:`nato_spending`.
    """
    nmc = spending()[["cow_code", "iso3", "country", "year", "milex"]].dropna(subset=["iso3"])
    gdp = wdi()[["iso3", "year", "gdp_usd"]]
    table = nmc.merge(gdp, on=["iso3", "year"], how="inner", validate="many_to_one")
    table["milex_gdp_pct"] = 100 * table["milex"] * 1000 / table["gdp_usd"]
    return table.sort_values(["cow_code", "year"]).reset_index(drop=True)


# --- Historical alliance data sets (dyad-years) -------------------------------------

def atop_alliances() -> pd.DataFrame:
    """ATOP v5.1 alliance obligations, directed dyad-years 1815-2018."""
    return load("atop_alliance_dyads")


def atop_members() -> pd.DataFrame:
    """ATOP v5.1 alliance members (treaty level), 1815-2018, with ``entered`` and ``exited`` dates.

    ``exited`` is empty (NaT) for members still in the alliance at the end of 2018; an unknown
    day of the month counts as the 1st.
    """
    members = load("atop_members")

    def date(year, month, day):
        parts = pd.DataFrame({"year": year, "month": month.clip(lower=1), "day": day.fillna(1).clip(lower=1)})
        return pd.to_datetime(parts.astype("int64"))

    members["entered"] = date(members["yrent"], members["moent"], members["dayent"])
    ongoing = members["yrexit"] == 0  # year 0: no exit date; any placeholder year is masked below
    members["exited"] = date(members["yrexit"].mask(ongoing, 2018), members["moexit"], members["dayexit"]).mask(ongoing)
    return members


@lru_cache(maxsize=1)
def outlines() -> pd.DataFrame:
    """Country outlines for maps (Natural Earth 1:110m, today's borders): name, iso3, geometry.

    ``geometry`` holds each outline as a GeoJSON MultiPolygon (a dict); see :mod:`alliances.maps`.
    """
    table = load("world_outlines")
    return table.assign(geometry=table["geometry"].map(json.loads))


# --- NATO Article 4 consultations (curated) ------------------------------------------

__all__ += ["article4_requests", "article4"]


def _names_by_iso3() -> pd.DataFrame:
    """One display name per ISO3 code for today's states: the curated membership table's name where it
    has one (e.g. "Russia", not COW's "Russia / USSR"), else the state-system name of the code's
    latest COW state (Germany, not West Germany)."""
    state = (countries().dropna(subset=["iso3"]).sort_values(["iso3", "last_year"])
             .drop_duplicates("iso3", keep="last").set_index("iso3")["country"])
    curated = membership().sort_values("joined").drop_duplicates("iso3", keep="last").set_index("iso3")["country"]
    names = curated.combine_first(state)
    return names.rename_axis("iso3").reset_index(name="country")


def article4_requests() -> pd.DataFrame:
    """Requests for consultations under Article 4 of the North Atlantic Treaty: one row per request.

    ``requested`` and ``meeting`` are dates; the requesting Allies are in :func:`article4`.
    """
    return load("article4_requests").sort_values("requested").reset_index(drop=True)


def article4() -> pd.DataFrame:
    """Article 4 requests in long form: one row per (request, requesting Ally), sorted by date.

    Columns: ``request_id``, ``requested``, ``meeting``, ``iso3``, ``country``, ``occasion``,
    ``source_title``, ``source_url``, ``verified``, ``note``. Count requests with
    ``df["request_id"].nunique()``, requesting Allies with ``df["iso3"].nunique()``.
    """
    allies = load("article4_requesters").merge(_names_by_iso3(), on="iso3", how="left", validate="many_to_one")
    df = allies.merge(load("article4_requests"), on="request_id", how="left", validate="many_to_one")
    cols = ["request_id", "requested", "meeting", "iso3", "country", "occasion",
            "source_title", "source_url", "verified", "note"]
    return df[cols].sort_values(["requested", "iso3"]).reset_index(drop=True)


# --- Defence pacts signed or ended since 2019 (curated) ---------------------------------

__all__ += ["recent_pacts", "recent_pact_parties", "recent_pacts_excluded", "pacts_in_force"]


def recent_pacts() -> pd.DataFrame:
    """Defence pacts signed since 1 January 2019: one row per pact, sorted by date of signature.

    ``signed``, ``in_force`` and ``ended`` are dates (``in_force`` empty where no source gave it).
    """
    return load("recent_pacts").sort_values(["signed", "pact_id"]).reset_index(drop=True)


def recent_pact_parties() -> pd.DataFrame:
    """Parties to the pacts in :func:`recent_pacts`: one row per (pact, party), with ``country`` and ``signed``."""
    parties = load("recent_pact_parties").merge(_names_by_iso3(), on="iso3", how="left", validate="many_to_one")
    pacts = load("recent_pacts")[["pact_id", "name", "signed", "in_force", "ended"]]
    df = parties.merge(pacts, on="pact_id", how="left", validate="many_to_one")
    return df.sort_values(["signed", "pact_id", "iso3"]).reset_index(drop=True)


def recent_pacts_excluded() -> pd.DataFrame:
    """Arrangements considered for :func:`recent_pacts` and left out, with ``reason_code`` and ``reason``."""
    return load("recent_pacts_excluded").sort_values("date").reset_index(drop=True)


def pacts_in_force(on: str | pd.Timestamp) -> pd.DataFrame:
    """Defence pacts concluded and not ended on ``on``: the curated alliances plus the recent pacts.

    One row per pact: ``pact_id``, ``name``, ``source`` ("alliances" or "recent_pacts"), ``signed`` and
    ``includes_usa`` (the United States a party on that day). A pact counts from its signature, as in
    ``membership.csv`` (founders join on the day the treaty is signed); ``in_force`` is not required,
    because the recent table leaves it empty where no source gave it.
    """
    day = pd.Timestamp(on)
    old = alliances()
    old = old[(old["kind"] == "defence pact") & (old["founded"] <= day) & (old["ended"].isna() | (old["ended"] > day))]
    usa_old = set(members(list(old["alliance_id"]), on=day).query("iso3 == 'USA'")["alliance_id"]) if len(old) else set()
    rows = [{"pact_id": a, "name": n, "source": "alliances", "signed": s, "includes_usa": a in usa_old}
            for a, n, s in zip(old["alliance_id"], old["name"], old["founded"])]
    new = recent_pacts()
    new = new[(new["signed"] <= day) & (new["ended"].isna() | (new["ended"] > day))]
    usa_new = set(load("recent_pact_parties").query("iso3 == 'USA'")["pact_id"])
    rows += [{"pact_id": p, "name": n, "source": "recent_pacts", "signed": s, "includes_usa": p in usa_new}
             for p, n, s in zip(new["pact_id"], new["name"], new["signed"])]
    return pd.DataFrame(rows, columns=["pact_id", "name", "source", "signed", "includes_usa"])
