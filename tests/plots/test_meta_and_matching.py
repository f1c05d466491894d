"""The love plot and the meta-analysis forest plot draw what their tables say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt

from cm_research.plots.matching import love_plot
from cm_research.plots.meta import meta_forest_plot
from cm_research.stats.meta import random_effects


def test_love_plot_places_each_covariate_and_sample():
    balance = pd.DataFrame({"covariate": ["ks2", "attendance", "ks2", "attendance"],
                            "sample": ["before matching"] * 2 + ["after matching"] * 2,
                            "smd": [0.52, -0.31, 0.04, np.nan]})
    fig, ax = plt.subplots()
    assert love_plot(balance, ax=ax) is ax
    offsets = np.vstack([c.get_offsets() for c in ax.collections])
    assert sorted(np.round(offsets[:, 0], 2).tolist()) == [0.0, 0.04, 0.31, 0.52]  # |SMD|, missing at 0
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["ks2", "attendance (not estimable)"]
    assert [line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == "threshold"] == [0.1]
    plt.close(fig)


def test_forest_plot_draws_studies_pooled_diamond_and_prediction_interval():
    res = random_effects([0.1, 0.3, 0.5, -0.2], [0.02, 0.03, 0.01, 0.05], studies=list("ABCD"), scale="log")
    fig, ax = plt.subplots()
    assert meta_forest_plot(res.studies, res.summary, exponentiate=True, ax=ax) is ax
    diamond = [p for p in ax.patches if p.get_gid() == "pooled"][0]
    xs = diamond.get_xy()[:, 0]
    row = res.summary.iloc[0]
    assert (xs.min(), xs.max()) == pytest.approx((row["exp_ci_low"], row["exp_ci_high"]))
    pi = [c for c in ax.collections if c.get_gid() == "prediction"][0]
    assert pi.get_segments()[0][:, 0] == pytest.approx([row["exp_pi_low"], row["exp_pi_high"]])
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()][:4] == list("ABCD")
    plt.close(fig)
