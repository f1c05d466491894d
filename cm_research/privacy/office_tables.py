"""The tables inside a published Word document or Excel workbook, as the text tables the disclosure audit reads.

A run for publication writes Word copies of its reports (:mod:`cm_research.report.word`) and may hold
workbooks; their tables carry the same counts of people as the CSVs beside them, so the audit
(:func:`cm_research.privacy.audit.audit_office`) hands each one, as a DataFrame of text, to the checks it runs
on a CSV. This module only reads:

- a workbook (``.xlsx``, ``.xlsm``): every sheet, hidden ones too (whatever is in the file is published). The
  header is the first row with anything in it, as a CSV's is its first line -- except a caption row, a row
  whose only filled cell is its first while a later row fills more (the framework matrix's "Framework matrix:
  ..." line above its headers, :func:`cm_research.qual.framework.write_framework_xlsx`), which is skipped.
  Blank rows are left out; every other row keeps its row number in the sheet;
- a Word document (``.docx``, ``.docm``): every table, nested ones too, in document order. Its header rows
  are the leading rows marked to repeat on each page (``w:tblHeader``, as :func:`cm_research.report.word._word_table`
  writes them; one row when none is marked); the column names are the last header row's cells, an empty one
  taking the name above it (a spanning heading is repeated in each cell it spans).

Cells become text as a CSV shows them: whole numbers without a decimal point (Excel stores ``3`` as ``3`` or
``3.0``), empty cells as ``""``. Duplicate and empty column names are made unique as :func:`pandas.read_csv`
makes them (``n``, ``n.1``; ``Unnamed: 2``), so every check sees one column per name.

A report shows headings in words ("Measured twice", "Ended early"), not the CSV's column names (``n_pairs``,
``ended_early``) the audit's rules are written for: :func:`source_column` turns a heading back into the column it
was made from -- :data:`cm_research.report.tables.HEADINGS` and the data dictionary's titles read backwards, the
renames the report notebooks make themselves (:data:`NOTEBOOK_HEADINGS`), and otherwise
:func:`cm_research.report.tables.column_heading`'s wording undone ("% of mentored" -> ``pct_of_mentored``,
"Number of sessions" -> ``n_sessions``).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
WORD_SUFFIXES = (".docx", ".docm")
#: headings the report notebooks give columns themselves (``.rename(columns=...)`` before ``show_table``):
#: notebooks/07_action_research.ipynb (survey answers and change) and 03_thematic_analysis.ipynb
NOTEBOOK_HEADINGS = {
    "don't know": "n_dont_know", "% disagree": "pct_disagree", "% neutral": "pct_neutral", "% agree": "pct_agree",
    "answered both": "n_pairs", "more agreed": "n_higher", "same": "n_same", "less agreed": "n_lower",
    "median change": "median_change", "sentences with a suggestion": "suggested_segments",
    "flagged as negated": "flagged_negated",
}


@lru_cache(maxsize=1)
def _headings() -> dict[str, str]:
    """Heading (lower case) -> column, from the report's headings and the data dictionary's titles."""
    from cm_research.contract import HEADINGS

    found: dict[str, str] = {}
    for column, heading in HEADINGS.items():  # HEADINGS come first, as in column_heading; the first column
        found.setdefault(heading.lower(), column)  # with a heading wins ("Mentored": n_treated, as the rules read it)
    try:
        from cm_research.dictionary import load_schemas

        for schema in load_schemas().values():
            for f in schema.fields:
                found.setdefault(f.title.strip().lower(), f.name)
    except Exception:  # noqa: BLE001 -- the audit must still run when the dictionary cannot be read
        pass
    found.update(NOTEBOOK_HEADINGS)
    return found


def source_column(heading: str) -> str:
    """The column a report heading was made from (module docstring); a heading that is already a column name
    (lower-case words joined by ``_``) is kept."""
    text = heading.strip()
    if re.fullmatch(r"[a-z0-9_]+", text):
        return text
    known = _headings().get(text.lower())
    if known:
        return known
    words = text.lower()
    words = re.sub(r"^% ", "pct ", words)
    words = re.sub(r" \(%\)$", " pct", words)
    words = re.sub(r"^number of ", "n ", words)
    snake = re.sub(r"[^a-z0-9]+", "_", words).strip("_")
    return snake or text


@dataclass
class OfficeTable:
    """One table of an Office file: ``where`` names it (``sheet `Counts```, ``table 2``); ``rows[i]`` is the row
    number, in the sheet or the Word table (header rows counted), of ``frame``'s i-th row."""

    where: str
    frame: pd.DataFrame
    rows: list[int]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    return str(value).strip()


def _unique(names: list[str]) -> list[str]:
    """Column names as :func:`pandas.read_csv` makes them: ``Unnamed: i`` for an empty one, ``.1``, ``.2`` after
    a repeated one."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        name = name or f"Unnamed: {i}"
        base, k = name, seen.get(name, 0)
        while name in seen:
            k += 1
            name = f"{base}.{k}"
        seen[base] = k
        seen[name] = 0
        out.append(name)
    return out


def _frame(header: list[str], body: list[tuple[int, list[str]]]) -> tuple[pd.DataFrame, list[int]]:
    width = max([len(header)] + [len(cells) for _, cells in body])
    columns = _unique(header + [""] * (width - len(header)))
    records = [cells + [""] * (width - len(cells)) for _, cells in body]
    return pd.DataFrame(records, columns=columns, dtype=str), [number for number, _ in body]


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c)


def workbook_tables(path: str | Path) -> Iterator[OfficeTable]:
    """Each sheet of the workbook at ``path`` with a header row, as an :class:`OfficeTable` (module docstring)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # the read-only reader would stop at a <dimension> claiming too few rows
            rows = [(number, [_text(v) for v in values])
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
            rows = [(number, cells) for number, cells in rows if _filled(cells)]
            if not rows:
                continue
            start = 0
            widest_after = [0] * len(rows)
            for i in range(len(rows) - 2, -1, -1):
                widest_after[i] = max(widest_after[i + 1], _filled(rows[i + 1][1]))
            while (start < len(rows) - 1 and _filled(rows[start][1]) == 1 and rows[start][1][0]
                   and widest_after[start] > 1):
                start += 1  # a caption above the headers
            header = rows[start][1]
            while header and not header[-1]:
                header = header[:-1]
            frame, numbers = _frame(header, rows[start + 1:])
            yield OfficeTable(f"sheet `{sheet.title}`", frame, numbers)
    finally:
        book.close()


def _header_rows(table) -> int:
    from docx.oxml.ns import qn

    count = 0
    for tr in table._tbl.tr_lst:
        pr = tr.trPr
        if pr is None or pr.find(qn("w:tblHeader")) is None:
            break
        count += 1
    return max(1, count)


def _all_tables(tables) -> Iterator:
    for table in tables:
        yield table
        for row in table.rows:
            for cell in row.cells:
                yield from _all_tables(cell.tables)


def word_tables(path: str | Path) -> Iterator[OfficeTable]:
    """Each table of the Word document at ``path`` with at least one row, as an :class:`OfficeTable` (module
    docstring); ``where`` is ``table N``, N counting the document's tables from 1."""
    from docx import Document

    doc = Document(str(path))
    for number, table in enumerate(_all_tables(doc.tables), start=1):
        rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        if not rows:
            continue
        head = min(_header_rows(table), len(rows))
        header = list(rows[head - 1])
        for upper in reversed(rows[:head - 1]):  # an empty heading takes the one above it
            header = [h or (upper[j] if j < len(upper) else "") for j, h in enumerate(header)]
        frame, numbers = _frame(header, [(i, cells) for i, cells in enumerate(rows[head:], start=head + 1)])
        yield OfficeTable(f"table {number}", frame, numbers)


def office_tables(path: str | Path) -> Iterator[OfficeTable]:
    """The tables of a workbook or Word document (by suffix); nothing for any other file."""
    suffix = Path(path).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        yield from workbook_tables(path)
    elif suffix in WORD_SUFFIXES:
        yield from word_tables(path)
