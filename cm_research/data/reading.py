"""Read a CSV or Excel file into raw cells, remembering the row number a person sees in Excel.

Nothing is interpreted here beyond decoding text: types are the job of ``coercion``. CSV files may be
UTF-8 (with or without a byte-order mark) or Windows-1252, as Excel on Windows saves them; the
delimiter may be a comma, semicolon or tab.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cm_research.errors import DataValidationError

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


@dataclass
class RawTable:
    """Cells as read. ``cells`` has one column per header cell and an index of Excel row numbers
    (the header is row 1, so the first data row is row 2)."""

    path: Path
    cells: pd.DataFrame
    encoding: str
    blank_rows: list[int]
    ragged_rows: dict[int, int]  # Excel row -> number of cells, where more cells than the header

    @property
    def file(self) -> str:
        return self.path.name


def _refuse(path: Path, message: str) -> DataValidationError:
    problems = pd.DataFrame(
        [{"file": path.name, "row": pd.NA, "column": "", "value": "", "rule": "file", "message": message}]
    )
    return DataValidationError(f"{path.name}: {message}", problems)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM allowed) or, failing that, Windows-1252. Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined; those are genuinely unreadable text.
        return data.decode("cp1252"), "cp1252"


def _read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise _refuse(path, "the file is empty: it has no header row and no data")
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError as exc:
        raise _refuse(
            path, f"the file is not readable text (byte {exc.start} is neither UTF-8 nor Windows-1252); "
            "save it again from Excel as 'CSV UTF-8'"
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return _from_records(path, records, encoding)


def _excel_value(cell) -> object:
    """What a person sees in the cell: a percentage-formatted 0.85 is 85 (%)."""
    value = cell.value
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return round(value * 100, 10)
    return value


def _read_excel(path: Path, table: str | None) -> RawTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _refuse(path, f"could not be opened as an Excel workbook ({exc})") from exc
    try:
        names = book.sheetnames
        sheet_name = next((n for n in names if table and n.strip().lower() == table.lower()), names[0])
        records = [[_excel_value(c) for c in row] for row in book[sheet_name].iter_rows()]
    finally:
        book.close()
    return _from_records(path, records, "xlsx")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _from_records(path: Path, records: list[list], encoding: str) -> RawTable:
    while records and all(_is_blank(v) for v in records[-1]):
        records.pop()  # trailing empty lines and formatted-but-empty Excel rows
    if not records:
        raise _refuse(path, "the file is empty: it has no header row and no data")
    header = ["" if v is None else str(v).strip() for v in records[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise _refuse(path, "the first row (the header) is empty; it should name the columns")
    width = len(header)
    rows, index, blank, ragged = [], [], [], {}
    for number, record in enumerate(records[1:], start=2):
        if all(_is_blank(v) for v in record):
            blank.append(number)
            continue
        extra = [v for v in record[width:] if not _is_blank(v)]
        if extra:
            ragged[number] = width + len(extra)
        cells = list(record[:width]) + [None] * (width - len(record))
        rows.append(cells)
        index.append(number)
    unnamed = [i for i, h in enumerate(header) if not h]
    for i in unnamed:
        header[i] = f"(column {i + 1} has no name)"
    cells = pd.DataFrame(rows, columns=header, index=pd.Index(index, name="row"), dtype=object)
    return RawTable(path=path, cells=cells, encoding=encoding, blank_rows=blank, ragged_rows=ragged)


def read_raw(path: str | Path, table: str | None = None) -> RawTable:
    """Read ``path`` (CSV or XLSX) into raw cells. Raises DataValidationError if it is missing, empty or unreadable."""
    path = Path(path)
    if not path.exists():
        raise _refuse(path, f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, table)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    if suffix == ".xls":
        raise _refuse(path, "old-style .xls workbooks are not supported; save it as .xlsx or CSV UTF-8")
    raise _refuse(path, f"unsupported file type {suffix!r}; use .csv or .xlsx")
