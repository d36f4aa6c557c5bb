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

__all__ = ["COLORS", "PALETTE", "BLOC_COLORS", "apply_style", "figure", "finish", "label_points"]

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


#: Where a point's label may go, in order of preference: (dx, dy) in points from the point.
_LABEL_OFFSETS = [(3, 2), (3, -2), (-3, 2), (-3, -2), (0, 5), (0, -5),
                  (6, 7), (6, -7), (-6, 7), (-6, -7), (10, 0), (-10, 0), (0, 11), (0, -11),
                  (12, 10), (12, -10), (-12, 10), (-12, -10), (0, 16), (0, -16)]


def label_points(ax, x, y, labels, *, fontsize: float = 7, marker_size: float = 3.0):
    """Label the points (x, y) of a scatter plot so that the labels overlap neither each other nor
    another point, where possible: each label takes the first free place around its point (right
    and above first); a label set apart from its point gets a thin leader line. Call it after
    :func:`finish` (the final layout); the labels do not move the layout. Returns the annotations.

    (A greedy placement, deterministic; no extra dependency such as adjustText.)
    """
    import numpy as np

    fig = ax.figure
    fig.canvas.draw()  # the final layout, so that positions in pixels are the ones shown
    renderer = fig.canvas.get_renderer()
    xy = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    pixels = ax.transData.transform(xy)
    scale = fig.dpi / 72  # pixels per point
    radius = marker_size * scale
    markers = [(px - radius, py - radius, px + radius, py + radius) for px, py in pixels]
    frame = ax.get_window_extent(renderer)
    placed, out = [], []

    def overlap(a, b):
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    order = sorted(range(len(xy)), key=lambda i: (-pixels[i][1], pixels[i][0]))
    for i in order:
        best = None
        for dx, dy in _LABEL_OFFSETS:
            far = abs(dx) > 4 or abs(dy) > 6
            note = ax.annotate(str(labels[i]), xy[i], xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                               ha="left" if dx > 0 else "right" if dx < 0 else "center",
                               va="bottom" if dy > 0 else "top" if dy < 0 else "center",
                               arrowprops={"arrowstyle": "-", "linewidth": 0.5, "color": "#777777",
                                           "shrinkA": 0, "shrinkB": radius / scale} if far else None)
            note.set_in_layout(False)
            box = note.get_window_extent(renderer).extents
            cost = sum(overlap(box, other) for other in placed) \
                + sum(overlap(box, m) for j, m in enumerate(markers) if j != i)
            outside = (max(0, frame.x0 - box[0]) + max(0, box[2] - frame.x1) + max(0, frame.y0 - box[1])
                       + max(0, box[3] - frame.y1)) * 10
            cost += outside
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, note, box)
            else:
                note.remove()
            if cost == 0:
                break
        placed.append(best[2])
        out.append(best[1])
    return out
