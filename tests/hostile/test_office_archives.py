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
