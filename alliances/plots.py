"""The book's house plotting style.

Colour-blind-safe colours (Okabe & Ito 2008), an opaque white background so that
figures read in the web book's dark mode, and one call, :func:`finish`, that gives
every figure its title, axis labels with units and a "Source: ..." line.

>>> from alliances import plots
>>> fig, ax = plots.figure()
>>> _ = ax.plot([1949, 2024], [12, 32], color=plots.COLORS["blue"])
>>> plots.finish(ax, title="NATO members", xlabel="Year", ylabel="Members (count)",
...              source="data/membership.csv")
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib.ticker import MaxNLocator

__all__ = ["COLORS", "PALETTE", "BLOC_COLORS", "apply_style", "figure", "finish"]

#: Okabe-Ito palette, distinguishable with the common forms of colour blindness.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#7F7F7F",
}
#: Default colour order (yellow last, as it is weak on white).
PALETTE = [COLORS[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "black", "yellow")]
#: One fixed colour per alliance, used by every chapter.
BLOC_COLORS = {
    "nato": COLORS["blue"],
    "warsaw-pact": COLORS["vermillion"],
    "csto": COLORS["orange"],
    "five-eyes": COLORS["green"],
    "other": COLORS["grey"],
}

STYLE = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.figsize": (7.5, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "svg.hashsalt": "alliances",  # deterministic SVG ids
}


def apply_style() -> None:
    """Make the house style the default for all later figures."""
    plt.rcParams.update(STYLE)


def figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """A new figure and axes in the house style (``plt.subplots`` arguments pass through)."""
    apply_style()
    kwargs.setdefault("layout", "constrained")
    return plt.subplots(nrows, ncols, **kwargs)


def finish(ax, *, title: str, xlabel: str, ylabel: str, source: str, legend: bool | None = None):
    """Label a figure: title, axis labels (give units), and a source line under the plot.

    Raises ``ValueError`` if any label is empty, so no figure leaves without them. A legend is
    added when the plot has labelled artists and none was drawn yet; an x axis labelled "Year"
    gets whole-number ticks.
    """
    for label, value in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel), ("source", source)):
        if not value or not str(value).strip():
            raise ValueError(f"finish() needs a non-empty {label}")
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ax.get_legend() is None and (legend or (legend is None and ax.get_legend_handles_labels()[0])):
        ax.legend()
    if xlabel.strip().lower().startswith("year"):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    source_line(ax.figure, source if source.lower().startswith("source") else f"Source: {source}")
    return ax


def source_line(fig, text: str) -> None:
    """``text`` under the figure, wrapped to its width (supxlabel takes part in the constrained
    layout, so the line never overlaps the axes and is never cut off at the right)."""
    fig.supxlabel(textwrap.fill(text, max(40, int(fig.get_figwidth() * 13))), x=0.01, ha="left", fontsize=8,
                  color="#444444")
