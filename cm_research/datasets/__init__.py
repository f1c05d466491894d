"""Bundled datasets, listed in ``datasets.csv`` and loaded with one call (as pingouin does): synthetic demo data, and
published study-level tables for the reproduction notebooks (:func:`load_published`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cm_research.datasets.synthetic import DEMO_SEED, DEMO_SITES, generate_site, write_demo

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def list_datasets() -> pd.DataFrame:
    """The bundled datasets: name, description, seed, and whether they are synthetic (all are)."""
    return pd.read_csv(HERE / "datasets.csv")


#: every file of one demo site folder, written by :func:`write_demo_dataset`
DEMO_FILES = ("participants.csv", "outcomes.csv", "costs.csv", "sessions.csv", "mentors.csv", "matches.csv",
              "waiting_list.csv", "attendance.csv")


def write_demo_dataset(folder: str | Path, seed: int = DEMO_SEED) -> Path:
    """Write every table of the synthetic demo (participants, outcomes, costs, sessions, mentors, matches, a
    waiting list and half-termly attendance) for the three demo sites into ``folder``; the same seed gives the
    same files."""
    from cm_research.datasets.attendance import write_demo_attendance
    from cm_research.datasets.mentors import write_demo_mentors
    from cm_research.datasets.sessions import write_demo_sessions
    from cm_research.datasets.costs import write_demo_costs

    write_demo(folder, seed)
    write_demo_costs(folder, seed)
    write_demo_sessions(folder, seed)
    write_demo_mentors(folder, seed)
    write_demo_attendance(folder, seed)
    return Path(folder)


def dataset_path(name: str) -> Path:
    """Folder of a bundled dataset; the demo is regenerated from its seed if it has been deleted."""
    index = list_datasets()
    if name not in set(index["name"]):
        raise KeyError(f"unknown dataset {name!r}; bundled datasets: {', '.join(index['name'])}")
    folder = DATA / name
    if name == "demo" and not all((folder / s.slug / f).exists() for s in DEMO_SITES for f in DEMO_FILES):
        write_demo_dataset(folder, DEMO_SEED)
    return folder


def load_dataset(name: str) -> dict[str, pd.DataFrame]:
    """Every table of a bundled dataset, all sites stacked, cells as text exactly as in the files."""
    folder = dataset_path(name)
    tables: dict[str, list[pd.DataFrame]] = {}
    for csv in sorted(folder.glob("*/*.csv")):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        tables.setdefault(csv.stem, []).append(frame)
    return {table: pd.concat(frames, ignore_index=True) for table, frames in tables.items()}


__all__ = ["DEMO_SEED", "DEMO_SITES", "dataset_path", "generate_site", "list_datasets", "load_dataset", "write_demo",
           "write_demo_dataset"]


def demo_site_dir(site: str) -> Path:
    """Folder of one demo site by name or slug ("Easton" or "easton")."""
    for spec in DEMO_SITES:
        if site.strip().lower() in (spec.slug, spec.site.lower()):
            return dataset_path("demo") / spec.slug
    raise KeyError(f"unknown demo site {site!r}; demo sites: {', '.join(s.site for s in DEMO_SITES)}")


__all__ += ["demo_site_dir"]

from cm_research.datasets.published import load_published, published_source  # noqa: E402

__all__ += ["load_published", "published_source"]
