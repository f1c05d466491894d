"""Read a large CSV file column by column with pyarrow, keeping every rule of :mod:`cm_research.data.reading`.

The row-by-row reader splits every row with Python's ``csv`` module; a national extract of millions of rows
takes minutes that way. This reader hands the file to pyarrow's multi-threaded CSV parser, with every cell read
as text (nothing is interpreted: types stay the job of ``coercion``), into Arrow-backed string columns.

It only reads files it can prove are read the same way as by the row-by-row reader, and otherwise returns
``None`` so that the caller uses that reader for the file. A file is read here when:

- no quote mark after its header line (whose names may be quoted, as many exporting programs write them), or,
  in a UTF-8 file, quotes used only as Excel, R, SPSS and Stata write them: a cell wholly inside quotes, with
  quote marks within it doubled, that closes on its own line (:func:`_quotes_close_on_each_line`); so no cell
  spans lines or holds a stray quote (:func:`~cm_research.data.reading.split_records` would find nothing to do);
- every line holds exactly as many cells as the header names (pyarrow refuses any other line, so there are
  no ragged or short rows to report), and no line is empty;
- line ends are ``\\n`` or ``\\r\\n`` only;
- its header has no empty or repeated names and at most :data:`~cm_research.data.raw.MAX_COLUMNS` columns,
  and no cell is longer than :data:`~cm_research.data.raw.MAX_CELL_CHARS`;
- its decimal mark is not in doubt: a comma-separated file, a declared mark, or a semicolon- or tab-separated
  file with no number written with a decimal comma (:func:`~cm_research.data.raw.detect_decimal_mark`
  would find nothing to say).

Rows whose every cell is blank are recorded as blank rows (and trailing ones dropped) exactly as the row-by-row
reader does. Encodings are the same: UTF-8 with or without a byte-order mark, UTF-16 with its mark, otherwise
Windows-1252 (re-encoded as UTF-8 for pyarrow).

Memory: a UTF-8 file ending in at most one line end is checked in pieces of :data:`_SCAN_BYTES` (:func:`_scan`)
and pyarrow reads it from disk, so the file is never held whole beside its cells; cells are read straight into
``large_string`` columns, the type pandas keeps its Arrow text in (no cast, no copy). Other files (Windows-1252,
UTF-16, several trailing line ends) are read into memory and checked there (:func:`_read_in_memory`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cm_research.data.memory import release_memory
from cm_research.data.raw import (
    _DECIMAL_COMMA,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    RawTable,
    _refuse,
    cut_off_note,
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


#: the file is looked through in pieces of this many bytes, never held whole, when pyarrow can read it from disk
_SCAN_BYTES = 1 << 24


@dataclass
class _Scan:
    """What a look through a file on disk found: its encoding, header line, and whether any quote mark follows
    the header."""

    encoding: str
    header_line: str
    quoted: bool


def _scan(path: Path) -> _Scan | None:
    """The checks of the module docstring made on the bytes of ``path``, read :data:`_SCAN_BYTES` at a time, for a
    UTF-8 file (with or without a byte-order mark) ending in at most one line end; ``None`` for any other file
    (which is then read into memory and checked as a whole)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(min(size, _SCAN_BYTES))
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None
        encoding, skip = ("utf-8-sig", 3) if head.startswith(b"\xef\xbb\xbf") else ("utf-8", 0)
        f.seek(max(0, size - 4))
        tail = f.read()
        ending = tail[len(tail.rstrip(b"\r\n")):]
        if ending not in (b"", b"\n", b"\r\n"):
            return None
        stop = size - len(ending)
        end = head.find(b"\n")
        if end < 0 or end >= stop:
            return None
        try:
            header_line = head[skip:end].decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            return None
        quoted = False
        f.seek(0)
        done, last_line_end = 0, -10  # the position of the last line end seen (none yet)
        while done < stop:
            chunk = f.read(min(_SCAN_BYTES, stop - done))
            if chunk.endswith(b"\r") and done + len(chunk) < stop:
                chunk += f.read(1)  # a line end is never split between two pieces
            if not chunk:
                return None
            if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):
                return None  # a carriage return alone
            # an empty line: two line ends one after the other ("\n\n", or "\n\r\n" since every \r is a line end's)
            ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 0x0A) + done
            if len(ends):
                gaps = np.diff(ends, prepend=last_line_end)
                if (gaps == 1).any() or ((gaps == 2) & (np.frombuffer(chunk, dtype=np.uint8)[
                        np.clip(ends - done - 1, 0, None)] == 0x0D)).any():
                    return None
                last_line_end = int(ends[-1])
            if not quoted:
                first = max(0, end + 1 - done)
                quoted = chunk.find(b'"', first) >= 0 if first < len(chunk) else False
            done += len(chunk)
    return _Scan(encoding, header_line, quoted)


def _header(header_line: str) -> tuple[str, list[str]] | None:
    """(delimiter, names) of a header line the columnar reader can take: names may be quoted, none empty or
    repeated, at most :data:`MAX_COLUMNS` of them."""
    if len(header_line) > MAX_CELL_CHARS:
        return None
    delimiter = sniff_delimiter(header_line)
    try:  # the header alone may be quoted, as many exporting programs write it
        header = [cell.strip() for cell in next(csv.reader([header_line], delimiter=delimiter, strict=True))]
    except (csv.Error, StopIteration):
        return None
    if not all(header) or len(set(header)) != len(header) or len(header) > MAX_COLUMNS:
        return None
    return delimiter, header


def _quotes_close_on_each_line(path: Path, delimiter: str) -> bool:
    """Whether every line after the header is a whole row whose quoted cells open and close on it: each cell is
    either written without any quote mark, or wholly inside quotes with quote marks within doubled (``"5"" tall"``),
    as Excel, R, SPSS and Stata write CSV. Such a file is read by pyarrow exactly as by the ``csv`` module; any
    other use of quotes (a cell running over lines, a stray or unclosed quote, text after a closing quote) is left
    to :func:`~cm_research.data.reading.split_records`. Checked with one regular expression over every line."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    d = "\\t" if delimiter == "\t" else delimiter
    cell = f'(?:"(?:[^"]|"")*"|[^"{d}]*)'
    try:
        lines = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(column_names=["line"], skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter="\x1f", quote_char=False, escape_char=False,
                                             newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={"line": pa.large_string()}, strings_can_be_null=False,
                                                 null_values=[], check_utf8=True)).column("line")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    whole = pc.match_substring_regex(lines, f"^{cell}(?:{d}{cell})*$")
    return bool(pc.all(whole).as_py() is not False)


def _arrow_read(source, width: int, delimiter: str, quoted: bool = False):
    """Every cell of the rows after the header as Arrow text (``large_string``, as pandas keeps text); with
    ``quoted``, cells in quotes are read as the ``csv`` module reads them (the quotes removed, doubled quotes
    made single)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    return pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"' if quoted else False,
                                         double_quote=True, escape_char=False,
                                         newlines_in_values=False, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                             strings_can_be_null=False, null_values=[], check_utf8=True),
    )


def read_csv_columnar(path: Path, data: bytes | None = None, decimal: str | None = None) -> RawTable | None:
    """Cells of the CSV file ``path`` as Arrow-backed text columns with Excel row numbers, or ``None`` when the
    file is not provably clean (see the module docstring) and must be read row by row.

    A UTF-8 file is looked through in pieces and handed to pyarrow by name, so it is never held whole in memory
    beside its cells; any other (``data``, its bytes, if already read) is checked and read in memory."""
    import pyarrow as pa

    scan = _scan(path)
    if scan is None:
        return _read_in_memory(path, path.read_bytes() if data is None else data, decimal)
    found = _header(scan.header_line)
    if found is None:
        return None
    delimiter, header = found
    if scan.quoted and not _quotes_close_on_each_line(path, delimiter):
        return None
    try:
        table = _arrow_read(str(path), len(header), delimiter, quoted=scan.quoted)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        if "utf8" in str(exc).lower():  # not UTF-8: decode it as the row-by-row reader would
            return _read_in_memory(path, path.read_bytes() if data is None else data, decimal, check=True)
        return None  # a line with another number of cells, or text pyarrow cannot read: row by row
    return _finish(path, table, header, scan.encoding, delimiter, decimal)


def _read_in_memory(path: Path, data: bytes, decimal: str | None, check: bool = False) -> RawTable | None:
    """:func:`read_csv_columnar` for a file held in memory as ``data`` (its bytes)."""
    import pyarrow as pa

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
        return None if check else _read_in_memory(path, data, decimal, check=True)
    if (body.find(b'"', end, stop) >= 0 or body.find(b"\n\n", 0, stop) >= 0
            or body.find(b"\n\r\n", 0, stop) >= 0):
        return None
    found_header = _header(header_line)
    if found_header is None:
        return None
    delimiter, header = found_header
    try:
        table = _arrow_read(pa.py_buffer(memoryview(body)[:stop]), len(header), delimiter)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        if "utf8" in str(exc).lower() and not check:  # not UTF-8: decode it as the row-by-row reader would
            return _read_in_memory(path, data, decimal, check=True)
        return None  # a line with another number of cells, or text pyarrow cannot read: row by row
    del body, data
    return _finish(path, table, header, encoding, delimiter, decimal)


def _first_bytes(column) -> tuple[np.ndarray, np.ndarray]:
    """(first byte, length in bytes) of every cell of an Arrow text column, read from its buffers without
    building a Python object (an empty cell's first byte is 0)."""
    import pyarrow as pa

    firsts, lengths = [], []
    for chunk in column.chunks:
        _, offsets, values = chunk.buffers()[:3]
        kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets, dtype=kind)[chunk.offset:chunk.offset + len(chunk) + 1]
        length = np.diff(offsets)
        data = np.frombuffer(values, dtype=np.uint8) if values is not None and values.size else np.zeros(1, np.uint8)
        first = data[np.minimum(offsets[:-1], len(data) - 1)]
        firsts.append(np.where(length > 0, first, 0).astype(np.uint8))
        lengths.append(length)
    if not firsts:
        return np.zeros(0, np.uint8), np.zeros(0, np.int64)
    return np.concatenate(firsts), np.concatenate(lengths)


def _finish(path: Path, table, header: list[str], encoding: str, delimiter: str, decimal: str | None) -> RawTable | None:
    """The RawTable of cells read by pyarrow: blank rows found and dropped, cell lengths and the decimal mark
    checked as the row-by-row reader would; ``None`` if the file must be read row by row after all."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    candidates = np.arange(n)  # the rows that could still be blank (every cell so far blank)
    comma = False
    for i, column in enumerate(table.columns):
        if n and ((pc.max(pc.binary_length(column)).as_py() or 0) > MAX_CELL_CHARS
                  and (pc.max(pc.utf8_length(column)).as_py() or 0) > MAX_CELL_CHARS):
            return None
        if len(candidates):
            cells = column if i == 0 else column.take(pa.array(candidates))
            first, length = _first_bytes(cells)
            # a cell starting with a printable ASCII character is not blank, an empty one is; the rest (a leading
            # space or a letter beyond ASCII) are asked of Python
            blank = length == 0
            ask = np.flatnonzero(((first < 0x21) | (first > 0x7E)) & (length > 0))
            if len(ask):
                blank[ask] = [not c.strip() for c in cells.take(pa.array(ask)).to_pylist()]
            candidates = candidates[blank]
        if decimal is None and delimiter != "," and not comma:
            uniques = pc.unique(column).to_pylist()
            comma = any(_DECIMAL_COMMA.match(u.strip()) for u in uniques)
    if comma:
        return None  # a decimal comma: the row-by-row reader decides and notes it with its first example
    if not n or len(candidates) == n:
        return None
    if len(candidates):
        blank = np.zeros(n, dtype=bool)
        blank[candidates] = True
        kept = np.flatnonzero(~blank)
        last = kept[-1]  # blank rows after the last row of data are trailing empty lines, not blank rows
        blank_rows = [int(r) + 2 for r in candidates if r < last]
        table = table.take(pa.array(kept))
        index = pd.Index(kept + 2, name="row")
    else:  # no blank row: the rows are numbered 2, 3, ... without an array of numbers
        blank_rows, index = [], pd.RangeIndex(2, n + 2, name="row")
    cells = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get, self_destruct=True)
    del table
    release_memory()  # the parser's working blocks, kept by pyarrow's allocator for reuse
    cells.index = index
    cells.columns = header
    raw = RawTable(path=path, cells=cells, encoding=encoding, blank_rows=blank_rows, ragged_rows={})
    mark, note = detect_decimal_mark([], delimiter, decimal)
    raw.decimal = mark
    if note:
        raw.notes.append(note)
    if len(index) and (cut := cut_off_note(int(index[-1]))):
        raw.notes.append(cut)
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
