"""Figures of cm_research.plots.outcomes: they draw what the data hold and return the Axes."""

from __future__ import annotations

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402

from cm_research.plots.outcomes import forest_plot, group_comparison, paired_slopes, proportion_bars  # noqa: E402
from cm_research.stats import proportion_interval  # noqa: E402


@pytest.fixture(autouse=True)
def no_show_and_close(monkeypatch):
    def refuse():
        raise AssertionError("plotting functions must not call plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")


def slopes_data() -> pd.DataFrame:
    before = [24, 19, 28, 15, 22, 30]
    after = [19, 17, 19, 16, np.nan, 19]  # p04 has no post value
    ids = [f"p{i:02d}" for i in range(6)]
    return pd.DataFrame({"participant_id": ids * 2, "timepoint": ["baseline"] * 6 + ["post"] * 6,
                         "value": before + after})


def test_paired_slopes_one_line_per_young_person():
    fig, ax = plt.subplots()
    out = paired_slopes(slopes_data(), ax=ax)
    assert out is ax
    participant = [line for line in ax.get_lines() if line.get_gid() == "participant"]
    assert len(participant) == 5  # six young people, one without a post value
    for line in participant:
        assert list(line.get_xdata()) == [0.0, 1.0]
    ends = sorted(tuple(line.get_ydata()) for line in participant)
    assert ends == sorted([(24, 19), (19, 17), (28, 19), (15, 16), (30, 19)])
    mean = [line for line in ax.get_lines() if line.get_gid() == "mean"]
    assert len(mean) == 1 and list(mean[0].get_ydata()) == pytest.approx([np.mean([24, 19, 28, 15, 30]), 18.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["baseline", "post"]
    assert "1 without both values not shown" in ax.get_xlabel()


def test_paired_slopes_without_mean_makes_its_own_axes():
    ax = paired_slopes(slopes_data(), show_mean=False)
    assert isinstance(ax, plt.Axes)
    assert [line.get_gid() for line in ax.get_lines()].count("mean") == 0


def test_group_comparison_draws_every_participant():
    data = pd.DataFrame({"group": ["mentored"] * 5 + ["comparison"] * 4,
                         "attendance_pct": [91, 88, np.nan, 95, 84, 80, 79, 86, 90]})
    fig, ax = plt.subplots()
    assert group_comparison(data, "attendance_pct", order=["mentored", "comparison"], ax=ax) is ax
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in points) == 8
    assert [t.get_text() for t in ax.get_xticklabels()] == ["mentored", "comparison"]
    assert "1 missing not shown" in ax.get_ylabel()


def test_forest_plot_rows_and_intervals():
    results = pd.DataFrame({
        "measure": ["SDQ total", "attendance %", "suspensions"],
        "hedges_g": [-0.42, 0.18, np.nan],
        "hedges_g_ci_low": [-0.91, -0.30, np.nan],
        "hedges_g_ci_high": [0.07, 0.66, np.nan],
    })
    fig, ax = plt.subplots()
    forest_plot(results, estimate="hedges_g", ci_low="hedges_g_ci_low", ci_high="hedges_g_ci_high", ax=ax)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in points) == 2
    segments = [s for c in ax.collections if isinstance(c, LineCollection) for s in c.get_segments()]
    assert sorted((s[0][0], s[1][0]) for s in segments) == [(-0.91, 0.07), (-0.30, 0.66)]
    labels = dict(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())))
    assert labels == {2: "SDQ total", 1: "attendance %", 0: "suspensions (not estimable)"}  # first row on top
    assert sorted(c.get_offsets()[i][1] for c in points for i in range(2)) == [1, 2]
    null_lines = [line for line in ax.get_lines() if list(line.get_xdata()) == [0, 0]]
    assert len(null_lines) == 1


def test_forest_plot_ratio_scale():
    results = pd.DataFrame({"measure": ["RR"], "estimate": [0.5], "ci_low": [0.2], "ci_high": [1.3]})
    ax = forest_plot(results, null=1.0, log_scale=True)
    assert ax.get_xscale() == "log"


def test_proportion_bars_heights_and_wilson_limits():
    data = pd.DataFrame({"group": ["mentored"] * 10 + ["comparison"] * 10,
                         "eet": [1] * 9 + [0] + [1] * 3 + [0] * 7})
    fig, ax = plt.subplots()
    assert proportion_bars(data, "eet", ax=ax) is ax
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([0.9, 0.3])
    caps = [line for line in ax.get_lines() if len(line.get_ydata()) == 2]  # cap markers: low and high
    ys = sorted(np.round(np.concatenate([line.get_ydata() for line in caps]), 12).tolist())
    limits = pd.concat([proportion_interval(9, 10), proportion_interval(3, 10)])[["ci_low", "ci_high"]]
    expected = sorted(np.round(limits.to_numpy().ravel().astype(float), 12).tolist())
    assert ys == expected
    assert [t.get_text() for t in ax.texts] == ["9/10", "3/10"]
