"""The change figures draw what they promise: the no-change line, the reliable-change band of the right
width, the categories' colours, the phase change and phase medians."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from cm_research.plots.change import CATEGORY_COLOURS, phase_plot, phase_plots, pre_post_scatter

PEOPLE = pd.DataFrame({
    "baseline": [22, 15, 10, 18, np.nan],
    "post": [14, 13, 18, 16, 12],
    "reliable_change": ["reliable improvement", "no reliable change", "reliable deterioration",
                        "no reliable change", "no reliable change"],
})


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_pre_post_scatter_band_line_and_colours():
    ax = pre_post_scatter(PEOPLE, threshold=6.82, cutoff=17, better="lower")
    (line,) = by_gid(ax, "no_change")
    x, y = line.get_data()
    assert np.allclose(x, y)
    (band,) = by_gid(ax, "reliable_change_band")
    vertices = band.get_paths()[0].vertices
    # the band spans y = x - 6.82 to y = x + 6.82 at both ends
    for vx in (x[0], x[-1]):
        at = vertices[np.isclose(vertices[:, 0], vx)][:, 1]
        assert at.min() == pytest.approx(vx - 6.82) and at.max() == pytest.approx(vx + 6.82)
    assert len(by_gid(ax, "clinical_cutoff")) == 2
    points = ax.collections[-1]
    colours = {to_hex(c) for c in points.get_facecolors()}
    assert colours == {CATEGORY_COLOURS[c].lower() for c in PEOPLE["reliable_change"].unique()}
    assert len(points.get_offsets()) == 4  # the participant without a baseline is not drawn
    assert "1 without both values" in ax.get_title() and "lower is better" in ax.get_xlabel()
    plt.close("all")


def test_pre_post_scatter_threshold_from_attrs_or_an_error():
    people = PEOPLE.dropna().copy()
    people.attrs["reliable_change_threshold"] = 3.0
    ax = pre_post_scatter(people)
    (band,) = by_gid(ax, "reliable_change_band")
    v = band.get_paths()[0].vertices
    assert np.ptp(v[np.isclose(v[:, 0], v[0, 0])][:, 1]) == pytest.approx(6.0)
    with pytest.raises(ValueError, match="give `threshold`"):
        pre_post_scatter(PEOPLE)
    plt.close("all")


def test_phase_plot_marks_phase_change_and_medians():
    series = pd.DataFrame({"week": [1, 2, 3, 4, 5, 6, 7], "phase": list("AAABBBB"),
                           "value": [50, 60, 40, 80, 90, 70, 100]})
    ax = phase_plot(series.sample(frac=1, random_state=2))  # order of rows does not matter
    (change,) = by_gid(ax, "phase_change")
    assert change.get_xdata()[0] == pytest.approx(3.5)
    base, inter = by_gid(ax, "baseline")[0], by_gid(ax, "intervention")[0]
    assert list(base.get_xdata()) == [1, 2, 3] and list(inter.get_xdata()) == [4, 5, 6, 7]
    medians = sorted(seg[0][1] for coll in by_gid(ax, "phase_median") for seg in coll.get_segments())
    assert medians == [50.0, 85.0]
    plt.close("all")


def test_phase_plots_one_panel_per_series():
    series = pd.DataFrame({"case": ["Case 1"] * 4 + ["Case 2"] * 4, "measure": "goal_rating",
                           "week": [1, 2, 3, 4] * 2, "phase": list("AABB") * 2, "value": [1, 2, 5, 6, 3, 3, 3, 4]})
    fig = phase_plots(series, by=["case", "measure"])
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == ["Case 1, goal_rating", "Case 2, goal_rating"]
    plt.close("all")
