"""Random-effects meta-analysis: pooling effects across sites or studies.

A cross-site synthesis takes one effect size per site (with its standard error) and asks what the
average effect is, how much the true effects vary between sites, and what effect a new site might
see. The conventions follow R's metafor ``rma()`` (Viechtbauer 2010), against which the tests check
every number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cm_research.errors import CMResearchError

from cm_research.contract import ci_quantile, critical_value, require_columns
from cm_research.deprecation import renamed_arguments

__all__ = ["MetaAnalysisError", "MetaAnalysis", "MetaRegression", "random_effects", "meta_analysis", "meta_regression",
           "moderator_slopes"]

METHODS = ("REML", "DL", "EE")


class MetaAnalysisError(CMResearchError, ValueError):
    """The effects cannot be pooled: a column is missing, a value is missing or impossible
    (a variance that is not positive), or there are fewer than two studies. The message says which."""


@dataclass
class MetaAnalysis:
    """Result of :func:`random_effects` / :func:`meta_analysis`.

    Attributes
    ----------
    summary : DataFrame
        One row: `method`, `k`, `estimate`, `se`, `ci_low`, `ci_high`, `statistic`, `dof`, `p_val`,
        `pi_low`, `pi_high` (prediction interval), `tau2`, `tau2_se`, `tau`, `i2` (%), `h2`, `q`,
        `q_dof`, `q_p_val`, `scale`, `note`; with ``scale="log"`` also `exp_estimate`,
        `exp_ci_low`, `exp_ci_high`, `exp_pi_low`, `exp_pi_high` (back on the ratio scale).
    studies : DataFrame
        One row per study: `study`, `estimate`, `se`, `ci_low`, `ci_high` (normal, at the
        requested level) and `weight` (% of the random-effects weight), plus `exp_*` columns on the
        log scale.
    """

    summary: pd.DataFrame
    studies: pd.DataFrame


def random_effects(
    effects: Sequence[float],
    variances: Sequence[float],
    *,
    studies: Sequence[object] | None = None,
    method: str = "REML",
    hartung_knapp: bool = False,
    confidence: float = 0.95,
    scale: str = "identity",
) -> MetaAnalysis:
    """Pool effect sizes y_i with sampling variances v_i in a random-effects model.

    Model: y_i = μ + u_i + e_i, u_i ~ N(0, τ²), e_i ~ N(0, v_i).

    Parameters
    ----------
    effects, variances : sequences of float
        One effect size and its sampling variance (SE²) per study.
    studies : sequence, optional
        Study (site) labels; default 1..k.
    method : {"REML", "DL", "EE"}
        Estimator of τ²: restricted maximum likelihood (metafor's default), DerSimonian–Laird, or
        none (``"EE"``: equal/common-effect model, τ² = 0).
    hartung_knapp : bool
        Hartung–Knapp(–Sidik–Jonkman) SE and t-based CI and test (metafor's ``test = "knha"``).
    confidence : float
        Level of the confidence and prediction intervals.
    scale : {"identity", "log"}
        ``"log"`` when the effects are log ratios (log RR, log OR): the summary and study tables
        then also give exponentiated estimates and intervals.

    Returns
    -------
    MetaAnalysis

    Notes
    -----
    With w_i = 1 / v_i:

    * Q = Σ w_i (y_i - ȳ_w)², ȳ_w = Σ w_i y_i / Σ w_i; Q ~ χ²(k - 1) without heterogeneity
      (Cochran 1954).
    * DerSimonian–Laird (1986): τ² = max(0, (Q - (k - 1)) / (Σ w - Σ w² / Σ w)).
    * REML (Viechtbauer 2005): τ² maximises the restricted log-likelihood
      -½ Σ log(v_i + τ²) - ½ log Σ w*_i - ½ Σ w*_i (y_i - μ̂)², w*_i = 1 / (v_i + τ²); solved as the
      root of its derivative ½ [Σ w*_i² (y_i - μ̂)² - Σ w*_i + Σ w*_i² / Σ w*_i] on τ² ≥ 0.
      SE(τ²) = sqrt(2 / tr(P²)), P = W* - w* w*ᵀ / Σ w*.
    * μ̂ = Σ w*_i y_i / Σ w*_i, SE = sqrt(1 / Σ w*_i), z-based CI and test.
    * Hartung–Knapp (2001): SE² = Σ w*_i (y_i - μ̂)² / ((k - 1) Σ w*_i), t(k - 1) CI and test.
    * I² = 100 τ² / (τ² + s²), H² = (τ² + s²) / s², with the typical within-study variance
      s² = (k - 1) Σ w / ((Σ w)² - Σ w²) (Higgins & Thompson 2002), as metafor reports them. For
      the common-effect model, I² = 100 max(0, (Q - (k - 1)) / Q) and H² = Q / (k - 1).
    * Prediction interval for the true effect in a new study: μ̂ ± c sqrt(SE² + τ²), c the normal
      quantile (or t(k - 1) with Hartung–Knapp), as metafor's ``predict()``; Riley et al. (2011)
      suggest t(k - 2) instead, which is wider. None (NaN) for the common-effect model.
    * k = 1 is refused (MetaAnalysisError), deliberately unlike metafor, whose ``rma()`` fits one study and
      returns that study's own estimate with τ² fixed at 0: one site is not a synthesis. k = 2 is pooled (τ²
      from two studies is very imprecise, said in `note`) and agrees with metafor, as does τ² = 0 at the boundary.
    * `tau2_se` (metafor's ``se.tau2``): REML sqrt(2 / tr(P²)) as above; DL
      sqrt((2 (k - 1) + 4 τ² tr P + 2 τ⁴ tr P²)) / tr P with P built from the weights 1 / v_i (the
      variance of Q, Biggerstaff & Tweedie 1997); NaN for the common-effect model.

    References
    ----------
    DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled Clinical
    Trials, 7, 177-188.
    Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. Journal of Educational and Behavioral Statistics, 30, 261-293.
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal of
    Statistical Software, 36(3), 1-48.
    Hartung, J., & Knapp, G. (2001). On tests of the overall treatment effect in meta-analysis with
    normally distributed responses. Statistics in Medicine, 20, 1771-1782.
    Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a meta-analysis.
    Statistics in Medicine, 21, 1539-1558.

    Example
    -------
    >>> res = random_effects([0.1, 0.3, 0.35, 0.65], [0.02, 0.03, 0.01, 0.04], method="DL")  # metafor: 0.3247
    >>> round(float(res.summary.loc[0, "estimate"]), 4)
    0.3247
    """
    where = "random_effects"
    tail = ci_quantile(confidence)
    if method not in METHODS:
        raise MetaAnalysisError(f"{where}: `method` must be one of {', '.join(METHODS)}, not {method!r}.")
    if scale not in ("identity", "log"):
        raise MetaAnalysisError(f"{where}: `scale` must be 'identity' or 'log', not {scale!r}.")
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    labels = list(studies) if studies is not None else list(range(1, len(y) + 1))
    if not (len(y) == len(v) == len(labels)):
        raise MetaAnalysisError(f"{where}: effects ({len(y)}), variances ({len(v)}) and studies ({len(labels)}) "
                                "must have the same length.")
    for i, (yi, vi) in enumerate(zip(y, v)):
        if not np.isfinite(yi):
            raise MetaAnalysisError(f"{where}: study {labels[i]!r} has no usable effect size ({yi!r}).")
        if not (np.isfinite(vi) and vi > 0):
            raise MetaAnalysisError(f"{where}: study {labels[i]!r} has sampling variance {vi!r}; it must be a "
                                    "positive number (SE²).")
    k = len(y)
    if k < 2:
        raise MetaAnalysisError(f"{where}: pooling needs at least 2 studies, got {k}.")

    w = 1 / v
    y_fixed = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - y_fixed) ** 2))
    notes = []
    tau2_se = math.nan
    if method == "EE":
        tau2 = 0.0
    elif method == "DL":
        tr_p = np.sum(w) - np.sum(w**2) / np.sum(w)
        tau2 = max(0.0, (q - (k - 1)) / tr_p)
        # Var(Q) under the model with τ² in place, divided by tr(P)² (P from the fixed-effect weights): metafor's
        # se.tau2 for DL, sqrt((2 (k - 1) + 4 τ² tr P + 2 τ⁴ tr P²) / (tr P)²)
        tr_pp = np.sum(w**2) - 2 * np.sum(w**3) / np.sum(w) + np.sum(w**2) ** 2 / np.sum(w) ** 2
        tau2_se = math.sqrt((2 * (k - 1) + 4 * tau2 * tr_p + 2 * tau2**2 * tr_pp) / tr_p**2)
    else:
        tau2 = _reml_tau2(y, v)
        ws = 1 / (v + tau2)
        tr_pp = np.sum(ws**2) - 2 * np.sum(ws**3) / np.sum(ws) + np.sum(ws**2) ** 2 / np.sum(ws) ** 2
        tau2_se = math.sqrt(2 / tr_pp)
    ws = 1 / (v + tau2)
    mu = float(np.sum(ws * y) / np.sum(ws))
    se = math.sqrt(1 / np.sum(ws))
    if hartung_knapp:
        se = math.sqrt(np.sum(ws * (y - mu) ** 2) / ((k - 1) * np.sum(ws)))
        dof = float(k - 1)
        crit = critical_value(confidence, dof)
        statistic = mu / se
        p_val = 2 * stats.t.sf(abs(statistic), dof)
        test = "Hartung-Knapp t test"
    else:
        dof = math.nan
        crit = critical_value(confidence)
        statistic = mu / se
        p_val = 2 * stats.norm.sf(abs(statistic))
        test = "z test"
    s2 = (k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2))
    if method == "EE":
        i2 = 100 * max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1)
    else:
        i2 = 100 * tau2 / (tau2 + s2)
        h2 = (tau2 + s2) / s2
    pi_half = crit * math.sqrt(se**2 + tau2)
    if k < 3 and method != "EE":
        notes.append("with fewer than 3 studies τ² is very imprecise")
    names = {"REML": "random effects, REML", "DL": "random effects, DerSimonian-Laird", "EE": "common effect"}
    summary = {
        "method": f"{names[method]}, {test}", "k": k,
        "estimate": mu, "se": se, "ci_low": mu - crit * se, "ci_high": mu + crit * se,
        "statistic": statistic, "dof": dof, "p_val": float(p_val),
        # a common-effect model assumes no between-study variation: no prediction interval (as metafor)
        "pi_low": mu - pi_half if method != "EE" else math.nan,
        "pi_high": mu + pi_half if method != "EE" else math.nan,
        "tau2": float(tau2), "tau2_se": tau2_se, "tau": math.sqrt(tau2), "i2": float(i2), "h2": float(h2),
        "q": q, "q_dof": k - 1, "q_p_val": float(stats.chi2.sf(q, k - 1)), "scale": scale,
        "note": "; ".join(notes),
    }
    z = critical_value(confidence)
    sei = np.sqrt(v)
    table = pd.DataFrame({"study": labels, "estimate": y, "se": sei, "ci_low": y - z * sei,
                          "ci_high": y + z * sei, "weight": 100 * ws / np.sum(ws)})
    if scale == "log":
        for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
            summary[f"exp_{key}"] = math.exp(summary[key])
        for key in ("estimate", "ci_low", "ci_high"):
            table[f"exp_{key}"] = np.exp(table[key])
    return MetaAnalysis(summary=pd.DataFrame([summary]), studies=table)


@renamed_arguments(ci_level="ci_confidence")
def meta_analysis(
    data: pd.DataFrame,
    effect: str = "estimate",
    *,
    se: str | None = None,
    variance: str | None = None,
    ci_low: str | None = None,
    ci_high: str | None = None,
    study: str = "site",
    ratio: bool = False,
    method: str = "REML",
    hartung_knapp: bool = False,
    confidence: float = 0.95,
    ci_confidence: float = 0.95,
) -> MetaAnalysis:
    """Pool per-site effect sizes given in a tidy table (one row per site).

    Give the uncertainty of each effect in one of three ways: `se` (standard error), `variance`
    (SE²), or `ci_low` and `ci_high` (a normal-theory CI at `ci_confidence`, from which
    SE = (high - low) / (2 z)). For ratios (risk, odds or rate ratios, e.g. the
    ``Risk ratio, Katz log CI`` rows of :func:`cm_research.stats.compare_proportions`), set
    ``ratio=True``: the effect and CI are logged first and the pooled result is also given back
    on the ratio scale. Everything else is :func:`random_effects`.

    Example
    -------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site": ["A", "B", "C"], "hedges_g": [0.1, 0.4, 0.25],
    ...                       "se": [0.15, 0.2, 0.1]})
    >>> res = meta_analysis(sites, "hedges_g", se="se", method="DL")
    >>> int(res.summary.loc[0, "k"])
    3
    """
    where = "meta_analysis"
    given = [name for name, col in (("se", se), ("variance", variance)) if col is not None]
    if ci_low is not None or ci_high is not None:
        given.append("ci_low/ci_high")
    if len(given) != 1:
        raise MetaAnalysisError(f"{where}: give exactly one of `se`, `variance`, or `ci_low` with `ci_high` "
                                f"(got {', '.join(given) or 'none'}).")
    if "ci_low/ci_high" in given and (ci_low is None or ci_high is None):
        raise MetaAnalysisError(f"{where}: give both `ci_low` and `ci_high`.")
    columns = [c for c in (study, effect, se, variance, ci_low, ci_high) if c is not None]
    require_columns(data, columns, where, error=MetaAnalysisError)
    values = {}
    for col in columns[1:]:
        converted = pd.to_numeric(data[col], errors="coerce")
        bad = data.index[converted.isna()]
        if len(bad):
            row = bad[0]
            raise MetaAnalysisError(f"{where}: site {data.loc[row, study]!r} (row {row}) has no number in "
                                    f"`{col}` ({data.loc[row, col]!r}); every site needs an effect and its "
                                    "uncertainty, or must be left out explicitly.")
        values[col] = converted.to_numpy(dtype=float)
    y = values[effect]
    if ratio:
        y = _log_positive(y, data, study, effect, where)
    if se is not None:
        var = values[se] ** 2
    elif variance is not None:
        var = values[variance]
    else:
        low, high = values[ci_low], values[ci_high]
        if ratio:
            low = _log_positive(low, data, study, ci_low, where)
            high = _log_positive(high, data, study, ci_high, where)
        var = ((high - low) / (2 * critical_value(ci_confidence))) ** 2
    return random_effects(y, var, studies=data[study].tolist(), method=method, hartung_knapp=hartung_knapp,
                          confidence=confidence, scale="log" if ratio else "identity")


def _log_positive(x: np.ndarray, data: pd.DataFrame, study: str, column: str, where: str) -> np.ndarray:
    bad = np.flatnonzero(~(x > 0))
    if len(bad):
        row = data.index[bad[0]]
        raise MetaAnalysisError(f"{where}: site {data.loc[row, study]!r} (row {row}) has `{column}` = {x[bad[0]]!r}; "
                                "a ratio and its CI limits must be above 0 to be pooled on the log scale.")
    return np.log(x)


def _reml_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """REML estimate of τ²: the root of the restricted score on [0, ∞), or 0 when the score is negative at 0."""

    def score(tau2: float) -> float:
        w = 1 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        return float(np.sum(w**2 * (y - mu) ** 2) - np.sum(w) + np.sum(w**2) / np.sum(w))

    if score(0.0) <= 0:
        return 0.0
    upper = max(1.0, float(np.var(y)) * 10)
    while score(upper) > 0:
        upper *= 10
    # the absolute tolerance scales with the sampling variances: a fixed 1e-14 was 15% of a τ² of 7e-14 (effects
    # on a scale of 1e-6), as metafor's default threshold (1e-5) is at that scale
    return float(optimize.brentq(score, 0.0, upper, xtol=1e-14 * float(np.mean(v)), rtol=1e-14, maxiter=500))


@dataclass
class MetaRegression:
    """Result of :func:`meta_regression`.

    Attributes
    ----------
    coefficients : DataFrame
        One row per model term (``intercept`` first, then each moderator): `term`, `estimate`, `se`,
        `ci_low`, `ci_high`, `statistic` (z, or t with Hartung-Knapp), `dof`, `p_val`, `note`.
    summary : DataFrame
        One row: `method`, `k`, `n_terms`, `tau2` (residual between-study variance), `tau2_se` (REML or DL, as
        metafor's se.tau2; NaN for EE), `tau`,
        `i2` (% of the remaining variability that is residual heterogeneity), `h2`, `r2` (% of the
        random-effects model's τ² accounted for by the moderators; NaN when that τ² is 0), `qe`,
        `qe_dof`, `qe_p_val` (test of residual heterogeneity), `qm`, `qm_dof`, `qm_p_val` (omnibus
        test of the moderators), `note`.
    """

    coefficients: pd.DataFrame
    summary: pd.DataFrame


def meta_regression(
    data: pd.DataFrame,
    effect: str,
    moderators: Sequence[str],
    *,
    se: str | None = None,
    variance: str | None = None,
    study: str | None = None,
    method: str = "REML",
    hartung_knapp: bool = False,
    confidence: float = 0.95,
) -> MetaRegression:
    """Mixed-effects meta-regression: do study (site) characteristics explain why effects differ?

    Model: y_i = x_iᵀβ + u_i + e_i, u_i ~ N(0, τ²), e_i ~ N(0, v_i), where x_i holds 1 (the intercept)
    and the moderators of study i, and τ² is the *residual* between-study variance.

    Parameters
    ----------
    data : DataFrame
        One row per study, with the effect, its `se` or `variance`, and the numeric moderator columns
        (code a category as 0/1 columns first).
    effect : str
        Column of effect sizes.
    moderators : sequence of str
        Columns used as moderators, in the order their coefficients are reported.
    se, variance : str
        Give exactly one: the column of standard errors or of sampling variances (SE²).
    study : str, optional
        Column naming the studies, used in error messages.
    method : {"REML", "DL", "EE"}
        Estimator of the residual τ²: restricted maximum likelihood (metafor's default), the method of
        moments (DerSimonian-Laird generalised to meta-regression, metafor's ``"DL"``), or none
        (``"EE"``: fixed-effects meta-regression, τ² = 0).
    hartung_knapp : bool
        Knapp-Hartung SEs and t(k - p) tests (metafor's ``test = "knha"``).
    confidence : float
        Level of the coefficient confidence intervals.

    Returns
    -------
    MetaRegression

    Notes
    -----
    With X the k × p design matrix (p = 1 + number of moderators), W = diag(1 / (v_i + τ²)) and
    P = W - W X (Xᵀ W X)⁻¹ Xᵀ W:

    * β̂ = (Xᵀ W X)⁻¹ Xᵀ W y, Var(β̂) = (Xᵀ W X)⁻¹; z = β̂_j / SE_j (Raudenbush 2009).
    * REML: τ² ≥ 0 maximises -½ Σ log(v_i + τ²) - ½ log |Xᵀ W X| - ½ yᵀ P y; its derivative is
      ½ [yᵀ P P y - tr(P)], solved for its root (τ² = 0 when the derivative is negative at 0).
      SE(τ²) = sqrt(2 / tr(P P)).
    * Method of moments: τ² = max(0, (Q_E - (k - p)) / tr(P₀)), P₀ = P at τ² = 0.
    * Q_E = yᵀ P₀ y ~ χ²(k - p) tests residual heterogeneity; Q_M = β̂₁ᵀ Var(β̂₁)⁻¹ β̂₁ ~ χ²(p - 1)
      tests all moderators at once (β̂₁: the coefficients without the intercept).
    * Knapp-Hartung (2003): Var(β̂) multiplied by s² = yᵀ P y / (k - p), t(k - p) tests, Q_M / (p - 1)
      referred to F(p - 1, k - p).
    * I² = 100 τ² / (τ² + s̃²), s̃² = (k - p) / tr(P₀); H² = (τ² + s̃²) / s̃²; R² = 100 max(0, 1 - τ² / τ²_RE),
      τ²_RE from the model without moderators by the same method (metafor's conventions). For the fixed-effects
      model, I² = 100 max(0, (Q_E - (k - p)) / Q_E) and H² = Q_E / (k - p).

    References
    ----------
    Raudenbush, S. W., & Bryk, A. S. (1985). Empirical Bayes meta-analysis. Journal of Educational
    Statistics, 10(2), 75-98.
    Raudenbush, S. W. (2009). Analyzing effect sizes: Random-effects models. In H. Cooper, L. V. Hedges,
    & J. C. Valentine (Eds.), The handbook of research synthesis and meta-analysis (2nd ed., pp. 295-315).
    Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with a single
    covariate. Statistics in Medicine, 22, 2693-2710.
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package. Journal of Statistical
    Software, 36(3), 1-48 (``rma(yi, vi, mods = ~ ...)``, against which the tests check every number).

    Example
    -------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"g": [0.5, 0.3, 0.1, 0.0], "v": [0.02, 0.03, 0.02, 0.04], "weeks": [0, 1, 2, 3]})
    >>> res = meta_regression(d, "g", ["weeks"], variance="v", method="EE")
    >>> res.coefficients["term"].tolist()
    ['intercept', 'weeks']
    """
    where = "meta_regression"
    if method not in METHODS:
        raise MetaAnalysisError(f"{where}: `method` must be one of {', '.join(METHODS)}, not {method!r}.")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{where}: `data` must be a pandas DataFrame, not {type(data).__name__}.")
    moderators = [moderators] if isinstance(moderators, str) else list(moderators)
    if not moderators:
        raise MetaAnalysisError(f"{where}: give at least one moderator column; without moderators use "
                                "meta_analysis().")
    if (se is None) == (variance is None):
        raise MetaAnalysisError(f"{where}: give exactly one of `se` or `variance`.")
    uncertainty = se if se is not None else variance
    columns = [effect, uncertainty, *moderators]
    require_columns(data, [*columns, study], where, error=MetaAnalysisError)
    values = {}
    for col in columns:
        converted = pd.to_numeric(data[col], errors="coerce")
        bad = data.index[~np.isfinite(converted.to_numpy(dtype=float))]
        if len(bad):
            row = bad[0]
            name = f"study {data.loc[row, study]!r} (row {row})" if study else f"row {row}"
            raise MetaAnalysisError(f"{where}: {name} has no usable number in `{col}` ({data.loc[row, col]!r}); "
                                    "every study needs an effect, its uncertainty and each moderator, or must be "
                                    "left out explicitly.")
        values[col] = converted.to_numpy(dtype=float)
    y = values[effect]
    v = values[se] ** 2 if se is not None else values[variance]
    if np.any(v <= 0):
        row = data.index[int(np.flatnonzero(v <= 0)[0])]
        raise MetaAnalysisError(f"{where}: row {row} has a sampling variance of 0 or less; it must be positive.")
    X = np.column_stack([np.ones(len(y)), *[values[m] for m in moderators]])
    k, p = X.shape
    if k - p < 1:
        raise MetaAnalysisError(f"{where}: {k} studies cannot estimate {p} coefficients and a residual variance; "
                                "use fewer moderators or more studies.")
    if np.linalg.matrix_rank(X) < p:
        raise MetaAnalysisError(f"{where}: the moderators {', '.join(moderators)} are constant or collinear "
                                "(one is a combination of the others), so their effects cannot be separated.")

    p0 = _projection(X, 1 / v)
    qe = float(y @ p0 @ y)
    notes = []
    tau2_se = math.nan
    if method == "EE":
        tau2 = 0.0
    elif method == "DL":
        tr_p = float(np.trace(p0))
        tau2 = max(0.0, (qe - (k - p)) / tr_p)
        # metafor's se.tau2 for DL, as in random_effects with k - p residual degrees of freedom
        tau2_se = math.sqrt((2 * (k - p) + 4 * tau2 * tr_p + 2 * tau2**2 * float(np.sum(p0 * p0))) / tr_p**2)
    else:
        tau2 = _reml_tau2_mods(y, v, X)
        pw = _projection(X, 1 / (v + tau2))
        tau2_se = math.sqrt(2 / float(np.sum(pw * pw.T)))
    w = 1 / (v + tau2)
    xtwx_inv = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = xtwx_inv @ (X.T @ (w * y))
    cov = xtwx_inv
    tail = ci_quantile(confidence)
    if hartung_knapp:
        s2 = float(y @ _projection(X, w) @ y) / (k - p)
        cov = cov * s2
        dof = float(k - p)
        crit = critical_value(confidence, dof)
    else:
        dof = math.nan
        crit = critical_value(confidence)
    ses = np.sqrt(np.diag(cov))
    statistic = beta / ses
    p_vals = 2 * (stats.t.sf(np.abs(statistic), dof) if hartung_knapp else stats.norm.sf(np.abs(statistic)))
    b1, c1 = beta[1:], cov[1:, 1:]
    qm = float(b1 @ np.linalg.solve(c1, b1))
    if hartung_knapp:
        qm_dof, qm_stat = p - 1, qm / (p - 1)
        qm_p = float(stats.f.sf(qm_stat, p - 1, k - p))
        qm = qm_stat
        test = "Knapp-Hartung t tests (omnibus F test)"
    else:
        qm_dof, qm_p = p - 1, float(stats.chi2.sf(qm, p - 1))
        test = "z tests (omnibus chi-square test)"

    s2_typical = (k - p) / float(np.trace(p0))
    if method == "EE":  # no τ²: I² and H² from Q_E, as for the common-effect model
        i2 = 100 * max(0.0, (qe - (k - p)) / qe) if qe > 0 else 0.0
        h2 = qe / (k - p)
    else:
        i2 = 100 * tau2 / (tau2 + s2_typical)
        h2 = (tau2 + s2_typical) / s2_typical
    if method == "EE":
        r2 = math.nan
    else:
        tau2_re = float(random_effects(y, v, method=method).summary.loc[0, "tau2"])
        r2 = 100 * max(0.0, (tau2_re - tau2) / tau2_re) if tau2_re > 0 else math.nan
        if tau2_re == 0:
            notes.append("no between-study variance to explain (τ² = 0 without moderators), so R² is undefined")
    if k - p < 5:
        notes.append(f"only {k - p} residual degrees of freedom: coefficients and τ² are imprecise")
    names = {"REML": "mixed effects, REML", "DL": "mixed effects, method of moments", "EE": "fixed effects"}
    coefficients = pd.DataFrame({
        "term": ["intercept", *moderators], "estimate": beta, "se": ses, "ci_low": beta - crit * ses,
        "ci_high": beta + crit * ses, "statistic": statistic, "dof": dof, "p_val": p_vals, "note": "",
    })
    summary = pd.DataFrame([{
        "method": f"{names[method]}, {test}", "k": k, "n_terms": p, "tau2": float(tau2), "tau2_se": tau2_se,
        "tau": math.sqrt(tau2), "i2": float(i2), "h2": float(h2), "r2": r2,
        "qe": qe, "qe_dof": k - p, "qe_p_val": float(stats.chi2.sf(qe, k - p)),
        "qm": qm, "qm_dof": qm_dof, "qm_p_val": qm_p, "note": "; ".join(notes),
    }])
    return MetaRegression(coefficients=coefficients, summary=summary)


def _projection(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P = W - W X (Xᵀ W X)⁻¹ Xᵀ W for weights w (the residual-maker of weighted least squares)."""
    wx = w[:, None] * X
    return np.diag(w) - wx @ np.linalg.solve(X.T @ wx, wx.T)


def _reml_tau2_mods(y: np.ndarray, v: np.ndarray, X: np.ndarray) -> float:
    """REML estimate of the residual τ²: root of yᵀPPy - tr(P) on [0, ∞), or 0 when it is negative at 0."""

    def score(tau2: float) -> float:
        proj = _projection(X, 1 / (v + tau2))
        py = proj @ y
        return float(py @ py - np.trace(proj))

    if score(0.0) <= 0:
        return 0.0
    upper = max(1.0, float(np.var(y)) * 10)
    while score(upper) > 0:
        upper *= 10
    # the absolute tolerance scales with the sampling variances: a fixed 1e-14 was 15% of a τ² of 7e-14 (effects
    # on a scale of 1e-6), as metafor's default threshold (1e-5) is at that scale
    return float(optimize.brentq(score, 0.0, upper, xtol=1e-14 * float(np.mean(v)), rtol=1e-14, maxiter=500))


def moderator_slopes(
    data: pd.DataFrame,
    effect: str,
    moderators: Sequence[str],
    *,
    se: str | None = None,
    variance: str | None = None,
    study: str | None = None,
    method: str = "REML",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One mixed-effects meta-regression per moderator, each on the studies that report that moderator.

    This is how a review that tests moderators one at a time is re-analysed: every row is
    :func:`meta_regression` with that single moderator. Studies with no value for the moderator are left out of
    that row only, and `k` and `note` say how many remain.

    Returns
    -------
    DataFrame, one row per moderator: `moderator`, `k`, `estimate` (the slope), `se`, `ci_low`, `ci_high`,
    `statistic`, `p_val`, `tau2` (residual), `r2`, `note`.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"moderator_slopes: `data` must be a pandas DataFrame, not {type(data).__name__}.")
    rows = []
    for moderator in ([moderators] if isinstance(moderators, str) else list(moderators)):
        if moderator not in data.columns:
            raise MetaAnalysisError(f"moderator_slopes: there is no column `{moderator}`. "
                                    f"The columns are: {', '.join(map(str, data.columns))}.")
        usable = data[pd.to_numeric(data[moderator], errors="coerce").notna()]
        fit = meta_regression(usable, effect, [moderator], se=se, variance=variance, study=study, method=method,
                              confidence=confidence)
        slope, summary = fit.coefficients.iloc[1], fit.summary.iloc[0]
        left_out = len(data) - len(usable)
        notes = [f"{left_out} of {len(data)} studies do not report `{moderator}` and are left out"] if left_out else []
        if summary["note"]:
            notes.append(summary["note"])
        rows.append({"moderator": moderator, "k": len(usable), "estimate": slope["estimate"], "se": slope["se"],
                     "ci_low": slope["ci_low"], "ci_high": slope["ci_high"], "statistic": slope["statistic"],
                     "p_val": slope["p_val"], "tau2": summary["tau2"], "r2": summary["r2"], "note": "; ".join(notes)})
    return pd.DataFrame(rows)
