"""The document properties that make a Word (.docx) or Excel (.xlsx) file cm_research writes accessible.

Documents published on a public body's website fall under the UK public sector accessibility regulations (2018),
that is WCAG 2.1 AA applied to documents: a screen reader needs the document's language to pronounce it
(3.1.1 Language of page), and the title a reader sees in the window and in search results is the document's
title property, not its file name (2.4.2 Page titled). python-docx and openpyxl set neither: a new .docx is
titled "" by "python-docx", in no language, and a new .xlsx by "openpyxl".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document
    from openpyxl import Workbook

#: British English, the language of every text the package writes
LANGUAGE = "en-GB"
AUTHOR = "cm_research"


def set_docx_properties(document: Document, title: str, language: str = LANGUAGE, subject: str = "") -> None:
    """Title, subject, author and language of a python-docx ``document``: the core properties (what Word shows
    under File > Info) and the language of every run that does not set its own (the document defaults, what a
    screen reader and the spelling checker use)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    props = document.core_properties
    props.title = title
    props.language = language
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    if subject:
        props.subject = subject[:255]  # the .docx property's limit
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    rpr = run_defaults.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        run_defaults.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), language)


def set_xlsx_properties(book: Workbook, title: str, language: str = LANGUAGE, subject: str = "") -> None:
    """Title, subject, author and language of an openpyxl workbook (File > Info in Excel)."""
    props = book.properties
    props.title = title
    props.language = language
    props.creator = AUTHOR
    props.lastModifiedBy = AUTHOR
    if subject:
        props.subject = subject[:255]
