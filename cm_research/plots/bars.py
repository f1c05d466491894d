"""Bar charts of published count tables: one bar a category, suppressed rows kept in place and labelled ``c``."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

#: Okabe & Ito (2008) colour-universal-design palette, as seaborn ships it ("colorblind").
PALETTE = "colorblind"
#: outline of filled marks whose fill may be pale: 15.9:1 on white (:mod:`cm_research.plots.contrast`)
OUTLINE = "0.2"


def sessions_barplot(data: pd.DataFrame, x: str, y: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars of ``x`` (a number) for each ``y`` (a category) in the table's order, total row left out,
    colour-blind palette (Okabe-Ito). A suppressed row keeps its place, with no bar and the label ``c``, so the
    categories stay in order and nobody reads a hidden group as missing."""
    rows = data[data[y] != "total"]
    hidden = rows[x] == "c"
    shown = rows.assign(**{x: rows[x].mask(hidden, 0).astype(float), y: rows[y].astype(str)})
    ax = ax or plt.subplots(figsize=(6.5, 0.4 * max(len(shown), 3) + 1))[1]
    # a dark outline keeps the pale colours of the palette (yellow, pink: under 2:1 on white) visible (WCAG 1.4.11)
    sns.barplot(data=shown, x=x, y=y, hue=y, palette=PALETTE, legend=False, edgecolor=OUTLINE, linewidth=0.8, ax=ax)
    for position, is_hidden in enumerate(hidden):
        if is_hidden:
            ax.annotate("c", (0, position), xytext=(4, 0), textcoords="offset points", va="center", color="#444",
                        gid="suppressed")
    ax.set_xlabel(x.replace("_", " ").capitalize())
    ax.set_ylabel("")
    return ax
