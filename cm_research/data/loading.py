"""Load a table from CSV or Excel, validated against the data dictionary.

``load_table`` never drops a row without a word: every invalid row appears in ``problems`` and in
``quarantine`` (its cells exactly as read, with the reasons), and can be written to a quarantine file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cm_research.data.reading import RawTable, read_raw
from cm_research.data.validation import (
    ProblemLog,
    check_foreign_keys,
    check_measure_ranges,
    validate_cells,
)
from cm_research.dictionary import TableSchema, load_schema, measures_catalogue
from cm_research.errors import DataValidationError

TABLE_FILE_STEMS = ("participants", "outcomes")


@dataclass
class TableLoad:
    """The result of loading one file.

    data : the valid rows, typed, indexed by the row number a person sees in Excel (``row``).
    problems : one row per problem: file, row, column, value, rule, message, severity.
    quarantine : the rows held back, cells as read, with ``row`` and ``problems`` columns.
    """

    table: str
    path: Path
    encoding: str
    data: pd.DataFrame
    problems: pd.DataFrame
    quarantine: pd.DataFrame
    n_read: int
    blank_rows: list[int] = field(default_factory=list)

    def __iter__(self):  # ``data, problems = load_table(...)``
        return iter((self.data, self.problems))

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    def write_quarantine(self, folder: str | Path) -> Path | None:
        """Write the held-back rows to ``folder/quarantine_<table>.csv`` (nothing when none were held back)."""
        if self.quarantine.empty:
            return None
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"quarantine_{self.table}.csv"
        self.quarantine.to_csv(out, index=False)
        return out


def _quarantine(raw: RawTable, problems: pd.DataFrame) -> pd.DataFrame:
    errors = problems[(problems["severity"] == "error") & problems["row"].notna()]
    reasons = errors.groupby("row")["message"].apply(lambda m: "; ".join(dict.fromkeys(m)))
    held = raw.cells.loc[raw.cells.index.isin(reasons.index)].copy()
    held.insert(0, "problems", reasons.reindex(held.index).to_numpy())
    held.insert(0, "file", raw.file)
    return held.reset_index()


def load_table(
    path: str | Path,
    table: str,
    *,
    references: dict[str, pd.DataFrame] | None = None,
    quarantined: dict[str, set] | None = None,
    schema: TableSchema | None = None,
) -> TableLoad:
    """Read and validate ``path`` as ``table`` of the data dictionary.

    Parameters
    ----------
    path : a .csv (UTF-8 or Windows-1252; comma, semicolon or tab) or .xlsx file.
    table : the table's name in the dictionary, e.g. ``"participants"`` or ``"outcomes"``.
    references : tables that foreign keys point to, e.g. ``{"participants": participants.data}``;
        the measures catalogue is always taken from the dictionary.
    quarantined : keys already quarantined in referenced tables, for clearer messages.

    Raises
    ------
    DataValidationError
        When the file is missing, empty or unreadable, or lacks a required column. Problems within rows
        never raise: they are returned in ``problems`` and the rows quarantined.
    """
    schema = schema or load_schema(table)
    return validate_raw(read_raw(path, table), schema, references=references, quarantined=quarantined)


def validate_raw(
    raw: RawTable,
    schema: TableSchema,
    *,
    references: dict[str, pd.DataFrame] | None = None,
    quarantined: dict[str, set] | None = None,
) -> TableLoad:
    """Validate cells already read (from CSV, Excel, SPSS or Stata) against ``schema``; see :func:`load_table`."""
    log = ProblemLog(raw.file)
    data = validate_cells(raw, schema, log)
    refs = dict(references or {})
    if any(fk.resource == "measures" for fk in schema.foreign_keys):
        catalogue = measures_catalogue()
        refs.setdefault("measures", catalogue)
        for f in schema.fields:
            if f.range_from == "measures":
                check_measure_ranges(data, catalogue, log, f.name)
    check_foreign_keys(data, schema, refs, log, quarantined)
    problems = log.table()
    bad_rows = set(problems.loc[(problems["severity"] == "error") & problems["row"].notna(), "row"].astype(int))
    valid = data.loc[~data.index.isin(bad_rows)]
    return TableLoad(
        table=schema.name,
        path=raw.path,
        encoding=raw.encoding,
        data=valid,
        problems=problems,
        quarantine=_quarantine(raw, problems),
        n_read=len(raw.cells),
        blank_rows=raw.blank_rows,
    )


def find_table_file(folder: str | Path, table: str) -> Path:
    """``folder/<table>.csv`` or ``.xlsx``; a clear error when neither or both exist."""
    folder = Path(folder)
    found = [p for p in (folder / f"{table}.csv", folder / f"{table}.xlsx") if p.exists()]
    if not found:
        raise DataValidationError(f"{folder}: no {table}.csv or {table}.xlsx in this folder")
    if len(found) > 1:
        raise DataValidationError(f"{folder}: both {table}.csv and {table}.xlsx exist; keep only one")
    return found[0]


@dataclass
class Evaluation:
    """An evaluation's validated tables (participants and outcomes) with their problems."""

    participants: TableLoad
    outcomes: TableLoad

    @property
    def problems(self) -> pd.DataFrame:
        return pd.concat([self.participants.problems, self.outcomes.problems], ignore_index=True)

    def write_quarantine(self, folder: str | Path) -> list[Path]:
        written = [self.participants.write_quarantine(folder), self.outcomes.write_quarantine(folder)]
        return [p for p in written if p is not None]


def load_evaluation(folder: str | Path) -> Evaluation:
    """Load ``participants`` and ``outcomes`` from ``folder``; outcomes are checked against the valid participants."""
    participants = load_table(find_table_file(folder, "participants"), "participants")
    held_back = set(participants.quarantine.get("participant_id", pd.Series(dtype=object)).dropna().astype(str))
    outcomes = load_table(
        find_table_file(folder, "outcomes"),
        "outcomes",
        references={"participants": participants.data},
        quarantined={"participants": held_back},
    )
    return Evaluation(participants=participants, outcomes=outcomes)


def format_problems(problems: pd.DataFrame, limit: int | None = None) -> str:
    """Problems as plain-English lines: 'outcomes.csv, row 14, column `value`: 112 is above the maximum ...'."""
    lines = []
    shown = problems if limit is None else problems.head(limit)
    for p in shown.itertuples(index=False):
        where = [p.file]
        if pd.notna(p.row):
            where.append(f"row {int(p.row)}")
        if p.column:
            where.append(f"column `{p.column}`")
        prefix = "warning: " if p.severity == "warning" else ""
        lines.append(f"{prefix}{', '.join(where)}: {p.message}")
    if limit is not None and len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n".join(lines)
