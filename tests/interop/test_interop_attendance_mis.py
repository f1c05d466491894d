"""Attendance exports from school systems (SIMS, Arbor, Bromcom layouts vary by report; see
cm_research.interop.attendance_mis), built here: register marks counted by the national codes (counts worked by
hand below), summaries with present + AEA and percentages checked, names and UPNs never read. Synthetic pupils."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook

from cm_research.interop.attendance_mis import AttendanceExportError, count_marks, read_attendance_export


def test_register_marks_counted_by_hand():
    # / \ / \ L L B: 7 attended (B approved educational activity); I E E: 3 authorised; N U: 2 unauthorised;
    # # and -: no possible session; spaces are no session
    c = count_marks("/\\/\\LLB#INUE E-")
    assert (c.possible, c.attended, c.authorised, c.unauthorised, c.suspended, c.not_counted) == (12, 7, 3, 2, 2, 2)
    assert c.unknown == ()
    # the 2024 codes of two characters: C1, C2, J1 authorised; Y1 not possible; K attended (LA-arranged provision)
    c = count_marks("C1C2J1Y1K")
    assert (c.possible, c.attended, c.authorised, c.not_counted) == (4, 1, 3, 1)
    assert count_marks("/A\\").unknown == ("A",)


def test_a_summary_export_in_a_european_locale(tmp_path):
    path = tmp_path / "sims_attendance.csv"
    rows = [["Pseudonym", "Surname", "UPN", "Possible", "Present", "AEA", "Authorised Absences",
             "Unauthorised Absences", "Attendance %"],
            ["SYN-0001", "Synthetic", "X000000000001", "60", "50", "4", "4", "2", "90,0%"],
            ["SYN-0002", "Synthetic", "X000000000002", "58", "45", "0", "10", "3", "77,6 %"],
            ["SYN-0003", "Synthetic", "X000000000003", "60", "40", "0", "20", "0", "80,0%"],
            # shown to whole percent: 45 of 58 is 77.59%, shown 78% (one unit of the last decimal allowed)
            ["SYN-0004", "Synthetic", "X000000000004", "58", "45", "0", "10", "3", "78%"]]
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        handle.write("sep=;\r\n")
        csv.writer(handle, delimiter=";").writerows(rows)
    load = read_attendance_export(path, columns={"participant_id": "Pseudonym"}, period_start="04/09/2023",
                                  period_end="20/10/2023")
    data = load.data.set_index("participant_id")
    # attended = present + AEA: 50 + 4 = 54 of 60 = 90.0%; 45 of 58 = 77.6%
    assert data.loc["SYN-0001", ["sessions_possible", "sessions_attended"]].tolist() == [60, 54]
    assert data.loc["SYN-0002", "sessions_attended"] == 45
    assert data.loc["SYN-0004", "sessions_attended"] == 45
    # SYN-0003: 40 of 60 is 66.7%, not the 80.0% the export says: held back, named by row and heading
    bad = load.errors.iloc[0]
    assert (bad["row"], bad["column"]) == (4, "Attendance %") and "66.7%" in bad["message"]
    assert "SYN-0003" in set(load.quarantine["Pseudonym"])
    personal = load.problems[load.problems["rule"] == "personal_data"].iloc[0]
    assert "'Surname'" in personal["message"] and "'UPN'" in personal["message"]
    assert "X000000000001" not in load.data.to_string() and "Synthetic" not in load.data.to_string()


def test_one_column_per_session_with_dates_in_the_headings(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Participant ID", "Mon 04/09/2023 AM", "Mon 04/09/2023 PM", "Tue 05/09/2023 AM",
                  "Tue 05/09/2023 PM", "Wed 06/09/2023 AM", "Wed 06/09/2023 PM"])
    sheet.append(["SYN-0101", "/", "\\", "E", "E", "#", "#"])
    sheet.append(["SYN-0102", "/", "\\", "A", "N", "L", "U"])
    sheet.append(["SYN-0103", "I", "I", "/", "\\", "B", "\\"])
    path = tmp_path / "arbor_register.xlsx"
    book.save(path)
    load = read_attendance_export(path)
    data = load.data.set_index("participant_id")
    # SYN-0101: 2 present, 2 E (one day's suspension, authorised), 2 closure sessions not possible
    row = data.loc["SYN-0101"]
    assert (row["sessions_possible"], row["sessions_attended"], row["authorised_absence"], row["suspension_days"]) \
        == (4, 2, 2, 1.0)
    assert (str(row["period_start"].date()), str(row["period_end"].date())) == ("2023-09-04", "2023-09-06")
    # SYN-0103: I I authorised, / \ B \ attended
    assert data.loc["SYN-0103", ["sessions_possible", "sessions_attended", "authorised_absence"]].tolist() == [6, 4, 2]
    # SYN-0102 has the mark A, which is no register code: refused by row, never guessed
    bad = load.errors.iloc[0]
    assert bad["row"] == 3 and "'A'" in bad["message"]
    assert "SYN-0102" not in data.index and 3 in set(load.quarantine["row"])


def test_what_the_table_needs_is_asked_for(tmp_path):
    path = tmp_path / "bromcom.csv"
    path.write_text("Pseudonym,Attendance %\nSYN-0201,93.4%\n", encoding="utf-8")
    with pytest.raises(AttendanceExportError, match="only as a percentage"):
        read_attendance_export(path, columns={"participant_id": "Pseudonym"}, period_start="01/09/2023",
                               period_end="31/12/2023")
    names = tmp_path / "names.csv"
    names.write_text("Legal Surname,Possible,Attended\nSynthetic,10,9\n", encoding="utf-8")
    with pytest.raises(AttendanceExportError, match="pseudonymous id"):
        read_attendance_export(names, period_start="01/09/2023", period_end="31/12/2023")
    path.write_text("Pseudonym,Possible,Attended\nSYN-0201,10,9\n", encoding="utf-8")
    with pytest.raises(AttendanceExportError, match="period_start="):
        read_attendance_export(path, columns={"participant_id": "Pseudonym"})
    with pytest.raises(AttendanceExportError, match="no column 'Poss.'"):
        read_attendance_export(path, columns={"participant_id": "Pseudonym", "sessions_possible": "Poss."})


def test_import_attendance_writes_a_table_load_table_reads_back(tmp_path, capsys):
    from cm_research.cli import main
    from cm_research.data import load_table

    export = tmp_path / "register.csv"
    export.write_text("Pseudonym,Marks\nSYN-0301,/\\/\\EE#\nSYN-0302,/\\LNUO\n", encoding="utf-8")
    out = tmp_path / "attendance.csv"
    code = main(["import-attendance", str(export), "--column", "Pseudonym=participant_id", "--column", "Marks=marks",
                 "--period-start", "04/09/2023", "--period-end", "06/09/2023", "--out", str(out)])
    assert code == 0, capsys.readouterr()
    data = load_table(out, "attendance").data.set_index("participant_id")
    # SYN-0301: / \ / \ attended, E E authorised (one day suspended), # not possible
    # SYN-0302: / \ L attended, N U O unauthorised
    assert data[["sessions_possible", "sessions_attended", "authorised_absence", "unauthorised_absence"]
                ].values.tolist() == [[6, 4, 2, 0], [6, 3, 0, 3]]
    assert data["suspension_days"].tolist() == [1.0, 0.0]
