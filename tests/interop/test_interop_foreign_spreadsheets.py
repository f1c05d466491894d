"""Spreadsheets and SPSS files as other software writes them, built byte by byte (or with pyreadstat) in the
test from the published formats: read with every value as written, or refused naming the file and saying how
to save it. SYNTHETIC data.

* Google Sheets / LibreOffice .xlsx (ECMA-376 Part 1 §18.3.1.4 ``c``: ``t="inlineStr"`` with ``<is><t>``,
  ``t="str"`` formula strings, §18.3.1.40 shared formulas whose followers carry no formula text and no cached
  ``<v>``, dates as a number with a date number format, §18.8.30).
* Strict Open XML .xlsx (ECMA-376 Part 1, strict namespaces ``http://purl.oclc.org/ooxml/...``).
* OpenDocument .ods (ODF 1.2 Part 3: a zip whose first member ``mimetype`` is stored uncompressed).
* CSV from Excel for Mac's "CSV (Macintosh)": Mac OS Roman, lines ended by CR alone.
* SPSS .zsav (compressed with zlib, magic ``$FL3`` and compression code 2 in the header), and .sav written by
  SPSS in Windows-1252 (declared in an encoding record, or only as a code page) besides the UTF-8 of R's haven.
"""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd
import pyreadstat
import pytest

from cm_research.data import load_table
from cm_research.errors import DataValidationError

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _workbook(path, sheet_data: str, strict: bool = False) -> None:
    """A one-sheet workbook with the parts ECMA-376 requires, and a date number format as style 1."""
    main = STRICT_MAIN if strict else MAIN
    rel = ("http://purl.oclc.org/ooxml/officeDocument/relationships" if strict
           else "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
    types = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{types}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{types}.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{types}.styles+xml"/></Types>'))
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
                                  f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>'
            '</Relationships>'))
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="sessions" '
                                      'sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/styles.xml", (
            f'<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
            '</numFmts><fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/>'
            '</fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>'))
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData>{sheet_data}</sheetData>'
                                               '</worksheet>')


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER = "".join(_inline(f"{c}1", h) for c, h in zip("ABCDE", ["participant_id", "session_date", "minutes",
                                                                "activity", "setting"]))
ROWS = (
    f'<row r="1">{HEADER}</row>'
    f'<row r="2">{_inline("A2", "SYN-001")}<c r="B2" s="1"><v>45200</v></c><c r="C2"><v>45</v></c>'
    f'<c r="D2" t="str"><v>music</v></c>{_inline("E2", "school")}</row>'
    # a shared formula (LibreOffice, Google Sheets) saved without results: the follower has no formula text
    f'<row r="3">{_inline("A3", "SYN-001")}<c r="B3" s="1"><v>45207</v></c>'
    f'<c r="C3"><f t="shared" ref="C3:C4" si="0">C2+15</f></c>{_inline("D3", "film")}{_inline("E3", "home")}</row>'
    f'<row r="4">{_inline("A4", "SYN-002")}<c r="B4" s="1"><v>45214</v></c><c r="C4"><f t="shared" si="0"/></c>'
    f'<c r="D4" t="str"><f>D3</f><v>film</v></c>{_inline("E4", "online")}</row>'
)


def test_google_sheets_and_libreoffice_cells(tmp_path):
    path = tmp_path / "sessions.xlsx"
    _workbook(path, ROWS)
    loaded = load_table(path, "sessions")
    excel_day_zero = dt.datetime(1899, 12, 30)  # serial 1 is 1 January 1900 (with Lotus' 29 February 1900)
    assert loaded.data[["participant_id", "session_date", "minutes", "activity", "setting"]].values.tolist() == [
        ["SYN-001", excel_day_zero + dt.timedelta(days=45200), 45, "music", "school"]]
    assert excel_day_zero + dt.timedelta(days=45200) == dt.datetime(2023, 10, 1)
    formulas = loaded.problems[loaded.problems["rule"] == "formula"]
    # both cells of the shared formula are named, the follower with its formula translated to its own row
    assert formulas[["row", "column", "value"]].values.tolist() == [[3, "minutes", "=C2+15"],
                                                                     [4, "minutes", "=C3+15"]]


def test_strict_open_xml_is_refused_saying_how_to_save(tmp_path):
    path = tmp_path / "sessions.xlsx"
    _workbook(path, ROWS, strict=True)
    with pytest.raises(DataValidationError, match=r"sessions\.xlsx: this workbook is saved as 'Strict Open XML "
                                                  r"Spreadsheet'.*'Excel Workbook \(\.xlsx\)'"):
        load_table(path, "sessions")


def test_opendocument_spreadsheet_is_refused_saying_how_to_save(tmp_path):
    path = tmp_path / "sessions.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
                                  'xmlns:office:1.0"/>')
    with pytest.raises(DataValidationError, match=r"sessions\.ods: this is an OpenDocument spreadsheet "
                                                  r"\(LibreOffice or OpenOffice Calc\).*Excel 2007-365"):
        load_table(path, "sessions")


def test_csv_from_excel_for_mac_is_mac_roman(tmp_path):
    path = tmp_path / "participants_mac.csv"
    text = ("participant_id,session_date,minutes,activity,setting\r"
            "SYN-001,01/10/2023,45,music,school\r"
            "SYN-002,08/10/2023,30,film,caf\u00e9\r")
    data = text.encode("mac_roman")
    assert b"caf\x8e" in data  # Mac OS Roman's e-acute; Windows-1252 would read it as a Z with caron
    path.write_bytes(data)
    loaded = load_table(path, "sessions")
    assert loaded.encoding == "mac_roman"
    bad = loaded.problems[loaded.problems["column"] == "setting"]
    assert bad[["row", "value"]].values.tolist() == [[3, "caf\u00e9"]]  # named as typed, not as "cafŽ"


def test_compressed_spss_zsav_reads_as_the_sav(tmp_path):
    frame = pd.DataFrame({"participant_id": ["SYN-001", "SYN-002"], "session_date": [dt.date(2023, 10, 1),
                                                                                     dt.date(2023, 10, 8)],
                          "minutes": [45.0, 30.0], "activity": [1.0, 2.0], "setting": ["school", "home"]})
    labels = {"activity": {1: "music", 2: "film"}}
    from cm_research.interop import import_table

    tables = {}
    for name, compress in (("sessions.sav", False), ("sessions.zsav", True)):
        pyreadstat.write_sav(frame, str(tmp_path / name), variable_value_labels=labels, compress=compress,
                             variable_format={"session_date": "DATE11"})
        tables[name] = import_table(tmp_path / name, "sessions")
    header = (tmp_path / "sessions.zsav").read_bytes()[:80]
    assert header[:4] == b"$FL3" and int.from_bytes(header[72:76], "little") == 2  # zlib-compressed, by the spec
    pd.testing.assert_frame_equal(tables["sessions.zsav"].data, tables["sessions.sav"].data)
    assert tables["sessions.zsav"].data[["participant_id", "minutes", "activity"]].values.tolist() == [
        ["SYN-001", 45, "music"], ["SYN-002", 30, "film"]]


@pytest.mark.parametrize("declared", ["encoding record", "code page only"])
def test_spss_file_written_by_spss_in_windows_1252(tmp_path, declared):
    """pyreadstat (like R's haven) writes UTF-8 and says so in an encoding record (type 7, subtype 20); SPSS in
    code-page mode, and SPSS before version 16, write Windows-1252 and say so in that record or only in the
    integer-info record's character code (type 7, subtype 3, eighth field). The file is rewritten here byte by
    byte from the one pyreadstat wrote (the SAV format has no offsets to fix up): both declarations, and the
    text in Windows-1252 ("é" one byte, 0xE9; the string keeps its width with a trailing space)."""
    import struct

    frame = pd.DataFrame({"participant_id": ["SYN-001"], "session_date": [dt.date(2023, 10, 1)], "minutes": [45.0],
                          "activity": ["music"], "setting": ["caf\u00e9 met"]})
    path = tmp_path / "sessions.sav"
    pyreadstat.write_sav(frame, str(path), variable_format={"session_date": "DATE11"})
    data = path.read_bytes()
    utf8_record = b"\x07\x00\x00\x00\x14\x00\x00\x00\x01\x00\x00\x00\x05\x00\x00\x00UTF-8"
    info = data.index(b"\x07\x00\x00\x00\x03\x00\x00\x00") + 16 + 7 * 4  # header 16 bytes, then fields of 4
    assert data.count(utf8_record) == 1 and struct.unpack("<i", data[info:info + 4]) == (65001,)
    data = data[:info] + struct.pack("<i", 1252) + data[info + 4:]
    cp1252_record = (b"\x07\x00\x00\x00\x14\x00\x00\x00\x01\x00\x00\x00\x0c\x00\x00\x00windows-1252"
                     if declared == "encoding record" else b"")
    data = data.replace(utf8_record, cp1252_record).replace("caf\u00e9 met".encode(), "caf\u00e9 met ".encode("cp1252"))
    path.write_bytes(data)
    from cm_research.interop import import_table

    loaded = import_table(path, "sessions")
    assert loaded.data[["participant_id", "minutes", "activity"]].values.tolist() == [["SYN-001", 45, "music"]]
    assert loaded.data["session_date"].tolist() == [pd.Timestamp(2023, 10, 1)]
    setting = loaded.problems[loaded.problems["column"] == "setting"]
    assert setting["value"].tolist() == ["caf\u00e9 met"]  # not in the setting list, and named as typed
