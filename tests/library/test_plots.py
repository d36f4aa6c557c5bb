"""The house style: labelled, sourced figures on an opaque white background."""

import matplotlib
import pytest

matplotlib.use("Agg")

from alliances import plots  # noqa: E402


def test_finish_labels_everything():
    fig, ax = plots.figure()
    ax.plot([1949, 2024], [12, 32], label="NATO")
    plots.finish(ax, title="NATO members", xlabel="Year", ylabel="Members (count)", source="data/membership.csv")
    assert ax.get_title(loc="left") == "NATO members"
    assert ax.get_xlabel() == "Year" and ax.get_ylabel() == "Members (count)"
    assert fig._supxlabel.get_text() == "Source: data/membership.csv"
    assert ax.get_legend() is not None
    matplotlib.pyplot.close(fig)


def test_finish_keeps_a_custom_legend_and_gives_years_whole_ticks():
    fig, ax = plots.figure()
    ax.plot([1995, 2000, 2005], [1, 2, 3], label="NATO")
    ax.legend(loc="upper left", fontsize=8)
    plots.finish(ax, title="t", xlabel="Year", ylabel="y", source="s")
    assert ax.get_legend()._loc == 2  # "upper left" kept, not replaced by a default legend
    fig.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("missing", ["title", "xlabel", "ylabel", "source"])
def test_finish_refuses_missing_labels(missing):
    fig, ax = plots.figure()
    labels = {"title": "t", "xlabel": "x", "ylabel": "y", "source": "s"}
    labels[missing] = " "
    with pytest.raises(ValueError, match=missing):
        plots.finish(ax, **labels)
    matplotlib.pyplot.close(fig)


def test_white_opaque_background_and_palette():
    plots.apply_style()
    rc = matplotlib.rcParams
    assert rc["figure.facecolor"] == "white" and rc["savefig.facecolor"] == "white"
    assert rc["savefig.transparent"] is False
    assert len(set(plots.PALETTE)) == len(plots.PALETTE) == 8
    assert plots.PALETTE[0] == "#0072B2"  # Okabe-Ito blue first
