"""Seeded synthetic attendance by half-term for the demo sites: one row per young person per half-term.

Derived from the synthetic participants and outcomes of :func:`cm_research.datasets.synthetic.generate_site`.
Every young person whose participants row the data dictionary accepts gets the six half-terms of their cohort's
school year. Attendance moves from their baseline ``attendance_pct`` (first half-term) towards their post value
(last half-term): for a mentored young person the change happens while they are mentored, for the comparison
group steadily over the year; without a post value (or with an unusable one) it stays near the baseline.
Sessions attended are that percentage of the sessions possible (two a school day), give or take a session.
Suspension days are spread over the year from the ``suspensions`` counts (baseline in the autumn, post in the
spring and summer), one to three days each; a suspended day counts as two sessions not attended.
Everything is invented (ids ``SYN-``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cm_research.data.loading import validate_raw
from cm_research.data.reading import RawTable
from cm_research.datasets.synthetic import DEMO_SEED, DEMO_SITES, SiteSpec, generate_site
from cm_research.dictionary import load_schema
from cm_research.contract import write_records

#: (month, day) of the first and last day of each half-term; year offset 0 = autumn of the cohort's start year.
HALF_TERMS: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((0, 9, 4), (0, 10, 20)),    # autumn 1
    ((0, 10, 30), (0, 12, 20)),  # autumn 2
    ((1, 1, 3), (1, 2, 9)),      # spring 1
    ((1, 2, 19), (1, 3, 28)),    # spring 2
    ((1, 4, 15), (1, 5, 24)),    # summer 1
    ((1, 6, 3), (1, 7, 19)),     # summer 2
)
COLUMNS = ["participant_id", "period_start", "period_end", "sessions_possible", "sessions_attended",
           "suspension_days", "authorised_absence", "unauthorised_absence"]


def half_terms(start_year: int) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The six half-terms (first day, last day) of the school year that starts in September ``start_year``."""
    return [(pd.Timestamp(start_year + a, m, d), pd.Timestamp(start_year + b, n, e))
            for (a, m, d), (b, n, e) in HALF_TERMS]


def school_sessions(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Two sessions for every weekday from ``start`` to ``end`` inclusive (bank holidays are not modelled)."""
    days = np.busday_count(start.date(), (end + pd.Timedelta(days=1)).date())
    return int(2 * days)


def _valid_participants(participants: pd.DataFrame) -> pd.DataFrame:
    """Participants rows that pass the schema (typed), so every attendance row refers to a valid young person."""
    cells = participants.astype(str).replace("", None)
    cells.index = range(2, len(cells) + 2)
    raw = RawTable(path=Path("participants.csv"), cells=cells, encoding="utf-8", blank_rows=[], ragged_rows={})
    return validate_raw(raw, load_schema("participants")).data


def _value(outcomes: pd.DataFrame, pid: str, measure: str, timepoint: str, low: float, high: float) -> float | None:
    """One outcome value as a number, or None when absent or outside ``low``-``high`` (a planted typo)."""
    rows = outcomes[(outcomes["participant_id"] == pid) & (outcomes["measure"] == measure)
                    & (outcomes["timepoint"] == timepoint)]
    values = pd.to_numeric(rows["value"], errors="coerce").dropna()
    values = values[(values >= low) & (values <= high)]
    return float(values.iloc[0]) if len(values) else None


def _progress(periods, start: pd.Timestamp | None, end: pd.Timestamp | None) -> np.ndarray:
    """How far (0 to 1) each period's midpoint is along the change from baseline to post."""
    mids = np.array([(a + (b - a) / 2).value for a, b in periods], dtype=float)
    first, last = mids[0], mids[-1]
    if start is not None and pd.notna(start):
        first = max(first, float(start.value))
        last = min(last, float(end.value)) if end is not None and pd.notna(end) else last
        if last <= first:
            last = first + 1.0
    return np.clip((mids - first) / (last - first), 0, 1)


def demo_attendance(participants: pd.DataFrame, outcomes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Attendance rows (text cells, as typed) for the valid young people of ``participants``."""
    rows = []
    for p in _valid_participants(participants).itertuples(index=False):
        periods = half_terms(int(p.cohort[:4]))
        base = _value(outcomes, p.participant_id, "attendance_pct", "baseline", 0, 100)
        post = _value(outcomes, p.participant_id, "attendance_pct", "post", 0, 100)
        base = base if base is not None else float(np.clip(rng.normal(88, 6), 40, 100))
        target = post if post is not None else base
        mentored = p.group == "mentored"
        share = _progress(periods, p.start_date if mentored else None, p.end_date if mentored else None)
        wobble = rng.normal(0, 2.0, size=len(periods))
        wobble[0] = wobble[-1] = 0.0  # the first and last half-terms sit on the measured baseline and post
        sus = [_value(outcomes, p.participant_id, "suspensions", t, 0, 200) for t in ("baseline", "post")]
        suspension_days = np.zeros(len(periods))
        for count, choices in ((sus[0], [0, 1, 2]), (sus[1] if sus[1] is not None else 0, [2, 3, 4, 5])):
            for _ in range(int(count or 0)):
                suspension_days[int(rng.choice(choices))] += float(rng.choice([1, 1, 1.5, 2, 3]))
        for k, (start, end) in enumerate(periods):
            possible = school_sessions(start, end)
            pct = float(np.clip(base + (target - base) * share[k] + wobble[k], 0, 100))
            away = min(int(round(2 * suspension_days[k])), possible)  # a suspended pupil misses both sessions
            # rounding plus a small noise keeps the first and last half-terms within a point or two of the measures
            attended = int(np.clip(round((possible - away) * pct / 100 + rng.normal(0, 0.7)), 0, possible - away))
            absent = possible - attended
            unauthorised = int(rng.binomial(absent, 0.3)) if absent else 0
            rows.append((p.participant_id, start.strftime("%d/%m/%Y"), end.strftime("%d/%m/%Y"), str(possible),
                         str(attended), f"{suspension_days[k]:g}", str(absent - unauthorised), str(unauthorised)))
    return pd.DataFrame(rows, columns=COLUMNS)


def write_site_attendance(site_dir: str | Path, spec: SiteSpec, seed: int = DEMO_SEED) -> Path:
    """Write ``<site_dir>/attendance.csv`` for one demo site (participants and outcomes from :func:`generate_site`)."""
    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, sum(map(ord, spec.code)), 13])  # its own stream: synthetic.py unchanged
    tables = generate_site(spec, seed)
    path = site_dir / "attendance.csv"
    write_records(demo_attendance(tables["participants"], tables["outcomes"], rng), path)
    return path


def write_demo_attendance(folder: str | Path, seed: int = DEMO_SEED,
                          sites: tuple[SiteSpec, ...] = DEMO_SITES) -> Path:
    """Write ``<folder>/<site>/attendance.csv`` for each demo site."""
    folder = Path(folder)
    for spec in sites:
        write_site_attendance(folder / spec.slug, spec, seed)
    return folder
