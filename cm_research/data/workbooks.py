"""Spreadsheet files from other software that the data reader cannot read, named with how to save them instead.

The reader (:func:`cm_research.data.reading.read_raw`) reads CSV and "Excel Workbook" ``.xlsx`` as Excel,
Google Sheets (File > Download > Microsoft Excel), LibreOffice Calc and Numbers write it: shared strings or
inline strings (``t="inlineStr"``), formula strings (``t="str"``), shared formulas, dates as number formats. It
does not read, and :func:`workbook_advice` names:

* **Strict Open XML** ``.xlsx`` (Excel's "Strict Open XML Spreadsheet" save type, ISO/IEC 29500 strict):
  the same file name, but every part in the ``http://purl.oclc.org/ooxml/`` namespaces, which openpyxl does
  not know (it fails deep inside with an error no one could act on). Recognised by the namespace of
  ``xl/workbook.xml`` (ECMA-376 Part 1, 5th edition, §A.1 lists the strict namespaces).
* **OpenDocument** ``.ods`` / ``.fods`` (LibreOffice and OpenOffice Calc, and Google Sheets' "OpenDocument"
  download), Apple **Numbers** ``.numbers`` and Excel's **binary** ``.xlsb``: no reader for them ships with the
  package (reading .ods would need odfpy, a dependency for a format every one of these programs can save as
  .xlsx or CSV).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

STRICT_NAMESPACE = "http://purl.oclc.org/ooxml/spreadsheetml/main"

_SAVE_AS = {
    ".ods": "an OpenDocument spreadsheet (LibreOffice or OpenOffice Calc); in Calc use File > Save As and choose "
            "'Excel 2007-365 (.xlsx)' (keep the format when asked), or 'Text CSV' with character set UTF-8",
    ".fods": "a flat OpenDocument spreadsheet (LibreOffice Calc); in Calc use File > Save As and choose "
             "'Excel 2007-365 (.xlsx)', or 'Text CSV' with character set UTF-8",
    ".numbers": "an Apple Numbers document; in Numbers use File > Export To > Excel (.xlsx), or CSV",
    ".xlsb": "an Excel binary workbook; in Excel use File > Save As and choose 'Excel Workbook (.xlsx)'",
}


def is_strict_open_xml(path: str | Path) -> bool:
    """Whether the .xlsx at ``path`` is saved as Strict Open XML (its workbook part in the strict namespace)."""
    try:
        with zipfile.ZipFile(path) as book:
            head = book.open("xl/workbook.xml").read(4096).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, NotImplementedError):
        return False  # not a workbook, or a damaged one: the reader says so
    root = re.search(r"<(?:\w+:)?workbook\b[^>]*>", head)
    return bool(root) and STRICT_NAMESPACE in root.group()


def workbook_advice(path: str | Path) -> str | None:
    """Why the spreadsheet at ``path`` cannot be read and how to save it so it can, or None when it can."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _SAVE_AS:
        return f"this is {_SAVE_AS[suffix]}; then load that file"
    if suffix in (".xlsx", ".xlsm") and is_strict_open_xml(path):
        return ("this workbook is saved as 'Strict Open XML Spreadsheet', which cannot be read; in Excel use File > "
                "Save As and choose 'Excel Workbook (.xlsx)' as the file type, then load that file")
    return None
