"""Likert items as diverging stacked bars: disagreement to the left of zero, agreement to the right.

The function takes long-form answers (``data=`` and column names), draws on the given Axes (or a new one) and
returns it; it never calls ``plt.show()``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from cm_research.contract import require_columns
from cm_research.plots.bars import OUTLINE
from cm_research.surveys.likert import likert_distribution

__all__ = ["LIKERT_COLOURS", "diverging_stacked_bars", "likert_colours", "net_agreement_order"]

#: ColorBrewer BrBG (5 classes), colour-blind safe, with its near-white middle replaced by a grey that shows on white.
LIKERT_COLOURS = ("#A6611A", "#DFC27D", "#C8C8C8", "#80CDC1", "#018571")
NEUTRAL_GREY = "#C8C8C8"


def likert_colours(k: int) -> list:
    """``k`` colours from disagree (brown) to agree (teal): BrBG, the middle one grey when k is odd."""
    if k == 5:
        return list(LIKERT_COLOURS)
    colours = list(sns.color_palette("BrBG", k))
    if k % 2:
        colours[k // 2] = NEUTRAL_GREY
    return colours


def _net_order(pct: pd.DataFrame, above: list[int], neutral: list[int]) -> list:
    net = pct[above].sum(axis=1) + (pct[neutral].sum(axis=1) / 2 if neutral else 0)
    return list(net.sort_values(ascending=False, kind="stable").index)


def net_agreement_order(
    data: pd.DataFrame,
    item: str = "item",
    response: str = "response",
    *,
    dont_know: str | None = "dont_know",
    low: int = 1,
    high: int = 5,
) -> list:
    """Items from most to least agreed: % agree + half of % neutral, of valid answers (the order
    :func:`diverging_stacked_bars` uses), e.g. to draw a second wave in the first wave's order."""
    dist = likert_distribution(data, item, response, by=None, dont_know=dont_know, low=low, high=high)
    pct = dist.pivot(index=item, columns="level", values="pct").fillna(0.0)
    mid = (low + high) / 2
    return _net_order(pct, [lv for lv in pct.columns if lv > mid], [lv for lv in pct.columns if lv == mid])


def diverging_stacked_bars(
    data: pd.DataFrame,
    item: str = "item",
    response: str = "response",
    *,
    dont_know: str | None = "dont_know",
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    sort: bool = True,
    low: int = 1,
    high: int = 5,
    palette: Sequence | None = None,
    title: str | None = None,
    legend: bool = True,
    xmax: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One horizontal bar per item: the percentage of valid answers at each level, centred on the neutral answer.

    Parameters
    ----------
    data : long form, one row per answer (respondent, item), answers ``low``..``high``; give one wave at a time.
    item, response, dont_know : columns of the item, the answer and the "don't know" flag (left out of the
        percentages; counted in the label when any).
    labels : item -> label shown on the axis (default: the item name); each label ends with ``(n=...)``, the
        number of valid answers.
    order : items top to bottom (e.g. to keep two waves' panels aligned); otherwise, with ``sort``, items are
        sorted by net agreement (% agree + half of % neutral), most agreed at the top.
    palette : one colour per level, disagree to agree (default :data:`LIKERT_COLOURS`, ColorBrewer BrBG).
    xmax : the axis runs from -xmax% to xmax% (e.g. 100 to draw two waves on the same scale); default: the
        longest bar rounded up to ten.

    Returns
    -------
    The Axes. The bars of level L carry ``gid="likert_level_L"``; the neutral level (the midpoint, on an odd
    scale) is split evenly across zero, disagreement extends to the left and agreement to the right, so each
    item's bars cover 100 percentage points in all. The x axis shows percentages of valid answers on both sides.

    Notes
    -----
    The layout of Robbins & Heiberger (2011), "Plotting Likert and other rating scales", JSM Proceedings.
    """
    require_columns(data, [item, response], "diverging_stacked_bars")
    dist = likert_distribution(data, item, response, by=None, dont_know=dont_know, low=low, high=high)
    levels = list(range(low, high + 1))
    pct = dist.pivot(index=item, columns="level", values="pct").reindex(columns=levels).fillna(0.0)
    n_valid = dist.drop_duplicates(item).set_index(item)["n_valid"]
    n_dk = dist.drop_duplicates(item).set_index(item)["n_dont_know"]
    mid = (low + high) / 2
    below = [lv for lv in levels if lv < mid]
    above = [lv for lv in levels if lv > mid]
    neutral = [lv for lv in levels if lv == mid]
    if order is not None:
        unknown = [i for i in order if i not in pct.index]
        items = [i for i in order if i in pct.index] + [i for i in pct.index if i not in set(order)]
        if unknown and len(unknown) == len(order):
            raise ValueError(f"diverging_stacked_bars: none of the items in `order` ({', '.join(map(str, order))}) "
                             f"is in column `{item}`")
    elif sort:
        items = _net_order(pct, above, neutral)
    else:
        items = list(pct.index)
    pct = pct.loc[items]
    colours = list(palette) if palette is not None else likert_colours(len(levels))
    if len(colours) != len(levels):
        raise ValueError(f"diverging_stacked_bars: `palette` needs {len(levels)} colours, one per level, "
                         f"not {len(colours)}")
    if ax is None:
        ax = plt.subplots(figsize=(8, 0.45 * len(items) + 1.6))[1]
    y = np.arange(len(items))[::-1]  # first item at the top
    half = pct[neutral[0]].to_numpy() / 2 if neutral else np.zeros(len(items))
    level_names = dist.drop_duplicates("level").set_index("level")["level_label"]
    starts: dict[int, np.ndarray] = {}
    edge = -half.copy()
    for lv in reversed(below):  # from the centre outwards to the left
        edge = edge - pct[lv].to_numpy()
        starts[lv] = edge.copy()
    if neutral:
        starts[neutral[0]] = -half
    edge = half.copy()
    for lv in above:
        starts[lv] = edge.copy()
        edge = edge + pct[lv].to_numpy()
    for lv, colour in zip(levels, colours):
        ax.barh(y, pct[lv].to_numpy(), left=starts[lv], color=colour, edgecolor=OUTLINE, linewidth=0.5,
                height=0.7, label=level_names.get(lv, str(lv)), gid=f"likert_level_{lv}")
    ax.axvline(0, color="0.25", linewidth=0.8)
    reach = max(float((half + pct[below].sum(axis=1).to_numpy()).max(initial=0)),
                float((half + pct[above].sum(axis=1).to_numpy()).max(initial=0)), 10.0)
    limit = float(xmax) if xmax is not None else min(100.0, 10 * math.ceil(reach / 10))
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0f}%"))
    names = dict(labels) if labels is not None else {}
    ticks = []
    for name in items:
        extra = f"; {int(n_dk[name])} don't know" if n_dk[name] else ""
        ticks.append(f"{names.get(name, name)} (n={int(n_valid[name])}{extra})")
    ax.set_yticks(y, ticks)
    ax.set_xlabel("% of answers (disagree to the left, agree to the right; neutral split across 0)")
    ax.grid(axis="x", color="0.9", linewidth=0.6)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(items) > 4 else -0.2), ncol=len(levels),
                  frameon=False, fontsize="small")
    from cm_research.plots.findings import attach, likert_finding

    return attach(ax, likert_finding(pct[above].sum(axis=1), names), kind="Diverging stacked bar chart")  # WCAG 1.1.1
