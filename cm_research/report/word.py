"""An editable Word copy (.docx) of an executed report notebook, for partnerships that edit and circulate Word.

The copy is made from what the HTML report shows, cell by cell, so it holds exactly the published content (small
counts already suppressed, identifiers already redacted, code hidden): Markdown cells and Markdown outputs become
headings, paragraphs and bullet lists; HTML tables become Word tables (header row repeated on each page); figures
become pictures that keep their alt text (Word's "Alt Text", the ``descr`` of the drawing) and their caption.
A notebook asks for a Word copy with ``"cm_research": {"word_copy": true}`` in its metadata.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import nbformat

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


def _table(doc, table) -> None:
    rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
    rows = [r for r in rows if r]
    if not rows:
        return
    caption = table.find("caption")
    name = caption.get_text(" ", strip=True) if caption is not None else table.get("aria-label", "")
    if caption is not None and caption.get_text(strip=True):
        doc.add_paragraph(caption.get_text(" ", strip=True), style="Caption")
    _word_table(doc, rows, name)


def _word_table(doc, rows: list[list[str]], name: str) -> None:
    """A Word table of ``rows`` (the first the header row, bold and repeated on each page) titled ``name``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    width = max(len(r) for r in rows)
    word = doc.add_table(rows=len(rows), cols=width)
    word.style = "Table Grid"
    if name:  # the table's title in Word's Table Properties > Alt Text, which screen readers announce
        table_caption = OxmlElement("w:tblCaption")
        table_caption.set(qn("w:val"), name[:255])
        word._tbl.tblPr.append(table_caption)
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            word.cell(i, j).text = value
        if i == 0:
            for cell in word.rows[0].cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            header = word.rows[0]._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")  # the heading row repeats on every page
            repeat.set(qn("w:val"), "true")
            header.append(repeat)


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
