"""Survey items as a scale: reverse-keyed respondent-by-item tables, scale scores, and internal consistency.

Reliability is computed by ``cm_research.measures.reliability`` (Cronbach's alpha with Feldt's CI, McDonald's
omega with a bootstrap CI); this module only arranges the survey's long-form answers for it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cm_research.measures.reliability import cronbach_alpha, mcdonald_omega
from cm_research.contract import require_columns, tidy
from cm_research.surveys.errors import SurveyDataError
from cm_research.surveys.likert import keyed_responses
from cm_research.deprecation import renamed_arguments

__all__ = ["item_matrix", "scale_items", "scale_reliability", "scale_scores"]


def scale_items(catalogue: pd.DataFrame, scale: str) -> list[str]:
    """The items of ``scale`` in catalogue order; an unknown scale is an error listing the known ones."""
    require_columns(catalogue, ["item", "scale"], "scale_items (catalogue)")
    items = catalogue.loc[catalogue["scale"] == scale, "item"].drop_duplicates().tolist()
    if not items:
        raise SurveyDataError(f"no item of the catalogue is on scale {scale!r}; scales there: "
                              f"{', '.join(map(str, pd.unique(catalogue['scale'])))}")
    return items


@renamed_arguments(response="dv")
def item_matrix(
    data: pd.DataFrame,
    catalogue: pd.DataFrame,
    scale: str,
    wave: object,
    *,
    subject: str = "respondent_id",
    item: str = "item",
    within: str = "wave",
    dv: str = "response",
) -> pd.DataFrame:
    """Respondents (rows) by the scale's items (columns) at one wave, reverse-keyed so that a higher value
    always means more of what the scale measures; don't know and skipped answers are missing (NaN)."""
    require_columns(data, [subject, item, within, dv], "item_matrix")
    items = scale_items(catalogue, scale)
    rows = data[(data[within] == wave) & data[item].isin(items)]
    if rows.empty:
        raise SurveyDataError(f"item_matrix: no answers to the {scale!r} items at wave {wave!r}")
    keyed = keyed_responses(rows, catalogue, item, dv)
    wide = keyed.pivot_table(index=subject, columns=item, values="scored", aggfunc="first", dropna=False)
    return wide.reindex(columns=items).rename_axis(columns=None)


@renamed_arguments(response="dv")
def scale_scores(
    data: pd.DataFrame,
    catalogue: pd.DataFrame,
    scale: str,
    *,
    min_share: float = 0.8,
    subject: str = "respondent_id",
    item: str = "item",
    within: str = "wave",
    dv: str = "response",
) -> pd.DataFrame:
    """Each respondent's scale score at each wave: the mean of their reverse-keyed answers to the scale's items.

    Returns ``subject``, ``within``, ``n_answered``, ``n_items`` and ``score`` (on the answer scale, e.g. 1-5);
    the score is missing when fewer than ``min_share`` of the items were answered (prorating a mean of at least
    80% of the items is a common convention for short scales; don't know counts as unanswered).
    """
    if not 0 < min_share <= 1:
        raise ValueError(f"`min_share` must be above 0 and at most 1, not {min_share!r}")
    items = scale_items(catalogue, scale)
    require_columns(data, [subject, item, within, dv], "scale_scores")
    keyed = keyed_responses(data[data[item].isin(items)], catalogue, item, dv)
    out = (keyed.groupby([subject, within], sort=False)["scored"]
           .agg(n_answered="count", score="mean").reset_index())
    out["n_items"] = len(items)
    enough = out["n_answered"] >= math.ceil(min_share * len(items) - 1e-9)
    out["score"] = out["score"].where(enough, np.nan)
    return out[[subject, within, "n_answered", "n_items", "score"]]


@renamed_arguments(response="dv")
def scale_reliability(
    data: pd.DataFrame,
    catalogue: pd.DataFrame,
    scale: str,
    waves: list | None = None,
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 12345,
    subject: str = "respondent_id",
    item: str = "item",
    within: str = "wave",
    dv: str = "response",
) -> pd.DataFrame:
    """Cronbach's alpha and McDonald's omega of a survey scale at each wave, items reverse-keyed.

    Parameters
    ----------
    data : long-form answers; catalogue : the survey_items catalogue (item, scale, reverse_scored).
    scale : which scale; waves : the waves to report (default: every wave, in order of appearance).
    confidence, n_boot, seed : CI level and omega's bootstrap (seed recorded in the output).

    Returns
    -------
    Two rows per wave (alpha, omega) with ``measure`` = the scale, ``wave`` and the columns of
    :func:`cm_research.measures.reliability.cronbach_alpha` / :func:`~cm_research.measures.reliability.mcdonald_omega`:
    ``method``, ``n``, ``n_items``, ``n_dropped`` (respondents left out for a missing or don't-know answer),
    ``estimate``, ``ci_low``, ``ci_high``, ``n_boot``, ``seed``, ``note``.

    Notes
    -----
    alpha = k / (k - 1) (1 - sum s_i^2 / s_T^2) with Feldt's F-based CI (Cronbach 1951; Feldt, Woodruff & Salih
    1987); omega total from a one-factor ML model with a bootstrap CI (McDonald 1999). Both need complete answers
    (listwise), so a scale with many don't-knows loses respondents: ``n_dropped`` says how many.
    """
    require_columns(data, [within], "scale_reliability")
    waves = list(pd.unique(data[within].dropna())) if waves is None else list(waves)
    rows = []
    for wave in waves:
        matrix = item_matrix(data, catalogue, scale, wave, subject=subject, item=item, within=within,
                             dv=dv)
        for result in (cronbach_alpha(matrix, confidence=confidence),
                       mcdonald_omega(matrix, confidence=confidence, n_boot=n_boot, seed=seed)):
            rows += [{"measure": scale, within: wave, **r} for r in result.to_dict("records")]
    return tidy(rows, ids=[within])
