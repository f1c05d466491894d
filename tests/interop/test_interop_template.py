"""Excel data-entry templates: opened with openpyxl and checked against the data dictionary, then filled in
as a user would and loaded with load_table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_to_tuple

from cm_research.data import load_table
from cm_research.dictionary import load_schema, measures_catalogue
from cm_research.errors import DictionaryError
from cm_research.interop import TemplateError, write_template

PARTICIPANT_ROWS = [
    ["SYN-T-0001", "Testshire", "2023/24", 8, "KS3", "looked_after", "anxiety_mental_health; school_avoidance",
     dt.datetime(2023, 7, 3), "creative_mentoring", "mentored", dt.datetime(2023, 9, 11), dt.datetime(2024, 7, 19),
     "no", "football; drawing"],
    ["SYN-T-0002", "Testshire", "2023/24", 9, "KS3", "looked_after", None, None, None, "comparison", None, None, None,
     None],
    ["SYN-T-0003", "Testshire", "2022/23", 11, "KS4", "previously_looked_after", "exclusion_risk", None,
     "learning_mentor", "mentored", dt.datetime(2022, 10, 3), None, "yes", None],
    ["SYN-T-0004", "Testshire", "2011/12", 0, "EYFS", "child_in_need", None, None, None, "comparison", None, None,
     None, None],
    ["SYN-T-0005", "Testshire", "2023/24", 14, "Post-16", "care_leaver", "transition", dt.datetime(2023, 10, 2),
     "volunteer_mentoring", "mentored", dt.datetime(2023, 11, 1), dt.datetime(2024, 3, 28), "no", "music"],
]
OUTCOME_ROWS = [
    ["SYN-T-0001", "attendance_pct", "baseline", dt.datetime(2023, 10, 1), 81.5],
    ["SYN-T-0001", "attendance_pct", "post", dt.datetime(2024, 7, 15), 90],
    ["SYN-T-0002", "sdq_total", "baseline", None, 18],
    ["SYN-T-0003", "permanent_exclusion", "follow_up", dt.datetime(2023, 12, 1), 0],
    ["SYN-T-0005", "swemwbs", "post", dt.datetime(2024, 3, 28), 23],
]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return write_template(["participants", "outcomes"], tmp_path_factory.mktemp("template") / "evaluation.xlsx")


@pytest.fixture(scope="module")
def book(template):
    return load_workbook(template)


def validations_by_column(sheet) -> dict[str, object]:
    """Column letter -> its DataValidation, checking each covers its whole column below the heading."""
    found = {}
    for dv in sheet.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row == 1_048_576, str(cell_range)
            assert cell_range.min_col == cell_range.max_col
            found[cell_range.coord.split(":")[0].rstrip("0123456789")] = dv
    return found


def list_values(book, formula: str) -> list[str]:
    """The values a list validation offers: the cells of the range its formula names."""
    sheet_name, (min_col, min_row, max_col, max_row) = range_to_tuple(formula)
    sheet = book[sheet_name.strip("'")]
    return [sheet.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]


def column_of(sheet, title: str) -> str:
    return next(c.column_letter for c in sheet[1] if c.value == title)


@pytest.mark.parametrize("table", ["participants", "outcomes"])
def test_header_row_is_the_titles_frozen_with_comments(book, table):
    schema = load_schema(table)
    sheet = book[table]
    assert [c.value for c in sheet[1]] == [f.title for f in schema.fields]
    assert sheet.max_row == 1  # nothing between the header and the data
    assert sheet.freeze_panes == "A2"
    for cell, f in zip(sheet[1], schema.fields):
        assert f.description in cell.comment.text
        assert ("Required." if f.required else "Optional") in cell.comment.text


def test_sheets_instructions_first_and_lists_hidden(book):
    assert book.sheetnames[:3] == ["Instructions", "participants", "outcomes"]
    assert book.active.title == "Instructions"
    assert book["lists"].sheet_state == "hidden"
    text = "\n".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value)
    for table in ("participants", "outcomes"):
        for f in load_schema(table).fields:
            assert f.title in text and f.description in text
    assert "cm-research validate" in text


@pytest.mark.parametrize("table", ["participants", "outcomes"])
def test_drop_downs_offer_exactly_the_allowed_values(book, table):
    schema = load_schema(table)
    sheet = book[table]
    validations = validations_by_column(sheet)
    expected = {f.title: list(f.enum) for f in schema.fields if f.enum}
    expected.update({f.title: ["yes", "no"] for f in schema.fields if f.type == "boolean"})
    if table == "outcomes":
        expected["Measure"] = list(measures_catalogue().index)
    assert expected  # the dictionary has enums in both tables
    for title, values in expected.items():
        dv = validations[column_of(sheet, title)]
        assert dv.type == "list", title
        assert list_values(book, dv.formula1) == values, title
        is_list_field = schema.fields[[f.title for f in schema.fields].index(title)].type == "list"
        # one value per cell is enforced, except where several may be typed, separated by ';'
        assert bool(dv.showErrorMessage) is (not is_list_field), title


def test_number_date_and_unique_validation(book):
    sheet = book["participants"]
    validations = validations_by_column(sheet)
    year = validations[column_of(sheet, "Year group")]
    assert (year.type, year.operator, year.formula1, year.formula2) == ("whole", "between", "0", "14")
    for title in ("Start date", "End date"):
        dv = validations[column_of(sheet, title)]
        assert dv.type == "date" and dv.operator == "between"
        # Excel day serials count from 30/12/1899: 10000 is 18/05/1927 and 80000 is 11/01/2119
        # (219 years of 365 days + 53 leap days, 2100 not being one, + 2 + 10 days): the loader's range
        assert pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(dv.formula1)) == pd.Timestamp("1927-05-18")
        assert pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(dv.formula2)) == pd.Timestamp("2119-01-11")
        assert sheet.column_dimensions[column_of(sheet, title)].number_format == "DD/MM/YYYY"
    unique = validations["A"]
    assert unique.type == "custom" and unique.formula1 == "COUNTIF($A$2:$A$1048576,A2)=1"
    assert sheet.column_dimensions[column_of(sheet, "Cohort")].number_format == "@"  # 2011/12 stays text
    assert column_of(sheet, "Site") not in validations  # free text: nothing Excel could check


def test_outcome_value_is_a_number_whose_range_is_described_not_fixed(book):
    sheet = book["outcomes"]
    dv = validations_by_column(sheet)[column_of(sheet, "Value")]
    assert dv.type == "decimal"
    assert float(dv.formula1) < -1e99 and float(dv.formula2) > 1e99  # only "is a number"
    comment = sheet[f"{column_of(sheet, 'Value')}1"].comment.text
    assert "depends on the measure" in comment and "Outcome measures sheet" in comment
    reference = book["Outcome measures"]
    header = [c.value for c in reference[4]]
    rows = {r[0]: dict(zip(header, r)) for r in reference.iter_rows(min_row=5, values_only=True) if r[0]}
    catalogue = measures_catalogue()
    assert list(rows) == list(catalogue.index)
    for measure, spec in catalogue.iterrows():
        assert rows[measure]["Minimum"] == spec["minimum"]
        assert rows[measure]["Maximum"] == ("" if pd.isna(spec["maximum"]) else spec["maximum"])


def fill(template, tmp_path, participants, outcomes):
    book = load_workbook(template)
    for row in participants:
        book["participants"].append(row)
    for row in outcomes:
        book["outcomes"].append(row)
    path = tmp_path / "filled.xlsx"
    book.save(path)
    return path


def plain(series: pd.Series) -> list:
    return [None if (not isinstance(v, tuple) and pd.isna(v)) else v for v in series.astype(object)]


def test_filled_in_template_loads_without_edits(template, tmp_path):
    path = fill(template, tmp_path, PARTICIPANT_ROWS, OUTCOME_ROWS)
    participants = load_table(path, "participants")
    assert participants.problems.empty, participants.problems.to_dict("records")
    data = participants.data
    assert list(data.index) == [2, 3, 4, 5, 6]  # Excel rows
    assert plain(data["participant_id"]) == [r[0] for r in PARTICIPANT_ROWS]
    assert plain(data["cohort"]) == ["2023/24", "2023/24", "2022/23", "2011/12", "2023/24"]
    assert plain(data["year_group"]) == [8, 9, 11, 0, 14]
    assert plain(data["referral_reasons"]) == [("anxiety_mental_health", "school_avoidance"), None,
                                               ("exclusion_risk",), None, ("transition",)]
    assert plain(data["start_date"]) == [pd.Timestamp(2023, 9, 11), None, pd.Timestamp(2022, 10, 3), None,
                                         pd.Timestamp(2023, 11, 1)]
    assert plain(data["match_ended_early"]) == [False, None, True, None, False]
    outcomes = load_table(path, "outcomes", references={"participants": data})
    assert outcomes.problems.empty, outcomes.problems.to_dict("records")
    assert plain(outcomes.data["measure"]) == [r[1] for r in OUTCOME_ROWS]
    assert plain(outcomes.data["value"]) == [81.5, 90.0, 18.0, 0.0, 23.0]
    assert plain(outcomes.data["date"])[2] is None


def test_wrong_values_typed_past_the_validation_are_caught_by_load_table(template, tmp_path):
    # openpyxl, like pasting in Excel, does not enforce validation: load_table must catch these.
    participants = [list(r) for r in PARTICIPANT_ROWS]
    participants[1][5] = "in care"  # Excel row 3, not a care status
    participants[2][3] = 15  # row 4, above year group 14
    participants[3][12] = "maybe"  # row 5, not yes/no
    outcomes = [list(r) for r in OUTCOME_ROWS]
    outcomes[2][1] = "attendance"  # row 4, not a measure
    outcomes[0][4] = 112  # row 2, attendance above 100
    path = fill(template, tmp_path, participants, outcomes)
    loaded = load_table(path, "participants")
    found = sorted(zip(loaded.problems["row"].astype(int), loaded.problems["column"], loaded.problems["rule"]))
    assert found == [(3, "care_status", "enum"), (4, "year_group", "blanked_maximum"), (5, "match_ended_early", "blanked_type")]
    assert list(loaded.data.index) == [2, 4, 5, 6]  # optional cells blanked, rows kept
    out = load_table(path, "outcomes")
    found = sorted(zip(out.problems["row"].astype(int), out.problems["column"], out.problems["rule"]))
    assert found == [(2, "value", "maximum"), (4, "measure", "foreign_key")]


def test_a_list_too_long_for_an_inline_validation_uses_the_hidden_sheet(tmp_path):
    activities = [f"activity_number_{i:02d}" for i in range(40)]
    assert len(",".join(activities)) > 255  # Excel refuses inline lists this long
    folder = tmp_path / "dictionary"
    folder.mkdir()
    (folder / "visits.yaml").write_text(
        "name: visits\ntitle: Visits\ndescription: Synthetic test table.\nfields:\n"
        "  - {name: visit_id, type: string, title: Visit id, description: An id., constraints: {required: true}}\n"
        "  - {name: activity, type: string, title: Activity, description: What was done.,\n"
        f"     constraints: {{required: true, enum: [{', '.join(activities)}]}}}}\n",
        encoding="utf-8",
    )
    path = write_template(["visits"], tmp_path / "visits.xlsx", folder=folder)
    book = load_workbook(path)
    dv = validations_by_column(book["visits"])["B"]
    assert dv.type == "list" and "!" in dv.formula1 and not dv.formula1.startswith('"')
    assert list_values(book, dv.formula1) == activities
    book["visits"].append(["V1", "activity_number_39"])
    book["visits"].append(["V2", "activity_number_40"])  # not in the list
    book.save(path)
    loaded = load_table(path, "visits", schema=load_schema("visits", folder))
    assert list(loaded.data["activity"]) == ["activity_number_39"]
    assert loaded.problems[["row", "column", "rule"]].values.tolist() == [[3, "activity", "enum"]]


def test_a_single_table_template_is_found_by_sheet_name(tmp_path):
    path = write_template(["outcomes"], tmp_path / "outcomes.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Instructions", "outcomes", "Outcome measures", "lists"]
    book["outcomes"].append(OUTCOME_ROWS[0])
    book.save(path)
    loaded = load_table(path, "outcomes")
    assert loaded.problems.empty and len(loaded.data) == 1


def test_clear_errors_for_impossible_templates(tmp_path):
    with pytest.raises(TemplateError, match="measures.*catalogue"):
        write_template(["measures"], tmp_path / "m.xlsx")
    with pytest.raises(TemplateError, match=r"\.xlsx"):
        write_template(["participants"], tmp_path / "p.xls")
    with pytest.raises(TemplateError, match="at least one table"):
        write_template([], tmp_path / "p.xlsx")
    with pytest.raises(DictionaryError, match="unknown table 'sessionz'"):
        write_template(["sessionz"], tmp_path / "p.xlsx")
