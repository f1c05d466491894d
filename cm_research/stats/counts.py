"""Count outcomes (suspensions, missed sessions): rate ratios between two groups."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from cm_research.contract import InsufficientDataError, ci_quantile, critical_value, join_notes, split_two_groups, tidy

__all__ = ["rate_ratio"]

MODELS = ("auto", "poisson", "negative_binomial", "exact")


def rate_ratio(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    *,
    exposure: str | None = None,
    treated: object = "mentored",
    control: object = "comparison",
    confidence: float = 0.95,
    model: str = "auto",
    overdispersion_alpha: float = 0.5,
) -> pd.DataFrame:
    """Rate ratio (treated / control) of a count outcome, Poisson or negative binomial.

    Parameters
    ----------
    data : DataFrame
        One row per participant.
    dv : str
        Column of the counts (whole numbers >= 0), e.g. number of suspensions.
    between : str
        Column of the group label.
    exposure : str, optional
        Column of each participant's time at risk (e.g. school days on roll), > 0;
        enters as offset log(exposure). Without it every participant counts 1.
    treated, control : object
        Labels of the compared groups.
    confidence : float
        Level of the confidence interval.
    model : {"auto", "poisson", "negative_binomial", "exact"}
        "auto" fits a Poisson GLM and switches to a negative binomial (NB2) GLM when
        the Cameron–Trivedi test finds overdispersion at `overdispersion_alpha`.
        "exact" is the conditional binomial test and Clopper–Pearson CI (R's
        ``poisson.test``), also used automatically when a group has no events.
    overdispersion_alpha : float
        Level of the one-sided overdispersion test in "auto". The default 0.5 switches to
        the negative binomial whenever the estimated overdispersion is positive (z > 0): at
        a Virtual School's sizes the test rarely reaches 0.05, and a Poisson CI on
        overdispersed counts is far too narrow (80-83% in ``benchmarks/coverage_ci.py``). There
        (NB2 counts, α = 0.5, rate ratio 1.5; 300-400 samples per cell) 95% CIs covered 89%,
        90% and 91% at 5, 10 and 20 per group with a 0.05 test; with 0.5, 91%, 90-93% and
        92-95% (two seeds), and Poisson counts kept 95-96% either way. The negative binomial
        CI itself covers only about 87% at 5 per group and 93% at 10: small samples of
        overdispersed counts give approximate CIs whatever the model.

    Returns
    -------
    DataFrame with one row: `n`, `n_treated`, `n_control`, `n_dropped`;
    `events_*`, `exposure_*`, `rate_*` per group;
    `estimate` = rate ratio with `ci_low`, `ci_high`; `se` = the standard error of
    log(rate ratio), the scale the Wald CI is built on (R's ``summary(glm)`` SE of
    the group coefficient); for the exact method, whose CI is not built from an SE,
    it is sqrt(1/x_1 + 1/x_2) (metafor's ``sqrt(escalc("IRR")$vi)``), for weighting
    the ratio in a pooling, and NaN when a group has no events (log RR is infinite;
    escalc would add ½ to both counts, we do not); `statistic` = Wald z
    (NaN for the exact method); `p_val`; `dispersion` (Pearson X² / df of the
    Poisson fit); `overdispersion_z`, `overdispersion_p` (Cameron–Trivedi);
    `nb_alpha` (NB2 α = 1/θ, NaN unless the negative binomial was used);
    `method` names the model; `note` says why it was chosen.

    Notes
    -----
    * Poisson GLM, log link: log E[y] = β_0 + β_1 treated + log(exposure);
      RR = exp(β_1), Wald CI exp(β_1 ± z SE) (R ``confint.default``, not the
      profile-likelihood ``confint``).
    * Overdispersion (Cameron & Trivedi 1990, NB2 form): regress
      ((y - μ)² - y) / μ on μ without intercept; z = t statistic of the slope,
      one-sided p = 1 - Φ(z) (R ``AER::dispersiontest(trafo = 2)``).
    * Negative binomial NB2, Var = μ + α μ²: α by maximum likelihood, then the
      coefficients and their SEs from the GLM at that α, as R's ``MASS::glm.nb``.
    * Exact: conditional on the total x_1 + x_2, x_1 ~ Binomial(x_1 + x_2,
      π = E_1 / (E_1 + E_2)) under RR = 1; Clopper–Pearson limits for π
      converted by RR = π / (1 - π) · E_2 / E_1. Ignores overdispersion.

    References
    ----------
    Cameron, A. C., & Trivedi, P. K. (1990). Regression-based tests for overdispersion
    in the Poisson model. Journal of Econometrics, 46, 347-364.
    Cameron, A. C., & Trivedi, P. K. (2013). Regression Analysis of Count Data (2nd ed.).
    Cambridge University Press.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"group": ["mentored"] * 5 + ["comparison"] * 5,
    ...                    "suspensions": [0, 1, 0, 2, 1, 2, 3, 1, 4, 2]})
    >>> res = rate_ratio(df, "suspensions")
    >>> round(float(res.loc[0, "estimate"]), 3)
    0.333
    """
    where = "rate_ratio"
    ci_quantile(confidence)
    if model not in MODELS:
        raise ValueError(f"{where}: `model` must be one of {', '.join(MODELS)}, not {model!r}.")
    columns = [dv] if exposure is None else [dv, exposure]
    g1, g2, n_dropped, notes = split_two_groups(data, columns, between, treated, control, where)
    for frame in (g1, g2):
        _check_counts(frame, dv, exposure, where)
    y = np.concatenate([g1[dv], g2[dv]])
    time = np.ones_like(y) if exposure is None else np.concatenate([g1[exposure], g2[exposure]])
    group = np.r_[np.ones(len(g1)), np.zeros(len(g2))]
    x1, x2 = float(g1[dv].sum()), float(g2[dv].sum())
    e1, e2 = float(time[group == 1].sum()), float(time[group == 0].sum())
    nan = math.nan
    row = {
        "measure": dv, "n": len(y), "n_treated": len(g1), "n_control": len(g2), "n_dropped": n_dropped,
        "events_treated": int(x1), "events_control": int(x2),
        "exposure_treated": e1, "exposure_control": e2, "rate_treated": x1 / e1, "rate_control": x2 / e2,
        "estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "statistic": nan, "p_val": nan,
        "dispersion": nan, "overdispersion_z": nan, "overdispersion_p": nan, "nb_alpha": nan,
    }
    if x1 == 0 and x2 == 0:
        row["method"] = "Rate ratio"
        notes.append("no events in either group: the rate ratio is undefined")
    elif model == "exact" or x1 == 0 or x2 == 0:
        row.update(_exact(x1, x2, e1, e2, confidence))
        if x1 == 0 or x2 == 0:
            notes.append("a group has no events: the rate ratio is 0 or infinite and has no standard error")
        if model != "exact":
            notes.append(
                "a group has no events, so the Poisson/NB estimate is at its boundary: "
                "exact conditional test used instead (ignores any overdispersion)"
            )
    else:
        design = np.column_stack([np.ones_like(y), group])
        offset = np.log(time)
        with warnings.catch_warnings():
            # Groups whose counts are all equal are fitted exactly, and a model with one
            # participant per group has no residual df; both are harmless for the rate ratio
            # (groups without events never reach this model). The SE is checked below.
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit(tol=1e-14, maxiter=100)
        if poisson.df_resid > 0:
            row["dispersion"] = float(poisson.pearson_chi2 / poisson.df_resid)
            row["overdispersion_z"], row["overdispersion_p"] = _cameron_trivedi(y, poisson.fittedvalues)
        overdispersed = row["overdispersion_p"] < overdispersion_alpha
        use_nb = model == "negative_binomial" or (model == "auto" and overdispersed)
        if model == "auto":
            if math.isnan(row["overdispersion_p"]):
                notes.append("the overdispersion test cannot be computed with these data: Poisson kept")
            else:
                notes.append(
                    f"Cameron-Trivedi test p = {row['overdispersion_p']:.3g}: "
                    + ("overdispersed, negative binomial used" if overdispersed
                       else "no evidence of overdispersion, Poisson kept")
                )
            if not overdispersed and len(y) < 20:
                notes.append(f"with {len(y)} participants the overdispersion test has little power")
        fit = poisson
        if use_nb:
            fit, alpha, nb_note = _negative_binomial(y, design, offset)
            row["nb_alpha"] = alpha
            notes.append(nb_note)
        z = critical_value(confidence)
        b, se = float(fit.params[1]), float(fit.bse[1])
        if not (np.isfinite(b) and np.isfinite(se) and se > 0):
            raise InsufficientDataError(
                f"{where}: the model could not estimate the rate ratio of `{dv}` from these data "
                f"(estimate {b!r}, standard error {se!r}); try model='exact'."
            )
        row.update(
            method=("Negative binomial (NB2) GLM, log link, Wald CI" if use_nb else "Poisson GLM, log link, Wald CI"),
            estimate=math.exp(b), se=se, ci_low=math.exp(b - z * se), ci_high=math.exp(b + z * se),
            statistic=b / se, p_val=float(2 * stats.norm.sf(abs(b / se))),
        )
        if exposure is not None:
            row["method"] += f", offset log({exposure})"
    row["note"] = join_notes(notes)
    return tidy([row])


def _check_counts(frame: pd.DataFrame, dv: str, exposure: str | None, where: str) -> None:
    values = frame[dv]
    bad = values[(values < 0) | (values % 1 != 0)]
    if len(bad):
        raise ValueError(
            f"{where}: column `{dv}` must hold whole numbers of 0 or more; row {bad.index[0]} holds {bad.iloc[0]!r}."
        )
    if exposure is not None:
        bad = frame[exposure][frame[exposure] <= 0]
        if len(bad):
            raise ValueError(
                f"{where}: column `{exposure}` (exposure) must be above 0; row {bad.index[0]} holds {bad.iloc[0]!r}."
            )


def _cameron_trivedi(y: np.ndarray, mu: np.ndarray) -> tuple[float, float]:
    """One-sided Cameron–Trivedi test of Var = μ + α μ² against α = 0 (z, p)."""
    aux = ((y - mu) ** 2 - y) / mu
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.OLS(aux, mu).fit()
    if not np.isfinite(fit.bse[0]) or fit.bse[0] == 0:
        return math.nan, math.nan
    z = float(fit.tvalues[0])
    return z, float(stats.norm.sf(z))


def _negative_binomial(y: np.ndarray, design: np.ndarray, offset: np.ndarray):
    """NB2 fit: α by maximum likelihood, then the GLM at that α (as MASS::glm.nb reports it)."""
    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        model = sm.NegativeBinomial(y, design, loglike_method="nb2", offset=offset)
        ml = model.fit(disp=0, method="newton", maxiter=100)
        if not ml.mle_retvals.get("converged", False) or not np.all(np.isfinite(ml.params)):
            ml = model.fit(disp=0, method="bfgs", maxiter=2000, gtol=1e-10)
        alpha = float(ml.params[-1])
        glm = sm.GLM(y, design, family=sm.families.NegativeBinomial(alpha=alpha), offset=offset).fit(tol=1e-14, maxiter=100)
    converged = ml.mle_retvals.get("converged", False) and not any(
        issubclass(w.category, ConvergenceWarning) for w in caught
    )
    if not converged:
        notes.append("the negative binomial fit did not converge cleanly: treat it with caution")
    if alpha < 1e-6:
        notes.append("NB2 alpha is at its boundary 0 (no overdispersion): the fit equals the Poisson fit")
    return glm, alpha, join_notes(notes)


def _exact(x1: float, x2: float, e1: float, e2: float, confidence: float) -> dict:
    """Conditional binomial test and Clopper–Pearson CI of the rate ratio (R's poisson.test)."""
    total = int(x1 + x2)
    share = e1 / (e1 + e2)
    test = stats.binomtest(int(x1), total, share)
    ci = test.proportion_ci(confidence_level=confidence, method="exact")
    to_ratio = lambda p: (p / (1 - p)) * (e2 / e1) if p < 1 else math.inf  # noqa: E731
    # the SE of log RR given the counts, sqrt(1/x1 + 1/x2), as metafor's escalc("IRR") (and the Poisson GLM's):
    # for weighting the ratio in a pooling only; the exact CI is not built from it. Undefined at a zero count.
    se = math.sqrt(1 / x1 + 1 / x2) if x1 > 0 and x2 > 0 else math.nan
    return {
        "method": "Exact conditional test (binomial), Clopper-Pearson CI",
        "se": se,
        "estimate": (x1 / e1) / (x2 / e2) if x2 > 0 else math.inf,
        "ci_low": to_ratio(ci.low),
        "ci_high": to_ratio(ci.high),
        "p_val": float(test.pvalue),
    }
