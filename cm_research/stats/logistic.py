"""Odds ratio of a yes/no outcome between two groups, adjusted for covariates, by logistic regression."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, stats

from cm_research.contract import InsufficientDataError, ci_quantile, critical_value, join_notes, split_two_groups, tidy
from .proportions import _binary

#: fitted probabilities this close to 0 or 1 mean the outcome is (quasi-)perfectly predicted
_SEPARATION_EPS = 1e-8


def _fit(y: np.ndarray, design: np.ndarray, offset: np.ndarray | None = None):
    with warnings.catch_warnings(), np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")  # separation warnings: detected below from the fitted probabilities
        fit = sm.GLM(y, design, family=sm.families.Binomial(), offset=offset).fit(tol=1e-12, maxiter=200)
        fit.mu, fit.llf  # computed lazily: computed here, where overflow under separation is expected
        return fit


def logistic_regression(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    covariates: Sequence[str] = (),
    *,
    treated: object = "mentored",
    control: object = "comparison",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Odds ratio (treated / control) of a 1/0 outcome from ``glm(dv ~ group + covariates, binomial)``.

    Parameters
    ----------
    data
        One row per participant: the outcome coded 1/0 (or True/False), the group label and any covariates
        (numbers; code a category as 0/1 columns). Rows missing any of them are left out and counted.
    covariates
        Columns to adjust for (e.g. prior attainment, years in care); none gives the unadjusted odds ratio.

    Returns
    -------
    One row: `method`, `n`, `n_treated`, `n_control`, `n_dropped`, `n_events`, `estimate` (odds ratio
    exp(b)), `se` (of b = log OR), `ci_low`, `ci_high` (Wald: exp(b ± z se), R's ``confint.default``),
    `statistic` (Wald z), `p_val` (two-sided, as ``summary(glm)``), `profile_ci_low`, `profile_ci_high`
    (profile-likelihood limits, R's ``confint(glm)``), `covariates`, `note`.

    Notes
    -----
    Maximum likelihood, logit link: logit P(y = 1) = b0 + b treated + c' covariates (Hosmer, Lemeshow &
    Sturdivant 2013). The profile-likelihood limits solve 2 [l(b̂) - max_c l(b, c)] = χ²_{1, confidence},
    the nuisance coefficients refitted at each b (Venables & Ripley 2002); with few children they are the
    better interval (the Wald one is symmetric on the log scale and too narrow when events are few).
    R's ``confint`` interpolates the profile on a grid, so its limits agree with ours to about 1e-4.

    * Separation (some combination of group and covariates predicts the outcome perfectly, e.g. no mentored
      child was NEET): the maximum-likelihood odds ratio is 0 or infinite. R's ``glm`` warns "fitted
      probabilities numerically 0 or 1 occurred" and prints a huge coefficient with a huge SE; we give NaN
      and say so (use Fisher's exact test in :func:`compare_proportions`, or Firth's penalised likelihood).
    * Fewer than 10 events (or non-events) per coefficient: a `note` warns that the estimates are unstable
      (Peduzzi et al. 1996).

    References
    ----------
    Hosmer DW, Lemeshow S, Sturdivant RX (2013). Applied Logistic Regression, 3rd ed. Wiley.
    Venables WN, Ripley BD (2002). Modern Applied Statistics with S, 4th ed., §8.4 (profile likelihood).
    Peduzzi P et al. (1996). J Clin Epidemiol 49:1373-1379.

    Example
    -------
    >>> df = pd.DataFrame({"group": ["mentored"] * 6 + ["comparison"] * 6,
    ...                    "eet": [1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0]})
    >>> round(float(logistic_regression(df, "eet").loc[0, "estimate"]), 3)  # (4/2) / (2/4)
    4.0
    """
    where = "logistic_regression"
    ci_quantile(confidence)
    covariates = list(covariates)
    if dv in covariates or between in covariates:
        raise ValueError(f"{where}: the outcome `{dv}` and the group `{between}` cannot also be covariates.")
    checked = data.copy()
    if dv in checked:
        checked[dv] = _binary(checked[dv], dv, where)
    g1, g2, n_dropped, notes = split_two_groups(checked, [dv, *covariates], between, treated, control, where)
    frame = pd.concat([g1, g2])
    y = frame[dv].to_numpy(float)
    group = np.r_[np.ones(len(g1)), np.zeros(len(g2))]
    x_cov = frame[covariates].to_numpy(float) if covariates else np.empty((len(y), 0))
    design = np.column_stack([np.ones(len(y)), group, x_cov])
    n, events = len(y), int(y.sum())
    row = {"method": "Logistic regression (maximum likelihood)", "n": n, "n_treated": len(g1),
           "n_control": len(g2), "n_dropped": n_dropped, "n_events": events}
    nan = math.nan
    row.update(estimate=nan, se=nan, ci_low=nan, ci_high=nan, statistic=nan, p_val=nan, profile_ci_low=nan,
               profile_ci_high=nan, covariates=", ".join(covariates))
    n_coef = design.shape[1]
    if events == 0 or events == n:
        notes.append("every participant had the same outcome: the odds ratio is undefined")
        return tidy([{**row, "note": join_notes(notes)}])
    if n <= n_coef:
        raise InsufficientDataError(f"{where}: {n} participant(s) with every value cannot estimate {n_coef} "
                                    "coefficients; use fewer covariates.")
    if np.linalg.matrix_rank(design) < n_coef:
        raise InsufficientDataError(f"{where}: the covariates {', '.join(map(repr, covariates))} do not vary "
                                    "independently of each other and the group (one is constant or a "
                                    "combination of others); leave the redundant one out.")
    fit = _fit(y, design)
    fitted = np.asarray(fit.mu)
    if np.any(fitted < _SEPARATION_EPS) or np.any(fitted > 1 - _SEPARATION_EPS):
        notes.append("the outcome is perfectly predicted for some children (separation): the maximum-likelihood "
                     "odds ratio is 0 or infinite and its CI undefined (R's glm warns 'fitted probabilities "
                     "numerically 0 or 1' and prints a huge estimate); use Fisher's exact test "
                     "(compare_proportions) or a penalised (Firth) model")
        return tidy([{**row, "note": join_notes(notes)}])
    b, se = float(fit.params[1]), float(fit.bse[1])
    q = critical_value(confidence)
    z = b / se
    row.update(estimate=math.exp(b), se=se, ci_low=math.exp(b - q * se), ci_high=math.exp(b + q * se),
               statistic=z, p_val=float(2 * stats.norm.sf(abs(z))))
    low, high = _profile_limits(y, design, fit, confidence)
    row.update(profile_ci_low=math.exp(low), profile_ci_high=math.exp(high))
    fewest = min(events, n - events)
    if fewest < 10 * (n_coef - 1):
        notes.append(f"{fewest} {'events' if events <= n - events else 'non-events'} for {n_coef - 1} "
                     "coefficient(s) (fewer than 10 each): estimates unstable; prefer the profile-likelihood CI")
    return tidy([{**row, "note": join_notes(notes)}])


def _profile_limits(y: np.ndarray, design: np.ndarray, fit, confidence: float) -> tuple[float, float]:
    """Profile-likelihood limits of the group coefficient (column 1 of `design`)."""
    b_hat, se, ll_hat = float(fit.params[1]), float(fit.bse[1]), float(fit.llf)
    crit = float(stats.chi2.ppf(confidence, 1))
    others = np.delete(design, 1, axis=1)

    def excess(b: float) -> float:
        return 2 * (ll_hat - float(_fit(y, others, offset=b * design[:, 1]).llf)) - crit

    limits = []
    for sign in (-1, 1):
        step, far = se, b_hat + sign * se
        while excess(far) < 0:
            step *= 2
            far = b_hat + sign * step
            if step > 50 * max(se, 1):
                return math.nan, math.nan
        limits.append(optimize.brentq(excess, *sorted((b_hat, far)), xtol=1e-12, rtol=1e-14))
    return limits[0], limits[1]
