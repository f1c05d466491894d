"""Careless and hostile Excel workbooks (hostile input, round 2, item 2). All data SYNTHETIC.

Each test builds the workbook with openpyxl, as a person's Excel (or a hostile one) would have saved it, and
asserts what a person looking at it in Excel would expect: the data they can see is what is read, dates are the
dates shown, and a file that is no workbook is refused saying what it really is.
"""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from cm_research.data import load_table
from cm_research.errors import DataValidationError

HEADER = ["participant_id", "site", "cohort", "year_group", "education_stage", "care_status", "referral_reasons",
          "programme", "group", "start_date", "end_date", "match_ended_early", "interests"]


def _row(pid: str, start: object = dt.date(2023, 9, 11), programme: str | None = "creative_mentoring") -> list:
    return [pid, "Testshire", "2023/24", 8, "KS3", "looked_after", None, programme, "mentored", start, None, "no",
            "art"]


def _save(tmp_path, rows, setup=None, name="participants.xlsx"):
    book = Workbook()
    book.active.title = "participants"
    for row in rows:
        book.active.append(row)
    if setup:
        setup(book)
    book.save(tmp_path / name)
    return tmp_path / name


def _load(path):
    result = load_table(path, "participants")
    assert result.n_read == len(result.data) + len(result.quarantine)
    return result


def test_a_very_hidden_sheet_named_like_the_table_is_not_read_instead_of_the_visible_one(tmp_path):
    # before: the very hidden `participants` sheet (T-666, which no one opening the file can see) was read and
    # the visible sheet ignored
    def hide(book):
        book["participants"].sheet_state = "veryHidden"
        seen = book.create_sheet("Sheet2")
        seen.append(HEADER)
        seen.append(_row("T-009"))

    result = _load(_save(tmp_path, [HEADER, _row("T-666")], hide))
    assert result.data["participant_id"].tolist() == ["T-009"]
    note = result.problems[result.problems["rule"] == "file"]["message"]
    assert any("hidden sheet (participants), which was not read" in m for m in note)


def test_a_hidden_first_sheet_and_an_empty_first_sheet_are_passed_over(tmp_path):
    def add(book):
        hidden = book.create_sheet("lookup", 0)
        hidden.append(["T-666", "x"])
        hidden.sheet_state = "hidden"
        book.create_sheet("cover", 1)  # visible and empty
        book["participants"].title = "Data"

    result = _load(_save(tmp_path, [HEADER, _row("T-001")], add))
    assert result.data["participant_id"].tolist() == ["T-001"]
    messages = " ".join(result.problems["message"])
    assert "`Data`, the first with data" in messages and "hidden sheet (lookup)" in messages


def test_merged_cells_are_read_as_the_value_shown_across_them_and_said(tmp_path):
    # programme (optional) merged over rows 2-4: before, rows 3 and 4 were read as having no programme, unsaid
    def merge(book):
        book["participants"].merge_cells("H2:H4")

    rows = [HEADER, _row("T-001"), _row("T-002", programme=None), _row("T-003", programme=None)]
    result = _load(_save(tmp_path, rows, merge))
    assert result.data["programme"].tolist() == ["creative_mentoring"] * 3
    assert any("merged cells (H2:H4)" in m for m in result.problems["message"])


def test_the_1904_date_system_gives_the_dates_shown(tmp_path):
    # a Mac workbook: date cells and dates kept as plain serial numbers both count days from 1904-01-01
    def mac(book):
        book.epoch = CALENDAR_MAC_1904

    serial_1904 = (dt.date(2023, 9, 11) - dt.date(1904, 1, 1)).days  # 45180 in the 1900 system, less 1462 days
    assert serial_1904 == 45180 - 1462 == 43718
    rows = [HEADER, _row("T-001"), _row("T-002", serial_1904), _row("T-003", str(serial_1904))]
    result = _load(_save(tmp_path, rows, mac))
    assert [d.date() for d in result.data["start_date"]] == [dt.date(2023, 9, 11)] * 3


def test_a_date_serial_in_an_ordinary_workbook_is_the_1900_system(tmp_path):
    serial_1900 = (dt.date(2023, 9, 11) - dt.date(1899, 12, 30)).days  # 45180
    result = _load(_save(tmp_path, [HEADER, _row("T-001", serial_1900), _row("T-002", str(serial_1900))]))
    assert [d.date() for d in result.data["start_date"]] == [dt.date(2023, 9, 11)] * 2


def test_a_header_below_a_title_row_is_found_and_named(tmp_path):
    path = _save(tmp_path, [["SYNTHETIC participants export, January"], [], HEADER, _row("T-001")])
    with pytest.raises(DataValidationError, match=r"column names seem to be on row 3: delete the rows above them"):
        load_table(path, "participants")


@pytest.mark.parametrize("content, says", [
    (b"participant_id,site\nT-001,Testshire\n", "text file (CSV) with an .xlsx name"),
    (b"<html><body><table><tr><td>participant_id</td></tr></table></body></html>", "web page"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "protected with a password (encrypted)"),
    (b"\x00\x01\x02\x03garbage" * 10, "not an Excel workbook"),
])
def test_a_file_named_xlsx_that_is_no_workbook_is_named_for_what_it_is(tmp_path, content, says):
    path = tmp_path / "participants.xlsx"
    path.write_bytes(content)
    with pytest.raises(DataValidationError) as caught:
        load_table(path, "participants")
    assert str(caught.value).startswith("participants.xlsx: ") and says in str(caught.value)


def test_an_xlsm_with_a_macro_part_is_read_for_its_values_only(tmp_path):
    import zipfile

    path = _save(tmp_path, [HEADER, _row("T-001")], name="participants.xlsm")
    with zipfile.ZipFile(path, "a") as archive:  # a macro project is only ever stored, never run by a reader
        archive.writestr("xl/vbaProject.bin", b"Attribute VB_Name = \"SYNTHETIC\"\nSub Auto_Open()\nEnd Sub\n")
    assert _load(path).data["participant_id"].tolist() == ["T-001"]


def test_a_merged_range_claiming_the_whole_sheet_stays_within_the_data(tmp_path, monkeypatch):
    import zipfile

    import cm_research.data.reading as reading

    # interests and 16,372 columns beyond the table, to the last row Excel has (written into the XML: openpyxl
    # itself would make a cell object for each of the 17 billion cells)
    plain = _save(tmp_path, [HEADER] + [_row(f"T-{i:03d}") for i in range(1, 201)], name="plain.xlsx")
    path = tmp_path / "participants.xlsx"
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                                     b'<mergeCell ref="M2:XFD1048576"/></mergeCells>')
            new.writestr(info.filename, data)
    filled_widths = []
    fill = reading._fill_merged

    def fill_and_measure(records, ranges):
        out = fill(records, ranges)
        filled_widths.append(max(len(row) for row in records))
        return out

    monkeypatch.setattr(reading, "_fill_merged", fill_and_measure)
    result = _load(path)
    assert filled_widths and max(filled_widths) <= len(HEADER) + 1  # not 200 rows x 16,384 cells filled
    assert result.data["interests"].tolist() == [("art",)] * 200
    assert any("merged cells (M2:XFD1048576)" in m for m in result.problems["message"])


def test_filling_a_merged_range_never_widens_the_rows():
    from openpyxl.worksheet.cell_range import CellRange

    from cm_research.data.reading import _fill_merged

    records = [["participant_id", "group"], ["T-001", "mentored"], ["T-002", None]]
    assert _fill_merged(records, [CellRange("B2:XFD1048576")]) == ["B2:XFD1048576"]
    assert records == [["participant_id", "group"], ["T-001", "mentored"], ["T-002", "mentored"]]
