"""Every outcome at once: the right comparison for each measure of the data dictionary, Holm-adjusted.

The measure's ``kind`` in ``data_dictionary/measures.yaml`` chooses the analysis and its ``better``
column says which direction is improvement:

* continuous: ANCOVA of post on group adjusted for baseline (:func:`ancova`) when both groups have
  baseline and post values, otherwise Welch's t on post (:func:`compare_groups`); effect size
  Hedges' g. For ANCOVA it is the What Works Clearinghouse g_adj = omega * adjusted difference / pooled
  SD of the outcome, omega = 1 - 3 / (4N - 9), with a CI that scales the adjusted difference's t CI by
  the same factor (the pooled SD treated as known; slightly narrow for small samples).
* binary: risk difference at post with Newcombe's hybrid score CI, Fisher's exact p; effect size the
  risk ratio (Katz log CI) (:func:`compare_proportions`).
* count: rate ratio at post from a Poisson GLM, or negative binomial when overdispersed
  (:func:`rate_ratio`); effect size the rate ratio.

p-values are adjusted across the measures by Holm's (1979) step-down method, which controls the
family-wise error rate without assuming independence between outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cm_research.dictionary import measures_catalogue

from cm_research.contract import InsufficientDataError
from .counts import rate_ratio
from .groups import ancova, compare_groups
from .paired import paired_change
from .proportions import compare_proportions
from cm_research.deprecation import renamed_arguments

__all__ = ["compare_outcomes", "change_within_group", "SMALL_GROUP"]

#: Below this many young people in a group, a test says little: the CI is what to read.
SMALL_GROUP = 10

RESULT_COLUMNS = [
    "measure", "title", "kind", "better", "analysis", "method", "n_treated", "n_control",
    "estimate", "se", "ci_low", "ci_high", "dof", "null", "effect_size_name", "effect_size",
    "effect_size_ci_low", "effect_size_ci_high", "p_val", "p_holm", "favours", "small_sample", "note",
]


def _with_groups(outcomes: pd.DataFrame, participants: pd.DataFrame, group: str) -> pd.DataFrame:
    labels = participants.drop_duplicates("participant_id").set_index("participant_id")[group]
    return outcomes.assign(**{group: outcomes["participant_id"].map(labels).astype(object)})


def _wide(rows: pd.DataFrame, group: str, timepoints: Sequence[str]) -> pd.DataFrame:
    wide = rows.pivot_table(index=["participant_id", group], columns="timepoint", values="value",
                            aggfunc="first", observed=True).reset_index()
    for t in timepoints:
        if t not in wide:
            wide[t] = np.nan
    wide.columns.name = None
    return wide


def _favours(row: dict, better: str) -> str:
    low, high, null = row["ci_low"], row["ci_high"], row["null"]
    if pd.isna(low) or pd.isna(high) or low <= null <= high:
        return "unclear"
    above = low > null
    return "mentored" if above == (better == "higher") else "comparison"


def _continuous(wide, group, baseline, post, treated, control, confidence) -> dict:
    counts = wide.dropna(subset=[baseline, post]).groupby(group)["participant_id"].size()
    if counts.get(treated, 0) >= 2 and counts.get(control, 0) >= 2:
        r = ancova(wide, post, group, baseline, treated=treated, control=control, confidence=confidence).iloc[0]
        # g_adj = omega * difference / pooled SD (WWC); its CI scales the difference's t CI the same way,
        # treating the pooled SD as known (so it is a little narrow for small samples).
        scale = r["hedges_g_adj"] / r["estimate"] if r["estimate"] != 0 else np.nan
        return dict(analysis=f"{post} adjusted for {baseline} (ANCOVA)", method=r["method"],
                    n_treated=r["n_treated"], n_control=r["n_control"], estimate=r["estimate"], se=r["se"],
                    ci_low=r["ci_low"], ci_high=r["ci_high"], dof=r["dof"], null=0.0,
                    effect_size_name="hedges_g_adj", effect_size=r["hedges_g_adj"],
                    effect_size_ci_low=scale * r["ci_low"], effect_size_ci_high=scale * r["ci_high"],
                    p_val=r["p_val"], note=r["note"])
    r = compare_groups(wide, post, group, treated=treated, control=control, confidence=confidence).iloc[0]
    return dict(analysis=f"{post} only (no usable baseline in both groups)", method=r["method"],
                n_treated=r["n_treated"], n_control=r["n_control"], estimate=r["estimate"], se=r["se"],
                ci_low=r["ci_low"], ci_high=r["ci_high"], dof=r["dof"], null=0.0, effect_size_name="hedges_g",
                effect_size=r["hedges_g"],
                effect_size_ci_low=r["hedges_g_ci_low"], effect_size_ci_high=r["hedges_g_ci_high"],
                p_val=r["p_val"], note=r["note"])


def _binary(wide, group, post, treated, control, confidence) -> dict:
    table = compare_proportions(wide, post, group, treated=treated, control=control, confidence=confidence)
    rd, rr = table.iloc[0], table.iloc[1]
    fisher = table[table["method"].str.startswith("Fisher")].iloc[0]
    notes = "; ".join(n for n in table["note"].fillna("").unique() if n)
    return dict(analysis=f"{post}: difference in proportions", method=f"{rd['method']}; p from {fisher['method']}",
                n_treated=rd["n_treated"], n_control=rd["n_control"], estimate=rd["estimate"], se=rd["se"],
                ci_low=rd["ci_low"],
                ci_high=rd["ci_high"], null=0.0, effect_size_name="risk_ratio", effect_size=rr["estimate"],
                effect_size_ci_low=rr["ci_low"], effect_size_ci_high=rr["ci_high"], p_val=fisher["p_val"],
                note=notes)


def _count(wide, group, post, treated, control, confidence) -> dict:
    r = rate_ratio(wide, post, group, treated=treated, control=control, confidence=confidence).iloc[0]
    return dict(analysis=f"{post}: rate ratio", method=r["method"], n_treated=r["n_treated"],
                n_control=r["n_control"], estimate=r["estimate"], se=r["se"], ci_low=r["ci_low"],
                ci_high=r["ci_high"], null=1.0, effect_size_name="rate_ratio", effect_size=r["estimate"],
                effect_size_ci_low=r["ci_low"], effect_size_ci_high=r["ci_high"], p_val=r["p_val"], note=r["note"])


@renamed_arguments(group="between")
def compare_outcomes(
    outcomes: pd.DataFrame,
    participants: pd.DataFrame,
    measures: Sequence[str] | None = None,
    *,
    baseline: str = "baseline",
    post: str = "post",
    between: str = "group",
    treated: str = "mentored",
    control: str = "comparison",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mentored vs comparison on every measure, one row each, with Holm-adjusted p-values.

    Parameters
    ----------
    outcomes : long table (participant_id, measure, timepoint, value), as validated by
        :func:`cm_research.data.load_evaluation`.
    participants : table with participant_id and the group column ``between`` (was ``group``).
    measures : measures to analyse (default: every dictionary measure present in ``outcomes``).
    treated, control : the values of ``between`` for the mentees and the comparison group.

    Returns
    -------
    DataFrame with columns ``RESULT_COLUMNS``. ``estimate`` is the mentored minus comparison difference
    (or ratio for counts, ``null`` says which); ``se`` is the estimator's standard error on the scale its CI
    is built on (the log rate ratio for counts, whose exact CI is not built from it either), or for the
    risk difference, whose Newcombe CI is not built from one, its Wald SE (as ``metafor::escalc("RD")``, so a
    cross-site pooling weights it as ``rma`` would); NaN for a rank-based method; and ``dof`` the degrees of freedom of a t-based CI
    (ANCOVA, Welch; NaN for a normal or exact CI); ``favours`` is ``mentored``, ``comparison`` or ``unclear``
    (the CI includes no difference), read with the measure's direction of improvement. A measure that
    cannot be analysed gets a row of missing numbers with the reason in ``note``; it never stops the rest.

    Notes
    -----
    Holm (1979): order the m p-values p_(1) <= ... <= p_(m); p_holm_(i) = max_{j<=i} min(1, (m-j+1) p_(j)).
    """
    catalogue = measures_catalogue()
    present = list(dict.fromkeys(outcomes["measure"]))
    chosen = list(measures) if measures is not None else [m for m in catalogue.index if m in present]
    unknown = [m for m in chosen if m not in catalogue.index]
    if unknown:
        raise InsufficientDataError(
            f"unknown measure(s) {', '.join(unknown)}; the data dictionary lists {', '.join(catalogue.index)}"
        )
    data = _with_groups(outcomes, participants, between)
    rows = []
    for measure in chosen:
        spec = catalogue.loc[measure]
        base = dict(measure=measure, title=spec["title"], kind=spec["kind"], better=spec["better"])
        try:
            rows_m = data[data["measure"] == measure]
            if rows_m.empty:
                raise InsufficientDataError(f"no values of {measure} in the data")
            wide = _wide(rows_m, between, [baseline, post])
            if spec["kind"] == "continuous":
                result = _continuous(wide, between, baseline, post, treated, control, confidence)
            elif spec["kind"] == "binary":
                result = _binary(wide, between, post, treated, control, confidence)
            else:
                result = _count(wide, between, post, treated, control, confidence)
            result["favours"] = _favours(result, spec["better"])
        except (InsufficientDataError, ValueError) as exc:
            result = dict(analysis="not analysed", method="", note=str(exc), favours="unclear")
        rows.append({**base, **result})
    table = pd.DataFrame(rows).reindex(columns=RESULT_COLUMNS)
    table["small_sample"] = (table[["n_treated", "n_control"]].min(axis=1) < SMALL_GROUP).fillna(True)
    table["p_holm"] = holm(table["p_val"])
    return table


def holm(p_values: pd.Series) -> pd.Series:
    """Holm-adjusted p-values; missing p-values stay missing and do not count in m."""
    return adjust_p(p_values, "holm")


#: the methods of R's ``p.adjust`` we offer
ADJUSTMENTS = ("holm", "hochberg", "bonferroni", "BH", "BY")


def adjust_p(p_values: pd.Series | Sequence[float], method: str = "holm") -> pd.Series:
    """p-values adjusted for multiple comparisons, as R's ``p.adjust(p, method)``.

    ``method``: ``"holm"`` (Holm 1979, step-down; family-wise error rate under any dependence), ``"hochberg"``
    (Hochberg 1988, step-up; FWER for independent or positively dependent tests), ``"bonferroni"`` (m p),
    ``"BH"`` (Benjamini & Hochberg 1995; false discovery rate, independent or positively dependent tests:
    p_(i) m / i made monotone from the largest down), ``"BY"`` (Benjamini & Yekutieli 2001; FDR under any
    dependence, BH times sum_{j<=m} 1/j). Every adjusted p is capped at 1. Missing p-values stay missing and do
    not count in m, as in ``p.adjust``'s default ``n``.

    Example
    -------
    >>> [round(v, 3) for v in adjust_p([0.01, 0.04, 0.03], "BH")]
    [0.03, 0.04, 0.04]
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"adjust_p: `method` must be one of {', '.join(map(repr, ADJUSTMENTS))} (R's p.adjust "
                         f"names), not {method!r}.")
    p = pd.to_numeric(pd.Series(p_values), errors="coerce")
    outside = p[(p < 0) | (p > 1)]
    if len(outside):
        raise ValueError(f"adjust_p: p-values must be between 0 and 1; position(s) "
                         f"{', '.join(str(i) for i in outside.index[:5])} hold {', '.join(map(str, outside[:3]))}.")
    out = pd.Series(np.nan, index=p.index)
    ok = p.notna()
    if ok.any():
        out[ok] = _p_adjust(p[ok].to_numpy(float), method)
    return out


def _p_adjust(p: np.ndarray, method: str) -> np.ndarray:
    """R's p.adjust on non-missing p (m = len(p)); written out because statsmodels' multipletests runs a full
    garbage collection on every Holm call (about a second in a large session)."""
    m = len(p)
    if method == "bonferroni":
        return np.minimum(m * p, 1.0)
    if method == "holm":  # step down: max over j <= i of (m - j + 1) p_(j)
        order = np.argsort(p, kind="stable")
        adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    else:  # step up, from the largest p: min over j >= i of c_j p_(j)
        order = np.argsort(-p, kind="stable")
        rank = np.arange(m, 0, -1)  # i of p_(i) for the p in decreasing order
        factor = {"hochberg": m + 1 - rank, "BH": m / rank,
                  "BY": m / rank * np.sum(1 / np.arange(1, m + 1))}[method]
        adjusted = np.minimum.accumulate(factor * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


@renamed_arguments(group="between", group_value="treated")
def change_within_group(
    outcomes: pd.DataFrame,
    participants: pd.DataFrame,
    measures: Sequence[str] | None = None,
    *,
    treated: str = "mentored",
    baseline: str = "baseline",
    post: str = "post",
    between: str = "group",
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 12345,
) -> pd.DataFrame:
    """Before/after change within one group (``treated``, default the mentees; was ``group_value``, and the group
    column ``between`` was ``group``) for every continuous or count measure with both timepoints: the rows of
    :func:`paired_change` (paired t with d_z and g_av, Wilcoxon signed-rank, bootstrap CI), labelled by measure,
    with the measure's direction of improvement."""
    catalogue = measures_catalogue()
    data = _with_groups(outcomes, participants, between)
    data = data[data[between] == treated]
    chosen = list(measures) if measures is not None else list(catalogue.index)
    tables = []
    for measure in chosen:
        if measure not in catalogue.index or catalogue.loc[measure, "kind"] == "binary":
            continue
        rows = data[data["measure"] == measure]
        if not {baseline, post} <= set(rows["timepoint"]):
            continue
        try:
            table = paired_change(rows, "value", "timepoint", "participant_id", baseline, post,
                                  confidence=confidence, n_boot=n_boot, seed=seed)
        except InsufficientDataError as exc:
            table = pd.DataFrame([{"method": "not analysed", "note": str(exc)}])
        table["measure"] = measure
        table.insert(1, "better", catalogue.loc[measure, "better"])
        table.insert(1, "group", treated)
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=["measure", "group", "better", "method", "note"])
    return pd.concat(tables, ignore_index=True)
