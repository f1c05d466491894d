"""Load a table from CSV or Excel, validated against the data dictionary.

``load_table`` never drops a row without a word: every invalid row appears in ``problems`` and in
``quarantine`` (its cells exactly as read, with the reasons), and can be written to a quarantine file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cm_research.data.memory import release_memory
from cm_research.data.reading import RawTable, read_raw
from cm_research.data.validation import (
    BLANKED_PREFIX,
    ProblemLog,
    map_columns,
    check_foreign_keys,
    check_measure_ranges,
    check_percent_scales,
    validate_cells,
)
from cm_research.data.writing import write_csv
from cm_research.dictionary import TableSchema, load_schema, load_schemas, measures_catalogue
from cm_research.errors import DataValidationError

TABLE_FILE_STEMS = ("participants", "outcomes")
#: the files a table may come in, found by :func:`find_table_file`
TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")


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
    blanked: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows kept with a bad optional cell blanked
    blank_rows: list[int] = field(default_factory=list)
    label: str = ""  # the name of the file's role when it is not the table's (a waiting list of participants)

    @property
    def name(self) -> str:
        return self.label or self.table

    def __iter__(self):  # ``data, problems = load_table(...)``
        return iter((self.data, self.problems))

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    def write_parquet(self, path: str | Path) -> Path:
        """Write the valid rows, typed, with their ``row`` numbers, to a Parquet file (for the next step of a large
        analysis: it reads back in a second, types and all)."""
        path = Path(path)
        self.data.reset_index().to_parquet(path, index=False)
        return path

    @property
    def n_blanked(self) -> int:
        """Cells of optional fields left blank because their value broke a rule (the rows were kept)."""
        return int(self.problems["rule"].astype(str).str.startswith(BLANKED_PREFIX).sum())

    def write_quarantine(self, folder: str | Path) -> Path | None:
        """Write the held-back rows, and the kept rows whose bad optional cells were blanked (cells as read, so
        the original value is there to correct), to ``folder/quarantine_<name>.csv``; ``action`` says which.
        Nothing is written when there are neither."""
        if self.quarantine.empty and self.blanked.empty:
            return None
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"quarantine_{self.name}.csv"
        parts = [frame.assign(action=action) for frame, action in
                 ((self.quarantine, "row held back"), (self.blanked, "bad cells blanked, row kept"))
                 if not frame.empty]
        table = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable")
        table.insert(1, "action", table.pop("action"))
        write_csv(table, out)
        return out


def _quarantine(raw: RawTable, problems: pd.DataFrame, columns: dict[str, str], rule: str = "error") -> pd.DataFrame:
    """The rows held back (``rule="error"``) or kept with blanked cells (``rule="blanked"``), cells exactly as
    read but under the dictionary's column names (``Participant id`` -> ``participant_id``), so every lookup of
    a quarantined key works whatever headings the file used."""
    if rule == "error":
        chosen = problems[(problems["severity"] == "error") & problems["row"].notna()]
    else:
        chosen = problems[problems["rule"].astype(str).str.startswith(BLANKED_PREFIX) & problems["row"].notna()]
    # each row's distinct messages in order, joined; most rows have one, which needs no joining
    distinct = chosen.drop_duplicates(["row", "message"])
    several = distinct["row"].duplicated(keep=False)
    reasons = pd.concat([distinct.loc[~several].set_index("row")["message"],
                         distinct.loc[several].groupby("row")["message"].agg("; ".join)])
    # cells as read (the columnar reader's Arrow text as Python strings, as the row-by-row reader gives them)
    chosen_rows = raw.cells.iloc[:0] if reasons.empty else raw.cells.loc[raw.cells.index.isin(reasons.index)]
    held = chosen_rows.rename(columns=columns).astype(object)
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
    engine: str = "auto",
) -> TableLoad:
    """Read and validate ``path`` as ``table`` of the data dictionary.

    Parameters
    ----------
    path : a .csv (UTF-8 or Windows-1252; comma, semicolon or tab) or .xlsx file.
    table : the table's name in the dictionary, e.g. ``"participants"`` or ``"outcomes"``.
    references : tables that foreign keys point to, e.g. ``{"participants": participants.data}``;
        the measures catalogue is always taken from the dictionary.
    quarantined : keys already quarantined in referenced tables, for clearer messages.
    engine : how a CSV file is read: ``"auto"`` (the default), ``"python"`` or ``"columnar"``; see
        :func:`cm_research.data.reading.read_raw`. Every engine gives the same result.

    Raises
    ------
    DataValidationError
        When the file is missing, empty or unreadable, or lacks a required column. Problems within rows
        never raise: they are returned in ``problems`` and the rows quarantined.
    """
    schema = schema or load_schema(table)
    load = validate_raw(read_raw(path, table, engine=engine), schema, references=references, quarantined=quarantined)
    if load.n_read >= RELEASE_AFTER_ROWS:
        release_memory(collect=True)
    return load


#: after loading a table of this many rows, memory freed by the load is handed back (:mod:`.memory`)
RELEASE_AFTER_ROWS = 100_000


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
                header = next((h for h, name in map_columns(raw, schema, ProblemLog(raw.file)).items()
                               if name == f.name), None)
                if header is not None:
                    check_percent_scales(data, raw.cells[header], catalogue, log, f.name)
    check_foreign_keys(data, schema, refs, log, quarantined)
    problems = log.table()
    bad_rows = set(problems.loc[(problems["severity"] == "error") & problems["row"].notna(), "row"].astype(int))
    valid = data.loc[~data.index.isin(bad_rows)] if bad_rows else data
    columns = map_columns(raw, schema, ProblemLog(raw.file))  # header -> field name, for the quarantine
    return TableLoad(
        table=schema.name,
        path=raw.path,
        encoding=raw.encoding,
        data=valid,
        problems=problems,
        quarantine=_quarantine(raw, problems, columns),
        n_read=len(raw.cells),
        blank_rows=raw.blank_rows,
        blanked=_quarantine(raw, problems, columns, "blanked"),
    )


def find_table_file(folder: str | Path, table: str) -> Path:
    """``folder/<table>.csv``, ``.xlsx`` or ``.parquet``; a clear error when none or several exist."""
    folder = Path(folder)
    found = [p for p in (folder / f"{table}{ext}" for ext in TABLE_SUFFIXES) if p.exists()]
    if not found:
        raise DataValidationError(f"{folder}: no {table}.csv or {table}.xlsx in this folder")
    if len(found) > 1:
        raise DataValidationError(f"{folder}: both {found[0].name} and {found[1].name} exist; keep only one")
    return found[0]


@dataclass
class Evaluation:
    """An evaluation's validated tables (participants and outcomes, and with ``all_tables`` every other table
    of the dictionary found in the folder, in ``others``) with their problems."""

    participants: TableLoad
    outcomes: TableLoad
    others: dict[str, TableLoad] = field(default_factory=dict)

    @property
    def loads(self) -> list[TableLoad]:
        return [self.participants, self.outcomes, *self.others.values()]

    @property
    def problems(self) -> pd.DataFrame:
        return pd.concat([load.problems for load in self.loads], ignore_index=True)

    def write_quarantine(self, folder: str | Path) -> list[Path]:
        written = [load.write_quarantine(folder) for load in self.loads]
        return [p for p in written if p is not None]


#: files of a site folder that hold another table's rows: the waiting list is a participants table
FILE_ROLES = {"waiting_list": "participants"}


def _held_back(load: TableLoad, column: str) -> set[str]:
    return set(load.quarantine.get(column, pd.Series(dtype=object)).dropna().astype(str))


def load_other_tables(folder: str | Path, participants: TableLoad, engine: str = "auto") -> dict[str, TableLoad]:
    """Every table of the dictionary besides participants and outcomes that has a file in ``folder`` (sessions,
    costs, mentors, matches, attendance, survey tables, a waiting list...), each checked against the tables its
    foreign keys name, in an order that loads a referenced table first. Catalogue tables (measures,
    survey_items) come from the dictionary, not the folder."""
    folder = Path(folder)
    schemas = load_schemas()
    present = {name: table for name, table in {**{s: s for s in schemas}, **FILE_ROLES}.items()
               if name not in ("participants", "outcomes") and not schemas[table].rows
               and any((folder / f"{name}{ext}").exists() for ext in TABLE_SUFFIXES)}
    loaded: dict[str, TableLoad] = {"participants": participants}
    pending = dict(present)
    while pending:
        ready = [name for name, table in pending.items()
                 if all(fk.resource in loaded or fk.resource not in present or schemas[fk.resource].rows
                        for fk in schemas[table].foreign_keys if fk.resource != table)]
        for name in ready or list(pending):  # a cycle of references: load the rest without the missing ones
            table = pending.pop(name)
            fks = [fk for fk in schemas[table].foreign_keys if fk.resource in loaded]
            load = load_table(find_table_file(folder, name), table,
                              references={fk.resource: loaded[fk.resource].data for fk in fks},
                              quarantined={fk.resource: _held_back(loaded[fk.resource], fk.reference_fields[0])
                                           for fk in fks}, engine=engine)
            load.label = name if name != table else ""
            loaded[name] = load
    return {name: load for name, load in loaded.items() if name != "participants"}


def load_evaluation(folder: str | Path, all_tables: bool = False, engine: str = "auto") -> Evaluation:
    """Load ``participants`` and ``outcomes`` from ``folder``; outcomes are checked against the valid participants.
    With ``all_tables``, also every other table of the dictionary found there (:func:`load_other_tables`)."""
    participants = load_table(find_table_file(folder, "participants"), "participants", engine=engine)
    held_back = _held_back(participants, "participant_id")
    outcomes = load_table(
        find_table_file(folder, "outcomes"),
        "outcomes",
        references={"participants": participants.data},
        quarantined={"participants": held_back},
        engine=engine,
    )
    others = load_other_tables(folder, participants, engine) if all_tables else {}
    return Evaluation(participants=participants, outcomes=outcomes, others=others)


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
