"""The table of raw cells every reader returns, and the text rules the row-by-row CSV reader
(:mod:`cm_research.data.reading`) and the columnar one (:mod:`cm_research.data.columnar`) share: decoding, the
delimiter, the decimal mark and the size limits.

Its own module so that the two readers depend on it rather than on each other (``reading`` hands large files to
``columnar``; both follow these rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cm_research.errors import DataValidationError


@dataclass
class RawTable:
    """Cells as read. ``cells`` has one column per header cell and an index of Excel row numbers
    (the header is row 1, so the first data row is row 2)."""

    path: Path
    cells: pd.DataFrame
    encoding: str
    blank_rows: list[int]
    ragged_rows: dict[int, int]  # Excel row -> number of cells, where more cells than the header
    #: (Excel row, column header or "", value, rule, message): cells the reader itself could not read faithfully
    #: (a stray quote, an over-long cell, an Excel formula without a saved result); those rows are held back
    row_problems: list[tuple[int, str, object, str, str]] = field(default_factory=list)
    short_rows: dict[int, int] = field(default_factory=dict)  # Excel row -> number of cells, where fewer
    notes: list[str] = field(default_factory=list)  # facts about the whole file, reported as warnings
    #: (column header, rule, message): facts about a whole column (e.g. times of day dropped from a date
    #: field), reported as warnings naming the column
    column_notes: list[tuple[str, str, str]] = field(default_factory=list)
    decimal: str = "."  # the decimal mark of numbers written as text: "." or ","
    top_rows: list[list] = field(default_factory=list)  # the first rows as read, header included, all their cells
    excel_1904: bool = False  # a workbook in the Mac 1904 date system: date serials count days from 1904-01-01

    @property
    def file(self) -> str:
        return self.path.name


def _refuse(path: Path, message: str) -> DataValidationError:
    problems = pd.DataFrame(
        [{"file": path.name, "row": pd.NA, "column": "", "value": "", "rule": "file", "message": message}]
    )
    return DataValidationError(f"{path.name}: {message}", problems)


#: a character of two to four bytes as UTF-8 writes it (RFC 3629): bytes that are no accident of Windows-1252
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
MIXED_ENCODING = "mixed encodings"


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when ``data`` looks like UTF-16 saved without its byte-order mark (every other
    byte of its first 200 a zero, as in text of Latin letters), else None."""
    head = data[:200] if len(data) % 2 == 0 else b""
    if len(head) < 8:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if odd >= 0.9 * len(head[1::2]) and even == 0:
        return "utf-16-le"
    if even >= 0.9 * len(head[0::2]) and odd == 0:
        return "utf-16-be"
    return None


#: the rows of an Excel sheet, header included; Excel cuts a longer CSV it opens to this many rows
EXCEL_MAX_ROWS = 1_048_576


def cut_off_note(last_row: int) -> str | None:
    """The note for a file whose last row of data is row :data:`EXCEL_MAX_ROWS`, the last row of an Excel sheet:
    if it went through Excel, the rows after it were cut off without a word. None for any other length."""
    if last_row != EXCEL_MAX_ROWS:
        return None
    return (f"the file has exactly {EXCEL_MAX_ROWS:,} rows, the most an Excel sheet can hold: if it was opened or "
            "saved in Excel, rows beyond that were cut off without a word; export the data again as CSV straight "
            "from the system it comes from, or split it")


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` (which exists) cannot be read as a data file, or None: a folder, or a pipe, socket or device,
    which would block a reader for ever (a FIFO waits for a writer) or never end (``/dev/zero``)."""
    import stat

    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        return f"{path.name} is a folder, not a file; give the path of the file inside it"
    if not stat.S_ISREG(mode):
        kind = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not an ordinary file")
        return f"{path.name} is {kind}, not a file of data; it was not opened"
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM allowed), UTF-16 with its BOM (Excel's "Unicode Text") or without it, or,
    failing those, Mac OS Roman when lines end with CR alone (Excel for Mac's "CSV (Macintosh)"), else
    Windows-1252. Returns (text, encoding).

    A file that is UTF-8 in one place and not in another (a row pasted from another file, or damaged) is refused
    (UnicodeDecodeError with reason :data:`MIXED_ENCODING`): reading it all as Windows-1252 would silently turn
    every accented letter of the UTF-8 part into two wrong ones ("Zoë" into "ZoÃ«")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    for bom, encoding in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be")):
        if data.startswith(bom):  # before UTF-16, whose little-endian mark begins UTF-32's
            return data[4:].decode(encoding), "utf-32"
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(encoding), "utf-16"
    if encoding := _utf16_without_bom(data):
        return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            raise UnicodeDecodeError("utf-8", data, exc.start, exc.end, MIXED_ENCODING) from None
        if b"\r" in data and b"\n" not in data:  # lines ended by CR alone: Excel for Mac's "CSV (Macintosh)",
            return data.decode("mac_roman"), "mac_roman"  # which is Mac OS Roman ("é" is byte 0x8E, not 0xE9)
        # Windows-1252 leaves five bytes undefined; those are genuinely unreadable text.
        return data.decode("cp1252"), "cp1252"


def undecodable(data: bytes, exc: UnicodeDecodeError, save_as: str = "'CSV UTF-8'") -> str:
    """Where and why ``data`` could not be decoded (:func:`decode_text`), for a person: the line, the byte, and
    what to do."""
    line = data[: exc.start].count(b"\n") + 1
    if exc.reason == MIXED_ENCODING:
        where = f"line {line} (byte {exc.start:,}, {data[exc.start:exc.start + 1]!r})"
        return (f"the file mixes two encodings: most of it is UTF-8 text, but {where} is not, so reading it either "
                f"way would garble some letters; open it in Excel or a text editor and save it again as {save_as}")
    return (f"byte {exc.start} is neither UTF-8 nor Windows-1252 ({data[exc.start:exc.start + 1]!r} on line {line}), "
            f"so the file is not readable text; save it again as {save_as}")


#: the longest cell a CSV row may hold (Python's csv module default); a longer one is almost always a stray quote
MAX_CELL_CHARS = 131_072
DELIMITERS = (",", ";", "\t")
#: the most columns a header may name (a dictionary table has a few dozen; Excel allows 16,384)
MAX_COLUMNS = 1_000
_DECIMAL_COMMA = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+%?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d+\.\d+%?$")
_THOUSANDS_POINT = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")  # "1.234": a thousands point or a decimal point



def sniff_delimiter(first_line: str) -> str:
    """The most frequent of comma, semicolon and tab in the header line (comma on a tie)."""
    return max(DELIMITERS, key=first_line.count)


def detect_decimal_mark(records: list[list], delimiter: str, declared: str | None = None) -> tuple[str, str]:
    """(decimal mark, note) for a CSV file's numbers written as text.

    A declared mark (``","`` or ``"."``) wins. Otherwise a comma-separated file uses ``"."``; a semicolon- or
    tab-separated file uses ``","`` when some cell is written like ``1,5`` or ``1.234,5`` and none like ``1.5``
    (the way Excel saves CSV where the comma is the decimal mark). The note says which was used and why ("" when
    nothing needs saying).
    """
    if declared is not None:
        if declared not in (",", "."):
            raise ValueError(f"decimal must be ',' or '.', not {declared!r}")
        return declared, f"numbers read with a decimal {'comma' if declared == ',' else 'point'}, as declared"
    if delimiter == ",":
        return ".", ""
    comma = point = None
    for record in records[1:]:
        for cell in record:
            if not isinstance(cell, str):
                continue
            value = cell.strip()
            if comma is None and _DECIMAL_COMMA.match(value):
                comma = value
            elif point is None and _DECIMAL_POINT.match(value) and not _THOUSANDS_POINT.match(value):
                point = value
        if comma is not None and point is not None:
            break
    name = "semicolon" if delimiter == ";" else "tab"
    if comma is not None and point is None:
        return ",", (f"numbers read with a decimal comma ({comma!r} is read as {comma.replace('.', '').replace(',', '.')}), "
                     f"as Excel saves {name}-separated CSV where the comma is the decimal mark")
    if comma is not None:
        return ".", (f"numbers are written both with a decimal comma ({comma!r}) and a decimal point ({point!r}); "
                     "read with a decimal point, and numbers with a comma are reported")
    return ".", ""
