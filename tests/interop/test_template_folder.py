"""`template --out FOLDER` writes a data folder that validate, load_evaluation (run, batch) and check-disclosure
read as it is; a filled-in template's headings are the dictionary's titles, and every lookup still works."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from cm_research.cli import main
from cm_research.data import load_evaluation
from cm_research.interop import TemplateError, write_template_folder
from cm_research.privacy.scan import load_scan_register

PEOPLE = [
    ["SYN-F-0001", "Testshire", "2023/24", 8, "KS3", "looked_after", None, dt.datetime(2023, 7, 3),
     "creative_mentoring", "mentored", dt.datetime(2023, 9, 11), None, "no", None],
    # row 3: a required value wrong (cohort) -> the young person is held back, with their outcomes
    ["SYN-F-0002", "Testshire", "23-24", 9, "KS3", "looked_after", None, None, None, "comparison", None, None, None,
     None],
    # row 4: an optional value wrong (referral date typed as text, US order) -> only that cell is blanked
    ["SYN-F-0003", "Testshire", "2023/24", 10, "KS4", "looked_after", None, "13/25/2023", "creative_mentoring",
     "mentored", dt.datetime(2023, 10, 2), None, "no", None],
]
OUTCOMES = [
    ["SYN-F-0001", "attendance_pct", "baseline", None, 80],
    ["SYN-F-0002", "attendance_pct", "baseline", None, 70],
    ["SYN-F-0003", "attendance_pct", "baseline", None, 75],
    ["SYN-F-0003", "attendance_pct", "post", None, 85],
]


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "data" / "testshire"
    paths = write_template_folder(["participants", "outcomes"], folder)
    assert [p.name for p in paths] == ["participants.xlsx", "outcomes.xlsx"]
    for path, rows in zip(paths, (PEOPLE, OUTCOMES)):
        book = load_workbook(path)
        assert book.sheetnames[0] == "Instructions"
        sheet = book[path.stem]
        assert sheet["A1"].value == "Participant id"  # the title, as a person reads it
        for row in rows:
            sheet.append(row)
        book.save(path)
    return folder


def test_a_filled_template_folder_loads_with_lookups_on_canonical_names(site):
    evaluation = load_evaluation(site)
    assert list(evaluation.participants.quarantine["participant_id"]) == ["SYN-F-0002"]
    # the held-back young person's outcome says why, instead of "not in the participants table"
    message = evaluation.outcomes.problems.set_index("row").at[3, "message"]
    assert message == "'SYN-F-0002' is in participants but that row has problems and was quarantined"
    assert sorted(evaluation.outcomes.data["participant_id"]) == ["SYN-F-0001", "SYN-F-0003", "SYN-F-0003"]
    # the optional referral date is blanked and listed with what was typed; the young person stays
    blanked = evaluation.participants.problems.query("rule == 'blanked_type'")
    assert blanked[["row", "column", "value", "severity"]].values.tolist() == [[4, "referral_date", "13/25/2023",
                                                                                "warning"]]
    assert "SYN-F-0003" in set(evaluation.participants.data["participant_id"])
    assert evaluation.participants.n_blanked == 1


def test_quarantine_file_lists_held_rows_and_blanked_cells_with_original_values(site, tmp_path):
    import pandas as pd

    evaluation = load_evaluation(site)
    written = evaluation.write_quarantine(tmp_path / "q")
    table = pd.read_csv([p for p in written if p.name == "quarantine_participants.csv"][0], dtype=str)
    assert table[["row", "action", "participant_id"]].values.tolist() == [
        ["3", "row held back", "SYN-F-0002"], ["4", "bad cells blanked, row kept", "SYN-F-0003"]]
    assert table.set_index("row").at["4", "referral_date"] == "13/25/2023"


def test_validate_and_check_disclosure_read_the_template_folder(site, capsys):
    assert main(["validate", str(site / "outcomes.xlsx"), "--table", "outcomes",
                 "--participants", str(site / "participants.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "row 3, column `participant_id`: 'SYN-F-0002' is in participants but that row has problems" in out
    assert "not in the participants table" not in out
    # the register is the template's participants sheet, not its Instructions sheet
    assert set(load_scan_register(site / "participants.xlsx")) == {"SYN-F-0001", "SYN-F-0002", "SYN-F-0003"}


def test_template_folder_never_overwrites_and_cohorts_are_checked_in_excel(site):
    with pytest.raises(TemplateError, match="already exist"):
        write_template_folder(["participants"], site)
    sheet = load_workbook(site / "participants.xlsx")["participants"]
    cohort = [dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith("C2")]
    assert cohort[0].type == "custom" and 'MID(C2,5,1)="/"' in cohort[0].formula1
