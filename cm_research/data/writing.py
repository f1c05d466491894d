"""Write CSV files that are safe to open in Excel: no cell is ever run as a formula.

Exported tables (codebooks, coding, quotes, review sheets, quarantined rows, problems) carry text from data files
and interviews. Excel and LibreOffice treat a cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula, so ``=HYPERLINK("http://…", "click")`` typed into a survey comment would
become a live link, or worse, in whoever opens the export ("CSV injection", OWASP). Such text cells are written
with a leading apostrophe, which spreadsheet programs show as text and never evaluate; numbers (``-3``,
``+4.5``) are left as they are. Our own readers of these exports remove the apostrophe again
(:func:`unescape_formula_cell`), so a round trip gives back the text as typed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: the full-width forms East Asian keyboards type (Excel and LibreOffice read a full-width ＝ as =), checked too
FULL_WIDTH_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
#: spaces a spreadsheet may trim on import (LibreOffice's "Trim spaces") before it sees the formula
_LEADING_SPACE = " \n\u00a0\u3000"
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?$")


_LONE_CR = re.compile(r"\r(?!\n)")


def formula_safe_cell(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula. A lone carriage
    return becomes a line feed: Python's csv writer does not quote it, and every reader would start a new row."""
    if isinstance(value, str):
        value = _LONE_CR.sub("\n", value)
        if _runs(value):
            return "'" + value
    return value


def _runs(value: str) -> bool:
    """Whether a spreadsheet could run ``value`` as a formula: it starts (after spaces it may trim) with one of
    :data:`FORMULA_STARTS` or :data:`FULL_WIDTH_STARTS`, and is not a number."""
    start = value.lstrip(_LEADING_SPACE) if value[:1] in _LEADING_SPACE else value
    return start.startswith(FORMULA_STARTS + FULL_WIDTH_STARTS) and not _NUMBER.match(value.strip())


def unescape_formula_cell(text: str) -> str:
    """The text :func:`formula_safe_cell` protected, as it was typed (other text unchanged)."""
    if isinstance(text, str) and text.startswith("'") and _runs(text[1:]):
        return text[1:]
    return text


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as formulas."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(formula_safe_cell, na_action="ignore")
    out.columns = [formula_safe_cell(c) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """``frame.to_csv(path, index=False, ...)`` with every text cell made formula-safe (see the module docstring)."""
    kwargs.setdefault("index", False)
    formula_safe(frame).to_csv(path, **kwargs)
    return Path(path)


def workbook_text_only(book: "Workbook") -> None:
    """Make every cell of an openpyxl ``book`` that openpyxl would store as a formula a plain text cell.

    openpyxl saves any string beginning with ``=`` as a live formula, so a site name or quote typed as
    ``=HYPERLINK(...)`` would run in whoever opens the workbook. We never write formulas on purpose, so each such
    cell is marked as text (type ``s``): Excel shows it exactly as typed and never evaluates it. Call just before
    ``book.save``.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
