"""Hazard ratio of match endings between two groups: a Cox proportional-hazards model with one group indicator.

The log-rank test (:func:`cm_research.stats.survival.logrank_test`) says whether two groups' match durations
differ; the hazard ratio says by how much, with a confidence interval. Tied durations are handled by Efron's
(1977) approximation, R's ``coxph`` default, or Breslow's (1974) on request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.contract import ci_quantile, critical_value, join_notes, tidy
from .survival import SurvivalDataError, _prepare

__all__ = ["hazard_ratio"]

TIES = ("efron", "breslow")


def hazard_ratio(
    data: pd.DataFrame,
    duration: str,
    event: str,
    group: str,
    *,
    treated: object = "mentored",
    control: object = "comparison",
    ties: str = "efron",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Hazard ratio (treated / control) of a match ending, from a Cox model with one group indicator.

    Parameters
    ----------
    data, duration, event : one row per match, as for :func:`cm_research.stats.kaplan_meier` (duration in days,
        event 1 when the match ended, 0 when it was still going: censored).
    group : column of the group label; only the rows of `treated` and `control` are used (others are counted in
        `n_other` and said in `note`).
    treated, control : the compared groups; the ratio is treated / control.
    ties : ``"efron"`` (R's ``coxph`` default) or ``"breslow"``: how endings on the same day share the risk set.
    confidence : level of the CI.

    Returns
    -------
    One row: `method`, `n`, `n_treated`, `n_control`, `events_treated`, `events_control`, `n_other`,
    `estimate` (hazard ratio exp(β)), `se` (SE of β = log hazard ratio, the scale the CI is built on),
    `ci_low`, `ci_high` (exp(β ± z SE)), `statistic` (Wald z = β / SE), `p_val` (Wald), `lr_chi2`, `lr_p_val`
    (likelihood-ratio test), `score_chi2`, `score_p_val` (score test; the log-rank test's chi-square when no two
    endings share a day, slightly different with ties), `ties`, `note`.

    Notes
    -----
    With x_i = 1 for treated, at each distinct ending time t_j with d_j endings D_j among those at risk R_j,
    S_0 = Σ_R e^{βx}, S_1 = Σ_R x e^{βx} (= S_2, x being 0/1), and the same sums over D_j written with D:

    * Efron: log L(β) = Σ_j [β Σ_D x - Σ_{l=0}^{d_j-1} log(S_0 - (l/d_j) S_0^D)], score
      U = Σ_j [Σ_D x - Σ_l φ_l], information I = Σ_j Σ_l φ_l (1 - φ_l), φ_l = (S_1 - (l/d_j) S_1^D) /
      (S_0 - (l/d_j) S_0^D) (Efron 1977).
    * Breslow: the same with l = 0 for all d_j terms (Breslow 1974).

    β maximises log L by Newton-Raphson from 0 (to |Δβ| < 1e-12); SE = I(β̂)^{-1/2}; LR = 2 (log L(β̂) - log L(0));
    score = U(0)² / I(0). As R's ``coxph(Surv(time, status) ~ treated, ties = ...)``. When no match ends in one
    group the likelihood keeps rising as β → ±∞ (monotone likelihood): the ratio is 0 or infinite, reported as
    NaN with a note, and the log-rank (score) test is still given.

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. JRSS B, 34, 187-220.
    Efron, B. (1977). The efficiency of Cox's likelihood function for censored data. JASA, 72, 557-565.
    Breslow, N. E. (1974). Covariance analysis of censored survival data. Biometrics, 30, 89-99.

    Example
    -------
    >>> import pandas as pd
    >>> matches = pd.DataFrame({"days": [2, 3, 3, 5, 6, 8, 8], "ended": [1, 1, 0, 1, 0, 1, 1],
    ...                         "group": ["mentored", "comparison"] * 3 + ["mentored"]})
    >>> round(float(hazard_ratio(matches, "days", "ended", "group")["estimate"].iloc[0]), 4)  # R coxph: 0.6287
    0.6287
    """
    where = "hazard_ratio"
    ci_quantile(confidence)
    if ties not in TIES:
        raise SurvivalDataError(f"{where}: `ties` must be 'efron' or 'breslow', not {ties!r}.")
    frame, groups = _prepare(data, duration, event, group, None, where)
    missing = [label for label in (treated, control) if label not in groups]
    if missing:
        raise SurvivalDataError(f"{where}: group(s) {', '.join(map(repr, missing))} do not occur in column "
                                f"`{group}`; the groups present are {', '.join(map(repr, groups))}.")
    used = frame[frame["group"].isin([treated, control])]
    n_other = len(frame) - len(used)
    notes = [f"{n_other} match(es) in other groups left out"] if n_other else []
    x = (used["group"] == treated).to_numpy(dtype=float)
    time = used["time"].to_numpy(dtype=float)
    status = used["event"].to_numpy(dtype=int)
    row = {"method": f"Cox proportional hazards, {ties.capitalize()} ties, Wald CI", "n": len(used),
           "n_treated": int(x.sum()), "n_control": int(len(x) - x.sum()),
           "events_treated": int(status[x == 1].sum()), "events_control": int(status[x == 0].sum()),
           "n_other": n_other, "estimate": math.nan, "se": math.nan, "ci_low": math.nan, "ci_high": math.nan,
           "statistic": math.nan, "p_val": math.nan, "lr_chi2": math.nan, "lr_p_val": math.nan,
           "score_chi2": math.nan, "score_p_val": math.nan, "ties": ties}
    if status.sum() == 0:
        notes.append("no match ended in either group: the hazard ratio is undefined")
        return tidy([{**row, "note": join_notes(notes)}])
    sets = _risk_sets(time, status)
    loglik0, score0, info0 = _partial_likelihood(0.0, x, sets, ties)
    if info0 > 0:
        row["score_chi2"] = score0**2 / info0
        row["score_p_val"] = float(stats.chi2.sf(row["score_chi2"], 1))
    if row["events_treated"] == 0 or row["events_control"] == 0:
        notes.append("no match ended in one group, so the hazard ratio is 0 or infinite (monotone likelihood): "
                     "not estimated; the score (log-rank) test is given")
        return tidy([{**row, "note": join_notes(notes)}])
    beta = 0.0
    loglik, score, info = loglik0, score0, info0
    for _ in range(100):
        if not info > 1e-10 or abs(beta) > 30:
            # every ending in one group came while no one in the other group was at risk, or the reverse: the
            # likelihood rises for ever (R's coxph warns "coefficient may be infinite")
            notes.append("the endings separate the groups (monotone likelihood: all of one group's endings came "
                         "while none of the other group was at risk), so the hazard ratio is 0 or infinite: not "
                         "estimated; the score (log-rank) test is given")
            return tidy([{**row, "note": join_notes(notes)}])
        step = score / info
        # halve a step that lowers the likelihood (as coxph does), so the iteration cannot run away
        while True:
            trial = _partial_likelihood(beta + step, x, sets, ties)
            if trial[0] >= loglik - 1e-12 or abs(step) < 1e-14:
                break
            step /= 2
        beta += step
        loglik, score, info = trial
        if abs(step) < 1e-12:
            break
    se = 1 / math.sqrt(info)
    z = critical_value(confidence)
    row.update(estimate=math.exp(beta), se=se, ci_low=math.exp(beta - z * se), ci_high=math.exp(beta + z * se),
               statistic=beta / se, p_val=float(2 * stats.norm.sf(abs(beta / se))),
               lr_chi2=max(0.0, 2 * (loglik - loglik0)))
    row["lr_p_val"] = float(stats.chi2.sf(row["lr_chi2"], 1))
    if min(row["events_treated"], row["events_control"]) < 5:
        notes.append("fewer than 5 endings in a group: the Wald CI and p-value are rough; prefer the "
                     "likelihood-ratio p-value")
    return tidy([{**row, "note": join_notes(notes)}])


def _risk_sets(time: np.ndarray, status: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each distinct ending time, (who is at risk: time >= t, who ended at t)."""
    return [(time >= t, (time == t) & (status == 1)) for t in np.unique(time[status == 1])]


def _partial_likelihood(beta: float, x: np.ndarray, sets: Sequence[tuple[np.ndarray, np.ndarray]],
                        ties: str) -> tuple[float, float, float]:
    """(log partial likelihood, score, information) at `beta` (formulas in :func:`hazard_ratio`)."""
    risk = np.exp(beta * x)
    loglik = score = info = 0.0
    for at_risk, ended in sets:
        d = int(ended.sum())
        s0, s1 = risk[at_risk].sum(), (x * risk)[at_risk].sum()
        s0_d, s1_d = risk[ended].sum(), (x * risk)[ended].sum()
        shares = np.arange(d) / d if ties == "efron" else np.zeros(d)
        denom = s0 - shares * s0_d
        phi = (s1 - shares * s1_d) / denom
        loglik += beta * x[ended].sum() - np.log(denom).sum()
        score += x[ended].sum() - phi.sum()
        info += (phi * (1 - phi)).sum()
    return float(loglik), float(score), float(info)
