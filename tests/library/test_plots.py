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


def test_label_points_keeps_crowded_labels_apart():
    """Issue #25: the labels of the catch-up scatter overlapped near 1% of GDP."""
    import numpy as np

    from alliances import plots

    rng = np.random.default_rng(0)
    x = np.r_[1.0 + rng.uniform(-0.08, 0.08, 8), 2.0, 3.0]
    y = np.r_[150 + rng.uniform(-15, 15, 8), 60, 30]
    names = ["LTU", "LVA", "HUN", "SVK", "BEL", "ESP", "CAN", "LUX", "POL", "USA"]
    fig, ax = plots.figure()
    ax.scatter(x, y)
    ax.set_xlim(0, 3.5)
    ax.set_ylim(0, 200)
    plots.finish(ax, title="t", xlabel="x (%)", ylabel="y (%)", source="Source: test")
    notes = plots.label_points(ax, x, y, names)
    renderer = fig.canvas.get_renderer()
    boxes = [n.get_window_extent(renderer) for n in notes]
    assert [n.get_text() for n in notes] and sorted(n.get_text() for n in notes) == sorted(names)
    clashes = [(a, b) for i, a in enumerate(notes) for j, b in enumerate(notes)
               if i < j and boxes[i].overlaps(boxes[j])]
    assert not clashes, [(a.get_text(), b.get_text()) for a, b in clashes]
    naive = []  # the old placement (every label up and to the right) overlaps here
    for name, px, py in zip(names, x, y):
        naive.append(ax.annotate(name, (px, py), xytext=(3, 2), textcoords="offset points", fontsize=7))
    naive_boxes = [n.get_window_extent(renderer) for n in naive]
    assert any(naive_boxes[i].overlaps(naive_boxes[j]) for i in range(8) for j in range(i + 1, 8))
    plots.plt.close(fig)
