"""Before/after change for the same young people (paired designs)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.resampling import bootstrap_interval
from cm_research.contract import (InsufficientDataError, as_numeric, ci_quantile, join_notes, reject_infinite,
                                  require_columns, tidy)
from ._effsize import hedges_j, noncentral_t_limits, rank_biserial_limits
from cm_research.deprecation import deprecated_alias, renamed_arguments

__all__ = ["paired_change", "signed_rank_test", "signed_rank"]


@renamed_arguments(before="baseline", after="post")
def paired_change(
    data: pd.DataFrame,
    dv: str = "value",
    within: str = "timepoint",
    subject: str = "participant_id",
    baseline: object = "baseline",
    post: object = "post",
    *,
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 12345,
    bootstrap: str = "bca",
) -> pd.DataFrame:
    """Change from `baseline` to `post` in the same participants, with effect sizes.

    Parameters
    ----------
    data : DataFrame
        Long-form outcomes: one row per participant and timepoint.
    dv, within, subject : str
        Columns holding the value, the timepoint and the participant id.
    baseline, post : object (were ``before``, ``after``)
        Labels in `within` of the two timepoints compared; change = post - baseline.
    confidence : float
        Level of every confidence interval.
    n_boot, seed : int
        Bootstrap resamples and the seed of the generator (both recorded in the output).
    bootstrap : {"bca", "percentile"}
        Bootstrap interval for the mean change.

    Returns
    -------
    DataFrame with three rows, all with `measure` (= `dv`), `n` and `n_pairs`
    (participants with both values) and `n_dropped` (participants missing one or both):

    * ``Paired t-test``: `estimate` = mean change with its t interval, `se` = s_d / sqrt(n)
      (the standard error the interval is built on, R's ``t.test()$stderr``), `statistic` = t,
      `dof` = n - 1, `p_val`; `d_z`, `hedges_g_av` and their CIs.
    * ``Wilcoxon signed-rank test (...)``: `estimate` = median change (descriptive,
      no CI), `statistic` = V (sum of the ranks of positive changes, as R reports it),
      `p_val`, `rank_biserial`. The method name says whether the p-value is exact.
    * ``Bootstrap ... CI of the mean change``: `estimate` = mean change, `ci_low`,
      `ci_high`, `n_boot`, `seed`.

    Columns that do not apply to a row are NaN; anything else undefined is NaN
    with the reason in `note`.

    Notes
    -----
    With changes d_i (i = 1..n), mean m, SD s_d, and SDs s_1, s_2 at the two timepoints:

    * t = m / (s_d / sqrt(n)); CI m ± t_{1-α/2, n-1} s_d / sqrt(n) (Student 1908).
    * d_z = m / s_d, CI from the noncentral t: λ limits solving
      P(T_{n-1, λ} <= t) = 1 - α/2 and α/2, divided by sqrt(n) (Cumming & Finch 2001).
      This is R's ``effectsize::cohens_d(paired = TRUE)``; d_z is not bias-corrected.
    * g_av = J(n-1) m / s_av with s_av = sqrt((s_1² + s_2²) / 2) and the exact
      J(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)) (Hedges 1981; Cumming 2012).
      CI: the λ limits above times J(n-1) s_d / (sqrt(n) s_av), the approximation
      of Algina & Keselman (2003) that treats s_d / s_av as known.
    * Wilcoxon signed-rank (R's ``wilcox.test(paired = TRUE)`` conventions): zero
      changes are dropped; with fewer than 50 non-zero changes, no ties and no
      zeros the p-value is exact; otherwise the normal approximation with
      continuity correction and tie-corrected variance
      z = (V - n(n+1)/4 ∓ 0.5) / sqrt(n(n+1)(2n+1)/24 - Σ(t³ - t)/48).
      Matched-pairs rank-biserial r = (R⁺ - R⁻) / (R⁺ + R⁻) (Kerby 2014), with the CI
      tanh(atanh(r) ± z sqrt(n(n + 1)(2n + 1) / 6) / (n(n + 1) / 2)) over the n non-zero changes, as
      ``effectsize::rank_biserial(paired = TRUE)`` (none at r = ±1, said in `note`).
    * Bootstrap: resamples of the changes from ``numpy.random.default_rng(seed)``;
      BCa (Efron 1987) or percentile, with Davison & Hinkley's (1997) conventions. With fewer than 30 pairs
      the bootstrap CI is too narrow (95% BCa intervals covered 78% of skewed samples of 5 pairs and 90% of 10
      or 20 in ``benchmarks/coverage_ci.py``): the `note` says so.

    References
    ----------
    Algina, J., & Keselman, H. J. (2003). Approximate confidence intervals for effect
    sizes. Educational and Psychological Measurement, 63, 537-553.
    Cumming, G. (2012). Understanding the New Statistics. Routledge.
    Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology, 3, 11.
    Efron, B. (1987). Better bootstrap confidence intervals. JASA, 82, 171-185.

    Example
    -------
    >>> import pandas as pd
    >>> from cm_research.stats import paired_change
    >>> sdq = pd.DataFrame({
    ...     "participant_id": ["p1", "p2", "p3", "p4"] * 2,
    ...     "timepoint": ["baseline"] * 4 + ["post"] * 4,
    ...     "value": [22, 18, 25, 19, 17, 16, 20, 18]})
    >>> res = paired_change(sdq)
    >>> float(res.loc[0, "estimate"])
    -3.25
    """
    where = "paired_change"
    require_columns(data, [dv, within, subject], where)
    ci_quantile(confidence)
    pairs, n_dropped, dropped_note = pair_up(data, dv, within, subject, baseline, post, where)
    diff = (pairs[post] - pairs[baseline]).to_numpy()
    n = len(diff)
    common = {"measure": dv, "n": n, "n_pairs": n, "n_dropped": n_dropped}
    rows = [
        {**common, **_t_and_effect_sizes(pairs[baseline].to_numpy(), pairs[post].to_numpy(), confidence)},
        {**common, **_signed_rank(diff, confidence)},
        {**common, **_bootstrap_row(diff, confidence, n_boot, seed, bootstrap)},
    ]
    for row in rows:
        row["note"] = join_notes(dropped_note, row.get("note"))
    return tidy(rows)


def pair_up(
    data: pd.DataFrame, dv: str, within: str, subject: str, before: object, after: object, where: str
) -> tuple[pd.DataFrame, int, str]:
    """Wide table (index `subject`, columns `before`, `after`) of the participants with both values.

    Also returns the number of participants left out for a missing value and a
    note saying so. Raises when a timepoint is absent or a participant has two
    rows at one timepoint. Shared with the slope chart in `cm_research.plots`.
    """
    require_columns(data, [dv, within, subject], where)
    present = pd.unique(data[within].dropna())
    for label in (before, after):
        if label not in set(present):
            shown = ", ".join(repr(v) for v in present[:10])
            raise InsufficientDataError(
                f"{where}: timepoint {label!r} does not occur in column `{within}`; "
                f"the timepoints present are: {shown or '(none)'}."
            )
    rows = data.loc[data[within].isin([before, after]), [subject, within, dv]].copy()
    rows[dv] = as_numeric(rows[dv], dv, where)
    reject_infinite(rows[dv], dv, where)
    twice = rows[rows.duplicated([subject, within], keep=False)]
    if len(twice):
        ids = ", ".join(str(v) for v in pd.unique(twice[subject])[:5])
        raise ValueError(
            f"{where}: participant(s) {ids} have more than one row at the same timepoint in "
            f"column `{within}`; keep one value per participant and timepoint."
        )
    wide = rows.pivot(index=subject, columns=within, values=dv)
    wide = wide.reindex(columns=[before, after])
    complete = wide.dropna()
    n_dropped = len(wide) - len(complete)
    if complete.empty:
        raise InsufficientDataError(
            f"{where}: no participant has a value for `{dv}` at both {before!r} and {after!r} "
            f"({len(wide)} participant(s) have one of them)."
        )
    note = (
        f"{n_dropped} participant(s) without a value at both {before!r} and {after!r} left out"
        if n_dropped
        else ""
    )
    return complete, n_dropped, note


def _t_and_effect_sizes(x_before: np.ndarray, x_after: np.ndarray, confidence: float) -> dict:
    diff = x_after - x_before
    n = len(diff)
    mean = float(diff.mean())
    row = {"method": "Paired t-test", "estimate": mean}
    notes = []
    nan = math.nan
    row.update(se=nan, ci_low=nan, ci_high=nan, statistic=nan, dof=nan, p_val=nan)
    row.update(d_z=nan, d_z_ci_low=nan, d_z_ci_high=nan)
    row.update(hedges_g_av=nan, hedges_g_av_ci_low=nan, hedges_g_av_ci_high=nan)
    if n < 2:
        row["note"] = "only 1 pair: no SD of change, so no CI, test or standardised effect size"
        return row
    sd_d = float(diff.std(ddof=1))
    s_av = math.sqrt((x_before.var(ddof=1) + x_after.var(ddof=1)) / 2)
    dof = n - 1
    row["dof"] = dof
    lam_low = lam_high = nan
    if sd_d == 0:
        notes.append("every participant changed by the same amount (SD of change is 0): t-test, d_z and CIs undefined")
    else:
        res = stats.ttest_1samp(diff, 0.0)
        ci = res.confidence_interval(confidence)
        t = float(res.statistic)
        row.update(se=sd_d / math.sqrt(n), ci_low=float(ci.low), ci_high=float(ci.high), statistic=t,
                   p_val=float(res.pvalue))
        lam_low, lam_high = noncentral_t_limits(t, dof, confidence)
        row.update(d_z=mean / sd_d, d_z_ci_low=lam_low / math.sqrt(n), d_z_ci_high=lam_high / math.sqrt(n))
    j = hedges_j(dof)
    if s_av == 0:
        notes.append("all values are identical at both timepoints (SD is 0): g_av undefined")
    elif not np.isfinite(j):
        notes.append("g_av needs at least 3 pairs (Hedges' correction J(n-1) is undefined for n = 2)")
    else:
        row["hedges_g_av"] = j * mean / s_av
        scale = j * sd_d / (math.sqrt(n) * s_av)
        row.update(hedges_g_av_ci_low=lam_low * scale, hedges_g_av_ci_high=lam_high * scale)
    row["note"] = join_notes(notes)
    return row


def signed_rank_test(changes: np.ndarray | Sequence[float]) -> pd.DataFrame:
    """Wilcoxon signed-rank test of paired changes (post - baseline), as a one-row tidy table.

    Columns `method`, `n_nonzero`, `estimate` (the median change, no CI), `statistic` (V, the sum of the ranks of
    |change| over the positive changes), `p_val`, `rank_biserial` (r = (V - (T - V)) / T, T = n(n + 1)/2) and
    `note`. Zero changes are dropped before ranking; p is exact for n < 50 without ties or zeros, otherwise the
    normal approximation with continuity correction, as R's ``wilcox.test(x, paired = TRUE)`` (Wilcoxon 1945;
    Kerby 2014 for r). :func:`paired_change` gives this row next to the t-test and bootstrap rows.

    Example
    -------
    >>> res = signed_rank_test([-5, -2, -4, -1])
    >>> float(res.loc[0, "statistic"]), round(float(res.loc[0, "p_val"]), 3)
    (0.0, 0.125)

    Missing changes (NaN) are left out and counted in `note`, as R's ``wilcox.test`` leaves out NA.
    """
    diff = np.asarray(changes, dtype=float)
    missing = int(np.isnan(diff).sum())
    row = _signed_rank(diff[~np.isnan(diff)])
    if missing:
        row["note"] = join_notes(f"{missing} missing change(s) left out", row.get("note"))
    return tidy([row])


def _signed_rank(diff: np.ndarray, confidence: float = 0.95) -> dict:
    """Wilcoxon signed-rank test of the changes ``diff`` (one row of fields: estimate, statistic V, p_val,
    rank_biserial, note), with R's rules for exact vs approximate p (as wilcox.test(paired = TRUE))."""
    nonzero = diff[diff != 0]
    n = len(nonzero)
    n_zero = len(diff) - n
    row = {"estimate": float(np.median(diff)), "n_nonzero": n}
    notes = ["estimate is the median change (no CI)"]
    if n_zero:
        notes.append(f"{n_zero} zero change(s) dropped before ranking")
    if n == 0:
        row.update(method="Wilcoxon signed-rank test", statistic=0.0, p_val=math.nan, rank_biserial=math.nan)
        notes.append("every change is zero: the signed-rank test and rank-biserial r are undefined")
        row["note"] = join_notes(notes)
        return row
    ranks = stats.rankdata(np.abs(nonzero))
    v = float(ranks[nonzero > 0].sum())
    total = n * (n + 1) / 2
    row["rank_biserial"] = (v - (total - v)) / total
    # CI of r on Fisher's z scale, as effectsize::rank_biserial(paired = TRUE)
    low, high, why = rank_biserial_limits(row["rank_biserial"], math.sqrt((2 * n ** 3 + 3 * n ** 2 + n) / 6) / total,
                                          confidence)
    row.update(rank_biserial_ci_low=low, rank_biserial_ci_high=high)
    notes.append(why)
    row["statistic"] = v
    _, tie_counts = np.unique(ranks, return_counts=True)
    ties = bool(np.any(tie_counts > 1))
    if n < 50 and not ties and n_zero == 0:
        row["method"] = "Wilcoxon signed-rank test (exact)"
        row["p_val"] = _signed_rank_exact_p(v, n)
    else:
        row["method"] = "Wilcoxon signed-rank test (normal approximation, continuity correction)"
        centred = v - total / 2
        var = n * (n + 1) * (2 * n + 1) / 24 - np.sum(tie_counts**3 - tie_counts) / 48
        if var <= 0:
            row["p_val"] = math.nan
            notes.append("all non-zero changes are tied: the normal approximation is undefined")
        else:
            z = (centred - 0.5 * np.sign(centred)) / math.sqrt(var)
            row["p_val"] = float(2 * stats.norm.sf(abs(z)))
        reasons = [r for r, present in (("ties", ties), ("zero changes", n_zero > 0), ("n >= 50", n >= 50)) if present]
        notes.append(f"p-value not exact because of {' and '.join(reasons)}")
    row["note"] = join_notes(notes)
    return row


signed_rank = deprecated_alias(_signed_rank, "signed_rank", "`signed_rank_test()` (a tidy table)")


def _signed_rank_exact_p(v: float, n: int) -> float:
    """Two-sided exact p of the signed-rank statistic V: 2 min(P(V <= v), P(V >= v)), at most 1."""
    # Number of subsets of {1..n} with each rank sum, built one rank at a time.
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1
    for k in range(1, n + 1):
        counts[k:] = counts[k:] + counts[:-k].copy()
    dist = counts / counts.sum()
    v = int(round(v))
    return float(min(1.0, 2 * min(dist[: v + 1].sum(), dist[v:].sum())))


#: below this many pairs the bootstrap row's note warns that its CI undercovers (measured by benchmarks/coverage_ci.py)
SMALL_FOR_BOOTSTRAP = 30


def _bootstrap_row(diff: np.ndarray, confidence: float, n_boot: int, seed: int, method: str) -> dict:
    names = {"bca": "BCa", "percentile": "percentile"}
    if method not in names:
        raise ValueError(f"`bootstrap` must be 'bca' or 'percentile', not {method!r}.")
    low, high, note = bootstrap_interval(
        diff, np.mean, confidence=confidence, n_boot=n_boot, seed=seed, method=method
    )
    notes = [note]
    if len(diff) < SMALL_FOR_BOOTSTRAP:
        notes.append(f"only {len(diff)} pairs: bootstrap CIs fall short of their level at this size (a 95% BCa "
                     "interval covered 78% of skewed samples of 5 pairs and 90% of 10 or 20 in "
                     "benchmarks/coverage_ci.py)")
    return {
        "method": f"Bootstrap {names[method]} CI of the mean change",
        "estimate": float(diff.mean()),
        "ci_low": low,
        "ci_high": high,
        "n_boot": n_boot,
        "seed": seed,
        "note": join_notes(notes),
    }
