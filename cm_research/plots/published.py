"""Figures for a run for publication, drawn only from suppressed aggregates, with the numbers behind each.

Statistical disclosure control applies to a figure as to a table (ONS, *Disclosure Control Policy for Tables*:
a chart is a release of the table it is drawn from; NHS Digital's *Disclosure control method* and the DfE's rule
for children looked after -- counts from 1 to 5 suppressed -- likewise). So in a published run:

- no figure plots individuals: the paired slopes, the box-and-points group comparison and the reliable-change
  scatter are internal-only (each point or line is one child's trajectory); published runs show group means with
  confidence intervals, proportions, and counts per reliable-change category instead;
- each figure is drawn from a :class:`~cm_research.privacy.contract.SuppressedTable` (counts from 1 to the
  threshold are ``c``; a mean or proportion of so few is withheld), and that table is written beside the figure
  as a CSV -- "the numbers behind this figure" -- linked under it, which also serves screen-reader users;
- labels show percentages and suppressed counts as ``c``, never ``events/n``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cm_research.privacy.contract import SuppressedTable
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, certify, suppress_counts
from cm_research.contract import critical_value
from cm_research.plots.bars import OUTLINE
from cm_research.plots.findings import FEWER_THAN, PROTECTED, attach

SUPPRESSED = "c"


def group_means(rows: pd.DataFrame, timepoints: list[str], *, confidence: float = 0.95,
                threshold: int = DEFAULT_THRESHOLD, suppress: bool = True, name: str = "figure") -> SuppressedTable:
    """Mean of ``value`` by group and timepoint with a t-based CI (mean +/- t_{n-1} s / sqrt(n)).

    Columns: group, timepoint, young_people, mean, ci_low, ci_high. A cell of 1 to ``threshold`` young people
    shows ``c`` and no mean (a mean of so few describes them). ``rows``: long outcomes with ``group``.

    Only young people measured at every timepoint count, so each group has one ``young_people`` at all
    timepoints -- the pairs the paired analyses already publish. Counting each timepoint's own sample would let a
    reader take one count from the other and recover the number lost between them (disclosure by differencing),
    which the attrition and change tables suppress."""
    measured = rows.dropna(subset=["value"]).drop_duplicates(["participant_id", "timepoint"])
    complete = measured[measured["timepoint"].isin(timepoints)].groupby("participant_id")["timepoint"].nunique()
    rows = rows[rows["participant_id"].isin(complete.index[complete == len(timepoints)])]
    out = []
    for group in ("mentored", "comparison"):
        for timepoint in timepoints:
            values = rows.loc[(rows["group"] == group) & (rows["timepoint"] == timepoint), "value"].dropna()
            n = len(values)
            if n == 0:
                continue
            mean = float(values.mean())
            half = (float(critical_value(confidence, n - 1) * values.std(ddof=1) / math.sqrt(n))
                    if n > 1 else math.nan)
            small = suppress and n <= threshold
            out.append({"group": group, "timepoint": timepoint, "young_people": SUPPRESSED if small else n,
                        "mean": math.nan if small else mean, "ci_low": math.nan if small else mean - half,
                        "ci_high": math.nan if small else mean + half})
    table = pd.DataFrame(out, columns=["group", "timepoint", "young_people", "mean", "ci_low", "ci_high"])
    return certify(table, ["young_people"], threshold=threshold, suppress=suppress, name=name,
                   reason=f"Groups of 1 to {threshold} young people are shown as c, with no mean.")


def group_means_plot(table: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Points with CI bars of :func:`group_means`, one colour per group, timepoints along x; a withheld cell is
    marked ``c``."""
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    timepoints = list(dict.fromkeys(table["timepoint"]))
    # Okabe-Ito blue and vermillion: 5.0:1 and 4.0:1 on white (the orange was 2.0:1, under WCAG 1.4.11's 3:1);
    # the comparison group is also drawn dashed with square markers, so colour is not the only cue
    colours = {"mentored": "#0072B2", "comparison": "#D55E00"}
    styles = {"mentored": "o-", "comparison": "s--"}
    for offset, group in ((-0.08, "mentored"), (0.08, "comparison")):
        g = table[table["group"] == group]
        if g.empty:
            continue
        x = np.array([timepoints.index(t) + offset for t in g["timepoint"]])
        shown = g["young_people"] != SUPPRESSED
        mean = g["mean"].to_numpy(float)
        err = np.vstack([mean - g["ci_low"].to_numpy(float), g["ci_high"].to_numpy(float) - mean])
        ax.errorbar(x[shown.to_numpy()], mean[shown.to_numpy()], yerr=np.nan_to_num(err[:, shown.to_numpy()]),
                    fmt=styles[group], capsize=4, color=colours[group], label=group)
        for xi in x[~shown.to_numpy()]:
            ax.annotate(SUPPRESSED, (xi, 0.5), xycoords=("data", "axes fraction"), ha="center", color="#444",
                        gid="suppressed")
    ax.set_xticks(range(len(timepoints)), timepoints)
    ax.set_xlim(-0.5, len(timepoints) - 0.5)
    ax.set_title(title)
    ax.set_ylabel(f"{title}: mean with confidence interval")
    ax.legend(frameon=False)
    return attach(ax, group_means_finding(table, title), table)


def _change(first: float, last: float) -> str:
    a, b = f"{first:.1f}", f"{last:.1f}"
    return f"stayed at {a}" if a == b else f"{'rose' if last > first else 'fell'} from {a} to {b}"


def group_means_finding(table: pd.DataFrame, title: str) -> str:
    """:func:`group_means_plot` in words: how each group's mean changed from the first timepoint to the last, e.g.
    "Mean Attendance (%) rose from 84.0 to 90.0 among mentored young people and stayed at 85.0 in the comparison
    group."; a group with a withheld mean is said to have fewer than 6 young people."""
    timepoints = list(dict.fromkeys(table["timepoint"]))
    parts = []
    for group, who in (("mentored", "among mentored young people"), ("comparison", "in the comparison group")):
        g = table[table["group"] == group].set_index("timepoint")
        if g.empty:
            continue
        ends = [g.loc[t] for t in (timepoints[0], timepoints[-1]) if t in g.index]
        if len(ends) < 2 or any(str(e["young_people"]) == SUPPRESSED for e in ends):
            parts.append(f"is not shown {who} ({FEWER_THAN} young people at a timepoint)")
        elif len(timepoints) == 1:
            parts.append(f"was {float(ends[0]['mean']):.1f} {who}")
        else:
            parts.append(f"{_change(float(ends[0]['mean']), float(ends[1]['mean']))} {who}")
    return f"Mean {title} " + " and ".join(parts) + "." if parts else f"No mean of {title} can be shown."


def proportion_counts(rows: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD, suppress: bool = True,
                      name: str = "figure") -> SuppressedTable:
    """Young people with the outcome (value 1) and without, by group, suppressed with the total column:
    columns group, with_outcome, without_outcome, young_people, pct_with_outcome (withheld with its counts)."""
    out = []
    for group in ("mentored", "comparison"):
        values = rows.loc[rows["group"] == group, "value"].dropna()
        if values.empty:
            continue
        k = int((values == 1).sum())
        out.append({"group": group, "with_outcome": k, "without_outcome": len(values) - k,
                    "young_people": len(values), "pct_with_outcome": round(100 * k / len(values), 1)})
    table = pd.DataFrame(out, columns=["group", "with_outcome", "without_outcome", "young_people",
                                       "pct_with_outcome"])
    # whole_groups: "18 of 18 in education" (or 0 of 18) tells each young person's outcome, however many
    return suppress_counts(table, ["with_outcome", "without_outcome"], totals="young_people", threshold=threshold,
                           percentages={"pct_with_outcome": ("with_outcome", "young_people")}, suppress=suppress,
                           whole_groups=True,
                           name=name)


def proportion_plot(table: pd.DataFrame, title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Bars of :func:`proportion_counts`' percentages, labelled with the percentage (never ``events/n``);
    a suppressed group has no bar and the label ``c``."""
    ax = ax or plt.subplots(figsize=(5, 4))[1]
    for i, r in enumerate(table.itertuples()):
        if r.pct_with_outcome == SUPPRESSED:
            ax.annotate(SUPPRESSED, (i, 2), ha="center", color="#444", gid="suppressed")
            continue
        ax.bar(i, float(r.pct_with_outcome), color="0.7", edgecolor=OUTLINE, linewidth=0.8)
        ax.annotate(f"{float(r.pct_with_outcome):.0f}%", (i, float(r.pct_with_outcome)), xytext=(0, 3),
                    textcoords="offset points", ha="center")
    ax.set_xticks(range(len(table)), list(table["group"]))
    ax.set_ylim(0, 105)
    ax.set_ylabel("% of young people")
    ax.set_title(title)
    return attach(ax, data=table)


def category_plot(row: pd.Series | dict, categories: list[str], title: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars of the number of young people in each category of a published (suppressed) table row; a
    suppressed count has no bar and the label ``c``."""
    ax = ax or plt.subplots(figsize=(6, 2.8))[1]
    r = dict(row)
    for i, category in enumerate(categories):
        value = r[category.replace(" ", "_")]
        if value == SUPPRESSED:
            ax.annotate(SUPPRESSED, (0, i), xytext=(4, 0), textcoords="offset points", va="center", color="#444",
                        gid="suppressed")
            continue
        ax.barh(i, int(value), color="#0072B2")
    ax.set_yticks(range(len(categories)), categories)
    ax.invert_yaxis()
    ax.set_xlabel("Young people (c: from 1 to the threshold, not shown)")
    ax.set_title(title)
    return attach(ax, data=pd.DataFrame({"category": categories,
                                         "young_people": [r[c.replace(" ", "_")] for c in categories]}))


def agreement_figure(summary: pd.DataFrame, waves: list[str], order: list[str] | None = None,
                     label: str = "label") -> plt.Figure:
    """Stacked bars of % disagree / neutral / agree per statement, one panel per wave, from the *published*
    statements summary (:func:`cm_research.surveys.publish.publish_items_summary`); a statement with a
    suppressed percentage has no bar and the label ``c``. Replaces the five-level Likert bars (each level of a
    small group is a handful of respondents) in a run for publication."""
    parts = [("pct_disagree", "disagree", "#A6611A"), ("pct_neutral", "neutral", "#BDBDBD"),
             ("pct_agree", "agree", "#018571")]
    items = order or list(dict.fromkeys(summary["item"]))
    fig, axes = plt.subplots(len(waves), 1, figsize=(9, len(waves) * (0.45 * len(items) + 1.4)), squeeze=False)
    for ax, wave in zip(axes[:, 0], waves):
        rows = summary[summary["wave"] == wave].set_index("item").reindex(items)
        for y, (item, r) in enumerate(rows.iterrows()):
            if r.isna().all():
                continue
            if any(str(r[p]) == SUPPRESSED for p, _, _ in parts):
                ax.annotate(SUPPRESSED, (1, y), va="center", color="#444", gid="suppressed")
                continue
            left = 0.0
            for p, name, colour in parts:
                ax.barh(y, float(r[p]), left=left, color=colour, edgecolor=OUTLINE, linewidth=0.6,
                        label=name if y == 0 else None)
                left += float(r[p])
        ax.set_yticks(range(len(items)), [str(rows.loc[i, label]) if label in rows and pd.notna(rows.loc[i, label])
                                          else i for i in items])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of answers (c: too few to show)")
        ax.set_title(wave.capitalize())
    axes[-1, 0].legend(frameon=False, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    fig.tight_layout()
    attach(axes[0, 0], agreement_finding(summary, waves, label), summary)
    return fig


def agreement_finding(summary: pd.DataFrame, waves: list[str], label: str = "label") -> str:
    """:func:`agreement_figure` in words: for each wave, the statement most agreed with (its % agree) and how many
    statements are not shown because a count in them is small (never the count)."""
    sentences = []
    for wave in waves:
        rows = summary[summary["wave"] == wave]
        agree = pd.to_numeric(rows["pct_agree"], errors="coerce")
        hidden = int((rows[["pct_disagree", "pct_neutral", "pct_agree"]].astype(str) == SUPPRESSED).any(axis=1).sum())
        note = (f"{hidden} of {len(rows)} statements are not shown, {PROTECTED}"
                if hidden else "")
        if agree.notna().any():
            top = rows.loc[agree.idxmax()]
            name = top[label] if label in rows and pd.notna(top[label]) else top["item"]
            text = f'{wave.capitalize()}: most agreed with "{name}" ({agree.max():.0f}% agree)'
            sentences.append(text + (f"; {note}" if note else "") + ".")
        else:
            sentences.append(f"{wave.capitalize()}: no statement is shown; each is withheld {PROTECTED}.")
    return " ".join(sentences)
