"""Read a large CSV file column by column with pyarrow, keeping every rule of :mod:`cm_research.data.reading`.

The row-by-row reader splits every row with Python's ``csv`` module; a national extract of millions of rows
takes minutes that way. This reader hands the file to pyarrow's multi-threaded CSV parser, with every cell read
as text (nothing is interpreted: types stay the job of ``coercion``), into Arrow-backed string columns.

It only reads files it can prove are read the same way as by the row-by-row reader, and otherwise returns
``None`` so that the caller uses that reader for the file. A file is read here when:

- it holds no quote mark at all, so no cell is quoted, can span lines or hold a stray quote
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


def _body(data: bytes) -> tuple[bytes, str] | None:
    """The file as UTF-8 bytes without a byte-order mark, and its encoding as the row-by-row reader names it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = decode_text(data)
        return text.encode("utf-8"), encoding
    try:
        data.decode("utf-8")  # a check only (the text is not kept)
        return data, "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = decode_text(data)
        except UnicodeDecodeError:
            return None  # unreadable text: the row-by-row reader refuses the file with its message
        return text.encode("utf-8"), encoding


def _by_value_mask(codes: np.ndarray, uniques: np.ndarray, test) -> np.ndarray:
    """``test`` applied to each distinct value once, spread back over the rows by their codes."""
    flags = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))
    return flags[codes] if len(flags) else np.zeros(len(codes), dtype=bool)


def read_csv_columnar(path: Path, data: bytes, decimal: str | None = None) -> RawTable | None:
    """Cells of the CSV file ``data`` (the bytes of ``path``) as Arrow-backed text columns with Excel row numbers,
    or ``None`` when the file is not provably clean (see the module docstring) and must be read row by row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if b'"' in data:
        return None
    found = _body(data)
    if found is None:
        return None
    body, encoding = found
    if body.count(b"\r") != body.count(b"\r\n"):
        return None
    body = body.rstrip(b"\r\n")
    end = body.find(b"\n")
    if end < 0:
        return None  # a header and no rows: the row-by-row reader says so
    header_line = body[:end].decode("utf-8").rstrip("\r")
    if len(header_line) > MAX_CELL_CHARS or b"\n\n" in body or b"\n\r\n" in body:
        return None
    delimiter = sniff_delimiter(header_line)
    header = [cell.strip() for cell in header_line.split(delimiter)]
    if not all(header) or len(set(header)) != len(header) or len(header) > MAX_COLUMNS:
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, escape_char=False,
                                             newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, null_values=[], check_utf8=True),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # a line with another number of cells, or text pyarrow cannot read: row by row
    del body, data
    n = table.num_rows
    blank = np.ones(n, dtype=bool)
    comma = False
    for name in names:
        column = table.column(name)
        encoded = column.dictionary_encode().combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        uniques = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
        if any(len(u) > MAX_CELL_CHARS for u in uniques):
            return None
        blank &= _by_value_mask(codes, uniques, lambda u: not u.strip())
        if decimal is None and delimiter != "," and not comma:
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
