"""Figures draw what their data say, on the Axes given, and cope with nothing coded."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from cm_research.plots.qual import plot_code_frequency, plot_cooccurrence, plot_theme_role

MATRIX = pd.DataFrame({
    "theme_label": ["Trust", "Trust", "Pride", "Pride"], "role": ["mentee", "vsh", "mentee", "vsh"],
    "n_participants": [1, 1, 2, 0], "n_role_participants": [2, 1, 2, 1], "share_participants": [0.5, 1.0, 1.0, 0.0],
})


def test_theme_role_heatmap_cells_and_labels():
    fig, ax = plt.subplots()
    out = plot_theme_role(MATRIX, ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.texts] == ["1/2", "1/1", "2/2", "0/1"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["mentee", "VSH"]
    cells = ax.collections[0].get_array()
    assert np.allclose(np.asarray(cells).ravel(), [0.5, 1.0, 1.0, 0.0])
    plt.close(fig)


def test_cooccurrence_heatmap_blanks_the_diagonal():
    data = pd.DataFrame({"code_a": ["a", "a", "b", "b"], "code_b": ["a", "b", "a", "b"], "n": [3, 1, 1, 2]})
    fig, ax = plt.subplots()
    plot_cooccurrence(data, ax=ax)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1"]
    plt.close(fig)


def test_code_frequency_bars_leave_out_unused_codes():
    data = pd.DataFrame({"code_label": ["A", "A", "B", "B"], "role": ["mentee", "vsh", "mentee", "vsh"],
                         "share_participants": [0.5, 1.0, 0.0, 0.0]})
    fig, ax = plt.subplots()
    plot_code_frequency(data, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A"]
    assert sorted(round(p.get_width(), 2) for p in ax.patches if p.get_width() > 0) == [0.5, 1.0]
    plt.close(fig)


def test_empty_data_says_so():
    fig, ax = plt.subplots()
    plot_theme_role(MATRIX.iloc[0:0], ax=ax)
    assert ax.texts[0].get_text() == "nothing coded"
    plt.close(fig)


def test_cooccurrence_without_pairs_says_so():
    fig, ax = plt.subplots()
    plot_cooccurrence(pd.DataFrame({"code_a": ["a", "b"], "code_b": ["a", "b"], "n": [3, 2]}), ax=ax)
    assert ax.texts[0].get_text() == "no two codes were applied together"
    plt.close(fig)


def test_the_old_module_still_gives_the_figures_with_a_warning():
    from cm_research import qual
    from cm_research.deprecation import CMResearchDeprecationWarning
    from cm_research.plots import qual as figures

    with pytest.warns(CMResearchDeprecationWarning, match="cm_research.plots.qual.plot_theme_role"):
        from cm_research.qual.plots import plot_theme_role
    assert plot_theme_role is figures.plot_theme_role and qual is not None
