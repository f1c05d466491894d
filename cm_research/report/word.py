"""An editable Word copy (.docx) of an executed report notebook, for partnerships that edit and circulate Word.

The copy is made from what the HTML report shows, cell by cell, so it holds exactly the published content (small
counts already suppressed, identifiers already redacted, code hidden): Markdown cells and Markdown outputs become
headings, paragraphs and bullet lists; HTML tables become Word tables (header rows repeated on each page, the first
column marked as the rows' headings when it labels them, a title and a description: :func:`_word_table`); figures
become pictures that keep their alt text (Word's "Alt Text", the ``descr`` of the drawing) and their caption.
A notebook asks for a Word copy with ``"cm_research": {"word_copy": true}`` in its metadata.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat

from cm_research.report.tables import labels_rows

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*(?:[-*]|\d+\.)\s+(.*)$")
_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*|_[^_]+_|`[^`]+`|\[[^\]]*\]\([^)]*\))")


def _add_inline(paragraph, text: str) -> None:
    """Markdown emphasis, code and links as Word runs (bold, italic, plain)."""
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            paragraph.add_run(part[2:-2]).bold = True
        elif (part.startswith("*") and part.endswith("*")) or (part.startswith("_") and part.endswith("_")):
            paragraph.add_run(part[1:-1]).italic = True
        elif part.startswith("`") and part.endswith("`"):
            paragraph.add_run(part[1:-1])
        elif part.startswith("["):
            paragraph.add_run(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", part))
        else:
            paragraph.add_run(part)


_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def _markdown(doc, text: str) -> None:
    """Headings, bullet or numbered items, paragraphs (lines of one block joined) and pipe tables (a Word table
    named after the heading above it, as the HTML page names it); anchors skipped."""
    paragraph: list[str] = []
    table: list[list[str]] = []
    heading_text = ""

    def flush() -> None:
        if paragraph:
            _add_inline(doc.add_paragraph(), " ".join(paragraph))
            paragraph.clear()
        if table:
            _word_table(doc, table, f"Table: {heading_text}" if heading_text else "")
            table.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            if paragraph:
                _add_inline(doc.add_paragraph(), " ".join(paragraph))
                paragraph.clear()
            if not _SEPARATOR_ROW.match(line):
                table.append([re.sub(r"`|\*\*", "", c).strip() for c in line.strip("|").split("|")])
            continue
        if not line or line.startswith("<a id="):
            flush()
            continue
        if table:
            flush()
        heading, bullet = _HEADING.match(line), _BULLET.match(line)
        if heading:
            flush()
            heading_text = re.sub(r"[*_`]", "", heading.group(2)).strip()
            doc.add_heading(heading_text, level=min(len(heading.group(1)), 4))
        elif bullet:
            flush()
            _add_inline(doc.add_paragraph(style="List Bullet"), bullet.group(1).strip())
        else:
            paragraph.append(line.lstrip("> "))
    flush()


def _cells(tr) -> list[str]:
    """A row's cell texts, a cell spanning columns (``colspan``) repeated in each: Word's table stays unmerged."""
    out = []
    for cell in tr.find_all(["th", "td"]):
        span = int(cell.get("colspan", 1)) if str(cell.get("colspan", 1)).isdigit() else 1
        out.extend([cell.get_text(" ", strip=True)] * max(span, 1))
    return out


def _table(doc, table) -> None:
    rows = [_cells(tr) for tr in table.find_all("tr")]
    rows = [r for r in rows if r]
    if not rows:
        return
    caption = table.find("caption")
    name = caption.get_text(" ", strip=True) if caption is not None else table.get("aria-label", "")
    if caption is not None and caption.get_text(strip=True):
        doc.add_paragraph(caption.get_text(" ", strip=True), style="Caption")
    head = table.find("thead")
    header_rows = len([tr for tr in head.find_all("tr") if _cells(tr)]) if head is not None else 1
    _word_table(doc, rows, name, header_rows=max(1, min(header_rows, len(rows) - 1)))


TABLE_STYLE = "Report Table"


def _table_style(doc) -> str:
    """The document's table style: Table Grid's borders, with its header row and first column in bold when the
    table's "Header Row" and "First Column" options (``tblLook``) are on. Added once per document."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if TABLE_STYLE in [s.name for s in doc.styles]:
        return TABLE_STYLE
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Table Grid"]
    for part in ("firstRow", "firstCol"):
        conditional = OxmlElement("w:tblStylePr")
        conditional.set(qn("w:type"), part)
        run = OxmlElement("w:rPr")
        run.append(OxmlElement("w:b"))
        conditional.append(run)
        style.element.append(conditional)
    return TABLE_STYLE


def table_description(rows: list[list[str]], header_rows: int, row_headers: bool) -> str:
    """Word's table description (Alt Text): its size, its column headings, and what heads its rows."""
    body = len(rows) - header_rows
    headings = ", ".join(h for h in rows[header_rows - 1] if h) or "none"
    text = (f"{body} row{'s' if body != 1 else ''} and {max(len(r) for r in rows)} columns. The first "
            f"{'row holds' if header_rows == 1 else f'{header_rows} rows hold'} the column headings ({headings})")
    text += f"; the first column, {rows[header_rows - 1][0] or 'unnamed'}, names each row." if row_headers else "."
    return text if len(text) <= 1000 else text[:999] + "\u2026"


def _word_table(doc, rows: list[list[str]], name: str, header_rows: int = 1) -> None:
    """A Word table of ``rows`` titled ``name``: the first ``header_rows`` are its column headings (bold, repeated
    at the top of each page) and, when the first column labels the rows (not numbers), that column is its row
    headings as far as Word has them (WCAG 1.3.1; Word has no row-header cell): bold, the table style's "First
    Column" on, and a bookmark whose name starts "Title" in the top-left cell, which JAWS reads as "the first row
    and column are headings" (otherwise "ColumnTitle": the first row only). A title and a description in Table
    Properties > Alt Text."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    width = max(len(r) for r in rows)
    word = doc.add_table(rows=len(rows), cols=width)
    word.style = _table_style(doc)
    body = [r[0] if r else "" for r in rows[header_rows:]]
    row_headers = labels_rows(body, width)
    props = word._tbl.tblPr
    look = props.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        props.append(look)
    for key, on in (("firstRow", True), ("firstColumn", row_headers), ("lastRow", False), ("lastColumn", False)):
        look.set(qn(f"w:{key}"), "1" if on else "0")
    # the same options as Word 2007's bit mask (ECMA-376 17.7.6): first row 0x20, first column 0x80, no bands 0x400
    look.set(qn("w:val"), f"{0x20 | (0x80 if row_headers else 0) | 0x400:04X}")
    for tag, value in (("w:tblCaption", name), ("w:tblDescription", table_description(rows, header_rows, row_headers))):
        if value:  # after tblLook, as the schema orders them; screen readers announce the title
            element = OxmlElement(tag)
            element.set(qn("w:val"), value[:255] if tag == "w:tblCaption" else value)
            props.append(element)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            word.cell(i, j).text = value
            if i < header_rows or (j == 0 and row_headers):
                for run in word.cell(i, j).paragraphs[0].runs:
                    run.bold = True
        if i < header_rows:
            repeat = OxmlElement("w:tblHeader")  # the heading rows repeat on every page
            repeat.set(qn("w:val"), "true")
            word.rows[i]._tr.get_or_add_trPr().append(repeat)
    # JAWS takes the first row and column as headings unless told: "Title" both, "ColumnTitle" the row only
    _bookmark(word.cell(0, 0).paragraphs[0], f"{'Title' if row_headers else 'ColumnTitle'}_{len(doc.tables)}")


def _bookmark(paragraph, name: str) -> None:
    """An empty bookmark ``name`` at the start of ``paragraph`` (ids numbered within the document)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = paragraph.part.element
    number = str(sum(1 for _ in body.iter(qn("w:bookmarkStart"))) + 1)
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), number)
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), number)
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, end)
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)


def _figure(doc, img, caption: str) -> None:
    from docx.shared import Cm

    src = img.get("src", "")
    if not src.startswith("data:image/png;base64,"):
        return
    data = base64.b64decode(src.split(",", 1)[1])
    doc.add_picture(io.BytesIO(data), width=Cm(16))
    drawing = doc.paragraphs[-1].runs[-1]._r
    for doc_pr in drawing.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
        doc_pr.set("descr", img.get("alt", ""))  # Word's alt text
    if caption:
        doc.add_paragraph(caption, style="Caption")


def _html(doc, text: str) -> None:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for element in soup.find_all(["table", "img", "p", "li", "h1", "h2", "h3", "h4", "blockquote"]):
        if element.find_parent("table") is not None and element.name != "table":
            continue
        if element.name == "table":
            _table(doc, element)
        elif element.name == "img":
            figure = element.find_parent("figure")
            caption = figure.find("figcaption") if figure is not None else None
            _figure(doc, element, caption.get_text(" ", strip=True) if caption is not None else "")
        elif element.name in ("h1", "h2", "h3", "h4"):  # without a permalink's "¶", which a screen reader says
            doc.add_heading(element.get_text(" ", strip=True).replace("\u00b6", "").strip(), level=int(element.name[1]))
        elif element.find_parent(["figure", "li"]) is None or element.name == "li":
            text = element.get_text(" ", strip=True)
            if text and element.find_parent("figcaption") is None:
                doc.add_paragraph(text, style="List Bullet" if element.name == "li" else None)


def notebook_to_docx(notebook: str | Path | nbformat.NotebookNode, docx_path: str | Path, title: str = "",
                     description: str = "") -> Path:
    """Write the Word copy of an executed notebook (see the module docstring); returns ``docx_path``."""
    from docx import Document

    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(str(notebook), as_version=4)
    from cm_research.qual.document_properties import set_docx_properties

    doc = Document()
    set_docx_properties(doc, title, subject=description)  # title and language for screen readers (WCAG 2.4.2, 3.1.1)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            _markdown(doc, cell.source)
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                _html(doc, "".join(data["text/html"]))
            elif "text/markdown" in data:
                _markdown(doc, "".join(data["text/markdown"]))
            elif "image/png" in data:  # a figure shown without alt text: still put in, marked as such
                _figure(doc, _Img(data["image/png"]), "")
    docx_path = Path(docx_path)
    tmp = docx_path.with_suffix(".docx.partial")
    doc.save(tmp)
    tmp.replace(docx_path)
    return docx_path


class _Img(dict):
    """A bare PNG output, shaped like the ``<img>`` element :func:`_figure` reads."""

    def __init__(self, png: str):
        super().__init__(src="data:image/png;base64," + "".join(png).replace("\n", ""), alt="Figure")
