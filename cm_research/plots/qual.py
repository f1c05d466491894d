"""Figures of the thematic analysis: theme x role heatmap, code co-occurrence heatmap, code frequency by role.

Each takes long-form data and column names, draws on the given Axes (or a new one) and returns it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from cm_research.plots.findings import PROTECTED, attach
from cm_research.qual.roles import role_name


def _hidden_note(k: int, n: int, what: str) -> str:
    return f" {k} of {n} {what} are not shown, {PROTECTED}." if k else ""


def _top_share(data: pd.DataFrame, name: str, role: str, value: str, what: str) -> str:
    """'The most widely shared <what> was "<name>", raised by 80% of the mentor participants.'"""
    shares = pd.to_numeric(data[value], errors="coerce")
    if shares.notna().sum() == 0:
        return ""
    top = data.loc[shares.idxmax()]
    amount = f"{shares.max():.0%}" if value.startswith("share") else f"{shares.max():g}"
    return (f'The most widely shared {what} was "{top[name]}", raised by {amount} of the '
            f"{role_name(top[role])} participants.")


def _empty(ax: plt.Axes, message: str) -> plt.Axes:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return ax


def plot_theme_role(data: pd.DataFrame, theme: str = "theme_label", role: str = "role",
                    value: str = "share_participants", count: str = "n_participants",
                    total: str = "n_role_participants", title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Heatmap of themes (rows) by role (columns), coloured by ``value`` and annotated "count/total".

    ``data`` is the long theme x role matrix (:func:`cm_research.qual.analysis.theme_role_matrix`).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(2.5 + 1.2 * max(1, data[role].nunique()),
                                      1 + 0.45 * max(1, data[theme].nunique())))
    if data.empty:
        return _empty(ax, "nothing coded")
    roles = list(dict.fromkeys(data[role]))
    themes = list(dict.fromkeys(data[theme]))
    hidden = (data[count].astype(str) == "c") | (data[total].astype(str) == "c")  # suppressed for publication
    published, data = data, data.assign(**{value: pd.to_numeric(data[value], errors="coerce")})
    grid = data.pivot_table(index=theme, columns=role, values=value, aggfunc="first", sort=False).reindex(
        index=themes, columns=roles)
    labels = (data[count].astype(str).str.replace(r"\.0$", "", regex=True) + "/"
              + data[total].astype(str).str.replace(r"\.0$", "", regex=True)).mask(hidden, "c")
    annot = data.assign(_l=labels).pivot_table(index=theme, columns=role, values="_l", aggfunc="first",
                                               sort=False).reindex(index=themes, columns=roles)
    sns.heatmap(grid.astype(float), vmin=0, vmax=1, cmap="mako_r", annot=annot.fillna("").to_numpy(), fmt="",
                linewidths=0.5, cbar_kws={"label": "share of participants in the role"}, ax=ax)
    ax.set_xticklabels([role_name(r) for r in roles], rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title or "Themes by participant role (participants with the theme / interviewed)")
    lead = _top_share(data[~hidden], theme, role, value, "theme") or (
        f"No share is shown: every theme and role cell is withheld {PROTECTED}.")
    return attach(ax, lead + (_hidden_note(int(hidden.sum()), len(data), "theme and role cells")
                              if not lead.startswith("No share") else ""), published)


def plot_cooccurrence(data: pd.DataFrame, code_a: str = "code_a", code_b: str = "code_b", value: str = "n",
                      title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Symmetric heatmap of code co-occurrence (from :func:`cm_research.qual.analysis.cooccurrence`);
    the diagonal (each code's own count) is left blank so the pairs stand out."""
    codes = sorted(set(data[code_a]) | set(data[code_b]))
    if ax is None:
        side = 2 + 0.35 * max(1, len(codes))
        _, ax = plt.subplots(figsize=(side + 1, side))
    if data.empty:
        return _empty(ax, "no codes applied")
    if (data[code_a] == data[code_b]).all():
        return _empty(ax, "no two codes were applied together")
    hidden = data[data[value].astype(str) == "c"]  # suppressed for publication: left blank, not 0
    shown = data.drop(hidden.index).assign(**{value: lambda t: pd.to_numeric(t[value])})
    grid = shown.pivot_table(index=code_a, columns=code_b, values=value, aggfunc="sum").reindex(
        index=codes, columns=codes).fillna(0)
    for a, b in zip(hidden[code_a], hidden[code_b]):
        grid.loc[a, b] = np.nan
    mask = np.eye(len(codes), dtype=bool)
    sns.heatmap(grid, mask=mask, cmap="rocket_r", vmin=0, annot=len(codes) <= 20, fmt=".0f", linewidths=0.3,
                cbar_kws={"label": value}, square=True, ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title or "Codes applied together")
    pairs = shown[shown[code_a] != shown[code_b]]
    off = data[data[code_a] != data[code_b]]
    lead = ""
    if not pairs.empty and pairs[value].max() > 0:
        top = pairs.loc[pairs[value].idxmax()]
        lead = (f'The codes applied together most often were "{top[code_a]}" and "{top[code_b]}", '
                f"{top[value]:g} times; {int((pairs[value] > 0).sum())} pairs of codes were applied together.")
    hidden_pairs = int((off[value].astype(str) == "c").sum())
    return attach(ax, (lead or "No pair of codes can be shown.") + _hidden_note(hidden_pairs, len(off), "pairs"),
                  data)


def plot_code_frequency(data: pd.DataFrame, code: str = "code_label", role: str = "role",
                        value: str = "share_participants", title: str = "", ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars: ``value`` for each code, one colour per role (codes never applied are left out).

    The default, the share of each role's participants with the code, compares roles of different sizes.
    """
    suppressed = (data[value].astype(str) == "c").any()
    published, data = data, data.assign(**{value: pd.to_numeric(data[value], errors="coerce")})  # "c" (suppressed): no bar
    used = data[data.groupby(code)[value].transform("sum") > 0]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1 + 0.16 * max(1, used[code].nunique()) * max(1, used[role].nunique()) ** 0.5))
    if used.empty:
        if suppressed:
            _empty(ax, "too few participants in each role to show (counts from 1 to 5 are suppressed)")
            return attach(ax, f"No bar is shown: every code and role cell is withheld {PROTECTED}.", published)
        return _empty(ax, "no codes applied")
    plot = used.assign(_role=used[role].map(role_name))
    sns.barplot(data=plot, y=code, x=value, hue="_role", orient="h", ax=ax)
    ax.legend(title="role", frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_ylabel("")
    ax.set_xlabel("share of the role's participants" if value == "share_participants" else value.replace("_", " "))
    ax.set_title(title or "Codes by participant role")
    hidden = int((published[value].astype(str) == "c").sum())
    return attach(ax, _top_share(used, code, role, value, "code") + _hidden_note(hidden, len(data), "code and role "
                                                                                  "cells"), published)
