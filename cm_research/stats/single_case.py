"""Single-case (A-B) designs: non-overlap effect sizes for one young person's series.

An A (baseline) phase is followed by a B (mentoring) phase: weekly attendance, a goal rating. The
effect sizes compare every B observation with the A observations: NAP (Parker & Vannest 2009), PND
(Scruggs, Mastropieri & Casto 1987), Tau (A vs B) and Tau-U with baseline-trend correction (Parker,
Vannest, Davis & Sauber 2011). Each function takes the two phases' values in time order; the tidy
:func:`single_case_effects` takes a long table of one or many series.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from cm_research.errors import CMResearchError

from cm_research.contract import ci_quantile, critical_value, join_notes, require_columns, tidy
from cm_research.deprecation import renamed_arguments

__all__ = ["SingleCaseDataError", "nap", "pnd", "tau", "tau_u", "single_case_effects", "check_series"]

TAU_U_NOTE = ("Tau-U (A vs B - trend A) of Parker et al. (2011); no CI: its sampling distribution has not been "
              "described and its range depends on the phase lengths (Tarlow 2017)")


class SingleCaseDataError(CMResearchError, ValueError):
    """A single-case series cannot be analysed as given: a column is missing, a phase label or time is
    wrong, or a value is not a number. The message names the file, row and column."""


def nap(baseline: Sequence[float], intervention: Sequence[float], *, better: str = "higher",
        confidence: float = 0.95) -> pd.DataFrame:
    """Non-overlap of all pairs (NAP) with Newcombe's score CI.

    Parameters
    ----------
    baseline, intervention : the A-phase and B-phase values (missing values are left out and noted).
    better : ``"higher"`` or ``"lower"``: which direction is improvement.
    confidence : CI level.

    Returns
    -------
    One row: ``method``, ``n_baseline``, ``n_intervention``, ``estimate``, ``ci_low``, ``ci_high``, ``note``.

    Notes
    -----
    NAP = (1 / mn) sum_ij [I(b_j > a_i) + 0.5 I(b_j = a_i)] over the m x n pairs (reversed when lower
    is better), the probability that a B observation improves on an A observation (Parker & Vannest
    2009). The CI is Newcombe's (2006) method 5: the theta solving
    (NAP - theta)^2 = z^2 h theta (1 - theta) / (mn) [1/h + (1 - theta)/(2 - theta) + theta/(1 + theta)],
    h = (m + n)/2 - 1, which assumes independent observations within each phase.

    References
    ----------
    Parker, R. I. & Vannest, K. J. (2009). An improved effect size for single-case research: Nonoverlap
    of all pairs. Behavior Therapy, 40, 357-367.
    Newcombe, R. G. (2006). Confidence intervals for an effect size measure based on the Mann-Whitney
    statistic. Part 2: Asymptotic methods and evaluation. Statistics in Medicine, 25, 559-573.

    Example
    -------
    >>> from cm_research.stats.single_case import nap
    >>> res = nap([20, 20, 26, 25, 22, 23], [28, 25, 24, 27, 30, 30, 29])
    >>> round(float(res["estimate"].iloc[0]), 4)  # 38.5 / 42 (Parker, Vannest & Davis 2011)
    0.9167
    """
    a, b, notes = _phases(baseline, intervention, better)
    m, n = len(a), len(b)
    est = float(np.mean((b[None, :] > a[:, None]) + 0.5 * (b[None, :] == a[:, None])))
    low, high = _newcombe_ci(est, m, n, confidence)
    return tidy([{"method": "NAP (Newcombe score CI)", "n_baseline": m, "n_intervention": n, "estimate": est,
                  "ci_low": low, "ci_high": high, "note": join_notes(notes)}])


def tau(baseline: Sequence[float], intervention: Sequence[float], *, better: str = "higher",
        confidence: float = 0.95) -> pd.DataFrame:
    """Tau (A vs B): Kendall's S of phase B against phase A over mn pairs, with no trend correction.

    Notes
    -----
    Tau = (1 / mn) sum_ij [I(b_j > a_i) - I(b_j < a_i)] = 2 NAP - 1, the "Tau-U A vs B" of Parker,
    Vannest, Davis & Sauber (2011). Its CI is 2 x (Newcombe CI of NAP) - 1, as in Pustejovsky's
    SingleCaseES.
    """
    res = nap(baseline, intervention, better=better, confidence=confidence)
    res["method"] = "Tau (A vs B; Newcombe score CI)"
    for col in ("estimate", "ci_low", "ci_high"):
        res[col] = 2 * res[col] - 1
    return res


def tau_u(baseline: Sequence[float], intervention: Sequence[float], *, better: str = "higher") -> pd.DataFrame:
    """Tau-U with baseline-trend correction: (S_AB - S_A) / mn (Parker, Vannest, Davis & Sauber 2011).

    Parameters
    ----------
    baseline, intervention : the phases' values in time order (the order matters for the trend term).
    better : ``"higher"`` or ``"lower"``.

    Returns
    -------
    One row with ``estimate``, ``s_ab`` (Kendall's S of B against A), ``s_trend_a`` (Kendall's S of the
    A values against time) and a note; no CI (see Notes).

    Notes
    -----
    S_AB = sum_ij sign(b_j - a_i); S_A = sum_{i<j} sign(a_j - a_i) (signs reversed when lower is better);
    Tau-U = (S_AB - S_A) / (mn). This is the variant "A vs B - trend A" of Parker et al. (2011), as the
    singlecaseresearch.org calculator and SingleCaseES::Tau_U compute it; it does not include the B-phase
    trend. Its range is not [-1, 1] and its sampling distribution has not been described, so no CI is
    given (Tarlow 2017).

    References
    ----------
    Parker, R. I., Vannest, K. J., Davis, J. L. & Sauber, S. B. (2011). Combining nonoverlap and trend
    for single-case research: Tau-U. Behavior Therapy, 42, 284-299.
    Tarlow, K. R. (2017). An improved rank correlation effect size statistic for single-case designs:
    Baseline corrected Tau. Behavior Modification, 41, 427-467.

    Example
    -------
    >>> from cm_research.stats.single_case import tau_u
    >>> float(tau_u([3, 3, 4, 5], [4, 5, 6, 7, 7])["estimate"].iloc[0])  # 11 / 20 (Parker et al. 2011)
    0.55
    """
    a, b, notes = _phases(baseline, intervention, better)
    m, n = len(a), len(b)
    s_ab = float(np.sum(np.sign(b[None, :] - a[:, None])))
    upper = np.triu_indices(m, k=1)
    s_a = float(np.sum(np.sign(a[None, :] - a[:, None])[upper]))
    return tidy([{"method": "Tau-U (A vs B - trend A)", "n_baseline": m, "n_intervention": n,
                  "estimate": (s_ab - s_a) / (m * n), "ci_low": math.nan, "ci_high": math.nan,
                  "s_ab": s_ab, "s_trend_a": s_a, "note": join_notes(notes, TAU_U_NOTE)}])


def pnd(baseline: Sequence[float], intervention: Sequence[float], *, better: str = "higher") -> pd.DataFrame:
    """Percentage of non-overlapping data, as a proportion: the share of B values beyond the best A value.

    Notes
    -----
    PND = (1/n) sum_j I(b_j > max a) when higher is better, I(b_j < min a) when lower is better
    (Scruggs, Mastropieri & Casto 1987). It rests on one extreme baseline point and has no known
    sampling distribution, so no CI is given.

    References
    ----------
    Scruggs, T. E., Mastropieri, M. A. & Casto, G. (1987). The quantitative synthesis of single-subject
    research. Remedial and Special Education, 8, 24-33.
    """
    a, b, notes = _phases(baseline, intervention, better)
    est = float(np.mean(b > a.max()))
    return tidy([{"method": "PND", "n_baseline": len(a), "n_intervention": len(b), "estimate": est,
                  "ci_low": math.nan, "ci_high": math.nan,
                  "note": join_notes(notes, "no CI: PND has no known sampling distribution")}])


@renamed_arguments(value="dv")
def single_case_effects(
    data: pd.DataFrame,
    dv: str = "value",
    phase: str = "phase",
    time: str = "week",
    *,
    baseline: object = "A",
    intervention: object = "B",
    better: str = "higher",
    better_from: str | None = None,
    by: Sequence[str] = (),
    confidence: float = 0.95,
    source: str = "",
) -> pd.DataFrame:
    """NAP, PND, Tau (A vs B) and Tau-U for each series in a long table.

    Parameters
    ----------
    data : one row per observation: `dv` (the value; was ``value``), `phase` (`baseline` or `intervention` label), `time`
        (the order of observations, e.g. week number) and the `by` columns identifying a series
        (e.g. ``["case", "measure"]``).
    better : ``"higher"`` or ``"lower"`` for every series, unless ``better_from`` names a column
        holding it per series.
    source : file name for error messages.

    Returns
    -------
    Tidy table: the `by` columns, ``method``, ``n_baseline``, ``n_intervention``, ``estimate``,
    ``ci_low``, ``ci_high``, ``s_ab``, ``s_trend_a``, ``better``, ``note``.

    Raises
    ------
    SingleCaseDataError
        For a missing column, a phase label other than the two given, a non-numeric value or time,
        a time repeated within a series, or a B observation before the end of the A phase.
    """
    checked = check_series(data, dv, phase, time, by=by, baseline=baseline, intervention=intervention,
                           source=source, better_from=better_from)
    rows = []
    groups = checked.groupby(list(by), sort=False, dropna=False) if by else [((), checked)]
    for key, series in groups:
        key = key if isinstance(key, tuple) else (key,)
        ids = dict(zip(by, key))
        direction = str(series[better_from].iloc[0]) if better_from else better
        series = series.sort_values(time)
        a = series.loc[series[phase] == baseline, dv].to_numpy(dtype=float)
        b = series.loc[series[phase] == intervention, dv].to_numpy(dtype=float)
        if len(a[~np.isnan(a)]) == 0 or len(b[~np.isnan(b)]) == 0:
            rows.append({**ids, "method": "(none)", "better": direction,
                         "note": "not analysed: a phase has no observations"})
            continue
        for fn, kwargs in ((nap, {"confidence": confidence}), (pnd, {}), (tau, {"confidence": confidence}),
                           (tau_u, {})):
            res = fn(a, b, better=direction, **kwargs).iloc[0].to_dict()
            rows.append({**ids, **res, "better": direction})
    # `measure` already leads the shared column order; listing it as an id too would repeat it.
    return tidy(rows, ids=[c for c in by if c != "measure"])


@renamed_arguments(value="dv")
def check_series(data: pd.DataFrame, dv: str = "value", phase: str = "phase", time: str = "week", *,
                 by: Sequence[str] = (), baseline: object = "A", intervention: object = "B", source: str = "",
                 better_from: str | None = None) -> pd.DataFrame:
    """Check a long single-case table once, at the boundary, and return it with numeric `dv` and `time`.

    Every problem is reported with the file (``source``), the row label and the column.
    """
    where = source or "single-case data"
    try:
        require_columns(data, [dv, phase, time, *by, better_from], where)
    except Exception as exc:  # re-raised as this module's error, same message
        raise SingleCaseDataError(str(exc)) from None
    problems = []
    out = data.copy()
    for col in (dv, time):
        text = out[col].astype("string").str.strip()
        blank = out[col].isna() | (text == "")
        numbers = pd.to_numeric(out[col].where(~blank), errors="coerce")
        for row, cell in out.loc[~blank & numbers.isna(), col].items():
            problems.append(f"{where}, row {row}, column `{col}`: {cell!r} is not a number")
        if col == time:
            for row in out.index[blank]:
                problems.append(f"{where}, row {row}, column `{col}`: the time is missing")
        out[col] = numbers
    for row, cell in out.loc[~out[phase].isin([baseline, intervention]), phase].items():
        problems.append(f"{where}, row {row}, column `{phase}`: phase {cell!r} is neither {baseline!r} (baseline) "
                        f"nor {intervention!r} (intervention); only A-B series are analysed")
    if better_from:
        for row, cell in out.loc[~out[better_from].isin(["higher", "lower"]), better_from].items():
            problems.append(f"{where}, row {row}, column `{better_from}`: {cell!r} should be 'higher' or 'lower'")
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise SingleCaseDataError("; ".join(problems[:10]) + more)
    groups = out.groupby(list(by), sort=False, dropna=False) if by else [((), out)]
    for key, series in groups:
        label = ", ".join(f"{c} {k!r}" for c, k in zip(by, key if isinstance(key, tuple) else (key,))) or "the series"
        repeated = series.loc[series[time].duplicated(keep=False), time]
        if len(repeated):
            rows = ", ".join(str(r) for r in repeated.index[:5])
            raise SingleCaseDataError(f"{where}, rows {rows}, column `{time}`: time {repeated.iloc[0]:g} occurs more "
                                      f"than once in {label}")
        last_a = series.loc[series[phase] == baseline, time].max()
        early_b = series[(series[phase] == intervention) & (series[time] < last_a)]
        if len(early_b):
            raise SingleCaseDataError(
                f"{where}, row {early_b.index[0]}, column `{phase}`: {label} has an intervention observation "
                f"(time {early_b[time].iloc[0]:g}) before the baseline phase ends (time {last_a:g})")
        if better_from and series[better_from].nunique() > 1:
            raise SingleCaseDataError(f"{where}, column `{better_from}`: {label} mixes 'higher' and 'lower'")
    return out


# ---------------------------------------------------------------- helpers


def _phases(baseline: Sequence[float], intervention: Sequence[float], better: str
            ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Both phases as float arrays oriented so that higher is better; missing values dropped (noted)."""
    if better not in ("higher", "lower"):
        raise ValueError(f"`better` must be 'higher' or 'lower', not {better!r}.")
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(intervention, dtype=float)
    notes = []
    n_missing = int(np.isnan(a).sum() + np.isnan(b).sum())
    if n_missing:
        notes.append(f"{n_missing} missing observation(s) left out")
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) == 0 or len(b) == 0:
        raise SingleCaseDataError("each phase needs at least one observation "
                                  f"(baseline has {len(a)}, intervention has {len(b)})")
    sign = 1.0 if better == "higher" else -1.0
    return sign * a, sign * b, notes


def _newcombe_ci(est: float, m: int, n: int, confidence: float) -> tuple[float, float]:
    """Newcombe (2006) method 5 limits for a Mann-Whitney probability ``est`` from m x n pairs.

    The limits are the roots in [0, 1] of
    f(t) = mn (est - t)^2 (2 - t)(1 + t) - z^2 t (1 - t) (2 + h + (1 + 2h) t (1 - t)), one on each side of
    est. At est = 1 (or 0) the factor (1 - t) (or t) is divided out so the root inside (0, 1) is found.
    """
    z = critical_value(confidence)
    h = (m + n) / 2 - 1

    def spread(t: float) -> float:
        return z**2 * (2 + h + (1 + 2 * h) * t * (1 - t))

    def f(t: float) -> float:
        return m * n * (est - t) ** 2 * (2 - t) * (1 + t) - t * (1 - t) * spread(t)

    if est >= 1:
        low = optimize.brentq(lambda t: m * n * (1 - t) * (2 - t) * (1 + t) - t * spread(t), 0, 1, xtol=1e-14)
    else:
        low = 0.0 if est <= 0 else optimize.brentq(f, 0, est, xtol=1e-14)
    if est <= 0:
        high = optimize.brentq(lambda t: m * n * t * (2 - t) * (1 + t) - (1 - t) * spread(t), 0, 1, xtol=1e-14)
    else:
        high = 1.0 if est >= 1 else optimize.brentq(f, est, 1, xtol=1e-14)
    return float(low), float(high)
