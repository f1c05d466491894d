"""The one reader of small CSV exports (coding sheets, review sheets, Taguette exports)."""

from __future__ import annotations

import pytest

from cm_research.interop.records import read_csv_records
from cm_research.interop.qda.read import QdaImportError
from cm_research.interop.qda.taguette import read_taguette_codebook


def test_a_semicolon_export_with_a_byte_order_mark_reads_with_spreadsheet_line_numbers(tmp_path):
    path = tmp_path / "coding.csv"
    path.write_bytes("\ufeffTranscript;Code;Quote\r\nT1;support;'=fine\r\n;;\r\nT2;trust;ok\r\n".encode("utf-8"))
    header, rows = read_csv_records(path, QdaImportError)
    assert header == ["transcript", "code", "quote"]
    assert rows == [(2, {"transcript": "T1", "code": "support", "quote": "=fine"}),
                    (4, {"transcript": "T2", "code": "trust", "quote": "ok"})]  # line 3 blank: skipped


def test_a_taguette_codebook_saved_by_excel_with_semicolons_now_reads(tmp_path):
    # before, the Taguette reader split on commas only: this file lost every column but the first
    path = tmp_path / "codebook.csv"
    path.write_text("tag;description;number of highlights;number of documents\nbelonging;feeling part of it;3;2\n",
                    encoding="utf-8")
    table, codebook = read_taguette_codebook(path)
    assert table[["tag", "n_highlights", "n_documents"]].values.tolist() == [["belonging", 3, 2]]
    assert codebook.code_names == ["belonging"]


def test_bytes_that_are_no_text_name_the_file_and_line(tmp_path):
    path = tmp_path / "highlights.csv"
    path.write_bytes(b"id,document,tag,content\n1,a,b,\x81\x8d\x8f\x90\x9d\n")  # undefined in UTF-8 and cp1252
    with pytest.raises(QdaImportError, match=r"highlights.csv, line 2: not readable text"):
        read_csv_records(path, QdaImportError)


def test_missing_columns_and_empty_files_are_refused_with_the_callers_error(tmp_path):
    path = tmp_path / "codebook.csv"
    path.write_text("tag\nx\n", encoding="utf-8")
    with pytest.raises(QdaImportError, match=r"codebook.csv, line 1, column `description`: missing column\(s\) "
                                             r"description; a Taguette export has tag, description"):
        read_taguette_codebook(path)
    (tmp_path / "empty.csv").write_bytes(b"  \n")
    with pytest.raises(QdaImportError, match="the file is empty"):
        read_csv_records(tmp_path / "empty.csv", QdaImportError)
