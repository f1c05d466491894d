"""Comparisons of a mentored group with a comparison group on a continuous outcome."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from cm_research.contract import InsufficientDataError, ci_quantile, join_notes, split_two_groups, tidy
from ._effsize import hedges_j, noncentral_t_limits, rank_biserial_limits

__all__ = ["compare_groups", "ancova"]


def compare_groups(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    *,
    treated: object = "mentored",
    control: object = "comparison",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare an outcome between two independent groups (treated - control).

    Parameters
    ----------
    data : DataFrame
        One row per participant.
    dv : str
        Column of the outcome.
    between : str
        Column of the group label.
    treated, control : object
        Labels of the two groups in `between`; rows in other groups are left out
        (and counted in `note`).
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    DataFrame with two rows, both with `measure`, `n` (= `n_treated` + `n_control`),
    `n_treated`, `n_control`, `n_dropped` (rows of the two groups with the outcome missing):

    * ``Welch two-sample t-test``: `estimate` = mean difference, `se` = sqrt(s_1²/n_1 + s_2²/n_2),
      Welch CI, `statistic` = t, `dof` (Welch–Satterthwaite), `p_val`, `hedges_g` with CI.
    * ``Mann-Whitney U test (...)``: `estimate` = difference in medians (descriptive,
      no `se`, no CI), `statistic` = U of the treated group (R's W), `p_val`, `rank_biserial`.

    Notes
    -----
    * Welch (1947): t = (m_1 - m_2) / sqrt(s_1²/n_1 + s_2²/n_2) with
      Welch–Satterthwaite degrees of freedom; R's ``t.test`` default. (pingouin's
      ``ttest`` only uses Welch when the group sizes differ unless ``correction=True``.)
    * Hedges' g = J(n_1 + n_2 - 2) (m_1 - m_2) / s_p, s_p the pooled SD with
      n_1 + n_2 - 2 df, J the exact correction Γ(m/2) / (sqrt(m/2) Γ((m-1)/2))
      (Hedges 1981). CI: noncentral-t limits for the pooled-variance t, times
      J sqrt(1/n_1 + 1/n_2) (Steiger & Fouladi 1997), as R's ``effectsize::hedges_g``.
      The effect size pools the SDs even though the test does not.
    * Mann-Whitney U with R's ``wilcox.test`` rules: exact p when both groups have
      fewer than 50 values and there are no ties, else normal approximation with
      continuity correction and tie-corrected variance. Rank-biserial
      r = 2 U / (n_1 n_2) - 1 (Glass 1965), positive when the treated group is higher, with the CI
      tanh(atanh(r) ± z sqrt((n_1 + n_2 + 1) / (3 n_1 n_2))) of R's ``effectsize::rank_biserial``
      (`rank_biserial_ci_low`, `rank_biserial_ci_high`; none at r = ±1, said in `note`).

    References
    ----------
    Welch, B. L. (1947). Biometrika, 34, 28-35.
    Hedges, L. V. (1981). Journal of Educational Statistics, 6, 107-128.
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation. In
    What If There Were No Significance Tests? (pp. 221-257). Erlbaum.

    Example
    -------
    >>> import pandas as pd
    >>> from cm_research.stats import compare_groups
    >>> df = pd.DataFrame({"group": ["mentored"] * 4 + ["comparison"] * 4,
    ...                    "attendance_pct": [92, 88, 95, 81, 85, 79, 90, 74]})
    >>> res = compare_groups(df, "attendance_pct")
    >>> float(res.loc[0, "estimate"])
    7.0
    """
    where = "compare_groups"
    ci_quantile(confidence)
    g1, g2, n_dropped, notes = split_two_groups(data, [dv], between, treated, control, where)
    x, y = g1[dv].to_numpy(), g2[dv].to_numpy()
    common = {"measure": dv, "n": len(x) + len(y), "n_treated": len(x), "n_control": len(y),
              "n_dropped": n_dropped}
    rows = [{**common, **_welch(x, y, confidence)}, {**common, **_mann_whitney(x, y, confidence)}]
    for row in rows:
        row["note"] = join_notes(notes, row.get("note"))
    return tidy(rows)


def _welch(x: np.ndarray, y: np.ndarray, confidence: float) -> dict:
    nan = math.nan
    n1, n2 = len(x), len(y)
    # every statistic here is shift-free; values far from 0 (1e9 + a few) are centred first, exactly (Sterbenz),
    # so means and variances keep the digits R's long-double mean keeps rather than losing ~1e-7 of them
    shift = float(np.median(np.concatenate([x, y])))
    x, y = x.astype(float) - shift, y.astype(float) - shift
    row = {"method": "Welch two-sample t-test", "estimate": float(x.mean() - y.mean()), "se": nan}
    row.update(ci_low=nan, ci_high=nan, statistic=nan, dof=nan, p_val=nan)
    row.update(hedges_g=nan, hedges_g_ci_low=nan, hedges_g_ci_high=nan)
    notes = []
    v1 = x.var(ddof=1) if n1 > 1 else nan
    v2 = y.var(ddof=1) if n2 > 1 else nan
    if n1 < 2 or n2 < 2:
        notes.append("Welch's t-test needs at least 2 values in each group")
    elif v1 == 0 and v2 == 0:
        notes.append("every value within each group is the same (SD 0 in both groups): t-test undefined")
    else:
        res = stats.ttest_ind(x, y, equal_var=False)
        ci = res.confidence_interval(confidence)
        row.update(
            se=math.sqrt(v1 / n1 + v2 / n2),  # sqrt(s1²/n1 + s2²/n2), R's t.test()$stderr
            ci_low=float(ci.low), ci_high=float(ci.high), statistic=float(res.statistic),
            dof=float(res.df), p_val=float(res.pvalue),
        )
    dof_pooled = n1 + n2 - 2
    if dof_pooled < 1:
        notes.append("Hedges' g needs at least 3 values in all")
    else:
        ss = (n1 - 1) * (0 if n1 < 2 else v1) + (n2 - 1) * (0 if n2 < 2 else v2)
        sd_pooled = math.sqrt(ss / dof_pooled)
        j = hedges_j(dof_pooled)
        if sd_pooled == 0:
            notes.append("pooled SD is 0 (no variation within groups): Hedges' g undefined")
        elif not np.isfinite(j):
            notes.append("Hedges' g needs at least 3 values in all (J(1) is undefined)")
        else:
            scale = math.sqrt(1 / n1 + 1 / n2)
            diff = row["estimate"]
            row["hedges_g"] = j * diff / sd_pooled
            low, high = noncentral_t_limits(diff / (sd_pooled * scale), dof_pooled, confidence)
            row.update(hedges_g_ci_low=low * scale * j, hedges_g_ci_high=high * scale * j)
    row["note"] = join_notes(notes)
    return row


def _mann_whitney(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> dict:
    n1, n2 = len(x), len(y)
    pooled = np.concatenate([x, y])
    ranks = stats.rankdata(pooled)
    u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
    _, tie_counts = np.unique(pooled, return_counts=True)
    ties = bool(np.any(tie_counts > 1))
    row = {
        "estimate": float(np.median(x) - np.median(y)),
        "se": math.nan,  # no standard error for a difference in medians
        "statistic": u,
        "rank_biserial": 2 * u / (n1 * n2) - 1,
    }
    notes = ["estimate is the difference in medians (no CI)"]
    low, high, why = rank_biserial_limits(row["rank_biserial"], math.sqrt((n1 + n2 + 1) / (3 * n1 * n2)), confidence)
    row.update(rank_biserial_ci_low=low, rank_biserial_ci_high=high)
    notes.append(why)
    if n1 < 50 and n2 < 50 and not ties:
        row["method"] = "Mann-Whitney U test (exact)"
        row["p_val"] = float(stats.mannwhitneyu(x, y, method="exact").pvalue)
    else:
        row["method"] = "Mann-Whitney U test (normal approximation, continuity correction)"
        n = n1 + n2
        var = n1 * n2 / 12 * ((n + 1) - np.sum(tie_counts**3 - tie_counts) / (n * (n - 1)))
        if var <= 0:
            row["p_val"] = math.nan
            notes.append("every value is the same in both groups: the test is undefined")
        else:
            centred = u - n1 * n2 / 2
            z = (centred - 0.5 * np.sign(centred)) / math.sqrt(var)
            row["p_val"] = float(2 * stats.norm.sf(abs(z)))
        notes.append("p-value not exact because of " + ("ties" if ties else "group size >= 50"))
    row["note"] = join_notes(notes)
    return row


def ancova(
    data: pd.DataFrame,
    dv: str,
    between: str,
    covariate: str,
    *,
    treated: object = "mentored",
    control: object = "comparison",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Group difference adjusted for a baseline covariate (ANCOVA by least squares).

    Fits ``dv ~ 1 + group + covariate`` (group coded 1 for `treated`, 0 for
    `control`) by ordinary least squares (statsmodels OLS), one row per participant.

    Parameters
    ----------
    data : DataFrame
        One row per participant with the outcome, the group and the covariate.
    dv, between, covariate : str
        Columns of the outcome (e.g. post-test), the group label and the covariate
        (e.g. baseline score).
    treated, control : object
        Labels of the two groups in `between`.
    confidence : float
        Level of the confidence interval.

    Returns
    -------
    DataFrame with one row: `estimate` = adjusted difference (treated - control), its
    OLS standard error `se` and t CI, `statistic` = t, `dof` = n - 3, `p_val`, `slope` (covariate
    coefficient), `sd_pooled` and `hedges_g_adj`.

    Notes
    -----
    Standardised effect: g_adj = ω b / s_p, b the adjusted difference, s_p the pooled
    within-group SD of the *unadjusted* outcome (n_1 + n_2 - 2 df) and
    ω = 1 - 3 / (4N - 9), as in the What Works Clearinghouse Procedures and
    Standards Handbook (v5.0, 2022). It is on the same scale as an unadjusted g;
    dividing by the residual SD instead would inflate it. No CI is given for it.
    The model assumes the slope on the covariate is the same in both groups.

    References
    ----------
    What Works Clearinghouse (2022). Procedures and Standards Handbook, Version 5.0.
    Huitema, B. (2011). The Analysis of Covariance and Alternatives (2nd ed.). Wiley.

    Example
    -------
    >>> import pandas as pd
    >>> from cm_research.stats import ancova
    >>> df = pd.DataFrame({"group": ["mentored"] * 4 + ["comparison"] * 4,
    ...                    "sdq_post": [14, 17, 12, 20, 18, 21, 15, 22],
    ...                    "sdq_baseline": [18, 20, 15, 23, 19, 22, 16, 24]})
    >>> res = ancova(df, "sdq_post", "group", "sdq_baseline")
    >>> res.loc[0, "method"]
    'ANCOVA (OLS: sdq_post ~ group + sdq_baseline)'
    """
    where = "ancova"
    ci_quantile(confidence)
    if covariate == dv:
        raise ValueError(f"{where}: the outcome and the covariate are the same column `{dv}`.")
    g1, g2, n_dropped, notes = split_two_groups(data, [dv, covariate], between, treated, control, where)
    n1, n2 = len(g1), len(g2)
    n = n1 + n2
    nan = math.nan
    row = {
        "measure": dv,
        "method": f"ANCOVA (OLS: {dv} ~ group + {covariate})",
        "n": n,
        "n_treated": n1,
        "n_control": n2,
        "n_dropped": n_dropped,
        "estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "statistic": nan, "dof": nan, "p_val": nan,
        "slope": nan, "sd_pooled": nan, "hedges_g_adj": nan,
    }
    if n < 4:
        raise InsufficientDataError(
            f"{where}: ANCOVA estimates 3 coefficients and needs at least 4 participants with "
            f"`{dv}` and `{covariate}`; there are {n}."
        )
    # centred: the group coefficient, its SE and the slope do not change, but values far from 0 (a date, an
    # ID-like score of 1e9 ± 10) no longer make the covariate look collinear with the intercept, as they do in
    # R's lm (whose QR drops it, tolerance 1e-7) and in a rank check on the raw design
    y = np.concatenate([g1[dv], g2[dv]]).astype(float)
    z = np.concatenate([g1[covariate], g2[covariate]]).astype(float)
    y_mean = y.mean()
    y, z = y - y_mean, z - z.mean()
    group = np.r_[np.ones(n1), np.zeros(n2)]
    design = np.column_stack([np.ones(n), group, z])
    if np.linalg.matrix_rank(design) < 3:
        notes.append(
            f"`{covariate}` does not vary apart from the group (or at all): the adjusted difference "
            "cannot be separated from the covariate"
        )
        row["note"] = join_notes(notes)
        return tidy([row])
    fit = sm.OLS(y, design).fit()
    ci = fit.conf_int(alpha=1 - confidence)
    row.update(
        estimate=float(fit.params[1]), se=float(fit.bse[1]), ci_low=float(ci[1, 0]), ci_high=float(ci[1, 1]),
        statistic=float(fit.tvalues[1]), dof=float(fit.df_resid), p_val=float(fit.pvalues[1]),
        slope=float(fit.params[2]),
    )
    fitted = fit.fittedvalues + y_mean
    # R's summary.lm test for "essentially perfect fit": residual variance below 1e-30 of the fitted values' mean
    # square; there the SE is rounding noise and t and p (R prints them, with a warning) mean nothing
    if fit.df_resid > 0 and fit.ssr / fit.df_resid < (fitted.mean() ** 2 + fitted.var(ddof=1)) * 1e-30:
        notes.append("the model fits the data exactly (residual SD 0): CI, t and p undefined")
        row.update(se=nan, ci_low=nan, ci_high=nan, statistic=nan, p_val=nan)
    ss = np.sum((g1[dv] - g1[dv].mean()) ** 2) + np.sum((g2[dv] - g2[dv].mean()) ** 2)
    sd_pooled = math.sqrt(ss / (n - 2))
    row["sd_pooled"] = sd_pooled
    if sd_pooled == 0:
        notes.append(f"`{dv}` does not vary within groups (pooled SD 0): g_adj undefined")
    else:
        row["hedges_g_adj"] = (1 - 3 / (4 * n - 9)) * row["estimate"] / sd_pooled
    row["note"] = join_notes(notes)
    return tidy([row])
