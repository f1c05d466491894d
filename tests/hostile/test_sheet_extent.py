"""A workbook whose sheet says it is smaller or wider than it is (hostile input, round 4, items 2 and 4).

openpyxl's read-only reader trusts the sheet's ``<dimension>`` element: rows and cells beyond it were silently not
read (a row 1,048,576 or a row 4 after a dimension of A1:M3 vanished). And it pads every row to the widest cell, so
one value in column XFD on each of 500 rows (a 10 KB file) took 7.5 s, 5,000 rows over a minute and a gigabyte.
Now every row and cell is read whatever the dimension says, and a value beyond the 1,000 columns a table could
have refuses the file at once, naming the cell. SYNTHETIC data.
"""

from __future__ import annotations

import re
import zipfile

import pytest

from cm_research.data import load_table
from cm_research.errors import DataValidationError
from tests.hostile.test_meaning import COLUMNS, _xlsx_row

import openpyxl


def _sheet(tmp_path, change) -> object:
    path = tmp_path / "participants.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "participants"
    for row in (COLUMNS, _xlsx_row("T-001"), _xlsx_row("T-002")):
        book.active.append(row)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = change(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def test_rows_beyond_the_declared_dimension_are_read(tmp_path):
    def change(xml):
        row3 = b'<row r="3"' + xml.split(b'<row r="3"')[1].split(b"</row>")[0] + b"</row>"
        row4 = re.sub(rb'r="([A-Z]+)3"', rb'r="\g<1>4"', row3).replace(b'<row r="3"', b'<row r="4"')
        far = b'<row r="1048576">' + _cell("A1048576", "T-999") + b"</row>"
        return xml.replace(b"</sheetData>", row4.replace(b"T-002", b"T-004") + far + b"</sheetData>")

    result = load_table(_sheet(tmp_path, change), "participants")
    assert result.n_read == len(result.data) + len(result.quarantine)
    assert list(result.data["participant_id"]) == ["T-001", "T-002", "T-004"]
    assert 1048576 in result.quarantine.index or 1048576 in set(result.problems["row"])  # said, not dropped


def test_a_cell_beyond_the_declared_columns_is_read_as_an_extra_cell(tmp_path):
    result = load_table(_sheet(tmp_path, lambda xml: xml.replace(b"</row></sheetData>", _cell("P3", "hidden") +
                                                                 b"</row></sheetData>")), "participants")
    extra = result.problems[result.problems["rule"] == "extra_cells"]
    assert list(extra["row"]) == [3] and list(result.data["participant_id"]) == ["T-001"]


def test_a_value_in_the_last_column_of_the_sheet_is_refused_at_once(tmp_path):
    with pytest.raises(DataValidationError) as caught:
        load_table(_sheet(tmp_path, lambda xml: xml.replace(b"</row></sheetData>", _cell("XFD3", "x") +
                                                            b"</row></sheetData>")), "participants")
    message = str(caught.value)
    assert "participants.xlsx" in message and "XFD3" in message and "1,000" in message


def test_the_disclosure_check_reads_rows_beyond_the_declared_dimension(tmp_path):
    from cm_research.privacy.scan import check_disclosure
    from tests.hostile.test_disclosure_scan import REGISTER

    run = tmp_path / "run"
    run.mkdir()
    hidden = b'<row r="9">' + _cell("A9", "NS-0002") + b"</row>"
    path = _sheet(tmp_path, lambda xml: xml.replace(b"</sheetData>", hidden + b"</sheetData>"))
    path.rename(run / "table.xlsx")
    assert "NS-0002" in set(check_disclosure(run, REGISTER)["text"])
