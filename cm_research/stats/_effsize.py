"""Building blocks shared by the standardised effect sizes (paired and two-group)."""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats
from cm_research.contract import critical_value


def hedges_j(dof: float) -> float:
    """Exact small-sample correction J(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)) (Hedges 1981).

    NaN when m <= 1, where the correction is undefined.
    """
    if not dof > 1:
        return math.nan
    return math.exp(special.gammaln(dof / 2) - 0.5 * math.log(dof / 2) - special.gammaln((dof - 1) / 2))


def noncentral_t_limits(t: float, dof: float, confidence: float) -> tuple[float, float]:
    """Confidence limits for the noncentrality parameter λ of a t statistic.

    Solves P(T <= t | λ_low) = 1 - α/2 and P(T <= t | λ_high) = α/2 for a
    noncentral t with `dof` degrees of freedom (Steiger & Fouladi 1997;
    Cumming & Finch 2001). Returns (nan, nan) when t or dof is not finite.

    Where scipy's noncentral t CDF cannot be evaluated (it returns NaN for very large
    samples with large t, e.g. 16,000 df and t = -12), the large-sample normal
    approximation λ ≈ t ± z sqrt(1 + t² / (2 dof)) is used instead (Hedges & Olkin
    1985, ch. 5); at such sizes the two agree to several decimals.

    For very large effects these limits differ from R's ``effectsize`` (``cohens_d``, ``hedges_g``),
    deliberately: effectsize solves the same equations with R's ``pt(t, df, ncp)``, which R documents as
    inaccurate for ncp beyond about 37.62. With 8 pairs and t = 205.2, effectsize gives d_z limits
    (31.95, 107.96), at which the integral P(T <= t | λ) = ∫ Φ(t sqrt(u/ν) - λ) f_χ²ν(u) du is 0.9868 and
    0.0301, not 0.975 and 0.025; ours (35.64, 109.73) satisfy the equations (tests/stats/test_paired.py).
    """
    if not (np.isfinite(t) and np.isfinite(dof) and dof > 0):
        return math.nan, math.nan
    tail = (1 - confidence) / 2

    class _Unevaluable(Exception):
        pass

    def solve(target: float) -> float:
        def f(ncp: float) -> float:
            value = stats.nct.cdf(t, dof, ncp) - target
            if not np.isfinite(value):
                raise _Unevaluable
            return value

        # P(T <= t | λ) falls as λ rises: widen the bracket until it changes sign.
        width = 2.0 + abs(t)
        low, high = t - width, t + width
        while f(low) < 0:
            low -= width
        while f(high) > 0:
            high += width
        return optimize.brentq(f, low, high, xtol=1e-12, rtol=1e-12, maxiter=500)

    try:
        return solve(1 - tail), solve(tail)
    except _Unevaluable:
        z = critical_value(confidence)
        half = z * math.sqrt(1 + t * t / (2 * dof))
        return t - half, t + half


def rank_biserial_limits(r: float, se: float, confidence: float) -> tuple[float, float, str]:
    """CI of a rank-biserial r: tanh(atanh(r) ± z se) (Fisher's z; effectsize::rank_biserial), and a note.

    At r = ±1 atanh is infinite and the interval would collapse onto ±1, which looks like certainty; it is left
    out with a note (effectsize prints the collapsed interval)."""
    if not math.isfinite(r):
        return math.nan, math.nan, ""
    if abs(r) >= 1:
        return math.nan, math.nan, "rank-biserial r is ±1 (complete separation): its CI is undefined"
    q = critical_value(confidence)
    return math.tanh(math.atanh(r) - q * se), math.tanh(math.atanh(r) + q * se), ""
