"""Office files that would inflate to gigabytes are refused before openpyxl or python-docx opens them."""

from __future__ import annotations

import zipfile

import docx
import openpyxl
import pytest

from cm_research.data.archives import MIN_SUSPECT_BYTES, oversized_archive
from cm_research.data.reading import read_raw
from cm_research.errors import DataValidationError
from cm_research.qual.errors import TranscriptError
from cm_research.qual.word_docx import docx_lines


def _pad(path, megabytes: int) -> None:
    """Add a member of ``megabytes`` MB of zeros: deflate packs it about a thousand times."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(megabytes):
                member.write(block)


def test_a_workbook_that_would_inflate_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "participants.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["participant_id", "group"])
    book.save(path)
    assert oversized_archive(path) is None  # an ordinary workbook passes
    _pad(path, MIN_SUSPECT_BYTES // (1 << 20) + 1)
    assert "would expand" in oversized_archive(path)
    with pytest.raises(DataValidationError) as caught:
        read_raw(path)
    assert "participants.xlsx" in str(caught.value) and "would expand" in str(caught.value)


def test_a_word_transcript_that_would_inflate_is_refused(tmp_path):
    path = tmp_path / "interview.docx"
    document = docx.Document()
    document.add_paragraph("Interviewer: How was it?")
    document.save(path)
    assert docx_lines(path)  # readable before
    _pad(path, MIN_SUSPECT_BYTES // (1 << 20) + 1)
    with pytest.raises(TranscriptError) as caught:
        docx_lines(path)
    assert "would expand" in str(caught.value.problems["message"].iloc[0])


_OPENED: list = []


def _refuse_to_open(*args, **kwargs):
    _OPENED.append(args)  # recorded as well as raised: a caller may swallow the exception
    raise AssertionError("openpyxl was asked to open a workbook that would inflate")


def test_an_identifier_register_workbook_that_would_inflate_is_never_opened(tmp_path, monkeypatch):
    from cm_research.privacy.register import load_register

    path = tmp_path / "register.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["name", "role", "placeholder"])
    book.active.append(["Jo Bloggs", "mentee", "[mentee]"])
    book.save(path)
    assert len(load_register(path).entries) == 1  # an ordinary register workbook is read
    _pad(path, MIN_SUSPECT_BYTES // (1 << 20) + 1)
    monkeypatch.setattr(openpyxl, "load_workbook", _refuse_to_open)
    _OPENED.clear()
    with pytest.raises(DataValidationError) as caught:
        load_register(path)
    assert "register.xlsx" in str(caught.value) and "would expand" in str(caught.value)
    assert not _OPENED


def test_the_disclosure_check_reports_an_inflating_office_file_as_unchecked_without_opening_it(tmp_path, monkeypatch):
    from cm_research.privacy.scan import check_disclosure

    run = tmp_path / "run"
    run.mkdir()
    openpyxl.Workbook().save(run / "table.xlsx")
    docx.Document().save(run / "report.docx")
    assert check_disclosure(run).empty  # ordinary files pass
    for name in ("table.xlsx", "report.docx"):
        _pad(run / name, MIN_SUSPECT_BYTES // (1 << 20) + 1)
    monkeypatch.setattr(openpyxl, "load_workbook", _refuse_to_open)
    _OPENED.clear()
    findings = check_disclosure(run)
    assert not _OPENED
    assert sorted(findings["file"]) == ["report.docx", "table.xlsx"]
    assert (findings["kind"] == "unscanned_file").all()
    assert findings["text"].str.contains("would expand").all()


# ------------------------------------------------------------------ hostile input round 2, item 4: XML in the parts

def _rewrite(source, target, member: str, change) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info.filename, change(data) if info.filename == member else data)


@pytest.mark.parametrize("change, what", [
    (lambda xml: xml.replace(b"<w:body>", b"<w:body>" + b"<w:sdt><w:sdtContent>" * 3000 + b"<w:p/>"
                             + b"</w:sdtContent></w:sdt>" * 3000), "nested 6,000 deep"),
    (lambda xml: xml.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>Jade: " + b"word " * 2_200_000
                             + b"</w:t></w:r></w:p>"), "one paragraph of 11 MB"),
])
def test_a_word_transcript_with_hostile_xml_is_refused_in_plain_english(tmp_path, change, what):
    # before: lxml's XMLSyntaxError ("Excessive depth in document: 256") came out as a traceback
    plain = tmp_path / "plain.docx"
    document = docx.Document()
    document.add_paragraph("Interviewer: How was it?")
    document.save(plain)
    path = tmp_path / "interview.docx"
    _rewrite(plain, path, "word/document.xml", change)
    with pytest.raises(TranscriptError) as caught:
        docx_lines(path)
    problem = caught.value.problems.iloc[0]
    assert problem["file"] == "interview.docx" and "it was not read" in problem["message"], what


@pytest.mark.parametrize("change, says", [
    (lambda xml: xml.replace(b"<sheetData>", b'<sheetData><row r="9"/>'), "row 1 comes after row 9"),
    (lambda xml: xml.replace(b"</sheetData>", b'<row r="2"><c r="A2" t="inlineStr"><is><t>T-666</t></is></c></row>'
                             b"</sheetData>"), "row 2 comes after row 2"),
    (lambda xml: xml.replace(b'<c r="B2"', b'<c r="A2" t="inlineStr"><is><t>T-666</t></is></c><c r="B2"'),
     "cell A2 of row 2 is out of place"),
])
def test_a_sheet_whose_rows_or_cells_are_out_of_order_or_repeated_is_refused_not_thinned(tmp_path, change, says):
    # before: openpyxl's read-only reader silently skipped the rows after an out-of-order one ("the file is empty")
    # and dropped a repeated row (T-666 never read, nothing said)
    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["participant_id", "group"])
    book.active.append(["T-001", "mentored"])
    book.save(plain)
    path = tmp_path / "participants.xlsx"
    _rewrite(plain, path, "xl/worksheets/sheet1.xml", change)
    with pytest.raises(DataValidationError) as caught:
        read_raw(path)
    assert str(caught.value).startswith("participants.xlsx: sheet `Sheet`: ") and says in str(caught.value)
