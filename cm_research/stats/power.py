"""Power, sample size and minimum detectable effect for t-test designs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import optimize, stats

from cm_research.contract import tidy

__all__ = ["power_two_groups", "power_paired"]

ALTERNATIVES = ("two-sided", "greater", "less")


def power_two_groups(
    *,
    n_treated: float | None = None,
    n_control: float | None = None,
    d: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Power of the two-sample t-test, or the sample size or minimum detectable d.

    Leave out exactly one of the group sizes (both together), `d` or `power`;
    it is solved for. Leaving out `d` gives the minimum detectable effect (MDE)
    for the given sizes and power.

    Parameters
    ----------
    n_treated, n_control : float, optional
        Group sizes. Give `n_control=None` with `n_treated` for equal groups;
        leave both out to solve for the (equal) size per group.
    d : float, optional
        Standardised difference (Cohen's d, pooled SD) assumed in the population.
    power : float, optional
        Probability of rejecting H0 when the effect is `d`.
    alpha : float
        Significance level.
    alternative : {"two-sided", "greater", "less"}

    Returns
    -------
    DataFrame with one row: `design`, `solved_for`, `n_treated`, `n_control`, `d`,
    `power`, `alpha`, `alternative`, `method`, `note`. When the size was solved
    for, the sizes are rounded up, `n_exact` holds the unrounded solution and
    `power` is the power actually reached with the rounded-up sizes.

    Notes
    -----
    Power = P(|T| > t_{1-α/2, ν} | λ) for a noncentral t with ν = n_1 + n_2 - 2 and
    λ = d sqrt(n_1 n_2 / (n_1 + n_2)), counting both rejection tails (Cohen 1988).
    This equals R's ``pwr::pwr.t2n.test`` and ``power.t.test(strict = TRUE)``; R's
    default ``strict = FALSE`` ignores the far tail. Computed with pingouin's
    ``power_ttest`` (equal groups) and ``power_ttest2n`` (unequal groups).

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.).
    Erlbaum.

    Example
    -------
    >>> res = power_two_groups(d=0.5, power=0.8)
    >>> int(res.loc[0, "n_treated"])
    64
    """
    _check(alpha, alternative, power)
    if n_treated is None and n_control is not None:
        raise ValueError("power_two_groups: give `n_treated` (and optionally `n_control`), not `n_control` alone.")
    equal = n_control is None or n_control == n_treated
    n_control = n_treated if n_control is None else n_control
    solved = _which_missing(n=n_treated, d=d, power=power, where="power_two_groups")
    row = {"design": "two independent groups", "solved_for": solved, "alpha": alpha, "alternative": alternative,
           "method": "Two-sample t-test power (noncentral t, both tails)"}
    if solved == "n":
        exact = pg.power_ttest(d=d, power=power, alpha=alpha, contrast="two-samples", alternative=alternative)
        if not np.isfinite(exact):  # pingouin searches n up to 1e7 only
            exact = _solve_n(d, power, alpha, alternative, paired=False, where="power_two_groups")
        n = math.ceil(exact - 1e-9)
        reached = pg.power_ttest(d=d, n=n, alpha=alpha, contrast="two-samples", alternative=alternative)
        row.update(n_treated=n, n_control=n, n_exact=exact, d=d, power=reached,
                   note=f"size per group solved for power {power:g}: {exact:.2f}, rounded up to {n}")
    elif equal:
        value = pg.power_ttest(d=d, n=n_treated, power=power, alpha=alpha, contrast="two-samples",
                               alternative=alternative)
        row.update(n_treated=n_treated, n_control=n_control, d=d if d is not None else value,
                   power=power if power is not None else value)
    else:
        value = pg.power_ttest2n(nx=n_treated, ny=n_control, d=d, power=power, alpha=alpha, alternative=alternative)
        row.update(n_treated=n_treated, n_control=n_control, d=d if d is not None else value,
                   power=power if power is not None else value)
    if solved == "d":
        row["note"] = "d is the minimum detectable effect at this power"
    return tidy([row], ids=["design", "solved_for"])


def power_paired(
    *,
    n_pairs: float | None = None,
    d_z: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Power of the paired t-test, or the number of pairs or minimum detectable d_z.

    Leave out exactly one of `n_pairs`, `d_z` or `power`; it is solved for.

    Parameters
    ----------
    n_pairs : float, optional
        Number of participants measured twice.
    d_z : float, optional
        Mean change / SD of change. A d_av (change / SD of scores) converts as
        d_z = d_av / sqrt(2 (1 - r)), r the before-after correlation.
    power : float, optional
    alpha : float
    alternative : {"two-sided", "greater", "less"}

    Returns
    -------
    DataFrame with one row: `design`, `solved_for`, `n_pairs`, `d_z`, `power`,
    `alpha`, `alternative`, `method`, `note` (and `n_exact` when solving for n).

    Notes
    -----
    Power = P(|T| > t_{1-α/2, n-1} | λ = d_z sqrt(n)), both tails counted, as R's
    ``power.t.test(type = "paired", strict = TRUE)`` with sd = 1 and delta = d_z
    (Cohen 1988). Computed with pingouin's ``power_ttest(contrast="paired")``.

    Example
    -------
    >>> res = power_paired(n_pairs=20, power=0.8)
    >>> round(float(res.loc[0, "d_z"]), 3)
    0.66
    """
    _check(alpha, alternative, power)
    solved = _which_missing(n=n_pairs, d=d_z, power=power, where="power_paired")
    row = {"design": "paired", "solved_for": "d_z" if solved == "d" else solved, "alpha": alpha,
           "alternative": alternative, "method": "Paired t-test power (noncentral t, both tails)"}
    if solved == "n":
        exact = pg.power_ttest(d=d_z, power=power, alpha=alpha, contrast="paired", alternative=alternative)
        if not np.isfinite(exact):  # pingouin searches n up to 1e7 only
            exact = _solve_n(d_z, power, alpha, alternative, paired=True, where="power_paired")
        n = math.ceil(exact - 1e-9)
        reached = pg.power_ttest(d=d_z, n=n, alpha=alpha, contrast="paired", alternative=alternative)
        row.update(n_pairs=n, n_exact=exact, d_z=d_z, power=reached,
                   note=f"pairs solved for power {power:g}: {exact:.2f}, rounded up to {n}")
    else:
        value = pg.power_ttest(d=d_z, n=n_pairs, power=power, alpha=alpha, contrast="paired",
                               alternative=alternative)
        row.update(n_pairs=n_pairs, d_z=d_z if d_z is not None else value,
                   power=power if power is not None else value)
        if solved == "d":
            row["note"] = "d_z is the minimum detectable effect at this power"
    return tidy([row], ids=["design", "solved_for"])


def _power(n: float, d: float, alpha: float, alternative: str, paired: bool) -> float:
    """Power of the t-test with n per group (or n pairs), both rejection tails counted when two-sided."""
    dof, ncp = (n - 1, d * math.sqrt(n)) if paired else (2 * n - 2, d * math.sqrt(n / 2))

    def above(c: float, delta: float) -> float:  # P(T_{dof, delta} > c)
        if dof <= 1e5:
            return float(stats.nct.sf(c, dof, delta))
        # scipy's noncentral t fails at millions of df; there P(T > c) = Φ((δ - c) / sqrt(1 + c² / (2 ν)))
        # to O(1/ν²) (Johnson, Kotz & Balakrishnan 1995, ch. 31)
        return float(stats.norm.sf((c - delta) / math.sqrt(1 + c * c / (2 * dof))))

    if alternative == "two-sided":
        crit = stats.t.isf(alpha / 2, dof)
        return above(crit, ncp) + above(crit, -ncp)
    crit = stats.t.isf(alpha, dof)
    return above(crit, ncp) if alternative == "greater" else above(crit, -ncp)


def _solve_n(d: float, power: float, alpha: float, alternative: str, paired: bool, where: str) -> float:
    """The (unrounded) size reaching `power`, for effects so small pingouin's search range ends first."""
    unit = "pairs" if paired else "children per group"
    if _power(1e12, d, alpha, alternative, paired) < power:
        raise ValueError(f"{where}: with d = {d!r} no sample size up to 10^12 {unit} reaches power {power:g}; "
                         "an effect of 0 (or in the direction opposite to `alternative`) cannot be detected.")
    return float(optimize.brentq(lambda n: _power(n, d, alpha, alternative, paired) - power, 2, 1e12,
                                 xtol=1e-6, rtol=1e-12))


def _which_missing(*, n, d, power, where: str) -> str:
    missing = [name for name, value in (("n", n), ("d", d), ("power", power)) if value is None]
    if len(missing) != 1:
        raise ValueError(
            f"{where}: leave out exactly one of the sample size, the effect size and the power "
            f"(it is solved for); {len(missing)} were left out."
        )
    if n is not None and n < 2:
        raise ValueError(f"{where}: the sample size must be at least 2, not {n!r}.")
    return missing[0]


def _check(alpha: float, alternative: str, power: float | None) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"`alpha` must be between 0 and 1, not {alpha!r}.")
    if alternative not in ALTERNATIVES:
        raise ValueError(f"`alternative` must be one of {', '.join(ALTERNATIVES)}, not {alternative!r}.")
    if power is not None and not alpha < power < 1:
        raise ValueError(f"`power` must be between alpha ({alpha}) and 1, not {power!r}.")
