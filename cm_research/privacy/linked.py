"""The same count published in two files of a run: hidden in one, shown in the other (finding ``linked_count``).

Suppression works on the tables of one report together (:mod:`cm_research.privacy.joint`), but a run publishes
several reports built from the same records, and some counts are one and the same by definition:

- the young people with a value at both baseline and post of a measure (``attrition.csv``, ``n_both``, from the
  data-quality report) are the pairs of the mentored group's paired change (``change_within_mentored.csv``,
  ``n_pairs``) and the groups of the ANCOVA comparison (``comparisons.csv``, ``n_treated`` / ``n_control`` of
  the row analysed as "post adjusted for baseline", repeated in ``effect_sizes.csv``), from the outcomes report.

Round 4 found the data-quality report hiding ``n_both`` (to protect ``n_lost`` = ``n_baseline - n_both``, from 1
to 5) while the outcomes report showed it as ``n_pairs`` with its degrees of freedom: Northshire's SWEMWBS, 21
measured at baseline, 16 pairs, so 5 lost. :func:`linked_findings` finds every such pair of cells in a run; the
fix is in :func:`cm_research.quality.published_counts` (the analysed n is kept shown and ``n_baseline`` hidden).
ONS, *Disclosure Control Policy for Tables*: tables from the same source are protected together (linked tables).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.privacy.suppression import SUPPRESSED


@dataclass(frozen=True)
class Twin:
    """Cell ``column`` of ``file`` (rows where ``where`` holds, keyed by ``key``) is the same count as cell
    ``twin_column`` of ``twin_file`` (rows where ``twin_where`` holds; ``twin_key`` names the key columns there)."""

    file: str
    where: tuple[tuple[str, str], ...]
    column: str
    twin_file: str
    twin_where: tuple[tuple[str, str], ...]
    twin_column: str
    key: tuple[str, ...] = ("measure",)
    twin_key: tuple[str, ...] = ("measure",)
    twin_prefix: tuple[tuple[str, str], ...] = ()  # (column, text it starts with)


#: counts that are the same by definition in two published files of one site's run
TWINS = (
    Twin("attrition.csv", (("group", "mentored"),), "n_both",
         "change_within_mentored.csv", (("group", "mentored"),), "n_pairs"),
    Twin("attrition.csv", (("group", "mentored"),), "n_both",
         "comparisons.csv", (), "n_treated", twin_prefix=(("analysis", "post adjusted for baseline"),)),
    Twin("attrition.csv", (("group", "comparison"),), "n_both",
         "comparisons.csv", (), "n_control", twin_prefix=(("analysis", "post adjusted for baseline"),)),
    Twin("attrition.csv", (("group", "mentored"),), "n_both",
         "effect_sizes.csv", (), "n_treated", twin_prefix=(("method", "ANCOVA"),)),
    Twin("attrition.csv", (("group", "comparison"),), "n_both",
         "effect_sizes.csv", (), "n_control", twin_prefix=(("method", "ANCOVA"),)),
)


def _read(path: Path) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError):
        return None


def _rows(table: pd.DataFrame, where, prefix=()) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    for column, value in where:
        if column not in table:
            return table.iloc[0:0]
        mask &= table[column].str.strip() == value
    for column, start in prefix:
        if column not in table:
            return table.iloc[0:0]
        mask &= table[column].str.strip().str.startswith(start)
    return table[mask]


def _shown(value: str) -> bool:
    value = value.strip()
    return bool(value) and value != SUPPRESSED


def linked_findings(run_dir: str | Path, skip: Callable[[Path], bool] | None = None
                    ) -> Iterator[tuple[str, str, str, str]]:
    """``linked_count`` findings of a run: a count shown as ``c`` in one file and as a number in its twin
    (:data:`TWINS`) in the same folder. Yields (file, location, kind, text) as
    :func:`cm_research.privacy.audit.audit_run` does. ``skip(path)`` True leaves a file out (restricted ones)."""
    run_dir = Path(run_dir)
    skip = skip or (lambda path: False)
    for twin in TWINS:
        for path in sorted(run_dir.rglob(twin.file)):
            other = path.parent / twin.twin_file
            if skip(path) or not other.is_file() or skip(other):
                continue
            a, b = _read(path), _read(other)
            if a is None or b is None or twin.column not in a or twin.twin_column not in b:
                continue
            if any(k not in a for k in twin.key) or any(k not in b for k in twin.twin_key):
                continue
            rows_b = _rows(b, twin.twin_where, twin.twin_prefix)
            for pos, row in _rows(a, twin.where).iterrows():
                if row[twin.column].strip() != SUPPRESSED:
                    continue
                key = tuple(row[k].strip() for k in twin.key)
                match = rows_b[(rows_b[list(twin.twin_key)].apply(lambda r: tuple(v.strip() for v in r),
                                                                   axis=1) == key)] if len(rows_b) else rows_b
                for _, shown in match.iterrows():
                    if _shown(shown[twin.twin_column]):
                        rel = path.relative_to(run_dir).as_posix()
                        yield (rel, f"line {pos + 2}, column `{twin.column}`", "linked_count",
                               f"{', '.join(key)}: shown as c here but as {shown[twin.twin_column].strip()} in "
                               f"{other.relative_to(run_dir).as_posix()} (`{twin.twin_column}`), the same count")
                        break
