"""Survey tables fit to publish: counts of respondents from 1 to the threshold shown as ``c`` (issue 15).

Statistical disclosure control (DfE children-looked-after rule, counts 1 to 5 suppressed; ONS *Disclosure Control
Policy for Tables*) treats a percentage as the count it stands for: 7.7% of 39 respondents is 3 people. So:

- :func:`publish_items_summary`: the disagree / neutral / agree percentages of each statement are turned back into
  counts (percentage x n / 100), suppressed with ``n`` as their total (primary and secondary suppression, so the
  third cannot be worked out as 100% minus the other two), and a percentage is shown as ``c`` with its count;
  "don't know" and missing answers from 1 to the threshold are ``c``, with ``n`` as secondary suppression where
  the wave's number of respondents (published in the respondents table) minus the rest would give them back;
- :func:`publish_wave_change`: respondents who agreed more / the same / less are suppressed with ``n_pairs`` as
  their total; respondents left out (``n_dropped``) from 1 to the threshold are ``c`` and the note says "between 1
  and 5" instead of the number;
- :func:`publish_counts_in_notes`: ``n_dropped`` and the notes of any other table (reliability, scale change).

Each also withholds the numbers that would give a hidden count back (:mod:`cm_research.privacy.derived`): zero
changes as ``n_pairs - n_nonzero``, the signed-rank statistic with its rank-biserial correlation, a median CI's
exact coverage beside a hidden ``n``.
"""

from __future__ import annotations

import re

import pandas as pd

from cm_research.privacy.contract import SuppressedTable
from cm_research.privacy.derived import withhold_derived
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED, certify, suppress_counts

_PCTS = ("pct_disagree", "pct_neutral", "pct_agree")
_IN_NOTE = re.compile(r"\b(\d+)(?= (?:participant\(s\)|respondent\(s\)|zero change\(s\)))")


def _small(value: object, threshold: int) -> bool:
    return not isinstance(value, str) and pd.notna(value) and 1 <= value <= threshold


def _scrub(note: object, threshold: int) -> object:
    if not isinstance(note, str):
        return note
    return _IN_NOTE.sub(lambda m: f"between 1 and {threshold}" if 1 <= int(m.group(1)) <= threshold
                        else m.group(1), note)


def publish_counts_in_notes(table: pd.DataFrame, columns: tuple[str, ...] = ("n_dropped",), *,
                            threshold: int = DEFAULT_THRESHOLD, suppress: bool = True,
                            name: str = "table") -> SuppressedTable:
    """``columns`` (counts of respondents) from 1 to ``threshold`` shown as ``c``, and the notes saying
    "between 1 and <threshold>" instead of such a number."""
    out = pd.DataFrame(table).copy()
    if suppress:
        for column in columns:
            if column in out:
                out[column] = [SUPPRESSED if _small(v, threshold) else v for v in out[column]]
        if "note" in out:
            out["note"] = [_scrub(n, threshold) for n in out["note"]]
        # zero changes as n_pairs - n_nonzero; a hidden count from the signed-rank statistic with its r
        out = withhold_derived(out, threshold)
    return certify(out, [c for c in columns if c in out], threshold=threshold, suppress=suppress, name=name,
                   reason=f"Counts of respondents from 1 to {threshold} are shown as c.")


def publish_items_summary(summary: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD, suppress: bool = True,
                          name: str = "survey_items_summary") -> SuppressedTable:
    """The statements' summary with percentages of small counts suppressed (module docstring)."""
    if not suppress or summary.empty:
        return certify(summary, [], suppress=suppress, name=name)
    table = pd.DataFrame(summary).reset_index(drop=True)
    counts = pd.DataFrame({p: (table[p].astype(float) * table["n"] / 100).round() for p in _PCTS}).fillna(0)
    exact = counts.sum(axis=1) == table["n"]
    if not exact.all():  # percentages of something other than n: withhold every percentage of such a row
        rows = list(table.index[~exact])
        raise ValueError(f"{name}: rows {rows}: the percentages do not add up to n; cannot publish them safely")
    work = counts.astype(int).assign(n=table["n"].astype(int))
    totals = {"n": list(_PCTS)}
    answers = [c for c in ("n_dont_know", "n_missing") if c in table]
    if answers:
        # n + don't know + missing = the wave's respondents, which the respondents table publishes: one "c" among
        # them alone would be that total minus the rest (40 respondents, n 39, don't know 0: 1 missing)
        work = work.assign(**{c: table[c].astype(int) for c in answers})
        work["respondents"] = work[["n", *answers]].sum(axis=1)
        totals["respondents"] = ["n", *answers]
    hidden = suppress_counts(work, [*_PCTS, *answers], totals=totals, threshold=threshold, name=name)
    out = table.copy()
    for p in _PCTS:  # a percentage of a hidden n would give n back (26 of 39 is 66.67%; of 40, 65%)
        out[p] = [SUPPRESSED if SUPPRESSED in (h, n) else v for h, n, v in zip(hidden[p], hidden["n"], table[p])]
    for column in ("n", *answers):
        out[column] = list(hidden[column])
    if "n" in out:  # a median of 1 to threshold answers describes those few (many answers behind a c: kept)
        few = table["n"].astype(int) <= threshold
        for column in ("median", "median_ci_low", "median_ci_high"):
            if column in out:
                out[column] = out[column].astype(object).mask(few, float("nan"))
        # a median halfway between two answers (2.5) says n is even: beside a hidden n that narrows it, so such a
        # median is withheld where n is c (the interval's ends are answers themselves and stay)
        if "median" in out:
            halfway = [n == SUPPRESSED and not pd.isna(m) and float(m) % 1 != 0 for n, m in zip(out["n"], out["median"])]
            out["median"] = out["median"].astype(object).mask(pd.Series(halfway, index=out.index), float("nan"))
    out = withhold_derived(out, threshold)  # the CI's exact coverage would give a hidden n back
    return certify(out, ["n", "n_dont_know", "n_missing"], threshold=threshold, name=name,
                   reason=f"Counts of respondents from 1 to {threshold}, and the percentages they make, are c.")


def publish_wave_change(change: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD, suppress: bool = True,
                        name: str = "survey_change") -> SuppressedTable:
    """Change between waves with respondents who agreed more / the same / less suppressed against n_pairs."""
    if not suppress or change.empty:
        return certify(change, [], suppress=suppress, name=name)
    parts = ["n_higher", "n_same", "n_lower"]
    table = pd.DataFrame(change).reset_index(drop=True)
    hidden = suppress_counts(table, parts, totals={"n_pairs": parts}, threshold=threshold, name=name)
    return publish_counts_in_notes(hidden.to_frame(), ("n_dropped", "n_pairs", *parts), threshold=threshold, name=name)
