"""SPSS (.sav) and Stata (.dta) export and import.

Labels are read back by readers other than the writer: .sav files (written with pyreadstat) by
pyreadstat's metadata and by R's foreign package, which has its own SPSS reader; .dta files (written with
pandas) by pyreadstat (ReadStat) and by pandas' StataReader and R's haven. What they must find is what
the data dictionary says: each field's title as its variable label, and its allowed values (or yes / no)
as value labels coded 1, 2, ... (1 / 0).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cm_research.data import load_table
from cm_research.dictionary import load_schema, measures_catalogue
from cm_research.errors import DataValidationError
from cm_research.interop import (
    ExportError,
    UnknownVariableError,
    export_evaluation,
    export_table,
    import_table,
)

from .conftest import read_with_r, run_rscript

TABLES = ["participants", "outcomes"]


def expected_value_labels(table: str) -> dict[str, dict[int, str]]:
    """What the dictionary says the value labels are, worked out here from the schema."""
    schema = load_schema(table)
    labels = {}
    for f in schema.fields:
        if f.type == "boolean":
            labels[f.name] = {1: "yes", 0: "no"}
        elif f.enum and f.type != "list":
            labels[f.name] = {i + 1: v for i, v in enumerate(f.enum)}
    if table == "outcomes":
        labels["measure"] = {i + 1: m for i, m in enumerate(measures_catalogue().index)}
    return labels


def titles(table: str) -> dict[str, str]:
    return {f.name: f.title for f in load_schema(table).fields}


def as_text(value) -> str:
    """A value as R prints it in read_labelled.R: dates ISO, whole numbers without '.0', lists joined."""
    if isinstance(value, tuple):
        return "; ".join(value)
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def coded_text(data: pd.DataFrame, table: str, column: str) -> list[str]:
    """The codes a labelled column should hold, from the dictionary's labels (not from our export)."""
    codes = {label: str(code) for code, label in expected_value_labels(table)[column].items()}
    return [codes["yes" if v else "no"] if isinstance(v, (bool, np.bool_)) else ("" if pd.isna(v) else codes[v])
            for v in data[column].astype(object)]


@pytest.fixture(scope="module")
def exported(easton, tmp_path_factory):
    """The Easton demo tables written once per format: {(table, suffix): path}."""
    folder = tmp_path_factory.mktemp("exported")
    return {(t, s): export_table(getattr(easton, t).data, t, folder / f"{t}{s}")
            for t in TABLES for s in (".sav", ".dta")}


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
@pytest.mark.parametrize("table", TABLES)
def test_round_trip_keeps_every_value(easton, exported, table, suffix):
    original = getattr(easton, table).data
    assert len(original) > 50
    if table == "participants":  # missing cells of every type: text, list, whole number, date, yes/no
        assert original[["programme", "referral_reasons", "start_date", "match_ended_early"]].isna().any().all()
    references = {"participants": easton.participants.data} if table == "outcomes" else None
    back = import_table(exported[table, suffix], table, references=references)
    assert back.problems.empty, back.problems.head().to_dict("records")
    assert list(back.data.index) == list(range(1, len(original) + 1))  # case numbers
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), original.reset_index(drop=True))


@pytest.mark.parametrize("table", TABLES)
def test_sav_labels_read_by_pyreadstat(easton, exported, table):
    data, meta = pyreadstat.read_sav(str(exported[table, ".sav"]), apply_value_formats=True)
    assert meta.column_names_to_labels == titles(table)
    assert meta.variable_value_labels == {k: {float(c): v for c, v in labels.items()}
                                          for k, labels in expected_value_labels(table).items()}
    original = getattr(easton, table).data
    for column in expected_value_labels(table):
        if column == "match_ended_early":
            want = ["" if pd.isna(v) else ("yes" if v else "no") for v in original[column].astype(object)]
        else:
            want = [as_text(v) for v in original[column].astype(object)]
        assert [as_text(v) for v in data[column]] == want, column


@pytest.mark.r
@pytest.mark.parametrize("table", TABLES)
def test_sav_labels_and_values_read_by_r_foreign(easton, exported, table, tmp_path):
    dates = [f.name for f in load_schema(table).fields if f.type == "date"]
    r = read_with_r(exported[table, ".sav"], "foreign", dates, tmp_path)
    assert r["variable_label"] == titles(table)
    assert r["value_label"] == {k: {float(c): v for c, v in labels.items()}
                                for k, labels in expected_value_labels(table).items()}
    original = getattr(easton, table).data
    labelled = expected_value_labels(table)
    for column in original.columns:
        want = coded_text(original, table, column) if column in labelled else [as_text(v) for v in original[column]]
        assert r["value"][column] == want, column


@pytest.mark.parametrize("table", TABLES)
def test_dta_labels_read_by_pandas_and_pyreadstat(easton, exported, table):
    path = exported[table, ".dta"]
    with pd.io.stata.StataReader(path) as reader:
        codes = reader.read(convert_categoricals=False)
        assert reader.variable_labels() == titles(table)
        assert {k: dict(v) for k, v in reader.value_labels().items()} == expected_value_labels(table)
    _, meta = pyreadstat.read_dta(str(path))
    assert meta.column_names_to_labels == titles(table)
    assert meta.variable_value_labels == expected_value_labels(table)
    assert meta.variable_to_label == {k: k for k in expected_value_labels(table)}
    original = getattr(easton, table).data
    for column in expected_value_labels(table):
        assert [as_text(v) for v in codes[column]] == coded_text(original, table, column), column
    for f in load_schema(table).fields:
        if f.type == "date":
            assert meta.original_variable_types[f.name] == "%td"
            assert [as_text(v) for v in codes[f.name]] == [as_text(v) for v in original[f.name]]


@pytest.mark.r
def test_dta_labels_and_values_read_by_r_haven(easton, exported, tmp_path):
    r = read_with_r(exported["participants", ".dta"], "haven", [], tmp_path)
    assert r["variable_label"] == titles("participants")
    assert r["value_label"] == {k: {float(c): v for c, v in labels.items()}
                                for k, labels in expected_value_labels("participants").items()}
    original = easton.participants.data
    assert r["value"]["start_date"] == [as_text(v) for v in original["start_date"]]
    assert r["value"]["referral_reasons"] == [as_text(v) for v in original["referral_reasons"]]
    assert r["value"]["care_status"] == coded_text(original, "participants", "care_status")


@pytest.mark.r
def test_import_a_sav_written_by_r_with_its_own_names_and_labels(tmp_path):
    path = tmp_path / "participants.sav"
    run_rscript("write_sav.R", str(path))
    loaded = import_table(path, "participants")
    assert loaded.problems.empty, loaded.problems.to_dict("records")
    data = loaded.data
    assert list(data.columns) == load_schema("participants").field_names
    assert list(data["participant_id"]) == ["R-001", "R-002", "R-003"]
    assert list(data["site"]) == ["Ynys Môn"] * 3
    assert data["year_group"].tolist() == [8, pd.NA, 10]  # `yeargrp`, matched by its label
    assert list(data["care_status"]) == ["looked_after", "care_leaver", "looked_after"]  # codes 10 / 20
    assert list(data["group"]) == ["mentored", "comparison", "mentored"]
    assert data["match_ended_early"].tolist() == [False, pd.NA, True]
    assert data["start_date"].tolist()[0] == pd.Timestamp(2023, 9, 11) and pd.isna(data["start_date"].iloc[1])
    assert data["referral_reasons"].tolist()[0] == ("anxiety_mental_health", "school_avoidance")
    assert pd.isna(data["referral_reasons"].iloc[1])
    assert data["programme"].isna().all()  # not in the file: an optional column


def test_import_a_dta_with_categoricals_and_other_label_names(tmp_path):
    # pandas turns categoricals into codes 0, 1, ... labelled with the categories; pyreadstat writes
    # label sets under names of the user's choosing. Both must map back to the dictionary's values.
    frame = pd.DataFrame({
        "participant_id": ["C-1", "C-1", "C-2"],
        "Measure": pd.Categorical(["sdq_total", "attendance_pct", "sdq_total"]),
        "timepoint": pd.Categorical(["Baseline", "Post", "Follow-up"]),
        "value": [14.0, 92.5, 11.0],
    })
    path = tmp_path / "outcomes.dta"
    frame.to_stata(path, write_index=False, version=118)
    loaded = import_table(path, "outcomes")
    assert loaded.problems.empty, loaded.problems.to_dict("records")
    assert list(loaded.data["measure"]) == ["sdq_total", "attendance_pct", "sdq_total"]
    assert list(loaded.data["timepoint"]) == ["baseline", "post", "follow_up"]
    assert loaded.data["value"].tolist() == [14.0, 92.5, 11.0]

    other = tmp_path / "outcomes_pyreadstat.dta"
    coded = frame.assign(Measure=[7, 3, 7], timepoint=[1, 1, 2])
    pyreadstat.write_dta(coded, str(other),
                         variable_value_labels={"Measure": {3: "attendance_pct", 7: "sdq_total"},
                                                "timepoint": {1: "baseline", 2: "post"}})
    loaded = import_table(other, "outcomes")
    assert loaded.problems.empty
    assert list(loaded.data["measure"]) == ["sdq_total", "attendance_pct", "sdq_total"]
    assert list(loaded.data["timepoint"]) == ["baseline", "baseline", "post"]


def test_unknown_variables_are_refused_naming_file_and_variable(easton, tmp_path):
    frame = easton.outcomes.data.head(3).reset_index(drop=True).astype({"participant_id": object})
    frame = frame[["participant_id", "measure", "timepoint", "value"]].assign(notes=["a", "b", "c"])
    frame["measure"] = frame["measure"].astype(object)
    frame["timepoint"] = frame["timepoint"].astype(object)
    frame["value"] = frame["value"].astype(float)
    path = tmp_path / "outcomes.dta"
    frame.to_stata(path, write_index=False, version=118)
    with pytest.raises(UnknownVariableError) as err:
        import_table(path, "outcomes")
    assert "outcomes.dta" in str(err.value) and "`notes`" in str(err.value)
    assert err.value.variables == ["notes"]
    assert err.value.problems[["column", "rule"]].values.tolist() == [["notes", "unknown_variable"]]
    assert isinstance(err.value, DataValidationError)
    loaded = import_table(path, "outcomes", ignore_unknown=True)
    assert len(loaded.data) == 3
    assert loaded.problems[["column", "rule", "severity"]].values.tolist() == [["notes", "unknown_column", "warning"]]


def test_bad_values_in_an_imported_file_are_reported_by_case_number(easton, tmp_path):
    path = export_table(easton.participants.data.head(4), "participants", tmp_path / "participants.sav")
    data, meta = pyreadstat.read_sav(str(path))
    data.loc[1, "care_status"] = 9  # case 2: a code with no value label
    data.loc[2, "year_group"] = 15  # case 3: above the maximum
    data.loc[3, "group"] = np.nan  # case 4: required
    pyreadstat.write_sav(data, str(path), column_labels=meta.column_names_to_labels,
                         variable_value_labels=meta.variable_value_labels)
    loaded = import_table(path, "participants")
    found = sorted(zip(loaded.problems["row"].astype(int), loaded.problems["column"], loaded.problems["rule"]))
    assert found == [(2, "care_status", "enum"), (3, "year_group", "blanked_maximum"), (4, "group", "required")]
    assert list(loaded.data.index) == [1, 3]  # case 3's year group is optional: blanked, the case kept
    assert list(loaded.quarantine["row"]) == [2, 4]
    assert (loaded.quarantine["file"] == "participants.sav").all()


def test_missing_required_variable_and_unreadable_files(easton, tmp_path):
    path = export_table(easton.participants.data.drop(columns=["group"]), "participants", tmp_path / "p.sav")
    with pytest.raises(DataValidationError, match=r"p\.sav.*`group`"):
        import_table(path, "participants")
    junk = tmp_path / "junk.sav"
    junk.write_bytes(b"this is not an SPSS file")
    with pytest.raises(DataValidationError, match=r"junk\.sav: could not be read as a SPSS file"):
        import_table(junk, "participants")
    with pytest.raises(DataValidationError, match="no such file"):
        import_table(tmp_path / "absent.dta", "participants")


def test_export_refuses_what_it_cannot_label(easton, tmp_path):
    data = easton.participants.data
    with pytest.raises(ExportError, match="`nickname` is not in the data dictionary"):
        export_table(data.assign(nickname="x"), "participants", tmp_path / "p.sav")
    bad = data.copy()
    row = bad.index[2]
    bad.loc[row, "care_status"] = "fostered"
    with pytest.raises(ExportError, match=rf"row {row}, column `care_status`: 'fostered' is not one of"):
        export_table(bad, "participants", tmp_path / "p.dta")
    with pytest.raises(ExportError, match=r"\.sav \(SPSS\) or \.dta \(Stata\)"):
        export_table(data, "participants", tmp_path / "p.xlsx")


def test_export_evaluation_writes_both_tables_and_counts_held_back_rows(easton, tmp_path):
    summary = export_evaluation(easton, tmp_path / "stata", "dta")
    assert list(summary["table"]) == TABLES
    for load, row in zip((easton.participants, easton.outcomes), summary.itertuples()):
        assert row.rows_written == len(load.data) and row.rows_held_back == len(load.quarantine)
        with pd.io.stata.StataReader(row.file) as reader:
            assert len(reader.read()) == len(load.data)
    assert summary["rows_held_back"].sum() > 0  # the demo has deliberately bad rows, reported not hidden
    with pytest.raises(ExportError, match="choose sav"):
        export_evaluation(easton, tmp_path, "xpt")


def test_csv_to_sav_to_dta_keeps_text_with_accents(tmp_path):
    csv = tmp_path / "participants.csv"
    csv.write_text("participant_id,site,cohort,care_status,group,referral_reasons\n"
                   "A-1,Ynys Môn,2023/24,looked_after,mentored,transition; other\n"
                   "A-2,Ynys Môn,2023/24,care_leaver,comparison,\n", encoding="utf-8")
    original = load_table(csv, "participants").data
    sav = import_table(export_table(original, "participants", tmp_path / "p.sav"), "participants").data
    dta = import_table(export_table(sav, "participants", tmp_path / "p.dta"), "participants").data
    given = ["participant_id", "site", "cohort", "care_status", "group", "referral_reasons"]
    pd.testing.assert_frame_equal(dta[given].reset_index(drop=True), original[given].reset_index(drop=True))
    assert dta.drop(columns=given).isna().all().all()  # columns the CSV lacked stay empty
    assert dta["site"].tolist() == ["Ynys Môn", "Ynys Môn"]
