"""What a published file says about who made it, and what it holds out of sight (finding kinds ``file_metadata``
and ``hidden_content``).

The identifier scan (:mod:`cm_research.privacy.scan`) reads every part of every file for names in the register
and for identifier patterns. A name that is in no register still identifies someone: Word and Excel write the
account name of whoever last saved the file into ``docProps/core.xml`` (``dc:creator``, ``cp:lastModifiedBy``),
the organisation into ``docProps/app.xml`` (``Company``, ``Manager``), and the author of each comment or tracked
change into the document; image tools write ``Author``, ``Comment`` or ``Copyright`` text chunks into a PNG.
A workbook can hold sheets, rows and columns a reader does not see (``state="hidden"``, ``veryHidden``,
``hidden="1"``) and named ranges pointing at them. None of these is needed to publish a report, so the rule is
simple, and does not depend on knowing the name:

- ``file_metadata``: an Office file whose creator or last editor is anything but this package (``cm_research``,
  which :mod:`cm_research.report.word` writes) or blank, that names a company or manager, or that holds a
  comment or tracked change with an author; a PNG text chunk other than ``Software`` (matplotlib's own),
  ``Title``, ``Description`` or ``Alt text``; an SVG whose metadata names a creator other than the plotting library;
- ``hidden_content``: a workbook with a hidden sheet, row or column, or a defined name (named range).

The fix for a finding is to write the file again with the package (or clear the properties in Word: File, Info,
Check for issues, Inspect document) -- the content of a report is never edited after a run.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

#: who may be named as a published Office file's creator or last editor
TOOL_NAMES = frozenset({"", "cm_research", "python-docx", "openpyxl"})
#: PNG text chunks a published figure may carry (matplotlib writes Software; alt text may be stored as Title)
PNG_KEYS = frozenset({"Software", "Title", "Description", "Alt text"})
_CORE = re.compile(r"<(dc:creator|cp:lastModifiedBy)>([^<]*)</\1>")
_APP = re.compile(r"<(Company|Manager)>([^<]+)</\1>")
_AUTHOR = re.compile(r'\b(?:w:author|author|authorId|w:initials)="([^"]+)"|<author>([^<]+)</author>')
_HIDDEN_SHEET = re.compile(r'<sheet\b[^>]*\bstate="(hidden|veryHidden)"[^>]*>')
_SHEET_NAME = re.compile(r'\bname="([^"]*)"')
_DEFINED = re.compile(r"<definedName\b[^>]*\bname=\"([^\"]+)\"")
_HIDDEN_RC = re.compile(r"<(row|col)\b[^>]*\bhidden=\"(?:1|true)\"")
_SVG_CREATOR = re.compile(r"<dc:creator>(.*?)</dc:creator>", re.S)


def _office(path: Path, name: str) -> Iterator[tuple[str, str, str, str]]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # the identifier scan reports a file it cannot read (unscanned_file)
    with zf:
        for info in zf.infolist():
            part = info.filename
            if not part.endswith((".xml", ".rels")) or info.file_size > 64 * 2**20:
                continue
            text = zf.read(info).decode("utf-8", errors="replace")
            if part == "docProps/core.xml":
                for m in _CORE.finditer(text):
                    if m.group(2).strip() not in TOOL_NAMES:
                        yield (name, f"part {part}", "file_metadata",
                               f"{m.group(1)} is {m.group(2).strip()!r}: the account that made or last saved the file")
            elif part == "docProps/app.xml":
                for m in _APP.finditer(text):
                    yield (name, f"part {part}", "file_metadata", f"{m.group(1)} is {m.group(2).strip()!r}")
            elif re.search(r"(comments|people|commentsExtended|threadedComments)[^/]*\.xml$|^word/document\.xml$",
                           part):
                authors = sorted({a or b for a, b in _AUTHOR.findall(text)} - {""})
                if authors and ("comment" in part.lower() or "people" in part.lower() or "w:ins " in text
                                or "w:del " in text):
                    yield (name, f"part {part}", "file_metadata",
                           f"comments or tracked changes by {', '.join(authors[:3])}")
            elif part == "xl/workbook.xml":
                for m in _HIDDEN_SHEET.finditer(text):
                    sheet = _SHEET_NAME.search(m.group(0))
                    yield (name, f"part {part}", "hidden_content",
                           f"sheet {sheet.group(1) if sheet else '?'!r} is {m.group(1)}: published but not seen")
                for m in _DEFINED.finditer(text):
                    if not m.group(1).startswith("_xlnm."):  # Excel's own (print area, filter database)
                        yield (name, f"part {part}", "hidden_content", f"named range {m.group(1)!r}")
            elif part.startswith("xl/worksheets/") and _HIDDEN_RC.search(text):
                kind = _HIDDEN_RC.search(text).group(1)
                yield (name, f"part {part}", "hidden_content", f"a hidden {'row' if kind == 'row' else 'column'}")


def metadata_findings(path: str | Path, name: str = "") -> Iterator[tuple[str, str, str, str]]:
    """``file_metadata`` and ``hidden_content`` findings of one published file (module docstring), as (file,
    location, kind, text) like :func:`cm_research.privacy.audit.audit_run`."""
    from cm_research.privacy.scan import png_text_chunks

    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix in (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".dotx"):
        yield from _office(path, name)
    elif suffix == ".png":
        for key, text in png_text_chunks(path):
            if key not in PNG_KEYS:
                yield name, "PNG text chunk", "file_metadata", f"{key}: {text[:60]}"
    elif suffix == ".svg":
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _SVG_CREATOR.finditer(text):
            creator = re.sub(r"<[^>]+>", " ", m.group(1)).strip()
            if creator and not creator.lower().startswith("matplotlib"):
                yield name, "SVG metadata", "file_metadata", f"creator {creator[:60]!r}"
