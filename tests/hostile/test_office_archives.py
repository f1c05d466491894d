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
