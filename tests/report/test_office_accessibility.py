"""The demo's Word and Excel outputs are accessible documents (UK public sector accessibility regulations 2018: WCAG
2.1 AA applies to documents on a public body's website): a title and a language in the document properties, real
heading styles in order, tables whose header row repeats and that carry a title, alt text on every picture, no
meaning carried by colour alone; spreadsheets with meaningful sheet names, a frozen header row marked as the
header of an Excel table, and no merged cells.

Read with python-docx and openpyxl from the session's shared demo run (no new batch)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.notebook
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_files(run: Path) -> list[Path]:
    return sorted(p for p in run.rglob("*.docx") if "restricted" not in p.parts)


def test_every_word_document_has_a_title_a_language_and_headings_in_order(shared_demo_run):
    from docx import Document

    files = _docx_files(shared_demo_run)
    assert {p.name for p in files} >= {"06_site_report.docx", "themes.docx", "07_action_research.docx"}
    for path in files:
        doc = Document(str(path))
        where = path.relative_to(shared_demo_run)
        props = doc.core_properties
        assert props.title and props.title != "Notebook" and props.language == "en-GB", (where, props.title)
        assert props.author == "cm_research", where  # not python-docx's "python-docx"
        lang = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert lang is not None and lang.get(f"{W}val") == "en-GB", where
        levels = []
        for p in doc.paragraphs:
            style = p.style.name
            if style.startswith("Heading "):
                levels.append(int(style.split()[1]))
            elif p.text.strip() and style in ("Normal", "Body Text") and len(p.text) < 80 and p.runs \
                    and all(r.bold for r in p.runs if r.text.strip()):
                pytest.fail(f"{where}: {p.text!r} is bold text standing for a heading, not a heading style")
            for run in p.runs:  # no meaning in colour alone: no run is coloured
                assert run.font.color is None or run.font.color.rgb is None, (where, run.text)
        assert levels and levels[0] == 1, (where, levels)
        assert not [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1], (where, levels)


def test_word_tables_repeat_their_header_row_and_carry_their_caption(shared_demo_run):
    from docx import Document

    page = shared_demo_run / "easton" / "06_site_report.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    captions = [t.find("caption").get_text(" ", strip=True) for t in soup.find_all("table") if t.find("caption")]
    doc = Document(str(page.with_suffix(".docx")))
    assert len(doc.tables) >= 10
    titles = []
    for table in doc.tables:
        first = table.rows[0]._tr
        assert first.find(f"{W}trPr/{W}tblHeader") is not None  # repeats at the top of each page
        assert all(r._tr.find(f"{W}trPr/{W}tblHeader") is None for r in table.rows[1:])
        caption = table._tbl.tblPr.find(f"{W}tblCaption")
        titles.append(caption.get(f"{W}val") if caption is not None else None)
    assert titles == captions  # every table has the page's caption as its title, in order


def test_every_picture_in_the_word_documents_has_alt_text_saying_what_it_shows(shared_demo_run):
    from docx import Document

    n = 0
    for path in _docx_files(shared_demo_run):
        for shape in Document(str(path)).inline_shapes:
            alt = shape._inline.docPr.get("descr") or ""
            n += 1
            assert len(alt.split()) >= 5 and alt != "Figure", (path.name, alt)
    assert n >= 12


def test_the_framework_matrix_workbook_is_an_accessible_spreadsheet(shared_demo_run):
    from openpyxl import load_workbook

    from cm_research.qual.codebook import load_codebook

    found = sorted(shared_demo_run.rglob("framework_matrix*.xlsx"))
    assert found, "the demo writes the framework matrix"
    book = load_workbook(found[0])
    assert book.properties.title.startswith("Framework matrix") and book.properties.language == "en-GB"
    assert book.properties.creator == "cm_research"
    labels = {t.label[:31] for t in load_codebook().themes}
    assert set(book.sheetnames) <= labels and len(book.sheetnames) >= 5  # named for the themes, not "Sheet1"
    for sheet in book.worksheets:
        assert not sheet.merged_cells.ranges, sheet.title
        assert sheet.freeze_panes == "B3" and sheet.print_title_rows == "$2:$2", sheet.title
        assert sheet["A1"].value.startswith(f"Framework matrix: {sheet.title}")  # the sheet's title in A1
        (table,) = sheet.tables.values()
        assert table.ref.startswith("A2:") and table.headerRowCount in (None, 1)
        header = [c.value for c in sheet[2]]
        assert header[:3] == ["Case", "Role", "Site"] and all(isinstance(h, str) and h for h in header)
        assert [c.name for c in table.tableColumns] == header
        last_row = int("".join(ch for ch in table.ref.split(":")[1] if ch.isdigit()))
        assert last_row == max(sheet.max_row, 3)


def test_every_word_and_excel_file_of_the_demo_is_an_accessible_document(shared_demo_run):
    """Each .docx and .xlsx the demo writes, restricted ones too (they are shared inside the team): language and
    title set, headings in order, pictures with alt text, header rows that repeat, no merged cells; in Word, each
    table's first column marked as its rows' headings where it labels them (see ``_word_table``)."""
    from docx import Document
    from openpyxl import load_workbook

    docx_files, xlsx_files = sorted(shared_demo_run.rglob("*.docx")), sorted(shared_demo_run.rglob("*.xlsx"))
    assert len(docx_files) >= 5 and xlsx_files  # three site reports, action research, themes; framework matrix
    for path in docx_files:
        where = path.relative_to(shared_demo_run)
        doc = Document(str(path))
        assert doc.core_properties.language == "en-GB" and doc.core_properties.title, where
        levels = [int(p.style.name.split()[1]) for p in doc.paragraphs if p.style.name.startswith("Heading ")]
        assert levels and levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), (where, levels)
        assert all(len((s._inline.docPr.get("descr") or "").split()) >= 5 for s in doc.inline_shapes), where
        for table in doc.tables:
            props, rows = table._tbl.tblPr, table.rows
            name = props.find(f"{W}tblCaption")
            assert name is not None and props.find(f"{W}tblDescription") is not None, (where, table.cell(0, 0).text)
            name = name.get(f"{W}val")
            assert rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None, (where, name)
            assert not list(table._tbl.iter(f"{W}gridSpan")) and not list(table._tbl.iter(f"{W}vMerge")), (where, name)
            first = [r.cells[0].text for r in rows if r._tr.find(f"{W}trPr/{W}tblHeader") is None]
            labels = any(v and not v.replace(".", "").replace("-", "").isdigit() and v != "c" for v in first)
            if labels and len(table.columns) > 1:  # the first column names the rows: marked as their headings
                assert props.find(f"{W}tblLook").get(f"{W}firstColumn") == "1", (where, name)
                assert all(run.bold for c in table.columns[0].cells for run in c.paragraphs[0].runs), (where, name)
    for path in xlsx_files:
        where = path.relative_to(shared_demo_run)
        book = load_workbook(path)
        assert book.properties.language == "en-GB" and book.properties.title, where
        for sheet in book.worksheets:
            assert not sheet.merged_cells.ranges and not sheet.title.startswith("Sheet"), (where, sheet.title)
            assert sheet.freeze_panes and sheet.print_title_rows, (where, sheet.title)  # header row frozen, repeated
            assert not getattr(sheet, "_images", []), (where, sheet.title)  # no picture without alt text
            for table in sheet.tables.values():
                top = sheet[table.ref.split(":")[0]].row
                assert all(isinstance(c.value, str) and c.value for c in sheet[top] if c.column <= len(
                    table.tableColumns)), (where, sheet.title)
