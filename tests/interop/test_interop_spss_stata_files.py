"""SPSS and Stata files as other packages write them, built here with pyreadstat (ReadStat, the library behind R's
haven), read back with cm_research's importer and compared with what was written: value labels, SPSS
user-missing values (single codes and ranges), Stata's extended missing values .a-.z, long strings, and dates
stored as SPSS seconds since 14 October 1582 or Stata days (%td) / milliseconds (%tc) since 1 January 1960.

The stored numbers are checked with hand calculations written here (days between two dates, times 86,400), so
the test does not lean on the reader it is testing. All data SYNTHETIC.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyreadstat
import pytest

from cm_research.interop import import_table
from cm_research.interop import spss_stata

SPSS_EPOCH = dt.datetime(1582, 10, 14)
STATA_EPOCH = dt.datetime(1960, 1, 1)
LONG_SITE = "SYNTHETIC Virtual School of " + "Llanfair" * 40  # 348 characters: an SPSS very long string


def _outcomes(with_time: bool = False) -> pd.DataFrame:
    """Five outcome rows; dates as Python dates (or datetimes), one missing. (pyreadstat 1.3.8 writes pandas'
    microsecond datetime64 columns wrongly, so the writer is given Python objects, as the exporter does.)"""
    days = [dt.date(2023, 9, 11), dt.date(2023, 12, 1), None, dt.date(2024, 3, 1), dt.date(1999, 12, 31)]
    dates = [dt.datetime.combine(d, dt.time()) if d and with_time else d for d in days]
    return pd.DataFrame({"participant_id": ["S-1", "S-2", "S-3", "S-4", "S-5"],
                         "measure": [1, 1, 2, 1, 2], "timepoint": [1, 2, 1, 2, 3],
                         "value": [14.0, -99.0, 80.0, -950.0, 92.5], "date": pd.Series(dates, dtype=object)})


LABELS = {"measure": {1: "sdq_total", 2: "attendance_pct"}, "timepoint": {1: "baseline", 2: "post", 3: "follow_up"}}


def test_spss_user_missing_codes_and_ranges_are_named_not_silently_blank(tmp_path):
    path = tmp_path / "outcomes.sav"
    pyreadstat.write_sav(_outcomes(), str(path), variable_value_labels={**LABELS, "value": {-99: "refused"}},
                         missing_ranges={"value": [-99, {"lo": -999, "hi": -900}]}, variable_format={"date": "DATE11"})
    loaded = import_table(path, "outcomes")
    declared = loaded.problems[loaded.problems["rule"] == "declared_missing"]
    assert declared[["row", "column", "value", "severity"]].values.tolist() == [
        [2, "value", "-99", "warning"], [4, "value", "-950", "warning"]]
    assert declared["message"].tolist() == [
        "`value` is -99, which the SPSS file declares missing ('refused'); read as missing",
        "`value` is -950, which the SPSS file declares missing; read as missing"]
    # read as missing, so the required value is an error and the rows are quarantined, not read as -99
    assert sorted(loaded.quarantine["row"] if "row" in loaded.quarantine else loaded.quarantine.index) == [2, 4]
    assert loaded.data["value"].tolist() == [14.0, 80.0, 92.5]
    assert loaded.data["measure"].tolist() == ["sdq_total", "attendance_pct", "attendance_pct"]
    assert loaded.data["timepoint"].tolist() == ["baseline", "baseline", "follow_up"]


def test_stata_extended_missing_values_are_named(tmp_path):
    path = tmp_path / "outcomes.dta"
    frame = _outcomes().assign(value=[14.0, "a", 80.0, "z", 92.5])
    pyreadstat.write_dta(frame, str(path), variable_value_labels={**LABELS, "value": {"a": "not asked"}},
                         missing_user_values={"value": ["a", "z"]}, variable_format={"date": "%td"})
    loaded = import_table(path, "outcomes")
    declared = loaded.problems[loaded.problems["rule"] == "declared_missing"]
    assert declared[["row", "value", "message"]].values.tolist() == [
        [2, ".a", "`value` is Stata's extended missing value .a ('not asked'); read as missing"],
        [4, ".z", "`value` is Stata's extended missing value .z; read as missing"]]
    assert loaded.data["value"].tolist() == [14.0, 80.0, 92.5]


def test_declared_missing_rows_are_case_numbers_across_chunks(tmp_path, monkeypatch):
    path = tmp_path / "outcomes.sav"
    pyreadstat.write_sav(_outcomes(), str(path), variable_value_labels=LABELS,
                         missing_ranges={"value": [-99, {"lo": -999, "hi": -900}]})
    monkeypatch.setattr(spss_stata, "CHUNK_ROWS", 2)  # cases 1-2, 3-4, 5: the -950 is the 2nd of the 2nd chunk
    declared = spss_stata.declared_missing(path, spss_stata.load_schema("outcomes"))
    assert declared["row"].tolist() == [2, 4]


@pytest.mark.parametrize("fmt, stored", [
    ("DATE11", "spss"), ("DATETIME20", "spss"), ("%td", "stata_days"), ("%tc", "stata_ms")])
def test_dates_come_back_as_written(tmp_path, fmt, stored):
    frame = _outcomes(with_time=fmt in ("DATETIME20", "%tc")).assign(value=[14.0, 12.0, 80.0, 11.0, 92.5])
    path = tmp_path / ("outcomes.sav" if stored == "spss" else "outcomes.dta")
    writer = pyreadstat.write_sav if stored == "spss" else pyreadstat.write_dta
    writer(frame, str(path), variable_value_labels=LABELS, variable_format={"date": fmt})
    # the number in the file, from the epochs by hand (11 Sep 2023 is 161,039 days after 14 Oct 1582 and
    # 23,264 days after 1 Jan 1960)
    raw, _ = (pyreadstat.read_sav if stored == "spss" else pyreadstat.read_dta)(str(path), disable_datetime_conversion=True)
    first = raw["date"].iloc[0]
    assert (dt.datetime(2023, 9, 11) - SPSS_EPOCH).days == 161_039
    assert (dt.datetime(2023, 9, 11) - STATA_EPOCH).days == 23_264
    assert first == {"spss": 161_039 * 86_400, "stata_days": 23_264, "stata_ms": 23_264 * 86_400_000}[stored]
    loaded = import_table(path, "outcomes")
    assert loaded.problems.empty, loaded.problems.to_dict("records")
    dates = loaded.data["date"].tolist()
    assert dates[0] == pd.Timestamp(2023, 9, 11) and pd.isna(dates[2]) and dates[4] == pd.Timestamp(1999, 12, 31)


def test_long_strings_survive(tmp_path):
    frame = pd.DataFrame({"participant_id": ["L-1", "L-2"], "site": [LONG_SITE, "Short"],
                          "cohort": ["2023/24", "2023/24"], "care_status": [1, 1], "group": [1, 2]})
    labels = {"group": {1: "mentored", 2: "comparison"}, "care_status": {1: "looked_after"}}
    for suffix, writer in ((".sav", pyreadstat.write_sav), (".dta", pyreadstat.write_dta)):
        path = tmp_path / f"participants{suffix}"
        writer(frame, str(path), variable_value_labels=labels)
        loaded = import_table(path, "participants")
        assert loaded.problems.empty, loaded.problems.to_dict("records")
        assert loaded.data["site"].tolist() == [LONG_SITE, "Short"] and len(LONG_SITE) == 348
        assert loaded.data["group"].tolist() == ["mentored", "comparison"]


@pytest.mark.parametrize("engine", ["python", "columnar"])
@pytest.mark.parametrize("fmt, stored", [("DATETIME20", "spss"), ("%tc", "stata")])
def test_a_time_of_day_dropped_from_a_date_field_is_said(tmp_path, fmt, stored, engine):
    # before: 11/09/2023 14:30 read into the date field `date` as 11/09/2023 without a word
    frame = _outcomes(with_time=True).assign(value=[14.0, 12.0, 80.0, 11.0, 92.5])
    frame.loc[0, "date"] = dt.datetime(2023, 9, 11, 14, 30)
    frame.loc[3, "date"] = dt.datetime(2024, 3, 1, 0, 0, 5)
    path = tmp_path / ("outcomes.sav" if stored == "spss" else "outcomes.dta")
    writer = pyreadstat.write_sav if stored == "spss" else pyreadstat.write_dta
    writer(frame, str(path), variable_value_labels=LABELS, variable_format={"date": fmt})
    loaded = import_table(path, "outcomes", engine=engine)
    assert loaded.data["date"].tolist()[:2] == [pd.Timestamp(2023, 9, 11), pd.Timestamp(2023, 12, 1)]
    assert loaded.data["date"].iloc[3] == pd.Timestamp(2024, 3, 1) and len(loaded.data) == 5
    note = loaded.problems.iloc[0]
    assert len(loaded.problems) == 1
    assert (note["file"], note["column"], note["rule"], note["severity"]) == (path.name, "date", "time_of_day",
                                                                              "warning")
    assert "2 of 4 values" in note["message"] and "time of day" in note["message"] and "kept the day" in note["message"]


@pytest.mark.parametrize("version", [114, 117, 118, 119])
def test_stata_formats_114_to_119(tmp_path, version):
    """Stata 10-13 (formats 114, 117: text in Latin-1, no Unicode) and Stata 14-18 (118, 119: UTF-8), written by
    pandas' StataWriter with value labels and an accented site: the same rows come back whatever the version."""
    frame = pd.DataFrame({"participant_id": ["S-1", "S-2"], "site": ["Ynys Môn", "Ynys Môn"],
                          "cohort": ["2023/24", "2023/24"], "care_status": [1, 3], "group": [2, 1]})
    labels = {"care_status": {1: "looked_after", 2: "previously_looked_after", 3: "care_leaver", 4: "child_in_need"},
              "group": {1: "mentored", 2: "comparison"}}
    path = tmp_path / f"participants_{version}.dta"
    frame.to_stata(path, write_index=False, version=version, value_labels=labels)
    assert path.read_bytes()[:1] == (b"r" if version == 114 else b"<")  # 114 is binary, 117+ XML-like tags
    if version in (114, 117):  # Latin-1 on disk: ô is the single byte F4
        assert b"Ynys M\xf4n" in path.read_bytes()
    data = import_table(path, "participants").data
    assert data[["participant_id", "site", "care_status", "group"]].values.tolist() == [
        ["S-1", "Ynys Môn", "looked_after", "comparison"], ["S-2", "Ynys Môn", "care_leaver", "mentored"]]
