"""The disclosure scan misses nothing planted (issue 22, item 5): identifiers hidden in every kind of file a run
can contain are found, and a file the scan cannot read is never passed. All identifiers are SYNTHETIC."""

from __future__ import annotations

import base64
import json
import struct
import zipfile
import zlib

import pytest

from cm_research.privacy.scan import check_disclosure

REGISTER = ["NS-0001", "NS-0002", "NS-0003", "NS-0004", "NS-0005", "NS-0006", "NS-0007", "NS-0008", "NS-0009",
            "NS-0010", "NS-0011", "NS-0012", "Jamie Price"]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(text: dict[bytes, bytes] | None = None, exif: bytes = b"") -> bytes:
    """A 1x1 PNG with tEXt chunks and an eXIf chunk."""
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    chunks = b"".join(_chunk(b"tEXt", k + b"\0" + v) for k, v in (text or {}).items())
    if exif:
        chunks += _chunk(b"eXIf", b"MM\0*\0\0\0\x08" + exif)
    return b"\x89PNG\r\n\x1a\n" + header + chunks + _chunk(b"IDAT", zlib.compress(b"\0\0")) + _chunk(b"IEND", b"")


def jpeg(comment: bytes) -> bytes:
    return b"\xff\xd8" + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + b"\xff\xd9"


def _notebook(metadata: dict, cell_metadata: dict, image: bytes) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": [{
        "cell_type": "code", "id": "a", "metadata": cell_metadata, "execution_count": 1, "source": "x = 1",
        "outputs": [{"output_type": "display_data", "metadata": {},
                     "data": {"image/png": base64.b64encode(image).decode(), "text/plain": "<Figure>"}}]}]})


def _docx(creator: str) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>Report</w:t></w:r></w:p></w:body>"
                                         "</w:document>")
        zf.writestr("docProps/core.xml", f"<cp:coreProperties><dc:creator>{creator}</dc:creator></cp:coreProperties>")
    return buffer.getvalue()


#: file -> (content, the kinds the scan must report in it)
PLANTED = {
    "site/comment.html": (b"<html><body><p>Report</p><!-- child NS-0001 --></body></html>", {"register"}),
    "site/data_attr.html": (b'<html><body><div data-pupil="NS-0002">Report</div></body></html>', {"register"}),
    "site/mailto.html": (b'<html><body><a href="mailto:parent@example.org">contact</a></body></html>', {"email"}),
    "site/dob_heading.html": (b"<table><tr><th>Date of Birth</th></tr><tr><td>x</td></tr></table>",
                              {"identifier_column"}),
    "site/embedded.html": (b'<img alt="chart" src="data:image/png;base64,'
                           + base64.b64encode(png({b"Author": b"NS-0012"})) + b'">', {"register"}),
    "site/upn_lower.txt": (b"the upn was a123456789012 in the notes", {"upn"}),
    "site/upn_spaced.md": (b"UPN: A123 4567 8901 2", {"upn"}),
    "site/birthdate.csv": (b"Birthdate,score\n2011-01-01,3\n", {"identifier_column"}),
    "site/dob.csv": (b"D.O.B,score\n2011-01-01,3\n", {"identifier_column"}),
    "site/dob_semicolon.csv": (b"id;DoB\n1;2011-01-01\n", {"identifier_column"}),
    "site/report.ipynb": (_notebook({"papermill": {"parameters": {"participant_id": "NS-0003"}}},
                                    {"tags": ["NS-0004"]}, png(exif=b"NS-0005 camera")).encode(), {"register"}),
    "site/figure.png": (png({b"Description": b"Mentee NS-0006"}), {"register"}),
    "site/figure_exif.png": (png(exif=b"Artist NS-0007"), {"register"}),
    "site/photo.jpg": (jpeg(b"taken with NS-0008"), {"register"}),
    "site/table_utf16.csv": ("participant_id,score\nNS-0009,3\n".encode("utf-16"), {"register", "identifier_column"}),
    "site/notes_utf16.txt": ("about NS-0010".encode("utf-16-le"), {"register"}),
    "site/.hidden_notes.txt": (b"NS-0011 is doing well", {"register"}),
    "site/.ipynb_checkpoints/report-checkpoint.ipynb": (_notebook({}, {}, png()).replace(
        '"x = 1"', '"pupil = \'Jamie Price\'"').encode(), {"register"}),
    "site/report.docx": (_docx("Jamie Price"), {"register"}),
    "site/spelt_email.txt": (b"write to jamie dot price at gmail dot com", {"email"}),
    "site/address.txt": (b"she lives at 14 station road now", {"address"}),
    "site/report.pdf": (b"%PDF-1.4 NS-0001", {"unscanned_file"}),
    "site/broken.xlsx": (b"PK\x03\x04 not really a workbook", {"unscanned_file"}),
    "site/odd.bin": (b"\x00\x01\x02", {"unscanned_file"}),
}


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("planted") / "run"
    for name, (content, _) in PLANTED.items():
        path = run / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return run, check_disclosure(run, REGISTER)


@pytest.mark.parametrize("name", list(PLANTED))
def test_every_planted_identifier_is_found(planted_run, name):
    _, findings = planted_run
    found = set(findings.loc[findings["file"] == name, "kind"])
    assert PLANTED[name][1] <= found, (name, found, findings[findings["file"] == name].to_dict("records"))


def test_the_run_does_not_pass_and_every_file_is_counted(planted_run):
    _, findings = planted_run
    assert findings.attrs["n_files"] == len(PLANTED)
    assert set(findings["file"]) == set(PLANTED)


def test_an_excel_workbooks_properties_and_sheet_names_are_read(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "NS-0002"
    book.active.append(["score"])
    book.properties.creator = "Jamie Price"
    (tmp_path / "run").mkdir()
    book.save(tmp_path / "run" / "table.xlsx")
    findings = check_disclosure(tmp_path / "run", REGISTER)
    assert {"NS-0002", "Jamie Price"} <= set(findings["text"])
