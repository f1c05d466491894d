"""Matched comparison groups: exact and nearest-neighbour matching, balance, and the effect on the treated.

When there was no trial, a comparison group can be built from young people who were not mentored
but are like the mentored ones on what was measured before mentoring (prior attainment, attendance,
site, cohort, key stage). This module builds that group, says how alike the two groups are, and
estimates the average effect of mentoring on the mentored (ATT) on the matched sample.

The conventions follow R's MatchIt 4 (Ho, Imai, King & Stuart 2011), so that results can be checked
against it: greedy nearest-neighbour matching in the order of the propensity score (largest first),
matching in rounds for 1:k, calipers in standard deviations of the distance, matching weights, and
standardised mean differences divided by the treated group's SD before matching.

Scale: nothing here builds a treated × control distance matrix. One-dimensional distances (propensity
scores) are matched by binary search in the sorted scores with "next free neighbour" pointers;
Mahalanobis distances by k-d tree queries (``scipy.spatial.cKDTree``) on whitened covariates.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import cKDTree

from cm_research.errors import CMResearchError

from cm_research.resampling import order_statistic_quantile
from cm_research.contract import as_numeric, ci_quantile, critical_value, join_notes, require_columns, tidy
from cm_research.deprecation import renamed_arguments

__all__ = [
    "MatchingError",
    "PoorBalanceWarning",
    "UnmatchedTreatedWarning",
    "Matching",
    "match_groups",
    "balance_table",
    "matched_effect",
]

DISTANCES = ("mahalanobis", "propensity", "logit")
ORDERS = ("largest", "smallest", "data", "random")
SEARCH_NEIGHBOURS = 8  # extra neighbours fetched per k-d tree query, so most queries are answered at once
TIE_TOLERANCE = 1e-9  # relative: Mahalanobis distances this close count as tied (then the first in the data wins)


class MatchingError(CMResearchError, ValueError):
    """Matching cannot be done as asked: a column is missing or not numeric, an id is repeated,
    a group is empty, or the propensity-score model cannot be fitted. The message says which."""


class PoorBalanceWarning(UserWarning):
    """After matching, a covariate's standardised mean difference is still above the threshold."""


class UnmatchedTreatedWarning(UserWarning):
    """Some treated young people found no comparison match (outside the caliper, no one in their stratum,
    or a missing value); the message says how many and who, by pseudonymous id."""


@dataclass
class Matching:
    """The result of :func:`match_groups`.

    Attributes
    ----------
    data : DataFrame
        The matched sample: the original rows of every matched unit, plus ``weight`` (matching
        weight), ``subclass`` (matched set; the stratum for exact matching alone; <NA> when matching
        with replacement, where a comparison unit can sit in several sets) and ``distance`` (the
        propensity score or logit; NaN for Mahalanobis matching). With ``subject=None`` a ``row_id``
        column holds the index labels.
    pairs : DataFrame
        One row per (treated, control) match: ``subclass``, ``treated_id``, ``control_id``,
        ``match_distance`` (|score difference| or Mahalanobis distance) and ``round`` (1..k).
        Empty for exact matching alone, where every unit of a stratum is in its set.
    unmatched : DataFrame
        Treated units left without a match: ``id`` and ``reason``.
    balance : DataFrame
        :func:`balance_table` before and after matching (column ``sample``).
    """

    data: pd.DataFrame
    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    balance: pd.DataFrame
    between: str
    treated: object
    control: object
    covariates: list[str]
    id: str
    method: str
    settings: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def n_treated_matched(self) -> int:
        return int((self.data[self.between] == self.treated).sum())

    @property
    def n_control_matched(self) -> int:
        return int((self.data[self.between] == self.control).sum())


# --------------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------------

@renamed_arguments(id="subject")
def match_groups(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    between: str = "group",
    treated: object = "mentored",
    control: object = "comparison",
    subject: str | None = "participant_id",
    distance: str | None = "mahalanobis",
    exact: Sequence[str] | None = None,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = None,
    order: str | None = None,
    seed: int | None = None,
    smd_threshold: float = 0.1,
    warn: bool = True,
) -> Matching:
    """Match each treated young person to `ratio` comparison young people who are like them.

    Parameters
    ----------
    data : DataFrame
        One row per young person, treated and potential comparisons together.
    covariates : list of str
        Numeric (or 0/1) columns measured before mentoring to match on and to check balance on.
        Categorical variables (site, cohort, key stage) belong in `exact`.
    between, treated, control : str, object
        Column of the group label and the labels of the two groups; rows in other groups are left
        out (said in `notes`).
    subject : str or None (was ``id``)
        Column of the pseudonymous id (must be unique); None uses the DataFrame index.
    distance : {"mahalanobis", "propensity", "logit"}, a column name, or None
        ``"mahalanobis"``: Mahalanobis distance on `covariates` with the pooled within-group
        covariance (as MatchIt). ``"propensity"``: |difference| in the propensity score from a
        logistic regression of group on `covariates` (MatchIt's default ``distance = "glm"``);
        ``"logit"``: the same on the logit scale (Austin 2011). The name of a numeric column uses
        that column as a ready-made score. ``None`` with `exact`: exact matching only (every treated
        unit with every comparison unit in its stratum).
    exact : list of str, optional
        Columns that must be equal within a match (strata: site, cohort, key stage).
    ratio : int
        Comparison units per treated unit (1:k). Without replacement they are chosen in k rounds,
        each round going through the treated units in `order` (as MatchIt).
    replace : bool
        Whether a comparison unit may be matched to more than one treated unit.
    caliper : float, optional
        Largest allowed distance. For a score (propensity, logit or a column) it is in standard
        deviations of the score over all units (MatchIt's ``std.caliper = TRUE``; Austin 2011
        recommends 0.2 on the logit). For Mahalanobis it is the largest Mahalanobis distance, which
        is already in within-group SD units.
    order : {"largest", "smallest", "data", "random"}, optional
        Order in which treated units choose, which matters without replacement. Default
        ``"largest"`` score first for scores (MatchIt), ``"data"`` for Mahalanobis.
    seed : int, optional
        Seed for ``order = "random"`` (recorded in `settings`).
    smd_threshold : float
        |SMD| above which balance is called poor (default 0.1; Austin 2009).
    warn : bool
        Issue :class:`PoorBalanceWarning` / :class:`UnmatchedTreatedWarning` (they are also kept in
        `notes` either way).

    Returns
    -------
    Matching

    Notes
    -----
    * Greedy nearest neighbour: each treated unit, in `order`, takes the nearest comparison unit
      still available. Among equally near units the one first in the data is taken (as MatchIt's
      general matcher); Mahalanobis distances within a relative 1e-9 of each other count as equal,
      because distances equal in exact arithmetic (ages 3 years either side) differ in floating point.
    * MatchIt 4.5.1 (Debian bookworm's r-cran-matchit) has a bug in its propensity-score matcher
      (``nn_matchC_vec`` compares distances with C's integer ``abs``): it always takes the left
      neighbour and ignores calipers below 1. Our results agree with MatchIt given the same distances
      as a matrix, which uses its correct general matcher; see tests/stats/matching/reference/matchit.R.
    * Weights (ATT): treated 1; a comparison unit gets Σ 1/k_s over the sets s it belongs to
      (k_s = number of comparison units in set s), and comparison weights are then scaled to sum to
      the number of distinct matched comparison units (MatchIt's ``weights``).
    * Exact matching alone: in each stratum with n_t treated and n_c comparison units, comparison
      weights are n_t / n_c, scaled as above.
    * Mahalanobis: covariates are whitened with the Cholesky factor of the inverse pooled
      within-group covariance, so Euclidean distance in the whitened space is the Mahalanobis
      distance (Rubin 1980).

    References
    ----------
    Ho, D. E., Imai, K., King, G., & Stuart, E. A. (2011). MatchIt: nonparametric preprocessing
    for parametric causal inference. Journal of Statistical Software, 42(8), 1-28.
    Stuart, E. A. (2010). Matching methods for causal inference. Statistical Science, 25, 1-21.
    Austin, P. C. (2011). Optimal caliper widths for propensity-score matching. Pharmaceutical
    Statistics, 10, 150-161.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"participant_id": list("ABCDEFG"),
    ...                    "group": ["mentored"] * 2 + ["comparison"] * 5,
    ...                    "ks2_score": [100, 104, 99, 110, 103, 95, 120]})
    >>> m = match_groups(df, ["ks2_score"], warn=False)
    >>> m.pairs[["treated_id", "control_id"]].values.tolist()
    [['A', 'C'], ['B', 'E']]
    """
    where = "match_groups"
    covariates = list(covariates)
    exact = list(exact or [])
    _check_options(distance, exact, ratio, caliper, order, covariates, data)
    prepared = _prepare(data, covariates, exact, between, treated, control, subject, distance, where)
    frame, ids, is_t, notes, unmatched_rows = prepared
    score_column = distance if (distance is not None and distance not in DISTANCES) else None

    settings = {"distance": distance, "exact": exact, "ratio": ratio, "replace": replace, "caliper": caliper,
                "order": order, "seed": seed}
    x = frame[covariates].to_numpy(dtype=float)
    strata = _strata_codes(frame, exact)
    score = np.full(len(frame), np.nan)

    if distance is None:
        pairs_pos, weights = _exact_only(strata, is_t)
        method = f"exact matching on {', '.join(exact)}"
        unmatched_pos = np.flatnonzero(is_t & (weights == 0))
        reasons = {int(p): f"no comparison unit with the same {', '.join(exact)}" for p in unmatched_pos}
    else:
        if distance == "mahalanobis":
            points = _whiten(x, is_t, covariates)
            method = "nearest neighbour on the Mahalanobis distance"
        else:
            if score_column is not None:
                score = frame[score_column].to_numpy(dtype=float)
                method = f"nearest neighbour on the score in `{score_column}`"
            else:
                score = _propensity(x, is_t, covariates, logit=(distance == "logit"))
                method = ("nearest neighbour on the logistic-regression propensity score"
                          + (" (logit scale)" if distance == "logit" else ""))
            points = None
        order = order or ("data" if distance == "mahalanobis" else "largest")
        settings["order"] = order
        caliper_abs = None
        if caliper is not None:
            if points is None:
                sd = float(np.std(score, ddof=1))
                caliper_abs = caliper * sd
                settings["caliper_absolute"] = caliper_abs
                method += f", caliper {caliper:g} SD of the score ({caliper_abs:.4g})"
            else:
                caliper_abs = float(caliper)
                method += f", caliper {caliper:g} (Mahalanobis distance)"
        method += f", 1:{ratio} {'with' if replace else 'without'} replacement"
        if exact:
            method += f", exact on {', '.join(exact)}"
        rng = np.random.default_rng(seed)
        pairs_pos = []
        reasons = {}
        for stratum in np.unique(strata):
            members = np.flatnonzero(strata == stratum)
            t_pos = members[is_t[members]]
            c_pos = members[~is_t[members]]
            if len(t_pos) == 0:
                continue
            if len(c_pos) == 0:
                for p in t_pos:
                    reasons[int(p)] = f"no comparison unit with the same {', '.join(exact)}"
                continue
            t_order = _treated_order(t_pos, score, order, rng)
            if points is None:
                found = _match_scores(score, t_order, c_pos, ratio, replace, caliper_abs)
            else:
                found = _match_points(points, t_order, c_pos, ratio, replace, caliper_abs)
            pairs_pos.extend(found)
        matched_t = {p for p, _, _, _ in pairs_pos}
        for p in np.flatnonzero(is_t):
            if int(p) not in matched_t and int(p) not in reasons:
                reasons[int(p)] = ("no comparison unit within the caliper" if caliper is not None
                                   else "no comparison unit left to match")
        weights = _weights(pairs_pos, is_t, len(frame))

    pairs = _pairs_table(pairs_pos, ids)
    matched = frame.loc[weights > 0].copy()
    matched["weight"] = weights[weights > 0]
    matched["distance"] = score[weights > 0]
    if distance is None:  # the matched sets are the strata
        matched["subclass"] = pd.array(strata[weights > 0] + 1, dtype="Int64")
    else:
        matched["subclass"] = _subclass_column(pairs_pos, weights, len(frame), replace)
    matched = matched.drop(columns=["_row"])
    if subject is None:  # keep the index labels as ids, for the pairs and the bootstrap
        matched.insert(0, "row_id", ids[weights > 0])

    unmatched = pd.concat([
        unmatched_rows,
        pd.DataFrame({"id": [ids[p] for p in sorted(reasons)], "reason": [reasons[p] for p in sorted(reasons)]}),
    ], ignore_index=True)

    before = balance_table(frame, covariates, between=between, treated=treated, control=control)
    after = balance_table(matched, covariates, between=between, treated=treated, control=control,
                          weights="weight", reference=frame)
    balance = pd.concat([before.assign(sample="before matching"), after.assign(sample="after matching")],
                        ignore_index=True)
    balance = balance[["covariate", "sample", *[c for c in balance if c not in ("covariate", "sample")]]]

    notes = list(notes)
    notes.extend(_problems(balance, unmatched, int(is_t.sum()) + len(unmatched_rows), smd_threshold, warn))
    settings["smd_threshold"] = smd_threshold
    return Matching(data=matched.reset_index(drop=True), pairs=pairs, unmatched=unmatched, balance=balance,
                    between=between, treated=treated, control=control, covariates=covariates,
                    id=subject if subject is not None else "row_id", method=method, settings=settings, notes=notes)


def balance_table(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    between: str = "group",
    treated: object = "mentored",
    control: object = "comparison",
    weights: str | None = None,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Covariate balance: means, standardised mean difference and variance ratio per covariate.

    Parameters
    ----------
    data : DataFrame
        Treated and comparison rows.
    covariates : list of str
        Numeric or 0/1 columns.
    weights : str, optional
        Column of weights (e.g. matching weights); unweighted when None.
    reference : DataFrame, optional
        The sample whose treated SD standardises the differences (the sample before matching, so
        that SMDs before and after share a denominator); default `data` itself.

    Returns
    -------
    DataFrame with one row per covariate: `covariate`, `type` (binary/continuous), `n_treated`,
    `n_control`, `mean_treated`, `mean_control`, `mean_diff`, `smd`, `var_ratio`.

    Notes
    -----
    With weighted means m_1, m_0 and s_1 the treated SD in `reference`:
    SMD = (m_1 - m_0) / s_1 (the ATT convention of Stuart 2010 and MatchIt). A binary covariate's
    variance is p(1 - p); for a continuous one the weighted variance is
    Σ w (x - m)² / (1 - Σ w²) with w normalised to sum to 1 (the unbiased reliability-weight
    estimator, n - 1 when unweighted). Variance ratio = var_1 / var_0 (continuous covariates only;
    ideal 1, worrying outside 0.5-2, Rubin 2001). A difference below sqrt(machine epsilon) is
    reported unstandardised, as MatchIt does.
    """
    where = "balance_table"
    _require(data, [between, *covariates, *([weights] if weights else [])], where)
    ref = data if reference is None else reference
    rows = []
    t_mask = (data[between] == treated).to_numpy()
    c_mask = (data[between] == control).to_numpy()
    w = _numeric(data[weights], weights, where) if weights else np.ones(len(data))
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        rows_ = data.index[bad]
        raise MatchingError(f"{where}: weights in column `{weights}` must be numbers of 0 or more; row(s) "
                            f"{', '.join(str(i) for i in rows_[:5])} hold {', '.join(repr(float(v)) for v in w[bad][:3])}.")
    for label, mask in ((treated, t_mask), (control, c_mask)):
        if weights and mask.any() and w[mask].sum() == 0:
            raise MatchingError(f"{where}: every weight in group {label!r} is 0 (column `{weights}`): its means are "
                                "undefined. Check the matching, or leave the weights out.")
    ref_t = (ref[between] == treated).to_numpy()
    for cov in covariates:
        values = _numeric(data[cov], cov, where)
        ref_all = _numeric(ref[cov], cov, where)
        binary = bool(np.all(np.isin(ref_all[~np.isnan(ref_all)], (0.0, 1.0))))
        m1 = _wmean(values[t_mask], w[t_mask])
        m0 = _wmean(values[c_mask], w[c_mask])
        diff = m1 - m0
        ref_values = ref_all[ref_t]
        sd = math.sqrt(_wvar(ref_values, np.ones(len(ref_values)), binary))
        if abs(diff) < math.sqrt(np.finfo(float).eps):
            smd = diff
        else:
            smd = diff / sd if sd > 0 else math.nan
        var_ratio = math.nan if binary else _wvar(values[t_mask], w[t_mask], False) / _wvar(
            values[c_mask], w[c_mask], False)
        rows.append({"covariate": cov, "type": "binary" if binary else "continuous",
                     "n_treated": int(np.sum(t_mask & (w > 0))), "n_control": int(np.sum(c_mask & (w > 0))),
                     "mean_treated": m1, "mean_control": m0, "mean_diff": diff, "smd": smd,
                     "var_ratio": var_ratio})
    return pd.DataFrame(rows)


@renamed_arguments(outcome="dv")
def matched_effect(
    matching: Matching,
    dv: str,
    *,
    se: str | None = None,
    adjust: Sequence[str] | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 12345,
) -> pd.DataFrame:
    """Average effect of mentoring on the mentored (ATT) in the matched sample, with a CI.

    The estimate is the coefficient of the treatment indicator in a weighted least-squares
    regression of `dv` on treatment (plus `adjust` covariates, for a doubly robust estimate)
    in the matched sample, with the matching weights (Ho et al. 2007; MatchIt's
    "Estimating effects after matching" workflow).

    Parameters
    ----------
    matching : Matching
        From :func:`match_groups`.
    dv : str (was ``outcome``)
        Numeric outcome column (measured after mentoring).
    se : {"cluster", "robust", "bootstrap"}, optional
        * ``"cluster"`` (default without replacement): cluster-robust SE with matched sets as
          clusters, CR1 as R's ``sandwich::vcovCL(type = "HC1")``:
          V = G/(G-1) · (n-1)/(n-p) · B Σ_g U_g U_gᵀ B, B = (XᵀWX)⁻¹, U_g = Σ_{i∈g} w_i x_i e_i.
        * ``"robust"`` (default with replacement, where sets overlap): HC1,
          V = n/(n-p) · B Σ_i w_i² e_i² x_i x_iᵀ B (``sandwich::vcovHC(type = "HC1")``), which is
          clustering on the unit.
        * ``"bootstrap"``: pair (matched-set) bootstrap (Austin & Small 2014): resample whole
          matched sets with replacement `n_boot` times (seeded), re-estimate; SE = SD of the
          replicates, CI = percentile interval. Not recommended with replacement (Abadie &
          Imbens 2008), and said so in `note`.
    adjust : list of str, optional
        Covariates added to the regression.
    confidence : float
        CI level. Cluster and robust CIs use t with n - p residual degrees of freedom
        (as ``lmtest::coefci`` on an ``lm``).

    Returns
    -------
    One-row DataFrame: `measure`, `method`, `n`, `n_treated`, `n_control`, `n_sets`, `estimate`,
    `se`, `ci_low`, `ci_high`, `statistic` (t), `dof`, `p_val`, `se_type`, `note` (plus `n_boot`,
    `seed` for the bootstrap).

    References
    ----------
    Ho, D. E., Imai, K., King, G., & Stuart, E. A. (2007). Matching as nonparametric preprocessing.
    Political Analysis, 15, 199-236.
    Austin, P. C., & Small, D. S. (2014). The use of bootstrapping when using propensity-score
    matching without replacement. Statistics in Medicine, 33, 4306-4319.
    Abadie, A., & Imbens, G. W. (2008). On the failure of the bootstrap for matching estimators.
    Econometrica, 76, 1537-1557.
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
    Journal of Human Resources, 50, 317-372.
    """
    where = "matched_effect"
    adjust = list(adjust or [])
    tail = ci_quantile(confidence)
    replaced = bool(matching.settings.get("replace")) and matching.settings.get("distance") is not None
    se = se or ("robust" if replaced else "cluster")
    if se not in ("cluster", "robust", "bootstrap"):
        raise MatchingError(f"{where}: `se` must be 'cluster', 'robust' or 'bootstrap', not {se!r}.")
    if se == "cluster" and replaced:
        raise MatchingError(
            f"{where}: with matching with replacement a comparison young person can be in several matched sets, "
            "so the sets cannot be clusters; use se='robust' (clusters on the young person) or se='bootstrap'.")
    data = matching.data
    _require(data, [dv, *adjust], where)
    y = _numeric(data[dv], dv, where)
    missing = np.isnan(y)
    for cov in adjust:
        missing |= np.isnan(_numeric(data[cov], cov, where))
    notes = []
    if missing.any():
        raise MatchingError(
            f"{where}: {int(missing.sum())} matched young people have no value for `{dv}`"
            + (f" or {', '.join(adjust)}" if adjust else "")
            + f" (ids {', '.join(str(v) for v in data.loc[missing, matching.id].head(5))}…). Matched sets would be "
            "broken by leaving them out: handle the missing outcomes before matching (e.g. match only young people "
            "with an outcome) and say so.")
    t = (data[matching.between] == matching.treated).to_numpy(dtype=float)
    X = np.column_stack([np.ones(len(data)), t, *[data[c].to_numpy(dtype=float) for c in adjust]])
    w = data["weight"].to_numpy(dtype=float)
    beta, resid, bread = _wls(X, y, w)
    n, p = X.shape
    estimate = float(beta[1])
    if data["subclass"].notna().all():
        n_sets = int(data["subclass"].nunique())
    else:  # with replacement: one set per matched treated unit
        n_sets = int(matching.pairs["treated_id"].nunique())
    row = {"measure": dv, "n": n, "n_treated": int(t.sum()), "n_control": int(n - t.sum()),
           "n_sets": n_sets, "estimate": estimate}
    formula = f"{dv} ~ treated" + "".join(f" + {c}" for c in adjust)
    if se in ("cluster", "robust"):
        scores = X * (w * resid)[:, None]
        if se == "cluster":
            clusters = data["subclass"].to_numpy()
            codes = pd.factorize(clusters)[0]
            summed = np.zeros((codes.max() + 1, p))
            np.add.at(summed, codes, scores)
            g = summed.shape[0]
            meat = summed.T @ summed
            adj = g / (g - 1) * (n - 1) / (n - p)
            se_type = "cluster-robust by matched set (CR1, as sandwich::vcovCL)"
        else:
            meat = scores.T @ scores
            adj = n / (n - p)
            se_type = ("heteroscedasticity-robust (HC1, as sandwich::vcovHC) on the matched sample, treating the "
                       "matches and the estimated score as fixed")
        vcov = adj * bread @ meat @ bread
        se_value = float(math.sqrt(vcov[1, 1]))
        dof = n - p
        crit = critical_value(confidence, dof)
        statistic = estimate / se_value
        row.update(se=se_value, ci_low=estimate - crit * se_value, ci_high=estimate + crit * se_value,
                   statistic=statistic, dof=float(dof), p_val=float(2 * stats.t.sf(abs(statistic), dof)),
                   se_type=se_type)
    else:
        replicates = _pair_bootstrap(matching, dv, adjust, n_boot, seed)
        finite = replicates[np.isfinite(replicates)]
        se_value = float(np.std(finite, ddof=1))
        row.update(se=se_value, ci_low=order_statistic_quantile(finite, tail),
                   ci_high=order_statistic_quantile(finite, 1 - tail), se_type="pair (matched-set) bootstrap",
                   n_boot=n_boot, seed=seed)
        if len(finite) < n_boot:
            notes.append(f"{n_boot - len(finite)} bootstrap replicate(s) had no treated or no comparison unit "
                         "and were left out")
        if replaced:
            notes.append("bootstrap after matching with replacement can be invalid (Abadie & Imbens 2008)")
    row["method"] = f"ATT: weighted least squares on the matched sample ({formula})"
    row["note"] = join_notes(notes)
    return tidy([row])


# --------------------------------------------------------------------------------------------------
# Input checks and preparation
# --------------------------------------------------------------------------------------------------

def _require(data: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    require_columns(data, columns, where, error=MatchingError)


def _numeric(values: pd.Series, column: str, where: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float).to_numpy()
    return as_numeric(values, column, where, error=MatchingError,
                      hint="Put categorical variables (site, cohort, key stage) in `exact=` instead.").to_numpy()


def _check_options(distance, exact, ratio, caliper, order, covariates, data) -> None:
    where = "match_groups"
    if not covariates:
        raise MatchingError(f"{where}: give at least one covariate to match on and check balance on.")
    if distance is None:
        if not exact:
            raise MatchingError(f"{where}: distance=None means exact matching only, which needs `exact=` columns.")
        if caliper is not None or ratio != 1:
            raise MatchingError(f"{where}: `caliper` and `ratio` apply to nearest-neighbour matching, not to "
                                "exact matching alone (distance=None).")
    elif distance not in DISTANCES and (not isinstance(data, pd.DataFrame) or distance not in data.columns):
        raise MatchingError(f"{where}: `distance` must be one of {', '.join(DISTANCES)}, None, or the name of a "
                            f"column holding a score; {distance!r} is none of these.")
    if not (isinstance(ratio, (int, np.integer)) and ratio >= 1):
        raise MatchingError(f"{where}: `ratio` must be a whole number of at least 1, not {ratio!r}.")
    if caliper is not None and not (np.isfinite(caliper) and caliper > 0):
        raise MatchingError(f"{where}: `caliper` must be a positive number, not {caliper!r}.")
    if order is not None and order not in ORDERS:
        raise MatchingError(f"{where}: `order` must be one of {', '.join(ORDERS)}, not {order!r}.")
    if order in ("largest", "smallest") and distance == "mahalanobis":
        raise MatchingError(f"{where}: order={order!r} needs a score; with Mahalanobis use 'data' or 'random'.")


def _prepare(data, covariates, exact, between, treated, control, id, distance, where):
    """Keep the two groups' complete rows; return them with ids, a treated mask, notes and unmatched rows."""
    extra = [distance] if (distance is not None and distance not in DISTANCES) else []
    _require(data, [between, *covariates, *exact, *extra, *([id] if id else [])], where)
    frame = data.copy()
    frame["_row"] = np.arange(len(frame))
    ids = (frame[id] if id else pd.Series(frame.index, index=frame.index)).astype(object)
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        first = dup.iloc[0]
        rows = [str(i) for i in dup.index[dup == first][:5]]
        raise MatchingError(f"{where}: id {first!r} appears in more than one row (rows {', '.join(rows)}); "
                            f"each young person must have one row with a unique `{id or 'index'}`.")
    labels = frame[between]
    in_study = labels.isin([treated, control]).to_numpy()
    notes = []
    others = labels[~in_study]
    if len(others):
        kinds = ", ".join(repr(v) for v in pd.unique(others)[:5])
        notes.append(f"{len(others)} row(s) in other groups ({kinds}) not used")
    for col in [*covariates, *extra]:
        frame[col] = _numeric(frame[col], col, where)
    complete = np.ones(len(frame), dtype=bool)
    reason = pd.Series("", index=frame.index, dtype=object)
    for col in [*covariates, *exact, *extra]:
        miss = frame[col].isna().to_numpy()
        reason[miss & (reason == "")] = f"missing value in `{col}`"
        complete &= ~miss
    is_treated_all = (labels == treated).to_numpy()
    unmatched_rows = pd.DataFrame({"id": ids[in_study & is_treated_all & ~complete].to_list(),
                                   "reason": reason[in_study & is_treated_all & ~complete].to_list()})
    n_control_missing = int(np.sum(in_study & ~is_treated_all & ~complete))
    if n_control_missing:
        notes.append(f"{n_control_missing} comparison row(s) with a missing covariate could not be used")
    keep = in_study & complete
    frame = frame.loc[keep].copy()
    is_t = (frame[between] == treated).to_numpy()
    for label, mask in ((treated, is_t), (control, ~is_t)):
        if not mask.any():
            found = ", ".join(repr(v) for v in pd.unique(labels.dropna())[:10])
            raise MatchingError(f"{where}: group {label!r} in column `{between}` has no rows with every covariate "
                                f"present. Groups present: {found or '(none)'}.")
    return frame, ids[keep].to_numpy(dtype=object), is_t, notes, unmatched_rows


def _strata_codes(frame: pd.DataFrame, exact: list[str]) -> np.ndarray:
    if not exact:
        return np.zeros(len(frame), dtype=np.int64)
    return frame.groupby(exact, sort=True, dropna=False).ngroup().to_numpy()


# --------------------------------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------------------------------

def _propensity(x: np.ndarray, is_t: np.ndarray, covariates: list[str], logit: bool) -> np.ndarray:
    """Fitted probability (or linear predictor) of a logistic regression of treatment on covariates.

    Newton-Raphson (IRLS) to convergence, the maximum-likelihood fit of R's ``glm(family = binomial)``.
    Constant covariates are dropped (they carry no information and make X'WX singular).
    """
    keep = np.ptp(x, axis=0) > 0
    X = np.column_stack([np.ones(len(x)), x[:, keep]])
    # Centre and scale for a well-conditioned fit; predictions do not depend on this.
    mu, sd = X[:, 1:].mean(axis=0), X[:, 1:].std(axis=0)
    Z = X.copy()
    Z[:, 1:] = (X[:, 1:] - mu) / sd
    if np.linalg.matrix_rank(Z) < Z.shape[1]:
        raise MatchingError("match_groups: the propensity-score model cannot be fitted: the covariates "
                            f"{', '.join(covariates)} are collinear (one is a combination of the others); drop one.")
    y = is_t.astype(float)
    beta = np.zeros(Z.shape[1])
    beta[0] = math.log(y.mean() / (1 - y.mean()))

    def loglik(b: np.ndarray) -> float:
        eta = Z @ b
        return float(np.sum(y * eta - np.logaddexp(0.0, eta)))

    current = loglik(beta)
    converged = False
    for _ in range(200):
        p = 1 / (1 + np.exp(-(Z @ beta)))
        hess = Z.T @ (Z * (p * (1 - p))[:, None])
        try:
            step = np.linalg.solve(hess, Z.T @ (y - p))
        except np.linalg.LinAlgError:
            break  # the fitted probabilities reached 0 or 1: separation, reported below
        # Newton-Raphson with step halving, so the likelihood never decreases.
        for _ in range(50):
            proposal = loglik(beta + step)
            if proposal >= current - 1e-12 * abs(current):
                break
            step = step / 2
        beta, current = beta + step, proposal
        if np.max(np.abs(step)) < 1e-10 * (1 + np.max(np.abs(beta))):
            converged = True
            break
    if not converged or not np.all(np.isfinite(beta)):
        raise MatchingError(
            "match_groups: the propensity-score model does not converge: the covariates "
            f"{', '.join(covariates)} (almost) separate the two groups, so they barely overlap and a matched "
            "comparison is not credible. Check the covariates, or match exactly on the one that separates them.")
    eta = Z @ beta
    return eta if logit else 1 / (1 + np.exp(-eta))


def _whiten(x: np.ndarray, is_t: np.ndarray, covariates: list[str]) -> np.ndarray:
    """Covariates transformed so that Euclidean distance = Mahalanobis distance with the pooled
    within-group covariance S = Σ_g Σ_{i∈g} (x_i - m_g)(x_i - m_g)ᵀ / (n - 2) (MatchIt's ``pooled_cov``)."""
    keep = np.ptp(x, axis=0) > np.sqrt(np.finfo(float).eps)
    if not keep.any():
        raise MatchingError("match_groups: every covariate is constant: there is nothing to match on.")
    x = x[:, keep]
    if len(x) < 3 + x.shape[1]:
        raise MatchingError(f"match_groups: {len(x)} young people with every covariate present is too few to "
                            f"estimate the covariance of {x.shape[1]} covariate(s) for the Mahalanobis distance.")
    centred = x.copy()
    for mask in (is_t, ~is_t):
        centred[mask] -= x[mask].mean(axis=0)
    cov = centred.T @ centred / (len(x) - 2)
    try:
        chol = np.linalg.cholesky(np.linalg.inv(cov))
    except np.linalg.LinAlgError:
        names = ", ".join(c for c, k in zip(covariates, keep) if k)
        raise MatchingError(f"match_groups: the covariates {names} are collinear (their pooled covariance matrix "
                            "is singular); drop one of them.") from None
    return x @ chol


# --------------------------------------------------------------------------------------------------
# Nearest-neighbour search
# --------------------------------------------------------------------------------------------------

def _treated_order(t_pos: np.ndarray, score: np.ndarray, order: str, rng: np.random.Generator) -> np.ndarray:
    if order == "largest":
        return t_pos[np.argsort(-score[t_pos], kind="stable")]
    if order == "smallest":
        return t_pos[np.argsort(score[t_pos], kind="stable")]
    if order == "random":
        return t_pos[rng.permutation(len(t_pos))]
    return t_pos


class _FreeNeighbours:
    """Nearest still-available index to the left / right in a sorted array (union-find with path halving)."""

    def __init__(self, n: int):
        self.left = list(range(n + 1))   # left[i + 1]: nearest free j <= i, stored shifted; 0 means none
        self.right = list(range(n + 1))  # right[i]: nearest free j >= i; n means none
        self.n = n

    def find_left(self, i: int) -> int:
        node, parent = i + 1, self.left
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node - 1

    def find_right(self, i: int) -> int:
        node, parent = i, self.right
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def take(self, i: int) -> None:
        self.left[i + 1] = i
        self.right[i] = i + 1


def _match_scores(score, t_order, c_pos, ratio, replace, caliper):
    """Greedy matching on a one-dimensional score by binary search in the sorted comparison scores.

    Comparison units are sorted by (score, data position). A treated unit's nearest free units are
    found on either side of its insertion point ("next free" pointers make a search O(log n) even
    after many units are taken). Among units equally near, the one first in the data is taken, as
    in MatchIt's general matcher (``nn_matchC``) and in :func:`_match_points`.
    """
    order_c = np.lexsort((c_pos, score[c_pos]))
    cs, cp = score[c_pos][order_c], c_pos[order_c]
    n_c = len(cs)
    insert = np.searchsorted(cs, score[t_order], side="left")
    found = []
    if replace:
        for j, t in enumerate(t_order):
            s = score[t]
            for rank, (k, d) in enumerate(_nearest_with_replacement(cs, cp, s, insert[j], ratio, caliper)):
                found.append((int(t), int(cp[k]), d, rank + 1))
        return found
    free = _FreeNeighbours(n_c)
    remaining = n_c
    block_start = np.searchsorted(cs, cs, side="left")  # first position holding the same score
    for r in range(ratio):
        for j, t in enumerate(t_order):
            if remaining == 0:
                return found
            s = score[t]
            best = None
            for k in (free.find_left(insert[j] - 1) if insert[j] > 0 else -1,
                      free.find_right(insert[j]) if insert[j] < n_c else n_c):
                if 0 <= k < n_c:
                    k = free.find_right(block_start[k])  # first free unit with this score (lowest position)
                    key = (abs(cs[k] - s), cp[k])
                    if best is None or key < best[0]:
                        best = (key, k)
            if best is None:
                continue
            (d, _), k = best
            if caliper is not None and d > caliper:
                continue
            found.append((int(t), int(cp[k]), float(d), r + 1))
            free.take(k)
            remaining -= 1
    return found


def _nearest_with_replacement(cs, cp, s, insert, ratio, caliper):
    """The `ratio` comparison units nearest to score `s` (ties: first in the data), within the caliper."""
    n_c = len(cs)
    left, right = insert - 1, insert
    taken: list[tuple[float, int, int]] = []
    while True:
        dl = abs(cs[left] - s) if left >= 0 else math.inf
        dr = abs(cs[right] - s) if right < n_c else math.inf
        d = min(dl, dr)
        if d == math.inf:
            break
        if len(taken) >= ratio and d > sorted(taken)[ratio - 1][0]:
            break
        if dl <= dr:
            taken.append((float(dl), int(cp[left]), left))
            left -= 1
        else:
            taken.append((float(dr), int(cp[right]), right))
            right += 1
    chosen = sorted(taken)[:ratio]
    return [(k, d) for d, _, k in chosen if caliper is None or d <= caliper]


def _match_points(points, t_order, c_pos, ratio, replace, caliper):
    """Greedy matching on Euclidean distance in whitened space with a k-d tree; never an n × m matrix.

    Each query asks for a few more neighbours than needed; a treated unit whose neighbours are all
    taken (or whose nearest free neighbour may tie with an unseen one) is asked again with twice as
    many. Exact ties go to the first comparison unit in data order.
    """
    tree = cKDTree(points[c_pos])
    n_c = len(c_pos)
    bound = np.inf if caliper is None else caliper * (1 + 1e-12)
    k0 = min(n_c, ratio + SEARCH_NEIGHBOURS)
    dist0, idx0 = tree.query(points[t_order], k=k0, distance_upper_bound=bound)
    dist0, idx0 = dist0.reshape(len(t_order), k0), idx0.reshape(len(t_order), k0)
    used = np.zeros(n_c, dtype=bool)
    found = []
    mine: dict[int, set] = {}
    rounds = 1 if replace else ratio
    per_round = ratio if replace else 1
    for r in range(rounds):
        for j, t in enumerate(t_order):
            taken_here = mine.setdefault(j, set())
            k, dist, idx = k0, dist0[j], idx0[j]
            while True:
                ok = np.isfinite(dist) & ~np.isin(idx, list(taken_here))
                if not replace:
                    ok &= ~used[np.minimum(idx, n_c - 1)]
                cand_d, cand_i = dist[ok], idx[ok]
                complete = k >= n_c or not np.isfinite(dist[-1])
                if len(cand_d) >= per_round:
                    cut = np.sort(cand_d)[per_round - 1]
                    if complete or dist[-1] > _tie_limit(cut):
                        break
                elif complete:
                    break
                k = min(n_c, 2 * k)
                dist, idx = tree.query(points[t], k=k, distance_upper_bound=bound)
                dist, idx = np.atleast_1d(dist), np.atleast_1d(idx)
            chosen = _first_nearest(cand_d, c_pos[cand_i], per_round)
            for c in chosen:
                ci = int(cand_i[c])
                found.append((int(t), int(c_pos[ci]), float(cand_d[c]), r + 1 if not replace else len(taken_here) + 1))
                taken_here.add(ci)
                if not replace:
                    used[ci] = True
    return found


def _tie_limit(d: float) -> float:
    """Distances up to this are tied with `d`: Mahalanobis distances that are equal in exact arithmetic
    (e.g. ages 3 years either side of the treated unit's) differ in the last bits of floating point."""
    return d * (1 + TIE_TOLERANCE) + TIE_TOLERANCE


def _first_nearest(d: np.ndarray, position: np.ndarray, k: int) -> list[int]:
    """Indices of the k nearest, taking among (near-)ties the unit first in the data each time."""
    chosen: list[int] = []
    left = np.ones(len(d), dtype=bool)
    for _ in range(min(k, len(d))):
        dmin = d[left].min()
        tied = np.flatnonzero(left & (d <= _tie_limit(dmin)))
        pick = int(tied[np.argmin(position[tied])])
        chosen.append(pick)
        left[pick] = False
    return chosen


# --------------------------------------------------------------------------------------------------
# Weights and tables
# --------------------------------------------------------------------------------------------------

def _exact_only(strata: np.ndarray, is_t: np.ndarray):
    """Weights of exact matching: treated 1, comparison n_t / n_c in each stratum with both groups."""
    weights = np.zeros(len(strata))
    for stratum in np.unique(strata):
        members = np.flatnonzero(strata == stratum)
        t_pos, c_pos = members[is_t[members]], members[~is_t[members]]
        if len(t_pos) and len(c_pos):
            weights[t_pos] = 1.0
            weights[c_pos] = len(t_pos) / len(c_pos)
    control = (~is_t) & (weights > 0)
    if control.any():
        weights[control] *= control.sum() / weights[control].sum()
    return [], weights


def _weights(pairs_pos, is_t: np.ndarray, n: int) -> np.ndarray:
    weights = np.zeros(n)
    per_treated: dict[int, list[int]] = {}
    for t, c, _, _ in pairs_pos:
        per_treated.setdefault(t, []).append(c)
    for t, controls in per_treated.items():
        weights[t] = 1.0
        for c in controls:
            weights[c] += 1.0 / len(controls)
    control = (~is_t) & (weights > 0)
    if control.any():
        weights[control] *= control.sum() / weights[control].sum()
    return weights


def _pairs_table(pairs_pos, ids) -> pd.DataFrame:
    treated_in_order = list(dict.fromkeys(t for t, _, _, _ in pairs_pos))
    subclass = {t: i + 1 for i, t in enumerate(treated_in_order)}
    return pd.DataFrame({
        "subclass": pd.array([subclass[t] for t, _, _, _ in pairs_pos], dtype="Int64"),
        "treated_id": [ids[t] for t, _, _, _ in pairs_pos],
        "control_id": [ids[c] for _, c, _, _ in pairs_pos],
        "match_distance": [d for _, _, d, _ in pairs_pos],
        "round": pd.array([r for _, _, _, r in pairs_pos], dtype="Int64"),
    }, columns=["subclass", "treated_id", "control_id", "match_distance", "round"])


def _subclass_column(pairs_pos, weights: np.ndarray, n: int, replace: bool):
    matched = np.flatnonzero(weights > 0)
    if replace:
        return pd.array([pd.NA] * len(matched), dtype="Int64")
    treated_in_order = list(dict.fromkeys(t for t, _, _, _ in pairs_pos))
    subclass = np.zeros(n, dtype=np.int64)
    for i, t in enumerate(treated_in_order):
        subclass[t] = i + 1
    for t, c, _, _ in pairs_pos:
        subclass[c] = subclass[t]
    return pd.array(subclass[matched], dtype="Int64")


def _problems(balance, unmatched, n_treated, threshold, warn) -> list[str]:
    messages = []
    after = balance[balance["sample"] == "after matching"]
    poor = after[after["smd"].abs() > threshold]
    if len(poor):
        listed = ", ".join(f"{r.covariate} ({r.smd:+.2f})" for r in poor.itertuples())
        messages.append(f"poor balance after matching: |SMD| > {threshold:g} for {listed}")
        if warn:
            warnings.warn(f"Poor balance after matching: |standardised mean difference| > {threshold:g} for "
                          f"{listed}. The groups still differ on these; consider exact matching, a caliper, or "
                          "adjusting for them in matched_effect(adjust=...).", PoorBalanceWarning, stacklevel=3)
    if len(unmatched):
        shown = ", ".join(str(v) for v in unmatched["id"].head(20))
        more = f" and {len(unmatched) - 20} more" if len(unmatched) > 20 else ""
        messages.append(f"{len(unmatched)} of {n_treated} treated unit(s) unmatched: {shown}{more}")
        if warn:
            warnings.warn(f"{len(unmatched)} of {n_treated} treated young people have no match and are left out of "
                          f"the matched comparison (ids {shown}{more}); see Matching.unmatched for the reasons. "
                          "The effect is then estimated for the matched ones only.",
                          UnmatchedTreatedWarning, stacklevel=3)
    return messages


# --------------------------------------------------------------------------------------------------
# Estimation helpers
# --------------------------------------------------------------------------------------------------

def _wmean(x: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(w * x) / np.sum(w)) if np.sum(w) > 0 else math.nan


def _wvar(x: np.ndarray, w: np.ndarray, binary: bool) -> float:
    """Weighted variance: p(1-p) for a binary variable, else Σ w (x-m)² / (1 - Σ w²) with Σ w = 1."""
    if len(x) == 0 or np.sum(w) <= 0:
        return math.nan
    w = w / np.sum(w)
    m = float(np.sum(w * x))
    if binary:
        return m * (1 - m)
    denom = 1 - float(np.sum(w**2))
    return float(np.sum(w * (x - m) ** 2) / denom) if denom > 0 else math.nan


def _wls(X: np.ndarray, y: np.ndarray, w: np.ndarray):
    xtwx = X.T @ (X * w[:, None])
    try:
        bread = np.linalg.inv(xtwx)
    except np.linalg.LinAlgError:
        raise MatchingError("matched_effect: the regression cannot be fitted: the adjustment covariates are "
                            "collinear with each other or with treatment in the matched sample.") from None
    beta = bread @ (X.T @ (w * y))
    return beta, y - X @ beta, bread


def _pair_bootstrap(matching: Matching, outcome: str, adjust: list[str], n_boot: int, seed: int) -> np.ndarray:
    """Replicates of the ATT from resampling whole matched sets with replacement.

    Without replacement (and for exact matching) the sets are the `subclass` groups of the matched
    sample with their matching weights, so a replicate drawing every set once gives the estimate
    itself. With replacement a set is a treated unit with its k comparison units (weights 1 and 1/k),
    comparison units being repeated across the sets they belong to.
    """
    data = matching.data
    cols = [outcome, *adjust]
    values = data[cols].to_numpy(dtype=float)
    is_t = (data[matching.between] == matching.treated).to_numpy(dtype=float)
    if data["subclass"].notna().all():
        codes = pd.factorize(data["subclass"].to_numpy(), sort=True)[0]
        set_rows = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
        base_w = data["weight"].to_numpy(dtype=float)
        set_w = [base_w[rows] for rows in set_rows]
    else:
        position = {key: i for i, key in enumerate(data[matching.id])}
        set_rows, set_w = [], []
        for _, block in matching.pairs.groupby("subclass", sort=True):
            k = len(block)
            members = [block["treated_id"].iloc[0], *block["control_id"]]
            set_rows.append(np.array([position[m] for m in members]))
            set_w.append(np.array([1.0, *([1.0 / k] * k)]))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(set_rows), size=(n_boot, len(set_rows)))
    out = np.full(n_boot, np.nan)
    for b, draw in enumerate(draws):
        rows = np.concatenate([set_rows[i] for i in draw])
        w = np.concatenate([set_w[i] for i in draw])
        t = is_t[rows]
        if t.min() == t.max():
            continue
        X = np.column_stack([np.ones(len(rows)), t, values[rows, 1:]])
        try:
            beta = np.linalg.solve(X.T @ (X * w[:, None]), X.T @ (w * values[rows, 0]))
        except np.linalg.LinAlgError:
            continue
        out[b] = beta[1]
    return out
