"""Match analysis data: one row per match with its shared-interest score, length and ending, and the relation
between shared interests and how long matches last (or how outcomes change).

:func:`match_table` builds the tidy input of the survival analysis (``duration_days``, ``event``, a group column
``interest_group``): matches still going at ``as_of`` are censored there, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from cm_research.mentors._inputs import as_bool, require_columns, require_unique
from cm_research.mentors.errors import MentorDataError
from cm_research.mentors.profiles import format_tags, is_recorded, jaccard, parse_tags
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, suppress_counts
from cm_research.contract import InsufficientDataError, ci_quantile, critical_value, join_notes, tidy
from cm_research.deprecation import renamed_arguments

INTEREST_GROUPS = ("no shared interests", "1 shared interest", "2 or more shared interests", "interests not recorded")
#: below this many pairs a correlation is reported with a warning that it is too imprecise to interpret
SMALL_N = 10


def _dates(values: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize()
    return pd.to_datetime(values, dayfirst=True).dt.normalize()


def _ids(values: pd.Series) -> str:
    return ", ".join(str(v) for v in values[:10]) + (" ..." if len(values) > 10 else "")


def _interest_group(n_shared: float, recorded: bool) -> str:
    if not recorded:
        return INTEREST_GROUPS[3]
    return INTEREST_GROUPS[min(int(n_shared), 2)]


def match_table(
    matches: pd.DataFrame,
    participants: pd.DataFrame,
    mentors: pd.DataFrame,
    as_of: object,
    *,
    synonyms: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """One row per match, ready for survival analysis and for relating shared interests to match length.

    Parameters
    ----------
    matches : the matches table (match_id, participant_id, mentor_id, match_start, match_end; ended_early and
        end_reason when present), typed as :func:`cm_research.data.load_table` returns it or as text.
    participants : participant_id and interests (site when present).
    mentors : mentor_id and interests.
    as_of : the date the data describe (e.g. the date of the extract). A match with no ``match_end``, or one
        ending after ``as_of``, was still going then: ``event`` 0, length counted to ``as_of`` (censored).

    Returns
    -------
    DataFrame
        match_id, participant_id, mentor_id, site, match_number (1 for a young person's first mentor, 2 for
        the second, ... by start date), match_start, match_end, as_of, duration_days (end or ``as_of`` minus
        start), event (1 ended by ``as_of``, 0 still going: censored), ended_early (as recorded for ended
        matches, False for matches still going), end_reason, n_shared (interest tags in common),
        shared_interest (Jaccard index |A ∩ B| / |A ∪ B| of the two sets of tags; empty when either side has
        no interests recorded), shared_interests (the tags), interest_group (no shared interests / 1 shared
        interest / 2 or more shared interests / interests not recorded, an ordered category).

    Raises
    ------
    MentorDataError
        A missing column; a repeated match_id; a participant or mentor id not in its table; a match with no
        start, starting after ``as_of``, ending before it started, or recorded as ended early without an end.
    """
    require_columns(matches, ["match_id", "participant_id", "mentor_id", "match_start", "match_end"], "matches")
    require_columns(participants, ["participant_id", "interests"], "participants")
    require_columns(mentors, ["mentor_id", "interests"], "mentors")
    require_unique(matches["match_id"], "match_id", "matches")
    day = pd.Timestamp(as_of).normalize()
    m = matches.reset_index(drop=True).copy()
    for column in ("match_id", "participant_id", "mentor_id"):
        m[column] = m[column].astype(str)
    require_unique(participants["participant_id"], "participant_id", "participants")
    require_unique(mentors["mentor_id"], "mentor_id", "mentors")
    people = participants.set_index(participants["participant_id"].astype(str).to_numpy())
    mentor_rows = mentors.set_index(mentors["mentor_id"].astype(str).to_numpy())
    for column, known, table in (("participant_id", people.index, "participants"),
                                 ("mentor_id", mentor_rows.index, "mentors")):
        unknown = m.loc[~m[column].isin(known)]
        if len(unknown):
            raise MentorDataError(
                f"matches {_ids(unknown['match_id'])}: `{column}` {_ids(unknown[column].drop_duplicates())} "
                f"not in the {table} table; check the id or add the missing row to {table}")
    start, end = _dates(m["match_start"]), _dates(m["match_end"])
    problems = [
        (start.isna(), "have no `match_start`"),
        (start > day, f"start after the as_of date {day:%d/%m/%Y}; choose a later as_of or check the dates"),
        (end < start, "end before they start (`match_end` before `match_start`)"),
    ]
    ended_early = (as_bool(m["ended_early"], "ended_early", "matches") if "ended_early" in m
                   else pd.Series(pd.NA, index=m.index, dtype="boolean"))
    problems.append((ended_early.fillna(False).astype(bool) & end.isna(),
                     "are recorded as ended early but have no `match_end`; add the end date"))
    for mask, text in problems:
        if mask.any():
            raise MentorDataError(f"matches {_ids(m.loc[mask, 'match_id'])} {text}")

    event = (end.notna() & (end <= day)).astype(int)
    stop = end.where(event == 1, day)
    mentee_raw = people.loc[m["participant_id"], "interests"].to_numpy()
    mentor_raw = mentor_rows.loc[m["mentor_id"], "interests"].to_numpy()
    recorded = [is_recorded(a) and is_recorded(b) for a, b in zip(mentee_raw, mentor_raw)]
    common = [sorted(parse_tags(a, synonyms) & parse_tags(b, synonyms)) for a, b in zip(mentee_raw, mentor_raw)]
    out = pd.DataFrame({
        "match_id": m["match_id"],
        "participant_id": m["participant_id"],
        "mentor_id": m["mentor_id"],
        "site": people.loc[m["participant_id"], "site"].to_numpy() if "site" in people else pd.NA,
        "match_start": start,
        "match_end": end,
        "as_of": day,
        "duration_days": (stop - start).dt.days.astype(int),
        "event": event,
        "ended_early": ended_early.where(event == 1, False).astype("boolean"),
        "end_reason": m["end_reason"].where(event == 1) if "end_reason" in m else pd.NA,
        "n_shared": pd.array([len(c) if r else pd.NA for c, r in zip(common, recorded)], dtype="Int64"),
        "shared_interest": [jaccard(a, b, synonyms) if r else np.nan
                            for a, b, r in zip(mentee_raw, mentor_raw, recorded)],
        "shared_interests": [format_tags(c) for c in common],
    })
    out["interest_group"] = pd.Categorical(
        [_interest_group(len(c), r) for c, r in zip(common, recorded)], categories=INTEREST_GROUPS, ordered=True)
    order = out.sort_values(["participant_id", "match_start", "match_id"], kind="stable")
    out.insert(3, "match_number", order.groupby("participant_id").cumcount().add(1).reindex(out.index).astype(int))
    return out


@renamed_arguments(conf_level="confidence")
def spearman(data: pd.DataFrame, x: str, y: str, *, confidence: float = 0.95) -> pd.DataFrame:
    """Spearman's rank correlation between columns ``x`` and ``y``, with a confidence interval.

    Notes
    -----
    rho is Pearson's correlation of the ranks (average ranks for ties). Test of rho = 0: S = (n³ − n)(1 − rho)/6,
    two-sided p from t = rho·sqrt((n − 2)/(1 − rho²)) on n − 2 degrees of freedom (R's
    ``cor.test(method = "spearman", exact = FALSE)``). Confidence interval by Fisher's z = atanh(rho) with
    Bonett & Wright's (2000) variance (1 + rho²/2)/(n − 3): tanh(z ± z_{1−α/2}·sqrt((1 + rho²/2)/(n − 3))).
    Needs n ≥ 4 for an interval; with n < 10 the estimate is flagged as too imprecise to interpret.

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things. American Journal of
    Psychology, 15, 72-101.
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for estimating Pearson, Kendall and Spearman
    correlations. Psychometrika, 65(1), 23-28.

    Returns
    -------
    DataFrame
        One row: x, y, method, n, estimate (rho), ci_low, ci_high, statistic (S), dof, p_val, ci_method, note.
    """
    ci_quantile(confidence)  # checks the level
    require_columns(data, [x, y], "data")
    pairs = data[[x, y]].apply(pd.to_numeric, errors="coerce").dropna()
    n = len(pairs)
    notes = []
    if len(data) > n:
        notes.append(f"{len(data) - n} row(s) without both `{x}` and `{y}` not used")
    if n < 3:
        raise InsufficientDataError(f"a Spearman correlation of `{x}` and `{y}` needs at least 3 complete rows; "
                                    f"there are {n}")
    if pairs[x].nunique() < 2 or pairs[y].nunique() < 2:
        rho = p = stat = math.nan
        notes.append(f"`{x if pairs[x].nunique() < 2 else y}` takes a single value, so no correlation can be computed")
    else:
        rho = float(np.corrcoef(stats.rankdata(pairs[x]), stats.rankdata(pairs[y]))[0, 1])
        stat = (n**3 - n) * (1 - rho) / 6
        if abs(rho) >= 1:
            p = 0.0
        else:
            t = rho * math.sqrt((n - 2) / (1 - rho**2))
            p = float(2 * stats.t.sf(abs(t), n - 2))
    low = high = math.nan
    if n >= 4 and not math.isnan(rho):
        z, se = math.atanh(max(min(rho, 1 - 1e-15), -1 + 1e-15)), math.sqrt((1 + rho**2 / 2) / (n - 3))
        q = critical_value(confidence)
        low, high = math.tanh(z - q * se), math.tanh(z + q * se)
    if n < SMALL_N:
        notes.append(f"only {n} pairs: the estimate is too imprecise to interpret (see the width of the interval)")
    return tidy([{
        "x": x, "y": y, "method": "Spearman rank correlation", "n": n, "estimate": rho,
        "ci_low": low, "ci_high": high, "statistic": stat, "dof": n - 2, "p_val": p,
        "ci_method": f"Fisher z, Bonett-Wright variance, {confidence:.0%}",
        "note": join_notes(notes),
    }], ids=["x", "y"])


@renamed_arguments(conf_level="confidence")
def interests_and_length(table: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Spearman correlation of the shared-interest score with match length, among matches that have ended.

    ``table`` is :func:`match_table`'s output. Matches still going are left out because their length is not
    known yet (the note says how many; the Kaplan-Meier analysis of ``duration_days``/``event`` by
    ``interest_group`` uses them, censored); so are matches without interests recorded. See :func:`spearman`
    for the statistic and its interval.
    """
    require_columns(table, ["event", "shared_interest", "duration_days"], "match")
    ended = table[table["event"] == 1]
    result = spearman(ended, "shared_interest", "duration_days", confidence=confidence)
    running = int((table["event"] == 0).sum())
    if running:
        result["note"] = join_notes(f"{running} match(es) still going at the as_of date not used "
                                    "(length not known yet; see the Kaplan-Meier analysis)", result.at[0, "note"])
    return result


@renamed_arguments(conf_level="confidence")
def interests_and_outcome(table: pd.DataFrame, outcomes: pd.DataFrame, measure: str, *,
                          baseline: str = "baseline", post: str = "post", confidence: float = 0.95) -> pd.DataFrame:
    """Spearman correlation of the shared-interest score of a young person's first match with the change
    (``post`` minus ``baseline``) in an outcome ``measure`` of the long outcomes table.

    Only each young person's first match is used, so nobody counts twice; the note says how many later
    matches were left out. See :func:`spearman` for the statistic and its interval.
    """
    require_columns(table, ["participant_id", "match_number", "shared_interest"], "match")
    require_columns(outcomes, ["participant_id", "measure", "timepoint", "value"], "outcomes")
    rows = outcomes[outcomes["measure"] == measure]
    if rows.empty:
        raise InsufficientDataError(f"no outcome rows for measure {measure!r}; measures present: "
                                    f"{', '.join(sorted(map(str, outcomes['measure'].unique())))}")
    wide = rows.pivot_table(index="participant_id", columns="timepoint", values="value", aggfunc="first")
    change = (pd.to_numeric(wide.get(post), errors="coerce") - pd.to_numeric(wide.get(baseline), errors="coerce"))
    first = table[table["match_number"] == 1].copy()
    column = f"{measure}_change"
    first[column] = first["participant_id"].map(change.rename(column))
    result = spearman(first, "shared_interest", column, confidence=confidence)
    later = int((table["match_number"] > 1).sum())
    if later:
        result["note"] = join_notes(f"{later} later match(es) of young people with several mentors not used "
                                    "(first match only)", result.at[0, "note"])
    return result


def interest_group_summary(table: pd.DataFrame, *, suppress: bool = True,
                           threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Matches by interest group: n_matches, n_running, n_ended, n_ended_early, pct_ended_early (of ended
    matches) and median_days_ended (median length of ended matches), one row per interest group with matches.

    These are counts of children's matches: by default counts from 1 to ``threshold`` are shown as ``c``
    (:func:`cm_research.privacy.suppression.suppress_counts`, with the n_matches = n_running + n_ended relation
    protected; percentages and medians of suppressed counts are suppressed too). ``suppress=False`` is for
    analysis only, never for publication.
    """
    require_columns(table, ["interest_group", "event", "ended_early", "duration_days"], "match")
    rows = []
    for group in INTEREST_GROUPS:
        g = table[table["interest_group"] == group]
        ended = g[g["event"] == 1]
        early = int(ended["ended_early"].fillna(False).astype(bool).sum())
        rows.append({"interest_group": group, "n_matches": len(g), "n_running": int((g["event"] == 0).sum()),
                     "n_ended": len(ended), "n_ended_early": early,
                     "pct_ended_early": 100 * early / len(ended) if len(ended) else math.nan,
                     "median_days_ended": float(ended["duration_days"].median()) if len(ended) else math.nan})
    summary = pd.DataFrame(rows)
    summary = summary[summary["n_matches"] > 0].reset_index(drop=True)
    return suppress_counts(summary, ["n_matches", "n_running", "n_ended", "n_ended_early"], threshold=threshold,
                           totals={"n_matches": ["n_running", "n_ended"]},
                           percentages={"pct_ended_early": ("n_ended_early", "n_ended"),
                                        # a median of a few matches nearly gives their lengths away
                                        "median_days_ended": ("n_ended", "n_ended")},
                           suppress=suppress, name="interest group summary")
