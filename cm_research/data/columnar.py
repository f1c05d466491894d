"""Read a large CSV file column by column with pyarrow, keeping every rule of :mod:`cm_research.data.reading`.

The row-by-row reader splits every row with Python's ``csv`` module; a national extract of millions of rows
takes minutes that way. This reader hands the file to pyarrow's multi-threaded CSV parser, with every cell read
as text (nothing is interpreted: types stay the job of ``coercion``), into Arrow-backed string columns.

It only reads files it can prove are read the same way as by the row-by-row reader, and otherwise returns
``None`` so that the caller uses that reader for the file. A file is read here when:

- no quote mark after its header line (whose names may be quoted, as many exporting programs write them), so
  no cell is quoted, can span lines or hold a stray quote
  (:func:`~cm_research.data.reading.split_records` has nothing to do);
- every line holds exactly as many cells as the header names (pyarrow refuses any other line, so there are
  no ragged or short rows to report), and no line is empty;
- line ends are ``\\n`` or ``\\r\\n`` only;
- its header has no empty or repeated names and at most :data:`~cm_research.data.reading.MAX_COLUMNS` columns,
  and no cell is longer than :data:`~cm_research.data.reading.MAX_CELL_CHARS`;
- its decimal mark is not in doubt: a comma-separated file, a declared mark, or a semicolon- or tab-separated
  file with no number written with a decimal comma (:func:`~cm_research.data.reading.detect_decimal_mark`
  would find nothing to say).

Rows whose every cell is blank are recorded as blank rows (and trailing ones dropped) exactly as the row-by-row
reader does. Encodings are the same: UTF-8 with or without a byte-order mark, UTF-16 with its mark, otherwise
Windows-1252 (re-encoded as UTF-8 for pyarrow).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from cm_research.data.reading import (
    _DECIMAL_COMMA,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    RawTable,
    decode_text,
    detect_decimal_mark,
    sniff_delimiter,
)


def _body(data: bytes, check: bool = False) -> tuple[bytes, str] | None:
    """The file as UTF-8 bytes without a byte-order mark, and its encoding as the row-by-row reader names it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = decode_text(data)
        return text.encode("utf-8"), encoding
    if not check:  # taken to be UTF-8; pyarrow checks as it reads (a Python decode would copy the file)
        return data, "utf-8"
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError:
        return None  # unreadable text: the row-by-row reader refuses the file with its message
    return text.encode("utf-8"), encoding


def read_csv_columnar(path: Path, data: bytes, decimal: str | None = None, check: bool = False) -> RawTable | None:
    """Cells of the CSV file ``data`` (the bytes of ``path``) as Arrow-backed text columns with Excel row numbers,
    or ``None`` when the file is not provably clean (see the module docstring) and must be read row by row."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    found = _body(data, check)
    if found is None:
        return None
    body, encoding = found
    if body.count(b"\r") != body.count(b"\r\n"):
        return None
    stop = len(body)
    while stop and body[stop - 1] in b"\r\n":  # trailing line ends are dropped (without copying the file)
        stop -= 1
    end = body.find(b"\n", 0, stop)
    if end < 0:
        return None  # a header and no rows: the row-by-row reader says so
    try:
        header_line = body[:end].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None if check else read_csv_columnar(path, data, decimal, check=True)
    if (body.find(b'"', end, stop) >= 0 or len(header_line) > MAX_CELL_CHARS or body.find(b"\n\n", 0, stop) >= 0
            or body.find(b"\n\r\n", 0, stop) >= 0):
        return None
    delimiter = sniff_delimiter(header_line)
    try:  # the header alone may be quoted, as many exporting programs write it
        header = [cell.strip() for cell in next(csv.reader([header_line], delimiter=delimiter, strict=True))]
    except (csv.Error, StopIteration):
        return None
    if not all(header) or len(set(header)) != len(header) or len(header) > MAX_COLUMNS:
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(memoryview(body)[:stop]),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, escape_char=False,
                                             newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, null_values=[], check_utf8=True),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        if "utf8" in str(exc).lower() and not check:  # not UTF-8: decode it as the row-by-row reader would
            return read_csv_columnar(path, data, decimal, check=True)
        return None  # a line with another number of cells, or text pyarrow cannot read: row by row
    del body, data
    n = table.num_rows
    blank = np.ones(n, dtype=bool)
    comma = False
    for name in names:
        column = table.column(name)
        if n and (pc.max(pc.utf8_length(column)).as_py() or 0) > MAX_CELL_CHARS:
            return None
        # a cell holding a printable ASCII character is not blank; the others are checked as Python would
        maybe = blank & ~pc.match_substring_regex(column, "[!-~]").to_numpy(zero_copy_only=False)
        empty = (pc.utf8_length(column).to_numpy(zero_copy_only=False) == 0)
        blank = maybe & empty  # empty cells are blank; other candidates (spaces alone) are asked of Python
        maybe &= ~empty
        where = np.flatnonzero(maybe)
        if len(where):
            cells = column.take(pa.array(where)).to_pylist()
            blank[where] = [not c.strip() for c in cells]
        if decimal is None and delimiter != "," and not comma:
            uniques = pc.unique(column).to_pylist()
            comma = any(_DECIMAL_COMMA.match(u.strip()) for u in uniques)
    if comma:
        return None  # a decimal comma: the row-by-row reader decides and notes it with its first example
    rows = np.arange(2, n + 2)
    kept = np.flatnonzero(~blank)
    if not len(kept):
        return None
    last = kept[-1]  # blank rows after the last row of data are trailing empty lines, not blank rows
    blank_rows = [int(r) for r in rows[:last + 1][blank[:last + 1]]]
    if blank[:last + 1].any():
        table = table.take(pa.array(kept))
    cells = table.rename_columns(header).to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    cells.index = pd.Index(rows[kept], name="row")
    cells.columns = header
    raw = RawTable(path=path, cells=cells, encoding=encoding, blank_rows=blank_rows, ragged_rows={})
    mark, note = detect_decimal_mark([], delimiter, decimal)
    raw.decimal = mark
    if note:
        raw.notes.append(note)
    return raw


def read_parquet(path: Path) -> RawTable:
    """Cells of a Parquet file as Arrow-backed text columns, as the CSV readers give them, so that one set of rules
    checks every format: integers and decimals become their text (``9``, ``91.5``), dates ISO text
    (``2024-07-31``), true/false ``true``/``false``; null (and a float NaN) is an empty cell. Rows are numbered
    as in a CSV file with a header: the first row of data is row 2. A row whose every cell is null is a blank
    row, as in CSV. Columns are read in row groups by pyarrow, so the file is not held as Python objects."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from cm_research.data.reading import _refuse

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise _refuse(path, f"could not be read as a Parquet file ({exc})") from exc
    header = [str(name).strip() for name in table.column_names]
    if not header:
        raise _refuse(path, "the file is empty: it has no columns")
    columns = []
    for column in table.columns:
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        columns.append(column if pa.types.is_string(column.type) else pc.cast(column, pa.string()))
    text = pa.table(columns, names=[f"c{i}" for i in range(len(columns))])
    blank = np.ones(text.num_rows, dtype=bool)
    for column in text.columns:
        blank &= column.is_null().to_numpy(zero_copy_only=False)
    rows = np.arange(2, text.num_rows + 2)
    kept = np.flatnonzero(~blank)
    if blank.any():
        text = text.take(pa.array(kept))
    cells = text.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    cells.columns = header
    cells.index = pd.Index(rows[kept], name="row")
    raw = RawTable(path=path, cells=cells, encoding="parquet", blank_rows=[int(r) for r in rows[blank]], ragged_rows={})
    if not len(cells):
        raw.notes.append("the file has a header row but no rows of data")
    return raw
