"""Round-6 red team: who made a published file, and what it holds out of sight. The attack reads the file's own
parts (docProps/core.xml, xl/workbook.xml, PNG text chunks) with the standard library; the audit must report each.
All names are made up."""

from __future__ import annotations

import re
import zipfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from cm_research.privacy.audit import audit_run  # noqa: E402

NAME = "Ann Example"


def _author_from_docx(path) -> list[str]:
    """The attack: the account names Word keeps in the core properties."""
    with zipfile.ZipFile(path) as zf:
        core = zf.read("docProps/core.xml").decode()
    return re.findall(r"<(?:dc:creator|cp:lastModifiedBy)>([^<]+)<", core)


def _kinds(run):
    found = audit_run(run, identifiers=False)
    return sorted(zip(found["file"], found["kind"]))


def test_an_office_file_saved_by_a_person_is_found_and_one_written_by_the_package_passes(tmp_path):
    from docx import Document

    run = tmp_path / "run"
    run.mkdir()
    doc = Document()
    doc.add_paragraph("Synthetic report.")
    doc.core_properties.author, doc.core_properties.last_modified_by = NAME, NAME
    doc.save(run / "report.docx")
    assert _author_from_docx(run / "report.docx") == [NAME, NAME]
    assert _kinds(run) == [("report.docx", "file_metadata")] * 2
    doc.core_properties.author, doc.core_properties.last_modified_by = "cm_research", "cm_research"
    doc.save(run / "report.docx")
    assert _author_from_docx(run / "report.docx") == ["cm_research", "cm_research"] and _kinds(run) == []


def test_a_workbook_with_a_hidden_sheet_column_or_named_range_is_found(tmp_path):
    from openpyxl import Workbook
    from openpyxl.workbook.defined_name import DefinedName

    run = tmp_path / "run"
    run.mkdir()
    book = Workbook()
    book.active["A1"] = "group"
    book.create_sheet("rows").sheet_state = "hidden"
    book.active.column_dimensions["B"].hidden = True
    book.defined_names["children"] = DefinedName("children", attr_text="rows!$A$1:$A$9")
    book.properties.creator = "cm_research"
    book.save(run / "tables.xlsx")
    texts = audit_run(run, identifiers=False)
    assert sorted(texts["kind"]) == ["hidden_content"] * 3
    assert any("'rows' is hidden" in t for t in texts["text"]) and any("children" in t for t in texts["text"])


def test_a_figure_carries_only_matplotlibs_own_text_chunk(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    fig, ax = plt.subplots(figsize=(1, 1))
    fig.savefig(run / "plain.png", dpi=20)
    fig.savefig(run / "signed.png", dpi=20, metadata={"Author": NAME})
    plt.close(fig)
    found = audit_run(run, identifiers=False)
    assert list(zip(found["file"], found["kind"])) == [("signed.png", "file_metadata")]
    assert NAME in found["text"].iloc[0]
