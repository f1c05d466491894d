"""Forest plot of a meta-analysis: study effects with CIs, the pooled estimate and its prediction interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Polygon
from matplotlib.ticker import FuncFormatter

from cm_research.contract import require_columns
from cm_research.plots.findings import attach, forest_finding

__all__ = ["meta_forest_plot"]


def meta_forest_plot(
    studies: pd.DataFrame,
    summary: pd.DataFrame,
    *,
    label: str = "study",
    estimate: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    weight: str = "weight",
    exponentiate: bool = False,
    null: float | None = None,
    show_prediction: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot: one row per study (square sized by its weight, line for its CI), then the pooled
    estimate as a diamond spanning its CI, and its prediction interval as a line through the diamond.

    Takes ``MetaAnalysis.studies`` and ``MetaAnalysis.summary`` from
    :func:`cm_research.stats.meta.random_effects`. With `exponentiate`, effects on the log scale are
    shown as ratios on a log axis (null line at 1); otherwise the null line is at 0 (or `null`).
    The diamond has gid ``"pooled"``, the prediction-interval line gid ``"prediction"``.

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from cm_research.stats.meta import random_effects
    >>> res = random_effects([0.1, 0.3, 0.5], [0.02, 0.03, 0.01], studies=["A", "B", "C"])
    >>> ax = meta_forest_plot(res.studies, res.summary)
    """
    require_columns(studies, [label, estimate, ci_low, ci_high, weight], "meta_forest_plot")
    require_columns(summary, ["estimate", "ci_low", "ci_high", "pi_low", "pi_high", "method", "k"],
                    "meta_forest_plot")
    ax = plt.subplots(figsize=(7, 0.45 * len(studies) + 2))[1] if ax is None else ax
    f = np.exp if exponentiate else (lambda v: v)
    k = len(studies)
    y = np.arange(k, 0, -1) + 1.0
    est = f(studies[estimate].to_numpy(dtype=float))
    low, high = f(studies[ci_low].to_numpy(dtype=float)), f(studies[ci_high].to_numpy(dtype=float))
    w = studies[weight].to_numpy(dtype=float)
    ax.hlines(y, low, high, color="black", linewidth=1.2)
    sizes = 20 + 180 * w / np.nanmax(w)
    ax.scatter(est, y, marker="s", s=sizes, color="0.25", zorder=3)
    row = summary.iloc[0]
    mu, lo, hi = f(float(row["estimate"])), f(float(row["ci_low"])), f(float(row["ci_high"]))
    diamond = Polygon([[lo, 0.5], [mu, 0.8], [hi, 0.5], [mu, 0.2]], closed=True, color="tab:blue", gid="pooled")
    ax.add_patch(diamond)
    if show_prediction and np.isfinite(row["pi_low"]):
        ax.hlines(0.5, f(float(row["pi_low"])), f(float(row["pi_high"])), color="tab:blue", linewidth=1,
                  linestyle="-", gid="prediction", zorder=1)
    ax.axvline(1.0 if exponentiate and null is None else (null or 0.0), color="0.5", linestyle="--", linewidth=1)
    ax.set_yticks([*y, 0.5], [*map(str, studies[label]), f"Pooled ({row['method']}, k = {int(row['k'])})"])
    if exponentiate:
        ax.set_xscale("log")
        plain = FuncFormatter(lambda v, _: f"{v:g}")
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(plain)
    ax.set_xlabel("ratio (log scale)" if exponentiate else "effect size")
    ax.set_ylim(0, k + 1.8)
    shown = pd.DataFrame({label: [*studies[label], "pooled"], "estimate": [*est, mu], "ci_low": [*low, lo],
                          "ci_high": [*high, hi]})
    return attach(ax, forest_finding(studies, summary, label=label, estimate=estimate, ci_low=ci_low,
                                     ci_high=ci_high, exponentiate=exponentiate, null=null),
                  shown, kind="Forest plot")  # WCAG 1.1.1: the alt text says what the plot finds
