"""Diverging stacked bars: each item's bars cover 100 points, the neutral bar straddles zero, items are sorted."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib import pyplot as plt

from cm_research.plots.likert import LIKERT_COLOURS, diverging_stacked_bars, net_agreement_order


def _answers() -> pd.DataFrame:
    counts = {  # item -> answers 1..5
        "cost": [1, 1, 2, 2, 4],      # agreed most
        "info": [4, 2, 2, 1, 1],      # disagreed most
        "moves": [0, 2, 4, 2, 0],     # mostly neutral
    }
    rows = []
    for item, ns in counts.items():
        for level, n in zip(range(1, 6), ns):
            rows += [{"item": item, "response": level, "dont_know": False}] * n
    rows.append({"item": "info", "response": None, "dont_know": True})
    return pd.DataFrame(rows)


def _bars(ax, level):
    return [p for p in ax.patches if p.get_gid() == f"likert_level_{level}"]


def test_bars_add_to_100_and_neutral_is_centred():
    ax = diverging_stacked_bars(_answers(), labels={"cost": "Cost stops taking part"})
    try:
        by_row: dict[float, float] = {}
        for level in range(1, 6):
            for p in _bars(ax, level):
                by_row[round(p.get_y(), 6)] = by_row.get(round(p.get_y(), 6), 0) + p.get_width()
        assert list(by_row.values()) == pytest.approx([100, 100, 100])
        for p in _bars(ax, 3):
            assert p.get_x() == pytest.approx(-p.get_width() / 2)
        for level in (1, 2):
            assert all(p.get_x() + p.get_width() <= 1e-9 for p in _bars(ax, level))
        for level in (4, 5):
            assert all(p.get_x() >= -1e-9 for p in _bars(ax, level))
        # "moves": 2 of 8 answered 2 (25%), 4 neutral (50%): the disagree bar ends where the neutral half begins
        moves_y = [t.get_position()[1] for t in ax.get_yticklabels() if t.get_text().startswith("moves")][0]
        two = [p for p in _bars(ax, 2) if abs(p.get_y() + p.get_height() / 2 - moves_y) < 1e-9][0]
        assert (two.get_x(), two.get_width()) == (pytest.approx(-25 - 25), pytest.approx(25))
        assert [p.get_facecolor() for p in _bars(ax, 3)][0][:3] == pytest.approx(
            tuple(int(LIKERT_COLOURS[2][i:i + 2], 16) / 255 for i in (1, 3, 5)))
    finally:
        plt.close(ax.figure)


def test_items_sorted_by_net_agreement_with_n_in_labels():
    ax = diverging_stacked_bars(_answers(), labels={"cost": "Cost stops taking part"})
    try:
        labels = [t.get_text() for t in sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])]
        assert labels == ["Cost stops taking part (n=10)", "moves (n=8)", "info (n=10; 1 don't know)"]
        assert net_agreement_order(_answers()) == ["cost", "moves", "info"]
        assert ax.get_xlim()[0] == -ax.get_xlim()[1]
        assert ax.xaxis.get_major_formatter()(-40, 0) == "40%"
    finally:
        plt.close(ax.figure)


def test_draws_on_a_given_axes_in_a_given_order():
    fig, ax = plt.subplots()
    try:
        out = diverging_stacked_bars(_answers(), order=["info", "cost", "moves"], xmax=100, ax=ax, legend=False)
        assert out is ax and ax.get_xlim() == (-100, 100)
        top_down = [t.get_text().split(" ")[0] for t in sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])]
        assert top_down == ["info", "cost", "moves"]
        with pytest.raises(ValueError, match="needs 5 colours"):
            diverging_stacked_bars(_answers(), palette=["red"], ax=ax)
    finally:
        plt.close(fig)
