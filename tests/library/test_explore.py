"""Explorers: a figure for the default state, redrawn when a control moves, a note for static pages."""

import matplotlib
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell

matplotlib.use("Agg")

from alliances import explore  # noqa: E402


@pytest.mark.parametrize("make,title", [
    (lambda: explore.enlargement("nato", 1999), "NATO membership"),
    (lambda: explore.spending(("USA", "RUS"), "world_share", (1950, 2022)), "Share of world military expenditure"),
    (lambda: explore.spending(("USA", "DEU"), "gdp_share", (1960, 2022)), "Military expenditure, 1960-2022"),
    (lambda: explore.burden("nato", 2024), "NATO: economic size and military burden, 2024"),
    (lambda: explore.burden("nato", 1985), "NATO: economic size and military burden, 1985"),
])
def test_default_figure_is_labelled(make, title):
    fig = make().figure()
    ax = fig.axes[0]
    assert ax.get_title(loc="left").startswith(title)
    assert ax.get_xlabel() and ax.get_ylabel() and fig._supxlabel.get_text().startswith("Source:")


def test_moving_a_control_redraws(monkeypatch):
    exp = explore.enlargement("nato", 1990)
    shown = []

    class Handle:
        def update(self, image):
            shown.append(image)

    exp._handle = Handle()
    exp.controls["year"].value = 2004
    assert len(shown) == 1 and shown[0].data.startswith(b"\x89PNG")
    note = exp.figure().axes[0].texts[0].get_text()
    assert note.startswith("26 members on 31 December 2004; joined in 2004: Bulgaria")


def test_static_rendering_has_a_note_and_a_figure():
    shell = InteractiveShell.instance()
    outputs = []
    monkey = shell.display_pub.publish
    shell.display_pub.publish = lambda data, **kw: outputs.append(data)
    try:
        explore.burden("csto", 2010)._ipython_display_()
    finally:
        shell.display_pub.publish = monkey
    assert "interactive controls" in outputs[0]["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]
    assert "image/png" in outputs[1]


def test_burden_table_members_and_values():
    """NATO from 2014: NATO's own shares (Iceland has none); before 2014 and other alliances: COW over WDI."""
    table = explore.burden_table("nato", 2024).set_index("iso3")
    assert len(table) == 32 and table["milex_gdp_pct"].notna().sum() == 31 and set(table["source"]) == {"NATO"}
    assert round(table.loc["POL", "milex_gdp_pct"], 2) == 4.12 and pd.isna(table.loc["ISL", "milex_gdp_pct"])
    old = explore.burden_table("nato", 1985)
    assert len(old) == 16 and old["milex_gdp_pct"].notna().sum() >= 14
    assert set(old["source"]) == {"COW NMC / World Bank"}
    csto = explore.burden_table("csto", 2022)
    assert csto["milex_gdp_pct"].notna().sum() >= 5


def test_burden_slider_reaches_the_last_nato_year():
    exp = explore.burden()
    assert exp.controls["year"].max == 2024 and exp.values() == {"alliance": "nato", "year": 2024}
    fig = exp.figure()
    legend = " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    assert "NATO" in fig._supxlabel.get_text() and "3.5%" in legend


def test_the_spending_explorers_year_range_is_shown_in_full():
    """The slider's own readout clipped "1990 – 2022" to "1990 – 202": a label shows the range."""
    exp = explore.spending(("USA", "RUS"), "milex_bn", (1990, 2022))
    span = exp.controls["years"]
    assert span.readout is False
    (label,) = exp.extras
    assert label.value == "1990 – 2022" and label.layout.width == "auto"
    span.value = (1816, 1914)
    assert label.value == "1816 – 1914"
    shell = InteractiveShell.instance()
    outputs = []
    monkey = shell.display_pub.publish
    shell.display_pub.publish = lambda data, **kw: outputs.append(data)
    try:
        exp._ipython_display_()
    finally:
        shell.display_pub.publish = monkey
    assert exp.box.children[-1] is label and exp.box.model_id in str(outputs[0])
