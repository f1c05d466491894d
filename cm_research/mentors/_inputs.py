"""Checks of the mentors and mentees tables at the public boundary of the matching helpers."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from cm_research import contract
from cm_research.dictionary import DEFAULT_FALSE, DEFAULT_TRUE
from cm_research.mentors.errors import MentorDataError


def require_columns(table: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise naming the table, the missing columns and the columns it has."""
    contract.require_columns(table, columns, f"the {name} table", error=MentorDataError)


def require_unique(ids: pd.Series, column: str, name: str) -> None:
    """Raise when an id is empty or appears more than once."""
    if ids.isna().any():
        rows = ", ".join(str(i) for i in ids.index[ids.isna()][:5])
        raise MentorDataError(f"the {name} table has an empty `{column}` (rows {rows}); every row needs an id")
    dupes = sorted(set(ids[ids.duplicated()].astype(str)))
    if dupes:
        raise MentorDataError(f"the {name} table lists {', '.join(dupes[:10])} more than once in `{column}`; "
                              "keep one row per id")


def as_bool(values: pd.Series, column: str, name: str) -> pd.Series:
    """True/False from booleans or yes/no text (the data dictionary's true and false values)."""
    lookup = {**{v: True for v in DEFAULT_TRUE}, **{v: False for v in DEFAULT_FALSE}}

    def convert(v: object) -> object:
        if isinstance(v, bool):
            return v
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return pd.NA
        return lookup.get(str(v).strip().lower(), "bad")

    out = values.map(convert)
    bad = out.map(lambda v: isinstance(v, str))
    if bad.any():
        shown = ", ".join(repr(v) for v in values[bad].head(3))
        raise MentorDataError(f"the {name} table's `{column}` must be yes or no, but holds {shown}")
    return out.astype("boolean")


def mentor_capacity(mentors: pd.DataFrame) -> pd.Series:
    """Each mentor's capacity: the ``capacity`` column, empty (or absent) meaning 1."""
    if "capacity" not in mentors:
        return pd.Series(1, index=mentors.index, dtype=int)
    capacity = pd.to_numeric(mentors["capacity"], errors="coerce")
    bad = mentors["capacity"].notna() & (capacity.isna() | (capacity < 1) | (capacity != capacity.round()))
    if bad.any():
        shown = ", ".join(f"{m}: {c!r}" for m, c in zip(mentors.loc[bad, "mentor_id"], mentors.loc[bad, "capacity"]))
        raise MentorDataError(f"the mentors table's `capacity` must be a whole number of 1 or more ({shown})")
    return capacity.fillna(1).astype(int)
