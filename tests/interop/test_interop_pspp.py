"""SPSS files written by GNU PSPP (an independent writer: its own system-file code, variable names that are not the
dictionary's, labels, user-missing values, UTF-8 or Windows-1252 text, .zsav), read by cm_research's importer.
Skips when ``pspp`` is not installed (Debian: ``apt-get install --no-install-recommends pspp``). Synthetic data."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cm_research.interop import import_table

SYNTAX = """SET LOCALE='{locale}'.
DATA LIST LIST /pid (A8) site (A20) cohort (A7) cs (F1.0) grp (F1.0) reasons (A300) start (EDATE10) year (F3.0).
BEGIN DATA.
"SYN-P1" "Ynys Môn" "2023/24" 1 1 "anxiety_mental_health; school_avoidance" 04.09.2023 9
"SYN-P2" "Ynys Môn" "2023/24" 3 2 "" 05.09.2023 -99
"SYN-P3" "Ynys Môn" "2023/24" 1 9 "" 06.09.2023 10
END DATA.
VARIABLE LABELS pid 'Participant id' cs 'Care status' grp 'Group' reasons 'Referral reasons' start 'Start date'
  year 'Year group'.
VALUE LABELS cs 1 'looked_after' 2 'previously_looked_after' 3 'care_leaver' 4 'child_in_need'
  /grp 1 'mentored' 2 'comparison' 9 'not recorded' /year -99 'refused'.
MISSING VALUES grp (9) year (-99).
SAVE OUTFILE='{out}'{compress}.
"""


@pytest.mark.parametrize("locale, out, compress", [("UTF-8", "pspp.sav", ""), ("windows-1252", "pspp.sav", ""),
                                                   ("UTF-8", "pspp.zsav", " /ZCOMPRESSED")])
def test_a_sav_written_by_pspp(tmp_path, locale, out, compress):
    if shutil.which("pspp") is None:
        pytest.skip("GNU PSPP is not installed (apt-get install --no-install-recommends pspp)")
    syntax = tmp_path / "make.sps"
    syntax.write_bytes(SYNTAX.format(locale=locale, out=out, compress=compress).encode(
        "cp1252" if locale == "windows-1252" else "utf-8"))
    subprocess.run(["pspp", "-b", str(syntax)], cwd=tmp_path, check=True, capture_output=True, timeout=60)
    path = tmp_path / out
    if locale == "windows-1252":  # the text really is in Windows-1252: ô is the single byte F4
        assert b"Ynys M\xf4n" in path.read_bytes()
    load = import_table(path, "participants")
    data = load.data
    # variables are matched by their labels (pid -> participant_id, cs -> care_status ...), codes by value labels
    assert data["participant_id"].tolist() == ["SYN-P1", "SYN-P2"]
    assert data["site"].tolist() == ["Ynys Môn", "Ynys Môn"]
    assert data["care_status"].tolist() == ["looked_after", "care_leaver"]
    assert data["group"].tolist() == ["mentored", "comparison"]
    assert list(data.loc[1, "referral_reasons"]) == ["anxiety_mental_health", "school_avoidance"]
    assert [d.strftime("%Y-%m-%d") for d in data["start_date"]] == ["2023-09-04", "2023-09-05"]
    # user-missing codes are named with their labels; SYN-P3's group is 'not recorded', so the row is held back
    said = load.problems.set_index(["row", "column"])["message"]
    assert "declares missing ('refused')" in said[(2, "year_group")]
    assert "declares missing ('not recorded')" in said[(3, "group")].iloc[0]
    assert 3 in set(load.quarantine["row"])
