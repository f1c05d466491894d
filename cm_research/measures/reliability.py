"""Internal consistency of a scale from its item responses: Cronbach's alpha and McDonald's omega.

Both take a table with one column per item (already reverse-keyed: :func:`scale_reliability` does that
from the instrument file) and return a one-row tidy table with the estimate and its CI, in the column
layout of ``cm_research.stats``.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cm_research.measures.instruments import Instrument, resolve
from cm_research.measures.scoring import score_instrument
from cm_research.resampling import bootstrap_interval
from cm_research.contract import as_numeric, ci_quantile, join_notes, tidy
from cm_research.deprecation import deprecated_alias

# Lower bound of a uniqueness in the factor analysis, as R's factanal sets it.
UNIQUENESS_FLOOR = 0.005


def cronbach_alpha(items: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha of the unit-weighted total of ``items``, with Feldt's CI.

    Parameters
    ----------
    items : one column per item, one row per respondent; rows with any item missing are left out
        (listwise) and counted in ``n_dropped``. This differs deliberately from ``psych::alpha``, whose
        default uses pairwise covariances: listwise keeps alpha the reliability of one set of people's totals.
    confidence : level of the CI.

    Returns
    -------
    One row: ``method``, ``n`` (respondents used), ``n_items``, ``n_dropped``, ``estimate``,
    ``ci_low``, ``ci_high``, ``note``.

    Notes
    -----
    alpha = k / (k - 1) * (1 - sum(s_i^2) / s_T^2) for k items with variances s_i^2 and total variance
    s_T^2 (Cronbach 1951). CI (Feldt 1965; Feldt, Woodruff & Salih 1987):
    [1 - (1 - alpha) F_{1-a/2}(n - 1, (n - 1)(k - 1)), 1 - (1 - alpha) F_{a/2}(n - 1, (n - 1)(k - 1))],
    as R's ``psych::alpha`` reports it ("Feldt").

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika, 16, 297-334.
    Feldt, L. S., Woodruff, D. J. & Salih, F. A. (1987). Statistical inference for coefficient alpha.
    Applied Psychological Measurement, 11, 93-103.
    """
    x, n_dropped, notes = _complete_items(items, "cronbach_alpha")
    n, k = x.shape
    row = {"method": "Cronbach's alpha (Feldt CI)", "n": n, "n_items": k, "n_dropped": n_dropped,
           "estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    total_var = x.sum(axis=1).var(ddof=1) if n > 1 else math.nan
    if k < 2 or n < 3 or not total_var > 0:
        notes.append("alpha needs at least 2 items, 3 respondents and some variation in the total")
        return tidy([{**row, "note": join_notes(notes)}])
    item_var = x.var(axis=0, ddof=1)
    alpha = k / (k - 1) * (1 - item_var.sum() / total_var)
    constant = [str(c) for c, v in zip(items.columns, item_var) if v == 0]
    if constant and k - len(constant) >= 2:
        varied = x[:, item_var > 0]
        k_v = varied.shape[1]
        without = k_v / (k_v - 1) * (1 - varied.var(axis=0, ddof=1).sum() / varied.sum(axis=1).var(ddof=1))
        notes.append(f"item(s) {', '.join(f'`{c}`' for c in constant)} have no variance (every respondent gave "
                     f"the same answer): alpha counts them among the {k} items, as its formula does; without them "
                     f"alpha is {without:.3f} (R's psych::alpha deletes such items, with a warning, and reports that)")
    tail = ci_quantile(confidence)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    row.update(estimate=alpha,
               ci_low=1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2),
               ci_high=1 - (1 - alpha) * stats.f.ppf(tail, df1, df2))
    return tidy([{**row, "note": join_notes(notes)}])


def mcdonald_omega(
    items: pd.DataFrame,
    *,
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 12345,
    bootstrap: str = "bca",
) -> pd.DataFrame:
    """McDonald's omega (total) of the unit-weighted total of ``items``, with a bootstrap CI.

    Parameters
    ----------
    items : one column per item (at least 3), one row per respondent; incomplete rows are left out.
    confidence, n_boot, seed : CI level, bootstrap resamples and seed (recorded in the output).
    bootstrap : ``"bca"`` or ``"percentile"``.

    Returns
    -------
    One row: ``method``, ``n``, ``n_items``, ``n_dropped``, ``estimate``, ``ci_low``, ``ci_high``,
    ``omega_standardized`` (the figure R's ``psych::omega(x, nfactors = 1, fm = "ml")$omega.tot`` prints; no CI),
    ``n_boot``, ``seed``, ``note``.

    Notes
    -----
    A one-factor model is fitted by maximum likelihood to the item correlations (the discrepancy
    function and bounds of R's ``factanal``: uniquenesses >= 0.005; Joreskog 1967). With loadings
    lambda_i and uniquenesses psi_i rescaled to the item SDs s_i (lambda_i s_i, psi_i s_i^2),

        omega = (sum lambda_i s_i)^2 / ((sum lambda_i s_i)^2 + sum psi_i s_i^2),

    the reliability of the raw total implied by the model (McDonald 1999, eq. 6.20b; Hayes & Coutts
    2020). This is deliberately not ``psych::omega(x, nfactors = 1)$omega.tot``, which works on the
    standardized items and the observed variance of their total, 1 - Σ psi_i / Σ_ij r_ij (r the item
    correlations): the two agree when the items have equal SDs and the model fits exactly, and otherwise
    differ slightly (on 120 synthetic five-item answers: 0.6304 here, 0.6346 from psych), or a lot when
    one item's SD is several times the others'. For comparison with psych, `omega_standardized` gives
    1 - Σ psi_i / Σ_ij r_ij from the same ML fit, equal to psych's ``omega.tot`` with ``fm = "ml"``
    (psych's default ``fm = "minres"`` differs from it in about the fourth decimal). Bootstrap over respondents, BCa or percentile (Efron 1987) as in ``cm_research.stats``;
    Kelley & Pornprasertmanit (2016) recommend bootstrap intervals for omega.

    References
    ----------
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.
    Hayes, A. F. & Coutts, J. J. (2020). Use omega rather than Cronbach's alpha for estimating
    reliability. But... Communication Methods and Measures, 14, 1-24.
    Kelley, K. & Pornprasertmanit, S. (2016). Confidence intervals for population reliability
    coefficients. Psychological Methods, 21, 69-92.
    """
    x, n_dropped, notes = _complete_items(items, "mcdonald_omega")
    n, k = x.shape
    row = {"method": f"McDonald's omega total (one-factor ML; {_boot_name(bootstrap)} CI)", "n": n, "n_items": k,
           "n_dropped": n_dropped, "estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan,
           "omega_standardized": math.nan, "n_boot": n_boot, "seed": seed}
    if k < 3 or n <= k:
        notes.append("omega needs at least 3 items and more respondents than items")
        return tidy([{**row, "note": join_notes(notes)}])
    fit = _one_factor_omega(x)
    notes += fit["notes"]
    row["estimate"] = fit["omega"]
    row["omega_standardized"] = fit["omega_standardized"]
    if not np.isfinite(fit["omega"]):
        return tidy([{**row, "note": join_notes(notes)}])
    failed = []

    def statistic(rows: np.ndarray) -> float:
        value = _one_factor_omega(x[rows.astype(int)])["omega"]
        if not np.isfinite(value):
            failed.append(1)
        return value

    with _one_blas_thread():
        low, high, boot_note = bootstrap_interval(np.arange(n, dtype=float), statistic, confidence=confidence,
                                                  n_boot=n_boot, seed=seed, method=bootstrap)
    if failed:
        low = high = math.nan
        boot_note = f"CI not reported: omega could not be estimated in {len(failed)} resample(s)"
    row.update(ci_low=low, ci_high=high)
    return tidy([{**row, "note": join_notes(notes, boot_note)}])


def scale_reliability(
    data: pd.DataFrame,
    instrument: str | Instrument,
    score: str | None = None,
    version: str | None = None,
    *,
    prefix: str = "",
    confidence: float = 0.95,
    n_boot: int = 1000,
    seed: int = 12345,
    bootstrap: str = "bca",
) -> pd.DataFrame:
    """Alpha and omega of one score of an instrument, from item responses, items reverse-keyed as the
    instrument file says. ``score`` defaults to the instrument's only item-based score.

    The answers are checked as :func:`cm_research.measures.score_instrument` checks them. Returns two
    rows (alpha, omega) with ``measure`` = ``<instrument id>.<score>``.

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> from cm_research.measures import scale_reliability
    >>> rng = np.random.default_rng(1)
    >>> trait = rng.normal(size=80)
    >>> habits = ["imaginative", "inquisitive", "persistent", "collaborative", "disciplined"]
    >>> data = pd.DataFrame({h: np.clip(np.round(3 + trait + rng.normal(size=80)), 1, 5) for h in habits})
    >>> res = scale_reliability(data, "creative_habits", n_boot=200)
    >>> res["method"].str.split(" ").str[0].tolist()
    ["Cronbach's", "McDonald's"]
    """
    inst = resolve(instrument, version)
    item_scores = [s for s in inst.scores if s.kind == "items"]
    if score is None:
        if len(item_scores) != 1:
            raise ValueError(f"{inst.id} has several item scores ({', '.join(s.name for s in item_scores)}): "
                             "say which with `score=`")
        chosen = item_scores[0]
    else:
        chosen = inst.score(score)
        if chosen.kind != "items":
            raise ValueError(f"{inst.id}.{score} is not made directly from items; choose one of "
                             f"{', '.join(s.name for s in item_scores)}")
    # Checks every cell and names bad ones; the scored values themselves are not needed here.
    score_instrument(data, inst, prefix=prefix, scores=[chosen.name], band_scheme=None)
    keyed = pd.DataFrame({
        name: pd.to_numeric(data[prefix + name].replace(r"^\s*$", np.nan, regex=True))
        for name in chosen.items
    })
    for name in chosen.items:
        if inst.item(name).reverse:
            keyed[name] = inst.response_min + inst.response_max - keyed[name]
    rows = pd.concat([cronbach_alpha(keyed, confidence=confidence),
                      mcdonald_omega(keyed, confidence=confidence, n_boot=n_boot, seed=seed, bootstrap=bootstrap)],
                     ignore_index=True)
    rows.insert(0, "measure", f"{inst.id}.{chosen.name}")
    return tidy(rows.to_dict("records"))


def _one_factor_omega(x: np.ndarray) -> dict:
    """Fit a one-factor model by ML to the correlations of ``x`` (rows = respondents) and return
    ``omega``, standardised ``loadings``, ``uniquenesses`` and ``notes``."""
    notes: list[str] = []
    sd = x.std(axis=0, ddof=1)
    if np.any(~(sd > 0)):
        return {"omega": math.nan, "omega_standardized": math.nan, "loadings": None, "uniquenesses": None,
                "notes": ["omega not computed: an item has the same answer for everyone"]}
    corr = np.corrcoef(x, rowvar=False)
    if np.linalg.eigvalsh(corr)[0] <= 1e-10:
        return {"omega": math.nan, "omega_standardized": math.nan, "loadings": None, "uniquenesses": None,
                "notes": ["omega not computed: the item correlations are singular (an item duplicates others)"]}
    loadings, psi = _fit_one_factor(corr)
    if loadings.sum() < 0:
        loadings = -loadings
    if np.any(psi <= UNIQUENESS_FLOOR * 1.001):
        notes.append("Heywood case: a uniqueness reached its lower bound 0.005")
    if np.any(loadings < 0):
        notes.append("item(s) loading negatively: check reverse-scored items are reversed")
    lam, theta = loadings * sd, psi * sd**2
    common = lam.sum() ** 2
    return {"omega": float(common / (common + theta.sum())),
            "omega_standardized": float(1 - psi.sum() / corr.sum()), "loadings": loadings, "uniquenesses": psi,
            "notes": notes}


one_factor_omega = deprecated_alias(_one_factor_omega, "one_factor_omega", "`mcdonald_omega()` (a tidy table)")


def _fit_one_factor(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ML one-factor solution: minimise over uniquenesses psi the discrepancy
    F(psi) = -sum_{j>1} (log t_j - t_j), t_j the eigenvalues of psi^-1/2 R psi^-1/2 below the largest;
    loadings = psi^1/2 v_1 sqrt(max(t_1 - 1, 0)) (Joreskog 1967; Lawley & Maxwell 1971)."""
    p = corr.shape[0]

    def eig(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scale = 1 / np.sqrt(psi)
        return np.linalg.eigh(corr * np.outer(scale, scale))

    def objective(psi: np.ndarray) -> float:
        values = eig(psi)[0][:-1]
        return float(-np.sum(np.log(values) - values))

    def loadings(psi: np.ndarray) -> np.ndarray:
        values, vectors = eig(psi)
        return np.sqrt(psi) * vectors[:, -1] * math.sqrt(max(values[-1] - 1, 0.0))

    def gradient(psi: np.ndarray) -> np.ndarray:
        lam = loadings(psi)
        return (lam**2 + psi - np.diag(corr)) / psi**2

    start = np.clip((1 - 0.5 / p) / np.diag(np.linalg.inv(corr)), UNIQUENESS_FLOOR, 1.0)
    result = optimize.minimize(objective, start, jac=gradient, method="L-BFGS-B",
                               bounds=[(UNIQUENESS_FLOOR, 1.0)] * p,
                               options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 1000})
    return loadings(result.x), result.x


def _complete_items(items: pd.DataFrame, where: str) -> tuple[np.ndarray, int, list[str]]:
    if not isinstance(items, pd.DataFrame):
        raise TypeError(f"{where}: `items` must be a pandas DataFrame with one column per item, "
                        f"not {type(items).__name__}")
    numeric = pd.DataFrame({c: as_numeric(items[c], str(c), where) for c in items.columns})
    complete = numeric.dropna()
    n_dropped = len(numeric) - len(complete)
    notes = [f"{n_dropped} respondent(s) with a missing item left out"] if n_dropped else []
    return complete.to_numpy(dtype=float), n_dropped, notes


def _one_blas_thread():
    """Run the many tiny factor analyses of a bootstrap on one BLAS thread: on a busy machine, threaded
    BLAS makes each 5 x 5 eigen-decomposition wait for idle cores (ten times slower). A no-op when
    threadpoolctl is not installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: results are the same, only slower on a loaded machine
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _boot_name(method: str) -> str:
    return {"bca": "BCa bootstrap", "percentile": "percentile bootstrap"}.get(method, method)
