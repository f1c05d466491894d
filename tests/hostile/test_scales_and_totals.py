"""Numbers that change meaning and rows mistaken for totals (hostile input, round 4, items 3 and 5).

A careless hand: one attendance written 0.85 among percentages written 85% (one child's 85% read as 0.85%),
date serials in a CSV that a Mac workbook wrote in its 1904 system, a young person or a site whose name starts
with "Total" or "Sum" (a Cantonese family name) taken for a totals row. Each test asserts what a person reading
the file would expect. All data SYNTHETIC.
"""

from __future__ import annotations

import pytest

from cm_research.data import load_table
from tests.hostile.test_csv_reader import HEADER, _participant
from tests.hostile.test_meaning import COLUMNS, _problems, _workbook, _xlsx_row

OUTCOMES = "participant_id,measure,timepoint,date,value"


def _outcomes(write_file, values: list[str]):
    lines = [f"T-{i:03d},attendance_pct,baseline,,{v}" for i, v in enumerate(values, start=1)]
    result = load_table(write_file("outcomes.csv", [OUTCOMES, *lines]), "outcomes")
    assert result.n_read == len(result.data) + len(result.quarantine)
    return result


def test_a_fraction_among_percentages_is_held_back_not_read_as_under_one_percent(write_file):
    result = _outcomes(write_file, ["85%", "0.85", "92", "0.5%", "0"])
    assert list(result.data["value"]) == [85, 92, 0.5, 0]  # 0.5% written with its sign is what it says
    held = _problems(result, "percent_scale")
    assert list(held["row"]) == [3] and list(held["column"]) == ["value"]
    message = held["message"].iloc[0]
    assert "0.85" in message and "attendance_pct" in message and "85" in message and "0.85%" in message


def test_a_column_of_fractions_alone_is_not_questioned(write_file):
    # every value under 1: nothing to compare with; the range check is the only rule (0.85 is a valid 0.85%)
    result = _outcomes(write_file, ["0.85", "0.9"])
    assert len(result.data) == 2 and _problems(result, "percent_scale").empty


def test_a_whole_one_among_percentages_is_not_questioned(write_file):
    result = _outcomes(write_file, ["85", "1", "0"])  # 1% of sessions: a child missing from school
    assert len(result.data) == 3 and _problems(result, "percent_scale").empty


@pytest.mark.parametrize("lead", ["Sum Yee", "Total Learning Trust", "Totals-R-Us Academy", "Sum: Kit"])
def test_a_real_name_starting_total_or_sum_in_the_first_column_is_a_row_of_data(write_file, lead):
    # the site is the first column; the rest of the row is a young person's data, not numbers
    header = "site," + HEADER.replace(",site", "")
    row = _participant(1).replace(",Testshire", "")
    result = load_table(write_file("participants.csv", [header, f"Testshire,{row}", f"{lead},{row[:4]}2{row[5:]}"]),
                        "participants")
    assert _problems(result, "totals_row").empty
    assert list(result.data["site"]) == ["Testshire", lead] and list(result.data["participant_id"]) == ["T-001", "T-002"]


def test_a_totals_row_of_numbers_or_currency_is_still_caught(tmp_path):
    result = _workbook(tmp_path, [_xlsx_row("T-001"), _xlsx_row("T-002"),
                                  ["Total", None, None, 16, None, None, None, None, None, None, None, None, None],
                                  ["Grand total:", "", "", "£1,200", "", "", "", "", "", "", "", "", "-"],
                                  ["Sum", 2, None, "16", None, None, None, None, None, None, None, None, "(3)"]])
    assert list(result.data["participant_id"]) == ["T-001", "T-002"]
    assert list(_problems(result, "totals_row")["row"]) == [4, 5, 6]
    assert len(COLUMNS) == 13


def test_date_numbers_in_a_csv_are_read_with_a_word_on_the_date_system(write_file):
    # 45180 days after 30/12/1899 is 11/09/2023 (Excel for Windows); a Mac 1904 workbook means 12/09/2027
    lines = [HEADER, _participant(1).replace("11/09/2023", "45180"), _participant(2).replace("11/09/2023", "45181"),
             _participant(3), _participant(4).replace("11/09/2023", "45180")]
    result = load_table(write_file("participants.csv", lines), "participants")
    assert [d.strftime("%d/%m/%Y") for d in result.data["start_date"]] == ["11/09/2023", "12/09/2023", "11/09/2023",
                                                                            "11/09/2023"]
    note = _problems(result, "date_serial")
    assert list(note["row"]) == [2, 3, 5] and set(note["severity"]) == {"warning"} and set(note["column"]) == {"start_date"}
    assert "'45181' was read" in note["message"].iloc[1] and "12/09/2023" in note["message"].iloc[1]
    assert "1904" in note["message"].iloc[0]


def test_date_numbers_in_a_workbook_follow_its_own_date_system_without_a_word(tmp_path):
    result = _workbook(tmp_path, [_xlsx_row("T-001", start=45180)])
    assert result.data["start_date"].iloc[0].strftime("%d/%m/%Y") == "11/09/2023"
    assert _problems(result, "date_serial").empty


def test_in_a_workbook_a_percentage_cell_is_its_percentage_and_a_bare_fraction_is_questioned(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(OUTCOMES.split(","))
    for i, (value, fmt) in enumerate([(0.85, "0%"), (0.0085, "0.00%"), (92, "General"), (0.85, "General")], start=1):
        book.active.append([f"T-{i:03d}", "attendance_pct", "baseline", None, value])
        book.active.cell(row=i + 1, column=5).number_format = fmt
    book.save(tmp_path / "outcomes.xlsx")
    result = load_table(tmp_path / "outcomes.xlsx", "outcomes")
    assert list(result.data["value"]) == [85, 0.85, 92]  # 0.85% typed as a percentage in Excel is kept
    assert list(_problems(result, "percent_scale")["row"]) == [5]


def test_a_name_spelt_wholly_in_look_alike_letters_beside_its_latin_twin_is_refused(write_file):
    # "ТЕЅТ" in Cyrillic (no Latin letter in it, so the mixed-word check passed it) beside the Latin "TEST": two
    # sites a reader cannot tell apart. A name in another alphabet with no Latin twin is an ordinary name.
    cyrillic = "\u0422\u0415\u0405\u0422"
    lines = [HEADER, _participant(1).replace("Testshire", "TEST"), _participant(2).replace("Testshire", cyrillic),
             _participant(3).replace("Testshire", "\u041c\u043e\u0441\u043a\u0432\u0430")]
    result = load_table(write_file("participants.csv", lines), "participants")
    held = _problems(result, "homoglyph")
    assert list(held["row"]) == [3] and list(held["column"]) == ["site"]
    assert "'TEST'" in held["message"].iloc[0] and "row 2" in held["message"].iloc[0]
    assert list(result.data["site"]) == ["TEST", "\u041c\u043e\u0441\u043a\u0432\u0430"]
