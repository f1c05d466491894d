"""Office files are zip archives: refuse one that would expand far beyond any real workbook or document.

A "zip bomb" is a small archive whose members inflate to gigabytes (a 20 MB upload can hold 20 GB of repeated
XML). Python's zip reader stops each member at its declared uncompressed size, so the declared sizes bound what
reading can cost; this module checks them before openpyxl or python-docx opens the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

#: no real .xlsx/.docx member comes near this: Excel's largest sheet (1,048,576 rows) is rarely above 1 GB of XML
MAX_MEMBER_BYTES = 1 << 30
#: all members together
MAX_TOTAL_BYTES = 2 << 30
#: a member this much larger than its compressed bytes is refused once it is also above MIN_SUSPECT_BYTES
#: (office XML compresses 5-30 times; archives built to exhaust memory compress hundreds to millions of times)
MAX_RATIO = 200
MIN_SUSPECT_BYTES = 64 << 20


def oversized_archive(path: str | Path) -> str | None:
    """Why the zip archive at ``path`` must not be opened, in plain English, or None when its sizes are plausible.

    Not a zip archive at all is not this check's business (None): the reader that opens it says so.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or (info.file_size > MIN_SUSPECT_BYTES and ratio > MAX_RATIO):
            return (f"its part {info.filename!r} would expand to {info.file_size:,} bytes from "
                    f"{info.compress_size:,} (a file built to exhaust memory, or a damaged one); it was not opened")
    if total > MAX_TOTAL_BYTES:
        return f"its parts would expand to {total:,} bytes in all (a file built to exhaust memory); it was not opened"
    return None
