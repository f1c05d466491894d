"""Likert items one at a time: reverse scoring, the distribution of answers, medians with a distribution-free
CI, the shares agreeing and disagreeing, and change between two waves in the same respondents.

Every function takes the survey in long form (one row per respondent, wave and item, as
``data_dictionary/survey_responses.yaml`` defines it) and returns a tidy DataFrame. Answers are on an
ordered scale from ``low`` to ``high`` (default 1 = strongly disagree ... 5 = strongly agree); "don't know"
answers (``dont_know`` true, response empty) are counted but left out of every percentage and median.
Percentages and medians describe the answers *as the statement is worded*; reverse scoring
(:func:`keyed_responses`) is for scale scores and reliability (``cm_research.surveys.scales``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.contract import InsufficientDataError, ci_quantile, join_notes, require_columns
from cm_research.stats.paired import pair_up, signed_rank_test
from cm_research.surveys.errors import SurveyDataError
from cm_research.deprecation import renamed_arguments

__all__ = ["LEVEL_LABELS", "MIN_NONZERO_CHANGES", "keyed_responses", "likert_distribution", "likert_items",
           "median_ci", "reverse_score", "wave_change"]

#: Labels of the five answers of the survey_responses table.
LEVEL_LABELS = {1: "strongly disagree", 2: "disagree", 3: "neither agree nor disagree", 4: "agree",
                5: "strongly agree"}
#: With fewer non-zero changes the exact two-sided signed-rank p-value cannot fall below 0.05 (2 / 2^5 = 0.0625).
MIN_NONZERO_CHANGES = 6


def reverse_score(values: pd.Series | np.ndarray | float, low: int = 1, high: int = 5):
    """Reverse an answer on a ``low``..``high`` scale: ``low + high - x`` (1 <-> 5, 2 <-> 4, 3 stays 3).

    Missing values stay missing. Reference: e.g. DeVellis, R. F. (2017). Scale Development (4th ed.), ch. 5.
    """
    return low + high - values


@renamed_arguments(response="dv")
def keyed_responses(
    data: pd.DataFrame,
    catalogue: pd.DataFrame,
    item: str = "item",
    dv: str = "response",
    *,
    low: int = 1,
    high: int = 5,
) -> pd.DataFrame:
    """``data`` with a ``scored`` column: the response, reversed (:func:`reverse_score`) for the items the
    catalogue marks ``reverse_scored``, so that a higher score always means more of what the scale measures.

    ``catalogue`` needs ``item`` and ``reverse_scored`` columns (``cm_research.dictionary.catalogue("survey_items")``
    is one). An item of ``data`` missing from the catalogue is an error: guessing its direction would be wrong
    half the time.
    """
    require_columns(data, [item, dv], "keyed_responses")
    require_columns(catalogue, ["item", "reverse_scored"], "keyed_responses (catalogue)")
    reverse = catalogue.drop_duplicates("item").set_index("item")["reverse_scored"].astype(bool)
    unknown = sorted(set(data[item].dropna().astype(str)) - set(reverse.index))
    if unknown:
        raise SurveyDataError(f"keyed_responses: item(s) {', '.join(unknown)} are not in the item catalogue, so "
                              f"whether to reverse them is unknown; the catalogue lists {', '.join(reverse.index)}.")
    out = data.copy()
    values = pd.to_numeric(out[dv], errors="coerce").astype(float)
    flip = out[item].astype(str).map(reverse).to_numpy(dtype=bool)
    out["scored"] = np.where(flip, reverse_score(values, low, high), values)
    return out


def _median_ci(sorted_values: np.ndarray, confidence: float) -> dict:
    """Median and its binomial order-statistic CI of already sorted values (see :func:`median_ci`)."""
    n = len(sorted_values)
    tail = ci_quantile(confidence)
    row = {"n": n, "estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "rank_low": pd.NA,
           "rank_high": pd.NA, "coverage": math.nan, "note": ""}
    if n == 0:
        row["note"] = "no answers"
        return row
    row["estimate"] = float(np.median(sorted_values))
    cdf = stats.binom.cdf(np.arange(n + 1), n, 0.5)
    r = int(np.sum(cdf <= tail))  # largest r with P(B <= r - 1) <= alpha/2
    if r < 1:
        row["note"] = (f"only {n} answer(s): no distribution-free {confidence:.0%} CI for the median exists "
                       f"below {_smallest_n(tail)} answers")
        return row
    s = n - r + 1
    row.update(ci_low=float(sorted_values[r - 1]), ci_high=float(sorted_values[s - 1]), rank_low=r, rank_high=s,
               coverage=float(1 - 2 * cdf[r - 1]))
    return row


def _smallest_n(tail: float) -> int:
    """Smallest n with 0.5^n <= alpha/2, i.e. the fewest answers that allow the CI."""
    return int(math.ceil(math.log(tail) / math.log(0.5)))


def median_ci(x: Sequence[float] | pd.Series | np.ndarray, confidence: float = 0.95) -> pd.DataFrame:
    """The median with a distribution-free confidence interval from order statistics (binomial method).

    Parameters
    ----------
    x : the values (missing values are left out).
    confidence : the nominal level; the interval's exact coverage is reported in ``coverage``.

    Returns
    -------
    One row: ``method``, ``n``, ``estimate`` (the sample median), ``ci_low``, ``ci_high``, ``rank_low`` (r),
    ``rank_high`` (n - r + 1), ``coverage``, ``note``.

    Notes
    -----
    With B ~ Binomial(n, 1/2) the number of values below the population median, the interval between the
    order statistics x_(r) and x_(n-r+1) covers the median with probability 1 - 2 P(B <= r - 1). The interval
    given takes the largest r >= 1 with P(B <= r - 1) <= alpha/2, so its coverage is at least 1 - alpha
    (Conover 1999, section 3.2; e.g. n = 10 at 95%: x_(2) to x_(9), coverage 97.9%). No such r exists when
    0.5^n > alpha/2 (n < 6 at 95%), and the CI is then missing with a note. For discrete answers such as Likert
    items the coverage is at least as large (ties only widen the event), and the limits are answer values.

    References
    ----------
    Conover, W. J. (1999). Practical Nonparametric Statistics (3rd ed.), section 3.2. Wiley.

    Example
    -------
    >>> median_ci([2, 3, 3, 4, 4, 4, 5, 5, 2, 1])[["estimate", "ci_low", "ci_high", "rank_low", "rank_high"]]
       estimate  ci_low  ci_high  rank_low  rank_high
    0       3.5     2.0      5.0         2          9
    """
    values = pd.to_numeric(pd.Series(np.asarray(x, dtype=object).ravel()), errors="coerce").dropna()
    row = _median_ci(np.sort(values.to_numpy(dtype=float)), confidence)
    frame = pd.DataFrame([{"method": "Median (binomial order-statistic CI)", **row}])
    return frame.astype({"rank_low": "Int64", "rank_high": "Int64"})


def _by_columns(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _answers(data: pd.DataFrame, response: str, dont_know: str | None, low: int, high: int,
             where: str) -> tuple[pd.Series, pd.Series]:
    """(numeric answers, don't-know flags) of ``data``; answers outside low..high are an error."""
    values = pd.to_numeric(data[response], errors="coerce").astype(float)
    text = data[response][values.isna() & data[response].notna()]
    if len(text):
        raise SurveyDataError(f"{where}: column `{response}` must hold answers {low}-{high}, but row(s) "
                              f"{', '.join(map(str, text.index[:3]))} hold {', '.join(map(repr, text.head(3)))}.")
    present = values.dropna()
    outside = present[(present < low) | (present > high) | (present % 1 != 0)]
    if len(outside):
        raise SurveyDataError(f"{where}: answers must be whole numbers from {low} to {high}; row(s) "
                              f"{', '.join(map(str, outside.index[:3]))} hold {', '.join(f'{v:g}' for v in outside.head(3))}.")
    if dont_know and dont_know in data:
        flags = data[dont_know].fillna(False).astype(bool)
    else:
        flags = pd.Series(False, index=data.index)
    return values, flags & values.isna()


@renamed_arguments(response="dv")
def likert_distribution(
    data: pd.DataFrame,
    item: str = "item",
    dv: str = "response",
    by: str | Sequence[str] | None = "wave",
    *,
    dont_know: str | None = "dont_know",
    low: int = 1,
    high: int = 5,
) -> pd.DataFrame:
    """How many answered each level of each item (zeros included), and the percentage of valid answers.

    Returns one row per (``by``..., item, level): ``level``, ``level_label``, ``n``, ``n_valid`` (answers
    ``low``..``high`` to the item; don't know and missing left out), ``pct`` = 100 n / n_valid, ``n_dont_know``.
    """
    by_cols = _by_columns(by)
    require_columns(data, [*by_cols, item, dv], "likert_distribution")
    values, dk = _answers(data, dv, dont_know, low, high, "likert_distribution")
    frame = data[[*by_cols, item]].assign(_value=values, _dk=dk)
    levels = list(range(low, high + 1))
    rows = []
    for key, group in frame.groupby([*by_cols, item], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        valid = group["_value"].dropna()
        counts = valid.value_counts()
        for level in levels:
            n = int(counts.get(float(level), 0))
            rows.append({**dict(zip([*by_cols, item], key)), "level": level,
                         "level_label": LEVEL_LABELS.get(level, str(level)) if (low, high) == (1, 5) else str(level),
                         "n": n, "n_valid": len(valid), "pct": 100 * n / len(valid) if len(valid) else math.nan,
                         "n_dont_know": int(group["_dk"].sum())})
    return pd.DataFrame(rows, columns=[*by_cols, item, "level", "level_label", "n", "n_valid", "pct", "n_dont_know"])


@renamed_arguments(response="dv")
def likert_items(
    data: pd.DataFrame,
    item: str = "item",
    dv: str = "response",
    by: str | Sequence[str] | None = "wave",
    *,
    dont_know: str | None = "dont_know",
    confidence: float = 0.95,
    low: int = 1,
    high: int = 5,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per item (and ``by`` group): answers, median with CI, and the shares disagreeing, neutral, agreeing.

    Parameters
    ----------
    data : long form, one row per respondent, wave and item.
    item, dv, by : columns of the item name, the answer and the grouping (default ``wave``; None for none).
    dont_know : column flagging "don't know" answers (counted, never in percentages), or None.
    confidence : level of the median's CI.
    low, high : the answer scale (default 1-5).
    labels : item -> label, for a ``label`` column (e.g. from the survey_items catalogue).

    Returns
    -------
    Columns: ``by``..., item, [label], ``n`` (valid answers), ``n_dont_know``, ``n_missing`` (rows with neither),
    ``median``, ``median_ci_low``, ``median_ci_high``, ``ci_coverage``, ``pct_disagree``, ``pct_neutral``,
    ``pct_agree``, ``note``.

    Notes
    -----
    pct_disagree = 100 #{x < m} / n, pct_neutral = 100 #{x = m} / n, pct_agree = 100 #{x > m} / n, with
    m = (low + high) / 2 the midpoint (3, "neither agree nor disagree", on the 1-5 scale; an even scale has no
    neutral answer) and n the valid answers; the three add to 100. Median CI: :func:`median_ci`
    (Conover 1999, section 3.2).
    """
    by_cols = _by_columns(by)
    require_columns(data, [*by_cols, item, dv], "likert_items")
    values, dk = _answers(data, dv, dont_know, low, high, "likert_items")
    frame = data[[*by_cols, item]].assign(_value=values, _dk=dk)
    mid = (low + high) / 2
    rows = []
    for key, group in frame.groupby([*by_cols, item], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        valid = np.sort(group["_value"].dropna().to_numpy(dtype=float))
        n = len(valid)
        ci = _median_ci(valid, confidence)
        n_dk = int(group["_dk"].sum())
        row = {**dict(zip([*by_cols, item], key))}
        if labels is not None:
            row["label"] = labels.get(row[item], row[item])
        share = (lambda mask: 100 * mask.sum() / n) if n else (lambda mask: math.nan)
        row.update(n=n, n_dont_know=n_dk, n_missing=len(group) - n - n_dk, median=ci["estimate"],
                   median_ci_low=ci["ci_low"], median_ci_high=ci["ci_high"], ci_coverage=ci["coverage"],
                   pct_disagree=share(valid < mid), pct_neutral=share(valid == mid), pct_agree=share(valid > mid),
                   note=ci["note"])
        rows.append(row)
    return pd.DataFrame(rows)


@renamed_arguments(response="dv", before="baseline", after="post")
def wave_change(
    data: pd.DataFrame,
    subject: str = "respondent_id",
    item: str = "item",
    within: str = "wave",
    dv: str = "response",
    baseline: object = "baseline",
    post: object = "end",
    *,
    catalogue: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Change in each item between two waves among the respondents who answered it at both.

    Parameters
    ----------
    data : long form, one row per respondent, wave and item.
    subject, item, within, dv : columns of the respondent id, item, wave and answer.
    baseline, post : the two waves compared (were ``before``, ``after``); change = post - baseline, on the answer
        as worded.
    catalogue : survey_items catalogue (``item``, ``reverse_scored``): adds ``fewer_barriers_if`` and ``reading``
        (does the median change point towards fewer or more of what the scale measures).
    labels : item -> label, for a ``label`` column.

    Returns
    -------
    One row per item: ``n_pairs`` (answered at both waves), ``n_dropped`` (respondents with the item at one wave
    only, or without an answer at one of them: don't know or skipped), ``n_higher``, ``n_same``, ``n_lower`` (respondents whose answer rose, stayed, fell),
    ``median_before``, ``median_after`` (of the paired answers), ``median_change``, ``method``, ``statistic``
    (V, the sum of ranks of rises), ``p_val``, ``rank_biserial``, [``fewer_barriers_if``, ``reading``], ``note``.

    Notes
    -----
    The Wilcoxon signed-rank test of the changes, with R's ``wilcox.test(paired = TRUE)`` conventions, and the
    matched-pairs rank-biserial r = (R+ - R-) / (R+ + R-) (Kerby 2014), from ``cm_research.stats.paired``. Likert
    changes are heavily tied, so the p-value is nearly always the normal approximation (the method says
    which). With fewer than 6 non-zero changes no two-sided p-value can fall below 0.05 (2 / 2^5), and the note
    says so; the counts of rises and falls are then the honest summary.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin, 1, 80-83.
    Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology, 3, 11.
    """
    where = "wave_change"
    require_columns(data, [subject, item, within, dv], where)
    for wave in (baseline, post):
        if wave not in set(data[within].dropna()):
            raise SurveyDataError(f"{where}: wave {wave!r} does not occur in column `{within}`; the waves present "
                                  f"are {', '.join(map(repr, pd.unique(data[within].dropna()))) or '(none)'}.")
    reverse = None
    if catalogue is not None:
        require_columns(catalogue, ["item", "reverse_scored"], f"{where} (catalogue)")
        reverse = catalogue.drop_duplicates("item").set_index("item")["reverse_scored"].astype(bool)
    rows = []
    for name, group in data.groupby(item, sort=False):
        row: dict = {"item": name}
        if labels is not None:
            row["label"] = labels.get(name, name)
        try:
            pairs, n_dropped, dropped_note = pair_up(group, dv, within, subject, baseline, post, where)
        except InsufficientDataError:
            row.update(n_pairs=0, n_dropped=group[subject].nunique(), n_higher=0, n_same=0, n_lower=0,
                       note=f"no respondent answered this item at both {baseline!r} and {post!r}")
            rows.append(row)
            continue
        diff = (pairs[post] - pairs[baseline]).to_numpy(dtype=float)
        test = signed_rank_test(diff).iloc[0]
        notes = [dropped_note, test["note"]]
        if test["n_nonzero"] < MIN_NONZERO_CHANGES:
            notes.append(f"only {test['n_nonzero']} respondent(s) changed their answer: with fewer than "
                         f"{MIN_NONZERO_CHANGES} changes no two-sided p-value can fall below 0.05, so read the "
                         "counts of rises and falls rather than the test")
        row.update(n_pairs=len(diff), n_dropped=n_dropped, n_higher=int((diff > 0).sum()),
                   n_same=int((diff == 0).sum()), n_lower=int((diff < 0).sum()),
                   median_before=float(np.median(pairs[baseline])), median_after=float(np.median(pairs[post])),
                   median_change=float(np.median(diff)), method=test["method"], statistic=test["statistic"],
                   p_val=test["p_val"], rank_biserial=test["rank_biserial"])
        if reverse is not None:
            if name not in reverse.index:
                raise SurveyDataError(f"{where}: item {name!r} is not in the item catalogue")
            row["fewer_barriers_if"] = "higher" if reverse[name] else "lower"
            change = row["median_change"]
            towards_fewer = change > 0 if reverse[name] else change < 0
            row["reading"] = ("no change in the median" if change == 0
                              else "towards fewer barriers" if towards_fewer else "towards more barriers")
        row["note"] = join_notes(notes)
        rows.append(row)
    columns = ["item", *(["label"] if labels is not None else []), "n_pairs", "n_dropped", "n_higher", "n_same",
               "n_lower", "median_before", "median_after", "median_change", "method", "statistic", "p_val",
               "rank_biserial", *(["fewer_barriers_if", "reading"] if reverse is not None else []), "note"]
    out = pd.DataFrame(rows).reindex(columns=columns)
    out["note"] = out["note"].fillna("")
    return out
