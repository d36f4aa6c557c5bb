"""World maps in the house style: choropleths keyed by ISO3, and a membership map explorer.

Outlines are Natural Earth's 1:110m countries (``data/world_outlines.csv``, public domain),
drawn with matplotlib alone in the Equal Earth projection (Šavrič, Patterson & Jenny 2018): no
GIS library is needed, so the maps also run in JupyterLite. The outlines show **today's
borders**; a map of an earlier year says so in its title.

>>> from alliances import maps
>>> ax = maps.choropleth({"USA": "NATO", "RUS": "CSTO"}, title="Two alliances", legend_title="Alliance",
...                      source="data/membership.csv")
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch

from . import data, plots
from .explore import Explorer

__all__ = ["project", "choropleth", "figure", "membership_map", "explorer", "SEQUENTIAL", "NO_DATA", "REGIONS"]

#: Colour-blind-safe sequential colours for binned values (light to dark; cividis, sampled).
SEQUENTIAL = ["#FDE945", "#BCAF6F", "#7C7B78", "#48526B", "#00204D"]
#: Countries without a value.
NO_DATA = "#E4E4E4"
#: Longitude/latitude windows (west, east, south, north) for regional maps.
REGIONS = {"world": (-180, 180, -58, 84), "europe": (-25, 45, 34, 72), "euro-atlantic": (-130, 60, 10, 80)}
_BORDERS_SINCE = 1992  # the outlines' borders: after the USSR, Yugoslavia and Czechoslovakia broke up

# Equal Earth projection constants
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def project(lon, lat):
    """Equal Earth projection of longitude/latitude in degrees -> (x, y) on the unit sphere."""
    lam, phi = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    theta = np.arcsin(_M * np.sin(phi))
    t2, t6 = theta ** 2, theta ** 6
    x = lam * np.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


def _rings(region):
    """(iso3, projected ring) for every outer ring and hole of every country inside the window."""
    west, east, south, north = REGIONS[region] if isinstance(region, str) else region
    out = []
    for row in data.outlines().itertuples():
        if row.name == "Antarctica":  # Antarctica: no alliance member, and its ring runs along the pole
            continue
        for polygon in row.geometry["coordinates"]:
            for ring in polygon:
                pts = np.asarray(ring, dtype=float)
                # rings that cross the antimeridian (Russia, Fiji): unwrap, and draw a copy on each side
                pts[:, 0] = np.unwrap(pts[:, 0], period=360)
                shifts = [0] + ([-360] if pts[:, 0].max() > 180 else []) + ([360] if pts[:, 0].min() < -180 else [])
                for shift in shifts:
                    lon = pts[:, 0] + shift
                    if lon.max() < west or lon.min() > east or pts[:, 1].max() < south or pts[:, 1].min() > north:
                        continue
                    x, y = project(np.clip(lon, -180, 180), pts[:, 1])
                    out.append((row.iso3, np.column_stack([x, y])))
    return out, _extent(region)


def _extent(region):
    """Projected x and y of the window's corners and its widest parallel (the equator, or the
    latitude nearest to it)."""
    west, east, south, north = REGIONS[region] if isinstance(region, str) else region
    widest = min(max(0.0, south), north)
    return project([west, east, west, east, west, east, 0, 0], [south, south, north, north, widest, widest, south, north])


def _bin_labels(bins: Sequence[float], units: str) -> list[str]:
    return [f"{low:g}{units} or more" if math.isinf(high) else f"{low:g} to under {high:g}{units}"
            for low, high in zip(bins[:-1], bins[1:])]


def choropleth(values: Mapping[str, object] | pd.Series, *, title: str, legend_title: str, source: str,
               bins: Sequence[float] | None = None, units: str = "", colors: Mapping[str, str] | None = None,
               region="world", missing_label: str = "No data / not a member", ax=None):
    """Colour countries by ``values`` (ISO3 -> value) and label the map; returns the axes.

    Numeric values need ``bins`` (edges, e.g. ``[0, 1, 1.5, 2, 3.5, math.inf]``; each bin is
    "low to under high") and are coloured light to dark with :data:`SEQUENTIAL`; give ``units``
    (e.g. ``"% of GDP"``) for the legend. Categorical values (strings) take ``colors`` (category ->
    colour; default :data:`alliances.plots.PALETTE` in order of first appearance). Countries not in
    ``values`` are light grey, labelled ``missing_label``. ``legend_title`` and ``source`` are
    required, as in :func:`alliances.plots.finish`.
    """
    for label, value in (("title", title), ("legend_title", legend_title), ("source", source)):
        if not value or not str(value).strip():
            raise ValueError(f"choropleth() needs a non-empty {label}")
    values = pd.Series(values, dtype=object).dropna()
    unknown = sorted(set(values.index) - set(data.outlines()["iso3"].dropna()))
    if unknown:
        raise ValueError(f"no outline for ISO3 code(s) {unknown}")
    if bins is not None:
        numbers = pd.to_numeric(values, errors="raise").astype(float)
        if len(bins) - 1 > len(SEQUENTIAL):
            raise ValueError(f"at most {len(SEQUENTIAL)} bins")
        palette = SEQUENTIAL if len(bins) - 1 == len(SEQUENTIAL) else \
            [SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / max(len(bins) - 2, 1))] for i in range(len(bins) - 1)]
        index = np.digitize(numbers.to_numpy(), bins[1:-1], right=False)
        outside = (numbers < bins[0]) | (numbers >= bins[-1])
        if outside.any():
            raise ValueError(f"values outside the bins {bins[0]}..{bins[-1]}: {dict(numbers[outside])}")
        labels = _bin_labels(bins, f" {units}" if units and not units.startswith("%") else units)
        colour_of = {iso: palette[i] for iso, i in zip(numbers.index, index)}
        legend = list(zip(labels, palette))
    else:
        categories = list(dict.fromkeys(values.astype(str)))
        colors = dict(colors or {})
        spare = iter(c for c in plots.PALETTE if c not in colors.values())
        for category in categories:
            if category not in colors:  # draw a spare colour only when needed
                colors[category] = next(spare)
        colour_of = {iso: colors[str(v)] for iso, v in values.items()}
        legend = [(c, colors[c]) for c in categories]
    if ax is None:
        _, ax = figure(region)
    rings, (bx, by) = _rings(region)
    faces = [colour_of.get(iso, NO_DATA) for iso, _ in rings]
    ax.add_collection(PolyCollection([r for _, r in rings], facecolors=faces, edgecolors="white", linewidths=0.3))
    ax.set_xlim(min(bx), max(bx))
    ax.set_ylim(min(by), max(by))
    ax.set_aspect("equal")
    ax.set_axis_off()
    handles = [Patch(facecolor=c, edgecolor="#999999", label=l) for l, c in legend]
    handles.append(Patch(facecolor=NO_DATA, edgecolor="#999999", label=missing_label))
    where = {"loc": "lower left"} if region == "world" else {"loc": "upper left", "bbox_to_anchor": (1.01, 1)}
    ax.legend(handles=handles, title=legend_title, fontsize=8, title_fontsize=8.5, frameon=True,
              facecolor="white", edgecolor="#CCCCCC", **where)
    ax.set_title(title, loc="left")
    text = source if source.lower().startswith("source") else f"Source: {source}"
    plots.source_line(ax.figure, f"{text}. Outlines: Natural Earth 1:110m (today's borders).")
    return ax


def figure(region="world", width: float = 8):
    """A new figure and axes sized to the map of ``region`` (no empty band above or below it):
    the legend sits inside a world map and to the right of a regional one."""
    bx, by = _extent(region)
    aspect = (max(by) - min(by)) / (max(bx) - min(bx))
    map_width = width if region == "world" else width - 2.8
    return plots.figure(figsize=(width, max(3.2, round(map_width * aspect + 1.1, 1))))


def membership_map(alliances: Sequence[str] = ("nato", "csto"), year: int = 2025, region="world", ax=None):
    """Members of each alliance on 31 December ``year``, coloured by alliance (the first listed wins)."""
    table = data.alliances().set_index("alliance_id")
    day = f"{year}-12-31"
    values, colors = {}, {}
    for alliance in alliances:
        name = table.loc[alliance, "short_name"]
        colors[name] = plots.BLOC_COLORS.get(alliance, plots.PALETTE[len(colors) % len(plots.PALETTE)])
        for iso3 in data.members(alliance, on=day)["iso3"].dropna():
            values.setdefault(iso3, name)  # a state in two alliances takes the first listed
    drawn = set(data.outlines()["iso3"].dropna())
    values = {k: v for k, v in values.items() if k in drawn}
    title = f"Members on 31 December {year}"
    if year < _BORDERS_SINCE:
        title += " (drawn on today's borders)"
    return choropleth(values, title=title, legend_title="Alliance", colors=colors, region=region, ax=ax,
                      missing_label="Not a member", source="course data, data/membership.csv")


def _draw(alliance: str, year: int) -> plt.Figure:
    ax = membership_map((alliance,), year, region="world")
    return ax.figure


def explorer(alliance: str = "nato", year: int = 2024) -> Explorer:
    """Alliance picker and year slider -> a world map of the members on 31 December of that year."""
    options = [(r.short_name, r.alliance_id) for r in data.alliances().itertuples()
               if r.alliance_id in set(data.membership()["alliance_id"])]
    pick = widgets.Dropdown(options=options, value=alliance, description="Alliance")
    slider = widgets.IntSlider(value=year, min=1945, max=2025, description="Year", continuous_update=False)
    return Explorer("Alliance map explorer", {"alliance": pick, "year": slider}, _draw)
