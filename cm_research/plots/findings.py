"""What a figure shows, in words and as a table: the text alternative of a chart (WCAG 2.1 success criterion 1.1.1).

A plotting function that knows what its data say records it on the Axes it returns with :func:`attach`: a
``finding`` (one or two plain sentences with the numbers, e.g. "Outcome data were recorded for 62% to 100% of
young people ...") and the ``data`` it drew (the published, suppressed table). :func:`cm_research.report.figures.
show_figure` then writes the finding as the image's alt text and puts the data in a "Data for this figure" table
beside it. Suppressed values are never said as a number: "not shown, to protect counts of fewer than 6"
(a ``c`` is a count of 1 to 5, or a larger one withheld so that such a count cannot be worked out).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cm_research.privacy.suppression import DEFAULT_THRESHOLD

SUPPRESSED = "c"
#: how a suppressed count is said in words: a count from 1 to the threshold is "fewer than threshold + 1"
FEWER_THAN = f"fewer than {DEFAULT_THRESHOLD + 1}"
#: why a cell is withheld, true of both kinds: a small count, or a larger one withheld so that a small count in
#: the same row or column cannot be worked out from a total (secondary suppression)
PROTECTED = f"to protect counts of {FEWER_THAN}"
#: a withheld cell in a "Data for this figure" table
NOT_SHOWN = "not shown"


def is_suppressed(value) -> bool:
    """True for the published table's suppression mark ``c``."""
    return isinstance(value, str) and value.strip() == SUPPRESSED


def say(value, fmt: str = "{:.0f}") -> str:
    """``value`` in words for alt text: ``fmt`` of the number, or "not shown" for a suppressed ``c`` (a count of
    fewer than 6, or one withheld to protect it: never said as a number)."""
    return NOT_SHOWN if is_suppressed(value) else fmt.format(float(value))


def attach(ax: Axes, finding: str = "", data: pd.DataFrame | None = None, kind: str = "") -> Axes:
    """Record on ``ax`` the ``finding`` (sentences for the alt text), the ``data`` drawn (for the data table) and,
    where the chart's own name says more than its shapes ("forest plot", not "dot plot with lines"), its ``kind``."""
    if kind:
        ax.cm_kind = kind
    if finding:
        ax.cm_finding = finding
    if data is not None:
        ax.cm_data = data.reset_index(drop=True)
    return ax


def lead_with_finding(alt: str, fig: Figure | None) -> str:
    """``alt`` ("Title: what is drawn") with the finding recorded on ``fig`` put first after its title, unless it
    is already there: "Title: <finding> What is drawn"."""
    finding = findings(fig) if fig is not None else ""
    if finding and ": " in alt and finding not in alt:
        title, rest = alt.split(": ", 1)
        return f"{title}: {finding} {rest[:1].upper()}{rest[1:]}"
    return alt


def findings(fig: Figure) -> str:
    """The findings recorded on the figure's panels, in order ("" when none was recorded)."""
    return " ".join(getattr(ax, "cm_finding", "") for ax in fig.axes if getattr(ax, "cm_finding", "")).strip()


def figure_data(fig: Figure) -> pd.DataFrame | None:
    """The data recorded on the figure's panels (one table, panels stacked), or None when none was recorded;
    suppressed cells (``c``) read "not shown"."""
    tables = [ax.cm_data for ax in fig.axes if getattr(ax, "cm_data", None) is not None]
    if not tables:
        return None
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    return table.map(lambda v: NOT_SHOWN if is_suppressed(v) else v)


def _share(value: float) -> str:
    return f"{100 * value:.0f}%"


def forest_finding(studies: pd.DataFrame, summary: pd.DataFrame, *, label: str = "study",
                   estimate: str = "estimate", ci_low: str = "ci_low", ci_high: str = "ci_high",
                   exponentiate: bool = False, null: float | None = None) -> str:
    """A meta-analysis forest plot (:func:`cm_research.plots.meta.meta_forest_plot`) in words: the pooled estimate
    with its confidence interval, whether that interval includes no difference, the prediction interval, and the
    range of the studies' (sites') estimates. Site estimates are aggregates already published in the synthesis's
    tables. With ``exponentiate`` the log-scale effects are said as ratios (exp), no difference being 1.

    E.g. "Pooled estimate 0.20 (confidence interval 0.05 to 0.35) across 3 sites; the interval lies above no
    difference (0). Prediction interval -0.10 to 0.50. Site estimates ranged from 0.10 (A) to 0.50 (C)."
    """
    import math

    f = math.exp if exponentiate else (lambda v: v)
    none = 1.0 if exponentiate and null is None else (null or 0.0)
    row = summary.iloc[0]
    mu, lo, hi = f(float(row["estimate"])), f(float(row["ci_low"])), f(float(row["ci_high"]))
    k = len(studies)
    where = ("lies above" if lo > none else "lies below" if hi < none else "includes")
    what = "ratio" if exponentiate else "estimate"
    text = (f"Pooled {what} {mu:.2f} (confidence interval {lo:.2f} to {hi:.2f}) across {k} "
            f"site{'s' if k != 1 else ''}; the interval {where} no difference ({none:g}).")
    if "pi_low" in row and pd.notna(row["pi_low"]) and math.isfinite(float(row["pi_low"])):
        text += f" Prediction interval {f(float(row['pi_low'])):.2f} to {f(float(row['pi_high'])):.2f}."
    if k:
        values = [(f(float(v)), str(name)) for v, name in zip(studies[estimate], studies[label]) if pd.notna(v)]
        if values:
            (low_v, low_n), (high_v, high_n) = min(values), max(values)
            text += f" Site estimates ranged from {low_v:.2f} ({low_n}) to {high_v:.2f} ({high_n})."
    return text


def survival_finding(km_table: pd.DataFrame) -> str:
    """Kaplan-Meier curves (:func:`cm_research.plots.survival.kaplan_meier_plot`) in words, from the curve as drawn
    (already cut where few remain at risk): the proportion of each group's matches still going at the last day
    every curve reaches, and the day by which half had ended where a curve falls to 50%.

    S(t) is read as a step function: the survival of the last row at or before t (Kaplan & Meier 1958), e.g.
    "Matches still going by day 40: arts 50%; volunteer 75%. Half of the matches (arts) had ended by day 20."
    ``km_table``: :func:`cm_research.stats.survival.kaplan_meier` (group, time, survival)."""
    if km_table.empty:
        return "No curve is drawn."
    km_table = km_table.sort_values("time", kind="stable")
    groups = list(pd.unique(km_table["group"]))
    common = float(km_table.groupby("group", sort=False)["time"].max().min())

    def at(group, t: float) -> float:
        rows = km_table[(km_table["group"] == group) & (km_table["time"] <= t)]
        return float(rows["survival"].iloc[-1]) if len(rows) else 1.0

    shares = "; ".join(f"{g} {_share(at(g, common))}" for g in groups)
    text = f"Matches still going by day {common:g}: {shares}."
    for g in groups:
        below = km_table[(km_table["group"] == g) & (km_table["survival"] <= 0.5)]
        if len(below):
            text += f" Half of the matches ({g}) had ended by day {float(below['time'].iloc[0]):g}."
    return text


def slopes_finding(before: pd.Series, after: pd.Series, name: str = "") -> str:
    """A slope chart of each young person's ``before`` and ``after`` (aligned Series, one row a young person) in
    words: the means at both times and how many went up, went down or stayed the same (``name``: what was
    measured; "The mean" when not given). An internal figure (each line is one child), so its counts are said as
    they are, e.g. "Mean SDQ total fell from 18.0 to 15.0 across 4 young people: 1 went up, 3 went down, 0 stayed
    the same.\""""
    n = len(before)
    if not n:
        return f"No young person has {name or 'a value'} at both times."
    a, b = float(before.mean()), float(after.mean())
    means = f"{'rose' if b > a else 'fell'} from {a:.1f} to {b:.1f}" if b != a else f"stayed at {a:.1f}"
    up, down = int((after > before).sum()), int((after < before).sum())
    who = f"{n} young {'people' if n != 1 else 'person'}"
    return (f"{f'Mean {name}' if name else 'The mean'} {means} across {who}: {up} went up, {down} went down, "
            f"{n - up - down} stayed the same.")


def categories_finding(categories: pd.Series, order: list[str], threshold: float | None = None) -> str:
    """How many young people fell in each reliable-change category (in ``order``, then any other), e.g. "Of 5
    young people measured twice, 2 reliable improvement, 2 no reliable change, 1 reliable deterioration (a change
    of 6.8 points or more is reliable)." Internal figure: one point per young person."""
    counts = categories.value_counts()
    names = [c for c in order if c in counts.index] + [c for c in counts.index if c not in order]
    if not names:
        return "No young person was measured both times."
    rule = f" (a change of {threshold:.1f} points or more is reliable)" if threshold is not None else ""
    return (f"Of {int(counts.sum())} young people measured both times: "
            + ", ".join(f"{int(counts[c])} {c}" for c in names) + f"{rule}.")


def likert_finding(agree: pd.Series, labels: dict | None = None) -> str:
    """Diverging stacked bars of rating-scale answers in words: the share agreeing (the answers above neutral)
    with the most and the least agreed statements, e.g. "Agreement ranged from 20% ("Timing clashes") to 65%
    ("Moves interrupt taking part") across 3 statements." ``agree``: % agreeing by item."""
    if agree.empty:
        return "No statement was answered."
    names = labels or {}
    top, bottom = agree.idxmax(), agree.idxmin()
    if len(agree) == 1:
        return f'{agree[top]:.0f}% agreed with "{names.get(top, top)}".'
    return (f'Agreement ranged from {agree[bottom]:.0f}% ("{names.get(bottom, bottom)}") to {agree[top]:.0f}% '
            f'("{names.get(top, top)}") across {len(agree)} statements.')
