"""Seeded synthetic mentoring sessions for the demo sites: one row per (planned) session of each mentee.

Derived from the synthetic participants of :func:`cm_research.datasets.synthetic.generate_site`: only mentored
young people whose participants row the data dictionary accepts get sessions, roughly weekly (7 days, give or
take one) from their start date to their end date (or, while still mentored, to 20 July of that school year).
Activities and settings follow a mix typical of each programme. Everything is invented (ids ``SYN-``).
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

#: programme -> (activity weights, setting weights, typical minutes)
MIX: dict[str, tuple[dict[str, float], dict[str, float], int]] = {
    "creative_mentoring": ({"film": 3, "drama": 2, "music": 4, "poetry": 2, "photography": 3, "stories": 2,
                            "visual_art": 4, "clay": 1, "conversation": 2, "other": 1},
                           {"home": 3, "community": 5, "school": 1, "online": 1}, 90),
    "action_research": ({"visual_art": 5, "clay": 3, "wood": 2, "photography": 2, "drama": 2, "dance": 1,
                         "film": 1, "conversation": 1},
                        {"community": 6, "school": 3, "home": 1}, 120),
    "volunteer_mentoring": ({"conversation": 6, "sport": 3, "stories": 1, "other": 2},
                            {"community": 5, "home": 2, "school": 2, "online": 1}, 60),
    "learning_mentor": ({"conversation": 6, "stories": 2, "other": 2}, {"school": 8, "online": 1}, 45),
    "other": ({"conversation": 3, "other": 3}, {"community": 1, "home": 1}, 60),
}
COLUMNS = ["participant_id", "session_date", "minutes", "activity", "setting", "attended"]


def valid_mentees(participants: pd.DataFrame) -> pd.DataFrame:
    """Mentored rows that pass the participants schema (typed), so every session refers to a valid row."""
    cells = participants.astype(str).replace("", None)
    cells.index = range(2, len(cells) + 2)
    raw = RawTable(path=Path("participants.csv"), cells=cells, encoding="utf-8", blank_rows=[], ragged_rows={})
    data = validate_raw(raw, load_schema("participants")).data
    return data[(data["group"] == "mentored") & data["start_date"].notna()]


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(list(weights), size=size, p=p / p.sum())


def demo_sessions(participants: pd.DataFrame, programme: str, rng: np.random.Generator) -> pd.DataFrame:
    """Sessions (text cells, as typed) for the mentored young people of ``participants``."""
    activities, settings, typical = MIX.get(programme, MIX["other"])
    rows = []
    for p in valid_mentees(participants).itertuples(index=False):
        start = p.start_date
        end = p.end_date if pd.notna(p.end_date) else pd.Timestamp(int(p.cohort[:4]) + 1, 7, 20)
        weeks = max(int((end - start).days // 7), 0) + 1
        # each young person leans towards two or three favourite activities
        favourites = _choice(rng, activities, 3)
        engagement = rng.beta(8, 2)  # share of planned sessions attended
        length = int(rng.normal(typical, typical / 6))
        for k in range(weeks):
            jitter = 0 if k == 0 else int(rng.integers(-1, 2))
            date = min(start + pd.Timedelta(days=7 * k + jitter), end)
            attended = bool(rng.random() < engagement)
            activity = favourites[int(rng.integers(0, 3))] if rng.random() < 0.75 else _choice(rng, activities, 1)[0]
            minutes = int(np.clip(round(rng.normal(length, typical / 5) / 5) * 5, 15, 240)) if attended else 0
            rows.append((p.participant_id, date.strftime("%d/%m/%Y"), str(minutes), str(activity),
                         str(_choice(rng, settings, 1)[0]), "yes" if attended else "no"))
    return pd.DataFrame(rows, columns=COLUMNS)


def write_demo_sessions(folder: str | Path, seed: int = DEMO_SEED,
                        sites: tuple[SiteSpec, ...] = DEMO_SITES) -> Path:
    """Write ``<folder>/<site>/sessions.csv`` for each demo site (participants from :func:`generate_site`)."""
    folder = Path(folder)
    for spec in sites:
        site_dir = folder / spec.slug
        site_dir.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng([seed, sum(map(ord, spec.code)), 7])  # its own stream: synthetic.py unchanged
        participants = generate_site(spec, seed)["participants"]
        write_records(demo_sessions(participants, spec.programme, rng), site_dir / "sessions.csv")
    return folder
