"""Extract the text of a Word (.docx) interview as lines, remembering where in the document each line came from.

Paragraphs become lines (a soft line break inside a paragraph starts a new line). Tables are read when they
hold a transcript: two columns (speaker, words) become ``Speaker: words``; three columns whose first cell is a
time become ``[time] Speaker: words``; a first row of column titles (Speaker | Text) is skipped. Any other
table shape raises :class:`TranscriptError` naming the table and row. Headers, footers, text boxes, comments
and tables nested inside cells are not read. Tracked changes are read as accepted (insertions kept, deletions
left out), and paragraphs inside content controls are read. Offsets in the analysis refer to the text extracted
here (``Transcript.text``), not to positions inside the .docx file.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from cm_research.qual.errors import TranscriptError

_TIME = re.compile(r"^\(?\[?\s*(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?\s*\]?\)?$")
_SPEAKER_TITLES = {"speaker", "name", "who", "person"}
_TEXT_TITLES = {"text", "speech", "transcript", "words", "utterance", "what was said", "said"}
_TIME_TITLES = {"time", "timestamp", "time code", "timecode"}


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: what a paragraph holds that is not its text as Word shows it with changes accepted: deleted and moved-away
#: runs, text boxes (not read), field codes, and the paragraph's and runs' properties (tab stops are w:tab too)
_NOT_SHOWN = {f"{_W}{tag}" for tag in ("del", "moveFrom", "txbxContent", "delText", "instrText", "pPr", "rPr")}
#: markup compatibility: the same content again for older Word versions (read once, from its choice)
_NOT_SHOWN.add("{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback")
_CHARACTERS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def _paragraph_text(paragraph) -> str:
    """A paragraph's text as Word shows it with tracked changes accepted: every run, including those inside
    tracked insertions (``w:ins``), smart tags, fields and hyperlinks, which python-docx's ``Paragraph.text``
    leaves out; deletions are left out."""
    out: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag in _NOT_SHOWN or not isinstance(tag, str):
                continue
            if tag == f"{_W}t":
                out.append(child.text or "")
            elif tag in _CHARACTERS:
                out.append(_CHARACTERS[tag])
            else:
                walk(child)

    walk(paragraph)
    return "".join(out)


def _blocks(parent):
    """The paragraphs and tables of a body or table cell, in order, including those inside content controls
    (``w:sdt``) and custom XML, which python-docx skips."""
    for child in parent:
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif child.tag == f"{_W}customXml":
            yield from _blocks(child)


def _cell_texts(row) -> list[str]:
    """Cell texts of a row, merged cells counted once (python-docx repeats a merged cell); paragraphs read as
    :func:`_paragraph_text` reads them (tables nested in a cell are not read)."""
    seen, texts = set(), []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        texts.append("\n".join(_paragraph_text(p) for p in _blocks(cell._tc) if p.tag == f"{_W}p").strip())
    return texts


def _is_title_row(cells: list[str]) -> bool:
    lowered = [c.lower() for c in cells]
    if len(cells) == 2:
        return lowered[0] in _SPEAKER_TITLES and lowered[1] in _TEXT_TITLES
    return (len(cells) == 3 and lowered[0] in _TIME_TITLES and lowered[1] in _SPEAKER_TITLES
            and lowered[2] in _TEXT_TITLES)


def _table_lines(path: Path, number: int, table) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for r, row in enumerate(table.rows, start=1):
        cells = _cell_texts(row)
        where = f"table {number}, row {r}"
        if not any(cells):
            continue
        if r == 1 and _is_title_row(cells):
            continue
        if len(cells) == 2:
            speaker, words = cells
            line = f"{speaker}: {words}" if speaker else words
        elif len(cells) == 3 and _TIME.match(cells[0] or "0:00"):
            time, speaker, words = cells
            time = time.strip("[]() ")
            line = (f"[{time}] " if time else "") + (f"{speaker}: {words}" if speaker else words)
        else:
            raise TranscriptError.from_problems([{
                "file": path.name, "line": None, "column": where, "value": " | ".join(cells)[:80],
                "message": (f"{where} has {len(cells)} columns; a transcript table must have 2 columns "
                            "(speaker, words) or 3 (time, speaker, words). Convert this table to text, "
                            "or move it out of the interview file."),
            }], path.name)
        for k, part in enumerate(line.split("\n")):
            out.append((part, where if k == 0 else f"{where} (continued)"))
    return out


def docx_lines(path: str | Path) -> list[tuple[str, str]]:
    """The document as (line, location) pairs, e.g. ("Mentee: I liked it", "paragraph 12")."""
    try:
        import docx  # python-docx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise TranscriptError(f"{Path(path).name}: reading .docx needs the python-docx package "
                              "(pip install python-docx), or save the interview as plain text (.txt)") from exc
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    from cm_research.data.archives import oversized_archive

    path = Path(path)
    if reason := oversized_archive(path):
        raise TranscriptError.from_problems([{"file": path.name, "line": None, "column": "", "value": "",
                                              "message": reason}], path.name)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise TranscriptError.from_problems([{
            "file": path.name, "line": None, "column": "", "value": "",
            "message": f"this is not a readable Word .docx file ({exc}); open it in Word and save it again as .docx",
        }], path.name) from exc
    except SyntaxError as exc:  # lxml refuses XML nested deeper than 256 or with a text over 10 MB (libxml2's limits)
        raise TranscriptError.from_problems([{
            "file": path.name, "line": None, "column": "", "value": "",
            "message": ("the document's XML is beyond what a Word interview holds (elements nested hundreds deep, "
                        "or one paragraph of more than 10 MB of text); it was not read. "
                        "Open it in Word and save it again as .docx, or save the interview as plain text"),
        }], path.name) from exc
    lines: list[tuple[str, str]] = []
    paragraph = table_number = 0
    for block in _blocks(document.element.body):
        if block.tag == f"{_W}tbl":
            table_number += 1
            lines.extend(_table_lines(path, table_number, Table(block, document._body)))
        else:
            paragraph += 1
            for k, part in enumerate(_paragraph_text(block).split("\n")):
                lines.append((part, f"paragraph {paragraph}" if k == 0 else f"paragraph {paragraph} (continued)"))
    return lines
