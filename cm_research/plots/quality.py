"""Figures of data completeness."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from cm_research.plots.findings import PROTECTED, attach


def plot_completeness(missingness: pd.DataFrame, ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of the percentage recorded, measures down, timepoint x group across.

    ``missingness`` is the table from :func:`cm_research.quality.missingness`; cells suppressed for
    small numbers (``c``) are left blank, so the figure never shows what the table hides.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 1.3 * max(1, missingness[["timepoint", "group"]].drop_duplicates().shape[0]),
                                      1.2 + 0.45 * max(1, missingness["measure"].nunique())))
    if missingness.empty:
        ax.text(0.5, 0.5, "no outcome data", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    pct = pd.to_numeric(missingness["pct_recorded"], errors="coerce")  # suppressed cells ('c') stay blank
    grid = missingness.assign(column=missingness["timepoint"] + "\n" + missingness["group"], pct=pct).pivot(
        index="measure", columns="column", values="pct"
    )
    sns.heatmap(grid, vmin=0, vmax=100, cmap="viridis", annot=True, fmt=".0f", linewidths=0.5,
                cbar_kws={"label": "% recorded"}, ax=ax)
    ax.set_xlabel("timepoint and group")
    ax.set_ylabel("measure")
    ax.set_title("Outcome data recorded (%)")
    return attach(ax, completeness_finding(missingness), missingness)


def completeness_finding(missingness: pd.DataFrame) -> str:
    """The heat map's finding in words: the range of the percentage recorded over the cells shown, where it was
    lowest, and how many cells are not shown because a count in them is small (never the count)."""
    pct = pd.to_numeric(missingness["pct_recorded"], errors="coerce")
    hidden = int(pct.isna().sum())
    note = (f" {hidden} of {len(pct)} cells are not shown, {PROTECTED}."
            if hidden else "")
    if pct.notna().sum() == 0:
        return f"No percentage is shown: each of the {len(pct)} cells is withheld {PROTECTED}."
    low = missingness.loc[pct.idxmin()]
    if f"{pct.min():.0f}" == f"{pct.max():.0f}":
        return (f"Outcome data were recorded for {pct.min():.0f}% of young people in each of the {int(pct.notna().sum())}"
                f" cells of measure, timepoint and group shown.{note}")
    return (f"Outcome data were recorded for between {pct.min():.0f}% and {pct.max():.0f}% of young people in "
            f"each measure, timepoint and group shown; the lowest was {low['measure']} at {low['timepoint']} in "
            f"the {low['group']} group ({pct.min():.0f}%).{note}")
