"""WEMWBS and SWEMWBS: raw totals, and SWEMWBS's published raw-to-metric conversion."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cm_research.measures.instruments import load_instrument
from cm_research.measures.scoring import score_instrument


def score_wemwbs(data: pd.DataFrame, *, prefix: str = "", source: str = "") -> pd.DataFrame:
    """WEMWBS total (14 items scored 1-5, total 14-70) for each row of ``data``.

    Only complete questionnaires are scored; an unanswered item leaves the total missing, with a note
    naming it (Tennant et al. 2007).
    """
    return score_instrument(data, "wemwbs", prefix=prefix, source=source)


def score_swemwbs(data: pd.DataFrame, *, prefix: str = "", source: str = "") -> pd.DataFrame:
    """SWEMWBS raw total (7 items scored 1-5, total 7-35) and metric score for each row of ``data``.

    The metric score is the raw total converted with the table of Stewart-Brown et al. (2009), e.g.
    raw 21 -> 19.25, raw 28 -> 25.03. Only complete questionnaires are scored.
    """
    return score_instrument(data, "swemwbs", prefix=prefix, source=source)


def swemwbs_metric(raw: pd.Series | Sequence[float]) -> pd.Series:
    """Convert SWEMWBS raw totals (e.g. the ``swemwbs`` values of an outcomes table) to metric scores.

    Missing totals stay missing. Raises ValueError naming the positions of totals that are not whole
    numbers from 7 to 35, since the table has no entry for them.
    """
    table = load_instrument("swemwbs").score("metric").table
    values = pd.Series(raw, dtype=float)
    bad = values.notna() & ~values.isin(list(table))
    if bad.any():
        shown = ", ".join(f"{i}: {v:g}" for i, v in values[bad].head(5).items())
        raise ValueError(f"SWEMWBS raw totals must be whole numbers from 7 to 35; not convertible: {shown}")
    return values.map(lambda v: table[int(v)] if np.isfinite(v) else np.nan)
