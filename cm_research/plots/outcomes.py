"""Figures of outcome comparisons.

Each function takes long-form ``data=`` and column names, draws on the given
Axes (or a new one) and returns it; none calls ``plt.show()``, so a notebook
or report can compose them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.axes import Axes

from cm_research.plots.findings import attach
from cm_research.contract import require_columns
from cm_research.plots.bars import OUTLINE
from cm_research.stats.paired import pair_up
from cm_research.stats.proportions import proportion_table

__all__ = ["paired_slopes", "group_comparison", "forest_plot", "proportion_bars"]


def _axes(ax: Axes | None) -> Axes:
    return plt.subplots()[1] if ax is None else ax


def paired_slopes(
    data: pd.DataFrame,
    dv: str = "value",
    within: str = "timepoint",
    subject: str = "participant_id",
    before: object = "baseline",
    after: object = "post",
    *,
    show_mean: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Slope chart: one grey line per young person from `before` to `after`.

    Participants without both values are left out (as in
    :func:`cm_research.stats.paired_change`) and counted in the x-axis label.
    With `show_mean`, the mean of each timepoint is joined by a thick black
    line (gid ``"mean"``); participant lines have gid ``"participant"``.

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> df = pd.DataFrame({"participant_id": ["a", "b", "a", "b"],
    ...                    "timepoint": ["baseline", "baseline", "post", "post"],
    ...                    "value": [20, 15, 16, 14]})
    >>> ax = paired_slopes(df)
    """
    wide, n_dropped, _ = pair_up(data, dv, within, subject, before, after, "paired_slopes")
    ax = _axes(ax)
    long = wide.reset_index().melt(id_vars=subject, value_vars=[before, after], var_name="_timepoint", value_name=dv)
    long["_x"] = np.where(long["_timepoint"] == before, 0.0, 1.0)
    sns.lineplot(data=long, x="_x", y=dv, units=subject, estimator=None, color="0.55", alpha=0.7,
                 marker="o", linewidth=1, ax=ax, legend=False)
    for line in ax.get_lines():
        line.set_gid("participant")
    if show_mean:
        ax.plot([0, 1], [wide[before].mean(), wide[after].mean()], color="black", linewidth=3, marker="o",
                gid="mean", label="mean")
    ax.set_xticks([0, 1], [str(before), str(after)])
    ax.set_xlim(-0.25, 1.25)
    label = f"{within} ({len(wide)} young people"
    ax.set_xlabel(label + (f"; {n_dropped} without both values not shown)" if n_dropped else ")"))
    ax.set_ylabel(dv)
    from cm_research.plots.findings import slopes_finding

    name = "" if dv == "value" else dv  # long-form outcomes call every measure "value": say "The mean"
    return attach(ax, slopes_finding(wide[before], wide[after], name), kind="Slope chart")  # WCAG 1.1.1


def group_comparison(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    *,
    order: list | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Box plot of `dv` per group with every participant shown as a point.

    Rows with `dv` missing are not drawn; the y-axis label says how many.
    Outlier markers of the box plot are switched off because every point is
    already drawn.

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> df = pd.DataFrame({"group": ["mentored", "comparison"] * 3,
    ...                    "attendance_pct": [91, 84, 88, 80, 95, 86]})
    >>> ax = group_comparison(df, "attendance_pct")
    """
    require_columns(data, [dv, between], "group_comparison")
    ax = _axes(ax)
    shown = data.dropna(subset=[dv, between])
    order = list(pd.unique(shown[between])) if order is None else order
    sns.boxplot(data=shown, x=between, y=dv, order=order, showfliers=False, color="0.9", ax=ax)
    sns.stripplot(data=shown, x=between, y=dv, order=order, color="0.2", size=5, alpha=0.8, jitter=0.15, ax=ax)
    missing = len(data) - len(shown)
    ax.set_ylabel(dv + (f" ({missing} missing not shown)" if missing else ""))
    return ax


def forest_plot(
    results: pd.DataFrame,
    *,
    label: str = "measure",
    estimate: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    null: float = 0.0,
    log_scale: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot: one row per result, point estimate with its CI, and a line at `null`.

    Takes a results table (e.g. rows of `paired_change` or `compare_groups`
    for several measures); pass the effect-size columns to plot them, e.g.
    ``estimate="hedges_g", ci_low="hedges_g_ci_low", ci_high="hedges_g_ci_high"``.
    Use ``null=1, log_scale=True`` for ratios. Rows whose estimate is missing
    keep their label, marked "(not estimable)".

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> res = pd.DataFrame({"measure": ["SDQ total", "attendance %"],
    ...                     "estimate": [-0.4, 0.2], "ci_low": [-0.9, -0.3], "ci_high": [0.1, 0.7]})
    >>> ax = forest_plot(res)
    """
    require_columns(results, [label, estimate, ci_low, ci_high], "forest_plot")
    ax = _axes(ax)
    table = results.reset_index(drop=True)
    y = np.arange(len(table))[::-1]
    est = table[estimate].to_numpy(dtype=float)
    low, high = table[ci_low].to_numpy(dtype=float), table[ci_high].to_numpy(dtype=float)
    has_ci = np.isfinite(low) & np.isfinite(high)
    ax.hlines(y[has_ci], low[has_ci], high[has_ci], color="black", linewidth=1.5)
    has_est = np.isfinite(est)
    ax.scatter(est[has_est], y[has_est], marker="s", s=40, color="black", zorder=3)
    ax.axvline(null, color="0.5", linestyle="--", linewidth=1)
    names = [str(v) + ("" if ok else " (not estimable)") for v, ok in zip(table[label], has_est)]
    ax.set_yticks(y, names)
    if log_scale:
        ax.set_xscale("log")
    ax.set_xlabel(estimate)
    return attach(ax, data=table[[label, estimate, ci_low, ci_high]])


def proportion_bars(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    *,
    order: list | None = None,
    confidence: float = 0.95,
    ax: Axes | None = None,
) -> Axes:
    """Bars of the proportion with a binary outcome per group, with Wilson CIs.

    The proportions and intervals come from
    :func:`cm_research.stats.proportion_table`; each bar is labelled with
    events/n.

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> df = pd.DataFrame({"group": ["mentored"] * 4 + ["comparison"] * 4,
    ...                    "eet": [1, 1, 1, 0, 1, 0, 0, 1]})
    >>> ax = proportion_bars(df, "eet")
    """
    table = proportion_table(data, dv, between, confidence=confidence)
    if order is not None:
        present = set(table["group"])
        table = table.set_index("group").loc[[g for g in order if g in present]].reset_index()
    ax = _axes(ax)
    table["group"] = table["group"].astype(str)
    sns.barplot(data=table, x="group", y="estimate", order=list(table["group"]), color="0.75", errorbar=None,
                edgecolor=OUTLINE, linewidth=0.8, ax=ax)
    x = np.arange(len(table))
    est, low, high = (table[c].to_numpy(dtype=float) for c in ("estimate", "ci_low", "ci_high"))
    # Wilson limits at p = 0 or 1 can sit a rounding error inside the estimate; clip to keep yerr >= 0
    ax.errorbar(x, est, yerr=np.clip(np.vstack([est - low, high - est]), 0, None), fmt="none", ecolor="black", capsize=4,
                gid="wilson_ci")
    for xi, (events, n) in enumerate(zip(table["events"], table["n"])):
        ax.annotate(f"{events}/{n}", (xi, 0), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(between)
    ax.set_ylabel(f"proportion {dv} ({confidence:.0%} Wilson CI)")
    return ax
