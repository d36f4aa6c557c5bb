"""Interactive explorers (ipywidgets) that also read well in the static web book.

Each explorer shows its controls and, beside them, a static matplotlib figure of the current
state. In JupyterLab moving a control redraws the figure; in the web book (where widget
state is not saved) the controls are replaced by a one-line note and the figure for the
default settings is shown, so the page never has an empty box.

>>> from alliances import explore
>>> explore.enlargement("nato", year=1999)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from io import BytesIO

from IPython.display import Image, display

from . import data, plots

__all__ = ["Explorer", "enlargement", "spending", "burden"]


class Explorer:
    """Controls plus a figure redrawn from their values by ``draw(**values) -> Figure``."""

    def __init__(self, title: str, controls: dict[str, widgets.ValueWidget],
                 draw: Callable[..., plt.Figure], extras: tuple[widgets.Widget, ...] = ()):
        self.title = title
        self.controls = controls
        self.draw = draw
        self.extras = tuple(extras)  # shown after the controls (e.g. a readout), not passed to draw
        self._handle = None
        for control in controls.values():
            control.observe(self._redraw, names="value")

    def values(self) -> dict:
        return {name: c.value for name, c in self.controls.items()}

    def figure(self) -> plt.Figure:
        """The figure for the current control values (closed, so it is shown only once)."""
        fig = self.draw(**self.values())
        plt.close(fig)
        return fig

    def image(self) -> Image:
        """The current figure as a PNG image (shown the same way live and in the static book)."""
        buffer = BytesIO()
        self.figure().savefig(buffer, format="png")
        return Image(data=buffer.getvalue(), format="png")

    def _redraw(self, _change=None) -> None:
        if self._handle is not None:
            self._handle.update(self.image())

    def _ipython_display_(self) -> None:
        box = self.box = widgets.HBox([*self.controls.values(), *self.extras], layout=widgets.Layout(flex_flow="row wrap"))
        bundle = box._repr_mimebundle_()
        bundle["text/plain"] = (f"[{self.title}: interactive controls.]\n"
                                "[Open this page as a notebook (JupyterLab, Binder, Colab) to use them;]\n"
                                "[the figure below shows the default settings.]")
        display(bundle, raw=True)
        self._handle = display(self.image(), display_id=True)


# --- enlargement timeline ------------------------------------------------------------

def _draw_enlargement(alliance: str, year: int) -> plt.Figure:
    info = data.alliances().set_index("alliance_id").loc[alliance]
    start = int(info["founded"].year)
    end = int(info["ended"].year) if not _isna(info["ended"]) else 2025
    counts = data.member_counts(alliance, start, end)
    now = data.members(alliance, on=f"{year}-12-31")
    fig, ax = plots.figure()
    colour = plots.BLOC_COLORS.get(alliance, plots.COLORS["blue"])
    ax.step(counts.index, counts.values, where="post", color=colour, linewidth=2, alpha=0.35)
    upto = counts[counts.index <= year]
    ax.step(upto.index, upto.values, where="post", color=colour, linewidth=2.5)
    ax.plot([year], [len(now)], "o", color=colour)
    ax.set_ylim(0, max(counts.max(), 1) * 1.15)
    joined = now[now["joined"].dt.year == year]["country"].tolist()
    note = f"joined in {year}: {', '.join(joined)}" if joined else f"no state joined in {year}"
    ax.text(0.01, 0.97, f"{len(now)} members on 31 December {year}; {note}", transform=ax.transAxes,
            va="top", fontsize=8.5, wrap=True)
    plots.finish(ax, title=f"{info['short_name']} membership, {start}-{end}", xlabel="Year",
                 ylabel="Member states on 31 December (count)", source="course data, data/membership.csv")
    return fig


def _isna(value) -> bool:
    return value is None or value != value  # NaT and NaN are not equal to themselves


def enlargement(alliance: str = "nato", year: int = 2024) -> Explorer:
    """Year slider (and alliance picker) -> the alliance's membership up to that year."""
    table = data.alliances()
    options = [(row.short_name, row.alliance_id) for row in table.itertuples()]
    pick = widgets.Dropdown(options=options, value=alliance, description="Alliance")
    slider = widgets.IntSlider(value=year, min=1945, max=2025, description="Year", continuous_update=False)
    return Explorer("Alliance enlargement explorer", {"alliance": pick, "year": slider}, _draw_enlargement)


# --- spending comparison ----------------------------------------------------------------

MEASURES = {
    "milex_bn": ("Military expenditure (billions of current USD)", lambda d: d["milex"] / 1e6),
    "milex_per_capita": ("Military expenditure per person (current USD)",
                         lambda d: d["milex"] / d["tpop"]),
    "world_share": ("Share of world military expenditure (%)",
                    lambda d: 100 * d["milex"] / d.groupby("year")["milex"].transform("sum")),
    "gdp_share": ("Military expenditure (% of GDP)",
                  lambda d: d["milex_gdp_pct"]),
}


def _draw_spending(countries: tuple[str, ...], measure: str, years: tuple[int, int]) -> plt.Figure:
    label, compute = MEASURES[measure]
    table = data.spending()
    if measure == "gdp_share":
        table = table.merge(data.milex_gdp()[["cow_code", "year", "milex_gdp_pct"]], on=["cow_code", "year"],
                            how="left", validate="one_to_one")
    table["value"] = compute(table)
    chosen = table[table["iso3"].isin(countries) & table["year"].between(*years)]
    fig, ax = plots.figure()
    for iso3, rows in chosen.groupby("iso3"):
        ax.plot(rows["year"], rows["value"], label=rows["country"].iloc[0], linewidth=2)
    source = "COW National Material Capabilities v7.0 (data/nmc.csv)"
    if measure == "gdp_share":
        source += "; GDP: World Bank WDI NY.GDP.MKTP.CD (data/wdi.csv)"
    plots.finish(ax, title=f"{label.split(' (')[0]}, {years[0]}-{years[1]}", xlabel="Year", ylabel=label,
                 source=source)
    return fig


def spending(countries=("USA", "RUS", "CHN", "GBR", "FRA"), measure: str = "milex_bn",
             years: tuple[int, int] = (1950, 2022)) -> Explorer:
    """Countries, measure and year range -> lines of military expenditure (COW NMC, to 2022)."""
    names = data.countries().dropna(subset=["iso3"]).drop_duplicates("iso3")
    options = sorted((f"{r.country} ({r.iso3})", r.iso3) for r in names.itertuples())
    pick = widgets.SelectMultiple(options=options, value=tuple(countries), rows=6, description="Countries")
    what = widgets.Dropdown(options=[(v[0], k) for k, v in MEASURES.items()], value=measure, description="Measure")
    # The slider's own readout is too narrow for a range of two four-digit years (JupyterLab showed
    # "1990 – 202"): a label of its own width shows the range instead.
    span = widgets.IntRangeSlider(value=years, min=1816, max=2022, description="Years", continuous_update=False,
                                  readout=False)
    shown = widgets.Label(value=year_range_text(span.value), layout=widgets.Layout(width="auto"))
    span.observe(lambda change: setattr(shown, "value", year_range_text(change["new"])), names="value")
    return Explorer("Military spending explorer", {"countries": pick, "measure": what, "years": span},
                    _draw_spending, extras=(shown,))


def year_range_text(years: tuple[int, int]) -> str:
    """The readout of a year range, e.g. "1990 – 2022"."""
    return f"{years[0]} – {years[1]}"


# --- burden-sharing scatter ----------------------------------------------------------------

#: first and last year of the burden explorer: COW NMC over WDI GDP from 1960; NATO's tables to 2024
BURDEN_YEARS = (1960, 2024)
NATO_YEARS = (2014, 2024)


def burden_table(alliance: str, year: int):
    """Members of ``alliance`` at the end of ``year`` with GDP (current US$) and military burden (% of GDP).

    For NATO from 2014 the figures are NATO's own (:func:`alliances.data.nato_spending`); otherwise
    COW NMC spending over World Bank GDP (:func:`alliances.data.milex_gdp`, to 2022). Column
    ``source`` says which.
    """
    members = data.members(alliance, on=f"{year}-12-31")[["country", "cow_code", "iso3"]].drop_duplicates("iso3")
    if alliance == "nato" and NATO_YEARS[0] <= year <= NATO_YEARS[1]:
        nato = data.nato_spending().query("year == @year")
        values = pd.DataFrame({"iso3": nato["iso3"], "gdp_usd": nato["gdp_usd_mn"] * 1e6,
                               "milex_gdp_pct": nato["share_gdp_pct"]})
        table = members.merge(values, on="iso3", how="left", validate="one_to_one")
        table["source"] = "NATO"
    else:
        shares = data.milex_gdp().query("year == @year")[["cow_code", "gdp_usd", "milex_gdp_pct"]]
        table = members.merge(shares, on="cow_code", how="left", validate="one_to_one")
        table["source"] = "COW NMC / World Bank"
    return table.drop(columns="cow_code")


def _draw_burden(alliance: str, year: int) -> plt.Figure:
    full = burden_table(alliance, year)
    table = full.dropna(subset=["gdp_usd", "milex_gdp_pct"])
    fig, ax = plots.figure()
    colour = plots.BLOC_COLORS.get(alliance, plots.COLORS["blue"])
    ax.scatter(table["gdp_usd"] / 1e9, table["milex_gdp_pct"], color=colour, s=30)
    labelled = pd.concat([table.nlargest(5, "gdp_usd"), table.nlargest(1, "milex_gdp_pct")]).drop_duplicates("iso3")
    for row in labelled.itertuples():
        ax.annotate(row.country, (row.gdp_usd / 1e9, row.milex_gdp_pct), xytext=(4, 3),
                    textcoords="offset points", fontsize=8)
    ax.set_xscale("log")
    ax.axhline(2, color=plots.COLORS["vermillion"], linestyle="--", linewidth=1, label="2% of GDP")
    if alliance == "nato":
        ax.axhline(3.5, color=plots.COLORS["blue"], linestyle=":", linewidth=1,
                   label="3.5% of GDP (core defence, Hague target for 2035)")
        ax.legend(loc="lower right", fontsize=8, framealpha=1)
    if table.empty:
        ax.text(0.5, 0.5, f"no spending data for {year}", transform=ax.transAxes, ha="center")
    short = data.alliances().set_index("alliance_id").loc[alliance, "short_name"]
    if (full["source"] == "NATO").any():
        source = "NATO defence expenditure tables, 17 June 2024; 2023-24 estimates (data/nato_defence_expenditure.csv)"
        ylabel = "Defence spending (% of GDP, NATO)"
    else:
        source = "COW NMC v7.0 milex over World Bank GDP (data/nmc.csv, data/wdi.csv)"
        ylabel = "Military expenditure (% of GDP)"
    plots.finish(ax, title=f"{short}: economic size and military burden, {year}",
                 xlabel="GDP (billions of current US dollars, log scale)", ylabel=ylabel, source=source)
    return fig


def burden(alliance: str = "nato", year: int = 2024) -> Explorer:
    """Year slider (1960-2024) and alliance picker -> GDP vs % of GDP for each member.

    NATO from 2014: NATO's own figures; other alliances and years: COW NMC over World Bank GDP (to 2022).
    """
    options = [(r.short_name, r.alliance_id) for r in data.alliances().itertuples()
               if r.alliance_id in set(data.membership()["alliance_id"])]
    pick = widgets.Dropdown(options=options, value=alliance, description="Alliance")
    slider = widgets.IntSlider(value=year, min=BURDEN_YEARS[0], max=BURDEN_YEARS[1], description="Year",
                               continuous_update=False)
    return Explorer("Burden-sharing explorer", {"alliance": pick, "year": slider}, _draw_burden)
