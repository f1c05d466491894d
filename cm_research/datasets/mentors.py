"""Seeded synthetic mentors and matches for the demo sites: invented volunteer profiles and one match per
mentored young person (a few with a second mentor).

Derived from the synthetic participants of :func:`cm_research.datasets.synthetic.generate_site`: every mentored
young person whose participants row the data dictionary accepts gets a match over their mentoring dates; about
one in ten first had a mentor who left or moved on, then a second mentor until their end date. Mentors have
invented council occupations, two to five interest tags from the same list as the young people, and a
capacity of one or two at a time (never exceeded). A modest relation is built in: matches that ran their
planned course were more often made with mentors sharing interests, so more shared interests go with fewer
early endings. Everything is invented (ids ``SYN-``); no real person is described.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cm_research.datasets.sessions import valid_mentees
from cm_research.datasets.synthetic import DEMO_SEED, DEMO_SITES, INTEREST_TAGS, SiteSpec, generate_site
from cm_research.contract import write_records

OCCUPATIONS = (
    "council planning officer", "library assistant", "highways engineer", "finance officer",
    "housing officer", "parks ranger", "IT support analyst", "environmental health officer",
    "museum learning officer", "leisure centre coordinator", "communications officer", "HR adviser",
    "trading standards officer", "archivist", "school transport coordinator", "building control surveyor",
    "customer services adviser", "road safety officer", "events officer", "data analyst",
)
SKILLS = ("cv writing", "interview practice", "first aid", "guitar", "cooking on a budget", "coding",
          "photo editing", "public speaking", "budgeting", "british sign language", "driving theory",
          "gardening", "bike repair", "maths help", "reading help")
SETTINGS = {"community": 6, "school": 3, "home": 1, "online": 1}
#: how strongly the choice of mentor leans towards shared interests: planned endings vs early endings
LEAN_PLANNED, LEAN_EARLY = 1.0, -0.5
EARLY_REASONS = {"young_person_chose": 0.6, "placement_move": 0.25, "other": 0.15}
MENTOR_COLUMNS = ["mentor_id", "site", "occupation", "interests", "skills", "about", "settings", "capacity",
                  "available", "dbs_checked"]
MATCH_COLUMNS = ["match_id", "participant_id", "mentor_id", "match_start", "match_end", "ended_early", "end_reason"]


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    p = np.array(list(weights.values()), dtype=float)
    return str(rng.choice(list(weights), p=p / p.sum()))


def _uk(date: pd.Timestamp | None) -> str:
    return "" if date is None or pd.isna(date) else date.strftime("%d/%m/%Y")


def _new_mentor(rng: np.random.Generator, spec: SiteSpec, number: int) -> dict:
    interests = sorted(rng.choice(INTEREST_TAGS, size=int(rng.integers(2, 6)), replace=False))
    skills = sorted(rng.choice(SKILLS, size=int(rng.integers(1, 4)), replace=False))
    settings = sorted({_pick(rng, SETTINGS) for _ in range(int(rng.integers(1, 4)))})
    occupation = str(rng.choice(OCCUPATIONS))
    checked = bool(rng.random() < 0.95)
    return {
        "mentor_id": f"SYN-M-{spec.code}-{number:02d}",
        "site": spec.site,
        "occupation": occupation,
        "interests": "; ".join(interests),
        "skills": "; ".join(skills),
        "about": (f"I work as {'an' if occupation[0] in 'aeiou' else 'a'} {occupation}. "
                  f"Outside work I like {interests[0]} and {interests[-1]}. "
                  f"I can help with {skills[0]}. (Synthetic profile.)"),
        "settings": "; ".join(settings),
        "capacity": str(1 + int(rng.random() < 0.25)),
        "available": "yes" if checked and rng.random() < 0.8 else "no",
        "dbs_checked": "yes" if checked else "no",
    }


def _busy(intervals: list[tuple[pd.Timestamp, pd.Timestamp]], start: pd.Timestamp, stop: pd.Timestamp) -> int:
    return sum(1 for a, b in intervals if a <= stop and start <= b)


def demo_mentor_tables(participants: pd.DataFrame, spec: SiteSpec, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """``{"mentors": ..., "matches": ...}`` (text cells, as typed) for the mentored young people of ``participants``."""
    mentees = valid_mentees(participants).sort_values(["start_date", "participant_id"], kind="stable")
    mentors = [_new_mentor(rng, spec, k) for k in range(1, max(6, round(0.5 * len(mentees))) + 1)]
    booked: dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]] = {m["mentor_id"]: [] for m in mentors}
    far = pd.Timestamp(2100, 1, 1)

    def choose(tags: set[str], start: pd.Timestamp, end: pd.Timestamp | None, lean: float) -> str:
        stop = end if end is not None and pd.notna(end) else far
        free = [m for m in mentors if _busy(booked[m["mentor_id"]], start, stop) < int(m["capacity"])]
        if not free:  # every mentor is full then: recruit one more
            mentors.append(_new_mentor(rng, spec, len(mentors) + 1))
            booked[mentors[-1]["mentor_id"]] = []
            free = [mentors[-1]]
        shared = np.array([len(tags & set(m["interests"].split("; "))) for m in free], dtype=float)
        weights = np.exp(lean * shared)
        chosen = free[int(rng.choice(len(free), p=weights / weights.sum()))]["mentor_id"]
        booked[chosen].append((start, stop))
        return chosen

    rows = []
    for p in mentees.itertuples(index=False):
        tags = set(p.interests) if isinstance(p.interests, (tuple, list)) else set()
        early = bool(p.match_ended_early) if pd.notna(p.match_ended_early) else False
        end = p.end_date if pd.notna(p.end_date) else None
        start, k = p.start_date, 1
        span = ((end if end is not None else start + pd.Timedelta(weeks=30)) - start).days
        if span >= 70 and rng.random() < 0.1:  # a first mentor who left or moved on, then a second mentor
            first_end = start + pd.Timedelta(days=int(rng.integers(21, span // 2)))
            reason = "mentor_left" if rng.random() < 0.7 else "other"
            mentor = choose(tags, start, first_end, 0.0)
            rows.append((f"{p.participant_id}-1", p.participant_id, mentor, _uk(start), _uk(first_end), "yes", reason))
            start, k = first_end + pd.Timedelta(days=int(rng.integers(7, 22))), 2
        mentor = choose(tags, start, end, LEAN_EARLY if early else LEAN_PLANNED)
        if end is None:
            ended, reason = "", ""
        else:
            ended, reason = ("yes", _pick(rng, EARLY_REASONS)) if early else ("no", "planned_ending")
        rows.append((f"{p.participant_id}-{k}", p.participant_id, mentor, _uk(start), _uk(end), ended, reason))
    return {"mentors": pd.DataFrame(mentors, columns=MENTOR_COLUMNS),
            "matches": pd.DataFrame(rows, columns=MATCH_COLUMNS)}


#: the demo's waiting list describes young people referred over the summer, waiting on this date
WAITING_AS_OF = pd.Timestamp(2024, 9, 1)


def demo_waiting_list(spec: SiteSpec, seed: int = DEMO_SEED, n: int = 6) -> pd.DataFrame:
    """Young people referred over the summer of 2024 and waiting for a mentor on :data:`WAITING_AS_OF`, as a
    participants table (no start date yet), ids ``SYN-<site code>-W001``...; invented, seeded."""
    from cm_research.datasets.synthetic import REASON_WEIGHTS, REASONS, _stage

    rng = np.random.default_rng([seed, sum(map(ord, spec.code)), 17])
    rows = []
    for i in range(1, n + 1):
        year_group = int(rng.integers(5, 12))
        reasons = rng.choice(REASONS, size=1 + int(rng.random() < 0.4), replace=False,
                             p=REASON_WEIGHTS / REASON_WEIGHTS.sum())
        referred = WAITING_AS_OF - pd.Timedelta(days=int(rng.integers(7, 70)))
        rows.append({"participant_id": f"SYN-{spec.code}-W{i:03d}", "site": spec.site, "cohort": "2024/25",
                     "year_group": year_group, "education_stage": _stage(year_group), "care_status": "looked_after",
                     "referral_reasons": "; ".join(sorted(reasons)), "referral_date": _uk(referred),
                     "programme": spec.programme, "group": "mentored", "start_date": "", "end_date": "",
                     "match_ended_early": "",
                     "interests": "; ".join(sorted(rng.choice(INTEREST_TAGS, size=int(rng.integers(2, 5)),
                                                              replace=False)))})
    return pd.DataFrame(rows)


def write_mentor_tables(site_dir: str | Path, spec: SiteSpec, seed: int = DEMO_SEED,
                        participants: pd.DataFrame | None = None) -> tuple[Path, Path]:
    """Write ``mentors.csv`` and ``matches.csv`` of one site into ``site_dir``; returns their paths.

    ``participants`` defaults to the site's synthetic participants (:func:`generate_site`). The random stream
    is the site's own, so the other demo tables are unchanged.
    """
    site_dir = Path(site_dir)
    site_dir.mkdir(parents=True, exist_ok=True)
    if participants is None:
        participants = generate_site(spec, seed)["participants"]
    rng = np.random.default_rng([seed, sum(map(ord, spec.code)), 13])
    tables = demo_mentor_tables(participants, spec, rng)
    paths = []
    for name in ("mentors", "matches"):
        path = site_dir / f"{name}.csv"
        write_records(tables[name], path)
        paths.append(path)
    return paths[0], paths[1]


def write_demo_mentors(folder: str | Path, seed: int = DEMO_SEED, sites: tuple[SiteSpec, ...] = DEMO_SITES) -> Path:
    """Write ``<folder>/<site>/mentors.csv``, ``matches.csv`` and ``waiting_list.csv`` for each demo site."""
    folder = Path(folder)
    for spec in sites:
        write_mentor_tables(folder / spec.slug, spec, seed)
        write_records(demo_waiting_list(spec, seed), folder / spec.slug / "waiting_list.csv")
    return folder
