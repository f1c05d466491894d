"""Workbooks and documents built to exhaust time or memory in ways the compression check does not see (hostile
input, round 4, item 4): an archive of hundreds of thousands of empty parts (200,000 took 14 s and 470 MB to be
refused), and a workbook whose shared text (read whole by openpyxl: 100 MB took 30 s and 300 MB) compresses only
18 times. The limits are lowered in the tests so that the files stay tiny. SYNTHETIC data.
"""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from cm_research.data import archives
from cm_research.data.reading import read_raw
from cm_research.errors import DataValidationError

RELS = "xl/_rels/workbook.xml.rels"
SST = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _workbook(tmp_path, rows: int = 100):
    path = tmp_path / "participants.xlsx"
    book = openpyxl.Workbook()
    for i in range(rows):
        book.active.append([f"T-{i:03d}", "Testshire"])
    book.save(path)
    return path


def _refused(path) -> str:
    with pytest.raises(DataValidationError) as caught:
        read_raw(path)
    return str(caught.value)


def test_an_archive_of_too_many_parts_is_refused_before_they_are_listed(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_PARTS", 50)
    path = _workbook(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        for i in range(60):
            archive.writestr(f"xl/media/empty{i}.bin", b"")
    listed = []
    monkeypatch.setattr(zipfile.ZipFile, "infolist", lambda self: listed.append(1) or [])
    message = _refused(path)
    assert "participants.xlsx" in message and "69 parts" in message and not listed


def test_shared_text_read_whole_is_refused_wherever_the_workbook_puts_it(tmp_path, monkeypatch):
    path = _workbook(tmp_path)
    with zipfile.ZipFile(path) as archive:
        sheet, theme = (archive.getinfo(n).file_size for n in ("xl/worksheets/sheet1.xml", "xl/theme/theme1.xml"))
    limit = theme + 1000
    assert sheet > limit  # the sheet is streamed, so it may be larger than the limit
    monkeypatch.setattr(archives, "MAX_WHOLE_PART_BYTES", limit)
    assert archives.oversized_archive(path) is None and read_raw(path).cells.shape == (99, 2)
    # shared text stored beside the sheets, where a check by name would take it for one
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts[RELS] = parts[RELS].replace(b"</Relationships>", f'<Relationship Type="{SST}" Target="worksheets/strings.xml" '
                                                           'Id="rId9"/></Relationships>'.encode())
    parts["xl/worksheets/strings.xml"] = b"<sst>" + b"<si><t>x</t></si>" * (limit // 10) + b"</sst>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    message = _refused(path)
    assert "participants.xlsx" in message and "worksheets/strings.xml" in message and "read whole" in message


def test_a_qda_project_of_too_many_parts_is_refused_before_they_are_listed(tmp_path, monkeypatch):
    # 300,000 empty parts took 9 s and 600 MB to import before
    from cm_research.interop.qda.errors import QdaImportError
    from cm_research.interop.qda.read import import_qda

    monkeypatch.setattr(archives, "MAX_PROJECT_PARTS", 20)
    path = tmp_path / "project.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
        for i in range(30):
            archive.writestr(f"sources/{i}.txt", "")
    with pytest.raises(QdaImportError) as caught:
        import_qda(path)
    assert "project.qdpx" in str(caught.value) and "31 parts" in str(caught.value.problems["message"].iloc[0])
