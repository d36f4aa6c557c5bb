"""Maps: outlines resource, Equal Earth projection, choropleth house style, membership map explorer."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from alliances import data, maps, plots


def test_outlines_resource():
    outlines = data.outlines()
    assert len(outlines) == 177
    codes = outlines["iso3"].dropna()
    assert codes.is_unique and len(codes) == 175
    assert set(outlines.loc[outlines["iso3"].isna(), "name"]) == {"N. Cyprus", "Somaliland"}
    assert all(g["type"] == "MultiPolygon" for g in outlines["geometry"])
    nato = set(data.members("nato", on="2025-12-31")["iso3"])
    assert nato <= set(codes), f"NATO members without an outline: {nato - set(codes)}"


def test_equal_earth_projection():
    x, y = maps.project([0, 180, -180, 0, 0], [0, 0, 0, 90, -90])
    assert np.allclose([x[0], y[0]], 0)
    assert x[1] == pytest.approx(2.7066, abs=1e-4) and x[2] == pytest.approx(-2.7066, abs=1e-4)
    assert y[3] == pytest.approx(1.3173, abs=1e-4) and y[4] == pytest.approx(-1.3173, abs=1e-4)
    # equal area: a 10x10 degree cell has the same projected area at any longitude
    def cell(lon, lat):
        xs, ys = maps.project([lon, lon + 10, lon + 10, lon], [lat, lat, lat + 10, lat + 10])
        return 0.5 * abs(np.dot(xs, np.roll(ys, 1)) - np.dot(ys, np.roll(xs, 1)))
    assert cell(0, 40) == pytest.approx(cell(120, 40), rel=1e-9)


def test_no_ring_wraps_around_the_map():
    """Rings crossing the antimeridian (Russia, Fiji) are split, not drawn as a band across the map."""
    rings, (bx, _) = maps._rings("world")
    width = max(bx) - min(bx)
    assert max(r[:, 0].max() - r[:, 0].min() for _, r in rings) < width / 2


def test_choropleth_numeric_house_style():
    values = {"USA": 3.4, "POL": 4.1, "DEU": 2.1, "ITA": 1.5, "BEL": 1.3}
    ax = maps.choropleth(values, bins=[0, 1.5, 2, 3.5, math.inf], units="% of GDP", title="Spending",
                         legend_title="Military expenditure (% of GDP)", source="NATO", region="euro-atlantic")
    fig = ax.figure
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["0 to under 1.5% of GDP", "1.5 to under 2% of GDP", "2 to under 3.5% of GDP",
                      "3.5% of GDP or more", "No data / not a member"]
    assert ax.get_legend().get_title().get_text() == "Military expenditure (% of GDP)"
    assert ax.get_title(loc="left") == "Spending"
    assert "Source: NATO" in fig._supxlabel.get_text() and "today's borders" in fig._supxlabel.get_text()
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0) and fig.get_facecolor()[3] == 1.0
    faces = ax.collections[0].get_facecolors()
    assert len({tuple(f) for f in faces}) == 5  # four bins used + no data
    plt.close(fig)


def test_choropleth_categorical_and_errors():
    ax = maps.choropleth({"USA": "NATO", "RUS": "CSTO"}, title="t", legend_title="Alliance", source="s",
                         colors={"NATO": plots.BLOC_COLORS["nato"]})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["NATO", "CSTO", "No data / not a member"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="legend_title"):
        maps.choropleth({"USA": 1}, title="t", legend_title=" ", source="s", bins=[0, 2])
    with pytest.raises(ValueError, match="no outline"):
        maps.choropleth({"XXX": "a"}, title="t", legend_title="l", source="s")
    with pytest.raises(ValueError, match="outside the bins"):
        maps.choropleth({"USA": 5}, title="t", legend_title="l", source="s", bins=[0, 2])
    plt.close("all")


def test_membership_map_says_when_borders_are_anachronistic():
    ax = maps.membership_map(("nato", "warsaw-pact"), 1985)
    assert ax.get_title(loc="left") == "Members on 31 December 1985 (drawn on today's borders)"
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["NATO", "Warsaw Pact"]
    plt.close(ax.figure)
    ax = maps.membership_map(("nato",), 2024)
    assert "today's borders)" not in ax.get_title(loc="left")
    plt.close(ax.figure)


def test_map_explorer_redraws_when_the_year_moves():
    explorer = maps.explorer("nato", 1990)
    before = explorer.image().data
    explorer.controls["year"].value = 2024
    assert explorer.image().data != before
    explorer.controls["alliance"].value = "csto"
    assert explorer.values() == {"alliance": "csto", "year": 2024}


def test_choropleth_accepts_a_colour_for_every_category():
    """Six categories with six given colours: no spare colour is needed (regression: StopIteration)."""
    cats = ["a", "b", "c", "d", "e", "f"]
    isos = ["USA", "CAN", "FRA", "DEU", "POL", "FIN"]
    ax = maps.choropleth(dict(zip(isos, cats)), title="t", legend_title="l", source="s",
                         colors=dict(zip(cats, plots.PALETTE)), region="euro-atlantic")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:6] == cats
    plots.plt.close("all")


def test_world_map_is_not_cut_at_the_equator():
    # the map's x range must reach the antimeridian where the projection is widest (the equator):
    # Papua New Guinea, New Zealand and Hawaii lie beyond the corners' longitudes
    ax = maps.choropleth({"PNG": "x"}, title="t", legend_title="l", source="s")
    x180, _ = maps.project(180, 0)
    assert ax.get_xlim()[1] >= x180 - 1e-9 and ax.get_xlim()[0] <= -x180 + 1e-9
    plt.close(ax.figure)
