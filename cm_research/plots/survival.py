"""Kaplan-Meier figure of match durations: step curves per group, CI bands, censor marks, numbers at risk.

Draws the table of :func:`cm_research.stats.survival.kaplan_meier` on the given Axes (or a new one) and
returns it; never calls ``plt.show()``. Numbers at risk are counts of children, so those from 1 to the
threshold are shown as ``c`` by default (:func:`number_at_risk`, which applies the suppression policy to the raw
counts of :func:`cm_research.stats.survival.at_risk_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.transforms import blended_transform_factory

from cm_research.plots.bars import PALETTE  # Okabe & Ito (2008) colour-universal-design palette
from cm_research.plots.contrast import TEXT_MINIMUM, darkened
from cm_research.plots.findings import attach, survival_finding
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts
from cm_research.stats.survival import SurvivalDataError, at_risk_counts

__all__ = ["MIN_AT_RISK", "kaplan_meier_plot", "number_at_risk", "truncate_at_risk"]

#: a published curve stops where fewer than this many matches remain at risk (each later step is one child)
MIN_AT_RISK = 10


def number_at_risk(km_table: pd.DataFrame, times: Sequence[float], *, suppress: bool = True,
                   threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Matches still going and followed at each of `times`, per group, small numbers suppressed.

    Takes the table of :func:`cm_research.stats.survival.kaplan_meier`. The number at risk at t is the number of
    matches with duration >= t (:func:`cm_research.stats.survival.at_risk_counts`). Counts from 1 to `threshold`
    become ``"c"`` (:func:`cm_research.privacy.suppress_counts`; there are no totals, so no secondary
    suppression); ``suppress=False`` shows them (never publish that).

    Returns
    -------
    ``group``, ``time``, ``n_risk``; ``attrs["disclosure_control"]`` as suppress_counts records it.
    """
    counts = at_risk_counts(km_table, times)
    return suppress_counts(counts, ["n_risk"], threshold=threshold, suppress=suppress, name="number at risk")


def truncate_at_risk(km_table: pd.DataFrame, min_at_risk: int = MIN_AT_RISK) -> pd.DataFrame:
    """The rows of a Kaplan-Meier table while at least ``min_at_risk`` matches are at risk, per group.

    Statistical disclosure control of survival curves (as ONS and NHS Digital advise for small cells, and as
    published Kaplan-Meier figures commonly do): once few remain at risk, every step is one identifiable child's
    match ending and the tail is a single child, so the curve stops there. ``n_risk`` counts those at risk just
    before each time, so the rows kept are those with ``n_risk >= min_at_risk``."""
    return km_table[km_table["n_risk"] >= min_at_risk].copy()

X_LABEL = "Days since the match started"
Y_LABEL = "Proportion of matches still going"


def kaplan_meier_plot(
    km_table: pd.DataFrame,
    ax: Axes | None = None,
    ci: bool = True,
    censor_marks: bool = True,
    at_risk: bool = True,
    *,
    at_risk_times: Sequence[float] | None = None,
    suppress: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    palette: str | Sequence | None = None,
    min_at_risk: int | None = MIN_AT_RISK,
) -> Axes:
    """Kaplan-Meier curves of the proportion of matches still going, one per group.

    Parameters
    ----------
    km_table : the table of :func:`~cm_research.stats.survival.kaplan_meier` (columns group, time, n_risk,
        n_censor, survival, ci_low, ci_high).
    ax : Axes to draw on; a new figure when None.
    ci : shade each curve's pointwise confidence band (gid ``"survival_ci"``).
    censor_marks : mark matches still going (censored) with a tick on the curve (gid ``"censor_marks"``).
    at_risk : write the number of matches at risk under the axis (texts with gid ``"at_risk"``).
    at_risk_times : the days at which to count them; default the x-axis tick positions.
    suppress, threshold : numbers at risk from 1 to `threshold` are shown as ``c`` (DfE convention); switch
        off only for a figure that will not be published.
    palette : seaborn palette name or colours; default seaborn's colour-blind palette (Okabe & Ito).
    min_at_risk : with ``suppress``, each curve stops where fewer than this many matches remain at risk
        (:func:`truncate_at_risk`, default 10) and a note under the figure says so; None draws the whole curve.

    Returns
    -------
    The Axes. Each curve is a step line (gid ``"survival_curve"``, label = the group) through the table's
    (time, survival) points, drawn post-step (S holds until the next time).

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from cm_research.stats.survival import kaplan_meier
    >>> matches = pd.DataFrame({"days": [20, 95, 130, 200, 260, 400, 30, 60, 75, 150, 300, 420],
    ...                         "ended": [1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0],
    ...                         "programme": ["arts"] * 6 + ["volunteer"] * 6})
    >>> ax = kaplan_meier_plot(kaplan_meier(matches, "days", "ended", "programme"), suppress=False)  # internal: few
    """
    needed = ["group", "time", "n_risk", "n_censor", "survival", "ci_low", "ci_high"]
    missing = [c for c in needed if c not in km_table.columns]
    if missing:
        raise SurvivalDataError(f"kaplan_meier_plot: expected the table of kaplan_meier(); this one lacks "
                                f"{', '.join(missing)}.")
    truncated = bool(suppress and min_at_risk)
    full = km_table  # numbers at risk are counted on the whole table, at times the curves still reach
    if truncated:
        km_table = truncate_at_risk(km_table, min_at_risk)
        if km_table.empty:
            raise SurvivalDataError(f"kaplan_meier_plot: no group has {min_at_risk} or more matches at risk, so "
                                    "no curve can be published")
        km_table.attrs = dict(full.attrs)
    created = ax is None
    ax = plt.subplots(figsize=(7, 5 + 0.25 * km_table["group"].nunique()))[1] if created else ax
    groups = list(pd.unique(km_table["group"]))
    # darkened until each curve, and its label and numbers at risk drawn in its colour, reach 4.5:1 on white
    # (WCAG 1.4.3; the palette's orange and green are 2.3:1 and 3.4:1)
    colours = [darkened(c, minimum=TEXT_MINIMUM) for c in sns.color_palette(palette or PALETTE, max(len(groups), 1))]
    for label, colour in zip(groups, colours):
        rows = km_table[km_table["group"] == label]
        time, surv = rows["time"].to_numpy(dtype=float), rows["survival"].to_numpy(dtype=float)
        ax.step(time, surv, where="post", color=colour, linewidth=1.8, label=str(label), gid="survival_curve")
        if ci:
            ax.fill_between(time, rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float),
                            step="post", color=colour, alpha=0.18, linewidth=0, gid="survival_ci")
        if censor_marks:
            censored = rows["n_censor"].to_numpy() > 0
            if censored.any():
                ax.plot(time[censored], surv[censored], linestyle="none", marker="|", markersize=9,
                        markeredgewidth=1.4, color=colour, gid="censor_marks")
    ax.set_xlim(left=0, right=float(km_table["time"].max()) * 1.02 or 1.0)
    ax.set_ylim(0, 1.03)
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(Y_LABEL)
    title = km_table.attrs.get("group_column")
    if len(groups) > 1 or title:
        ax.legend(title=title, frameon=False, fontsize="small")
    if truncated:
        ax.text(1, 1.01, f"Curves stop where fewer than {min_at_risk} matches remain at risk", transform=ax.transAxes,
                ha="right", va="bottom", fontsize="x-small", color="0.3", gid="truncation_note")
    if at_risk:
        if at_risk_times is None:
            low, high = ax.get_xlim()
            at_risk_times = [t for t in ax.get_xticks() if low <= t <= high]
        if truncated:
            at_risk_times = [t for t in at_risk_times if t <= float(km_table["time"].max())]
        depth = _draw_at_risk(ax, full, list(at_risk_times), groups, colours, suppress, threshold)
        if created:  # room for the table under the axis; a caller's own layout is left alone
            top = ax.figure.subplotpars.top
            ax.figure.subplots_adjust(bottom=min(0.5, (top * depth + 0.02) / (1 + depth)))
    return attach(ax, survival_finding(km_table), kind="Kaplan-Meier curves")  # the curve as drawn (WCAG 1.1.1)


def _draw_at_risk(ax: Axes, km_table: pd.DataFrame, times: list[float], groups: list, colours: list,
                  suppress: bool, threshold: int) -> float:
    """The table of numbers at risk under the x axis, one row per group; returns its depth below the axis
    (a fraction of the axis height)."""
    counts = number_at_risk(km_table, times, suppress=suppress, threshold=threshold)
    below = blended_transform_factory(ax.transData, ax.transAxes)
    margin = blended_transform_factory(ax.transAxes, ax.transAxes)
    top, step = -0.2, 0.07
    ax.text(0, top, "Number at risk", transform=margin, ha="left", va="top", fontsize="small",
            fontweight="bold", gid="at_risk_title")
    for i, (label, colour) in enumerate(zip(groups, colours)):
        y = top - step * (i + 1)
        ax.text(-0.06, y, str(label), transform=margin, ha="right", va="top", fontsize="small", color=colour,
                gid="at_risk_label")
        rows = counts[counts["group"] == label]
        for t, n in zip(rows["time"], rows["n_risk"]):
            ax.text(t, y, str(n), transform=below, ha="center", va="top", fontsize="small", color=colour,
                    gid="at_risk")
    control = counts.attrs.get("disclosure_control", {})
    if control.get("n_primary"):
        note = f"c: from 1 to {threshold} matches (suppressed)"
    elif control.get("suppression") == "off":
        note = "Small numbers NOT suppressed: do not publish"
    else:
        note = ""
    if note:
        ax.text(1, top - step * (len(groups) + 1), note, transform=margin, ha="right", va="top",
                fontsize="x-small", color="0.3", gid="at_risk_note")
    return -(top - step * (len(groups) + 1)) + 0.05
