"""Read a CSV or Excel file into raw cells, remembering the row number a person sees in Excel.

Nothing is interpreted here beyond decoding text: types are the job of ``coercion``. CSV files may be
UTF-8 (with or without a byte-order mark) or Windows-1252, as Excel on Windows saves them; the
delimiter may be a comma, semicolon or tab.

The rules every reader of a CSV file follows (a columnar reader must keep them too), each in its own function:

- :func:`sniff_delimiter`: the delimiter is the most frequent of comma, semicolon and tab in the header line.
- :func:`split_records`: quotes must balance within a row. A quote that opens a cell and is not closed on its
  row, so that the cell would run on over later lines that each look like a whole row, or to the end of the
  file, is a *stray quote*: that row alone is held back (``row_problems``, rule ``quote``) and reading carries on
  from the next line. A cell longer than :data:`MAX_CELL_CHARS` is held back the same way (rule ``cell_size``).
  A quoted cell may still hold line breaks (a comment typed over several lines).
- field counts: a row with more non-empty cells than the header has names is an error (``ragged_rows``); a row
  with fewer cells is read with the rest empty and reported as a warning (``short_rows``).
- :func:`detect_decimal_mark`: in a semicolon- or tab-separated file, numbers written ``1,5`` (and none written
  ``1.5``) mean a decimal comma, as Excel saves CSV in much of Europe; the file's decimal mark may also be
  declared (``decimal=","`` or ``"."``). Which mark was used, and why, is reported as a note on the file.
- a file with a header and no data rows is read, with a note saying so; a header of more than
  :data:`MAX_COLUMNS` columns is refused (a wrong delimiter or a stray quote, not a table).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# the raw table and the text rules live in .raw, shared with the columnar reader; RawTable, decode_text and
# sniff_delimiter are still importable from here
from cm_research.data.raw import MAX_CELL_CHARS, MAX_COLUMNS, RawTable, _refuse, decode_text, detect_decimal_mark
from cm_research.data.raw import cut_off_note, not_a_regular_file, sniff_delimiter, undecodable

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


@dataclass
class CsvRecord:
    """One row of a CSV file as split by :func:`split_records`: its cells, the physical line it starts on
    (1-based) and, when the row could not be split faithfully, why (rule, message)."""

    line: int
    cells: list[str]
    problem: tuple[str, str] | None = None


def _loose_cells(line: str, delimiter: str) -> list[str]:
    """A row that could not be parsed as CSV, split at every delimiter with its quote marks kept, so the
    quarantine shows the cells exactly as typed."""
    return line.rstrip("\r\n").split(delimiter)


def _looks_like_row(line: str, delimiter: str, width: int) -> bool:
    """A line that holds a whole row of ``width`` cells on its own (so it is not the rest of a quoted cell)."""
    if width < 2:
        return False
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return False
    return len(cells) == width


def split_records(text: str, delimiter: str, width: int | None = None) -> list[CsvRecord]:
    """Split CSV text into rows, checking that quotes balance within each row (see the module docstring).

    ``width`` is the number of header cells; ``None`` takes it from the first row. A row whose quoted cell runs
    on over lines that each hold a whole row of ``width`` cells, or to the end of the file, or that the csv
    module refuses (text after a closing quote, a cell over :data:`MAX_CELL_CHARS`), is returned alone with a
    ``problem`` and the next row is read from the following line, so one stray quote costs one row, never the
    rest of the file.
    """
    lines = list(io.StringIO(text, newline=""))
    records: list[CsvRecord] = []
    start = 0
    while start < len(lines):
        # lines from ``start`` on without stepping over the earlier ones (islice would: a file of stray quotes, one
        # a row, would take time growing with the square of its length)
        reader = csv.reader((lines[i] for i in range(start, len(lines))), delimiter=delimiter, strict=True)
        consumed = 0
        failed: tuple[str, str] | None = None
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                start = len(lines)
                break
            except csv.Error as exc:
                failed = _quote_problem(str(exc))
                break
            first, consumed = start + consumed, reader.line_num
            if width is None:
                width = len(cells)
            span = lines[first:start + consumed]
            if len(span) > 1 and any(_looks_like_row(line, delimiter, width) for line in span[1:]):
                failed = ("quote", "a quote mark opens a cell that is not closed on this row (the cell would have "
                                   f"run on over {len(span) - 1} more lines that look like rows); check the "
                                   "quote marks in this row")
                consumed = first - start
                break
            if any(len(c) > MAX_CELL_CHARS for c in cells):
                failed = _quote_problem("field larger than field limit")
                consumed = first - start
                break
            records.append(CsvRecord(first + 1, cells))
        if failed is None:
            break
        bad = start + consumed  # the line the failing row starts on
        records.append(CsvRecord(bad + 1, _loose_cells(lines[bad], delimiter), failed))
        start = bad + 1
    return records


def _quote_problem(error: str) -> tuple[str, str]:
    if "field larger" in error:
        return ("cell_size", f"a cell is longer than {MAX_CELL_CHARS:,} characters, which usually means a quote mark "
                             "opens a cell that is never closed; check the quote marks in this row")
    if "end of data" in error:
        return ("quote", "a quote mark opens a cell that is never closed (it would run to the end of the file); "
                         "check the quote marks in this row")
    return ("quote", f"the quote marks in this row do not balance ({error}); a cell that contains a quote mark "
                     "must be written inside quotes with the mark doubled, e.g. \"5\"\" tall\"")


#: ``engine="auto"`` reads a CSV file of this size or more with the columnar reader (:mod:`.columnar`)
COLUMNAR_MIN_BYTES = 8_000_000
ENGINES = ("auto", "python", "columnar")


#: Excel's delimiter line ("sep=;"), which it writes and reads before the header and never shows as a row
_SEP_LINE = re.compile(r"^sep=([,;\t|])[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)
#: what a file named .csv really is, when it is an Office file or an old workbook
_NOT_TEXT = ((b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook, or a Word document) with a .csv name; "
                              "rename it to .xlsx if it is a workbook, or save it from Excel as 'CSV UTF-8'"),
             (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style .xls (or password-protected) workbook with a .csv name; "
                                               "open it in Excel and save it as 'CSV UTF-8'"))


def _read_csv(path: Path, decimal: str | None = None, engine: str = "auto") -> RawTable:
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(16)
    for magic, what in _NOT_TEXT:
        if head.startswith(magic):
            raise _refuse(path, f"it is {what}")
    if head.lstrip(b"\xef\xbb\xbf")[:4].lower() == b"sep=":
        engine = "python"  # the columnar reader knows no delimiter line
    if size and (engine == "columnar" or (engine == "auto" and size >= COLUMNAR_MIN_BYTES)):
        from cm_research.data.columnar import read_csv_columnar

        raw = read_csv_columnar(path, None, decimal)  # reads the file from disk itself
        if raw is not None:
            return raw
    data = path.read_bytes()
    if not data or data.isspace():
        raise _refuse(path, "the file is empty: it has no header row and no data")
    try:
        text, encoding = decode_text(data)
    except UnicodeDecodeError as exc:
        raise _refuse(path, undecodable(data, exc)) from exc
    skipped = 0
    if sep := _SEP_LINE.match(text):  # Excel's "sep=;" line: the delimiter is declared, and row 1 is the next line
        delimiter, text, skipped = sep.group(1), text[sep.end():], 1
    else:
        delimiter = sniff_delimiter(text.split("\n", 1)[0])
    split = split_records(text, delimiter)
    for record in split:
        record.line += skipped  # lines of the file as a text editor counts them
    if split and split[0].problem:
        raise _refuse(path, f"the header row (line {1 + skipped}) cannot be read: {split[0].problem[1]}")
    records = [r.cells for r in split]
    mark, note = detect_decimal_mark(records, delimiter, decimal)
    raw = _from_records(path, records, encoding, check_short=True)
    # records and Excel rows correspond one to one (blank records keep their number)
    for number, record in enumerate(split[1:], start=2):
        if record.problem and number in raw.cells.index:
            rule, message = record.problem
            raw.row_problems.append((number, "", "", rule, f"{message} (line {record.line} of the file)"))
    raw.decimal = mark
    if note:
        raw.notes.append(note)
    return raw


def _excel_value(cell) -> object:
    """What a person sees in the cell: a percentage-formatted 0.85 is ``"85%"``, text with its sign, as a CSV
    holds it (read as the number 85; the sign says the value is a percentage, not a fraction of one)."""
    value = cell.value
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
        return f"{round(value * 100, 10):.15g}%"
    return value


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (a cheap look at the sheet XML, so workbooks of
    plain values are read once)."""
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as member:
                    while chunk := member.read(1 << 20):
                        if _FORMULA_TAG.search(chunk):
                            return True
    return False


def _formulas_without_results(path: Path, sheet_name: str, records: list[list],
                              width: int = 0) -> list[tuple[int, int, str]]:
    """(Excel row, column index, formula) of formula cells whose saved result is empty: a workbook written by a
    program that does not calculate (not Excel) stores the formula without its value, which would read as empty."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        found = []
        sheet = book[sheet_name]
        sheet.reset_dimensions()  # every row and cell, as the values were read (:func:`_read_excel`)
        for r, row in enumerate(sheet.iter_rows(values_only=True, max_col=width or None), start=1):
            cached = records[r - 1] if r - 1 < len(records) else []
            for c, value in enumerate(row):
                formula = value if isinstance(value, str) else getattr(value, "text", None)
                if formula and str(formula).startswith("=") and (c >= len(cached) or cached[c] is None):
                    found.append((r, c, str(formula)))
        return found
    finally:
        book.close()


#: what a damaged .xlsx makes openpyxl, zipfile or zlib raise while reading
_DAMAGED_WORKBOOK = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError, AttributeError,
                     IndexError, SyntaxError)  # lxml's and ElementTree's XML errors are SyntaxErrors


def _not_a_workbook(path: Path) -> str | None:
    """What a file named .xlsx really is when it is not a zip archive (every .xlsx and .xlsm is one), in plain
    English, or None when it is a zip archive."""
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith(b"PK"):
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE compound file
        return ("it is not an .xlsx workbook inside: it is either protected with a password (encrypted) or an "
                "old-style .xls workbook renamed; open it in Excel, remove the password if there is one "
                "(File > Info > Protect Workbook), and save it as .xlsx")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<head")):
        return ("it is a web page (HTML or XML) with an .xlsx name, as some systems export 'Excel' files; open it "
                "in Excel and save it as .xlsx, or export CSV")
    if head and not re.search(rb"[\x00-\x08\x0e-\x1f\x7f]", head):  # text in any 8-bit encoding or UTF-8
        return ("it is a text file (CSV) with an .xlsx name; rename it to .csv, or open it in Excel and save it "
                "as .xlsx")
    return "it is not an Excel workbook (an .xlsx file is a zip archive and this is not one)"


def _fill_merged(records: list[list], ranges: list) -> list[str]:
    """Give every cell of a merged range the value Excel shows across it (stored in its top-left cell only), within
    the rows and columns the sheet has (a range may claim the whole sheet). Returns the ranges filled, as Excel
    names them (e.g. B2:B4)."""
    filled = []
    widest = max((len(row) for row in records), default=0)
    for merged in ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(records) or left >= len(records[top]):
            continue
        value, right = records[top][left], min(merged.max_col, widest)
        for r in range(top, min(merged.max_row, len(records))):
            row = records[r] = list(records[r])  # rows missing from the sheet share one list (_sheet_records)
            row.extend([None] * (right - len(row)))
            for c in range(left, right):
                row[c] = value
        filled.append(merged.coord)
    return filled


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


@dataclass
class SheetScan:
    """What the read-only reader cannot see in a sheet's XML: merged ranges, and rows and columns hidden in Excel
    (by hand or by a filter)."""

    merged: list
    hidden_rows: list[int]
    hidden_columns: list[str]
    #: the last column holding a value (0 for none), and the first cell there: rows are read this wide, whatever
    #: the sheet's <dimension> says (openpyxl's read-only reader trusts it, and pads rows to its width)
    width: int = 0
    widest: str = ""


def _hidden_columns(element) -> list[str]:
    from openpyxl.utils import get_column_letter

    low, high = int(element.get("min") or 0), int(element.get("max") or 0)
    return [get_column_letter(c) for c in range(max(low, 1), min(high, MAX_COLUMNS) + 1)]


def _scan_sheet(path: Path, member: str) -> tuple[str | None, SheetScan]:
    """(why the rows or cells of a sheet's XML cannot be trusted to be read in full, or None; what else it holds,
    :class:`SheetScan`).

    Excel writes rows in increasing order and the cells of a row left to right. A row or cell numbered out of
    order, or twice (a file made by another program, or crafted), is silently skipped or overwritten by the
    read-only reader, so such a sheet is refused. Merged ranges (which the read-only reader cannot see) are
    collected on the way. The XML is read as a stream (lxml, no entities, no network, libxml2's default limits
    on depth and text size), so a large sheet is never held whole."""
    from lxml import etree
    from openpyxl.worksheet.cell_range import CellRange

    last_row, scan = 0, SheetScan([], [], [])
    hidden = ("1", "true")
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as stream:
        for _, element in etree.iterparse(stream, events=("end",),
                                          tag=(f"{_SHEET_NS}row", f"{_SHEET_NS}mergeCell", f"{_SHEET_NS}col"),
                                          resolve_entities=False, no_network=True, huge_tree=False):
            if element.tag == f"{_SHEET_NS}mergeCell":
                scan.merged.append(CellRange(element.get("ref")))
                continue
            if element.tag == f"{_SHEET_NS}col":
                if element.get("hidden") in hidden:
                    scan.hidden_columns += _hidden_columns(element)
                continue
            row, number = element, int(element.get("r") or last_row + 1)
            if number <= last_row:
                return (f"its row {number} comes after row {last_row} in the file (rows out of order or repeated), so "
                        "some rows would be skipped; the file was not saved by Excel or is damaged: open it in Excel "
                        "and save it again"), scan
            if row.get("hidden") in hidden:
                scan.hidden_rows.append(number)
            last_row, last_column = number, 0
            for cell in row.iterchildren(f"{_SHEET_NS}c"):
                ref = _CELL_REF.match(cell.get("r") or "")
                column = _column_number(ref.group(1)) if ref else last_column + 1
                if column <= last_column or (ref and int(ref.group(2)) != number):
                    return (f"cell {cell.get('r')} of row {number} is out of place (cells out of order, repeated or in "
                            "the wrong row), so a value would be lost; the file was not saved by Excel or is "
                            "damaged: open it in Excel and save it again"), scan
                last_column = column
                if column > scan.width and len(cell):  # a value, an inline string or a formula; not a style alone
                    scan.width, scan.widest = column, cell.get("r") or f"column {column} of row {number}"
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
    return None, scan


#: days from Excel's 1900 date system (serial 0 = 1899-12-30) to the Mac 1904 one (serial 0 = 1904-01-01)
DAYS_1900_TO_1904 = 1462


def _sheet_records(sheet, width: int) -> list[list]:
    """The rows of a read-only sheet, ``width`` cells wide (0: as wide as each row), as a person sees them. Rows
    missing from the sheet's XML (a gap before a row 1,048,576) come from openpyxl as one shared empty tuple: they
    share one list here, so a gap of a million rows costs a million references, not thirteen million cells."""
    records: list[list] = []
    previous, values = None, []
    for row in sheet.iter_rows(max_col=width or None):
        if row is not previous:
            previous, values = row, [_excel_value(c) for c in row]
        records.append(values)
    return records


def _read_excel(path: Path, table: str | None) -> RawTable:
    from openpyxl import load_workbook

    from cm_research.data.archives import oversized_archive

    if reason := _not_a_workbook(path):
        raise _refuse(path, reason)
    if reason := oversized_archive(path):
        raise _refuse(path, reason)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError) as exc:
        raise _refuse(path, f"could not be opened as an Excel workbook ({exc})") from exc
    try:
        names = book.sheetnames
        # a hidden sheet is never read in place of what the person sees: visible sheets first, the one named
        # like the table before the others, and an empty one passed over
        states = {ws.title: getattr(ws, "sheet_state", "visible") for ws in book.worksheets}
        hidden = [n for n in names if states.get(n, "visible") != "visible"]
        visible = [n for n in names if n not in hidden] or names
        named = [n for n in visible if table and n.strip().lower() == table.lower()]
        sheet_name, records, scan = names[0], [], SheetScan([], [], [])
        for candidate in named + [n for n in visible if n not in named]:
            sheet_name = candidate
            sheet = book[candidate]
            member = getattr(sheet, "_worksheet_path", None)
            reason, scan = _scan_sheet(path, member) if member else (None, SheetScan([], [], []))
            if reason:
                raise _refuse(path, f"sheet `{sheet_name}`: {reason}")
            if scan.width > MAX_COLUMNS:
                raise _refuse(path, f"sheet `{sheet_name}`: cell {scan.widest} holds a value in column "
                                    f"{scan.width:,}, beyond the {MAX_COLUMNS:,} columns a table could have (a file "
                                    "built to exhaust memory, or a stray value far to the right); delete it in "
                                    "Excel and save the file again")
            if member:
                sheet.reset_dimensions()  # the sheet's <dimension> may claim fewer rows or columns than it has
            records = _sheet_records(sheet, scan.width)
            if any(not _is_blank(v) for row in records for v in row):
                break
        epoch_1904 = getattr(book, "epoch", None) is not None and book.epoch.year == 1904
    except _DAMAGED_WORKBOOK as exc:
        raise _refuse(path, f"the workbook could not be read ({type(exc).__name__}: {exc})") from exc
    finally:
        book.close()
    try:
        formulas = _formulas_without_results(path, sheet_name, records, scan.width) if _has_formulas(path) else []
        merged = _fill_merged(records, scan.merged)
    except _DAMAGED_WORKBOOK as exc:
        raise _refuse(path, f"the workbook could not be read ({type(exc).__name__}: {exc})") from exc
    raw = _from_records(path, records, "xlsx")
    raw.excel_1904 = epoch_1904
    if merged:
        raw.notes.append(f"sheet `{sheet_name}` has merged cells ({', '.join(merged[:10])}"
                         f"{', ...' if len(merged) > 10 else ''}); each cell of a merged range was read as the value "
                         "shown across it; unmerge them in Excel if that is not what is meant")
    raw.notes += _hidden_notes(sheet_name, scan, raw)
    hidden_named = [n for n in hidden if table and n.strip().lower() == table.lower()]
    if hidden_named or (hidden and not named):  # a template's hidden drop-down lists beside its table: nothing to say
        raw.notes.append(f"the workbook has hidden sheet{'s' if len(hidden) > 1 else ''} "
                         f"({', '.join(hidden)}), which {'were' if len(hidden) > 1 else 'was'} not read; only "
                         f"`{sheet_name}`, which can be seen, was read")
    header = list(raw.cells.columns)
    for r, c, formula in formulas:
        if r in raw.cells.index and c < len(header):
            raw.row_problems.append((r, header[c], formula, "formula",
                                     f"the cell holds the formula {formula} but no saved result, so its value "
                                     "is unknown; open the file in Excel and save it (or paste the values)"))
    if len(visible) > 1 and sheet_name.strip().lower() != (table or "").lower():
        which = f"the first sheet, `{sheet_name}`" if sheet_name == visible[0] else f"`{sheet_name}`, the first with data"
        raw.notes.append(f"the workbook has {len(visible)} sheets ({', '.join(visible)}) and none is named "
                         f"{table or 'like the table'}; read {which}; the others were not read")
    return raw


def _spans(numbers: list[int], limit: int = 12) -> str:
    shown = ", ".join(str(n) for n in numbers[:limit])
    return shown + (f" and {len(numbers) - limit:,} more" if len(numbers) > limit else "")


def _hidden_notes(sheet_name: str, scan: SheetScan, raw: RawTable) -> list[str]:
    """Notes on rows of data and columns of the table hidden in Excel (by hand, or by a filter): they are read,
    since hiding is a way of looking, not of deleting, and the person is told, since they did not see them."""
    notes = []
    rows = [r for r in scan.hidden_rows if r in raw.cells.index]
    if rows:
        notes.append(f"sheet `{sheet_name}` has {len(rows):,} hidden row{'s' if len(rows) > 1 else ''} of data "
                     f"(row{'s' if len(rows) > 1 else ''} {_spans(rows)}), hidden in Excel by hand or by a filter; "
                     "they were read like the others: delete them in Excel if they should not be analysed")
    width = raw.cells.shape[1]
    from openpyxl.utils import column_index_from_string

    columns = [c for c in scan.hidden_columns if column_index_from_string(c) <= width]
    if columns:
        notes.append(f"sheet `{sheet_name}` has hidden column{'s' if len(columns) > 1 else ''} "
                     f"({', '.join(f'column {c}' for c in columns[:12])}{', ...' if len(columns) > 12 else ''}), "
                     "which were read like the others")
    return notes


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _from_records(path: Path, records: list[list], encoding: str, check_short: bool = False) -> RawTable:
    known_blank = None  # a blank row's list: rows missing from a sheet share one (_sheet_records)
    while records and (records[-1] is known_blank or all(_is_blank(v) for v in records[-1])):
        known_blank = records.pop()  # trailing empty lines and formatted-but-empty Excel rows
    if not records:
        raise _refuse(path, "the file is empty: it has no header row and no data")
    header = ["" if v is None else str(v).strip() for v in records[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise _refuse(path, "the first row (the header) is empty; it should name the columns")
    if len(header) > MAX_COLUMNS:
        raise _refuse(path, f"the header row has {len(header):,} columns, more than the {MAX_COLUMNS:,} a table of the "
                            "data dictionary could have; check the delimiter and the quote marks in the first row")
    width = len(header)
    rows, index, blank, ragged, short = [], [], [], {}, {}
    for number, record in enumerate(records[1:], start=2):
        if record is known_blank or all(_is_blank(v) for v in record):
            known_blank = record
            blank.append(number)
            continue
        extra = [v for v in record[width:] if not _is_blank(v)]
        if extra:
            ragged[number] = width + len(extra)
        elif check_short and len(record) < width:
            short[number] = len(record)
        cells = list(record[:width]) + [None] * (width - len(record))
        rows.append(cells)
        index.append(number)
    unnamed = [i for i, h in enumerate(header) if not h]
    for i in unnamed:
        header[i] = f"(column {i + 1} has no name)"
    cells = pd.DataFrame(rows, columns=header, index=pd.Index(index, name="row"), dtype=object)
    notes = [] if rows else ["the file has a header row but no rows of data"]
    if note := cut_off_note(len(records)):  # trailing blank rows are removed: the last record is the last row
        notes.append(note)
    return RawTable(path=path, cells=cells, encoding=encoding, blank_rows=blank, ragged_rows=ragged,
                    short_rows=short, notes=notes, top_rows=[list(r) for r in records[:20]])


def read_raw(path: str | Path, table: str | None = None, decimal: str | None = None,
             engine: str = "auto") -> RawTable:
    """Read ``path`` (CSV or XLSX) into raw cells. Raises DataValidationError if it is missing, empty or unreadable.

    ``decimal`` declares a CSV file's decimal mark (``","`` or ``"."``); by default it is detected
    (:func:`detect_decimal_mark`). ``engine`` chooses the CSV reader: ``"python"`` splits rows with the ``csv``
    module; ``"columnar"`` uses pyarrow (:mod:`cm_research.data.columnar`) for every file it can prove clean and
    the ``csv`` module for the rest; ``"auto"`` (the default) is columnar for files of
    :data:`COLUMNAR_MIN_BYTES` or more. All three give the same cells, rows and problems; the columnar reader
    returns Arrow-backed text columns (``string[pyarrow]``) instead of Python objects."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    path = Path(path)
    if not path.exists():
        raise _refuse(path, f"no such file: {path}")
    if reason := not_a_regular_file(path):
        raise _refuse(path, reason)
    suffix = path.suffix.lower()
    from cm_research.data.workbooks import workbook_advice  # Strict Open XML, .ods, .numbers, .xlsb

    if reason := workbook_advice(path):
        raise _refuse(path, reason)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, table)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, decimal, engine)
    if suffix == ".parquet":
        from cm_research.data.columnar import read_parquet

        return read_parquet(path)
    if suffix == ".xls":
        raise _refuse(path, "old-style .xls workbooks are not supported; save it as .xlsx or CSV UTF-8")
    raise _refuse(path, f"unsupported file type {suffix!r}; use .csv or .xlsx")
