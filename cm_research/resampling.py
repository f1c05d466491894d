"""Seeded nonparametric bootstrap: percentile and BCa intervals.

Conventions follow Davison & Hinkley (1997, ch. 5), the conventions of R's
`boot::boot.ci`: the bias correction counts replicates strictly below the
estimate, the acceleration comes from the jackknife, and an endpoint that falls
between two order statistics is interpolated on the normal-quantile scale.

One deliberate difference from ``boot.ci``'s defaults: called without ``L``,
``boot.ci(type = "bca")`` estimates the influence values by regression on the
resamples (``empinf(type = "reg")``), an estimate that depends on the resamples;
we use the jackknife, which for the mean gives the exact influence values
x_i - x̄. Our BCa limits therefore equal
``boot.ci(b, type = "bca", L = empinf(data = x, statistic = f, type = "jack"))``
on the same resamples (tests/reference/paired.R), not boot.ci's regression default.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats


def resample_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """Row indices of `n_boot` resamples of size `n`, drawn with replacement (shape n_boot x n)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(n_boot, n))


def order_statistic_quantile(replicates: np.ndarray, prob: float) -> float:
    """Quantile `prob` of the replicates, interpolated on the normal scale (Davison & Hinkley 1997, eq. 5.8).

    With R replicates sorted, k = floor((R + 1) prob); the endpoint lies between
    the k-th and (k+1)-th order statistics in proportion to
    (Φ⁻¹(prob) - Φ⁻¹(k/(R+1))) / (Φ⁻¹((k+1)/(R+1)) - Φ⁻¹(k/(R+1))).
    Beyond the extreme order statistics the extreme itself is returned.
    """
    t = np.sort(replicates[np.isfinite(replicates)])
    r = len(t)
    rank = (r + 1) * prob
    k = int(math.floor(rank))
    if k <= 0:
        return float(t[0])
    if k >= r:
        return float(t[-1])
    if rank == k:
        return float(t[k - 1])
    z, zk, zk1 = stats.norm.ppf([prob, k / (r + 1), (k + 1) / (r + 1)])
    return float(t[k - 1] + (z - zk) / (zk1 - zk) * (t[k] - t[k - 1]))


def bootstrap_interval(
    x: np.ndarray,
    statistic: Callable[[np.ndarray], float],
    *,
    confidence: float,
    n_boot: int,
    seed: int,
    method: str,
) -> tuple[float, float, str]:
    """Percentile or BCa bootstrap interval of `statistic(x)` for a 1-D sample.

    BCa (Efron 1987): with z0 = Φ⁻¹(#{θ* < θ̂} / B) and acceleration
    a = Σ L³ / (6 (Σ L²)^{3/2}), L the jackknife influence values, the endpoint
    for tail α is the Φ(z0 + (z0 + z_α) / (1 - a (z0 + z_α))) quantile of θ*.

    Returns (low, high, note); the limits are NaN and the note says why when
    the interval cannot be formed.
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if method not in {"bca", "percentile"}:
        raise ValueError(f"`bootstrap` must be 'bca' or 'percentile', not {method!r}.")
    if n < 2 or np.ptp(x) == 0:
        return math.nan, math.nan, "bootstrap CI not computed: every resample would give the same value"
    idx = resample_indices(n, n_boot, seed)
    replicates = np.apply_along_axis(statistic, 1, x[idx])
    tail = (1 - confidence) / 2
    probs = np.array([tail, 1 - tail])
    if method == "bca":
        theta = statistic(x)
        below = np.mean(replicates < theta)
        if below in (0.0, 1.0):
            return math.nan, math.nan, "BCa CI not computed: no replicate fell on one side of the estimate"
        z0 = stats.norm.ppf(below)
        jack = np.array([statistic(np.delete(x, i)) for i in range(n)])
        influence = (n - 1) * (jack.mean() - jack)
        a = np.sum(influence**3) / (6 * np.sum(influence**2) ** 1.5)
        zq = stats.norm.ppf(probs)
        probs = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
    low, high = (order_statistic_quantile(replicates, p) for p in probs)
    note = ""
    rank = (n_boot + 1) * probs
    if np.any(rank <= 1) or np.any(rank >= n_boot):
        note = "bootstrap CI uses an extreme replicate as an endpoint: increase n_boot"
    return low, high, note
