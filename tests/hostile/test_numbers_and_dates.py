"""Numbers and dates as careless hands type them (hostile input, round 2, item 5). SYNTHETIC data only.

Each cell is either read as the number or date a person means, or refused naming file, row and column, and the
file is never lost to a traceback: rows in = rows valid + rows quarantined.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from cm_research.data import load_table
from cm_research.data.coercion import number_text
from tests.conftest import OUTCOMES_HEADER
from tests.hostile.test_csv_reader import HEADER, _participant
from tests.hostile.test_workbooks import HEADER as XLSX_HEADER
from tests.hostile.test_workbooks import _row


@pytest.mark.parametrize("typed", ["31/12/9999", "9999-12-31", "01/01/2999", "31/12/1850"])
def test_a_date_far_in_the_future_or_past_is_refused_not_a_traceback(write_file, typed):
    # before: "31/12/9999" (typed for "not known") ended load_table in pandas' OutOfBoundsDatetime traceback
    result = load_table(write_file("participants.csv", [HEADER, _participant(1).replace("11/09/2023", typed),
                                                        _participant(2)]), "participants")
    assert result.n_read == 2 == len(result.data) + len(result.quarantine)
    assert pd.isna(result.data.loc[2, "start_date"]) and result.data.loc[3, "start_date"] == pd.Timestamp("2023-09-11")
    problem = result.problems.iloc[0]
    assert (problem["row"], problem["column"]) == (2, "start_date")
    assert typed in problem["message"] and "the year must be 1900 to 2200" in problem["message"]


def test_an_excel_date_cell_in_the_year_9999_is_refused_not_a_traceback(tmp_path):
    book = Workbook()
    book.active.title = "participants"
    for row in (XLSX_HEADER, _row("T-001", dt.date(9999, 12, 31)), _row("T-002", dt.datetime(1850, 1, 1)),
                _row("T-003")):
        book.active.append(row)
    book.save(tmp_path / "participants.xlsx")
    result = load_table(tmp_path / "participants.xlsx", "participants")
    assert result.data["start_date"].isna().tolist() == [True, True, False]
    assert set(result.problems["row"]) == {2, 3} and set(result.problems["column"]) == {"start_date"}


def test_minus_zero_is_zero_and_an_underflowing_number_is_refused(write_file):
    lines = [OUTCOMES_HEADER, "T-001,sdq_total,baseline,01/10/2023,-0", "T-002,sdq_total,baseline,01/10/2023,12e-400"]
    result = load_table(write_file("outcomes.csv", lines), "outcomes")
    assert str(result.data.loc[2, "value"]) == "0.0"  # not "-0.0" in a table
    assert result.errors.iloc[0]["row"] == 3 and "'12e-400' is not a number" in result.errors.iloc[0]["message"]


@pytest.mark.parametrize("cell, number", [("1,234", "1234"), ("12,345.5", "12345.5"), ("50 %", "50"), ("\u22125", "-5"),
                                          ("+5", "+5"), (".5", ".5"), ("1e309", None), ("nan", None), ("-inf", None),
                                          ("3,5", None), ("1 234", None), ("'42", None), ("0x1A", None),
                                          ("1_000", None), ("(5)", None), ("12e-400", None)])
def test_numbers_as_people_write_them_by_hand(cell, number):
    assert number_text(cell) == number
