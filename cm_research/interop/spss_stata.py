"""SPSS (.sav) and Stata (.dta) files with the data dictionary's labels, written and read back.

Export takes a validated table (e.g. ``load_evaluation(folder).participants.data``) and writes one
variable per field, named as the field, with the field's title as its variable label:

* fields with allowed values (an ``enum``, or a catalogue such as ``outcomes.measure``) are stored as
  codes 1, 2, ... in the dictionary's order, with the allowed values as value labels;
* booleans are 1 / 0 labelled with the field's yes / no words;
* list fields are text, their values joined with ``"; "``;
* dates are SPSS ``DATE11`` / Stata ``%td`` dates; whole numbers and numbers are numeric; missing values
  are system-missing (``.`` in Stata) and empty text.

``.sav`` files are written with pyreadstat and ``.dta`` files (format 118, Unicode) with pandas. Import
reads either with pyreadstat, maps variable names (or, failing that, variable labels) back to field names
and value labels back to the dictionary's values, then validates the table exactly as ``load_table`` does
a CSV or Excel file. In problems, ``row`` is the case number SPSS's Data View and Stata's browser show.
Values the file declares missing (SPSS user-missing codes and ranges, Stata's ``.a``-``.z``) are read as missing
and each is named in the problems as a ``declared_missing`` warning with its value label
(:func:`declared_missing`), so the reason a value is absent is not lost.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cm_research import __version__
from cm_research.data.loading import TableLoad, load_evaluation, validate_raw
from cm_research.data.raw import RawTable, _refuse
from cm_research.data.validation import normalise_label
from cm_research.dictionary import Field, TableSchema, load_schema
from cm_research.errors import PROBLEM_COLUMNS, DataValidationError
from cm_research.interop.allowed import allowed_values, value_labels
from cm_research.interop.errors import ExportError, UnknownVariableError

FORMATS = {".sav": "SPSS", ".dta": "Stata"}
#: what import reads: also SPSS's compressed ``.zsav`` (File > Save As > "Compressed SPSS Statistics"; R's
#: haven ``write_sav(compress = "zsav")``), which pyreadstat reads as it reads a .sav
READ_FORMATS = {**FORMATS, ".zsav": "SPSS"}
SPSS_NAME = re.compile(r"^[A-Za-z@#$][A-Za-z0-9_.@#$]*$")
SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
STATA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
STATA_LABEL_LIMIT = 80
STATA_STR_LIMIT = 2045  # longer text needs Stata's strL type


@dataclass
class LabelledTable:
    """A table laid out for SPSS and Stata.

    data : one column per field present, in dictionary order: ``Int64`` codes for labelled fields,
        ``Int64`` / ``float64`` numbers, ``datetime64`` dates, and text (``""`` when missing).
    variable_labels : field name -> title.
    value_labels : field name -> {code: label}, for enums, catalogue fields and booleans.
    """

    schema: TableSchema
    data: pd.DataFrame
    variable_labels: dict[str, str]
    value_labels: dict[str, dict[int, str]]

    def fields_of_type(self, *types: str) -> list[str]:
        return [c for c in self.data.columns if self.schema.field(c).type in types]


def _where(table: str, row, column: str) -> str:
    return f"{table}, row {row}, column `{column}`"


def _coded(values: pd.Series, f: Field, labels: dict[int, str], table: str) -> pd.Series:
    """Allowed values as their codes (booleans as 1 / 0); anything else is refused, naming row and column."""
    if f.type == "boolean":
        lookup, allowed = {True: 1, False: 0}, "True or False"
    else:
        lookup, allowed = {label: code for code, label in labels.items()}, ", ".join(labels.values())
    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    for row, value in values.dropna().items():
        if f.type == "boolean" and not isinstance(value, (bool, np.bool_)):
            raise ExportError(f"{_where(table, row, f.name)}: {value!r} is not {allowed}")
        key = bool(value) if f.type == "boolean" else value
        if key not in lookup:
            raise ExportError(f"{_where(table, row, f.name)}: {value!r} is not one of: {allowed}")
        out[row] = lookup[key]
    return out


def _joined(values: pd.Series, f: Field, allowed: tuple[str, ...] | None, table: str) -> pd.Series:
    def join(row, items) -> str:
        items = (items,) if isinstance(items, str) else tuple(items)
        for item in items:
            if allowed is not None and item not in allowed:
                raise ExportError(f"{_where(table, row, f.name)}: {item!r} is not one of: {', '.join(allowed)}")
        return f"{f.delimiter} ".join(str(i) for i in items)

    return pd.Series({row: "" if _missing(v) else join(row, v) for row, v in values.items()},
                     index=values.index, dtype=object)


def _missing(value) -> bool:
    if isinstance(value, (tuple, list)):
        return len(value) == 0
    return value is None or bool(pd.isna(value))


def _typed(values: pd.Series, f: Field, table: str) -> pd.Series:
    try:
        if f.type == "date":
            return pd.to_datetime(values).dt.normalize().astype("datetime64[ns]")
        if f.type == "integer":
            return pd.to_numeric(values).astype("Int64")
        if f.type == "number":
            return pd.to_numeric(values).astype("float64")
    except (TypeError, ValueError) as exc:
        raise ExportError(f"{table}, column `{f.name}`: not all values are {f.type}s ({exc}); "
                          "export tables loaded with cm_research.data.load_table") from exc
    return values.astype("string").fillna("").astype(object)


def labelled_table(data: pd.DataFrame, table: str, *, schema: TableSchema | None = None) -> LabelledTable:
    """Lay out a validated table for SPSS / Stata: codes, labels and types from the dictionary.

    Raises
    ------
    ExportError
        When a column is not a field of ``table`` or a value is not one of the field's allowed values.
    """
    schema = schema or load_schema(table)
    unknown = [c for c in data.columns if c not in schema.field_names]
    if unknown:
        raise ExportError(f"column{'s' if len(unknown) > 1 else ''} {', '.join(f'`{c}`' for c in unknown)} "
                          f"{'are' if len(unknown) > 1 else 'is'} not in the data dictionary for {schema.name} "
                          f"(it defines {', '.join(schema.field_names)}): labels cannot be made for them")
    columns, codes = {}, {}
    for f in schema.fields:
        if f.name not in data:
            continue
        values = data[f.name]
        labels = value_labels(schema, f)
        if labels is not None:
            columns[f.name] = _coded(values, f, labels, schema.name)
            codes[f.name] = labels
        elif f.type == "list":
            columns[f.name] = _joined(values, f, allowed_values(schema, f), schema.name)
        else:
            columns[f.name] = _typed(values, f, schema.name)
    frame = pd.DataFrame(columns, index=data.index).reset_index(drop=True)
    titles = {name: schema.field(name).title for name in frame.columns}
    return LabelledTable(schema=schema, data=frame, variable_labels=titles, value_labels=codes)


def _check_names(labelled: LabelledTable, fmt: str) -> None:
    for name in labelled.data.columns:
        if fmt == ".sav":
            ok = bool(SPSS_NAME.match(name)) and len(name.encode()) <= 64 and name.upper() not in SPSS_RESERVED
        else:
            ok = bool(STATA_NAME.match(name))
        if not ok:
            raise ExportError(f"field `{name}` is not a valid {FORMATS[fmt]} variable name; "
                              "rename it in the data dictionary")
        title = labelled.variable_labels[name]
        if fmt == ".dta" and len(title) > STATA_LABEL_LIMIT:
            raise ExportError(f"field `{name}`: its title is {len(title)} characters; Stata variable labels "
                              f"take at most {STATA_LABEL_LIMIT}. Shorten it in the data dictionary")


def _write_sav(labelled: LabelledTable, path: Path) -> None:
    import pyreadstat

    frame = labelled.data.copy()
    formats, measures = {}, {}
    for name in frame.columns:
        f = labelled.schema.field(name)
        if f.type == "date":
            frame[name] = frame[name].map(lambda t: t.date(), na_action="ignore").astype(object)
            frame[name] = frame[name].where(frame[name].notna(), None)
            formats[name], measures[name] = "DATE11", "scale"
        elif name in labelled.value_labels:
            frame[name] = frame[name].astype("float64")
            formats[name], measures[name] = "F8.0", "nominal"
        elif f.type == "integer":
            frame[name] = frame[name].astype("float64")
            formats[name], measures[name] = "F8.0", "scale"
        elif f.type == "number":
            measures[name] = "scale"
        else:
            measures[name] = "nominal"
    codes = {name: {float(c): v for c, v in labels.items()} for name, labels in labelled.value_labels.items()}
    pyreadstat.write_sav(
        frame, str(path),
        file_label=labelled.schema.title,
        column_labels=labelled.variable_labels,
        variable_value_labels=codes,
        variable_format=formats,
        variable_measure=measures,
        note=f"Written by cm_research {__version__} from the data dictionary (table {labelled.schema.name}).",
    )


def _write_dta(labelled: LabelledTable, path: Path) -> None:
    frame = labelled.data
    text = [c for c in frame.columns if frame[c].dtype == object]
    long_text = [c for c in text if frame[c].map(lambda s: len(str(s).encode())).max() > STATA_STR_LIMIT]
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.InvalidColumnName)
        frame.to_stata(
            path,
            write_index=False,
            version=118,
            data_label=labelled.schema.title[:STATA_LABEL_LIMIT],
            variable_labels=labelled.variable_labels,
            value_labels=labelled.value_labels,
            convert_dates={c: "td" for c in labelled.fields_of_type("date")},
            convert_strl=long_text,
        )


def export_table(data: pd.DataFrame, table: str, path: str | Path, *, schema: TableSchema | None = None) -> Path:
    """Write a validated table to ``path``: SPSS for ``.sav``, Stata for ``.dta``. Returns the path.

    Variable labels are the fields' titles; value labels are the fields' allowed values (codes 1, 2, ...)
    and yes / no (1 / 0) for booleans. The folder is created if needed.
    """
    path = Path(path)
    fmt = path.suffix.lower()
    if fmt not in FORMATS:
        raise ExportError(f"{path.name}: give the file a .sav (SPSS) or .dta (Stata) name")
    labelled = labelled_table(data, table, schema=schema)
    _check_names(labelled, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = _write_sav if fmt == ".sav" else _write_dta
    try:
        writer(labelled, path)
    except (ValueError, TypeError, pd.errors.InvalidColumnName) as exc:
        raise ExportError(f"{path.name}: could not be written as {FORMATS[fmt]} ({exc})") from exc
    return path


def export_evaluation(evaluation, out_dir: str | Path, fmt: str = "sav") -> pd.DataFrame:
    """Write an evaluation's valid participants and outcomes as ``out_dir/<table>.sav`` (or ``.dta``).

    ``evaluation`` is a folder (loaded with ``load_evaluation``) or an already loaded ``Evaluation``.
    Returns one row per table: table, source, file, rows_written, rows_held_back (rows with problems,
    which are in the evaluation's problems and quarantine, not in the file).
    """
    suffix = "." + fmt.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose sav (SPSS) or dta (Stata)")
    if isinstance(evaluation, (str, Path)):
        evaluation = load_evaluation(evaluation)
    rows = []
    for load in (evaluation.participants, evaluation.outcomes):
        path = export_table(load.data, load.table, Path(out_dir) / f"{load.table}{suffix}")
        rows.append({"table": load.table, "source": load.path.name, "file": str(path),
                     "rows_written": len(load.data), "rows_held_back": len(load.quarantine)})
    return pd.DataFrame(rows)


def _reader(path: Path):
    """pyreadstat's reader for a .sav or .dta file; DataValidationError when the file is missing or of another type."""
    import pyreadstat

    if not path.exists():
        raise _refuse(path, f"no such file: {path}")
    fmt = path.suffix.lower()
    if fmt not in READ_FORMATS:
        raise _refuse(path, f"unsupported file type {fmt!r}; import reads .sav and .zsav (SPSS) and .dta (Stata)")
    return pyreadstat.read_dta if fmt == ".dta" else pyreadstat.read_sav


@contextmanager
def _unreadable(path: Path) -> Iterator[None]:
    """Turn an error pyreadstat raises while reading ``path`` into a DataValidationError naming the file."""
    import pyreadstat

    try:
        yield
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeDecodeError, OSError) as exc:
        raise _refuse(path, f"could not be read as a {READ_FORMATS[path.suffix.lower()]} file ({exc})") from exc


def _read(path: Path):
    reader = _reader(path)
    with _unreadable(path):
        return reader(str(path))


def _field_lookup(schema: TableSchema) -> dict[str, str]:
    lookup = {}
    for f in schema.fields:
        lookup[normalise_label(f.name)] = f.name
        lookup[normalise_label(f.title)] = f.name
    return lookup


def _label_key(code) -> object:
    """Codes compare as numbers (SPSS reads 1 as 1.0) or, for labelled text variables, as text."""
    return float(code) if isinstance(code, (int, float, np.number)) and not isinstance(code, bool) else str(code)


def _cell(value, labels: dict[object, str] | None):
    """A value as the loader should see it: missing as None, a labelled code as its label."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if labels:
        return labels.get(_label_key(value), value)
    return value


#: ``engine="auto"`` reads a .sav or .dta file of this size or more in chunks (:func:`_read_in_chunks`)
CHUNKED_MIN_BYTES = 8_000_000
#: the rows a chunk holds: pyreadstat's frame of one chunk is all the file that is ever in memory as numbers
CHUNK_ROWS = 250_000
ENGINES = ("auto", "python", "columnar")


def _variable_names(path: Path, meta, schema: TableSchema, ignore_unknown: bool) -> dict[str, str]:
    """Variable -> field name (unknown variables keep their own name), matched by name or variable label."""
    lookup = _field_lookup(schema)
    names, unknown = {}, []
    for variable, label in zip(meta.column_names, meta.column_labels):
        field = lookup.get(normalise_label(variable)) or (lookup.get(normalise_label(label)) if label else None)
        if field is None:
            unknown.append(variable)
        names[variable] = field or variable
    if unknown and not ignore_unknown:
        many = len(unknown) > 1
        message = (f"{path.name}: variable{'s' if many else ''} {', '.join(f'`{v}`' for v in unknown)} "
                   f"{'are' if many else 'is'} not in the data dictionary for {schema.name} "
                   f"(it defines {', '.join(schema.field_names)}); rename {'them' if many else 'it'} to a "
                   f"field's name or title, or drop {'them' if many else 'it'}")
        problems = pd.DataFrame([{"file": path.name, "row": pd.NA, "column": v, "value": "", "rule": "unknown_variable",
                                  "message": f"variable `{v}` is not in the data dictionary for {schema.name}"}
                                 for v in unknown])
        raise UnknownVariableError(message, unknown, problems)
    seen: dict[str, str] = {}
    for variable, name in names.items():
        if name in seen:
            raise DataValidationError(f"{path.name}: variables `{seen[name]}` and `{variable}` both look like "
                                      f"`{name}`; keep one of them")
        seen[name] = variable
    return names


def _labels_of(meta, variable: str, name: str, schema: TableSchema) -> dict[object, str] | None:
    """The value labels to apply to ``variable`` (read as field ``name``): for booleans and fields with allowed
    values only."""
    if name not in schema.field_names:
        return None
    f = schema.field(name)
    if f.type == "boolean" or allowed_values(schema, f) is not None:
        raw_labels = meta.variable_value_labels.get(variable) or {}
        return {_label_key(code): str(text) for code, text in raw_labels.items()}
    return None


def _times_of_day(values: pd.Series) -> tuple[int, int, object]:
    """(values with a time of day other than midnight, values present, the first such value) of a variable
    pyreadstat read as date and time (SPSS ``DATETIME``, Stata ``%tc``); (0, 0, None) for any other."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        return 0, 0, None
    timed = values.notna() & (values != values.dt.normalize())
    return int(timed.sum()), int(values.notna().sum()), values[timed].iloc[0] if timed.any() else None


def _time_note(path: Path, meta, variable: str, name: str, counts: tuple[int, int, object]) -> tuple[str, str, str]:
    """The warning for a date field whose values in the file held a time of day: the day is kept, and said so."""
    timed, present, first = counts
    fmt = meta.original_variable_types.get(variable, "") if getattr(meta, "original_variable_types", None) else ""
    program = READ_FORMATS[path.suffix.lower()]
    return (name, "time_of_day", (
        f"`{name}` is a date in the data dictionary, but {timed} of {present} values of the {program} variable "
        f"`{variable}` ({fmt or 'date and time'}) had a time of day: kept the day and dropped the time "
        f"(e.g. {pd.Timestamp(first):%d/%m/%Y %H:%M:%S} is read as {pd.Timestamp(first):%d/%m/%Y})"))


def _date_variables(names: dict[str, str], schema: TableSchema) -> list[str]:
    return [v for v, name in names.items() if name in schema.field_names and schema.field(name).type == "date"]


def read_labelled(path: str | Path, table: str, *, schema: TableSchema | None = None,
                  ignore_unknown: bool = False, engine: str = "auto") -> RawTable:
    """Read a .sav or .dta file into raw cells named by field, with value labels mapped back to values.

    A variable is matched to a field by its name, or else its variable label, against the fields' names
    and titles (ignoring case, spaces and hyphens). Value labels are applied to fields that have allowed
    values and to booleans; codes without a label are kept, so validation reports them. A date and time
    (SPSS ``DATETIME``, Stata ``%tc``) read into a ``date`` field keeps its day; when any value had a time of
    day, a ``time_of_day`` warning names the column and how many values lost their time. A row is named by its
    case number (the first case is row 1), as SPSS's Data View and Stata's browser number them: a file of these
    formats has no header row.

    ``engine="python"`` reads the whole file at once and keeps cells as pyreadstat gives them (numbers, dates,
    text); ``"columnar"`` reads it :data:`CHUNK_ROWS` cases at a time into Arrow text columns
    (:func:`_read_in_chunks`), so that a national extract is never held as numbers and Python objects at once;
    ``"auto"`` (the default) is columnar for files of :data:`CHUNKED_MIN_BYTES` or more. Both give the same
    validated data and problems.

    Raises
    ------
    UnknownVariableError
        When a variable matches no field (unless ``ignore_unknown``: then it is left for validation to
        report as a warning and ignore).
    DataValidationError
        When the file is missing or cannot be read.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    path = Path(path)
    schema = schema or load_schema(table)
    if engine == "columnar" or (engine == "auto" and path.exists() and path.stat().st_size >= CHUNKED_MIN_BYTES):
        return _read_in_chunks(path, schema, ignore_unknown)
    frame, meta = _read(path)
    names = _variable_names(path, meta, schema, ignore_unknown)
    cells = {name: [_cell(v, _labels_of(meta, variable, name, schema)) for v in frame[variable].tolist()]
             for variable, name in names.items()}
    table_cells = pd.DataFrame(cells, index=pd.RangeIndex(1, len(frame) + 1, name="row"), dtype=object)
    blank = table_cells.isna().all(axis=1)
    notes = [_time_note(path, meta, v, names[v], counts) for v in _date_variables(names, schema)
             if (counts := _times_of_day(frame[v]))[0]]
    return RawTable(path=path, cells=table_cells[~blank], encoding=path.suffix.lower().lstrip("."),
                    blank_rows=[int(r) for r in table_cells.index[blank]], ragged_rows={}, column_notes=notes)


def _as_text(values: pd.Series, labels: dict[object, str] | None):
    """One chunk of a variable as Arrow text: each distinct value mapped once through :func:`_cell` (labels
    applied) and written as an error message would show it (``display``: 9.0 as ``9``, a date as its day), so
    the checks read it exactly as the value itself; missing cells are null."""
    import pyarrow as pa

    from cm_research.data.coercion import display

    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    texts = []
    for value in np.asarray(distinct, dtype=object):
        cell = _cell(value, labels)
        texts.append(None if cell is None else (cell if isinstance(cell, str) else display(cell)))
    texts.append(None)  # for the missing cells, coded -1
    return pa.array(texts, type=pa.large_string()).take(pa.array(np.where(codes < 0, len(texts) - 1, codes)))


def _read_in_chunks(path: Path, schema: TableSchema, ignore_unknown: bool) -> RawTable:
    """:func:`read_labelled` reading :data:`CHUNK_ROWS` cases at a time (pyreadstat's ``read_file_in_chunks``),
    each chunk's variables turned into Arrow text (:func:`_as_text`) before the next is read."""
    import pyarrow as pa
    import pyreadstat

    reader = _reader(path)
    fmt = path.suffix.lower()
    with _unreadable(path):
        _, meta = reader(str(path), metadataonly=True)
    names = _variable_names(path, meta, schema, ignore_unknown)
    labels = {variable: _labels_of(meta, variable, name, schema) for variable, name in names.items()}
    parts: dict[str, list] = {variable: [] for variable in names}
    timed = {variable: (0, 0, None) for variable in _date_variables(names, schema)}
    with _unreadable(path):
        for chunk, _ in pyreadstat.read_file_in_chunks(reader, str(path), chunksize=CHUNK_ROWS):
            for variable in names:
                parts[variable].append(_as_text(chunk[variable], labels[variable]))
            for variable, (n, present, first) in timed.items():
                more, more_present, more_first = _times_of_day(chunk[variable])
                timed[variable] = (n + more, present + more_present, first if first is not None else more_first)
            del chunk
    notes = [_time_note(path, meta, v, names[v], counts) for v, counts in timed.items() if counts[0]]
    columns = {name: pa.chunked_array(parts.pop(variable), type=pa.large_string()) for variable, name in names.items()}
    n = len(next(iter(columns.values()))) if columns else 0
    blank = np.ones(n, dtype=bool)
    for column in columns.values():
        blank &= column.is_null().to_numpy(zero_copy_only=False)
    rows = np.arange(1, n + 1)
    kept = np.flatnonzero(~blank)
    if blank.any():
        columns = {name: column.take(pa.array(kept)) for name, column in columns.items()}
    cells = pd.DataFrame({name: pd.arrays.ArrowStringArray(column) for name, column in columns.items()},
                         index=pd.Index(rows[kept], name="row") if blank.any() else pd.RangeIndex(1, n + 1, name="row"))
    return RawTable(path=path, cells=cells, encoding=fmt.lstrip("."), blank_rows=[int(r) for r in rows[blank]],
                    ragged_rows={}, column_notes=notes)


def import_table(
    path: str | Path,
    table: str,
    *,
    references: dict[str, pd.DataFrame] | None = None,
    quarantined: dict[str, set] | None = None,
    schema: TableSchema | None = None,
    ignore_unknown: bool = False,
    engine: str = "auto",
) -> TableLoad:
    """Read and validate a .sav or .dta file as ``table``, as ``load_table`` does a CSV or Excel file.

    ``references`` and ``quarantined`` are as in ``load_table``; ``engine`` as in :func:`read_labelled`. Returns a ``TableLoad``: the valid rows
    typed as the dictionary says, and every problem (``row`` is the case number).
    """
    schema = schema or load_schema(table)
    raw = read_labelled(path, table, schema=schema, ignore_unknown=ignore_unknown, engine=engine)
    load = validate_raw(raw, schema, references=references, quarantined=quarantined)
    # a declared-missing cell is read as missing, so only variables with missing cells need a second look
    with_missing = {str(c) for c in raw.cells.columns if raw.cells[c].isna().any()}
    declared = declared_missing(path, schema, ignore_unknown=True, fields=with_missing) if with_missing else None
    if declared is not None and len(declared):
        problems = pd.concat([declared.astype(object), load.problems.astype(object)], ignore_index=True)
        load.problems = problems.sort_values("row", kind="stable", na_position="first").reset_index(drop=True)
    return load


def _in_ranges(value, ranges: list[dict]) -> bool:
    return isinstance(value, (int, float)) and any(r["lo"] <= value <= r["hi"] for r in ranges)


def declared_missing(path: str | Path, schema: TableSchema, *, ignore_unknown: bool = False,
                     fields: set[str] | None = None) -> pd.DataFrame:
    """Cells the file itself declares missing, one warning each (columns of ``TableLoad.problems``).

    SPSS lets a variable declare codes as *user-missing* (``MISSING VALUES value (-99, -999 THRU -900)``) and
    Stata has 26 *extended missing* values ``.a`` to ``.z`` besides ``.``; both say why a value is absent
    ("refused", "not asked"). pyreadstat reads them as plain missing; this reads them again (only the variables
    that can hold any, and of those only the ones read as ``fields`` when given) and names each one, with its value label, so the reason is not lost: "-99, which the SPSS
    file declares missing ('refused'); read as missing". Row numbers are case numbers, as elsewhere.
    """
    import pyreadstat

    path = Path(path)
    reader = _reader(path)
    is_sav = path.suffix.lower() != ".dta"
    with _unreadable(path):
        _, meta = reader(str(path), metadataonly=True, user_missing=True)
    if is_sav:  # SPSS: only the variables that declare missing values
        columns = [c for c in (meta.missing_ranges or {}) if c in meta.column_names]
    else:  # Stata: an extended missing value may be in any numeric variable (string formats end in "s")
        columns = [c for c in meta.column_names if not str(meta.original_variable_types.get(c, "")).endswith("s")]
    names = _variable_names(path, meta, schema, ignore_unknown)
    if fields is not None:
        columns = [c for c in columns if names.get(c, c) in fields]
    if not columns:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    rows = []
    offset = 0
    with _unreadable(path):  # chunk by chunk, as the columnar reader does, so a large file is never held whole
        for frame, meta in pyreadstat.read_file_in_chunks(reader, str(path), chunksize=CHUNK_ROWS,
                                                          user_missing=True, usecols=columns):
            rows.extend(_declared_in_chunk(path, frame, meta, columns, names, is_sav, offset))
            offset += len(frame)
    return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)


def _declared_in_chunk(path: Path, frame: pd.DataFrame, meta, columns: list[str], names: dict[str, str],
                       is_sav: bool, offset: int) -> list[dict]:
    """The declared-missing cells of one chunk whose first case is case ``offset + 1``."""
    rows = []
    for variable in columns:
        labels = meta.variable_value_labels.get(variable) or {}
        ranges = meta.missing_ranges.get(variable, []) if is_sav else []
        column = frame[variable]
        if is_sav:  # only the cells inside a declared range are looked at one by one
            values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
            hit = np.zeros(len(values), dtype=bool)
            for r in ranges:
                hit |= (values >= r["lo"]) & (values <= r["hi"])
        else:  # pyreadstat gives an extended missing value as its letter, so a column of numbers has none
            if column.dtype != object:
                continue
            hit = column.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        for k in np.flatnonzero(hit):
            value = column.iloc[k]
            k = int(k) + offset
            if is_sav and _in_ranges(value, ranges):
                shown = _display_number(value)
                how = f"{shown}, which the SPSS file declares missing"
            elif not is_sav and isinstance(value, str) and len(value) == 1 and "a" <= value <= "z":
                shown = f".{value}"
                how = f"Stata's extended missing value .{value}"
            else:
                continue
            label = labels.get(value)
            rows.append({"file": path.name, "row": k + 1, "column": names.get(variable, variable), "value": shown,
                         "rule": "declared_missing", "severity": "warning",
                         "message": f"`{names.get(variable, variable)}` is {how}"
                                    + (f" ({label!r})" if label else "") + "; read as missing"})
    return rows


def _display_number(value: float) -> str:
    """-99.0 as ``-99``, 2.5 as ``2.5``."""
    return str(int(value)) if float(value).is_integer() else str(value)


