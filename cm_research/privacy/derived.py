"""Numbers that give a hidden count back: withhold them before publishing, and find them in a run.

Suppressing a count is not enough when another published number is a function of it. Three such functions
appear in this package's tables (found by the round-3 red team on the demo's published run):

- **the complement**: a table shows ``n_pairs`` and ``n_nonzero``; the zero changes are ``n_pairs - n_nonzero``,
  so when that difference is from 1 to the threshold ``n_nonzero`` must be ``c`` too (a note saying "between 1
  and 5 zero change(s)" hid nothing while both columns were shown: 34 pairs, 33 non-zero);
- **the signed-rank statistic with its rank-biserial correlation**: for the Wilcoxon signed-rank test on
  ``m`` non-zero changes, V + V' = m(m + 1)/2 and r_rb = (V - V') / (V + V'), so
  ``m(m + 1)/2 = 2V / (1 + r_rb)`` (Kerby 2014, *Comprehensive Psychology* 3, 11.IT.3.1, the simple difference
  formula). With both shown, ``m`` -- and from it a hidden number of zero changes, or of respondents whose
  answer rose or fell -- follows exactly. Where such a count is ``c``, ``statistic`` and ``rank_biserial`` are
  withheld;
- **the signed-rank p-value beside a hidden count** (round 4): the normal approximation's p gives
  z = Phi^-1(1 - p/2) = (|V - m(m + 1)/4| - 1/2) / sqrt(m(m + 1)(2m + 1)/24) (no ties; ties subtract
  sum(t^3 - t)/48 from the variance), and only one m of the few a hidden count allows makes V a whole or half
  number: in the demo, Northshire's attendance change (26 pairs, "between 1 and 5 zero changes",
  p = 0.006933947606081329) fits m = 24, V = 55 and no other m, so 2 zero changes. Where such a count is ``c``
  the p-value is withheld with V and r (the paired t-test's row for the same measure keeps its p);
- **a count of rows dropped in a note** (round 4): "8 row(s) dropped for missing `post` or `baseline`" is both
  groups' missing young people added up; with the group sizes (23 and 23) and the analysed n (18 and 20) each
  group's hidden count follows (23 - 18 = 5, and 3, as 5 + 3 = 8 and neither can be more). Published notes say it
  without the number (:func:`cm_research.report.outcomes.withhold_small_groups`);
- **quartiles' fractions beside a hidden n**: for whole-number values (days, sessions, minutes) R's default
  quantile (Hyndman & Fan 1996 type 7, pandas' default) interpolates at position 1 + (n - 1)p, so a median at
  x.5 says n is even and a quartile at x.25 or x.75 says n = 2 (mod 4): with the other published counts the
  demo's hidden number of known waits narrowed to {34, 36, 38}. Where ``n`` is ``c``, quartiles are published
  by :func:`published_quartiles` as type 1 (always one of the values, so their form does not depend on n);
- **the exact coverage of a median's order-statistic CI**: ``1 - 2 P(B <= r - 1)`` with B ~ Binomial(n, 1/2)
  (Conover 1999, section 3.2) takes a different value for almost every n, so a shown ``ci_coverage`` beside a
  hidden ``n`` gives n back, and with it "don't know" and missing answers (the wave's respondents are
  published). Where ``n`` is ``c`` the coverage is withheld (the interval itself stays).

- **the number of zero changes in a note beside a hidden part** (round 6): "8 zero change(s) dropped before
  ranking" is ``n_same``; the survey's barrier item showed 31 pairs, ``n_lower`` 18, ``n_higher`` and ``n_same``
  c, so 31 - 18 - 8 = 5 rose. Where a part is ``c`` the note says "the zero changes" without the number;

- **a count of things people said beside the hidden count of the people** (round 5): a code's or theme's
  coded sentences (``n_segments``), a word's occurrences (``count``), the sentences against a theme
  (``sentences_against``) are each at least the number of people who said them, so beside ``n_participants``
  (or ``interviewees_against``) shown as ``c`` a value k from 1 to the threshold - 1 says the people were 1 to k --
  and 1 sentence says exactly 1 person (the demo's published code and theme tables had 8 such rows). Where the
  people are ``c``, such a count from 1 to the threshold is ``c`` too (:data:`SAID_BY`).

:func:`withhold_derived` applies these rules to a table; :func:`derived_findings` looks for each recovery in a
published CSV, for the whole-run audit (finding kind ``derived_count``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache

import pandas as pd

from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED

#: counts that the signed-rank statistic and rank-biserial correlation give back (with n_pairs or a shown part)
RANK_COUNTS = ("n_nonzero", "n_higher", "n_same", "n_lower")
RANK_STATISTICS = ("statistic", "rank_biserial")
#: withheld with :data:`RANK_STATISTICS` beside a hidden rank count (module docstring)
RANK_P_VALUES = ("p_val", "p_holm")
COVERAGE_COLUMNS = ("ci_coverage", "coverage")
#: columns holding a median or quartile (of one row's values; ``n``/``young_people`` is how many)
QUARTILE_COLUMNS = ("median", "lower_quartile", "upper_quartile", "median_sessions")
#: a row's number of values, for the quartile rule
SIZE_COLUMNS = ("n", "young_people")
#: counts of what people said, each at least the number of people who said it: {count column: people column}
SAID_BY = {"n_segments": "n_participants", "count": "n_participants", "sentences_against": "interviewees_against"}
#: "8 row(s) dropped for missing `post`" in a note (see :data:`cm_research.report.outcomes.DROPPED_ROWS`)
_DROPPED_ROWS = re.compile(r"\b\d+ row\(s\) dropped for missing")
#: the counts a number of zero changes gives back: itself (n_same), or n_pairs minus it (n_nonzero)
ZERO_PARTS = ("n_same", "n_nonzero")
#: "8 zero change(s) dropped before ranking" in a note: the zero changes, i.e. ``n_same`` (round 6)
_ZERO_CHANGES = re.compile(r"(?<!and )\b(\d+) zero change\(s\)")
#: the largest number of answers searched when matching a coverage to n
_MAX_N = 1000


def _number(value: object) -> float | None:
    if isinstance(value, str):
        if value.strip() in ("", SUPPRESSED):
            return None
        try:
            return float(value)
        except ValueError:
            return None
    if value is None or pd.isna(value):
        return None
    return float(value)


def _hidden(value: object) -> bool:
    return isinstance(value, str) and value.strip() == SUPPRESSED


def withhold_derived(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """A copy of ``table`` with every number that would give a hidden count back withheld (module docstring).

    Columns it knows: ``n_pairs`` and ``n_nonzero`` (complement), :data:`RANK_COUNTS` with ``statistic`` and
    ``rank_biserial`` (signed-rank), ``n`` with ``ci_coverage``/``coverage``. Other columns, and ``attrs``, are
    kept. Withheld statistics become NaN and the row's ``note`` (when there is one) says why."""
    out = table.copy()
    out.attrs.update(table.attrs)
    for column in ("n_nonzero", *RANK_STATISTICS, *RANK_P_VALUES, *COVERAGE_COLUMNS):
        if column in out:
            out[column] = out[column].astype(object)
    notes: dict[int, list[str]] = {}
    for pos in range(len(out)):
        row = out.iloc[pos]
        pairs, nonzero = _number(row.get("n_pairs")), _number(row.get("n_nonzero"))
        if pairs is not None and nonzero is not None and (1 <= pairs - nonzero <= threshold
                                                          or 1 <= nonzero <= threshold):
            out.iat[pos, out.columns.get_loc("n_nonzero")] = SUPPRESSED
        row = out.iloc[pos]
        shown = [c for c in (*RANK_STATISTICS, *RANK_P_VALUES) if c in out and _number(row[c]) is not None]
        if shown and any(_hidden(row.get(c)) for c in RANK_COUNTS):
            for column in shown:
                out.iat[pos, out.columns.get_loc(column)] = math.nan
            notes.setdefault(pos, []).append(
                "statistic, rank-biserial correlation and p-value withheld: with them a count shown as c could be "
                "worked out")
        if _hidden(row.get("n")):
            for column in COVERAGE_COLUMNS:
                if column in out and _number(row[column]) is not None:
                    out.iat[pos, out.columns.get_loc(column)] = math.nan
        note = row.get("note")
        if isinstance(note, str) and any(_hidden(row.get(c)) for c in ZERO_PARTS) and _ZERO_CHANGES.search(note):
            # "8 zero change(s)" is n_same: beside n_pairs and a shown n_lower it gives a hidden n_higher back
            out.iat[pos, out.columns.get_loc("note")] = _ZERO_CHANGES.sub("the zero changes", note)
    if "note" in out:
        for pos, added in notes.items():
            note = out.iat[pos, out.columns.get_loc("note")]
            kept = note if isinstance(note, str) and note.strip() else ""
            out.iat[pos, out.columns.get_loc("note")] = "; ".join([*([kept] if kept else []), *added])
    return out


def published_quartiles(values: pd.Series, n_hidden: bool) -> dict[str, float | str]:
    """Median and quartiles of ``values`` as published: ``median``, ``lower_quartile``, ``upper_quartile``, and
    ``note`` naming the method.

    With n shown: R's default, Hyndman & Fan (1996) type 7 (linear interpolation between order statistics at
    position 1 + (n - 1)p; pandas' and numpy's default). With n hidden (``n_hidden``): type 1, the inverse of the
    empirical distribution function, Q(p) = x_(ceil(np)) (x_(np) when np is whole; R ``quantile(x, type = 1)``,
    numpy ``method="inverted_cdf"``). Type 1 never averages two values, so a quartile is always one of the values
    themselves: for whole days it is a whole number whatever n is, where type 7's x.5 (n even) and x.25 / x.75
    (n = 2 mod 4) narrow the hidden n (module docstring). Rounding type 7 to whole days would also hide the
    parity, but only for whole-number data; type 1 hides it for any values (weeks as days / 7 too) and keeps
    the median a value someone actually had.

    Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages. *The American Statistician*
    50(4), 361-365.
    """
    import numpy as np

    clean = pd.Series(values, dtype=float).dropna().to_numpy()
    if not len(clean):
        return {"median": math.nan, "lower_quartile": math.nan, "upper_quartile": math.nan, "note": "no values"}
    method = "inverted_cdf" if n_hidden else "linear"
    low, mid, high = (float(q) for q in np.quantile(clean, [0.25, 0.5, 0.75], method=method))
    note = ("quartiles are values of the data (R type 1), so they do not reveal the hidden n" if n_hidden
            else "quartiles by linear interpolation (R type 7, R's default)")
    return {"median": mid, "lower_quartile": low, "upper_quartile": high, "note": note}


def _quartile_fraction(value: float) -> bool:
    """True for x.25, x.5 or x.75: the fractions type 7 gives whole-number values only for some n."""
    fraction = value - math.floor(value)
    return any(abs(fraction - f) < 1e-9 for f in (0.25, 0.5, 0.75))


@lru_cache(maxsize=1)
def _coverages() -> dict[float, set[int]]:
    """Every exact coverage 1 - 2 P(B <= r - 1), B ~ Binomial(n, 1/2), rounded to 12 places -> the n giving it."""
    import numpy as np
    from scipy import stats

    found: dict[float, set[int]] = {}
    for n in range(1, _MAX_N + 1):
        cdf = stats.binom.cdf(np.arange(n // 2 + 1), n, 0.5)
        for value in 1 - 2 * cdf:
            if value > 0.5:  # a CI's coverage; smaller values are never a reported level
                found.setdefault(round(float(value), 12), set()).add(n)
    return found


def _signed_rank_fits(p: float, n_pairs: float | None, threshold: int) -> list[tuple[int, float]]:
    """(m, V) pairs consistent with a two-sided normal-approximation signed-rank p (continuity correction, no
    ties): V = m(m + 1)/4 -/+ (z sqrt(m(m + 1)(2m + 1)/24) + 1/2) must be a whole or half number (Wilcoxon 1945;
    R's ``wilcox.test(exact = FALSE)``). m runs over the counts a hidden part of ``n_pairs`` allows."""
    from scipy import stats

    if n_pairs is None:
        return []
    z = float(stats.norm.isf(p / 2))
    fits = []
    for m in range(max(1, int(n_pairs) - threshold), int(n_pairs) + 1):
        centre, spread = m * (m + 1) / 4, math.sqrt(m * (m + 1) * (2 * m + 1) / 24)
        for v in (centre - z * spread - 0.5, centre + z * spread + 0.5):
            if 0 <= v <= m * (m + 1) / 2 and abs(2 * v - round(2 * v)) < 1e-6:
                fits.append((m, round(2 * v) / 2))
                break
    return fits


def derived_findings(table: pd.DataFrame, name: str,
                     threshold: int = DEFAULT_THRESHOLD) -> Iterator[tuple[str, str, str, str]]:
    """``derived_count`` findings of one published table (read as text): each hidden count it gives back.

    Yields (file, location, kind, text) as :func:`cm_research.privacy.audit.audit_run` does."""
    for pos, row in enumerate(table.to_dict("records"), start=2):
        pairs, nonzero = _number(row.get("n_pairs")), _number(row.get("n_nonzero"))
        if pairs is not None and nonzero is not None and 1 <= pairs - nonzero <= threshold:
            yield (name, f"line {pos}, columns `n_pairs`, `n_nonzero`", "derived_count",
                   f"{pairs - nonzero:g} zero change(s) = n_pairs {pairs:g} - n_nonzero {nonzero:g}")
        hidden = [c for c in RANK_COUNTS if _hidden(row.get(c))]
        v, r = _number(row.get("statistic")), _number(row.get("rank_biserial"))
        if hidden and v is not None and r is not None and r > -1:
            total = 2 * v / (1 + r)
            m = (math.sqrt(1 + 8 * total) - 1) / 2
            if total > 0 and abs(m - round(m)) < 1e-6:
                yield (name, f"line {pos}, columns `statistic`, `rank_biserial`", "derived_count",
                       f"2V / (1 + r) with V = {v:g}, r = {r:.6g} is m(m + 1)/2 for m = {round(m)} non-zero "
                       f"changes, which gives back {', '.join(hidden)} shown as c")
        note = row.get("note")
        if isinstance(note, str) and (m := _DROPPED_ROWS.search(note)):
            yield (name, f"line {pos}, column `note`", "derived_count",
                   f"\"{m.group(0)}\": the groups' missing counts added up; beside the group sizes and the analysed "
                   "n it pins each group's hidden count of young people lost (say it without the number)")
        parts = [c for c in ZERO_PARTS if _hidden(row.get(c))]
        if parts and isinstance(note, str) and (zeros := _ZERO_CHANGES.search(note)):
            yield (name, f"line {pos}, column `note`", "derived_count",
                   f"\"{zeros.group(0)}\" is the number of unchanged answers or scores: beside n_pairs and the "
                   f"other shown counts it gives back {', '.join(hidden)} shown as c")
        p = _number(row.get("p_val"))
        if hidden and p is not None and 0 < p < 1:
            fits = _signed_rank_fits(p, _number(row.get("n_pairs")), threshold)
            how = (f"; without ties it fits only m = {fits[0][0]} non-zero changes (V = {fits[0][1]:g})"
                   if len(fits) == 1 else "")
            yield (name, f"line {pos}, column `p_val`", "derived_count",
                   f"p = {p:.12g} of a signed-rank test beside {', '.join(hidden)} shown as c: the normal "
                   f"approximation's p gives V for each possible number of non-zero changes m{how}")
        if any(_hidden(row.get(c)) for c in SIZE_COLUMNS):
            quartiles = [c for c in QUARTILE_COLUMNS if _number(row.get(c)) is not None]
            if any(_quartile_fraction(_number(row[c])) for c in quartiles):
                shown = ", ".join(f"{c} {_number(row[c]):g}" for c in quartiles)
                yield (name, f"line {pos}, columns {', '.join(f'`{c}`' for c in quartiles)}", "derived_count",
                       f"{shown}: interpolated quartiles at x.25, x.5 or x.75 narrow the number of values, n shown "
                       "as c (an even n, or n = 2 mod 4, for whole-number values); publish type 1 quartiles")
        for said, people in SAID_BY.items():
            value = _number(row.get(said))
            if _hidden(row.get(people)) and value is not None and 1 <= value < threshold:
                yield (name, f"line {pos}, column `{said}`", "derived_count",
                       f"{said} {value:g} beside {people} shown as c: each person said at least one, so they were "
                       f"{'exactly 1' if value == 1 else f'1 to {value:g}'}")
        if _hidden(row.get("n")):
            for column in COVERAGE_COLUMNS:
                value = _number(row.get(column))
                if value is None:
                    continue
                ns = _coverages().get(round(value, 12), set())
                if len(ns) == 1:
                    yield (name, f"line {pos}, column `{column}`", "derived_count",
                           f"coverage {value:.12g} is that of a median CI from exactly {next(iter(ns))} answers: "
                           "n shown as c")


def withhold_said_by(table: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """``table`` with each count of things said (:data:`SAID_BY`) from 1 to ``threshold`` shown as ``c`` where
    the people who said them are ``c`` (module docstring: such a count bounds the hidden one)."""
    out = table.copy()
    for said, people in SAID_BY.items():
        if said in out and people in out:
            hidden = out[people].astype(str) == SUPPRESSED
            small = [v is not None and 1 <= v <= threshold for v in map(_number, out[said])]
            out[said] = out[said].astype(object).mask(hidden & pd.Series(small, index=out.index), SUPPRESSED)
    return out
