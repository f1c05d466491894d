"""Intraclass correlation coefficients: the six forms of Shrout & Fleiss (1979), with F tests and CIs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.contract import ci_quantile, tidy

#: (type, what it measures) in the order of Shrout & Fleiss (1979) and R's psych::ICC
ICC_FORMS = (
    ("ICC1", "single rater, absolute agreement, one-way random"),
    ("ICC2", "single rater, absolute agreement, two-way random"),
    ("ICC3", "single rater, consistency, two-way mixed"),
    ("ICC1k", "mean of k raters, absolute agreement, one-way random"),
    ("ICC2k", "mean of k raters, absolute agreement, two-way random"),
    ("ICC3k", "mean of k raters, consistency, two-way mixed"),
)


def icc(ratings: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """The six intraclass correlations of Shrout & Fleiss (1979) for n targets each rated by the same k raters.

    Parameters
    ----------
    ratings : one row per target (a young person, a transcript), one column per rater; numbers.
        A target missing a rating is left out (listwise) and counted in `n_dropped` and `note`, where R's
        ``psych::ICC(lmer = FALSE)`` stops with an error.
    confidence : level of the CIs.

    Returns
    -------
    Six rows, ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k: `method`, `type`, `n` (targets), `n_raters`,
    `n_dropped`, `estimate`, `ci_low`, `ci_high`, `statistic` (F), `dof` (numerator), `dof_den`, `p_val`
    (one-sided, H0: ICC = 0), `note`.

    Notes
    -----
    From the two-way ANOVA of the ratings: MSB (between targets, n - 1 df), MSJ (between raters, k - 1 df),
    MSE (residual, (n - 1)(k - 1) df) and MSW = (SSJ + SSE) / (n (k - 1)) (within targets, one-way):

    * ICC1 = (MSB - MSW) / (MSB + (k - 1) MSW); ICC1k = (MSB - MSW) / MSB; F = MSB / MSW on n - 1, n(k - 1).
    * ICC2 = (MSB - MSE) / (MSB + (k - 1) MSE + k (MSJ - MSE) / n); ICC2k = (MSB - MSE) / (MSB + (MSJ - MSE) / n).
    * ICC3 = (MSB - MSE) / (MSB + (k - 1) MSE); ICC3k = (MSB - MSE) / MSB; F = MSB / MSE on n - 1, (n-1)(k-1).
    * CIs of ICC1 and ICC3 (and their k forms) from the F distribution: F_L = F / F_(1-α/2; df1, df2),
      F_U = F · F_(1-α/2; df2, df1); ICC1 limits (F_L - 1) / (F_L + k - 1), ICC1k limits 1 - 1/F_L, and so on.
      ICC2 (and ICC2k, by Spearman-Brown) uses Satterthwaite's approximate df v for the denominator
      (Shrout & Fleiss 1979, eq. 6; McGraw & Wong 1996, Table 7), as ``psych::ICC`` does.
    * All estimates are the ANOVA (method-of-moments) ones, as ``psych::ICC(lmer = FALSE)``; psych's default
      ``lmer = TRUE`` takes the mean squares from REML variance components, which agree unless a component
      is estimated at its boundary 0. Fewer than 2 targets or raters, or ratings without variation (MSB = 0
      and no error): NaN with a `note`.

    References
    ----------
    Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in assessing rater reliability. Psychol Bull
    86:420-428. McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation coefficients.
    Psychol Methods 1:30-46.

    Example (Shrout & Fleiss 1979, Table 2: ICC(1,1) = .17, ICC(2,1) = .29, ICC(3,1) = .71)
    -------
    >>> sf = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2], "J3": [5, 3, 6, 2, 6, 4],
    ...                    "J4": [8, 2, 8, 6, 9, 7]})
    >>> [round(float(v), 2) for v in icc(sf)["estimate"][:3]]
    [0.17, 0.29, 0.71]
    """
    ci_quantile(confidence)  # checks 0 < confidence < 1
    alpha = 1 - confidence
    numeric = ratings.apply(pd.to_numeric, errors="coerce")
    complete = numeric.dropna()
    n_dropped = len(numeric) - len(complete)
    x = complete.to_numpy(dtype=float)
    n, k = x.shape
    notes = [f"{n_dropped} target(s) missing a rating left out"] if n_dropped else []
    nan = math.nan
    base = {"n": n, "n_raters": k, "n_dropped": n_dropped}
    empty = {"estimate": nan, "ci_low": nan, "ci_high": nan, "statistic": nan, "dof": nan, "dof_den": nan,
             "p_val": nan}

    def rows(values: dict[str, dict], note: str) -> pd.DataFrame:
        return tidy([{"method": f"{kind} ({what})", "type": kind, **base, **values.get(kind, empty),
                      "note": note} for kind, what in ICC_FORMS])

    if n < 2 or k < 2:
        return rows({}, "; ".join(notes + ["an ICC needs at least 2 targets each rated by at least 2 raters"]))
    grand = x.mean()
    ss_b = k * np.sum((x.mean(axis=1) - grand) ** 2)
    ss_j = n * np.sum((x.mean(axis=0) - grand) ** 2)
    ss_e = np.sum((x - grand) ** 2) - ss_b - ss_j
    df_b, df_j, df_e, df_w = n - 1, k - 1, (n - 1) * (k - 1), n * (k - 1)
    msb, msj, mse, msw = ss_b / df_b, ss_j / df_j, max(ss_e, 0.0) / df_e, (ss_j + max(ss_e, 0.0)) / df_w
    if msb == 0 and mse == 0:
        why = "every rating is the same: there is no variation to attribute, so every ICC is undefined"
        return rows({}, "; ".join(notes + [why]))
    if mse == 0:
        # no residual: the raters are perfectly consistent (and, with MSW = 0, agree exactly). R's psych::ICC
        # reports ICC 1 with CI (1, 1) here, through an F of about 1e30 from rounding; we say it outright.
        perfect = {"estimate": 1.0, "ci_low": 1.0, "ci_high": 1.0, "statistic": math.inf, "dof": float(df_b),
                   "p_val": 0.0}
        values = {kind: {**perfect, "dof_den": float(df_e)} for kind in ("ICC3", "ICC3k")}
        if msw == 0:
            values.update({kind: {**perfect, "dof_den": float(d)} for kind, d in
                           (("ICC1", df_w), ("ICC1k", df_w), ("ICC2", df_e), ("ICC2k", df_e))})
            why = "every rater gave each target the same rating: perfect agreement, ICC = 1"
        else:
            why = ("the raters differ only by a constant shift (no residual variation): the consistency ICCs "
                   "are 1, the absolute-agreement ones are not computed")
        return rows(values, "; ".join(notes + [why]))

    def f_limits(f: float, df1: float, df2: float) -> tuple[float, float]:
        return f / stats.f.ppf(1 - alpha / 2, df1, df2), f * stats.f.ppf(1 - alpha / 2, df2, df1)

    def single_and_average(ms_error: float, df_error: float) -> tuple[dict, dict, float, float]:
        """ICC(·,1) and ICC(·,k) from the targets' mean square against ``ms_error``, with their F-based CIs
        (Shrout & Fleiss 1979), and the F test's statistic and p."""
        f = msb / ms_error
        lo, hi = f_limits(f, df_b, df_error)
        single = {"estimate": (msb - ms_error) / (msb + (k - 1) * ms_error), "ci_low": (lo - 1) / (lo + k - 1),
                  "ci_high": (hi - 1) / (hi + k - 1)}
        average = {"estimate": (msb - ms_error) / msb, "ci_low": 1 - 1 / lo, "ci_high": 1 - 1 / hi}
        return single, average, f, float(stats.f.sf(f, df_b, df_error))

    values: dict[str, dict] = {}
    values["ICC1"], values["ICC1k"], f1, p1 = single_and_average(msw, df_w)
    for kind in ("ICC1", "ICC1k"):
        values[kind].update(statistic=f1, dof=float(df_b), dof_den=float(df_w), p_val=p1)
    values["ICC3"], values["ICC3k"], f3, p3 = single_and_average(mse, df_e)

    icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
    # Satterthwaite df of the denominator mean square (Shrout & Fleiss 1979, eq. 6)
    a_, b_ = k * icc2 / (n * (1 - icc2)), 1 + k * icc2 * (n - 1) / (n * (1 - icc2))
    v = (a_ * msj + b_ * mse) ** 2 / ((a_ * msj) ** 2 / df_j + (b_ * mse) ** 2 / df_e)
    f_star_u, f_star_l = stats.f.ppf(1 - alpha / 2, df_b, v), stats.f.ppf(1 - alpha / 2, v, df_b)
    denom = k * msj + (k * n - k - n) * mse
    low2 = n * (msb - f_star_u * mse) / (f_star_u * denom + n * msb)
    high2 = n * (f_star_l * msb - mse) / (denom + n * f_star_l * msb)
    values["ICC2"] = {"estimate": icc2, "ci_low": low2, "ci_high": high2}
    values["ICC2k"] = {"estimate": (msb - mse) / (msb + (msj - mse) / n),
                       "ci_low": low2 * k / (1 + low2 * (k - 1)), "ci_high": high2 * k / (1 + high2 * (k - 1))}
    for kind in ("ICC2", "ICC2k", "ICC3", "ICC3k"):
        values[kind].update(statistic=f3, dof=float(df_b), dof_den=float(df_e), p_val=p3)
    if n < 5:
        notes.append(f"only {n} targets: the CIs are very wide")
    return rows(values, "; ".join(notes))
