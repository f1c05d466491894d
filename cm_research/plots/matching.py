"""Figures of matched comparisons: the love plot of covariate balance before and after matching."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.axes import Axes

from cm_research.contract import require_columns

__all__ = ["love_plot"]


def love_plot(
    balance: pd.DataFrame,
    *,
    covariate: str = "covariate",
    smd: str = "smd",
    sample: str = "sample",
    threshold: float = 0.1,
    absolute: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Love plot: each covariate's standardised mean difference, one marker per sample.

    Takes the long balance table of :func:`cm_research.stats.matching.balance_table` /
    ``Matching.balance`` (one row per covariate and sample, e.g. "before matching" and
    "after matching"). Covariates are listed in the order they first appear; dashed lines mark
    ±`threshold` (0.1 by default, Austin 2009). With `absolute`, |SMD| is plotted. Rows whose SMD is
    missing are drawn at 0 with the label marked "(not estimable)".

    Example
    -------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> bal = pd.DataFrame({"covariate": ["ks2", "ks2"], "sample": ["before matching", "after matching"],
    ...                     "smd": [0.45, 0.03]})
    >>> ax = love_plot(bal)
    """
    require_columns(balance, [covariate, smd, sample], "love_plot")
    ax = plt.subplots()[1] if ax is None else ax
    table = balance[[covariate, smd, sample]].copy()
    missing = table[smd].isna()
    table["_value"] = table[smd].astype(float).fillna(0.0)
    if absolute:
        table["_value"] = table["_value"].abs()
    names = list(dict.fromkeys(table[covariate]))
    unestimable = set(table.loc[missing, covariate])
    labels = {n: f"{n} (not estimable)" if n in unestimable else str(n) for n in names}
    table["_label"] = table[covariate].map(labels)
    sns.scatterplot(data=table, x="_value", y="_label", hue=sample, style=sample, s=60, ax=ax, zorder=3)
    for x in ([threshold] if absolute else [-threshold, threshold]):
        ax.axvline(x, color="0.5", linestyle="--", linewidth=1, gid="threshold")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(("|standardised mean difference|" if absolute else "standardised mean difference")
                  + f" (dashed: {threshold:g})")
    ax.set_ylabel("")
    top = float(np.nanmax(table["_value"].abs())) if len(table) else threshold
    ax.set_xlim(0 if absolute else -max(top, threshold) * 1.1, max(top, threshold) * 1.1)
    ax.legend(title=None)
    return ax
