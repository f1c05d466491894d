"""Figures of individual change: reliable change (pre vs post) and single-case phase plots.

Each function takes long-form ``data=`` and column names, draws on the given Axes (or a new one) and
returns it; none calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cm_research.contract import require_columns
from cm_research.stats.change import CATEGORIES

__all__ = ["pre_post_scatter", "phase_plot", "phase_plots", "CATEGORY_COLOURS"]

# Colour-blind-safe (Okabe & Ito): improvement blue-green, deterioration vermillion, no change grey.
CATEGORY_COLOURS = dict(zip(CATEGORIES, ("#009E73", "#999999", "#D55E00")))
PHASE_COLOURS = ("#555555", "#0072B2")


def _axes(ax: Axes | None) -> Axes:
    return plt.subplots(figsize=(5.5, 5.5))[1] if ax is None else ax


def pre_post_scatter(
    data: pd.DataFrame,
    before: str = "baseline",
    after: str = "post",
    category: str = "reliable_change",
    *,
    threshold: float | None = None,
    cutoff: float | None = None,
    better: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Each young person's score after against before, coloured by reliable-change category.

    The diagonal is the line of no change (gid ``"no_change"``); the shaded band around it (gid
    ``"reliable_change_band"``) holds changes smaller than ``threshold``, the smallest reliable change
    in score units (``reliable_change_threshold`` of :func:`cm_research.stats.change.reliable_change_table`;
    taken from ``data.attrs`` when not given). With ``cutoff``, dashed lines mark the clinical cut-off
    on both axes (gid ``"clinical_cutoff"``).

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> people = pd.DataFrame({"baseline": [22, 15, 18], "post": [14, 13, 27],
    ...     "reliable_change": ["reliable improvement", "no reliable change", "reliable deterioration"]})
    >>> ax = pre_post_scatter(people, threshold=6.8, cutoff=17, better="lower")
    """
    require_columns(data, [before, after, category], "pre_post_scatter")
    if threshold is None:
        threshold = data.attrs.get("reliable_change_threshold")
    if threshold is None or not np.isfinite(threshold) or threshold < 0:
        raise ValueError("pre_post_scatter: give `threshold`, the smallest reliable change in score units "
                         "(reliable_change_threshold of the reliable change parameters).")
    ax = _axes(ax)
    shown = data.dropna(subset=[before, after])
    values = shown[[before, after]].to_numpy(dtype=float).ravel()
    extra = [] if cutoff is None else [cutoff]
    low = min([*values, *extra]) if len(values) else 0.0
    high = max([*values, *extra]) if len(values) else 1.0
    pad = max(threshold, (high - low) * 0.05, 1.0)
    lo, hi = low - pad, high + pad
    xs = np.array([lo, hi])
    ax.fill_between(xs, xs - threshold, xs + threshold, color="0.85", alpha=0.6, linewidth=0,
                    gid="reliable_change_band", label=f"change smaller than {threshold:.1f}: not reliable")
    ax.plot(xs, xs, color="0.35", linewidth=1, gid="no_change", label="no change")
    if cutoff is not None:
        ax.axvline(cutoff, color="0.3", linestyle="--", linewidth=0.8, gid="clinical_cutoff")
        ax.axhline(cutoff, color="0.3", linestyle="--", linewidth=0.8, gid="clinical_cutoff",
                   label=f"clinical cut-off ({cutoff:g})")
    present = [c for c in CATEGORIES if c in set(shown[category])]
    others = [c for c in pd.unique(shown[category]) if c not in CATEGORIES]
    palette = {**CATEGORY_COLOURS, **dict(zip(others, sns.color_palette("colorblind", len(others))))}
    sns.scatterplot(data=shown, x=before, y=after, hue=category, hue_order=present + others, palette=palette,
                    s=45, alpha=0.85, edgecolor="white", linewidth=0.5, ax=ax)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal", adjustable="box")
    direction = f" ({better} is better)" if better else ""
    ax.set_xlabel(f"{before}{direction}")
    ax.set_ylabel(after)
    missing = len(data) - len(shown)
    if missing:
        ax.set_title(f"{missing} without both values not shown", fontsize="small")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small", frameon=False)
    from cm_research.plots.findings import attach, categories_finding

    return attach(ax, categories_finding(shown[category], list(CATEGORIES), threshold),
                  kind="Scatter plot of scores before and after")  # WCAG 1.1.1


def phase_plot(
    data: pd.DataFrame,
    value: str = "value",
    time: str = "week",
    phase: str = "phase",
    *,
    baseline: object = "A",
    intervention: object = "B",
    labels: tuple[str, str] = ("A: baseline", "B: mentoring"),
    show_medians: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """One single-case series: observations over time, phases drawn apart.

    The phase change is a dashed vertical line (gid ``"phase_change"``) halfway between the last
    baseline and the first intervention observation; each phase's points are joined (gids
    ``"baseline"`` and ``"intervention"``, never joined across phases) and, with ``show_medians``,
    its median is a dotted horizontal line (gid ``"phase_median"``).

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> series = pd.DataFrame({"week": range(1, 9), "phase": ["A"] * 3 + ["B"] * 5,
    ...                        "value": [50, 60, 50, 70, 80, 80, 90, 80]})
    >>> ax = phase_plot(series)
    """
    require_columns(data, [value, time, phase], "phase_plot")
    ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
    rows = data.dropna(subset=[value, time]).sort_values(time)
    for label, name, colour, gid in ((baseline, labels[0], PHASE_COLOURS[0], "baseline"),
                                     (intervention, labels[1], PHASE_COLOURS[1], "intervention")):
        part = rows[rows[phase] == label]
        if part.empty:
            continue
        ax.plot(part[time], part[value], marker="o", color=colour, linewidth=1.5, markersize=5, gid=gid, label=name)
        if show_medians:
            median = float(part[value].median())
            ax.hlines(median, part[time].min(), part[time].max(), colors=colour, linestyles=":", linewidth=1.2,
                      gid="phase_median")
    a_times = rows.loc[rows[phase] == baseline, time]
    b_times = rows.loc[rows[phase] == intervention, time]
    if len(a_times) and len(b_times):
        ax.axvline((a_times.max() + b_times.min()) / 2, color="0.2", linestyle="--", linewidth=1, gid="phase_change")
    ax.set_xlabel(time)
    ax.set_ylabel(value)
    ax.legend(loc="best", fontsize="small", frameon=False)
    return ax


def phase_plots(
    data: pd.DataFrame,
    by: Sequence[str],
    value: str = "value",
    time: str = "week",
    phase: str = "phase",
    *,
    baseline: object = "A",
    intervention: object = "B",
    ncols: int = 2,
) -> Figure:
    """A grid of :func:`phase_plot`, one panel per series (one combination of the ``by`` columns),
    titled with its ``by`` values. Returns the Figure."""
    require_columns(data, [*by, value, time, phase], "phase_plots")
    groups = list(data.groupby(list(by), sort=False))
    ncols = max(1, min(ncols, len(groups)))
    nrows = max(1, int(np.ceil(len(groups) / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 3.2 * nrows), squeeze=False)
    for ax, (key, series) in zip(axes.ravel(), groups):
        key = key if isinstance(key, tuple) else (key,)
        phase_plot(series, value, time, phase, baseline=baseline, intervention=intervention, ax=ax)
        ax.set_title(", ".join(str(k) for k in key), fontsize="medium")
    for ax in axes.ravel()[len(groups):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig
