"""Each validation rule, exercised with a bad file a user could plausibly produce.

Every test asserts the exact row (as Excel numbers it: header = row 1) and column reported, and that
the valid rows survive.
"""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from cm_research.data import format_problems, load_evaluation, load_table
from cm_research.errors import DataValidationError

from conftest import OUTCOMES_HEADER, PARTICIPANTS_HEADER, VALID_OUTCOMES, VALID_PARTICIPANTS


def problems_at(result, rule):
    p = result.problems[result.problems["rule"] == rule]
    return sorted(zip(p["row"].astype(int), p["column"]))


def test_valid_file_loads_with_types_and_no_problems(participants_csv):
    result = load_table(participants_csv, "participants")
    assert result.problems.empty
    assert list(result.data["participant_id"]) == ["T-001", "T-002", "T-003", "T-004"]
    assert list(result.data.index) == [2, 3, 4, 5]
    row = result.data.loc[2]
    assert row["start_date"] == pd.Timestamp(2023, 9, 11)  # 11/09/2023 is UK day/month
    assert row["year_group"] == 8
    assert bool(row["match_ended_early"]) is False
    assert result.data.loc[4, "referral_reasons"] == ("school_avoidance", "poor_engagement")
    assert pd.isna(result.data.loc[3, "start_date"])


def test_missing_required_column_refuses_naming_it(write_file):
    keep = [i for i, name in enumerate(PARTICIPANTS_HEADER.split(",")) if name != "group"]
    header, *rows = [",".join(line.split(",")[i] for i in keep) for line in [PARTICIPANTS_HEADER, *VALID_PARTICIPANTS]]
    path = write_file("participants.csv", [header, *rows])
    with pytest.raises(DataValidationError) as err:
        load_table(path, "participants")
    assert "participants.csv" in str(err.value)
    assert "`group`" in str(err.value)
    assert err.value.problems[["rule", "column"]].values.tolist() == [["missing_column", "group"]]


def test_text_in_a_number_column(write_file, participants_csv):
    outcomes = list(VALID_OUTCOMES)
    outcomes[3] = "T-002,sdq_total,baseline,01/10/2023,not done"  # row 5
    path = write_file("outcomes.csv", [OUTCOMES_HEADER, *outcomes])
    participants = load_table(participants_csv, "participants")
    result = load_table(path, "outcomes", references={"participants": participants.data})
    assert problems_at(result, "type") == [(5, "value")]
    assert "'not done' is not a number" in result.problems["message"].iloc[0]
    assert len(result.data) == 5 and 5 not in result.data.index
    assert list(result.quarantine["row"]) == [5]
    assert result.quarantine.loc[0, "value"] == "not done"  # quarantined exactly as typed


def test_attendance_above_100_percent(write_file):
    outcomes = list(VALID_OUTCOMES)
    outcomes[1] = "T-001,attendance_pct,post,15/07/2024,112"  # row 3
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, *outcomes]), "outcomes")
    assert problems_at(result, "maximum") == [(3, "value")]
    line = format_problems(result.problems)
    assert line == "outcomes.csv, row 3, column `value`: 112 is above the maximum of 100 for attendance_pct"
    assert sorted(result.data.index) == [2, 4, 5, 6, 7]


def test_range_depends_on_the_measure(write_file):
    # 35 is a fine attendance but an impossible SDQ total (0-40 is fine, so use 41), and binary must be 0/1
    rows = ["T-001,attendance_pct,baseline,,35", "T-001,sdq_total,baseline,,41",
            "T-001,destination_eet,post,,2", "T-001,suspensions,post,,1.5", "T-001,swemwbs,post,,6"]
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, *rows]), "outcomes")
    found = sorted(zip(result.problems["row"].astype(int), result.problems["rule"]))
    assert found == [(3, "maximum"), (4, "maximum"), (5, "count"), (6, "minimum")]
    assert list(result.data.index) == [2]


def test_binary_measure_takes_only_zero_or_one(write_file):
    rows = ["T-001,gcse_5_ac,post,,0.5", "T-002,gcse_5_ac,post,,1", "T-003,gcse_5_ac,post,,0"]
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, *rows]), "outcomes")
    assert problems_at(result, "binary") == [(2, "value")]
    assert list(result.data.index) == [3, 4]


def test_duplicated_participant_id_quarantines_both_rows(write_file):
    rows = list(VALID_PARTICIPANTS)
    rows.append(rows[1].replace("2023/24,9", "2022/23,11"))  # row 6 repeats T-002 of row 3
    result = load_table(write_file("participants.csv", [PARTICIPANTS_HEADER, *rows]), "participants")
    assert problems_at(result, "unique") == [(3, "participant_id"), (6, "participant_id")]
    assert "also in row 6" in result.problems["message"].iloc[0]
    assert list(result.data["participant_id"]) == ["T-001", "T-003", "T-004"]
    assert list(result.quarantine["row"]) == [3, 6]


def test_duplicated_measurement_breaks_the_primary_key(write_file):
    rows = list(VALID_OUTCOMES) + ["T-001,attendance_pct,post,16/07/2024,91"]  # row 8 repeats row 3's key
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, *rows]), "outcomes")
    assert [r for r, _ in problems_at(result, "primary_key")] == [3, 8]
    assert len(result.data) == 5


def test_outcome_for_unknown_participant(write_file, participants_csv):
    rows = list(VALID_OUTCOMES) + ["T-099,sdq_total,baseline,01/10/2023,12"]  # row 8
    path = write_file("outcomes.csv", [OUTCOMES_HEADER, *rows])
    participants = load_table(participants_csv, "participants")
    result = load_table(path, "outcomes", references={"participants": participants.data})
    assert problems_at(result, "foreign_key") == [(8, "participant_id")]
    assert "'T-099' is not in the participants table" in result.problems["message"].iloc[0]
    assert len(result.data) == 6


def test_unknown_measure(write_file):
    rows = list(VALID_OUTCOMES) + ["T-001,happiness,post,,3"]
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, *rows]), "outcomes")
    assert problems_at(result, "foreign_key") == [(8, "measure")]
    assert "'happiness' is not a measure in the data dictionary" in result.problems["message"].iloc[0]


def test_outcomes_of_a_quarantined_participant_say_why(write_file, tmp_path):
    rows = list(VALID_PARTICIPANTS)
    rows[2] = rows[2].replace("previously_looked_after", "fostered")  # row 4, T-003
    write_file("participants.csv", [PARTICIPANTS_HEADER, *rows])
    write_file("outcomes.csv", [OUTCOMES_HEADER, *VALID_OUTCOMES])
    evaluation = load_evaluation(tmp_path)
    assert problems_at(evaluation.participants, "enum") == [(4, "care_status")]
    held = evaluation.outcomes.problems
    assert list(held["row"]) == [6, 7]  # T-003's two outcomes
    assert held["message"].str.contains("quarantined").all()


def test_windows_1252_file_is_decoded(write_file):
    rows = list(VALID_PARTICIPANTS)
    rows[0] = rows[0].replace("Testshire", "Bishop’s Cleeve")  # curly apostrophe, byte 0x92 in cp1252
    rows[1] = rows[1].replace("Testshire", "Ynys Môn")
    path = write_file("participants.csv", [PARTICIPANTS_HEADER, *rows], encoding="cp1252")
    assert b"\x92" in path.read_bytes()
    result = load_table(path, "participants")
    assert result.encoding == "cp1252"
    assert result.problems.empty
    assert list(result.data["site"][:2]) == ["Bishop’s Cleeve", "Ynys Môn"]


def test_utf8_with_bom_and_semicolons_from_excel(write_file):
    lines = [PARTICIPANTS_HEADER.replace(",", ";")] + [r.replace(",", ";").replace("school_avoidance; poor_engagement", '"school_avoidance; poor_engagement"') for r in VALID_PARTICIPANTS]
    text = "\r\n".join(lines) + "\r\n"
    path = write_file("participants.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = load_table(path, "participants")
    assert result.encoding == "utf-8-sig"
    assert list(result.data.columns)[0] == "participant_id"
    assert len(result.data) == 4
    assert result.data.loc[4, "referral_reasons"] == ("school_avoidance", "poor_engagement")


def test_excel_serial_date_in_a_csv(write_file):
    rows = list(VALID_PARTICIPANTS)
    rows[0] = rows[0].replace("11/09/2023", "45180")  # Excel serial for 11/09/2023
    result = load_table(write_file("participants.csv", [PARTICIPANTS_HEADER, *rows]), "participants")
    # read, with a warning that a Mac workbook's 1904 date system would make it 4 years and a day later
    assert list(result.problems["rule"]) == ["date_serial"] and list(result.problems["severity"]) == ["warning"]
    assert result.data.loc[2, "start_date"] == pd.Timestamp(2023, 9, 11)


def test_impossible_and_us_dates_are_reported(write_file):
    rows = list(VALID_PARTICIPANTS)
    rows[0] = rows[0].replace("19/07/2024", "07/19/2024")  # US order: month 19 does not exist
    rows[2] = rows[2].replace("02/10/2023", "30/02/2024")
    result = load_table(write_file("participants.csv", [PARTICIPANTS_HEADER, *rows]), "participants")
    # optional dates: the bad cell is blanked and listed (with the value as typed), the young person is kept
    assert problems_at(result, "blanked_type") == [(2, "end_date"), (4, "start_date")]
    assert "dd/mm/yyyy" in result.problems["message"].iloc[0]
    assert result.problems["value"].tolist() == ["07/19/2024", "30/02/2024"]
    assert set(result.problems["severity"]) == {"warning"} and result.quarantine.empty
    assert pd.isna(result.data.loc[2, "end_date"]) and pd.isna(result.data.loc[4, "start_date"])
    assert result.data.loc[2, "start_date"] == pd.Timestamp(2023, 9, 11)  # the rest of the row is kept


def test_end_before_start(write_file):
    rows = list(VALID_PARTICIPANTS)
    rows[0] = rows[0].replace("19/07/2024", "19/07/2022")
    result = load_table(write_file("participants.csv", [PARTICIPANTS_HEADER, *rows]), "participants")
    assert problems_at(result, "not_before") == [(2, "end_date")]


def test_empty_file_refuses(write_file):
    with pytest.raises(DataValidationError, match="outcomes.csv: the file is empty"):
        load_table(write_file("outcomes.csv", b""), "outcomes")


def test_header_only_file_loads_with_no_rows(write_file):
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER]), "outcomes")
    assert result.data.empty and result.errors.empty and result.n_read == 0
    # ...but not without a word (issue 22): one warning says the file holds no rows of data
    assert result.problems["message"].tolist() == ["the file has a header row but no rows of data"]


def test_enum_values_are_forgiving_of_case_and_spaces_but_not_of_meaning(write_file):
    rows = list(VALID_PARTICIPANTS)
    rows[0] = rows[0].replace("looked_after", "Looked after").replace("mentored", "Mentored")
    rows[1] = rows[1].replace("comparison", "control")
    result = load_table(write_file("participants.csv", [PARTICIPANTS_HEADER, *rows]), "participants")
    assert problems_at(result, "enum") == [(3, "group")]
    assert result.data.loc[2, "care_status"] == "looked_after"
    assert result.data.loc[2, "group"] == "mentored"


def test_blank_rows_keep_excel_numbering_and_extra_cells_are_reported(write_file):
    lines = [PARTICIPANTS_HEADER, VALID_PARTICIPANTS[0], ",,,,,,,,,,,", VALID_PARTICIPANTS[1] + ",stray note"]
    result = load_table(write_file("participants.csv", lines), "participants")
    assert result.blank_rows == [3]
    assert problems_at(result, "extra_cells") == [(4, "")]
    assert list(result.data.index) == [2]


def test_unknown_column_is_a_warning_not_silent(write_file):
    lines = [PARTICIPANTS_HEADER + ",notes"] + [r + ",x" for r in VALID_PARTICIPANTS]
    result = load_table(write_file("participants.csv", lines), "participants")
    warning = result.problems.iloc[0]
    assert (warning["rule"], warning["column"], warning["severity"]) == ("unknown_column", "notes", "warning")
    assert len(result.data) == 4 and "notes" not in result.data


def test_headers_match_titles_and_case(write_file):
    header = PARTICIPANTS_HEADER.replace("participant_id", "Participant ID").replace("group", "Group")
    result = load_table(write_file("participants.csv", [header, *VALID_PARTICIPANTS]), "participants")
    assert result.problems.empty and len(result.data) == 4


def _xlsx(path, rows, percent_column=None):
    book = Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if percent_column is not None and c == percent_column and r > 1:
                cell.number_format = "0%"
    book.save(path)
    return path


def test_excel_workbook_with_date_cells_numbers_and_a_bad_row(tmp_path):
    header = PARTICIPANTS_HEADER.split(",")
    rows = [header,
            ["T-001", "Testshire", "2023/24", 8, "KS3", "looked_after", None, "creative_mentoring", "mentored",
             dt.datetime(2023, 9, 11), 45492, "No"],  # a date cell, and a serial number (19/07/2024)
            [1002, "Testshire", "2023/24", 9.0, "KS3", "looked_after", None, None, "comparison", None, None, None],
            ["T-003", "Testshire", "2023/24", "Year 10", "KS4", "looked_after", None, None, "comparison", None, None, None]]
    result = load_table(_xlsx(tmp_path / "participants.xlsx", rows), "participants")
    assert problems_at(result, "blanked_type") == [(4, "year_group")]  # optional: blanked, row kept
    assert 4 in result.data.index and pd.isna(result.data.loc[4, "year_group"])
    assert result.data.loc[2, "start_date"] == pd.Timestamp(2023, 9, 11)
    assert result.data.loc[2, "end_date"] == pd.Timestamp(2024, 7, 19)
    assert result.data.loc[3, "participant_id"] == "1002"  # a number-typed id is read as text, no ".0"
    assert result.data.loc[3, "year_group"] == 9


def test_excel_percentage_cells_are_read_as_shown(tmp_path):
    rows = [OUTCOMES_HEADER.split(","), ["T-001", "attendance_pct", "baseline", None, 0.855]]
    result = load_table(_xlsx(tmp_path / "outcomes.xlsx", rows, percent_column=5), "outcomes")
    assert result.data["value"].tolist() == [pytest.approx(85.5)]


def test_corrupt_workbook_refuses(write_file):
    with pytest.raises(DataValidationError, match="could not be opened as an Excel workbook"):
        load_table(write_file("outcomes.xlsx", b"PK\x03\x04 not really a zip"), "outcomes")


def test_quarantine_file_is_written(write_file, tmp_path):
    rows = list(VALID_OUTCOMES) + ["T-001,sdq_total,post,,44"]
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, *rows]), "outcomes")
    out = result.write_quarantine(tmp_path / "report")
    held = pd.read_csv(out, dtype=str)
    assert held.loc[0, "row"] == "8" and held.loc[0, "value"] == "44"
    assert "above the maximum of 40" in held.loc[0, "problems"]


def test_every_row_is_accounted_for(write_file):
    rows = list(VALID_OUTCOMES) + ["T-001,sdq_total,post,,44", ",,,,", "T-002,nothing,post,,1"]
    result = load_table(write_file("outcomes.csv", [OUTCOMES_HEADER, *rows]), "outcomes")
    assert result.n_read == len(result.data) + len(result.quarantine)
    assert result.n_read + len(result.blank_rows) == len(rows)

def test_absent_optional_columns_take_their_field_type(tmp_path):
    # a file made before referral_date and interests existed: the columns are all missing but typed, so date
    # arithmetic on them works instead of failing on an object column of NA
    path = tmp_path / "participants.csv"
    path.write_text("participant_id,site,cohort,care_status,group\nSYN-T-0001,Testshire,2023/24,looked_after,"
                    "comparison\n", encoding="utf-8")
    data = load_table(path, "participants").data
    assert pd.api.types.is_datetime64_any_dtype(data["referral_date"])
    assert pd.api.types.is_datetime64_any_dtype(data["start_date"])
    assert data["referral_date"].isna().all() and data["interests"].isna().all()
    assert (data["start_date"] - data["referral_date"]).isna().all()
