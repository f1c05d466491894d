"""Binary outcomes (e.g. in education, employment or training; any suspension): proportions and their comparison."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import odds_ratio

from cm_research.deprecation import deprecated_alias
from cm_research.contract import (InsufficientDataError, ci_quantile, critical_value, join_notes, require_columns,
                                  split_two_groups, tidy)

__all__ = ["proportion_interval", "wilson_interval", "proportion_table", "compare_proportions",
           "compare_proportions_two_periods"]


def proportion_interval(events: int, n: int, *, confidence: float = 0.95, method: str = "wilson") -> pd.DataFrame:
    """A proportion from its counts, with its Wilson score interval (Wilson 1927), as a one-row tidy table.

    Columns `method`, `n`, `events`, `estimate` (events / n), `ci_low`, `ci_high`, `note`; the interval is the one
    of :func:`proportion_table` (formula in ``_wilson_limits``), R's ``prop.test(x, n, correct = FALSE)$conf.int``.
    Use it for published proportions given as counts; :func:`proportion_table` works from one row per person.

    ``method="clopper-pearson"`` gives the exact interval instead (Clopper & Pearson 1934): the limits solve
    P(X >= x | p_low) = α/2 and P(X <= x | p_high) = α/2, i.e. Beta(α/2; x, n - x + 1) and
    Beta(1 - α/2; x + 1, n - x), with p_low = 0 when x = 0 and p_high = 1 when x = n; R's
    ``binom.test(x, n)$conf.int``. It is conservative (coverage at least the nominal level); Wilson's is
    closer to nominal on average (Newcombe 1998), hence the default.

    Example
    -------
    >>> res = proportion_interval(9, 10)
    >>> round(float(res.loc[0, "ci_low"]), 4), round(float(res.loc[0, "ci_high"]), 4)
    (0.5958, 0.9821)
    """
    if method not in ("wilson", "clopper-pearson"):
        raise ValueError(f"proportion_interval: `method` must be 'wilson' or 'clopper-pearson', not {method!r}.")
    low, high = _wilson_limits(events, n, confidence)
    name = "Wilson score interval"
    if method == "clopper-pearson":
        tail = (1 - confidence) / 2
        low = 0.0 if events == 0 else float(stats.beta.ppf(tail, events, n - events + 1))
        high = 1.0 if events == n else float(stats.beta.ppf(1 - tail, events + 1, n - events))
        name = "Clopper-Pearson exact interval"
    return tidy([{"method": name, "n": n, "events": events, "estimate": events / n,
                  "ci_low": low, "ci_high": high, "note": ""}])


def _wilson_limits(events: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927), without continuity correction.

    With p = events / n and z = Φ⁻¹(1 - α/2)::

        (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)

    This is the interval of R's ``prop.test(x, n, correct = FALSE)``. It stays
    inside [0, 1] and is sensible for 0 or n events.

    Example
    -------
    >>> lo, hi = _wilson_limits(9, 10)
    >>> round(lo, 4), round(hi, 4)
    (0.5958, 0.9821)
    """
    if n <= 0:
        raise InsufficientDataError(f"proportion_interval: a proportion needs at least one observation, n = {n}.")
    if not 0 <= events <= n:
        raise ValueError(f"proportion_interval: events ({events}) must be between 0 and n ({n}).")
    z = critical_value(confidence)
    p = events / n
    centre = p + z**2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    denom = 1 + z**2 / n
    # Clip rounding error at the boundaries (events = 0 or n give exactly 0 or 1).
    return max(0.0, float((centre - half) / denom)), min(1.0, float((centre + half) / denom))


wilson_interval = deprecated_alias(_wilson_limits, "wilson_interval", "`proportion_interval()` (a tidy table)")


def _binary(values: pd.Series, column: str, where: str) -> pd.Series:
    """Check a 0/1 (or True/False) outcome and return it as floats, NaN kept."""
    as_float = values.map(lambda v: float(v) if isinstance(v, (bool, np.bool_, int, float, np.number)) else v)
    bad = as_float[as_float.notna() & ~as_float.isin([0.0, 1.0])]
    if len(bad):
        shown = ", ".join(repr(v) for v in pd.unique(values[bad.index])[:5])
        raise ValueError(
            f"{where}: column `{column}` must be a yes/no outcome coded 1/0 (or True/False); "
            f"it also holds {shown} (row(s) {', '.join(str(i) for i in bad.index[:3])})."
        )
    return as_float.astype(float)


def proportion_table(
    data: pd.DataFrame, dv: str, between: str = "group", *, confidence: float = 0.95
) -> pd.DataFrame:
    """Events, proportion and Wilson CI per group for a binary outcome.

    Returns one row per group (in order of appearance) with `group`, `n`,
    `events`, `estimate` (proportion), `ci_low`, `ci_high`, `n_dropped`
    (rows with the outcome missing), `method` and `note`. See
    :func:`proportion_interval` for the interval.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"group": ["mentored"] * 4 + ["comparison"] * 3,
    ...                    "neet": [0, 0, 1, 0, 1, 1, 0]})
    >>> proportion_table(df, "neet")["events"].tolist()
    [1, 2]
    """
    where = "proportion_table"
    require_columns(data, [dv, between], where)
    outcome = _binary(data[dv], dv, where)
    rows = []
    for label in pd.unique(data[between].dropna()):
        values = outcome[data[between] == label]
        used = values.dropna()
        n, events = len(used), int(used.sum())
        dropped = len(values) - n
        row = {"group": label, "measure": dv, "method": "Wilson score interval", "n": n, "events": events,
               "n_dropped": dropped}
        notes = [f"{dropped} row(s) with `{dv}` missing left out" if dropped else ""]
        if n == 0:
            row.update(estimate=math.nan, ci_low=math.nan, ci_high=math.nan)
            notes.append("no values in this group: proportion undefined")
        else:
            low, high = _wilson_limits(events, n, confidence)
            row.update(estimate=events / n, ci_low=low, ci_high=high)
        row["note"] = join_notes(notes)
        rows.append(row)
    if not rows:
        raise InsufficientDataError(f"{where}: column `{between}` has no group labels.")
    return tidy(rows, ids=["group"])


def compare_proportions(
    data: pd.DataFrame,
    dv: str,
    between: str = "group",
    *,
    treated: object = "mentored",
    control: object = "comparison",
    confidence: float = 0.95,
    yates: bool = False,
) -> pd.DataFrame:
    """Compare a binary outcome (coded 1/0) between two independent groups.

    Parameters
    ----------
    data : DataFrame
        One row per participant.
    dv : str
        Column of the outcome, 1 (event) or 0 (no event); missing values are left out.
    between : str
        Column of the group label.
    treated, control : object
        Labels of the compared groups; every measure is treated vs control.
    confidence : float
        Level of the confidence intervals.
    yates : bool
        Apply Yates' continuity correction to the chi-square test (default: no).

    Returns
    -------
    DataFrame, one row per statistic, each with `n`, `events_treated`, `n_treated`,
    `events_control`, `n_control`, `prop_treated`, `prop_control`:

    * ``Risk difference, Newcombe hybrid score CI``: `se` is the Wald standard error
      sqrt(p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2), for weighting the difference in a
      meta-analysis (metafor's ``sqrt(escalc("RD", add = 0)$vi)``); the CI is not built from it.
    * ``Risk ratio, Katz log CI``
    * ``Odds ratio, Woolf log CI``: `se` is the standard error of log RR or log OR, the
      scale its CI is built on (metafor's ``sqrt(escalc(...)$vi)``).
    * ``Fisher's exact test``: conditional maximum-likelihood odds ratio with its
      exact CI (R's ``fisher.test``) and two-sided p.
    * ``Pearson chi-square test`` (+ which continuity correction): statistic, dof, p.

    Notes
    -----
    With a events in n_1 (treated) and c in n_2 (control), b = n_1 - a, d = n_2 - c:

    * Risk difference p_1 - p_2 with Newcombe's (1998) method 10: with Wilson
      limits (l_i, u_i), CI = (p_1 - p_2 - sqrt((p_1-l_1)² + (u_2-p_2)²),
      p_1 - p_2 + sqrt((u_1-p_1)² + (p_2-l_2)²)).
    * log RR ± z sqrt(1/a - 1/n_1 + 1/c - 1/n_2) (Katz et al. 1978).
    * log OR ± z sqrt(1/a + 1/b + 1/c + 1/d) (Woolf 1955).
    * The risk difference and its `se` are never corrected for zero cells: they equal
      ``escalc("RD", add = 0)``, where escalc's default would add ½ to every cell of such a
      table and move the estimate away from the observed difference (deliberate). With each
      group's proportion 0 or 1 the Wald SE is 0: `se` is NaN and `note` says why.
    * Zero cells: when any cell is 0, 0.5 is added to all four cells for RR and OR
      (Haldane 1956; Anscombe 1956), said in `note`; as metafor's
      ``escalc(add = 1/2, to = "only0")``. When no one (or everyone) has the
      event, the ratios are undefined and reported as NaN with a note.
    * Chi-square: Pearson's X² with 1 df, with Yates' correction (capped at |O-E|,
      as R and scipy do) only if `yates=True`. A note warns when an expected count
      is below 5.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine, 17, 873-890.
    Katz, D., Baptista, J., Azen, S. P., & Pike, M. C. (1978). Biometrics, 34, 469-474.
    Woolf, B. (1955). Annals of Human Genetics, 19, 251-253.
    Agresti, A. (2013). Categorical Data Analysis (3rd ed.). Wiley.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"group": ["mentored"] * 10 + ["comparison"] * 10,
    ...                    "eet": [1] * 9 + [0] + [1] * 3 + [0] * 7})
    >>> res = compare_proportions(df, "eet")
    >>> [round(v, 4) for v in res.loc[0, ["estimate", "ci_low", "ci_high"]]]
    [0.6, 0.1705, 0.809]
    """
    where = "compare_proportions"
    require_columns(data, [dv, between], where)
    checked = data.assign(**{dv: _binary(data[dv], dv, where)})
    g1, g2, n_dropped, notes = split_two_groups(checked, [dv], between, treated, control, where)
    table = _two_by_two(
        int(g1[dv].sum()), len(g1), int(g2[dv].sum()), len(g2), confidence=confidence, yates=yates
    )
    table.insert(0, "measure", dv)
    table.insert(table.columns.get_loc("n_control") + 1, "n_dropped", n_dropped)
    table["note"] = [join_notes(notes, note) for note in table["note"]]
    return table


def compare_proportions_two_periods(
    p_before: float,
    n_before: int,
    p_after: float,
    n_after: int,
    *,
    before: str = "before",
    after: str = "after",
    confidence: float = 0.95,
    yates: bool = False,
) -> pd.DataFrame:
    """Compare two published proportions from independent samples (after vs before).

    For figures such as "54% of 120 leavers in 2013-14 vs 86% of 140 in 2016-17",
    where the two cohorts are different young people. The event counts are
    reconstructed as p × n rounded to the nearest whole number, halves up, and the
    note says so, because published percentages are rounded. p × n is worked in
    decimal from the proportion as written (0.29 × 50 = 14.5 exactly, where binary
    floating point gives 14.499999999999998); a half (50% of 5 = 2.5) is possible,
    and when met the note says which count was used.

    Parameters
    ----------
    p_before, p_after : float
        Proportions between 0 and 1 (54% is 0.54).
    n_before, n_after : int
        Cohort sizes.
    before, after : str
        Labels of the periods, used as `measure` ("after vs before").

    Returns
    -------
    The table of :func:`compare_proportions`, with treated = `after` and
    control = `before` (so the risk difference is the change after - before).

    Example
    -------
    >>> res = compare_proportions_two_periods(0.54, 120, 0.86, 140, before="2013-14", after="2016-17")
    >>> int(res.loc[0, "events_treated"]), int(res.loc[0, "events_control"])
    (120, 65)
    """
    where = "compare_proportions_two_periods"
    counts = []
    for name, p, n in (("before", p_before, n_before), ("after", p_after, n_after)):
        if not (isinstance(n, (int, np.integer)) and n > 0):
            raise InsufficientDataError(f"{where}: n_{name} must be a whole number above 0, not {n!r}.")
        if not 0 <= p <= 1:
            raise ValueError(
                f"{where}: p_{name} = {p!r} is not a proportion between 0 and 1 "
                f"(give 54% as 0.54)."
            )
        counts.append(_count_from_proportion(p, n))
    table = _two_by_two(counts[1], n_after, counts[0], n_before, confidence=confidence, yates=yates)
    table.insert(0, "measure", f"{after} vs {before}")
    reconstructed = (
        f"events reconstructed from the proportions: {counts[0]}/{n_before} ({before}), "
        f"{counts[1]}/{n_after} ({after})"
    )
    halves = [f"{label}: {p} × {n} is half-way, rounded up to {k}"
              for label, p, n, k in ((before, p_before, n_before, counts[0]), (after, p_after, n_after, counts[1]))
              if _exact_product(p, n) % 1 == Decimal("0.5")]
    reconstructed = join_notes(reconstructed, *halves)
    table["note"] = [join_notes(reconstructed, note) for note in table["note"]]
    return table


def _exact_product(p: float, n: int) -> Decimal:
    """p × n in decimal arithmetic, from p as written (its shortest repr), free of binary rounding error."""
    return Decimal(repr(float(p))) * n


def _count_from_proportion(p: float, n: int) -> int:
    """The event count behind a published proportion: p × n to the nearest whole number, halves rounded up.

    An explicit rule, because Python's ``round`` sends halves to the even neighbour (round(2.5) = 2) and reads
    p × n after binary rounding (0.29 × 50 = 14.499999999999998).
    """
    return int(_exact_product(p, n).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _two_by_two(a: int, n1: int, c: int, n2: int, *, confidence: float, yates: bool) -> pd.DataFrame:
    """All comparisons of a events in n1 (treated) with c events in n2 (control)."""
    z = critical_value(confidence)
    b, d = n1 - a, n2 - c
    p1, p2 = a / n1, c / n2
    common = {
        "n": n1 + n2,
        "events_treated": a, "n_treated": n1, "events_control": c, "n_control": n2,
        "prop_treated": p1, "prop_control": p2,
    }
    nan = math.nan
    no_variation = (a + c == 0) or (b + d == 0)
    outcome_word = "no one" if a + c == 0 else "everyone"
    rows = []

    l1, u1 = _wilson_limits(a, n1, confidence)
    l2, u2 = _wilson_limits(c, n2, confidence)
    rd = p1 - p2
    se_rd = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    rows.append({
        "method": "Risk difference, Newcombe hybrid score CI",
        "estimate": rd,
        "se": se_rd if se_rd > 0 else nan,
        "ci_low": rd - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        "ci_high": rd + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
        "note": "" if se_rd > 0 else ("each group's proportion is 0 or 1: the Wald standard error is 0, so `se` is "
                                      "missing and this difference cannot be weighted in a pooling"),
    })

    if no_variation:
        why = f"{outcome_word} had the event in either group: ratio measures are undefined"
        for name in ("Risk ratio, Katz log CI", "Odds ratio, Woolf log CI"):
            rows.append({"method": name, "estimate": nan, "se": nan, "ci_low": nan, "ci_high": nan, "note": why})
    else:
        corrected = min(a, b, c, d) == 0
        aa, bb, cc, dd = (v + 0.5 if corrected else float(v) for v in (a, b, c, d))
        note = "a cell is 0: 0.5 added to all four cells (Haldane-Anscombe)" if corrected else ""
        log_rr = math.log((aa / (aa + bb)) / (cc / (cc + dd)))
        se_rr = math.sqrt(1 / aa - 1 / (aa + bb) + 1 / cc - 1 / (cc + dd))
        log_or = math.log(aa * dd / (bb * cc))
        se_or = math.sqrt(1 / aa + 1 / bb + 1 / cc + 1 / dd)
        for name, est, se in (("Risk ratio, Katz log CI", log_rr, se_rr), ("Odds ratio, Woolf log CI", log_or, se_or)):
            rows.append({
                "method": name, "estimate": math.exp(est), "se": se,
                "ci_low": math.exp(est - z * se), "ci_high": math.exp(est + z * se), "note": note,
            })

    observed = np.array([[a, b], [c, d]])
    fisher = {"method": "Fisher's exact test", "p_val": float(stats.fisher_exact(observed).pvalue)}
    if no_variation:
        fisher.update(estimate=nan, ci_low=nan, ci_high=nan,
                      note=f"{outcome_word} had the event: conditional odds ratio undefined")
    else:
        cond = odds_ratio(observed, kind="conditional")
        ci = cond.confidence_interval(confidence)
        fisher.update(estimate=float(cond.statistic), ci_low=float(ci.low), ci_high=float(ci.high))
        notes = ["estimate is the conditional maximum-likelihood odds ratio with its exact CI"]
        if min(a, b, c, d) == 0:
            notes.append("a cell is 0, so this odds ratio is 0 or infinite (no correction is applied)")
        fisher["note"] = join_notes(notes)
    rows.append(fisher)

    chi = {
        "method": "Pearson chi-square test " + ("(Yates continuity correction)" if yates else "(no continuity correction)"),
        "dof": 1.0,
    }
    if no_variation:
        chi.update(statistic=nan, p_val=nan, note=f"{outcome_word} had the event: chi-square test undefined")
    else:
        res = stats.chi2_contingency(observed, correction=yates)
        small = int(np.sum(res.expected_freq < 5))
        chi.update(statistic=float(res.statistic), p_val=float(res.pvalue))
        if small:
            chi["note"] = f"{small} expected count(s) below 5: prefer Fisher's exact test"
    rows.append(chi)
    return tidy([{**common, **row} for row in rows])
