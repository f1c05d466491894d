"""Values that silently change meaning, and rows a person cannot see (hostile input, round 3, items 1 and 2).

A council analyst's export and a student's copy-paste: US dates among UK ones, a date cell holding a time, an
Excel error value (#N/A, #REF!) where a value should be, a site code "NA" read as the missing-value marker,
ids that Excel would have stripped of their leading zeros, rows and columns hidden in Excel. Each test asserts
what a person reading the file would expect: nothing read differently from what they meant without a word.
All data SYNTHETIC.
"""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from cm_research.data import load_table

HEADER = ("participant_id,site,cohort,year_group,education_stage,care_status,referral_reasons,programme,group,"
          "start_date,end_date,match_ended_early,interests")
COLUMNS = HEADER.split(",")


def _csv(pid: str, start: str = "11/09/2023", site: str = "Testshire", interests: str = "art") -> str:
    return (f"{pid},{site},2023/24,8,KS3,looked_after,,creative_mentoring,mentored,{start},,no,{interests}")


def _xlsx_row(pid: object, start: object = dt.date(2023, 9, 11), site: str = "Testshire") -> list:
    return [pid, site, "2023/24", 8, "KS3", "looked_after", None, "creative_mentoring", "mentored", start, None,
            "no", "art"]


def _workbook(tmp_path, rows, setup=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "participants"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    book.save(tmp_path / "participants.xlsx")
    return load_table(tmp_path / "participants.xlsx", "participants")


def _problems(result, rule):
    return result.problems[result.problems["rule"].str.endswith(rule)]


def test_a_column_with_us_dates_makes_its_ambiguous_dates_questions_not_uk_dates(write_file):
    # 12/25/2023 can only be month first; in the same column 03/04/2024 could be 3 April or 4 March
    rows = [_csv("T-001", "03/04/2024"), _csv("T-002", "12/25/2023"), _csv("T-003", "2024-01-05"),
            _csv("T-004", "13/02/2024"), _csv("T-005", "05/05/2024")]
    result = load_table(write_file("participants.csv", [HEADER, *rows]), "participants")
    dates = result.data.set_index("participant_id")["start_date"]
    assert dates["T-003"] == dt.datetime(2024, 1, 5)  # ISO: one meaning only
    assert dates["T-004"] == dt.datetime(2024, 2, 13)  # 13 can only be a day
    assert dates["T-005"] == dt.datetime(2024, 5, 5)  # day and month equal: one date either way
    assert dates.isna()["T-001"] and dates.isna()["T-002"]  # neither guessed
    ambiguous = _problems(result, "ambiguous_date").set_index("row")
    assert list(ambiguous.index) == [2]
    assert "3 April 2024 or 4 March 2024" in ambiguous.loc[2, "message"] and "12/25/2023" in ambiguous.loc[2, "message"]
    us = result.problems[result.problems["row"] == 3].iloc[0]
    assert "month first" in us["message"] and "25 December 2023" in us["message"]


def test_without_us_dates_a_uk_date_is_read_as_written(write_file):
    result = load_table(write_file("participants.csv", [HEADER, _csv("T-001", "03/04/2024")]), "participants")
    assert result.data["start_date"].iloc[0] == dt.datetime(2024, 4, 3)
    assert result.problems.empty


def test_a_date_cell_with_a_time_of_day_says_the_time_was_dropped(tmp_path):
    result = _workbook(tmp_path, [_xlsx_row("T-001", dt.datetime(2023, 9, 11, 14, 30)), _xlsx_row("T-002")])
    assert list(result.data["start_date"]) == [dt.datetime(2023, 9, 11)] * 2  # the day is kept
    noted = _problems(result, "time_of_day")
    assert list(noted["row"]) == [2] and set(noted["severity"]) == {"warning"}
    assert "14:30" in noted["message"].iloc[0] and "start_date" == noted["column"].iloc[0]


@pytest.mark.parametrize("engine", ["python", "columnar"])
@pytest.mark.parametrize("shown", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"])
def test_an_excel_error_value_is_no_site_name(write_file, shown, engine):
    # a VLOOKUP that found nothing exports as #N/A: as a site it would be a new site nobody has heard of
    result = load_table(write_file("participants.csv", [HEADER, _csv("T-001", site=shown), _csv("T-002")]),
                        "participants", engine=engine)
    assert list(result.data["participant_id"]) == ["T-002"] and len(result.quarantine) == 1
    problem = _problems(result, "excel_error").iloc[0]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "site", shown)
    assert "Excel" in problem["message"] and "formula" in problem["message"]


def test_an_excel_error_value_in_an_optional_cell_costs_the_cell_and_in_a_workbook_too(tmp_path):
    def broken(sheet):
        sheet["M2"].value = "#REF!"
        sheet["M2"].data_type = "e"

    result = _workbook(tmp_path, [_xlsx_row("T-001")], broken)
    assert len(result.data) == 1 and result.data["interests"].isna().all()
    assert list(_problems(result, "excel_error")["severity"]) == ["warning"]


def test_a_site_coded_na_is_said_to_be_read_as_missing(write_file):
    result = load_table(write_file("participants.csv", [HEADER, _csv("T-001", site="NA")]), "participants")
    problem = result.problems.iloc[0]
    assert (problem["row"], problem["column"], problem["value"], problem["rule"]) == (2, "site", "NA", "required")
    assert "'NA'" in problem["message"] and "missing" in problem["message"]


def test_ids_that_differ_only_in_leading_zeros_are_flagged(tmp_path):
    # Excel turns 00123 typed into a number cell into 123: two rows that may be one child
    result = _workbook(tmp_path, [_xlsx_row(123), _xlsx_row("00123"), _xlsx_row("T-001"), _xlsx_row("1230")])
    flagged = _problems(result, "leading_zeros")
    assert sorted(flagged["row"]) == [2, 3] and set(flagged["severity"]) == {"warning"}
    assert "00123" in flagged.set_index("row").loc[2, "message"]
    assert len(result.data) == 4  # kept: they may be two children


def test_rows_and_columns_hidden_in_excel_are_read_and_said(tmp_path):
    def hide(sheet):
        sheet.row_dimensions[3].hidden = True
        sheet.row_dimensions[4].hidden = True
        sheet.column_dimensions["M"].hidden = True

    result = _workbook(tmp_path, [_xlsx_row("T-001"), _xlsx_row("T-002"), _xlsx_row("T-003")], hide)
    assert len(result.data) == 3  # every row is read: a filter is a view, not a deletion
    notes = " ".join(result.problems.loc[result.problems["rule"] == "file", "message"])
    assert "rows 3, 4" in notes and "hidden" in notes
    assert "column M" in notes


def test_a_curly_apostrophe_before_a_number_is_read_like_excels_apostrophe(write_file):
    from cm_research.data.coercion import coerce_number
    from cm_research.dictionary import load_schema

    import pandas as pd

    field = load_schema("participants").field("year_group")
    numbers, bad = coerce_number(pd.Series(["\u201942", "\u201842", "'42"], index=[2, 3, 4]), field)
    assert list(numbers) == [42, 42, 42]
    assert [rule for _, rule, _ in bad] == ["apostrophe"] * 3


def test_a_header_pasted_halfway_down_and_a_totals_row_are_named_for_what_they_are(tmp_path):
    result = _workbook(tmp_path, [_xlsx_row("T-001"), COLUMNS, _xlsx_row("T-002"), _xlsx_row("T-003"),
                                  ["Total", None, None, 24], ["Grand total", None, None, 24]])
    assert list(result.data["participant_id"]) == ["T-001", "T-002", "T-003"]
    assert result.n_read == 6 and len(result.quarantine) == 3  # nothing lost: held back, each with its reason
    assert list(_problems(result, "header_row")["row"]) == [3]
    totals = _problems(result, "totals_row")
    assert list(totals["row"]) == [6, 7] and list(totals["value"]) == ["Total", "Grand total"]


def test_a_young_person_whose_id_starts_with_total_letters_is_no_totals_row(write_file):
    result = load_table(write_file("participants.csv", [HEADER, _csv("TOTALS-1"), _csv("Sumner-2")]), "participants")
    assert len(result.data) == 2 and result.problems.empty


def test_an_id_that_excel_held_as_a_long_number_is_said_to_have_lost_digits(tmp_path):
    # 1234567890123456789 typed into a number cell is kept by Excel as 1234567890123450000 (15 digits)
    result = _workbook(tmp_path, [_xlsx_row(1234567890123456789), _xlsx_row(123456789012345)])
    lost = _problems(result, "lost_digits")
    assert list(lost["row"]) == [2] and set(lost["severity"]) == {"warning"} and "15" in lost["message"].iloc[0]
    assert len(result.data) == 2


@pytest.mark.parametrize("engine", ["python", "columnar"])
def test_a_file_as_long_as_an_excel_sheet_is_said_to_be_cut_off(write_file, monkeypatch, engine):
    from cm_research.data import raw

    monkeypatch.setattr(raw, "EXCEL_MAX_ROWS", 4)  # the real limit, 1,048,576 rows, by a stand-in
    rows = [HEADER, _csv("T-001"), _csv("T-002"), _csv("T-003")]
    notes = load_table(write_file("participants.csv", rows), "participants", engine=engine).problems["message"]
    assert notes.str.contains("the most an Excel sheet can hold").sum() == 1
    fewer = load_table(write_file("participants.csv", rows[:-1]), "participants", engine=engine).problems["message"]
    assert not fewer.str.contains("Excel sheet").any()


def test_an_outcome_whose_id_lost_its_leading_zeros_says_which_id_it_may_be(write_file):
    from tests.conftest import OUTCOMES_HEADER

    people = load_table(write_file("participants.csv", [HEADER, _csv("00123"), _csv("T-001")]), "participants")
    outcomes = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, "123,sdq_total,baseline,01/10/2023,14",
                                                      "999,sdq_total,baseline,01/10/2023,14"]),
                          "outcomes", references={"participants": people.data})
    messages = outcomes.problems.set_index("row")["message"]
    assert "'00123' is" in messages[2] and "leading zeros" in messages[2]
    assert "leading zeros" not in messages[3]
