"""The referral and activity profile of a site's mentored young people: why they were referred, their age and
stage, how long they waited for a first session, how much mentoring they had, and for how long.

It adds to :func:`cm_research.report.site_report.who_took_part` and
:func:`~cm_research.report.site_report.sessions_summary` (which give referrals by cohort, education stage as
recorded, programme, and sessions and hours by activity and setting) what they lack: percentages and the
number of reasons per young person, year-group bands with typical ages, the wait from referral to first
session, minutes per young person, and programme length with those still being mentored counted apart.

Published counts go through :func:`cm_research.privacy.suppression.suppress_counts` (1 to ``threshold`` shown
as ``c``, with secondary suppression where a table has a total). A median and quartiles are withheld when
they describe ``threshold`` or fewer young people. Medians and quartiles are pandas' default (linear
interpolation, Hyndman & Fan 1996 type 7, as R's ``quantile`` default), except beside a hidden n: then type 1,
whose values do not reveal n's parity (:func:`cm_research.privacy.derived.published_quartiles`). Data problems
(a first session before the referral, a year group that disagrees with the education stage) are listed in
``problems``, never dropped silently; that table holds participant ids and is for the data owner, not for
publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import pandas as pd

from cm_research.plots.bars import sessions_barplot
from cm_research.privacy.derived import published_quartiles
from cm_research.privacy.joint import JointSuppression
from cm_research.privacy.suppression import DEFAULT_THRESHOLD, SUPPRESSED, suppress_counts
from cm_research.report.wording import format_number, whole

#: Year-group bands: (first year group, last, label, education stage, typical ages during those years).
#: Reception is year group 0; a child is 4 on 1 September of Reception, so year group y spans ages y+4 to y+5.
YEAR_BANDS: tuple[tuple[int, int, str, str, str], ...] = (
    (0, 0, "Reception", "EYFS", "4 to 5"),
    (1, 2, "Years 1 to 2", "KS1", "5 to 7"),
    (3, 6, "Years 3 to 6", "KS2", "7 to 11"),
    (7, 9, "Years 7 to 9", "KS3", "11 to 14"),
    (10, 11, "Years 10 to 11", "KS4", "14 to 16"),
    (12, 13, "Years 12 to 13", "Post-16", "16 to 18"),
    (14, 14, "Beyond Year 13", "Post-16", "18 and over"),
)
#: Waits from referral to first session, in days: (label, first day, last day).
WAIT_BANDS: tuple[tuple[str, int, float], ...] = (
    ("up to 2 weeks", 0, 14), ("2 to 4 weeks", 15, 28), ("4 to 8 weeks", 29, 56),
    ("more than 8 weeks", 57, float("inf")))
REASON_BANDS = ("1 reason", "2 reasons", "3 or more reasons", "none recorded")
#: the referral checks list problems by young person (not by file and row: the tables were validated already)
REFERRAL_PROBLEM_COLUMNS = ["participant_id", "column", "value", "problem"]


@dataclass
class ReferralProfile:
    """The published tables (suppressed), the data problems found (not for publication) and notes."""

    tables: dict[str, pd.DataFrame]
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REFERRAL_PROBLEM_COLUMNS))
    threshold: int = DEFAULT_THRESHOLD


def _mentored(participants: pd.DataFrame) -> pd.DataFrame:
    return participants[participants["group"] == "mentored"].drop_duplicates("participant_id")


def _reasons_of(value: object) -> list[str]:
    """A young person's referral reasons: the loader gives a list; a raw ``a; b`` string is split too."""
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, str):
        items = value.split(";")
    else:
        return []
    return list(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))


def _pct(count: object, denominator: int) -> object:
    return SUPPRESSED if count == SUPPRESSED else round(100 * count / denominator, 1) if denominator else float("nan")


def _counts_with_total(labels: Sequence[str], counts: Sequence[int], label: str, denominator: int,
                       threshold: int, suppress: bool, name: str) -> pd.DataFrame:
    """label, young_people, pct_of_mentored with a total row; secondary suppression protects the total."""
    table = pd.DataFrame({label: [*labels, "total"], "young_people": [*counts, sum(counts)]})
    out = suppress_counts(table, ["young_people"], total_rows={label: "total"}, threshold=threshold,
                          suppress=suppress, name=name)
    out["pct_of_mentored"] = [_pct(v, denominator) for v in out["young_people"]]
    return out


def referral_reasons(participants: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                     suppress: bool = True) -> pd.DataFrame:
    """Mentored young people referred for each reason, and as a percentage of all mentored young people.

    A young person may have several reasons, so the rows add up to more than the number of young people
    and there is no total row; each count is a count of people, 1 to ``threshold`` shown as ``c``.
    Columns: reason, young_people, pct_of_mentored (of every mentored young person, reasons recorded or not).
    """
    mentees = _mentored(participants)
    reasons = pd.DataFrame([(pid, r) for pid, value in zip(mentees["participant_id"], mentees["referral_reasons"])
                            for r in _reasons_of(value)], columns=["participant_id", "reason"])
    counts = (reasons.groupby("reason")["participant_id"].nunique().rename("young_people").reset_index()
              .sort_values(["young_people", "reason"], ascending=[False, True]).reset_index(drop=True))
    counts["reason"] = counts["reason"].str.replace("_", " ")
    out = suppress_counts(counts.astype({"young_people": "int64"}), ["young_people"], threshold=threshold,
                          suppress=suppress, name="referral reasons")
    out["pct_of_mentored"] = [_pct(v, len(mentees)) for v in out["young_people"]]
    return out


def reasons_per_young_person(participants: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                             suppress: bool = True) -> pd.DataFrame:
    """How many mentored young people had 1, 2, or 3 or more referral reasons, or none recorded, with a total.

    Columns: reasons, young_people, pct_of_mentored.
    """
    mentees = _mentored(participants)
    n = [len(_reasons_of(v)) for v in mentees["referral_reasons"]]
    counts = [sum(k == 1 for k in n), sum(k == 2 for k in n), sum(k >= 3 for k in n), sum(k == 0 for k in n)]
    return _counts_with_total(REASON_BANDS, counts, "reasons", len(mentees), threshold, suppress,
                              "reasons per young person")


def _band_of(year_group: object) -> tuple[str, str, str] | None:
    if year_group is None or pd.isna(year_group):
        return None
    for low, high, label, stage, ages in YEAR_BANDS:
        if low <= int(year_group) <= high:
            return label, stage, ages
    return None


def age_and_stage(participants: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                  suppress: bool = True) -> pd.DataFrame:
    """Mentored young people by year-group band, with the education stage and typical ages of each band.

    Bands (YEAR_BANDS) follow the key stages: Reception (EYFS), Years 1-2 (KS1), 3-6 (KS2), 7-9 (KS3),
    10-11 (KS4), 12-13 and beyond (Post-16); ages are those reached during the years (year group y: y+4 to
    y+5). Young people without a year group are counted as "not recorded". The education stage as recorded
    is tabulated by ``who_took_part``; where the two disagree, :func:`stage_disagreements` lists them.
    Columns: year_groups, education_stage, typical_ages, young_people, pct_of_mentored.
    """
    mentees = _mentored(participants)
    bands = [_band_of(v) for v in mentees.get("year_group", pd.Series([None] * len(mentees)))]
    labels = [b[2] for b in YEAR_BANDS] + ["not recorded"]
    counts = [sum(1 for b in bands if b and b[0] == label) for label in labels[:-1]] + [sum(b is None for b in bands)]
    table = _counts_with_total(labels, counts, "year_groups", len(mentees), threshold, suppress,
                               "age and education stage")
    stages = {b[2]: (b[3], b[4]) for b in YEAR_BANDS}
    table.insert(1, "education_stage", [stages.get(v, ("", ""))[0] for v in table["year_groups"]])
    table.insert(2, "typical_ages", [stages.get(v, ("", ""))[1] for v in table["year_groups"]])
    return table


def stage_disagreements(participants: pd.DataFrame) -> pd.DataFrame:
    """Mentored young people whose recorded education stage is not the stage of their year group (a data
    problem to check): participant_id, column, value, problem."""
    rows = []
    for r in _mentored(participants).to_dict("records"):
        band = _band_of(r.get("year_group"))
        stage = r.get("education_stage")
        if band and isinstance(stage, str) and stage and stage != band[1]:
            rows.append({"participant_id": r["participant_id"], "column": "education_stage", "value": stage,
                         "problem": f"year group {int(r['year_group'])} is {band[1]}, but the education stage "
                                    f"recorded is {stage}"})
    return pd.DataFrame(rows, columns=REFERRAL_PROBLEM_COLUMNS)


def _spread(values: pd.Series, published_n: object, threshold: int, suppress: bool) -> dict:
    """n, median and quartiles, with a ``note``; withheld when there are ``threshold`` or fewer values. When n
    itself is suppressed in another table (secondary suppression) but more than ``threshold`` values lie behind
    it, n shows ``c`` and the median and quartiles are still given: they describe many young people, not a few.
    They are then R's type 1 rather than type 7, whose fractions would narrow the hidden n
    (:func:`cm_research.privacy.derived.published_quartiles` says why)."""
    values = pd.Series(values, dtype=float).dropna()
    if suppress and len(values) <= threshold:
        return {"young_people": SUPPRESSED if len(values) else 0, "median": float("nan"),
                "lower_quartile": float("nan"), "upper_quartile": float("nan"),
                "note": f"withheld: {threshold} or fewer values"}
    hidden = suppress and published_n == SUPPRESSED
    return {"young_people": SUPPRESSED if hidden else len(values), **published_quartiles(values, hidden)}


def _first_sessions(mentees: pd.DataFrame, sessions: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """First attended session date of each mentee (sessions table, else start_date) and where it came from."""
    first = pd.Series(pd.NaT, index=mentees["participant_id"], dtype="datetime64[ns]")
    source = pd.Series("", index=first.index, dtype=object)
    if sessions is not None and not sessions.empty:
        held = sessions[sessions["attended"].fillna(True).astype(bool)] if "attended" in sessions else sessions
        earliest = held.assign(session_date=pd.to_datetime(held["session_date"])).groupby("participant_id")[
            "session_date"].min()
        earliest = earliest[earliest.index.isin(first.index)]
        first.loc[earliest.index] = earliest.to_numpy()
        source.loc[earliest.index] = "sessions"
    start = pd.to_datetime(mentees.set_index("participant_id").get("start_date", pd.Series(dtype=object)))
    fill = first.isna() & start.reindex(first.index).notna()
    first[fill] = start.reindex(first.index)[fill]
    source[fill] = "start_date"
    return first, source


def referral_waits(participants: pd.DataFrame, sessions: pd.DataFrame | None = None,
                   threshold: int = DEFAULT_THRESHOLD, suppress: bool = True) -> dict[str, pd.DataFrame]:
    """Days from referral (``referral_date``) to the first attended session (the sessions table, or
    ``start_date`` where a young person has no attended session recorded).

    Returns
    -------
    dict with
    ``coverage``: mentored young people whose wait is known, with no referral date, with no first session or
    start date, or whose first session is before their referral (a data problem), with a total;
    ``bands``: known waits in WAIT_BANDS (up to 2 weeks = 0-14 days, 2-4 = 15-28, 4-8 = 29-56, more than 8
    weeks = 57 days or more), with a total; ``spread``: n, median and quartiles of the known waits in days;
    ``problems``: the negative waits, listed (participant_id, column, value, problem); ``sources``: how many
    first sessions came from each source (internal, unsuppressed).
    """
    mentees = _mentored(participants)
    first, source = _first_sessions(mentees, sessions)
    referred = pd.to_datetime(mentees.set_index("participant_id").get("referral_date",
                                                                       pd.Series(dtype=object))).reindex(first.index)
    days = (first - referred).dt.days
    negative = days < 0
    known = days[days >= 0]
    counts = [len(known), int(referred.isna().sum()), int((referred.notna() & first.isna()).sum()),
              int(negative.sum())]
    band_counts = [int(known.between(low, high).sum()) for _, low, high in WAIT_BANDS]
    # one joint round: the bands' total is the coverage's "wait known", so a total shown under the bands gave
    # back a "wait known" hidden to protect a few young people without a known wait (mentored - known)
    joint = JointSuppression(threshold=threshold, suppress=suppress)
    for name, labels, values in (("referral waits", ["wait known", "no referral date", "no first session or start date",
                                                     "first session before referral (data problem)"], counts),
                                 ("waits in bands", [b[0] for b in WAIT_BANDS], band_counts)):
        joint.add(name, pd.DataFrame({"wait": [*labels, "total"], "young_people": [*values, sum(values)]}),
                  ["young_people"], total_rows={"wait": "total"})
    joint.link(("referral waits", {"wait": "wait known"}, "young_people"),
               ("waits in bands", {"wait": "total"}, "young_people"))
    jointly = joint.run()
    coverage, bands = jointly["referral waits"], jointly["waits in bands"]
    if suppress and coverage["young_people"].iloc[-1] == SUPPRESSED and len(mentees) > threshold:
        # the joint round hid the number of mentored young people, which every other table shows: keep the
        # coverage as suppressed on its own and show no count of the bands instead (zeros stay 0)
        coverage = suppress_counts(pd.DataFrame({"wait": coverage["wait"], "young_people": [*counts, sum(counts)]}),
                                   ["young_people"], total_rows={"wait": "total"}, threshold=threshold,
                                   name="referral waits")
        bands["young_people"] = [0 if v == 0 else SUPPRESSED for v in bands["young_people"]]
    coverage["pct_of_mentored"] = [_pct(v, len(mentees)) for v in coverage["young_people"]]
    # a share of a hidden total would give the total back (17 = 44.7% of 38)
    hidden_total = bands["young_people"].iloc[-1] == SUPPRESSED
    bands["pct_of_known_waits"] = [SUPPRESSED if hidden_total else _pct(v, len(known)) for v in bands["young_people"]]
    spread = pd.DataFrame([{"quantity": "days from referral to first session",
                            **_spread(known, coverage["young_people"].iloc[0], threshold, suppress)}])
    problems = pd.DataFrame([{"participant_id": pid, "column": "referral_date",
                              "value": referred[pid].date().isoformat(),
                              "problem": f"first session ({first[pid].date().isoformat()}, from {source[pid]}) is "
                                         f"{-int(days[pid])} days before the referral date"}
                             for pid in days[negative].index], columns=REFERRAL_PROBLEM_COLUMNS)
    sources = source[source != ""].value_counts().rename_axis("first_session_from").rename("young_people").reset_index()
    return {"coverage": coverage, "bands": bands, "spread": spread, "problems": problems, "sources": sources}


def sessions_per_young_person(participants: pd.DataFrame, sessions: pd.DataFrame,
                              threshold: int = DEFAULT_THRESHOLD, suppress: bool = True) -> dict[str, pd.DataFrame]:
    """Attended sessions and minutes per mentored young person: median and quartiles, and how many mentored
    young people had no attended session recorded.

    Attended as in ``sessions_summary`` (``attended`` blank counts as attended); a missing ``minutes`` adds
    nothing. Returns ``coverage`` (with / without an attended session, total) and ``spread`` (rows
    ``sessions`` and ``minutes``: young_people, median, lower_quartile, upper_quartile).
    """
    mentees = _mentored(participants)
    held = sessions[sessions["attended"].fillna(True).astype(bool)] if "attended" in sessions else sessions
    held = held[held["participant_id"].isin(mentees["participant_id"])]
    per = held.assign(minutes=pd.to_numeric(held["minutes"], errors="coerce").fillna(0)).groupby(
        "participant_id").agg(sessions=("participant_id", "size"), minutes=("minutes", "sum"))
    coverage = _counts_with_total(["had an attended session", "no attended session recorded"],
                                  [len(per), len(mentees) - len(per)], "sessions", len(mentees), threshold, suppress,
                                  "sessions coverage")
    n = coverage["young_people"].iloc[0]
    spread = pd.DataFrame([{"quantity": f"{q} per young person", **_spread(per[q], n, threshold, suppress)}
                           for q in ("sessions", "minutes")])
    return {"coverage": coverage, "spread": spread}


def programme_length(participants: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD,
                     suppress: bool = True) -> dict[str, pd.DataFrame]:
    """Programme length in weeks, (end_date - start_date) / 7, of mentored young people whose mentoring has
    ended; those still being mentored (a start date, no end date) and those with no start date counted apart.

    Returns ``status`` (ended / still being mentored / no start date, with a total) and ``spread`` (weeks of
    the ended: young_people, median, lower_quartile, upper_quartile).
    """
    mentees = _mentored(participants)
    start = pd.to_datetime(mentees.get("start_date", pd.Series(pd.NaT, index=mentees.index)))
    end = pd.to_datetime(mentees.get("end_date", pd.Series(pd.NaT, index=mentees.index)))
    weeks = ((end - start).dt.days / 7)[start.notna() & end.notna()]
    counts = [len(weeks), int((start.notna() & end.isna()).sum()), int(start.isna().sum())]
    status = _counts_with_total(["ended", "still being mentored", "no start date"], counts, "status", len(mentees),
                                threshold, suppress, "programme status")
    spread = pd.DataFrame([{"quantity": "programme length in weeks (ended)",
                            **_spread(weeks, status["young_people"].iloc[0], threshold, suppress)}])
    return {"status": status, "spread": spread}


def referral_profile(participants: pd.DataFrame, sessions: pd.DataFrame | None = None,
                     threshold: int = DEFAULT_THRESHOLD, suppress: bool = True) -> ReferralProfile:
    """Every table of the referral and activity profile, and the data problems found.

    Tables: reasons, reasons_per_young_person, age_and_stage, wait_coverage, wait_bands, programme_status,
    spread (one row per quantity: waits, sessions and minutes per young person, programme length), and with
    ``sessions`` also session_coverage.
    """
    waits = referral_waits(participants, sessions, threshold, suppress)
    length = programme_length(participants, threshold, suppress)
    tables = {"reasons": referral_reasons(participants, threshold, suppress),
              "reasons_per_young_person": reasons_per_young_person(participants, threshold, suppress),
              "age_and_stage": age_and_stage(participants, threshold, suppress),
              "wait_coverage": waits["coverage"], "wait_bands": waits["bands"],
              "programme_status": length["status"]}
    spreads = [waits["spread"]]
    if sessions is not None:
        per = sessions_per_young_person(participants, sessions, threshold, suppress)
        tables["session_coverage"] = per["coverage"]
        spreads.append(per["spread"])
    spreads.append(length["spread"])
    tables["spread"] = pd.concat(spreads, ignore_index=True)
    problems = pd.concat([waits["problems"], stage_disagreements(participants)], ignore_index=True)
    return ReferralProfile(tables=tables, problems=problems, threshold=threshold)


def _n(value: object, threshold: int, what: str) -> str:
    if value == SUPPRESSED:
        return f"{threshold} or fewer {what} (not shown, to protect them)"
    return f"{'none' if value == 0 else value} {what}"


def _people(value: object, threshold: int) -> str:
    if value == SUPPRESSED:
        return f"{threshold} or fewer young people (not shown, to protect them)"
    return f"{value} young {'person' if value == 1 else 'people'}"


def _num(x: float) -> str:
    return format_number(x, thousands=True, trim_zero=True, unicode_minus=False)


def describe_referral_profile(profile: ReferralProfile) -> list[str]:
    """Plain-English sentences for a :class:`ReferralProfile`, written from the published (suppressed) tables."""
    t, k = profile.tables, profile.threshold
    out = []
    total = t["reasons_per_young_person"].iloc[-1]["young_people"]
    reasons = t["reasons"]
    shown = reasons[reasons["young_people"] != SUPPRESSED].head(3)
    if total == SUPPRESSED:
        return ["Too few young people were mentored to publish a profile of their referrals."]
    if not shown.empty:
        out.append(f"The most common reasons for referral among the {total} mentored young people were "
                   + "; ".join(f"{r.reason} ({r.young_people}, {_num(r.pct_of_mentored)}%)" for r in shown.itertuples())
                   + ". A young person may have several reasons, so these add up to more than 100%.")
    several = t["reasons_per_young_person"].set_index("reasons")["young_people"]
    out.append(f"{_n(several['2 reasons'], k, 'had two reasons for referral')} and {_n(several['3 or more reasons'], k, 'had three or more')}.")
    spread = t["spread"].set_index("quantity")
    coverage = t["wait_coverage"].set_index("wait")["young_people"]
    wait = spread.loc["days from referral to first session"]
    if pd.notna(wait["median"]):
        known = wait["young_people"]
        among = ("Among the young people whose wait is known (how many is not shown, to protect them)"
                 if known == SUPPRESSED else f"Among the {whole(known)} young people whose wait is known")
        out.append(f"{among}, the median time from "
                   f"referral to first session was {_num(wait['median'])} days (half waited between "
                   f"{_num(wait['lower_quartile'])} and {_num(wait['upper_quartile'])} days).")
    else:
        out.append("The median wait from referral to first session is not published: too few waits are known, or "
                   f"publishing it would reveal a group of {k} or fewer young people.")
    missing = coverage["no referral date"]
    if missing != 0:
        out.append(f"{_people(missing, k)} had no referral date recorded, so their wait is unknown.")
    wrong = coverage["first session before referral (data problem)"]
    if wrong != 0:
        out.append(f"{_people(wrong, k)} had a first session dated before their referral; these are "
                   "data errors to correct and are left out of the waits.")
    for quantity, what, scale in (("sessions per young person", "attended sessions", 1),
                                  ("minutes per young person", "hours of mentoring", 60)):
        if quantity in spread.index and pd.notna(spread.loc[quantity, "median"]):
            s = spread.loc[quantity]
            out.append(f"Young people had a median of {_num(s['median'] / scale)} {what} (half between "
                       f"{_num(s['lower_quartile'] / scale)} and {_num(s['upper_quartile'] / scale)}).")
    status = t["programme_status"].set_index("status")["young_people"]
    length = spread.loc["programme length in weeks (ended)"]
    if pd.notna(length["median"]):
        whose = ("For the young people whose mentoring had ended (how many is not shown, to protect those still "
                 "being mentored)" if length["young_people"] == SUPPRESSED
                 else f"For the {length['young_people']} whose mentoring had ended")
        out.append(f"{whose}, it lasted a median of "
                   f"{_num(length['median'])} weeks (half between {_num(length['lower_quartile'])} and "
                   f"{_num(length['upper_quartile'])} weeks); {_n(status['still being mentored'], k, 'were still being mentored')}.")
    else:
        out.append(f"The length of mentoring is not published: too few young people had finished, or publishing it "
                   f"would reveal a group of {k} or fewer; "
                   f"{_n(status['still being mentored'], k, 'were still being mentored')}.")
    return out


def profile_barplot(data: pd.DataFrame, label: str, ax: plt.Axes | None = None) -> plt.Axes:
    """Horizontal bars of young people for each ``label`` of a published profile table, rows shown as ``c``
    and the total left out (the bars are of the published numbers only), colour-blind palette."""
    ax = sessions_barplot(data, "young_people", label, ax=ax)
    ax.set_xlabel("Young people")
    return ax


def profile_figure_alt(table: pd.DataFrame, label: str, what: str, threshold: int = DEFAULT_THRESHOLD) -> tuple[str, str]:
    """(alt, caption) for :func:`profile_barplot`, written from the published numbers."""
    rows = table[table[label] != "total"]
    shown = rows[rows["young_people"] != SUPPRESSED]
    items = "; ".join(f"{r[label]} {r['young_people']}" for _, r in shown.iterrows())
    hidden = len(rows) - len(shown)
    note = f" {hidden} more not shown, to protect the few young people in them." if hidden else ""
    return (f"Bar chart of mentored young people by {what}: {items or 'none shown'}.{note}",
            f"Mentored young people by {what} (groups of 1 to {threshold} young people left out).")
