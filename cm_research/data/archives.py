"""Office files are zip archives: refuse one that would expand far beyond any real workbook or document.

A "zip bomb" is a small archive whose members inflate to gigabytes (a 20 MB upload can hold 20 GB of repeated
XML). Python's zip reader stops each member at its declared uncompressed size, so the declared sizes bound what
reading can cost; this module checks them before openpyxl or python-docx opens the file.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from pathlib import Path

#: no real .xlsx/.docx member comes near this: Excel's largest sheet (1,048,576 rows) is rarely above 1 GB of XML
MAX_MEMBER_BYTES = 1 << 30
#: all members together
MAX_TOTAL_BYTES = 2 << 30
#: a member this much larger than its compressed bytes is refused once it is also above MIN_SUSPECT_BYTES
#: (office XML compresses 5-30 times; archives built to exhaust memory compress hundreds to millions of times)
MAX_RATIO = 200
MIN_SUSPECT_BYTES = 64 << 20


#: parts in all: a workbook or document has tens to hundreds; a list of millions takes minutes and gigabytes to read
MAX_PARTS = 10_000
#: parts of a REFI-QDA project (.qdpx): its sources and media may run to thousands
MAX_PROJECT_PARTS = 100_000
#: a part the opening library reads whole into memory (every part of a .docx; a workbook's shared text, styles and
#: everything but its sheets, which are streamed): openpyxl takes about 30 s and 300 MB per 100 MB of shared text
MAX_WHOLE_PART_BYTES = 64 << 20
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_RELS = "xl/_rels/workbook.xml.rels"
_SHEET_TARGET = re.compile(r'<Relationship\b[^>]*?Type="[^"]*/worksheet"[^>]*>', re.IGNORECASE)
_TARGET = re.compile(r'\bTarget="([^"]*)"')


def _part_count(path: str | Path) -> int | None:
    """The number of parts the archive's end record declares, read without listing them (None if unreadable)."""
    try:
        with open(path, "rb") as handle:
            end = zipfile._EndRecData(handle)  # the record the zip reader itself reads first (zip64 included)
    except (OSError, ValueError, struct.error):
        return None
    return int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else None


def too_many_parts(path: str | Path, limit: int | None = None, what: str = "a workbook or document") -> str | None:
    """Why an archive of more than ``limit`` (:data:`MAX_PARTS`) parts is not opened, or None; the count is read
    from the archive's end record, so a list of millions of parts is never read."""
    count, limit = _part_count(path), MAX_PARTS if limit is None else limit
    if count is None or count <= limit:
        return None
    return (f"it is an archive of {count:,} parts, more than the {limit:,} {what} could need (a file built to "
            "exhaust memory, or a damaged one); it was not opened")


def _streamed_sheets(archive: zipfile.ZipFile) -> set[str]:
    """The worksheets a workbook's relationships name: the parts the read-only reader streams, never holds."""
    try:
        info = archive.getinfo(_RELS)
        if info.file_size > 1 << 20:
            return set()
        rels = archive.read(info).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, zlib.error):
        return set()
    found = set()
    for tag in _SHEET_TARGET.findall(rels):
        if target := _TARGET.search(tag):
            where = target.group(1)
            found.add(where.lstrip("/") if where.startswith("/") else posixpath.normpath(f"xl/{where}"))
    return found


def oversized_archive(path: str | Path) -> str | None:
    """Why the zip archive at ``path`` must not be opened, in plain English, or None when its sizes are plausible.

    Refused: more than :data:`MAX_PARTS` parts; a part above :data:`MAX_MEMBER_BYTES`, or above
    :data:`MIN_SUSPECT_BYTES` and :data:`MAX_RATIO` times its compressed size; a part read whole (see
    :data:`MAX_WHOLE_PART_BYTES`) above that size; all parts above :data:`MAX_TOTAL_BYTES`.
    Not a zip archive at all is not this check's business (None): the reader that opens it says so.
    """
    if reason := too_many_parts(path):
        return reason
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            sheets = _streamed_sheets(archive) if str(path).lower().endswith(_WORKBOOK_SUFFIXES) else set()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > MIN_SUSPECT_BYTES and ratio > MAX_RATIO):
            return (f"its part {info.filename!r} would expand to {info.file_size:,} bytes from "
                    f"{info.compress_size:,} (a file built to exhaust memory, or a damaged one); it was not opened")
        if info.file_size > MAX_WHOLE_PART_BYTES and info.filename not in sheets:
            return (f"its part {info.filename!r} would expand to {info.file_size:,} bytes, and it is read whole: "
                    f"no workbook of the data dictionary's tables or interview document needs more than "
                    f"{MAX_WHOLE_PART_BYTES >> 20} MB there; it was not opened. Save the data as CSV UTF-8 (or the "
                    "interview as plain text) instead")
    if total > MAX_TOTAL_BYTES:
        return f"its parts would expand to {total:,} bytes in all (a file built to exhaust memory); it was not opened"
    return None
